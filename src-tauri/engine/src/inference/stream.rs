//! Reading a CSV a window of rows at a time, with progress in bytes, so that files of any
//! size are classified in bounded memory.

use std::cell::Cell;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use ts_rs::TS;

use serde::Serialize;

use crate::data::CsvDialect;
use crate::data::csv_input::{csv_reader_over, data_error, read_headers, record_error};
use crate::data::dataset::{ColumnRole, too_many_fields_error};
use crate::error::{EngineError, ErrorReport, Result};
use crate::message::Message;
use crate::progress::ProgressMeter;
use crate::said;
use crate::source::DownloadEvent;

/// Rows per window: texts are sorted by length within a window, so a larger one pads less;
/// the window's texts, token ids and probabilities are what stays in memory.
const WINDOW_ROWS: usize = 2048;
/// A window also ends after this much text, so a file of very long texts stays bounded.
const WINDOW_TEXT_BYTES: usize = 8 << 20;

/// What a classification or evaluation run tells the world, as it happens.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum InferenceEvent {
    /// Model files are being downloaded.
    Download(DownloadEvent),
    Started {
        model: String,
        backend: String,
        backend_reason: Message,
        input: String,
        text_column: String,
        delimiter: String,
        encoding: String,
        #[ts(type = "number")]
        bytes_total: u64,
    },
    /// Progress, a few times a second at most.
    Progress {
        rows_done: usize,
        #[ts(type = "number")]
        bytes_done: u64,
        #[ts(type = "number")]
        bytes_total: u64,
        rows_per_second: f64,
        eta_seconds: f64,
    },
    Finished {
        rows: usize,
        empty_texts: usize,
        seconds: f64,
        rows_per_second: f64,
        /// Share of the positions computed that were padding (texts batched together are
        /// padded to the longest): the work spent on nothing.
        padding_share: f64,
        /// The file written (classification) or `None` (evaluation).
        output: Option<String>,
    },
    /// The job stopped with an error: what happened and what to try next.
    Failed {
        error: ErrorReport,
    },
    Cancelled,
}

/// Counts the bytes taken from the file (before decoding), for progress.
struct CountingReader<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// One data row: its fields and the line it starts on.
pub(crate) struct Row {
    pub record: csv::StringRecord,
    pub line: u64,
}

/// The rows of a CSV file, a window at a time.
pub(crate) struct RowWindows {
    path: PathBuf,
    reader: csv::Reader<Box<dyn Read>>,
    pub headers: Vec<String>,
    pub bytes_total: u64,
    bytes_read: Rc<Cell<u64>>,
    text_column: usize,
    finished: bool,
}

impl RowWindows {
    pub fn open(path: &Path, dialect: CsvDialect) -> Result<Self> {
        let file = File::open(path).map_err(|e| EngineError::io("open", path, e))?;
        let bytes_total = file
            .metadata()
            .map_err(|e| EngineError::io("read", path, e))?
            .len();
        let bytes_read = Rc::new(Cell::new(0));
        let counting = CountingReader {
            inner: file,
            count: bytes_read.clone(),
        };
        let mut reader = csv_reader_over(counting, dialect);
        let headers = read_headers(path, &mut reader)?;
        Ok(RowWindows {
            path: path.to_path_buf(),
            reader,
            headers,
            bytes_total,
            bytes_read,
            text_column: 0,
            finished: false,
        })
    }

