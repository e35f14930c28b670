//! The training engine end to end on the tiny fixture (a few seconds; the quality and speed
//! runs are scripts, not tests; the Trainer's arithmetic is in trainer_reference.rs).

mod common;

use std::path::Path;

use bert_studio_engine::EngineError;
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{
    CancelToken, ClassWeights, Recipe, Strategy, TrainingEvent, TrainingRequest,
};
use common::training::*;
use common::*;
use serde_json::Value;

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn training_the_tiny_model_learns_and_saves_a_complete_folder() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let out = dir.path().join("model");
    let mut events = Vec::new();
    let report = train(
        &request(tiny_recipe(), csv, out.clone()),
        &mut |e| events.push(e),
        &CancelToken::new(),
    )
    .unwrap();

    assert!(
        matches!(events.first(), Some(TrainingEvent::Started { .. })),
        "{:?}",
        events.first()
    );
    assert!(matches!(
        events.last(),
        Some(TrainingEvent::Finished { .. })
    ));
    let evaluations: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, TrainingEvent::Evaluation { .. }))
        .collect();
    assert_eq!(evaluations.len(), 3);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, TrainingEvent::Step { .. }))
    );
    let epoch_losses: Vec<f64> = events
        .iter()
        .filter_map(|e| match e {
            TrainingEvent::EpochFinished { train_loss, .. } => Some(*train_loss),
            _ => None,
        })
        .collect();
    assert!(
        epoch_losses[2] < epoch_losses[0] * 0.9,
        "the loss did not go down: {epoch_losses:?}"
    );
    let metrics = report.final_metrics.as_ref().unwrap();
    assert!(
        metrics.accuracy > 0.5,
        "accuracy {} on 3 classes",
        metrics.accuracy
    );
    assert_eq!(report.plan.total_steps, report.plan.steps_per_epoch * 3);

    for name in [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "recipe.json",
        "training_report.json",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    let config = json(&out.join("config.json"));
    assert_eq!(
        config["id2label"],
        serde_json::json!({"0": "01", "1": "10", "2": "62"})
    );
    assert_eq!(
        Recipe::from_file(&out.join("recipe.json")).unwrap(),
        tiny_recipe()
    );
    let saved_report = json(&out.join("training_report.json"));
    assert_eq!(saved_report["data"]["classes"].as_array().unwrap().len(), 3);
    assert_eq!(saved_report["data"]["delimiter"], "semicolon");
    assert!(saved_report["history"].as_array().unwrap().len() >= 6);
}

#[test]
fn gradient_accumulation_equals_one_larger_batch() {
    // Without dropout, 2 micro-batches of 8 make the same optimizer step as 1 batch of 16.
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("no-dropout");
    std::fs::create_dir(&model).unwrap();
    for entry in std::fs::read_dir(fixtures().join("tiny-bert")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), model.join(entry.file_name())).unwrap();
    }
    let config = std::fs::read_to_string(model.join("config.json")).unwrap();
    std::fs::write(
        model.join("config.json"),
        config
            .replace(
                "\"attention_probs_dropout_prob\": 0.1",
                "\"attention_probs_dropout_prob\": 0.0",
            )
            .replace(
                "\"hidden_dropout_prob\": 0.1",
                "\"hidden_dropout_prob\": 0.0",
            ),
    )
    .unwrap();
    let csv = small_nace_csv(dir.path());
    let run = |batch: usize, accumulation: usize, name: &str| {
        let recipe = Recipe {
            model: model.display().to_string(),
            epochs: 1,
            train_batch_size: batch,
            gradient_accumulation_steps: accumulation,
            ..tiny_recipe()
        };
        let report = train(
            &request(recipe, csv.clone(), dir.path().join(name)),
            &mut |_| {},
            &CancelToken::new(),
        )
        .unwrap();
        report.final_metrics.unwrap()
    };
    let accumulated = run(8, 2, "a");
    let single = run(16, 1, "b");
    // The two differ only by float summation order. One optimizer step per micro-batch instead
    // moves the loss by far more.
    let stepwise = run(8, 1, "c");
    let gap = (accumulated.loss.unwrap() - single.loss.unwrap()).abs();
    let other = (stepwise.loss.unwrap() - single.loss.unwrap()).abs();
    assert!(gap < 1e-4, "{:?} vs {:?}", accumulated.loss, single.loss);
    assert!(
        other > 10.0 * gap.max(1e-4),
        "batch 8 without accumulation: {:?} vs {:?}",
        stepwise.loss,
        single.loss
    );
}

