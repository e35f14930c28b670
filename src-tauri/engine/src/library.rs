//! The model library: one folder per finished training run, each a Hugging Face model folder
//! with its `recipe.json` and `training_report.json`, and the folders of unfinished runs (only
//! `checkpoints/`, resumable). The app keeps it under the OS's app-data folder; the comparison
//! view reads it back.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::backend::CpuBackend;
use crate::error::{EngineError, Result};
use crate::fsutil::{file_name_of, free_path, write_dir_atomically, write_file_atomically};
use crate::model::{LoadOptions, ModelConfig, load_model_folder};
use crate::said;
use crate::train::{TrainingReport, UnfinishedRun, unfinished_run};

use crate::train::checkpoint::CHECKPOINTS_DIR;
pub use crate::train::checkpoint::REPORT_FILE;
const META_FILE: &str = "library.json";

/// The library's own facts about a model, kept in `library.json` inside its folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct LibraryMeta {
    /// The name shown in the library (editable); the folder name when never set.
    name: Option<String>,
    /// Where an imported model came from.
    imported_from: Option<String>,
    imported_unix: Option<u64>,
}

/// One model as the library lists it: trained here (with its report) or imported.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LibraryEntry {
    /// The folder name inside the library: stable, used to refer to the model.
    pub id: String,
    /// The name shown to the user (editable).
    pub name: String,
    pub folder: String,
    #[ts(type = "number")]
    pub created_unix: u64,
    /// The model it was fine-tuned from (trained here), or where it was imported from.
    pub base_model: String,
    pub dataset: Option<String>,
    pub train_rows: Option<usize>,
    pub classes: usize,
    /// Several labels per row (sigmoid scores): `accuracy` is then subset accuracy, every
    /// label of a row right.
    pub multi_label: bool,
    pub accuracy: Option<f64>,
    pub macro_f1: Option<f64>,
    pub wall_seconds: Option<f64>,
    pub backend: Option<String>,
    /// True when trained by BERT Studio (a training report exists).
    pub trained_here: bool,
}

/// A run that stopped before it finished (the app closed or crashed, the computer went off, or
/// it was cancelled after an epoch): it can be resumed from its last checkpoint.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UnfinishedEntry {
    pub id: String,
    pub run: UnfinishedRun,
}

/// A library model: its listing, and the report of its run when it was trained here.
#[derive(Debug, Clone)]
pub struct LibraryModel {
    pub entry: LibraryEntry,
    pub report: Option<TrainingReport>,
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

    /// Where searches keep their plans (hidden from the model list: its name starts with a dot).
    pub fn searches_folder(&self) -> PathBuf {
        self.root.join(".searches")
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
        free_path(|n| match n {
            1 => self.root.join(&base),
            n => self.root.join(format!("{base}-{n}")),
        })
    }

    /// The folder of a model, refusing ids that would leave the library.
    pub fn folder(&self, id: &str) -> Result<PathBuf> {
        let folder = self.root.join(id);
        if !plain_id(id) || !folder.join("config.json").is_file() {
            return Err(EngineError::invalid(said!(
                "invalid.no_such_model",
                "There is no model \"{id}\" in the library.",
                id = id
            )));
        }
        Ok(folder)
    }

    /// The training report of a model trained here.
    pub fn report(&self, id: &str) -> Result<TrainingReport> {
        let path = self.folder(id)?.join(REPORT_FILE);
        if !path.is_file() {
            return Err(EngineError::invalid(said!(
                "invalid.no_report",
                "\"{id}\" was imported, not trained here: it has no training report. Evaluate \
                 it on a labelled file to see its metrics.",
                id = id
            )));
        }
        TrainingReport::read(&path)
    }

    /// One library entry.
    pub fn entry(&self, id: &str) -> Result<LibraryEntry> {
        self.model(id).map(|m| m.entry)
    }

    /// A library model with its training report (read once), for comparisons.
    pub fn model(&self, id: &str) -> Result<LibraryModel> {
        let folder = self.folder(id)?;
        describe(id.to_string(), &folder)
    }

