//! Loading and saving Hugging Face model folders: round trips, transformers compatibility,
//! and a plain-words error for every kind of broken folder.

mod common;

use std::path::{Path, PathBuf};

use bert_studio_engine::EngineError;
use bert_studio_engine::backend::{CpuBackend, CpuDevice};
use bert_studio_engine::inference::forward_texts;
use bert_studio_engine::model::{
    LoadError, LoadOptions, LoadedModel, load_model_folder, save_model_folder,
};
use common::*;

type B = CpuBackend;

fn load(folder: &Path, options: &LoadOptions) -> Result<LoadedModel<B>, EngineError> {
    load_model_folder::<B>(folder, options, &CpuDevice::default())
}

fn reference_texts() -> Vec<String> {
    read_reference(&fixtures().join("reference.json")).texts
}

/// A writable copy of the tiny fixture.
fn tiny_copy(dir: &Path) -> PathBuf {
    let dest = dir.join("tiny");
    std::fs::create_dir_all(&dest).unwrap();
    for entry in std::fs::read_dir(fixtures().join("tiny-bert")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dest.join(entry.file_name())).unwrap();
    }
    dest
}

/// Rewrites `model.safetensors` of `folder` through `edit` (name → (shape, f32 values)).
fn edit_weights(folder: &Path, edit: impl FnOnce(&mut Vec<(String, Vec<usize>, Vec<f32>)>)) {
    let path = folder.join("model.safetensors");
    let mut tensors = f32_tensors(&path);
    edit(&mut tensors);
    let raw: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .into_iter()
        .map(|(n, s, v)| (n, s, v.iter().flat_map(|x| x.to_le_bytes()).collect()))
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView)> = raw
        .iter()
        .map(|(n, s, b)| {
            (
                n.clone(),
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, s.clone(), b)
                    .unwrap(),
            )
        })
        .collect();
    safetensors::serialize_to_file(views, None, &path).unwrap();
}

