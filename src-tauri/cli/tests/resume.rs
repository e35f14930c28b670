//! Checkpoints and resume, as a user meets them: the CLI killed with SIGKILL mid-epoch, then
//! `bert-studio train --resume`, ends with the same model and metrics as a run never stopped.

// The engine's test helpers and fixtures, shared rather than copied.
mod binary;
#[path = "../../engine/tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use binary::cli as bert_studio;

use binary::*;
use common::*;

/// Three epochs of the tiny fixture on a copy of the sample data, a checkpoint per epoch,
/// the best epoch kept (so the resume has to restore it too).
fn train_args(data: &Path, output: &Path) -> Vec<String> {
    tiny_training(
        data,
        output,
        &[
            "--epochs",
            "3",
            "--max-seq-len",
            "32",
            "--learning-rate",
            "1e-3",
            "--save-strategy",
            "epoch",
            "--load-best",
            "true",
            "--device",
            "cpu",
            "--json",
        ],
    )
}

fn run(command: &mut Command) -> (bool, String) {
    let out = command.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn report(folder: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(folder.join("training_report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The history with what must differ between two runs taken out: durations and the
/// checkpoint paths (each run has its own folder).
fn comparable_history(report: &serde_json::Value, folder: &Path) -> Vec<serde_json::Value> {
    let folder = folder.display().to_string();
    report["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            let mut event = event.clone();
            let object = event.as_object_mut().unwrap();
            object.remove("seconds");
            if let Some(path) = object.get_mut("path") {
                *path = path.as_str().unwrap().replace(&folder, "<run>").into();
            }
            event
        })
        .collect()
}

fn sample_copy(dir: &Path) -> PathBuf {
    let data = dir.join("nace.csv");
    std::fs::copy(repo_root().join("data/sample/nace_fr.csv"), &data).unwrap();
    data
}

#[test]
fn a_run_killed_mid_epoch_resumes_to_the_same_model() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_copy(dir.path());
    let whole = dir.path().join("uninterrupted");
    let resumed = dir.path().join("resumed");

    let (ok, stderr) = run(bert_studio().args(train_args(&data, &whole)));
    assert!(ok, "{stderr}");

    // The second run is killed (SIGKILL: no handler runs) at its first progress event after
    // the epoch-1 checkpoint, i.e. in the middle of epoch 2.
    let mut child = bert_studio()
        .args(train_args(&data, &resumed))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut checkpointed = false;
    let mut killed_at = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let event: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        match event["event"].as_str().unwrap() {
            "checkpoint_saved" => checkpointed = true,
            "step" if checkpointed => {
                killed_at = event["epoch"].as_f64();
                child.kill().unwrap();
                break;
            }
            _ => {}
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "the run was killed, not finished");
    let killed_at = killed_at.expect("a progress event came after the first checkpoint");
    assert!(killed_at > 1.0 && killed_at < 2.0, "killed mid epoch 2");
    assert!(!resumed.join("training_report.json").exists());
    let checkpoint = resumed.join("checkpoints/epoch-1");
    for file in [
        "model.safetensors",
        "optimizer.safetensors",
        "trainer_state.json",
    ] {
        assert!(checkpoint.join(file).is_file(), "{file}");
    }

    // Starting afresh into the folder would throw the checkpoint away: refused.
    let (ok, stderr) = run(bert_studio().args(train_args(&data, &resumed)));
    assert!(!ok);
    assert!(
        stderr.contains("holds an unfinished run (1 of 3 epochs done)"),
        "{stderr}"
    );

    // What a kill during a checkpoint write leaves: a hidden folder of a process now gone
    // (pid 4194304 is above Linux's maximum).
    let stale = resumed.join("checkpoints/.epoch-2.partial-4194304-0");
    std::fs::create_dir(&stale).unwrap();

    let (ok, stderr) = run(bert_studio().args(["train", "--resume", resumed.to_str().unwrap()]));
    assert!(ok, "{stderr}");
    assert!(stderr.contains("Resuming after epoch 1"), "{stderr}");
    assert!(!stale.exists(), "the stale partial checkpoint was removed");

    let (a, b) = (report(&whole), report(&resumed));
    assert_eq!(a["final_metrics"], b["final_metrics"]);
    assert_eq!(a["best_epoch"], b["best_epoch"]);
    assert_eq!(
        comparable_history(&a, &whole),
        comparable_history(&b, &resumed)
    );
    for file in ["model.safetensors", "checkpoints/epoch-2/model.safetensors"] {
        assert!(
            std::fs::read(whole.join(file)).unwrap() == std::fs::read(resumed.join(file)).unwrap(),
            "{file} differs"
        );
    }
    // A finished run keeps its checkpoints as model folders, without the optimizer state.
    assert!(
        !resumed
            .join("checkpoints/epoch-3/optimizer.safetensors")
            .exists()
    );
    assert!(
        resumed
            .join("checkpoints/epoch-3/model.safetensors")
            .exists()
    );

    let (ok, stderr) = run(bert_studio().args(["train", "--resume", resumed.to_str().unwrap()]));
    assert!(!ok);
    assert!(stderr.contains("has already finished"), "{stderr}");
}

#[test]
fn a_resume_on_changed_data_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample_copy(dir.path());
    let output = dir.path().join("run");
    let mut args = train_args(&data, &output);
    // One epoch, then the run is made unfinished again by removing its final files, as if
    // it had been killed during epoch 2 of 2.
    args[8] = "2".into();
    let (ok, stderr) = run(bert_studio().args(&args));
    assert!(ok, "{stderr}");
    std::fs::remove_dir_all(output.join("checkpoints/epoch-2")).unwrap();
    std::fs::remove_file(output.join("training_report.json")).unwrap();
    assert!(
        !output
            .join("checkpoints/epoch-1/optimizer.safetensors")
            .exists(),
        "a finished run drops the optimizer state"
    );
    let (ok, stderr) = run(bert_studio().args(["train", "--resume", output.to_str().unwrap()]));
    assert!(!ok);
    assert!(
        stderr.contains("holds no checkpoint to resume from"),
        "{stderr}"
    );

    // A real unfinished run: killed right after its first checkpoint.
    std::fs::remove_dir_all(&output).unwrap();
    let mut child = bert_studio()
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        if line.unwrap().contains("\"checkpoint_saved\"") {
            child.kill().unwrap();
            break;
        }
    }
    child.wait().unwrap();
    let mut text = std::fs::read_to_string(&data).unwrap();
    text.push_str("Culture de céréales ajoutée après coup,01\n");
    std::fs::write(&data, text).unwrap();
    let (ok, stderr) = run(bert_studio().args(["train", "--resume", output.to_str().unwrap()]));
    assert!(!ok);
    assert!(
        stderr.contains("are not the ones this run started with"),
        "{stderr}"
    );
    assert!(
        output
            .join("checkpoints/epoch-1/trainer_state.json")
            .exists(),
        "the refused resume kept the checkpoint"
    );
}
