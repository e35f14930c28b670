//! Data-parallel training as a cluster user meets it, on this machine's loopback: two
//! `bert-studio train` processes as two nodes (and two CPU copies in one process) end with the
//! weights one process trains with the whole batch; a killed node ends the other's run with
//! its name, and the group resumes from the last checkpoint; nodes started with other settings
//! refuse to train together.

// The engine's test helpers and fixtures, shared rather than copied.
mod binary;
#[path = "../../engine/tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use binary::cli as bert_studio;
use common::*;

const LEARNING_RATE: f64 = 1e-3;

/// The tiny fixture with dropout off: with it on, each copy draws its own masks and no two
/// runs could be compared weight by weight.
fn model_without_dropout(dir: &Path) -> PathBuf {
    let folder = dir.join("tiny-bert");
    std::fs::create_dir(&folder).unwrap();
    for entry in std::fs::read_dir(fixtures().join("tiny-bert")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
    }
    let path = folder.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["hidden_dropout_prob"] = 0.0.into();
    config["attention_probs_dropout_prob"] = 0.0.into();
    std::fs::write(&path, config.to_string()).unwrap();
    folder
}

/// A run of `epochs` on three NACE divisions (classes weighted), batches of 16 rows, a
/// checkpoint per epoch, on the devices `more` names (`--device cpu` or `--devices …`) and
/// with its other flags.
fn training(data: &Path, output: &Path, model: &Path, epochs: usize, more: &[&str]) -> Command {
    let mut command = bert_studio();
    let (epochs, learning_rate) = (epochs.to_string(), LEARNING_RATE.to_string());
    command.args(["train", "--input", data.to_str().unwrap()]);
    command.args(["--output", output.to_str().unwrap()]);
    command.args(["--model", model.to_str().unwrap()]);
    command.args(["--epochs", &epochs, "--max-seq-len", "32"]);
    command.args([
        "--learning-rate",
        &learning_rate,
        "--train-batch-size",
        "16",
    ]);
    // Weighted classes: each shard's share of a batch's loss is then not its share of rows.
    command.args(["--class-weights", "balanced"]);
    command.args(["--save-strategy", "epoch", "--json"]);
    command.args(more);
    command
}

const CPU: [&str; 2] = ["--device", "cpu"];

/// A coordinator port with the two after it free too (node 0's and node 1's data services),
/// from a start of this test's own, so that tests running at once do not collide.
fn free_ports(start: u16) -> u16 {
    let start = start + (std::process::id() % 1000) as u16 * 8;
    (start..start + 4000)
        .step_by(4)
        .find(|port| (*port..port + 3).all(|p| std::net::TcpListener::bind(("0.0.0.0", p)).is_ok()))
        .expect("free ports on this machine")
}

fn node_flags(rank: usize, port: u16) -> Vec<String> {
    let coordinator = format!("127.0.0.1:{port}");
    [
        "--nodes",
        "2",
        "--node-rank",
        &rank.to_string(),
        "--coordinator",
        &coordinator,
    ]
    .map(String::from)
    .to_vec()
}