    /// Which column's length bounds a window.
    pub fn set_text_column(&mut self, index: usize) {
        self.text_column = index;
    }

    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.get()
    }

    /// The next rows, or `None` at the end of the file.
    pub fn next_window(&mut self) -> Result<Option<Vec<Row>>> {
        if self.finished {
            return Ok(None);
        }
        let mut rows = Vec::new();
        let mut text_bytes = 0usize;
        while rows.len() < WINDOW_ROWS && text_bytes < WINDOW_TEXT_BYTES {
            let mut record = csv::StringRecord::new();
            match self.reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => {
                    self.finished = true;
                    break;
                }
                Err(e) => return Err(record_error(&self.path, e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            if record.len() > self.headers.len() {
                return Err(too_many_fields_error(
                    &self.path,
                    Some(line),
                    record.len(),
                    self.headers.len(),
                ));
            }
            text_bytes += record.get(self.text_column).map_or(0, str::len);
            rows.push(Row { record, line });
        }
        Ok(if rows.is_empty() { None } else { Some(rows) })
    }
}

/// A progress event in rows, with a rate and the time left from the share of bytes read, when
/// one is due.
pub(crate) fn progress_event(
    meter: &mut ProgressMeter,
    rows_done: usize,
    bytes_done: u64,
    bytes_total: u64,
) -> Option<InferenceEvent> {
    if !meter.due() {
        return None;
    }
    Some(InferenceEvent::Progress {
        rows_done,
        bytes_done,
        bytes_total,
        rows_per_second: meter.rate(rows_done),
        eta_seconds: meter.seconds_left(
            bytes_done as f64,
            bytes_total.saturating_sub(bytes_done) as f64,
        ),
    })
}

/// The text column's index: the one named, or the one guessed from the first rows.
pub(crate) fn text_column_index(
    path: &Path,
    dialect: CsvDialect,
    headers: &[String],
    wanted: Option<&str>,
) -> Result<usize> {
    match wanted {
        Some(name) => crate::data::dataset::column_index(path, headers, name, ColumnRole::Text),
        None => {
            let preview = crate::data::preview_csv(path, Some(dialect), 50)?;
            let guess = preview.guessed_text_column.ok_or_else(|| {
                data_error(
                    path,
                    Some(1),
                    said!("data_error.no_columns", "the file has no columns"),
                )
            })?;
            Ok(headers
                .iter()
                .position(|h| *h == guess)
                .expect("the guess is one of the headers"))
        }
    }
}

/// An input file opened for a run: dialect detected (unless given), text column found, and
/// the `Started` event sent.
pub(crate) struct OpenedInput {
    pub dialect: CsvDialect,
    pub windows: RowWindows,
    pub text_column: usize,
}

pub(crate) fn open_input(
    classifier: &super::Classifier,
    input: &Path,
    dialect: Option<CsvDialect>,
    text_column: Option<&str>,
    sink: &mut dyn FnMut(InferenceEvent),
) -> Result<OpenedInput> {
    let dialect = match dialect {
        Some(d) => d,
        None => crate::data::sniff_dialect(input)?,
    };
    let mut windows = RowWindows::open(input, dialect)?;
    let text_i = text_column_index(input, dialect, &windows.headers, text_column)?;
    windows.set_text_column(text_i);
    let info = classifier.info();
    sink(InferenceEvent::Started {
        model: info.model.clone(),
        backend: info.backend.clone(),
        backend_reason: info.backend_reason.clone(),
        input: input.display().to_string(),
        text_column: windows.headers[text_i].clone(),
        delimiter: dialect.delimiter_name().into(),
        encoding: dialect.encoding.label().to_string(),
        bytes_total: windows.bytes_total,
    });
    Ok(OpenedInput {
        dialect,
        windows,
        text_column: text_i,
    })
}

/// Runs `job`; a failure or a cancellation is also reported as an event.
pub(crate) fn run_reported<T>(
    sink: &mut dyn FnMut(InferenceEvent),
    job: impl FnOnce(&mut dyn FnMut(InferenceEvent)) -> Result<T>,
) -> Result<T> {
    let result = job(sink);
    crate::kernels::return_freed_memory();
    if let Err(e) = &result {
        sink(match e {
            EngineError::Cancelled => InferenceEvent::Cancelled,
            e => InferenceEvent::Failed { error: e.report() },
        });
    }
    result
}

/// Loads the model named `model`, then runs `job` with it (both reported as events).
pub(crate) fn load_then_run<T>(
    model: &str,
    options: &super::ClassifierOptions,
    sink: &mut dyn FnMut(InferenceEvent),
    job: impl FnOnce(&super::Classifier, &mut dyn FnMut(InferenceEvent)) -> Result<T>,
) -> Result<T> {
    run_reported(sink, |sink| {
        let classifier =
            super::Classifier::load(model, options, &mut |d| sink(InferenceEvent::Download(d)))?;
        job(&classifier, sink)
    })
}
