//! The malformed-input corpus (tests/corpus): every bad file or model folder a user may hand
//! to BERT Studio gets a plain-words answer (or a documented recovery), never a panic.
//! `tests/corpus/expected.json` (written by `make_corpus.py`) says what each must produce.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use bert_studio_engine::backend::CpuBackend;
use bert_studio_engine::model::{LoadOptions, load_model_folder};
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{Recipe, TrainingRequest, check_data};
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// What the data step would show for a file (its summary in words, and the rows read and kept),
/// or the error message.
fn data_outcome(path: &Path, text: &str, label: &str) -> Result<(String, (usize, usize)), String> {
    let request = TrainingRequest {
        recipe: Recipe {
            text_column: text.into(),
            label_column: label.into(),
            validation_fraction: 0.25,
            ..Recipe::default()
        },
        train_csv: path.to_path_buf(),
        validation_csv: None,
        output_dir: PathBuf::new(),
        dialect: None,
        hub: HubSettings {
            offline: true,
            ..HubSettings::default()
        },
        always_checkpoint: false,
        resume_from: None,
        cluster: Default::default(),
    };
    match catch_unwind(AssertUnwindSafe(|| check_data(&request))) {
        Err(_) => panic!("{}: the engine panicked", path.display()),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(summary)) => Ok((
            format!(
                "{} {} classes: {} warnings: {}",
                summary.encoding,
                summary.delimiter,
                summary
                    .classes
                    .iter()
                    .map(|c| c.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                summary
                    .warnings
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            (
                summary.rows_read,
                summary.train_rows + summary.validation_rows,
            ),
        )),
    }
}

/// Builds a broken model folder from the tiny fixture.
fn broken_model(dir: &Path, how: &str) -> PathBuf {
    let folder = dir.join(how);
    std::fs::create_dir(&folder).unwrap();
    for entry in std::fs::read_dir(common::fixtures().join("tiny-bert")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
    }
    let config_path = folder.join("config.json");
    let edit_config = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut config: Value =
            serde_json::from_str(&std::fs::read_to_string(&config_path).unwrap()).unwrap();
        f(config.as_object_mut().unwrap());
        std::fs::write(&config_path, config.to_string()).unwrap();
    };
    match how {
        "missing_config" => std::fs::remove_file(&config_path).unwrap(),
        "truncated_safetensors" => {
            let weights = folder.join("model.safetensors");
            let bytes = std::fs::read(&weights).unwrap();
            std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
        }
        "mismatched_shapes" => edit_config(&|c| {
            c.insert("hidden_size".into(), 64.into());
        }),
        "tokenizer_larger_than_vocab" => edit_config(&|c| {
            c.insert("vocab_size".into(), 50.into());
        }),
        "gpt2_config" => edit_config(&|c| {
            c.insert("model_type".into(), "gpt2".into());
        }),
        "no_weights" => std::fs::remove_file(folder.join("model.safetensors")).unwrap(),
        "no_tokenizer" => std::fs::remove_file(folder.join("tokenizer.json")).unwrap(),
        "config_not_json" => std::fs::write(&config_path, "{ \"hidden_size\": 32,").unwrap(),
        // Weights as a pickle that runs a shell command when Python unpickles it.
        "malicious_pickle" => {
            std::fs::remove_file(folder.join("model.safetensors")).unwrap();
            std::fs::copy(
                corpus().join("files/malicious_pytorch_model.bin"),
                folder.join("pytorch_model.bin"),
            )
            .unwrap();
        }
        other => panic!("unknown model case {other}"),
    }
    folder
}

fn model_outcome(folder: &Path) -> Result<String, String> {
    let load = || {
        load_model_folder::<CpuBackend>(folder, &LoadOptions::default(), &Default::default())
            .map(|_| "loaded".to_string())
    };
    match catch_unwind(AssertUnwindSafe(load)) {
        Err(_) => panic!("{}: the engine panicked", folder.display()),
        Ok(r) => r.map_err(|e| e.to_string()),
    }
}

