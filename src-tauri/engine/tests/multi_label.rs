//! Multi-label training end to end on real texts: NACE descriptions of the bundled sample, some
//! rows alone (one code) and some joined in pairs (both codes, "10|62"), as activity texts
//! that fit several codes are. The run trains with binary cross-entropy, keeps every label on
//! both sides of the split, writes a folder transformers loads as multi-label (its pipeline
//! scores with the sigmoid), resumes to the same weights, and predicts and evaluates with the
//! model's own threshold.

mod common;

use std::path::{Path, PathBuf};

use bert_studio_engine::inference::{
    Classifier, ClassifierOptions, EvaluateRequest, PredictRequest, evaluate_csv, predict_csv,
};
use bert_studio_engine::metrics::{binary_cross_entropy, multi_label_metrics, sigmoid};
use bert_studio_engine::model::set_decision_threshold;
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{
    CancelToken, DeviceChoice, Recipe, TrainingEvent, TrainingRequest,
};
use common::training::*;
use common::*;

const DIVISIONS: [&str; 4] = ["01", "10", "47", "62"];
/// Below the usual 0.5: the recipe's threshold is saved with the model and used by it.
const THRESHOLD: f64 = 0.3;

/// `(text, labels)` rows: every row of the four divisions alone, then 60 pairs of rows of two
/// different divisions joined.
fn nace_rows() -> Vec<(String, Vec<&'static str>)> {
    let text = std::fs::read_to_string(repo_root().join("data/sample/nace_fr.csv")).unwrap();
    let mut by_division: Vec<Vec<String>> = vec![Vec::new(); DIVISIONS.len()];
    for line in text.lines().skip(1) {
        let (body, label) = line.rsplit_once(',').unwrap();
        if let Some(d) = DIVISIONS.iter().position(|x| *x == label) {
            by_division[d].push(body.trim_matches('"').replace(';', ","));
        }
    }
    let mut rows: Vec<(String, Vec<&str>)> = Vec::new();
    for (d, texts) in by_division.iter().enumerate() {
        rows.extend(texts.iter().map(|t| (t.clone(), vec![DIVISIONS[d]])));
    }
    for k in 0..60 {
        let (a, b) = (k % 4, (k / 4 + 1 + k % 4) % 4);
        if a == b {
            continue;
        }
        let (ta, tb) = (
            &by_division[a][k % by_division[a].len()],
            &by_division[b][(k + 1) % by_division[b].len()],
        );
        rows.push((
            format!("{ta}. {tb}"),
            vec![DIVISIONS[a.min(b)], DIVISIONS[a.max(b)]],
        ));
    }
    rows
}

/// Each row's labels as indices into `DIVISIONS` (the model's label order).
fn label_indices(rows: &[(String, Vec<&str>)]) -> Vec<Vec<usize>> {
    rows.iter()
        .map(|(_, ls)| {
            ls.iter()
                .map(|l| DIVISIONS.iter().position(|d| d == l).unwrap())
                .collect()
        })
        .collect()
}

fn write_csv(path: &Path, rows: &[(String, Vec<&str>)]) {
    let mut out = String::from("text;label\n");
    for (text, labels) in rows {
        out.push_str(&format!("{text};{}\n", labels.join("|")));
    }
    std::fs::write(path, out).unwrap();
}

fn recipe() -> Recipe {
    Recipe {
        label_separator: Some("|".into()),
        decision_threshold: THRESHOLD,
        epochs: 2,
        ..tiny_recipe()
    }
}

