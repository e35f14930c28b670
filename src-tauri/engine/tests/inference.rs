//! Classifying and evaluating CSV files with a saved model, against transformers' pipeline
//! and scikit-learn (fixture: `tests/fixtures/evaluate.json`, made by
//! `scripts/reference/inference_reference.py` from `tests/fixtures/evaluate.csv`).

mod common;

use std::path::{Path, PathBuf};

use bert_studio_engine::EngineError;
use bert_studio_engine::inference::{
    Classifier, ClassifierOptions, EvaluateRequest, InferenceEvent, PredictRequest, classify_texts,
    evaluate_csv, predict_csv, predict_csv_with,
};
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{CancelToken, DeviceChoice};
use common::*;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct EvaluationFixture {
    labels: Vec<String>,
    rows_read: usize,
    evaluated_rows: usize,
    texts: Vec<String>,
    probabilities: Vec<Vec<f32>>,
    predicted: Vec<String>,
    loss: f64,
    accuracy: f64,
    macro_f1: f64,
    macro_precision: f64,
    macro_recall: f64,
    top1_accuracy: f64,
    top2_accuracy: f64,
    per_class_precision: Vec<f64>,
    per_class_recall: Vec<f64>,
    per_class_f1: Vec<f64>,
    per_class_support: Vec<usize>,
    confusion: Vec<Vec<usize>>,
}

fn fixture() -> EvaluationFixture {
    let path = fixtures().join("evaluate.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn tiny_model() -> String {
    fixtures().join("tiny-bert").display().to_string()
}

fn cpu() -> ClassifierOptions {
    ClassifierOptions {
        device: DeviceChoice::Cpu,
        max_len: None,
        hub: HubSettings::from_env(),
    }
}

fn read_csv(path: &Path, delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() < 1e-9,
        "{what}: engine {a} vs scikit-learn {b}"
    );
}

