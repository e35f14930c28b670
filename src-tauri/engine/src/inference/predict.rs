//! Classifying a CSV file: every input column kept, the top-k labels and probabilities added.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use ts_rs::TS;

use serde::Serialize;

use super::classifier::{Classifier, ClassifierOptions, DEFAULT_BATCH_SIZE, top_k};
use super::stream::{
    InferenceEvent, OpenedInput, load_then_run, open_input, progress_event, run_reported,
};
use crate::cancel::CancelToken;
use crate::data::csv_input::{csv_reader, next_record, read_headers, sniff_dialect};
use crate::data::dataset::no_rows_error;
use crate::data::{CsvDialect, LabelNames};
use crate::error::{EngineError, Result};
use crate::metrics::{argmax, labels_at_or_above};
use crate::progress::ProgressMeter;
use crate::said;

/// Rows of the output kept in the summary, for a first look.
const PREVIEW_ROWS: usize = 50;

#[derive(Debug, Clone)]
pub struct PredictRequest {
    pub input: PathBuf,
    pub output: PathBuf,
    /// The column with the texts; `None`: guessed as in the data preview.
    pub text_column: Option<String>,
    /// How many labels per row (1 = the predicted label and its probability only).
    pub top_k: usize,
    pub batch_size: usize,
    /// Overrides the detected delimiter and encoding.
    pub dialect: Option<CsvDialect>,
}

impl PredictRequest {
    pub fn new(input: impl Into<PathBuf>, output: impl Into<PathBuf>) -> Self {
        PredictRequest {
            input: input.into(),
            output: output.into(),
            text_column: None,
            top_k: 1,
            batch_size: DEFAULT_BATCH_SIZE,
            dialect: None,
        }
    }
}

/// How many rows got each label.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LabelCount {
    pub label: String,
    pub rows: usize,
}

/// What a finished classification produced.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PredictionSummary {
    pub input: String,
    pub output: String,
    pub text_column: String,
    /// Data rows written (the header not counted).
    pub rows: usize,
    /// Rows whose text was empty: written with an empty prediction.
    pub empty_texts: usize,
    /// The model's label names (code → name), to show beside the codes.
    pub label_names: LabelNames,
    /// Rows per predicted label, in the model's label order (a multi-label row counts for
    /// each of its labels).
    pub predicted: Vec<LabelCount>,
    /// The output's header and first rows.
    pub header: Vec<String>,
    pub first_rows: Vec<Vec<String>>,
    /// The line of the output each of `first_rows` starts on, as the output is read back (a
    /// correction of the row names it by this line).
    #[ts(type = "number[]")]
    pub first_lines: Vec<u64>,
    /// Where `predicted_label` and its `score` are in `header` (after every input column,
    /// whatever the input's own columns are called); for a multi-label model,
    /// `predicted_labels` and the first label's score.
    pub label_column: usize,
    pub score_column: usize,
    pub seconds: f64,
    pub rows_per_second: f64,
}

/// The lines the first `n` rows of a CSV file start on, read as any data file is read.
fn lines_of_first_rows(path: &Path, n: usize) -> Result<Vec<u64>> {
    let mut reader = csv_reader(path, sniff_dialect(path)?)?;
    read_headers(path, &mut reader)?;
    let mut record = csv::StringRecord::new();
    let mut lines = Vec::with_capacity(n);
    while lines.len() < n && next_record(path, &mut reader, &mut record)? {
        lines.push(record.position().map_or(0, |p| p.line()));
    }
    Ok(lines)
}

/// The columns a multi-label model adds to every row: `predicted_labels` (joined by its
/// separator), then `score_<label>` for each label.
pub fn multi_label_columns(labels: &[String]) -> Vec<String> {
    std::iter::once("predicted_labels".to_string())
        .chain(labels.iter().map(|l| format!("score_{l}")))
        .collect()
}

/// The columns added to every row: `predicted_label, score`, then `label_2, score_2`, ….
pub fn prediction_columns(k: usize) -> Vec<String> {
    let mut names = vec!["predicted_label".to_string(), "score".to_string()];
    for i in 2..=k {
        names.push(format!("label_{i}"));
        names.push(format!("score_{i}"));
    }
    names
}

/// Loads the model, then classifies the file (see [`predict_csv_with`]).
pub fn predict_csv(
    model: &str,
    options: &ClassifierOptions,
    request: &PredictRequest,
    sink: &mut dyn FnMut(InferenceEvent),
    cancel: &CancelToken,
) -> Result<PredictionSummary> {
    load_then_run(model, options, sink, |classifier, sink| {
        run(classifier, request, sink, cancel)
    })
}

/// Classifies `request.input` with a loaded model, streaming: a window of rows is read,
/// classified and written before the next is read. The output is written to a temporary file
/// beside it and renamed at the end, so a cancelled or failed run leaves nothing under the
/// output name (and any previous file there untouched).
pub fn predict_csv_with(
    classifier: &Classifier,
    request: &PredictRequest,
    sink: &mut dyn FnMut(InferenceEvent),
    cancel: &CancelToken,
) -> Result<PredictionSummary> {
    run_reported(sink, |sink| run(classifier, request, sink, cancel))
}

