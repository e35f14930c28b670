//! A user's corrections to the labels of a data file, kept in a small file beside the model,
//! never in the user's CSV: a row relabelled or left out, each one undoable, and a corrected
//! copy of the file to export or to train on again.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::data::csv_input::{TextEncoding, csv_reader, next_record, read_headers, sniff_dialect};
use crate::data::dataset::{ColumnRole, column_index};
use crate::error::{EngineError, Result};
use crate::fsutil::{file_name_of, write_file_atomically};
use crate::said;

/// The corrections of a model's data, in its folder.
pub const CORRECTIONS_FILE: &str = "corrections.json";

/// What the user did to a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Correction {
    /// The row's label is wrong: this is the right one.
    Relabel { label: String },
    /// The row should not be learned from at all.
    Exclude,
}

/// One corrected row of a data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CorrectedRow {
    /// The data file the row is in.
    pub file: String,
    /// The line the row starts on, as the error inspector shows it.
    #[ts(type = "number")]
    pub line: u64,
    /// The row's text and label when it was corrected: a file changed since is noticed.
    pub text: String,
    pub label: String,
    pub correction: Correction,
}

/// Every correction kept for one model, in the order they were made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Corrections {
    pub rows: Vec<CorrectedRow>,
}

impl Corrections {
    /// The corrections kept in `model_folder` (none yet: empty).
    pub fn load(model_folder: &Path) -> Result<Self> {
        let path = model_folder.join(CORRECTIONS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(EngineError::io("read", &path, e)),
        };
        serde_json::from_str(&text).map_err(|e| {
            EngineError::invalid(said!(
                "invalid.corrections_file",
                "The corrections file \"{path}\" could not be read ({detail}). It was left as it is.",
                path = path.display().to_string(),
                detail = e.to_string()
            ))
        })
    }

    /// Writes them to `model_folder` (whole or not at all).
    pub fn save(&self, model_folder: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("corrections serialise");
        write_file_atomically(&model_folder.join(CORRECTIONS_FILE), text.as_bytes())
    }

    /// Keeps `row`'s correction, in place of an earlier one of the same row.
    pub fn set(&mut self, row: CorrectedRow) {
        self.rows
            .retain(|r| !(r.file == row.file && r.line == row.line));
        self.rows.push(row);
    }

    /// Takes back the correction of row `line` of `file`; false when it had none.
    pub fn undo(&mut self, file: &str, line: u64) -> bool {
        let before = self.rows.len();
        self.rows.retain(|r| !(r.file == file && r.line == line));
        self.rows.len() < before
    }

    /// The file `from` was moved to `to`: its corrections follow it. False when it had none.
    pub fn file_moved(&mut self, from: &str, to: &str) -> bool {
        let mut moved = false;
        for row in self.rows.iter_mut().filter(|r| r.file == from) {
            row.file = to.to_string();
            moved = true;
        }
        moved
    }

    /// The corrections of one file, however its path is spelled (a symbolic link, `..`).
    pub fn of_file<'a>(&'a self, file: &'a str) -> impl Iterator<Item = &'a CorrectedRow> {
        let wanted = same_file_key(file);
        self.rows
            .iter()
            .filter(move |r| r.file == file || same_file_key(&r.file) == wanted)
    }

    /// The corrections of `file` alone (however its path is spelled), what a page showing that
    /// file is sent.
    pub fn only_of(&self, file: &str) -> Corrections {
        Corrections {
            rows: self.of_file(file).cloned().collect(),
        }
    }
}

/// A file's path in one spelling: resolved when the file exists, as given otherwise.
fn same_file_key(path: &str) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path))
}

/// Whether two paths name the same file.
pub fn same_file(a: &str, b: &str) -> bool {
    a == b || same_file_key(a) == same_file_key(b)
}

/// What a corrected copy holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CorrectedCopy {
    pub rows_written: usize,
    pub relabelled: usize,
    pub excluded: usize,
}