/// Edits the folder's config.json by plain text replacement.
fn replace_in_config(folder: &Path, from: &str, to: &str) {
    let path = folder.join("config.json");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "config.json has no {from}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

fn load_error(folder: &Path) -> (LoadError, String) {
    match load(folder, &LoadOptions::default()) {
        Err(EngineError::Load { source }) => {
            let message = source.to_string();
            (source, message)
        }
        Err(other) => panic!("expected a LoadError, got {other:?}"),
        Ok(_) => panic!("a broken folder loaded"),
    }
}

fn logits(loaded: &LoadedModel<B>, texts: &[String], max_len: usize) -> Vec<Vec<f32>> {
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    forward_texts(loaded, &texts, max_len, 4, &CpuDevice::default())
        .unwrap()
        .logits
}

#[test]
fn save_then_load_gives_bit_identical_logits() {
    let dir = tempfile::tempdir().unwrap();
    let texts = reference_texts();
    let original = load(&fixtures().join("tiny-bert"), &LoadOptions::default()).unwrap();
    let saved = dir.path().join("saved");
    save_model_folder(
        &saved,
        &original.model,
        &original.config,
        &original.tokenizer,
    )
    .unwrap();
    let reloaded = load(&saved, &LoadOptions::default()).unwrap();
    assert_eq!(logits(&original, &texts, 24), logits(&reloaded, &texts, 24));
    assert_eq!(reloaded.config, original.config);
    // Keys we do not use are written back.
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(saved.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["transformers_version"], "5.24.0");
    assert_eq!(config["architectures"][0], "BertForSequenceClassification");
}

/// A folder saved by the engine — here with a new, seeded 2-class head — loads unchanged in
/// transformers (`from_pretrained` and `pipeline`) and gives the engine's logits.
#[test]
fn saved_folder_loads_in_transformers_with_the_same_logits() {
    let dir = tempfile::tempdir().unwrap();
    let labels = vec!["Négatif".to_string(), "Positif".to_string()];
    let options = LoadOptions {
        labels: Some(labels.clone()),
        seed: Some(7),
    };
    let loaded = load(&fixtures().join("tiny-bert-pytorch"), &options).unwrap();
    assert!(loaded.report.new_classifier, "{:?}", loaded.report);
    let saved = dir.path().join("exported");
    save_model_folder(&saved, &loaded.model, &loaded.config, &loaded.tokenizer).unwrap();

    let texts = reference_texts();
    let texts_file = dir.path().join("texts.json");
    std::fs::write(&texts_file, serde_json::to_string(&texts).unwrap()).unwrap();
    let answer = transformers_outputs(&saved, &texts_file, 24);
    assert_eq!(answer["architectures"][0], "BertForSequenceClassification");
    assert_eq!(answer["id2label"]["0"], "Négatif");
    assert_eq!(answer["id2label"]["1"], "Positif");
    let theirs: Vec<Vec<f32>> = serde_json::from_value(answer["logits"].clone()).unwrap();
    let ours = logits(&loaded, &texts, 24);
    assert_close(&ours, &theirs, 1e-4, "logits of the engine-saved folder");
    // The pipeline's top label is the engine's argmax.
    for (row, prediction) in ours.iter().zip(answer["pipeline"].as_array().unwrap()) {
        let argmax = if row[0] >= row[1] { 0 } else { 1 };
        assert_eq!(prediction["label"], labels[argmax].as_str());
    }
}

/// Each other architecture, saved by the engine with a new seeded head, loads in transformers
/// as its own `…ForSequenceClassification` with the engine's logits and the pipeline gives the
/// engine's probabilities.
#[test]
fn every_family_saved_by_the_engine_loads_in_transformers_with_the_same_probabilities() {
    let dir = tempfile::tempdir().unwrap();
    let labels: Vec<String> = ["Négatif", "Neutre", "Positif"].map(String::from).to_vec();
    let texts = reference_texts();
    let texts_file = dir.path().join("texts.json");
    std::fs::write(&texts_file, serde_json::to_string(&texts).unwrap()).unwrap();
    for name in FAMILY_FIXTURES {
        let options = LoadOptions {
            labels: Some(labels.clone()),
            seed: Some(11),
        };
        let loaded = load(&family_fixture(name), &options).unwrap();
        assert!(loaded.report.new_classifier, "{name}: {:?}", loaded.report);
        let saved = dir.path().join(name);
        save_model_folder(&saved, &loaded.model, &loaded.config, &loaded.tokenizer).unwrap();

        let answer = transformers_outputs(&saved, &texts_file, 24);
        assert_eq!(
            answer["architectures"][0],
            loaded.config.architecture.classifier_class(),
            "{name}"
        );
        let theirs: Vec<Vec<f32>> = serde_json::from_value(answer["logits"].clone()).unwrap();
        let ours = logits(&loaded, &texts, 24);
        assert_close(
            &ours,
            &theirs,
            1e-4,
            &format!("{name}: logits of the saved folder"),
        );
        for (row, prediction) in ours.iter().zip(answer["pipeline"].as_array().unwrap()) {
            let top = row.iter().copied().fold(f32::MIN, f32::max);
            let total: f32 = row.iter().map(|v| (v - top).exp()).sum();
            let argmax = row.iter().position(|v| *v == top).unwrap();
            assert_eq!(prediction["label"], labels[argmax].as_str(), "{name}");
            let score = prediction["score"].as_f64().unwrap() as f32;
            assert!(
                (score - 1.0 / total).abs() < 1e-4,
                "{name}: pipeline score {score} vs {}",
                1.0 / total
            );
        }
    }
}

#[test]
fn a_sentencepiece_folder_without_tokenizer_json_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("xlmr");
    std::fs::create_dir_all(&folder).unwrap();
    for file in ["config.json", "model.safetensors", "tokenizer_config.json"] {
        std::fs::copy(
            family_fixture("tiny-xlm-roberta").join(file),
            folder.join(file),
        )
        .unwrap();
    }
    std::fs::write(
        folder.join("sentencepiece.bpe.model"),
        b"a sentencepiece model",
    )
    .unwrap();
    let message = match load(&folder, &LoadOptions::default()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a folder without tokenizer.json loaded"),
    };
    for words in [
        "sentencepiece.bpe.model",
        "no tokenizer.json",
        "save_pretrained",
    ] {
        assert!(message.contains(words), "{message}");
    }
}