#[test]
fn evaluation_equals_scikit_learn_on_the_pipelines_predictions() {
    let f = fixture();
    let mut request = EvaluateRequest::new(fixtures().join("evaluate.csv"));
    request.text_column = Some("libelle".into());
    request.label_column = "code_secteur".into();
    request.batch_size = 5;
    let mut events = Vec::new();
    let report = evaluate_csv(
        &tiny_model(),
        &cpu(),
        &request,
        &mut |e| events.push(e),
        &CancelToken::new(),
    )
    .unwrap();

    assert_eq!(report.rows_read, f.rows_read);
    assert_eq!(report.evaluated_rows, f.evaluated_rows);
    assert_eq!(
        (report.skipped_empty_text, report.skipped_empty_label),
        (1, 1)
    );
    assert_eq!(report.unseen_labels.len(), 1);
    assert_eq!(
        (
            report.unseen_labels[0].label.as_str(),
            report.unseen_labels[0].rows
        ),
        ("Pêche", 2)
    );
    let m = &report.metrics;
    let labels: Vec<&str> = m.per_class.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, f.labels);
    close(m.accuracy, f.accuracy, "accuracy");
    close(m.macro_f1, f.macro_f1, "macro F1");
    close(m.macro_precision, f.macro_precision, "macro precision");
    close(m.macro_recall, f.macro_recall, "macro recall");
    close(m.top1_accuracy, f.top1_accuracy, "top-1");
    close(m.top2_accuracy, f.top2_accuracy, "top-2");
    assert!((m.loss.unwrap() - f.loss).abs() < 1e-4, "loss");
    for (i, c) in m.per_class.iter().enumerate() {
        close(c.precision, f.per_class_precision[i], &c.label);
        close(c.recall, f.per_class_recall[i], &c.label);
        close(c.f1, f.per_class_f1[i], &c.label);
        assert_eq!(c.support, f.per_class_support[i], "{}", c.label);
    }
    assert_eq!(m.confusion, f.confusion);

    // The misclassified rows are the ones the pipeline got wrong, with their file lines (row
    // 11 spans two lines, a quoted line break).
    let wrong: Vec<&str> = f
        .texts
        .iter()
        .zip(f.labels_of_rows())
        .zip(&f.predicted)
        .filter(|((_, truth), predicted)| truth != *predicted)
        .map(|((t, _), _)| t.as_str())
        .collect();
    assert_eq!(report.misclassified_total, wrong.len());
    let listed: Vec<&str> = report
        .misclassified
        .iter()
        .map(|r| r.text.as_str())
        .collect();
    assert_eq!(listed, wrong);
    let line_of = |text: &str| {
        report
            .misclassified
            .iter()
            .find(|r| r.text == text)
            .map(|r| r.line)
    };
    assert_eq!(line_of("Pêche en mer"), Some(24));
    assert_eq!(line_of("Sciage et rabotage du bois"), Some(14));
    assert!(report.misclassified.iter().all(|r| r.predicted.len() == 2));

    // Each wrong row carries the probability the pipeline gives its own label (none for a
    // label the model never saw): the rows to check first have the lowest.
    let pipeline_score = |text: &str, label: &str| {
        let row = f.texts.iter().position(|t| t == text)?;
        let class = f.labels[..3].iter().position(|l| l == label)?;
        Some(f.probabilities[row][class])
    };
    for r in &report.misclassified {
        match (r.label_score, pipeline_score(&r.text, &r.true_label)) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-5, "{}: {a} vs {b}", r.text),
            (a, b) => assert_eq!(a, b, "{}", r.text),
        }
    }
    // With room for two rows only, the two the model doubts most are kept, in file order (not
    // those with a label it never saw, which are no sign of a labelling mistake).
    let mut doubted: Vec<(f32, u64)> = report
        .misclassified
        .iter()
        .map(|r| {
            (
                pipeline_score(&r.text, &r.true_label).unwrap_or(2.0),
                r.line,
            )
        })
        .collect();
    doubted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut expected: Vec<u64> = doubted[..2].iter().map(|d| d.1).collect();
    expected.sort();
    request.max_misclassified = 2;
    let two = evaluate_csv(
        &tiny_model(),
        &cpu(),
        &request,
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap();
    let kept: Vec<u64> = two.misclassified.iter().map(|r| r.line).collect();
    assert_eq!(kept, expected);
    assert_eq!(two.misclassified_total, report.misclassified_total);

    assert!(matches!(
        events.first(),
        Some(InferenceEvent::Started { .. })
    ));
    assert!(matches!(
        events.last(),
        Some(InferenceEvent::Finished {
            rows: 26,
            output: None,
            ..
        })
    ));
}

impl EvaluationFixture {
    /// The true label of each evaluated row, read back from the CSV the fixture was made from.
    fn labels_of_rows(&self) -> Vec<String> {
        let rows = read_csv(&fixtures().join("evaluate.csv"), b';');
        rows[1..]
            .iter()
            .filter(|r| !r[1].trim().is_empty() && !r[2].trim().is_empty())
            .map(|r| r[2].trim().to_string())
            .collect()
    }
}

#[test]
fn predict_keeps_every_column_and_adds_the_top_k_probabilities() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("predictions.csv");
    let mut request = PredictRequest::new(fixtures().join("evaluate.csv"), &output);
    request.top_k = 2;
    request.batch_size = 3;
    let summary = predict_csv(
        &tiny_model(),
        &cpu(),
        &request,
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap();
    assert_eq!(summary.text_column, "libelle", "the text column is guessed");
    assert_eq!((summary.rows, summary.empty_texts), (26, 1));

    let input = read_csv(&fixtures().join("evaluate.csv"), b';');
    let written = read_csv(&output, b';');
    assert_eq!(
        written[0],
        [
            "id",
            "libelle",
            "code_secteur",
            "predicted_label",
            "score",
            "label_2",
            "score_2"
        ]
    );
    assert_eq!(written.len(), input.len());
    let mut reference = f.texts.iter().zip(&f.probabilities);
    let model_labels = &f.labels[..3];
    for (row_in, row_out) in input[1..].iter().zip(&written[1..]) {
        assert_eq!(row_out[..3], row_in[..], "input columns kept as they were");
        if row_in[1].trim().is_empty() {
            assert!(row_out[3..].iter().all(String::is_empty), "{row_out:?}");
            continue;
        }
        if row_in[2].trim().is_empty() {
            continue; // not in the evaluation fixture
        }
        let (text, probabilities) = reference.next().unwrap();
        assert_eq!(text, row_in[1].trim());
        let mut order: Vec<usize> = (0..3).collect();
        order.sort_by(|a, b| probabilities[*b].total_cmp(&probabilities[*a]));
        for (rank, class) in order[..2].iter().enumerate() {
            assert_eq!(row_out[3 + 2 * rank], model_labels[*class]);
            let score: f32 = row_out[4 + 2 * rank].parse().unwrap();
            assert!(
                (score - probabilities[*class]).abs() < 1e-4,
                "{text}: {score} vs transformers {}",
                probabilities[*class]
            );
        }
    }
    let counted: usize = summary.predicted.iter().map(|c| c.rows).sum();
    assert_eq!(counted, 25);
}

