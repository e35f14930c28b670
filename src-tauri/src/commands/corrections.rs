//! The error inspector's corrections: a row relabelled or left out, kept beside the model
//! (never in the user's file), undone, and written out as a corrected copy of the file.

use std::path::PathBuf;
use std::sync::Mutex;

use bert_studio_engine::EngineError;
use bert_studio_engine::corrections::{
    CorrectedCopy, CorrectedRow, Corrections, corrected_training_file, same_file,
    write_corrected_copy,
};
use serde::Serialize;
use tauri::{AppHandle, Manager};
use ts_rs::TS;

use super::data::DataChoice;
use super::{CommandResult, blocking, free_csv_for, library, model_folder};

/// One change of a corrections file at a time: load, change and save are one step, so that
/// two quick corrections cannot lose one.
#[derive(Default)]
pub struct CorrectionsLock(Mutex<()>);

/// Loads a model's corrections, changes them and saves them, holding the lock.
pub(crate) fn change(
    app: &AppHandle,
    folder: &std::path::Path,
    edit: impl FnOnce(&mut Corrections) -> bool,
) -> Result<Corrections, EngineError> {
    let lock = app.state::<CorrectionsLock>();
    let _held = lock.0.lock().unwrap_or_else(|p| p.into_inner());
    let mut kept = Corrections::load(folder)?;
    if edit(&mut kept) {
        kept.save(folder)?;
    }
    Ok(kept)
}

/// A model's corrections of the rows of `file` (the engine's rule for the same file however
/// its path is spelled: the page does not filter).
#[tauri::command]
pub async fn list_corrections(
    app: AppHandle,
    model_id: String,
    file: String,
) -> CommandResult<Corrections> {
    let folder = model_folder(&app, &model_id)?;
    blocking(move || Ok(Corrections::load(&folder)?.only_of(&file))).await
}

/// Keeps one row's correction (in place of an earlier one of the same row); answers with the
/// corrections of the row's file.
#[tauri::command]
pub async fn correct_row(
    app: AppHandle,
    model_id: String,
    row: CorrectedRow,
) -> CommandResult<Corrections> {
    let folder = model_folder(&app, &model_id)?;
    let file = row.file.clone();
    blocking(move || {
        let kept = change(&app, &folder, |kept| {
            kept.set(row);
            true
        })?;
        Ok(kept.only_of(&file))
    })
    .await
}

/// Takes back the correction of row `line` of `file`; answers with that file's corrections.
#[tauri::command]
pub async fn undo_correction(
    app: AppHandle,
    model_id: String,
    file: String,
    line: u64,
) -> CommandResult<Corrections> {
    let folder = model_folder(&app, &model_id)?;
    blocking(move || Ok(change(&app, &folder, |kept| kept.undo(&file, line))?.only_of(&file))).await
}

/// Where a corrected copy went, and what it holds.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CorrectedFile {
    pub path: String,
    pub copy: CorrectedCopy,
}

/// Writes `<file>_corrected.csv` beside the file (or in the app's copies folder, see
/// `free_csv_for`): the file with the model's corrections applied.
#[tauri::command]
pub async fn export_corrected_copy(
    app: AppHandle,
    model_id: String,
    file: String,
    text_column: String,
    label_column: String,
) -> CommandResult<CorrectedFile> {
    let folder = model_folder(&app, &model_id)?;
    let source = PathBuf::from(&file);
    let output = free_csv_for(&app, &source, "corrected")?;
    blocking(move || {
        let kept = Corrections::load(&folder)?;
        let copy = write_corrected_copy(&source, &text_column, &label_column, &kept, &output)?;
        Ok(CorrectedFile {
            path: output.display().to_string(),
            copy,
        })
    })
    .await
}

/// "Train again with my corrections": the model's recipe on a corrected copy of the file it
/// trained on (written as an exported copy is), with the same validation file; the page
/// starts it as any run.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CorrectedTraining {
    pub choice: DataChoice,
    pub copy: CorrectedFile,
}

#[tauri::command]
pub async fn corrected_training(
    app: AppHandle,
    model_id: String,
) -> CommandResult<CorrectedTraining> {
    let library = library(&app)?;
    let folder = model_folder(&app, &model_id)?;
    let report = library.report(&model_id)?;
    let output = free_csv_for(
        &app,
        std::path::Path::new(&report.data.train_file),
        "corrected",
    )?;
    blocking(move || {
        let kept = Corrections::load(&folder)?;
        let recipe = report.recipe;
        let copy = corrected_training_file(
            std::path::Path::new(&report.data.train_file),
            &recipe.text_column,
            &recipe.label_column,
            &kept,
            &output,
        )?;
        let path = output.display().to_string();
        // A run validated on its own training file is validated on the corrected copy too.
        let validation_csv = report.data.validation_file.map(|v| {
            if same_file(&v, &report.data.train_file) {
                path.clone()
            } else {
                v
            }
        });
        Ok(CorrectedTraining {
            choice: DataChoice {
                train_csv: path.clone(),
                validation_csv,
                dialect: None,
                recipe,
            },
            copy: CorrectedFile { path, copy },
        })
    })
    .await
}