#[test]
fn a_checkpoint_without_classifier_gets_a_fresh_head_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tiny_copy(dir.path());
    edit_weights(&folder, |t| {
        t.retain(|(n, _, _)| !n.starts_with("classifier."));
        // A pre-training head that a classifier has no use for.
        t.push(("cls.predictions.bias".into(), vec![400], vec![0.5; 400]));
    });
    let loaded = load(
        &folder,
        &LoadOptions {
            labels: None,
            seed: Some(3),
        },
    )
    .unwrap();
    assert!(loaded.report.new_classifier);
    assert_eq!(
        loaded.report.initialized,
        vec!["classifier.weight", "classifier.bias"]
    );
    assert_eq!(loaded.report.unexpected, vec!["cls.predictions.bias"]);
    // normal(0, initializer_range = 0.2) weights, zero bias, as transformers initialises.
    let w: Vec<f32> = loaded
        .model
        .head
        .out
        .weight
        .val()
        .into_data()
        .into_vec()
        .unwrap();
    let std = (w.iter().map(|x| x * x).sum::<f32>() / w.len() as f32).sqrt();
    assert!((0.12..0.28).contains(&std), "std {std}");
    let b: Vec<f32> = loaded
        .model
        .head
        .out
        .bias
        .as_ref()
        .unwrap()
        .val()
        .into_data()
        .into_vec()
        .unwrap();
    assert!(b.iter().all(|x| *x == 0.0));
    // The same seed gives the same head.
    let again = load(
        &folder,
        &LoadOptions {
            labels: None,
            seed: Some(3),
        },
    )
    .unwrap();
    let w2: Vec<f32> = again
        .model
        .head
        .out
        .weight
        .val()
        .into_data()
        .into_vec()
        .unwrap();
    assert_eq!(w, w2);
}

/// Base-model files (`BertModel`) have no `bert.` prefix and old TensorFlow-converted ones
/// name LayerNorm parameters `gamma`/`beta`; transformers renames both when it loads, and so
/// does the engine: the tiny model saved that way still gives transformers' logits.
#[test]
fn old_style_tensor_names_load_as_transformers_loads_them() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tiny_copy(dir.path());
    edit_weights(&folder, |tensors| {
        for (name, _, _) in tensors.iter_mut() {
            *name = name
                .strip_prefix("bert.")
                .unwrap_or(name)
                .replace("LayerNorm.weight", "LayerNorm.gamma")
                .replace("LayerNorm.bias", "LayerNorm.beta");
        }
    });
    let loaded = load(&folder, &LoadOptions::default()).unwrap();
    assert!(
        loaded.report.initialized.is_empty() && loaded.report.unexpected.is_empty(),
        "{:?}",
        loaded.report
    );
    let reference = read_reference(&fixtures().join("reference.json"));
    let expected: Vec<Vec<f32>> = reference
        .per_text
        .iter()
        .map(|t| t.logits.clone())
        .collect();
    let got = logits(&loaded, &reference.texts, reference.max_seq_len);
    assert_close(&got, &expected, 1e-4, "logits of the renamed tensors");
}

#[test]
fn a_missing_config_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tiny_copy(dir.path());
    std::fs::remove_file(folder.join("config.json")).unwrap();
    let (err, message) = load_error(&folder);
    assert!(matches!(err, LoadError::MissingFile { .. }), "{err:?}");
    assert!(message.contains("config.json"), "{message}");
}

#[test]
fn a_truncated_safetensors_file_is_reported_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tiny_copy(dir.path());
    let path = folder.join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let (err, message) = load_error(&folder);
    assert!(matches!(err, LoadError::CorruptWeights { .. }), "{err:?}");
    assert!(message.contains("cut off"), "{message}");
    assert!(message.contains("model.safetensors"), "{message}");

    std::fs::write(&path, b"this is not a safetensors file at all").unwrap();
    let (err, _) = load_error(&folder);
    assert!(matches!(err, LoadError::CorruptWeights { .. }), "{err:?}");
}

#[test]
fn a_corrupt_pytorch_file_is_reported_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("pt");
    std::fs::create_dir(&folder).unwrap();
    for name in [
        "config.json",
        "vocab.txt",
        "tokenizer_config.json",
        "pytorch_model.bin",
    ] {
        std::fs::copy(
            fixtures().join("tiny-bert-pytorch").join(name),
            folder.join(name),
        )
        .unwrap();
    }
    let path = folder.join("pytorch_model.bin");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    let (err, message) = load_error(&folder);
    assert!(matches!(err, LoadError::CorruptWeights { .. }), "{err:?}");
    assert!(message.contains("pytorch_model.bin"), "{message}");
}

