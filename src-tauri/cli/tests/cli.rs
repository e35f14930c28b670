//! The `bert-studio` command line, run as a user runs it.

// The engine's test helpers and fixtures, shared rather than copied.
mod binary;
#[path = "../../engine/tests/common/mod.rs"]
mod common;

use std::process::Command;

use binary::*;
use common::*;

fn bert_studio(args: &[&str]) -> (bool, String, String) {
    bert_studio_with_env(args, &[])
}

/// Runs the CLI offline, with extra environment variables.
fn bert_studio_with_env(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = cli().args(args).envs(env.iter().copied()).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn inspect_describes_a_folder() {
    let folder = fixtures().join("tiny-bert");
    let (ok, stdout, stderr) = bert_studio(&["inspect", folder.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("2 layers, hidden size 32, 4 attention heads"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3 classes: Agriculture, Industrie, Services"),
        "{stdout}"
    );
    assert!(
        stdout.contains("from tokenizer.json, 400 tokens, lowercases text"),
        "{stdout}"
    );

    let (ok, stdout, stderr) = bert_studio(&["inspect", "--json", folder.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let facts: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // BERT's parameter count from the config alone: embeddings, layers, pooler, classifier.
    let (v, p, t, h, i, l, c) = (400, 64, 2, 32, 64, 2, 3);
    let layer = 4 * (h * h + h) + 2 * (2 * h) + (h * i + i) + (i * h + h);
    let expected = (v + p + t) * h + 2 * h + l * layer + (h * h + h) + (h * c + c);
    assert_eq!(facts["parameters"], expected);
    assert_eq!(facts["tokenizer"]["vocab_size"], 400);
    assert_eq!(facts["load_report"]["new_classifier"], false);
}

#[test]
fn inspect_describes_each_architecture() {
    for (name, class, shown) in [
        (
            "tiny-roberta",
            "RobertaForSequenceClassification",
            "RoBERTa",
        ),
        (
            "tiny-camembert",
            "CamembertForSequenceClassification",
            "CamemBERT",
        ),
        (
            "tiny-xlm-roberta",
            "XLMRobertaForSequenceClassification",
            "XLM-RoBERTa",
        ),
        (
            "tiny-distilbert",
            "DistilBertForSequenceClassification",
            "DistilBERT",
        ),
        (
            "tiny-electra",
            "ElectraForSequenceClassification",
            "ELECTRA",
        ),
    ] {
        let folder = family_fixture(name);
        let (ok, stdout, stderr) = bert_studio(&["inspect", folder.to_str().unwrap()]);
        assert!(ok, "{name}: {stderr}");
        assert!(
            stdout.contains(&format!("{shown} for sequence classification")),
            "{stdout}"
        );
        let (ok, stdout, stderr) = bert_studio(&["inspect", "--json", folder.to_str().unwrap()]);
        assert!(ok, "{name}: {stderr}");
        let facts: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(facts["architecture"], class, "{name}");
        // transformers saved every parameter, and nothing else, in the fixture's weights file.
        let bytes = std::fs::read(folder.join("model.safetensors")).unwrap();
        let saved = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let parameters: usize = saved
            .tensors()
            .iter()
            .map(|(_, t)| t.shape().iter().product::<usize>())
            .sum();
        assert_eq!(facts["parameters"], parameters, "{name}");
        assert_eq!(facts["load_report"]["new_classifier"], false, "{name}");
    }
    // RoBERTa's 66 positions hold 64 tokens (the first is pad_token_id + 1 = 2).
    let (_, stdout, _) =
        bert_studio(&["inspect", family_fixture("tiny-roberta").to_str().unwrap()]);
    assert!(stdout.contains("up to 64 tokens per text"), "{stdout}");
}

#[test]
fn inspect_explains_a_base_model_without_head() {
    let folder = asset("all-MiniLM-L6-v2");
    let (ok, stdout, stderr) = bert_studio(&["inspect", folder.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("6 layers, hidden size 384"), "{stdout}");
    assert!(stdout.contains("no classification head yet"), "{stdout}");
}

#[test]
fn inspect_errors_are_plain_words() {
    let (ok, _, stderr) = bert_studio(&["inspect", "./no/such/model"]);
    assert!(!ok);
    assert!(
        stderr.starts_with("Error: Could not find the model"),
        "{stderr}"
    );

    let (ok, _, stderr) = bert_studio(&["inspect", "some-org/not-downloaded"]);
    assert!(!ok);
    assert!(stderr.contains("offline mode"), "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), "{ not json").unwrap();
    let (ok, _, stderr) = bert_studio(&["inspect", dir.path().to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("not valid JSON"), "{stderr}");
    // The next step is worded for the command line, not for the app's model step.
    assert!(
        stderr.contains("Give --model another model folder"),
        "{stderr}"
    );
    for out in [&stderr] {
        assert!(
            !out.contains("panicked") && !out.contains("RUST_BACKTRACE"),
            "{out}"
        );
    }
}

#[test]
fn predict_and_evaluate_write_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixtures().join("tiny-bert");
    let input = fixtures().join("evaluate.csv");
    let output = dir.path().join("out.csv");
    let (ok, _, stderr) = bert_studio(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--top-k",
        "2",
    ]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("26 rows (1 with an empty text"), "{stderr}");
    let written = std::fs::read_to_string(&output).unwrap();
    assert!(
        written.starts_with("id;libelle;code_secteur;predicted_label;score;label_2;score_2\n"),
        "{written}"
    );

    let report = dir.path().join("eval.json");
    let (ok, stdout, stderr) = bert_studio(&[
        "evaluate",
        "--model",
        model.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--label-column",
        "code_secteur",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("the label \"Pêche\" (2 rows)"), "{stdout}");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("evaluate.json")).unwrap())
            .unwrap();
    let accuracy = fixture["accuracy"].as_f64().unwrap();
    assert!(
        stdout.contains(&format!("accuracy          {accuracy:.4}")),
        "{stdout}"
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(saved["metrics"]["accuracy"].as_f64(), Some(accuracy));
    assert_eq!(
        saved["misclassified_total"],
        saved["misclassified"].as_array().unwrap().len()
    );

    let (ok, _, stderr) = bert_studio(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--device",
        "tpu",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("invalid value 'tpu'") && stderr.contains("auto, cpu, wgpu, cuda"),
        "{stderr}"
    );
}

/// The Hugging Face token is only ever sent to the Hub: a planted token appears in no output,
/// recipe, report, checkpoint or log of a training run.
#[test]
fn the_hub_token_is_never_written() {
    let token = "hf_PlantedSecretToken1234567890";
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("model");
    let sample = repo_root().join("data/sample/nace_fr.csv");
    let args = tiny_training(
        &sample,
        &output,
        &[
            "--epochs",
            "1",
            "--max-seq-len",
            "16",
            "--save-strategy",
            "epoch",
            "--json",
        ],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, stdout, stderr) = bert_studio_with_env(&args, &[("HF_TOKEN", token)]);
    assert!(ok, "{stderr}");
    let mut seen = vec![stdout, stderr];
    let mut folders = vec![output.clone()];
    let mut files = 0;
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let bytes = std::fs::read(path).unwrap();
            seen.push(String::from_utf8_lossy(&bytes).into_owned());
            files += 1;
        }
    }
    assert!(files >= 9, "the run wrote its folder and its checkpoint");
    assert!(
        seen[0].contains("\"event\":\"finished\""),
        "the run finished"
    );
    for text in &seen {
        assert!(
            !text.contains(token) && !text.contains("PlantedSecret"),
            "the token leaked"
        );
    }
}

/// Runs the CLI with files limited to `kib` KiB (`ulimit -f`): a write past it fails with
/// "File too large", as on a full disk. SIGXFSZ is ignored so that the write returns the error
/// instead of killing the process.
fn bert_studio_with_file_limit(kib: u64, args: &[&str]) -> (bool, String) {
    let script = format!("trap '' XFSZ; ulimit -f {kib}; exec \"$0\" \"$@\"");
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_bert-studio"))
        .args(args)
        .env("HF_HUB_OFFLINE", "1")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Names in a folder, sorted (hidden temporary files included).
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A write that fails half-way (the disk is full) leaves the previous file or folder as it
/// was, leaves no temporary file behind, and says which file could not be written.
#[test]
fn a_failed_write_keeps_the_previous_result_and_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixtures().join("tiny-bert");
    let sample = repo_root().join("data/sample/nace_fr.csv");

    // Predictions over an earlier output file.
    let output = dir.path().join("out.csv");
    std::fs::write(&output, "earlier results\n").unwrap();
    let (ok, stderr) = bert_studio_with_file_limit(
        1,
        &[
            "predict",
            "--model",
            model.to_str().unwrap(),
            "--input",
            fixtures().join("evaluate.csv").to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(
        stderr.contains("File too large") && stderr.contains("out.csv"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "earlier results\n"
    );
    assert_eq!(names_in(dir.path()), ["out.csv"]);

    // A trained model over an earlier model folder, and a checkpoint: the weights
    // (148 KiB) do not fit under 64 KiB.
    let earlier = dir.path().join("model");
    std::fs::create_dir(&earlier).unwrap();
    for file in ["config.json", "model.safetensors", "tokenizer.json"] {
        std::fs::copy(model.join(file), earlier.join(file)).unwrap();
    }
    let before = names_in(&earlier);
    for save_strategy in ["no", "epoch"] {
        let args = tiny_training(
            &sample,
            &earlier,
            &[
                "--epochs",
                "1",
                "--max-seq-len",
                "16",
                "--save-strategy",
                save_strategy,
            ],
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, stderr) = bert_studio_with_file_limit(64, &args);
        assert!(!ok, "{save_strategy}");
        assert!(
            stderr.contains("File too large") && stderr.contains("model.safetensors"),
            "{save_strategy}: {stderr}"
        );
        assert_eq!(names_in(&earlier), before, "{save_strategy}");
        assert!(
            std::fs::read(earlier.join("model.safetensors")).unwrap()
                == std::fs::read(model.join("model.safetensors")).unwrap()
        );
        assert_eq!(
            names_in(dir.path()),
            ["model", "out.csv"],
            "{save_strategy}"
        );
    }
}

/// `--device auto` on a machine without a display: the GPU survey prints nothing of the
/// drivers' own (the Vulkan loader's "XDG_RUNTIME_DIR is invalid or not set" came out
/// twice), and its finding is said once, in words.
#[test]
fn the_gpu_survey_is_silent_and_says_its_finding_once() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixtures().join("tiny-bert");
    let input = fixtures().join("evaluate.csv");
    let output = dir.path().join("out.csv");
    let out = cli()
        .args(["predict", "--model", model.to_str().unwrap()])
        .args(["--input", input.to_str().unwrap()])
        .args(["--output", output.to_str().unwrap(), "--device", "auto"])
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("XDG_RUNTIME_DIR"), "{stderr}");
    assert!(!stderr.to_lowercase().contains("error"), "{stderr}");
    assert_eq!(stderr.matches("automatic choice").count(), 1, "{stderr}");
}

#[test]
fn explain_shows_each_words_share_of_the_score() {
    let folder = fixtures().join("tiny-bert");
    let model = folder.to_str().unwrap();
    let text = "Culture de céréales (à l'exception du riz)";
    let (ok, stdout, stderr) = bert_studio(&[
        "explain", "--model", model, "--text", text, "--device", "cpu", "--json",
    ]);
    assert!(ok, "{stderr}");
    let e: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let words: Vec<&str> = e["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["word"].as_str().unwrap())
        .collect();
    assert_eq!(words, text.split(' ').collect::<Vec<_>>());
    let total: f64 = e["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["contribution"].as_f64().unwrap())
        .sum();
    let change = e["score"].as_f64().unwrap() - e["baseline_score"].as_f64().unwrap();
    assert!(
        (total - change).abs() <= 0.01 * change.abs(),
        "{total} against {change}"
    );

    let (ok, stdout, stderr) = bert_studio(&[
        "explain",
        "--model",
        model,
        "--text",
        text,
        "--device",
        "cpu",
        "--class",
        "Industrie",
        "--method",
        "occlusion",
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("Class Industrie\n"), "{stdout}");
    assert!(
        stdout.contains("Occlusion: how much the score drops"),
        "{stdout}"
    );
    assert!(stdout.contains("  céréales  "), "{stdout}");

    let (ok, _, stderr) = bert_studio(&[
        "explain", "--model", model, "--text", text, "--class", "Pêche",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("no class \"Pêche\". Its classes are: Agriculture, Industrie, Services."),
        "{stderr}"
    );
}