/// Thousands of rows (several windows): sorting by length inside a window must give every
/// row its own prediction back, in input order.
#[test]
fn a_file_of_several_windows_keeps_row_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("many.csv");
    let output = dir.path().join("out.csv");
    let words = [
        "fabrication",
        "de meubles",
        "culture",
        "de céréales",
        "services",
        "informatique",
        "élevage",
        "bois",
    ];
    let texts: Vec<String> = (0..5000)
        .map(|i: usize| {
            (0..1 + (i * 7919) % 23)
                .map(|j| words[(i + j * 3) % words.len()])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let mut w = csv::Writer::from_path(&input).unwrap();
    w.write_record(["n", "text"]).unwrap();
    for (i, t) in texts.iter().enumerate() {
        w.write_record([i.to_string(), t.clone()]).unwrap();
    }
    w.flush().unwrap();
    drop(w);

    let classifier = Classifier::load(&tiny_model(), &cpu(), &mut |_| {}).unwrap();
    let mut progress = 0;
    let summary = predict_csv_with(
        &classifier,
        &PredictRequest::new(&input, &output),
        &mut |e| progress += usize::from(matches!(e, InferenceEvent::Progress { .. })),
        &CancelToken::new(),
    )
    .unwrap();
    assert_eq!(summary.rows, 5000);
    assert!(progress >= 1);
    let written = read_csv(&output, b',');
    assert_eq!(written.len(), 5001);
    // Every 97th row, classified on its own, gets the same label and probability.
    let sample: Vec<usize> = (0..5000).step_by(97).collect();
    let alone = classify_texts(
        &classifier,
        &sample
            .iter()
            .map(|i| texts[*i].as_str())
            .collect::<Vec<_>>(),
        1,
    )
    .unwrap();
    for (i, top) in sample.iter().zip(alone) {
        let row = &written[i + 1];
        assert_eq!(row[0], i.to_string());
        assert_eq!(row[2], top[0].label, "row {i}");
        let score: f32 = row[3].parse().unwrap();
        assert!((score - top[0].score).abs() < 1e-5, "row {i}");
    }
}

#[test]
fn classify_texts_keeps_the_model_warm() {
    let f = fixture();
    let classifier = Classifier::load(&tiny_model(), &cpu(), &mut |_| {}).unwrap();
    assert_eq!(classifier.labels(), &f.labels[..3]);
    let texts: Vec<&str> = f.texts.iter().map(String::as_str).take(6).collect();
    for _ in 0..2 {
        let result = classify_texts(&classifier, &texts, 3).unwrap();
        for (top, expected) in result.iter().zip(&f.probabilities) {
            assert_eq!(top.len(), 3);
            assert!(top.windows(2).all(|w| w[0].score >= w[1].score));
            let sum: f32 = top.iter().map(|s| s.score).sum();
            assert!((sum - 1.0).abs() < 1e-5);
            for s in top {
                let class = f.labels.iter().position(|l| *l == s.label).unwrap();
                assert!((s.score - expected[class]).abs() < 1e-4);
            }
        }
    }
    let empty = classify_texts(&classifier, &["", "  "], 2).unwrap();
    assert!(empty.iter().all(Vec::is_empty));
}

/// The preview's rows are named by the line they start on in the output, so that a correction
/// made in the preview finds its row: a text over two lines moves every later row down.
#[test]
fn the_previews_rows_carry_the_lines_they_start_on_in_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("texts.csv");
    std::fs::write(
        &input,
        "id,text\n1,\"Culture de céréales\net de légumes\"\n2,Pêche en mer\n3,\n4,Boulangerie\n",
    )
    .unwrap();
    let output = dir.path().join("texts_classified.csv");
    let summary = predict_csv(
        &tiny_model(),
        &cpu(),
        &PredictRequest::new(&input, &output),
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap();
    // Where the csv crate itself finds each record of the file written.
    let mut reader = csv::Reader::from_path(&output).unwrap();
    let starts: Vec<u64> = reader
        .records()
        .map(|r| r.unwrap().position().unwrap().line())
        .collect();
    assert_eq!(starts, [2, 4, 5, 6]);
    assert_eq!(summary.first_lines, starts);
    assert_eq!(summary.first_rows.len(), 4);
}

#[test]
fn a_cancelled_run_leaves_no_output_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("predictions.csv");
    std::fs::write(&output, "the user's previous file").unwrap();
    let cancel = CancelToken::new();
    cancel.cancel();
    let mut events = Vec::new();
    let err = predict_csv(
        &tiny_model(),
        &cpu(),
        &PredictRequest::new(fixtures().join("evaluate.csv"), &output),
        &mut |e| events.push(e),
        &cancel,
    )
    .unwrap_err();
    assert!(matches!(err, EngineError::Cancelled));
    assert_eq!(events.last(), Some(&InferenceEvent::Cancelled));
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "the user's previous file"
    );
    let names: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(names, vec![output], "no partial file left behind");
}