#[test]
fn cancelling_stops_within_a_step_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let out = dir.path().join("model");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("previous.txt"), "an earlier model").unwrap();
    let cancel = CancelToken::new();
    let mut steps_after_cancel = 0;
    let mut events = Vec::new();
    let result = train(
        &request(
            Recipe {
                logging_strategy: Strategy::Steps,
                logging_steps: 1,
                ..tiny_recipe()
            },
            csv,
            out.clone(),
        ),
        &mut |e| {
            if matches!(e, TrainingEvent::Log { .. }) {
                if cancel.is_cancelled() {
                    steps_after_cancel += 1;
                }
                cancel.cancel();
            }
            events.push(e);
        },
        &cancel,
    );
    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");
    assert_eq!(steps_after_cancel, 0);
    assert!(matches!(events.last(), Some(TrainingEvent::Cancelled)));
    assert_eq!(
        std::fs::read_to_string(out.join("previous.txt")).unwrap(),
        "an earlier model"
    );
    assert!(!out.join("model.safetensors").exists());
}

#[test]
fn bad_training_data_is_explained_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let one_class = dir.path().join("one.csv");
    std::fs::write(&one_class, "text,label\nbonjour,A\nsalut,A\n").unwrap();
    let err = train(
        &request(tiny_recipe(), one_class, dir.path().join("m")),
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("same label (\"A\")"), "{err}");

    let wrong_column = dir.path().join("cols.csv");
    std::fs::write(&wrong_column, "texte,categorie\nbonjour,A\nsalut,B\n").unwrap();
    let err = train(
        &request(tiny_recipe(), wrong_column, dir.path().join("m")),
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("\"Text column\" setting"), "{err}");
    assert!(!dir.path().join("m").exists());

    // A weights file is read before the first step: a weight that is not positive is refused.
    let two_classes = dir.path().join("two.csv");
    let rows: String = (0..20)
        .map(|i| format!("texte {i},{}\n", ["A", "B"][i % 2]))
        .collect();
    std::fs::write(&two_classes, format!("text,label\n{rows}")).unwrap();
    let weights = dir.path().join("weights.csv");
    std::fs::write(&weights, "label,weight\nB,-2\n").unwrap();
    let recipe = Recipe {
        class_weights: ClassWeights::File(weights.display().to_string()),
        ..tiny_recipe()
    };
    let err = train(
        &request(recipe, two_classes, dir.path().join("m")),
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("weight of \"B\" is \"-2\""),
        "{err}"
    );
    assert!(!dir.path().join("m").exists());
}

/// The app's runs: a checkpoint at every epoch end although the recipe saves none, so that a
/// stopped run can go on; the run resumed after a stop ends with the same weights as one never
/// stopped, and the checkpoints, written only for resuming, are gone once it finishes. The run
/// weighs one class more from a file, which is gone by the resume: the weights are the run's.
#[test]
fn app_runs_resume_after_a_stop_and_leave_no_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let weights = dir.path().join("weights.csv");
    std::fs::write(&weights, "label,weight\n10,3\n").unwrap();
    let recipe = Recipe {
        class_weights: ClassWeights::File(weights.display().to_string()),
        ..tiny_recipe()
    };
    let app_request = |out: &Path| TrainingRequest {
        always_checkpoint: true,
        ..request(recipe.clone(), csv.clone(), out.to_path_buf())
    };
    let whole = dir.path().join("whole");
    train(&app_request(&whole), &mut |_| {}, &CancelToken::new()).unwrap();
    assert!(!whole.join("checkpoints").exists());

    let stopped = dir.path().join("stopped");
    stop_after_first_checkpoint(&app_request(&stopped));
    let unfinished = bert_studio_engine::train::unfinished_run(&stopped)
        .unwrap()
        .expect("the stopped run can be resumed");
    assert_eq!((unfinished.epochs_done, unfinished.epochs), (1, 3));

    std::fs::remove_file(&weights).unwrap();
    let resume = TrainingRequest::resume(&stopped, HubSettings::default()).unwrap();
    assert!(resume.always_checkpoint && resume.resume_from.is_some());
    let mut events = Vec::new();
    let report = train(&resume, &mut |e| events.push(e), &CancelToken::new()).unwrap();
    assert!(matches!(
        events[1],
        TrainingEvent::Resumed { epochs_done: 1, .. }
    ));
    assert_eq!(
        report.final_metrics,
        json_report(&whole).final_metrics,
        "same metrics as the run never stopped"
    );
    assert!(
        std::fs::read(whole.join("model.safetensors")).unwrap()
            == std::fs::read(stopped.join("model.safetensors")).unwrap()
    );
    assert!(!stopped.join("checkpoints").exists());
    assert!(
        report
            .history
            .iter()
            .all(|e| !matches!(e, TrainingEvent::CheckpointSaved { .. })),
        "the report names no removed checkpoint"
    );
}