#[test]
fn a_multi_label_run_trains_saves_resumes_predicts_and_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let rows = nace_rows();
    let csv = dir.path().join("train.csv");
    write_csv(&csv, &rows);
    let app_request = |out: PathBuf| TrainingRequest {
        always_checkpoint: true,
        ..request(recipe(), csv.clone(), out)
    };

    // Trained: every label on both sides, multi-label evaluations with a falling loss.
    let whole = dir.path().join("whole");
    let mut events = Vec::new();
    let report = train(
        &app_request(whole.clone()),
        &mut |e| events.push(e),
        &CancelToken::new(),
    )
    .unwrap();
    assert!(report.data.multi_label);
    let labels: Vec<&str> = report
        .data
        .classes
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(labels, DIVISIONS);
    for class in &report.data.classes {
        assert!(class.train > 0 && class.validation > 0, "{class:?}");
    }
    let losses: Vec<f64> = events
        .iter()
        .filter_map(|e| match e {
            TrainingEvent::Evaluation { metrics, .. } => {
                assert_eq!(metrics.multi_label.as_ref().unwrap().threshold, THRESHOLD);
                metrics.loss
            }
            _ => None,
        })
        .collect();
    assert_eq!(losses.len(), 2);
    assert!(losses[1] < losses[0], "{losses:?}");

    // The folder is multi-label for transformers too.
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(whole.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["problem_type"], "multi_label_classification");
    assert_eq!(config["decision_threshold"], THRESHOLD);

    // Resumed after its first epoch: the same weights.
    let stopped = dir.path().join("stopped");
    stop_after_first_checkpoint(&app_request(stopped.clone()));
    let resume = TrainingRequest::resume(&stopped, HubSettings::default()).unwrap();
    train(&resume, &mut |_| {}, &CancelToken::new()).unwrap();
    let weights = |path: &Path| std::fs::read(path.join("model.safetensors")).unwrap();
    assert!(
        weights(&whole) == weights(&stopped),
        "a resumed run trains the same model"
    );

    // Predictions: every label's score is transformers' sigmoid of its logits; its pipeline
    // (which applies the sigmoid for this problem type) gives the same best score.
    let test_rows: Vec<(String, Vec<&str>)> = rows.iter().step_by(7).cloned().collect();
    let texts_file = dir.path().join("texts.json");
    let texts: Vec<&str> = test_rows.iter().map(|(t, _)| t.as_str()).collect();
    std::fs::write(&texts_file, serde_json::to_string(&texts).unwrap()).unwrap();
    let reference = transformers_outputs(&whole, &texts_file, 32);
    let ref_logits: Vec<Vec<f32>> = serde_json::from_value(reference["logits"].clone()).unwrap();
    let input = dir.path().join("test.csv");
    write_csv(&input, &test_rows);
    let options = ClassifierOptions {
        device: DeviceChoice::Cpu,
        max_len: Some(32),
        ..Default::default()
    };
    let output = dir.path().join("predicted.csv");
    let folder = whole.display().to_string();
    predict_csv(
        &folder,
        &options,
        &PredictRequest::new(&input, &output),
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap();
    let written = std::fs::read_to_string(&output).unwrap();
    let mut lines = written.lines();
    assert_eq!(
        lines.next().unwrap(),
        "text;label;predicted_labels;score_01;score_10;score_47;score_62"
    );
    let mut predicted_any = 0;
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.rsplitn(6, ';').collect();
        let scores: Vec<f32> = fields[..4]
            .iter()
            .rev()
            .map(|s| s.parse().unwrap())
            .collect();
        let mut want_labels = Vec::new();
        for (l, score) in scores.iter().enumerate() {
            let want = sigmoid(ref_logits[i][l]);
            assert!(
                (score - want).abs() <= 2e-6,
                "row {i} label {l}: {score} vs {want}"
            );
            if f64::from(want) >= THRESHOLD {
                want_labels.push(DIVISIONS[l]);
            }
        }
        assert_eq!(fields[4], want_labels.join("|"), "row {i}");
        predicted_any += usize::from(!want_labels.is_empty());
        let best = scores.iter().copied().fold(f32::MIN, f32::max);
        let pipeline = reference["pipeline"][i]["score"].as_f64().unwrap();
        assert!(
            (f64::from(best) - pipeline).abs() <= 1e-4,
            "row {i}: {best} vs {pipeline}"
        );
    }
    assert!(predicted_any > 0, "the model predicts some labels");

    // Evaluation: the metrics of transformers' logits against the rows' labels.
    let evaluation = evaluate_csv(
        &folder,
        &options,
        &EvaluateRequest {
            text_column: Some("text".into()),
            ..EvaluateRequest::new(&input)
        },
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap();
    let truth = label_indices(&test_rows);
    let names: Vec<String> = DIVISIONS.iter().map(|d| d.to_string()).collect();
    let want = multi_label_metrics(&truth, &ref_logits.concat(), &names, THRESHOLD, None);
    let got = &evaluation.metrics;
    // The loss is the mean binary cross-entropy of the logits, as the training's validation.
    let want_loss = truth
        .iter()
        .zip(&ref_logits)
        .map(|(set, logits)| binary_cross_entropy(logits, set))
        .sum::<f64>()
        / truth.len() as f64;
    assert!(
        (got.loss.unwrap() - want_loss).abs() <= 1e-5,
        "{:?} vs {want_loss}",
        got.loss
    );
    assert_eq!(
        got.multi_label.as_ref().unwrap().micro_f1,
        want.multi_label.as_ref().unwrap().micro_f1
    );
    assert_eq!((got.accuracy, got.macro_f1), (want.accuracy, want.macro_f1));
    let wrong = truth
        .iter()
        .enumerate()
        .filter(|(i, set)| {
            let predicted: Vec<usize> = (0..4)
                .filter(|l| f64::from(sigmoid(ref_logits[*i][*l])) >= THRESHOLD)
                .collect();
            predicted != **set
        })
        .count();
    assert_eq!(evaluation.misclassified_total, wrong);
    let first = &evaluation.misclassified[0];
    let (missed, extra) = (
        first.missed_labels.as_ref().unwrap(),
        first.extra_labels.as_ref().unwrap(),
    );
    assert!(!missed.is_empty() || !extra.is_empty());

    // The try-it box: every label at or above the threshold, best first.
    let classifier = Classifier::load(&folder, &options, &mut |_| {}).unwrap();
    let given = classifier.classify_texts(&texts, 3).unwrap();
    for (i, labels) in given.iter().enumerate() {
        let mut want: Vec<(f32, &str)> = (0..4)
            .map(|l| (sigmoid(ref_logits[i][l]), DIVISIONS[l]))
            .filter(|(s, _)| f64::from(*s) >= THRESHOLD)
            .collect();
        want.sort_by(|a, b| b.0.total_cmp(&a.0));
        let got: Vec<&str> = labels.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            got,
            want.iter().map(|(_, l)| *l).collect::<Vec<_>>(),
            "row {i}"
        );
    }

    // A threshold chosen after training: the folder's config.json and recipe.json say it, and
    // the model predicts with it; values outside (0, 1) and single-label folders are refused.
    set_decision_threshold(&whole, 0.65).unwrap();
    let read = |file: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(whole.join(file)).unwrap()).unwrap()
    };
    assert_eq!(read("config.json")["decision_threshold"], 0.65);
    assert_eq!(
        read("config.json")["problem_type"],
        "multi_label_classification"
    );
    assert_eq!(read("recipe.json")["decision_threshold"], 0.65);
    let reloaded = Classifier::load(&folder, &options, &mut |_| {}).unwrap();
    assert_eq!(reloaded.decision_threshold(), Some(0.65));
    let err = set_decision_threshold(&whole, 1.0).unwrap_err().to_string();
    assert!(
        err.contains("decision_threshold must be above 0 and below 1"),
        "{err}"
    );
    let single = fixtures().join("tiny-bert");
    let err = set_decision_threshold(&single, 0.4)
        .unwrap_err()
        .to_string();
    assert!(err.contains("gives one label per text"), "{err}");
}