fn predict_error(model: &str, input: &Path, text_column: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut request = PredictRequest::new(input, dir.path().join("out.csv"));
    request.text_column = text_column.map(str::to_string);
    let err = predict_csv(model, &cpu(), &request, &mut |_| {}, &CancelToken::new())
        .unwrap_err()
        .to_string();
    assert!(!dir.path().join("out.csv").exists());
    err
}

#[test]
fn bad_inputs_are_explained_in_plain_words() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let good = fixtures().join("evaluate.csv");
    let model = tiny_model();

    let err = predict_error(&model, &good, Some("text"));
    assert!(
        err.contains("no column named \"text\"") && err.contains("\"libelle\""),
        "{err}"
    );
    let err = predict_error(&model, &write("empty.csv", b""), None);
    assert!(err.contains("empty"), "{err}");
    let err = predict_error(&model, &write("header.csv", b"text,label\n"), None);
    assert!(err.contains("no data rows"), "{err}");
    let err = predict_error(&model, &write("bin.csv", b"\x00\x01\x02binary\x00"), None);
    assert!(err.contains("binary"), "{err}");
    let err = predict_error(
        &model,
        &write("ragged.csv", b"a,b\n1,2\n1,2,3\n"),
        Some("a"),
    );
    assert!(err.contains("line 3") && err.contains("3 fields"), "{err}");

    let broken = dir.path().join("broken-model");
    std::fs::create_dir(&broken).unwrap();
    std::fs::copy(
        fixtures().join("tiny-bert/config.json"),
        broken.join("config.json"),
    )
    .unwrap();
    let err = predict_error(broken.to_str().unwrap(), &good, None);
    assert!(
        err.contains("model.safetensors or pytorch_model.bin"),
        "{err}"
    );

    // Writing over the input would lose the user's data.
    let copy = write("data.csv", &std::fs::read(&good).unwrap());
    let err = predict_csv(
        &model,
        &cpu(),
        &PredictRequest::new(&copy, &copy),
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("is the input file"), "{err}");
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&good).unwrap());
}

#[test]
fn a_base_model_without_a_trained_head_is_refused() {
    let err = Classifier::load(
        asset("all-MiniLM-L6-v2").to_str().unwrap(),
        &cpu(),
        &mut |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no trained classification head"), "{err}");
}