/// A loss that turns NaN stops the run with advice and keeps the last good checkpoint, from
/// which the run can still be resumed. The divergence is brought about by poisoning the
/// optimizer state that the next update reads (NaN moments for the classifier weights).
#[test]
fn a_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint() {
    use bert_studio_engine::train::checkpoint::{
        OPTIMIZER_FILE, checkpoint_folder, read_optimizer, write_optimizer,
    };
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let out = dir.path().join("run");
    let cancel = CancelToken::new();
    let stop_after_checkpoint = |e: TrainingEvent| {
        if matches!(e, TrainingEvent::CheckpointSaved { .. }) {
            cancel.cancel();
        }
    };
    let request = TrainingRequest {
        always_checkpoint: true,
        ..request(tiny_recipe(), csv, out.clone())
    };
    let mut sink = stop_after_checkpoint;
    assert!(matches!(
        train(&request, &mut sink, &cancel),
        Err(EngineError::Cancelled)
    ));

    let checkpoint = checkpoint_folder(&out, 1);
    let optimizer = checkpoint.join(OPTIMIZER_FILE);
    let (mut moments, steps) = read_optimizer(&optimizer).unwrap();
    let classifier = moments
        .iter_mut()
        .find(|(name, _, _)| name == "classifier.weight")
        .expect("the classifier has moments");
    classifier.1.fill(f32::NAN);
    write_optimizer(&optimizer, moments, steps).unwrap();
    let kept = std::fs::read(&optimizer).unwrap();

    let resume = TrainingRequest::resume(&out, HubSettings::default()).unwrap();
    let mut events = Vec::new();
    let error = train(&resume, &mut |e| events.push(e), &CancelToken::new())
        .unwrap_err()
        .to_string();
    assert!(error.contains("The training loss became NaN"), "{error}");
    assert!(error.contains("Try a lower one, e.g. 4e-4"), "{error}");
    assert!(
        error.contains(&format!(
            "The last good checkpoint (after epoch 1) is kept in \"{}\"",
            checkpoint.display()
        )),
        "{error}"
    );
    assert!(matches!(events.last(), Some(TrainingEvent::Failed { .. })));
    assert_eq!(std::fs::read(&optimizer).unwrap(), kept);
    let unfinished = bert_studio_engine::train::unfinished_run(&out)
        .unwrap()
        .expect("still resumable");
    assert_eq!(unfinished.epochs_done, 1);
}

/// Two runs are compared "on the same data" when their validation rows are the same, whatever
/// the file's path: a validation file edited between two runs makes the comparison say so.
#[test]
fn a_comparison_knows_a_validation_file_changed_between_runs() {
    use bert_studio_engine::compare::{CompareInput, compare};
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let lines: Vec<String> = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let validation = dir.path().join("validation.csv");
    std::fs::write(&validation, lines[..31].join("\n")).unwrap();
    let run = |name: &str| {
        let mut r = request(
            Recipe {
                epochs: 1,
                ..tiny_recipe()
            },
            csv.clone(),
            dir.path().join(name),
        );
        r.validation_csv = Some(validation.clone());
        let report = train(&r, &mut |_| {}, &CancelToken::new()).unwrap();
        CompareInput::from_training(name, name, &report)
    };
    let (first, second) = (run("first"), run("second"));
    // The same path, the same number of rows, one label changed.
    let mut edited = lines[..31].to_vec();
    let (text, label) = edited[5].rsplit_once(';').unwrap();
    let other = if label == "10" { "62" } else { "10" };
    edited[5] = format!("{text};{other}");
    std::fs::write(&validation, edited.join("\n")).unwrap();
    let third = run("third");

    assert!(compare(&[first.clone(), second]).same_data);
    let changed = compare(&[first, third]);
    assert!(!changed.same_data);
    assert!(
        changed.data_note.text.contains("not directly comparable"),
        "{}",
        changed.data_note
    );
}