fn run(
    classifier: &Classifier,
    request: &PredictRequest,
    sink: &mut dyn FnMut(InferenceEvent),
    cancel: &CancelToken,
) -> Result<PredictionSummary> {
    let threshold = classifier.decision_threshold();
    // A multi-label model writes every label's score: top-k does not apply to it.
    if threshold.is_none() && (request.top_k == 0 || request.top_k > classifier.labels().len()) {
        return Err(EngineError::invalid(said!(
            "invalid.top_k",
            "The number of labels per row (top-k) must be between 1 and {classes}, the model's \
             number of classes.",
            classes = classifier.labels().len()
        )));
    }
    let input = &request.input;
    refuse_overwriting_input(input, &request.output)?;
    let OpenedInput {
        dialect,
        mut windows,
        text_column: text_i,
    } = open_input(
        classifier,
        input,
        request.dialect,
        request.text_column.as_deref(),
        sink,
    )?;
    let text_column = windows.headers[text_i].clone();

    let parent = match request.output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let partial = tempfile::Builder::new()
        .prefix(".bert-studio-")
        .suffix(".partial.csv")
        .tempfile_in(&parent)
        .map_err(|e| EngineError::io("create a file in", &parent, e))?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(dialect.delimiter)
        .flexible(false)
        .from_writer(BufWriter::with_capacity(1 << 16, partial.as_file()));
    let write_error = |e: csv::Error| EngineError::io("write", &request.output, e);

    let width = windows.headers.len();
    let mut header = windows.headers.clone();
    let labels = classifier.labels();
    let added_columns = match threshold {
        Some(_) => multi_label_columns(labels),
        None => prediction_columns(request.top_k),
    };
    let added_width = added_columns.len();
    header.extend(added_columns);
    writer.write_record(&header).map_err(write_error)?;

    let separator = classifier.info().label_separator.as_deref().unwrap_or("|");
    let mut counts = vec![0usize; labels.len()];
    let (mut rows, mut empty_texts) = (0usize, 0usize);
    let mut first_rows = Vec::new();
    let mut meter = ProgressMeter::default();
    let padding_before = classifier.padding().get();
    // The added columns of one row; the input fields are written straight from the record.
    let mut added: Vec<String> = Vec::with_capacity(added_width);
    while let Some(window) = windows.next_window()? {
        if cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let texts: Vec<&str> = window
            .iter()
            .map(|r| r.record.get(text_i).unwrap_or(""))
            .collect();
        let probabilities = classifier.probabilities(&texts, request.batch_size, cancel)?;
        for (row, p) in window.iter().zip(probabilities) {
            added.clear();
            match (p, threshold) {
                (Some(p), Some(threshold)) => {
                    let predicted = labels_at_or_above(&p, threshold);
                    predicted.iter().for_each(|l| counts[*l] += 1);
                    let names: Vec<&str> = predicted.iter().map(|l| labels[*l].as_str()).collect();
                    added.push(names.join(separator));
                    added.extend(p.iter().map(|score| format!("{score:.6}")));
                }
                (Some(p), None) => {
                    counts[argmax(&p)] += 1;
                    for s in top_k(&p, labels, request.top_k) {
                        added.push(s.label);
                        added.push(format!("{:.6}", s.score));
                    }
                }
                (None, _) => {
                    empty_texts += 1;
                    added.resize(added_width, String::new());
                }
            }
            // Short rows are completed so the added columns line up.
            let missing = width - row.record.len();
            let fields = || {
                row.record
                    .iter()
                    .chain(std::iter::repeat_n("", missing))
                    .chain(added.iter().map(String::as_str))
            };
            writer.write_record(fields()).map_err(write_error)?;
            if first_rows.len() < PREVIEW_ROWS {
                first_rows.push(fields().map(str::to_string).collect());
            }
        }
        rows += window.len();
        if let Some(e) = progress_event(&mut meter, rows, windows.bytes_read(), windows.bytes_total)
        {
            sink(e);
        }
    }
    if rows == 0 {
        return Err(no_rows_error(input));
    }
    writer
        .into_inner()
        .map_err(|e| EngineError::io("write", &request.output, e.error()))?
        .flush()
        .map_err(|e| EngineError::io("write", &request.output, e))?;
    if cancel.is_cancelled() {
        return Err(EngineError::Cancelled);
    }
    partial
        .as_file()
        .sync_all()
        .map_err(|e| EngineError::io("write", &request.output, e))?;
    partial
        .persist(&request.output)
        .map_err(|e| EngineError::io("write", &request.output, e.error))?;
    let first_lines = lines_of_first_rows(&request.output, first_rows.len())?;

    let seconds = meter.seconds();
    let summary = PredictionSummary {
        input: input.display().to_string(),
        output: request.output.display().to_string(),
        text_column,
        rows,
        empty_texts,
        label_names: classifier.info().label_names.clone(),
        predicted: labels
            .iter()
            .zip(counts)
            .map(|(label, rows)| LabelCount {
                label: label.clone(),
                rows,
            })
            .collect(),
        header,
        label_column: width,
        score_column: width + 1,
        first_rows,
        first_lines,
        seconds,
        rows_per_second: meter.rate(rows),
    };
    sink(InferenceEvent::Finished {
        rows,
        empty_texts,
        seconds,
        rows_per_second: summary.rows_per_second,
        padding_share: classifier.padding().share_since(padding_before),
        output: Some(summary.output.clone()),
    });
    Ok(summary)
}

/// Writing the output over the input would destroy what is being read.
fn refuse_overwriting_input(input: &Path, output: &Path) -> Result<()> {
    if output.is_dir() {
        return Err(EngineError::invalid(said!(
            "invalid.output_is_folder",
            "\"{path}\" is a folder; give the output file a name (e.g. predictions.csv).",
            path = output.display().to_string()
        )));
    }
    let same = match (input.canonicalize(), output.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(EngineError::invalid(said!(
            "invalid.output_is_input",
            "The output file \"{path}\" is the input file; choose another name so that your \
             data is kept.",
            path = output.display().to_string()
        )));
    }
    Ok(())
}