    /// Sets the name shown for a model.
    pub fn rename(&self, id: &str, name: &str) -> Result<LibraryEntry> {
        let folder = self.folder(id)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(EngineError::invalid(said!(
                "invalid.model_name",
                "A model name must have between 1 and 120 characters."
            )));
        }
        let mut meta = read_meta(&folder);
        meta.name = Some(name.to_string());
        write_meta(&folder, &meta)?;
        self.entry(id)
    }

    /// Runs that can be resumed, the most recently saved first.
    pub fn unfinished(&self) -> Result<Vec<UnfinishedEntry>> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(EngineError::io("read the folder", &self.root, e)),
        };
        let mut list: Vec<UnfinishedEntry> = entries
            .flatten()
            .filter_map(|entry| {
                let id = entry.file_name().to_string_lossy().into_owned();
                if !plain_id(&id) {
                    return None;
                }
                let run = unfinished_run(&entry.path()).ok().flatten()?;
                Some(UnfinishedEntry { id, run })
            })
            .collect();
        list.sort_by_key(|u| std::cmp::Reverse(u.run.saved_unix));
        Ok(list)
    }

    /// The folder of an unfinished run (checkpoints, no report), refusing ids that would leave
    /// the library. Its checkpoint is read by whoever uses it (`TrainingRequest::resume`).
    pub fn unfinished_folder(&self, id: &str) -> Result<PathBuf> {
        let folder = self.root.join(id);
        let unfinished =
            folder.join(CHECKPOINTS_DIR).is_dir() && !folder.join(REPORT_FILE).is_file();
        if !plain_id(id) || !unfinished {
            return Err(EngineError::invalid(said!(
                "invalid.no_such_run",
                "There is no unfinished run \"{id}\" in the library.",
                id = id
            )));
        }
        Ok(folder)
    }

    /// Throws an unfinished run away (its checkpoints).
    pub fn discard_unfinished(&self, id: &str) -> Result<()> {
        let folder = self.unfinished_folder(id)?;
        std::fs::remove_dir_all(&folder).map_err(|e| EngineError::io("delete", &folder, e))
    }

    /// Removes a model folder from the library for good.
    pub fn delete(&self, id: &str) -> Result<()> {
        let folder = self.folder(id)?;
        std::fs::remove_dir_all(&folder).map_err(|e| EngineError::io("delete", &folder, e))
    }

    /// Copies a Hugging Face classification folder into the library (it must load as a
    /// BERT-family classifier: config with labels, weights, tokenizer).
    pub fn import(&self, source: &Path, now_unix: u64) -> Result<LibraryEntry> {
        // Loading it is the check: config, weights, shapes and tokenizer all have to fit.
        let loaded =
            load_model_folder::<CpuBackend>(source, &LoadOptions::default(), &Default::default())?;
        if loaded.report.new_classifier {
            return Err(EngineError::invalid(said!(
                "invalid.import_base_model",
                "\"{path}\" is a base model without a trained classification head. Train it on \
                 labelled data instead of importing it.",
                path = source.display().to_string()
            )));
        }
        drop(loaded);
        let dest = self.new_run_folder(source, now_unix);
        let meta = LibraryMeta {
            name: source.file_name().map(|n| n.to_string_lossy().into_owned()),
            imported_from: Some(source.display().to_string()),
            imported_unix: Some(now_unix),
        };
        write_dir_atomically(&dest, |tmp| {
            copy_tree(source, tmp)?;
            // A report copied along would describe another run; the library's own facts win.
            let _ = std::fs::remove_file(tmp.join(META_FILE));
            write_meta(tmp, &meta)
        })?;
        let id = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.entry(&id)
    }

    /// Every model, newest first. Folders that are not models (hidden temporary folders of a
    /// run in progress, folders without a readable config.json) are left out.
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
            if let Ok(described) = describe(id, &path) {
                list.push(described.entry);
            }
        }
        list.sort_by(|a, b| b.created_unix.cmp(&a.created_unix).then(a.id.cmp(&b.id)));
        Ok(list)
    }

    /// Removes what runs killed mid-way left in the library (their hidden `.<name>.partial-<pid>-<n>`
    /// folders), when the process that wrote them is gone. Returns how many were removed.
    pub fn remove_stale_partials(&self) -> usize {
        crate::fsutil::remove_stale_partials(&self.root)
    }

    /// Copies a model folder to `dest` (which must not exist yet), atomically: a failed copy
    /// leaves nothing under `dest`.
    pub fn export(&self, id: &str, dest: &Path) -> Result<()> {
        let source = self.folder(id)?;
        if dest.exists() {
            return Err(EngineError::invalid(said!(
                "invalid.folder_exists",
                "\"{path}\" already exists; choose a new folder name.",
                path = dest.display().to_string()
            )));
        }
        write_dir_atomically(dest, |tmp| copy_tree(&source, tmp))
    }
}

/// A folder name of the library itself: no path separators, not hidden, not "..".
pub(crate) fn plain_id(id: &str) -> bool {
    !id.is_empty() && !id.starts_with('.') && !id.contains(['/', '\\']) && id != ".."
}