fn spawn(command: &mut Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a process, within `limit`; its success and its stderr.
fn finish(mut child: Child, limit: Duration) -> (bool, String) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return (status.success(), stderr);
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("the process did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn weights(folder: &Path) -> BTreeMap<String, Vec<f32>> {
    f32_tensors(&folder.join("model.safetensors"))
        .into_iter()
        .map(|(name, _, values)| (name, values))
        .collect()
}

fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// The split run's weights are the single run's, within 1e-5, while training moved them by
/// far more. Attention's key biases are the exception that proves it: their exact gradient
/// is zero (a bias added to every key shifts each query's scores alike, and softmax ignores
/// that), so AdamW turns rounding noise there into steps of up to the learning rate, in any
/// two runs whose sums differ in order (transformers' too); they are held to that bound.
fn assert_same_model(single: &Path, split: &Path, start: &Path, steps: usize) {
    let (single, split, start) = (weights(single), weights(split), weights(start));
    assert_eq!(
        single.keys().collect::<Vec<_>>(),
        split.keys().collect::<Vec<_>>()
    );
    let mut moved = 0.0f32;
    for (name, values) in &single {
        let difference = largest_difference(values, &split[name]);
        if name.ends_with("attention.self.key.bias") {
            let bound = 2.0 * LEARNING_RATE as f32 * steps as f32;
            assert!(difference <= bound, "{name}: {difference} > {bound}");
        } else {
            assert!(difference < 1e-5, "{name} differs by {difference}");
        }
        if let Some(initial) = start.get(name) {
            moved = moved.max(largest_difference(values, initial));
        }
    }
    assert!(moved > 1e-2, "training moved the weights by {moved} only");
}

fn steps_done(folder: &Path) -> usize {
    let text = std::fs::read_to_string(folder.join("training_report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    report["plan"]["total_steps"].as_u64().unwrap() as usize
}

/// The task, the model and the reference: one process training on the whole batch.
struct Reference {
    dir: tempfile::TempDir,
    data: PathBuf,
    model: PathBuf,
    single: PathBuf,
}

fn reference_run(epochs: usize) -> Reference {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = (
        small_nace_csv(dir.path()),
        model_without_dropout(dir.path()),
    );
    let single = dir.path().join("single");
    let (ok, stderr) = finish(
        spawn(&mut training(&data, &single, &model, epochs, &CPU)),
        Duration::from_secs(300),
    );
    assert!(ok, "{stderr}");
    Reference {
        dir,
        data,
        model,
        single,
    }
}

#[test]
fn two_nodes_on_loopback_train_the_model_one_process_trains() {
    let Reference {
        dir,
        data,
        model,
        single,
    } = reference_run(2);
    let split = dir.path().join("split");

    let port = free_ports(20000);
    let lead = spawn(training(&data, &split, &model, 2, &CPU).args(node_flags(0, port)));
    let other = spawn(training(&data, &split, &model, 2, &CPU).args(node_flags(1, port)));
    let (ok, stderr) = finish(other, Duration::from_secs(300));
    assert!(ok, "node 1: {stderr}");
    let (ok, stderr) = finish(lead, Duration::from_secs(60));
    assert!(ok, "node 0: {stderr}");
    assert_same_model(&single, &split, &model, steps_done(&single));
    // The same report, written once: by node 0.
    let report = std::fs::read_to_string(split.join("training_report.json")).unwrap();
    assert!(report.contains("\"nodes\": 2"), "{report}");
}

#[test]
fn two_cpu_copies_in_one_process_train_the_model_one_copy_trains() {
    let Reference {
        dir,
        data,
        model,
        single,
    } = reference_run(1);
    let split = dir.path().join("copies");
    let copies = ["--devices", "cpu,cpu"];
    let (ok, stderr) = finish(
        spawn(&mut training(&data, &split, &model, 1, &copies)),
        Duration::from_secs(300),
    );
    assert!(ok, "{stderr}");
    assert_same_model(&single, &split, &model, steps_done(&single));
}

#[test]
fn a_killed_node_ends_the_run_with_its_name_and_the_group_resumes() {
    let Reference {
        dir,
        data,
        model,
        single,
    } = reference_run(3);
    let split = dir.path().join("split");

    let timeout = ["--device", "cpu", "--node-timeout", "10"];
    let port = free_ports(30000);
    let mut lead = spawn(training(&data, &split, &model, 3, &timeout).args(node_flags(0, port)));
    let mut other = spawn(training(&data, &split, &model, 3, &timeout).args(node_flags(1, port)));
    // Node 1 is killed (SIGKILL: nothing of it runs) once node 0 has saved epoch 1; node 0's
    // events are read to their end (a closed pipe would stop it for another reason).
    let events = BufReader::new(lead.stdout.take().unwrap());
    let (saved, checkpoint) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in events.lines().map_while(Result::ok) {
            if line.contains("\"checkpoint_saved\"") {
                let _ = saved.send(());
            }
        }
    });
    checkpoint
        .recv_timeout(Duration::from_secs(120))
        .expect("node 0 saved epoch 1");
    other.kill().unwrap();
    other.wait().unwrap();
    let killed = Instant::now();
    let (ok, stderr) = finish(lead, Duration::from_secs(60));
    assert!(!ok, "node 0 went on alone");
    assert!(
        stderr.contains(&format!(
            "node 1 (127.0.0.1:{}) stopped answering",
            port + 2
        )),
        "{stderr}"
    );
    assert!(stderr.contains("--resume"), "{stderr}");
    // The node timeout (10 s) and the probes of the silent node (at most 6 s).
    assert!(
        killed.elapsed() < Duration::from_secs(40),
        "{:?}",
        killed.elapsed()
    );
    assert!(!split.join("training_report.json").exists());
    assert!(
        split
            .join("checkpoints/epoch-1/trainer_state.json")
            .is_file()
    );

    let resume = ["train", "--resume", split.to_str().unwrap()];
    let port = free_ports(40000);
    let lead = spawn(bert_studio().args(resume).args(node_flags(0, port)));
    let other = spawn(bert_studio().args(resume).args(node_flags(1, port)));
    let (ok, stderr) = finish(other, Duration::from_secs(300));
    assert!(ok, "node 1: {stderr}");
    assert!(stderr.contains("Node 0 saved the model to"), "{stderr}");
    let (ok, stderr) = finish(lead, Duration::from_secs(60));
    assert!(ok, "node 0: {stderr}");
    assert!(stderr.contains("Resuming after epoch 1"), "{stderr}");
    assert_same_model(&single, &split, &model, steps_done(&single));
}

#[test]
fn nodes_started_with_other_settings_stop_at_once_and_say_which() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = (
        small_nace_csv(dir.path()),
        model_without_dropout(dir.path()),
    );
    let output = dir.path().join("split");
    let port = free_ports(50000);
    let started = Instant::now();
    let lead = spawn(training(&data, &output, &model, 1, &CPU).args(node_flags(0, port)));
    let other = spawn(training(&data, &output, &model, 2, &CPU).args(node_flags(1, port)));
    let (ok, stderr) = finish(other, Duration::from_secs(120));
    assert!(!ok, "node 1 trained with other settings");
    assert!(
        stderr.contains("Node 0 trains with other settings or other rows than this node"),
        "{stderr}"
    );
    let (ok, stderr) = finish(lead, Duration::from_secs(60));
    assert!(!ok, "node 0 trained with other settings");
    assert!(
        stderr.contains("Node 1 trains with other settings or other rows than this node"),
        "{stderr}"
    );
    // At the roll call, before any step: well within the default node timeout (300 s).
    assert!(started.elapsed() < Duration::from_secs(100));
    assert!(!output.join("training_report.json").exists());
}