#[test]
fn a_shape_mismatch_names_the_tensor_and_both_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tiny_copy(dir.path());
    replace_in_config(
        &folder,
        "\"intermediate_size\": 64",
        "\"intermediate_size\": 48",
    );
    let (err, message) = load_error(&folder);
    assert_eq!(
        err,
        LoadError::ShapeMismatch {
            path: folder.join("model.safetensors").display().to_string(),
            name: "bert.encoder.layer.0.intermediate.dense.weight".into(),
            expected: vec![48, 32],
            found: vec![64, 32],
        }
    );
    assert!(
        message.contains("[48, 32]") && message.contains("[64, 32]"),
        "{message}"
    );
}

#[test]
fn missing_encoder_tensors_are_listed_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tiny_copy(dir.path());
    edit_weights(&folder, |t| {
        t.retain(|(n, _, _)| !n.contains("layer.1.attention.self.key"))
    });
    let (err, message) = load_error(&folder);
    match err {
        LoadError::MissingTensors { names, .. } => assert_eq!(
            names,
            vec![
                "bert.encoder.layer.1.attention.self.key.weight",
                "bert.encoder.layer.1.attention.self.key.bias"
            ]
        ),
        other => panic!("{other:?}"),
    }
    assert!(message.contains("2 tensor(s)"), "{message}");
}

#[test]
fn a_tokenizer_larger_than_the_vocabulary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tiny_copy(dir.path());
    replace_in_config(&folder, "\"vocab_size\": 400", "\"vocab_size\": 300");
    let (_, message) = load_error(&folder);
    assert!(message.contains("tokenizer"), "{message}");
}

#[test]
fn other_architectures_and_non_folders_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let folder = tiny_copy(dir.path());
    // Never read as BERT: a type the engine does not know is refused with the list it knows.
    for model_type in ["deberta-v2", "modernbert", "flaubert", "gpt2"] {
        let original = std::fs::read_to_string(folder.join("config.json")).unwrap();
        replace_in_config(
            &folder,
            "\"model_type\": \"bert\"",
            &format!("\"model_type\": \"{model_type}\""),
        );
        let (err, message) = load_error(&folder);
        assert!(
            matches!(err, LoadError::UnsupportedArchitecture { .. }),
            "{err:?}"
        );
        assert!(message.contains(&format!("\"{model_type}\"")), "{message}");
        for supported in [
            "bert",
            "roberta",
            "camembert",
            "xlm-roberta",
            "distilbert",
            "electra",
        ] {
            assert!(message.contains(supported), "{message}");
        }
        std::fs::write(folder.join("config.json"), original).unwrap();
    }

    let (err, _) = load_error(&folder.join("config.json"));
    assert!(matches!(err, LoadError::NotAFolder { .. }), "{err:?}");
}

#[test]
fn a_failed_save_keeps_the_previous_model() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = load(&fixtures().join("tiny-bert"), &LoadOptions::default()).unwrap();
    let dest = dir.path().join("model");
    save_model_folder(&dest, &loaded.model, &loaded.config, &loaded.tokenizer).unwrap();
    let before = std::fs::read(dest.join("model.safetensors")).unwrap();

    // A read-only parent: the temporary folder cannot even be created.
    let mut perms = std::fs::metadata(dir.path()).unwrap().permissions();
    use std::os::unix::fs::PermissionsExt;
    perms.set_mode(0o555);
    std::fs::set_permissions(dir.path(), perms.clone()).unwrap();
    let result = save_model_folder(&dest, &loaded.model, &loaded.config, &loaded.tokenizer);
    perms.set_mode(0o755);
    std::fs::set_permissions(dir.path(), perms).unwrap();

    // Root may write anyway; only check the error where the OS refused.
    if let Err(err) = result {
        assert!(
            err.to_string().contains(&dir.path().display().to_string()),
            "{err}"
        );
    }
    assert_eq!(
        std::fs::read(dest.join("model.safetensors")).unwrap(),
        before
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("model")]);
}