fn read_meta(folder: &Path) -> LibraryMeta {
    std::fs::read_to_string(folder.join(META_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn write_meta(folder: &Path, meta: &LibraryMeta) -> Result<()> {
    let text = serde_json::to_string_pretty(meta).expect("meta serialises");
    write_file_atomically(&folder.join(META_FILE), text.as_bytes())
}

fn describe(id: String, folder: &Path) -> Result<LibraryModel> {
    let meta = read_meta(folder);
    let name = meta.name.clone().unwrap_or_else(|| id.clone());
    let report_path = folder.join(REPORT_FILE);
    if report_path.is_file() {
        let report = TrainingReport::read(&report_path)?;
        let entry = LibraryEntry {
            id,
            name,
            folder: folder.display().to_string(),
            created_unix: report.created_unix,
            base_model: report.base_model.clone(),
            dataset: Some(file_name_of(&report.data.train_file)),
            train_rows: Some(report.data.train_rows),
            classes: report.data.classes.len(),
            multi_label: report.data.multi_label,
            accuracy: report.final_metrics.as_ref().map(|m| m.accuracy),
            macro_f1: report.final_metrics.as_ref().map(|m| m.macro_f1),
            wall_seconds: Some(report.wall_seconds),
            backend: Some(report.trained_on()),
            trained_here: true,
        };
        return Ok(LibraryModel {
            entry,
            report: Some(report),
        });
    }
    let config = ModelConfig::from_file(&folder.join("config.json"))?;
    let entry = LibraryEntry {
        id,
        name,
        folder: folder.display().to_string(),
        created_unix: meta.imported_unix.unwrap_or(0),
        base_model: meta.imported_from.unwrap_or_else(|| "imported".into()),
        dataset: None,
        train_rows: None,
        classes: config.num_labels(),
        multi_label: config.is_multi_label(),
        accuracy: None,
        macro_f1: None,
        wall_seconds: None,
        backend: None,
        trained_here: false,
    };
    Ok(LibraryModel {
        entry,
        report: None,
    })
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

/// `yyyymmdd-hhmmss` in UTC, from Unix seconds.
fn utc_stamp(unix: u64) -> String {
    let t = i64::try_from(unix)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
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
    fn imported_models_are_listed_renamed_and_deleted() {
        let root = tempfile::tempdir().unwrap();
        let library = Library::at(root.path().join("models"));
        let fixture = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tiny-bert"
        ));
        let entry = library.import(fixture, 1_795_718_977).unwrap();
        assert_eq!(
            (entry.name.as_str(), entry.classes, entry.trained_here),
            ("tiny-bert", 3, false)
        );
        assert_eq!(entry.id, "tiny-bert-20261126-184937");
        assert!(
            library
                .report(&entry.id)
                .unwrap_err()
                .to_string()
                .contains("imported")
        );

        let renamed = library.rename(&entry.id, "  Secteurs (essai) ").unwrap();
        assert_eq!(renamed.name, "Secteurs (essai)");
        assert!(library.rename(&entry.id, " ").is_err());
        let listed = library.list().unwrap();
        assert_eq!(listed, vec![renamed.clone()]);

        // A folder that is not a complete model is refused and nothing is added.
        let broken = root.path().join("broken");
        std::fs::create_dir(&broken).unwrap();
        std::fs::copy(fixture.join("config.json"), broken.join("config.json")).unwrap();
        assert!(library.import(&broken, 1).is_err());
        assert_eq!(library.list().unwrap().len(), 1);

        library.delete(&entry.id).unwrap();
        assert!(library.list().unwrap().is_empty());
        assert!(library.delete(&entry.id).is_err());
    }

    #[test]
    fn partial_folders_of_dead_runs_are_swept() {
        let root = tempfile::tempdir().unwrap();
        let library = Library::at(root.path());
        // pid 4194304 is above Linux's maximum, so no process has it.
        let dead = root.path().join(".run-20261126-000000.partial-4194304-0");
        let ours = root
            .path()
            .join(format!(".run.partial-{}-3", std::process::id()));
        let model = root.path().join("kept-model");
        for dir in [&dead, &ours, &model] {
            std::fs::create_dir(dir).unwrap();
        }
        assert_eq!(crate::fsutil::partial_writer(".a.b.partial-12-3"), Some(12));
        assert_eq!(crate::fsutil::partial_writer("visible.partial-12-3"), None);
        assert_eq!(
            library.remove_stale_partials(),
            usize::from(cfg!(target_os = "linux"))
        );
        assert_eq!(dead.exists(), !cfg!(target_os = "linux"));
        assert!(ours.exists() && model.exists());
    }

    #[test]
    fn ids_cannot_leave_the_library() {
        let root = tempfile::tempdir().unwrap();
        let library = Library::at(root.path());
        for id in ["..", "../x", ".hidden", "", "a/b"] {
            assert!(library.folder(id).is_err(), "{id}");
            assert!(library.unfinished_folder(id).is_err(), "{id}");
            assert!(library.discard_unfinished(id).is_err(), "{id}");
        }
        // A finished model is not an unfinished run: Discard cannot delete it.
        let finished = root.path().join("finished");
        std::fs::create_dir(&finished).unwrap();
        std::fs::write(finished.join("config.json"), "{}").unwrap();
        assert!(library.discard_unfinished("finished").is_err());
        assert!(finished.exists());
        assert!(library.unfinished().unwrap().is_empty());
        assert!(library.list().unwrap().is_empty());
        let folder = library.new_run_folder(Path::new("/data/my data.csv"), 0);
        assert_eq!(folder, root.path().join("my-data-19700101-000000"));
    }
}