/// Every architecture trains through the same loop and is saved as itself: its own
/// `model_type`, `…ForSequenceClassification` class and tensor names, loadable again.
#[test]
fn every_architecture_trains_and_saves_as_itself() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    for name in FAMILY_FIXTURES {
        let out = dir.path().join(name);
        let recipe = Recipe {
            model: family_fixture(name).display().to_string(),
            max_seq_len: 24,
            ..tiny_recipe()
        };
        let mut losses = Vec::new();
        train(
            &request(recipe, csv.clone(), out.clone()),
            &mut |e| {
                if let TrainingEvent::EpochFinished { train_loss, .. } = e {
                    losses.push(train_loss);
                }
            },
            &CancelToken::new(),
        )
        .unwrap();
        assert!(
            losses[2] < losses[0] * 0.9,
            "{name}: the loss did not go down: {losses:?}"
        );
        let saved = json(&out.join("config.json"));
        let original = json(&family_fixture(name).join("config.json"));
        assert_eq!(saved["model_type"], original["model_type"], "{name}");
        assert_eq!(saved["architectures"], original["architectures"], "{name}");
        let tensors = |folder: &Path| {
            let bytes = std::fs::read(folder.join("model.safetensors")).unwrap();
            let mut names: Vec<String> = safetensors::SafeTensors::deserialize(&bytes)
                .unwrap()
                .names()
                .into_iter()
                .map(String::from)
                .collect();
            names.sort();
            names
        };
        assert_eq!(tensors(&out), tensors(&family_fixture(name)), "{name}");
    }
}

/// The official names of the three divisions of `small_nace_csv`, read straight from the
/// sample's names file.
fn sample_division_names() -> Vec<(String, String)> {
    let mut reader =
        csv::Reader::from_path(repo_root().join("data/sample/nace_names_fr.csv")).unwrap();
    reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| ["01", "10", "62"].contains(&&r[0]))
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect()
}

#[test]
fn label_names_are_kept_beside_the_codes_and_become_the_labels_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let names = sample_division_names();
    assert_eq!(names.len(), 3);
    let one_epoch = Recipe {
        epochs: 1,
        ..tiny_recipe()
    };

    // A names column, one label left without a name: the codes stay the model's labels.
    let csv = small_nace_csv(dir.path());
    let with_column = dir.path().join("with_names.csv");
    let mut text = String::from("text;label;division\n");
    for line in std::fs::read_to_string(&csv).unwrap().lines().skip(1) {
        let (_, code) = line.rsplit_once(';').unwrap();
        let name = names.iter().find(|(c, _)| c == code).unwrap();
        let name = if code == "62" { "" } else { name.1.as_str() };
        text.push_str(&format!("{line};\"{name}\"\n"));
    }
    std::fs::write(&with_column, text).unwrap();
    let out = dir.path().join("by_column");
    let report = train(
        &request(
            Recipe {
                label_names_column: Some("division".into()),
                ..one_epoch.clone()
            },
            with_column,
            out.clone(),
        ),
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap();
    let expected: std::collections::BTreeMap<String, String> = names[..2].iter().cloned().collect();
    assert_eq!(report.data.label_names, expected);
    assert!(
        report
            .data
            .warnings
            .iter()
            .any(|w| w.id == "data.unnamed_labels" && w.params["labels"] == "62"),
        "{:?}",
        report.data.warnings
    );
    let kept: std::collections::BTreeMap<String, String> =
        serde_json::from_value(json(&out.join("label_names.json"))).unwrap();
    assert_eq!(kept, expected);
    assert_eq!(json(&out.join("config.json"))["id2label"]["0"], "01");

    // The sample's names file, asked to be the labels: config.json's id2label holds the names.
    let out = dir.path().join("names_as_labels");
    train(
        &request(
            Recipe {
                label_names_file: Some(
                    repo_root()
                        .join("data/sample/nace_names_fr.csv")
                        .display()
                        .to_string(),
                ),
                label_names_as_labels: true,
                ..one_epoch
            },
            csv,
            out.clone(),
        ),
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap();
    let config = json(&out.join("config.json"));
    for (id, (_, name)) in names.iter().enumerate() {
        assert_eq!(config["id2label"][id.to_string()], name.as_str());
        assert_eq!(config["label2id"][name], id);
    }
}
