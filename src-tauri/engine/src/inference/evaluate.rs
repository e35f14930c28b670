//! Evaluating a model on a labelled CSV: the notebook's six metrics, per-class table,
//! confusion matrix and the misclassified rows, streamed like classification.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;
use ts_rs::TS;

use serde::Serialize;

use super::classifier::{Classifier, ClassifierOptions, DEFAULT_BATCH_SIZE, LabelScore, top_k};
use super::evaluate_multi_label::MultiLabelTally;
use super::stream::{
    InferenceEvent, OpenedInput, load_then_run, open_input, progress_event, run_reported,
};
use crate::cancel::CancelToken;
use crate::data::dataset::{
    ColumnRole, column_index, no_complete_row_error, no_rows_error, same_columns_error,
};
use crate::data::{
    CsvDialect, LabelNames, RowsFingerprint, labels_in_record, model_label_columns,
    split_label_cell,
};
use crate::error::{EngineError, Result};
use crate::metrics::{Metrics, MetricsAccumulator};
use crate::progress::ProgressMeter;

#[derive(Debug, Clone)]
pub struct EvaluateRequest {
    pub input: PathBuf,
    /// `None`: guessed as in the data preview.
    pub text_column: Option<String>,
    pub label_column: String,
    /// Multi-label models: what separates the labels of a cell (`None`: the separator the
    /// model was trained with, `|` otherwise).
    pub label_separator: Option<String>,
    /// Labels listed for each misclassified row.
    pub top_k: usize,
    pub batch_size: usize,
    pub dialect: Option<CsvDialect>,
    /// At most this many misclassified rows are listed (all are counted).
    pub max_misclassified: usize,
}

impl EvaluateRequest {
    pub fn new(input: impl Into<PathBuf>) -> Self {
        EvaluateRequest {
            input: input.into(),
            text_column: None,
            label_column: "label".into(),
            label_separator: None,
            top_k: 2,
            batch_size: DEFAULT_BATCH_SIZE,
            dialect: None,
            max_misclassified: 100_000,
        }
    }
}

/// A label of the test file that the model was not trained on.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UnseenLabel {
    pub label: String,
    pub rows: usize,
}

/// A row the model got wrong.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct MisclassifiedRow {
    /// The line of the file the row starts on (the header is line 1).
    #[ts(type = "number")]
    pub line: u64,
    pub text: String,
    pub true_label: String,
    /// The most probable labels, most probable first (a multi-label model: the labels it
    /// predicted, in label order).
    pub predicted: Vec<LabelScore>,
    /// Multi-label models: the row's labels the model did not predict, and those it
    /// predicted that the row does not have.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub missed_labels: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub extra_labels: Option<Vec<String>>,
    /// The probability the model gives the row's own label: the lower, the more the model
    /// doubts the label (the rows to check first for a labelling mistake). Absent for a label
    /// the model never saw and for multi-label rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub label_score: Option<f32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EvaluationReport {
    pub model: String,
    pub model_folder: String,
    /// The model's label names (code → name), to show beside the codes.
    pub label_names: LabelNames,
    pub input: String,
    pub text_column: String,
    pub label_column: String,
    pub backend: String,
    pub rows_read: usize,
    /// Rows with both a text and a label: the ones the metrics are about.
    pub evaluated_rows: usize,
    pub skipped_empty_text: usize,
    pub skipped_empty_label: usize,
    /// Labels the model cannot predict; their rows count as misclassified.
    pub unseen_labels: Vec<UnseenLabel>,
    /// Over the model's labels followed by the unseen ones (per-class table and confusion
    /// matrix in that order). The loss is over rows with a label the model knows.
    pub metrics: Metrics,
    pub misclassified_total: usize,
    pub misclassified: Vec<MisclassifiedRow>,
    /// Which rows were evaluated (`RowsFingerprint`).
    pub rows_fingerprint: String,
    pub seconds: f64,
    pub engine_version: String,
}