/// Messages are for people: no Rust debug formatting, no backtrace.
fn assert_plain_words(name: &str, message: &str) {
    for sign in [
        "panicked",
        "RUST_BACKTRACE",
        "Os {",
        "Error {",
        "kind: ",
        "\\n",
    ] {
        assert!(
            !message.contains(sign),
            "{name}: the message looks like a debug string ({sign}): {message}"
        );
    }
    assert!(message.len() < 2000, "{name}: the message is too long");
}

#[test]
fn every_bad_input_gets_its_plain_words_answer() {
    let dir = tempfile::tempdir().unwrap();
    // The large cases are made here rather than committed.
    let long_line = dir.path().join("long_line.csv");
    let mut text = String::from("text,label\n");
    for (t, l) in [
        ("Pêche en mer", "03"),
        ("Aquaculture", "03"),
        ("Culture de blé", "01"),
    ] {
        for _ in 0..3 {
            text.push_str(&format!("{t},{l}\n"));
        }
    }
    text.push_str(&format!(
        "\"{}\",01\n",
        "fabrication ".repeat(10 * 1024 * 1024 / 12)
    ));
    std::fs::write(&long_line, text).unwrap();
    let many_classes = dir.path().join("many_classes.csv");
    let mut text = String::from("text,label\n");
    for i in 0..50_000 {
        text.push_str(&format!("activité numéro {i},C{i}\n"));
    }
    std::fs::write(&many_classes, text).unwrap();

    let expected: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("expected.json")).unwrap())
            .unwrap();
    assert!(
        expected.len() >= 30,
        "the corpus has {} cases",
        expected.len()
    );
    // The malicious pickle's command would create this file.
    let pickle_ran = Path::new("/tmp/bert-studio-pickle-ran");
    let _ = std::fs::remove_file(pickle_ran);
    let mut failures = Vec::new();
    for case in &expected {
        let expect = case["expect"].as_str().unwrap();
        let wants_error = case["outcome"] == "error";
        let (name, outcome) = if let Some(model) = case["model"].as_str() {
            (
                format!("model {model}"),
                model_outcome(&broken_model(dir.path(), model)).map(|m| (m, (0, 0))),
            )
        } else {
            let file = case["file"].as_str().unwrap();
            let path = match file {
                "<folder>" => dir.path().to_path_buf(),
                "<missing>" => dir.path().join("no such file.csv"),
                "<10 MB single line>" => long_line.clone(),
                "<50,000 classes>" => many_classes.clone(),
                f => corpus().join("files").join(f),
            };
            let text = case["text_column"].as_str().unwrap();
            let label = case["label_column"].as_str().unwrap();
            (file.to_string(), data_outcome(&path, text, label))
        };
        match (&outcome, wants_error) {
            (Err(message), true) => {
                assert_plain_words(&name, message);
                if !message.contains(expect) {
                    failures.push(format!("{name}: expected \"{expect}\", got: {message}"));
                }
            }
            (Ok((summary, rows)), false) => {
                if !summary.contains(expect) {
                    failures.push(format!("{name}: expected \"{expect}\" in: {summary}"));
                }
                // The rows Python's csv module reads in the same file (make_corpus.py): all
                // of them, and those with a text and a label, which training keeps.
                if let Some(python) = case.get("rows") {
                    let want = (
                        python["read"].as_u64().unwrap() as usize,
                        python["kept"].as_u64().unwrap() as usize,
                    );
                    if *rows != want {
                        failures.push(format!(
                            "{name}: (rows read, rows kept) {rows:?}, Python's csv reads {want:?}"
                        ));
                    }
                }
            }
            (Err(message), false) => {
                failures.push(format!("{name}: should be read, got: {message}"))
            }
            (Ok((summary, _)), true) => {
                failures.push(format!("{name}: should be refused, got: {summary}"))
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        !pickle_ran.exists(),
        "reading pytorch_model.bin ran the code in its pickle"
    );
}
