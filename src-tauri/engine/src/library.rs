//! The model library: one folder per finished training run, each a Hugging Face model folder
//! with its `recipe.json` and `training_report.json`. The app keeps it under the OS's app-data
//! folder; the comparison view reads it back.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::error::{EngineError, Result};
use crate::fsutil::write_dir_atomically;
use crate::train::TrainingReport;

pub const REPORT_FILE: &str = "training_report.json";

/// One trained model as the library lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LibraryEntry {
    /// The folder name inside the library: stable, used to refer to the model.
    pub id: String,
    pub folder: String,
    #[ts(type = "number")]
    pub created_unix: u64,
    pub base_model: String,
    pub dataset: String,
    pub train_rows: usize,
    pub classes: usize,
    pub accuracy: Option<f64>,
    pub macro_f1: Option<f64>,
    pub wall_seconds: f64,
    pub backend: String,
}

/// The library folder.
#[derive(Debug, Clone)]
pub struct Library {
    root: PathBuf,
}

impl Library {
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Library { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A folder name for a new run, unique in the library: `<dataset>-<yyyymmdd-hhmmss>`.
    pub fn new_run_folder(&self, dataset: &Path, created_unix: u64) -> PathBuf {
        let stem: String = dataset
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into())
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .take(40)
            .collect();
        let base = format!("{stem}-{}", utc_stamp(created_unix));
        let mut candidate = self.root.join(&base);
        let mut n = 2;
        while candidate.exists() {
            candidate = self.root.join(format!("{base}-{n}"));
            n += 1;
        }
        candidate
    }

    /// The folder of a model, refusing ids that would leave the library.
    pub fn folder(&self, id: &str) -> Result<PathBuf> {
        let plain =
            !id.is_empty() && !id.starts_with('.') && !id.contains(['/', '\\']) && id != "..";
        let folder = self.root.join(id);
        if !plain || !folder.join(REPORT_FILE).is_file() {
            return Err(EngineError::invalid(format!(
                "There is no model \"{id}\" in the library."
            )));
        }
        Ok(folder)
    }

    pub fn report(&self, id: &str) -> Result<TrainingReport> {
        read_report(&self.folder(id)?.join(REPORT_FILE))
    }

    /// Every finished run, newest first. Folders that are not finished runs (hidden temporary
    /// folders of a run in progress, unreadable reports) are left out.
    pub fn list(&self) -> Result<Vec<LibraryEntry>> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(EngineError::io("read the folder", &self.root, e)),
        };
        let mut list = Vec::new();
        for entry in entries.flatten() {
            let id = entry.file_name().to_string_lossy().into_owned();
            if id.starts_with('.') {
                continue;
            }
            let path = entry.path();
            if let Ok(report) = read_report(&path.join(REPORT_FILE)) {
                list.push(summarise(id, &path, &report));
            }
        }
        list.sort_by(|a, b| b.created_unix.cmp(&a.created_unix).then(a.id.cmp(&b.id)));
        Ok(list)
    }

    /// Copies a model folder to `dest` (which must not exist yet), atomically: a failed copy
    /// leaves nothing under `dest`.
    pub fn export(&self, id: &str, dest: &Path) -> Result<()> {
        let source = self.folder(id)?;
        if dest.exists() {
            return Err(EngineError::invalid(format!(
                "\"{}\" already exists; choose a new folder name.",
                dest.display()
            )));
        }
        write_dir_atomically(dest, |tmp| copy_tree(&source, tmp))
    }
}

fn read_report(path: &Path) -> Result<TrainingReport> {
    let text = std::fs::read_to_string(path).map_err(|e| EngineError::io("read", path, e))?;
    serde_json::from_str(&text).map_err(|e| {
        EngineError::invalid(format!(
            "\"{}\" is not a training report BERT Studio can read: {e}.",
            path.display()
        ))
    })
}

fn summarise(id: String, folder: &Path, report: &TrainingReport) -> LibraryEntry {
    let dataset = Path::new(&report.data.train_file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| report.data.train_file.clone());
    LibraryEntry {
        id,
        folder: folder.display().to_string(),
        created_unix: report.created_unix,
        base_model: report.base_model.clone(),
        dataset,
        train_rows: report.data.train_rows,
        classes: report.data.classes.len(),
        accuracy: report.final_metrics.as_ref().map(|m| m.accuracy),
        macro_f1: report.final_metrics.as_ref().map(|m| m.macro_f1),
        wall_seconds: report.wall_seconds,
        backend: report.backend.clone(),
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let entries =
        std::fs::read_dir(from).map_err(|e| EngineError::io("read the folder", from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| EngineError::io("read the folder", from, e))?;
        let target = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|e| EngineError::io("read", &entry.path(), e))?;
        if kind.is_dir() {
            std::fs::create_dir(&target).map_err(|e| EngineError::io("create", &target, e))?;
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| EngineError::io("copy to", &target, e))?;
        }
    }
    Ok(())
}

/// `yyyymmdd-hhmmss` in UTC, from Unix seconds (civil-from-days, H. Hinnant's algorithm).
fn utc_stamp(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_calendar_times() {
        assert_eq!(utc_stamp(0), "19700101-000000");
        // 2026-11-26 18:49:37 UTC
        assert_eq!(utc_stamp(1_795_718_977), "20261126-184937");
        assert_eq!(utc_stamp(951_782_400), "20000229-000000");
    }

    #[test]
    fn ids_cannot_leave_the_library() {
        let root = tempfile::tempdir().unwrap();
        let library = Library::at(root.path());
        for id in ["..", "../x", ".hidden", "", "a/b"] {
            assert!(library.folder(id).is_err(), "{id}");
        }
        assert!(library.list().unwrap().is_empty());
        let folder = library.new_run_folder(Path::new("/data/my data.csv"), 0);
        assert_eq!(folder, root.path().join("my-data-19700101-000000"));
    }
}