/// The rows as one 0/1 column per division, beside the text.
fn write_columns_csv(path: &Path, rows: &[(String, Vec<&str>)], columns: &[&str]) {
    let mut out = format!("text;{}\n", columns.join(";"));
    for (text, labels) in rows {
        let cells: Vec<&str> = columns
            .iter()
            .map(|c| if labels.contains(c) { "1" } else { "0" })
            .collect();
        out.push_str(&format!("{text};{}\n", cells.join(";")));
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn a_model_trained_on_label_columns_is_evaluated_on_the_same_columns() {
    let dir = tempfile::tempdir().unwrap();
    let rows = nace_rows();
    let csv = dir.path().join("train.csv");
    write_columns_csv(&csv, &rows, &DIVISIONS);
    let recipe = Recipe {
        label_separator: None,
        label_columns: DIVISIONS.iter().map(|d| d.to_string()).collect(),
        epochs: 1,
        ..recipe()
    };
    let model = dir.path().join("model");
    train(
        &request(recipe, csv, model.clone()),
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap();

    // A test file whose columns come in another order, with no "label" column: the model
    // reads its own columns by name.
    let test_rows: Vec<(String, Vec<&str>)> = rows.iter().step_by(5).cloned().collect();
    let input = dir.path().join("test.csv");
    write_columns_csv(&input, &test_rows, &["62", "01", "47", "10"]);
    let texts_file = dir.path().join("texts.json");
    let texts: Vec<&str> = test_rows.iter().map(|(t, _)| t.as_str()).collect();
    std::fs::write(&texts_file, serde_json::to_string(&texts).unwrap()).unwrap();
    let reference = transformers_outputs(&model, &texts_file, 32);
    let ref_logits: Vec<Vec<f32>> = serde_json::from_value(reference["logits"].clone()).unwrap();
    let options = ClassifierOptions {
        device: DeviceChoice::Cpu,
        max_len: Some(32),
        ..Default::default()
    };
    let folder = model.display().to_string();
    let evaluate = |input: &Path| {
        evaluate_csv(
            &folder,
            &options,
            &EvaluateRequest {
                text_column: Some("text".into()),
                ..EvaluateRequest::new(input)
            },
            &mut |_| {},
            &CancelToken::new(),
        )
    };
    let evaluation = evaluate(&input).unwrap();
    assert_eq!(evaluation.label_column, "01, 10, 47, 62");
    assert_eq!(evaluation.evaluated_rows, test_rows.len());
    let truth = label_indices(&test_rows);
    let names: Vec<String> = DIVISIONS.iter().map(|d| d.to_string()).collect();
    let want = multi_label_metrics(&truth, &ref_logits.concat(), &names, THRESHOLD, None);
    let got = &evaluation.metrics;
    assert_eq!((got.accuracy, got.macro_f1), (want.accuracy, want.macro_f1));
    assert_eq!(
        got.multi_label.as_ref().unwrap().hamming_loss,
        want.multi_label.as_ref().unwrap().hamming_loss
    );
    let missed_or_extra = evaluation.misclassified.iter().all(|row| {
        !row.missed_labels.as_ref().unwrap().is_empty()
            || !row.extra_labels.as_ref().unwrap().is_empty()
    });
    assert!(missed_or_extra);

    // A file without one of the model's columns, or with a cell that is not 0/1, is refused
    // in words.
    let lacking = dir.path().join("lacking.csv");
    write_columns_csv(&lacking, &test_rows, &["01", "10", "47"]);
    let err = evaluate(&lacking).unwrap_err().to_string();
    assert!(
        err.contains("trained on one 0/1 column per label") && err.contains("\"62\""),
        "{err}"
    );
    let bad = dir.path().join("bad.csv");
    let text = std::fs::read_to_string(&input).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[3] = format!("{};maybe;0;0;1", test_rows[2].0);
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let err = evaluate(&bad).unwrap_err().to_string();
    assert!(err.contains("line 4") && err.contains("\"maybe\""), "{err}");
}