/// Loads the model, then evaluates it (see [`evaluate_csv_with`]).
pub fn evaluate_csv(
    model: &str,
    options: &ClassifierOptions,
    request: &EvaluateRequest,
    sink: &mut dyn FnMut(InferenceEvent),
    cancel: &CancelToken,
) -> Result<EvaluationReport> {
    load_then_run(model, options, sink, |classifier, sink| {
        run(classifier, request, sink, cancel)
    })
}

/// Evaluates a loaded model on a labelled file, reading it a window at a time.
pub fn evaluate_csv_with(
    classifier: &Classifier,
    request: &EvaluateRequest,
    sink: &mut dyn FnMut(InferenceEvent),
    cancel: &CancelToken,
) -> Result<EvaluationReport> {
    run_reported(sink, |sink| run(classifier, request, sink, cancel))
}

fn run(
    classifier: &Classifier,
    request: &EvaluateRequest,
    sink: &mut dyn FnMut(InferenceEvent),
    cancel: &CancelToken,
) -> Result<EvaluationReport> {
    let input = &request.input;
    let OpenedInput {
        mut windows,
        text_column: text_i,
        ..
    } = open_input(
        classifier,
        input,
        request.dialect,
        request.text_column.as_deref(),
        sink,
    )?;
    let info = classifier.info();
    // A model trained on 0/1 columns reads the same columns; any other, the label column.
    let label_is = if info.labels_in_columns {
        model_label_columns(input, &windows.headers, &info.labels)?
    } else {
        vec![column_index(
            input,
            &windows.headers,
            &request.label_column,
            ColumnRole::Label,
        )?]
    };
    if label_is.contains(&text_i) {
        return Err(same_columns_error(input));
    }
    let label_column = match info.labels_in_columns {
        true => info.labels.join(", "),
        false => request.label_column.clone(),
    };

    let labels = classifier.labels().to_vec();
    let index: BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    // Unseen labels get class indices after the model's, in order of appearance.
    let mut unseen: Vec<UnseenLabel> = Vec::new();
    let mut counts = MetricsAccumulator::new(labels.len());
    let (mut loss_sum, mut loss_rows) = (0.0f64, 0usize);
    let (mut rows_read, mut empty_text, mut empty_label) = (0usize, 0usize, 0usize);
    let mut misclassified = Vec::new();
    let mut misclassified_total = 0usize;
    let mut fingerprint = RowsFingerprint::default();
    let separator = request
        .label_separator
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or(info.label_separator.as_deref())
        .unwrap_or("|");
    let mut multi_label = classifier
        .decision_threshold()
        .map(|t| MultiLabelTally::new(&labels, t, request.max_misclassified));
    let mut meter = ProgressMeter::default();
    let padding_before = classifier.padding().get();
    while let Some(window) = windows.next_window()? {
        if cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        rows_read += window.len();
        let mut kept = Vec::with_capacity(window.len());
        for row in &window {
            let text = row.record.get(text_i).unwrap_or("").trim();
            // The label cell; from 0/1 columns, the row's labels too (a column's name may hold
            // the separator).
            let (label, label_set) = match info.labels_in_columns {
                false => (
                    Cow::Borrowed(row.record.get(label_is[0]).unwrap_or("").trim()),
                    None,
                ),
                true => {
                    let set =
                        labels_in_record(input, Some(row.line), &row.record, &labels, &label_is)?;
                    (Cow::Owned(set.join(separator)), Some(set))
                }
            };
            if text.is_empty() {
                empty_text += 1;
            } else if label.is_empty() && multi_label.is_none() {
                empty_label += 1;
            } else {
                if multi_label.is_none() {
                    fingerprint.add(text, &label);
                }
                kept.push((row.line, text, label, label_set));
            }
        }
        let texts: Vec<&str> = kept.iter().map(|(_, t, _, _)| *t).collect();
        // A multi-label row's loss is computed from its logits (a sigmoid rounded to 1 in f32
        // would lose it).
        let scored = match multi_label {
            Some(_) => classifier.logits(&texts, request.batch_size, cancel)?,
            None => classifier.probabilities(&texts, request.batch_size, cancel)?,
        };
        for ((line, text, label, label_set), p) in kept.into_iter().zip(scored) {
            let p = p.expect("texts are not empty");
            if let Some(tally) = &mut multi_label {
                let set = label_set.unwrap_or_else(|| split_label_cell(&label, separator));
                tally.add(line, text, &label, set, &p);
                continue;
            }
            let truth = match index.get(label.as_ref()) {
                Some(&c) => {
                    loss_sum -= (p[c].max(f32::MIN_POSITIVE) as f64).ln();
                    loss_rows += 1;
                    c
                }
                None => {
                    let at = match unseen.iter().position(|u| u.label == *label) {
                        Some(at) => at,
                        None => {
                            unseen.push(UnseenLabel {
                                label: label.to_string(),
                                rows: 0,
                            });
                            unseen.len() - 1
                        }
                    };
                    unseen[at].rows += 1;
                    labels.len() + at
                }
            };
            if counts.add(truth, &p) != truth {
                misclassified_total += 1;
                keep_most_doubted(
                    &mut misclassified,
                    request.max_misclassified,
                    MisclassifiedRow {
                        line,
                        text: text.to_string(),
                        true_label: label.to_string(),
                        predicted: top_k(&p, &labels, request.top_k.max(1)),
                        missed_labels: None,
                        extra_labels: None,
                        label_score: p.get(truth).copied(),
                    },
                );
            }
        }
        if let Some(e) = progress_event(
            &mut meter,
            rows_read,
            windows.bytes_read(),
            windows.bytes_total,
        ) {
            sink(e);
        }
    }
    if rows_read == 0 {
        return Err(no_rows_error(input));
    }
    let evaluated_rows = rows_read - empty_text - empty_label;
    if evaluated_rows == 0 {
        return Err(no_complete_row_error(
            input,
            rows_read,
            &windows.headers[text_i],
            &label_column,
        ));
    }
    let metrics = match multi_label {
        Some(tally) => {
            let found = tally.finish();
            unseen = found.unseen;
            misclassified = found.misclassified;
            misclassified_total = found.misclassified_total;
            fingerprint = found.fingerprint;
            found.metrics
        }
        None => {
            misclassified.sort_by_key(|m| m.line);
            let mut all_labels = labels.clone();
            all_labels.extend(unseen.iter().map(|u| u.label.clone()));
            let loss = (loss_rows > 0).then(|| loss_sum / loss_rows as f64);
            counts.finish(&all_labels, loss)
        }
    };
    let seconds = meter.seconds();
    sink(InferenceEvent::Finished {
        rows: rows_read,
        empty_texts: empty_text,
        seconds,
        rows_per_second: meter.rate(rows_read),
        padding_share: classifier.padding().share_since(padding_before),
        output: None,
    });
    Ok(EvaluationReport {
        model: info.model.clone(),
        model_folder: info.folder.display().to_string(),
        label_names: info.label_names.clone(),
        input: input.display().to_string(),
        text_column: windows.headers[text_i].clone(),
        label_column,
        backend: info.backend.clone(),
        rows_read,
        evaluated_rows,
        skipped_empty_text: empty_text,
        skipped_empty_label: empty_label,
        unseen_labels: unseen,
        metrics,
        misclassified_total,
        rows_fingerprint: fingerprint.finish(),
        misclassified,
        seconds,
        engine_version: crate::VERSION.to_string(),
    })
}

/// Keeps at most `max` wrong rows: the first ones, then, once full, the rows whose label the
/// model doubts most (a lower score of the row's own label replaces the highest kept), so
/// that the rows to check first are never cut off by a file's length.
fn keep_most_doubted(kept: &mut Vec<MisclassifiedRow>, max: usize, row: MisclassifiedRow) {
    if kept.len() < max {
        kept.push(row);
        return;
    }
    // A label the model never saw is no sign of a labelling mistake: such rows go first.
    let doubt = |m: &MisclassifiedRow| m.label_score.unwrap_or(2.0);
    let Some((at, least)) = kept
        .iter()
        .enumerate()
        .max_by(|a, b| doubt(a.1).total_cmp(&doubt(b.1)))
    else {
        return;
    };
    if doubt(&row) < doubt(least) {
        kept[at] = row;
    }
}
