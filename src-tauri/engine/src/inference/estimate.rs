//! How long classifying a file will take, said before it starts: the model loaded (timed), a
//! slice of the file's first rows classified here (timed), and the whole file priced at that
//! pace — its rows counted when the file is small, estimated from its size when it is not.

use std::time::Instant;

use serde::Serialize;
use ts_rs::TS;

use super::classifier::{Classifier, ClassifierOptions};
use super::predict::PredictRequest;
use super::stream::{OpenedInput, open_input};
use crate::cancel::CancelToken;
use crate::data::csv_input::decoded_bytes_per_file_byte;
use crate::error::Result;

/// Texts timed for the estimate, spread over the file's first rows.
const TIMED_TEXTS: usize = 256;

/// The time a classification will take on this device, before it starts.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ClassifyEstimate {
    /// Loading the model and classifying every row.
    pub seconds: f64,
    /// The file's data rows: counted, or estimated from the file's size (`rows_exact` false).
    pub rows: usize,
    pub rows_exact: bool,
    /// How many texts were classified to time it.
    pub measured_texts: usize,
    /// The device ("CPU", the GPU's name…).
    pub backend: String,
}

/// How long `predict_csv(model, options, request)` would take: the model is loaded and a few
/// hundred of the file's texts are classified; nothing is written.
pub fn estimate_classification(
    model: &str,
    options: &ClassifierOptions,
    request: &PredictRequest,
    cancel: &CancelToken,
) -> Result<ClassifyEstimate> {
    let clock = Instant::now();
    let classifier = Classifier::load(model, options, &mut |_| {})?;
    let loading_seconds = clock.elapsed().as_secs_f64();
    let result = estimate_with(&classifier, request, cancel).map(|mut estimate| {
        estimate.seconds += loading_seconds;
        estimate
    });
    crate::kernels::return_freed_memory();
    result
}

/// `estimate_classification` with a model already loaded (its loading not counted).
fn estimate_with(
    classifier: &Classifier,
    request: &PredictRequest,
    cancel: &CancelToken,
) -> Result<ClassifyEstimate> {
    let OpenedInput {
        mut windows,
        text_column,
        dialect,
    } = open_input(
        classifier,
        &request.input,
        request.dialect,
        request.text_column.as_deref(),
        &mut |_| {},
    )?;
    let first = windows.next_window()?.unwrap_or_default();
    let rows_exact = windows.next_window()?.is_none();
    // Past the first window, rows are priced by bytes: the rows before the window's last one
    // took the decoded bytes up to where that one starts (the reader's read-ahead not
    // counted), and the whole file decodes to its size times the head's decoded share.
    let last_start = first
        .last()
        .and_then(|row| row.record.position())
        .map_or(0, |p| p.byte());
    let rows = if rows_exact || last_start == 0 {
        first.len()
    } else {
        let decoded_total = windows.bytes_total as f64
            * decoded_bytes_per_file_byte(&request.input, dialect.encoding)?;
        let rows_before_last = first.len().saturating_sub(1) as f64;
        (rows_before_last * decoded_total / last_start as f64).round() as usize
    };
    let texts: Vec<&str> = first
        .iter()
        .map(|row| row.record.get(text_column).unwrap_or(""))
        .collect();
    let step = texts.len().div_ceil(TIMED_TEXTS).max(1);
    let sample: Vec<&str> = texts.iter().step_by(step).copied().collect();
    // Once untimed (the first batches allocate their buffers), then timed.
    let warm_up = &sample[..sample.len().min(request.batch_size)];
    classifier.probabilities(warm_up, request.batch_size, cancel)?;
    let clock = Instant::now();
    classifier.probabilities(&sample, request.batch_size, cancel)?;
    let per_text = clock.elapsed().as_secs_f64() / sample.len().max(1) as f64;
    Ok(ClassifyEstimate {
        seconds: per_text * rows as f64,
        rows,
        rows_exact,
        measured_texts: sample.len(),
        backend: classifier.info().backend.clone(),
    })
}