/// Writes `output`: `source` with its corrections applied (labels replaced in `label_column`,
/// excluded rows left out), every column kept, the same delimiter, UTF-8. A corrected row whose
/// text or label has changed in the file since is refused, and nothing is written.
pub fn write_corrected_copy(
    source: &Path,
    text_column: &str,
    label_column: &str,
    corrections: &Corrections,
    output: &Path,
) -> Result<CorrectedCopy> {
    let file = source.display().to_string();
    let mut pending: std::collections::BTreeMap<u64, &CorrectedRow> =
        corrections.of_file(&file).map(|r| (r.line, r)).collect();
    let dialect = sniff_dialect(source)?;
    let mut reader = csv_reader(source, dialect)?;
    let headers = read_headers(source, &mut reader)?;
    let text_i = column_index(source, &headers, text_column, ColumnRole::Text)?;
    let label_i = column_index(source, &headers, label_column, ColumnRole::Label)?;
    // Written beside `output` and moved into place whole, never over a file that appeared
    // meanwhile; with a BOM when the source had one or was not UTF-8, so that a spreadsheet
    // reads its accents the same way.
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut partial = tempfile::Builder::new()
        .prefix(".bert-studio-")
        .suffix(".partial.csv")
        .tempfile_in(&parent)
        .map_err(|e| EngineError::io("create a file in", &parent, e))?;
    if dialect.encoding != TextEncoding::Utf8 || starts_with_bom(source) {
        partial
            .write_all(b"\xEF\xBB\xBF")
            .map_err(|e| EngineError::io("write", output, e))?;
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(dialect.delimiter)
        .flexible(true)
        .from_writer(std::io::BufWriter::new(partial.as_file_mut()));
    let write_error = |e: csv::Error| EngineError::io("write", output, e);
    writer.write_record(&headers).map_err(write_error)?;
    let mut copy = CorrectedCopy {
        rows_written: 0,
        relabelled: 0,
        excluded: 0,
    };
    let mut record = csv::StringRecord::new();
    while next_record(source, &mut reader, &mut record)? {
        let line = record.position().map_or(0, |p| p.line());
        let Some(row) = pending.remove(&line) else {
            writer.write_record(&record).map_err(write_error)?;
            copy.rows_written += 1;
            continue;
        };
        let (text, label) = (
            record.get(text_i).unwrap_or("").trim(),
            record.get(label_i).unwrap_or("").trim(),
        );
        if text != row.text.trim() || label != row.label.trim() {
            return Err(changed_since(&file, line));
        }
        match &row.correction {
            Correction::Exclude => copy.excluded += 1,
            Correction::Relabel { label } => {
                let fields: Vec<&str> = record
                    .iter()
                    .enumerate()
                    .map(|(i, f)| if i == label_i { label.as_str() } else { f })
                    .collect();
                writer.write_record(&fields).map_err(write_error)?;
                copy.relabelled += 1;
                copy.rows_written += 1;
            }
        }
    }
    if let Some((&line, _)) = pending.iter().next() {
        return Err(changed_since(&file, line));
    }
    writer
        .into_inner()
        .map_err(|e| EngineError::io("write", output, e.into_error()))?
        .flush()
        .map_err(|e| EngineError::io("write", output, e))?;
    partial
        .persist_noclobber(output)
        .map_err(|e| EngineError::io("write", output, e.error))?;
    Ok(copy)
}

/// Writes the corrected copy of the file a run trained on to `output`, for a new run with the
/// same recipe. Refused when no correction is to that file.
pub fn corrected_training_file(
    train_file: &Path,
    text_column: &str,
    label_column: &str,
    corrections: &Corrections,
    output: &Path,
) -> Result<CorrectedCopy> {
    let file = train_file.display().to_string();
    if corrections.of_file(&file).next().is_none() {
        return Err(EngineError::invalid(said!(
            "invalid.no_training_corrections",
            "None of the corrections is to \"{file}\", the file this model was trained on. \
             Evaluate the model on that file, correct its rows there, then train again.",
            file = file_name_of(&file)
        )));
    }
    write_corrected_copy(train_file, text_column, label_column, corrections, output)
}

fn starts_with_bom(path: &Path) -> bool {
    let mut head = [0u8; 3];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == [0xEF, 0xBB, 0xBF])
}

fn changed_since(file: &str, line: u64) -> EngineError {
    EngineError::invalid(said!(
        "invalid.corrections_file_changed",
        "\"{file}\" has changed since line {line} was corrected: its text or label is no \
         longer the same. Undo that correction, or correct the row again.",
        file = file,
        line = line
    ))
}
