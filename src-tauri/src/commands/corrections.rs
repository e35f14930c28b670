//! The error inspector's corrections: a row relabelled or left out, kept beside the model
//! (never in the user's file), undone, and written out as a corrected copy of the file.

use std::path::{Path, PathBuf};

use bert_studio_engine::corrections::{
    CorrectedCopy, CorrectedRow, Corrections, write_corrected_copy,
};
use bert_studio_engine::fsutil::free_path;
use serde::Serialize;
use tauri::AppHandle;
use ts_rs::TS;

use super::{CommandResult, blocking, model_folder};

/// Every correction kept for a model.
#[tauri::command]
pub async fn list_corrections(app: AppHandle, model_id: String) -> CommandResult<Corrections> {
    let folder = model_folder(&app, &model_id)?;
    blocking(move || Corrections::load(&folder)).await
}

/// Keeps one row's correction (in place of an earlier one of the same row).
#[tauri::command]
pub async fn correct_row(
    app: AppHandle,
    model_id: String,
    row: CorrectedRow,
) -> CommandResult<Corrections> {
    let folder = model_folder(&app, &model_id)?;
    blocking(move || {
        let mut kept = Corrections::load(&folder)?;
        kept.set(row);
        kept.save(&folder)?;
        Ok(kept)
    })
    .await
}

/// Takes back the correction of row `line` of `file`.
#[tauri::command]
pub async fn undo_correction(
    app: AppHandle,
    model_id: String,
    file: String,
    line: u64,
) -> CommandResult<Corrections> {
    let folder = model_folder(&app, &model_id)?;
    blocking(move || {
        let mut kept = Corrections::load(&folder)?;
        if kept.undo(&file, line) {
            kept.save(&folder)?;
        }
        Ok(kept)
    })
    .await
}

/// Where a corrected copy went, and what it holds.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CorrectedFile {
    pub path: String,
    pub copy: CorrectedCopy,
}

/// Writes `<file>_corrected.csv` beside the file (a number added when the name is taken): the
/// file with the model's corrections applied.
#[tauri::command]
pub async fn export_corrected_copy(
    app: AppHandle,
    model_id: String,
    file: String,
    text_column: String,
    label_column: String,
) -> CommandResult<CorrectedFile> {
    let folder = model_folder(&app, &model_id)?;
    blocking(move || {
        let kept = Corrections::load(&folder)?;
        let source = PathBuf::from(&file);
        let output = corrected_name(&source);
        let copy = write_corrected_copy(&source, &text_column, &label_column, &kept, &output)?;
        Ok(CorrectedFile {
            path: output.display().to_string(),
            copy,
        })
    })
    .await
}

/// `<stem>_corrected.csv` beside `source`, or `<stem>_corrected-2.csv`… when taken.
fn corrected_name(source: &Path) -> PathBuf {
    let stem = source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    free_path(|n| match n {
        1 => source.with_file_name(format!("{stem}_corrected.csv")),
        n => source.with_file_name(format!("{stem}_corrected-{n}.csv")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrected_copy_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("nace.csv");
        assert_eq!(
            corrected_name(&source),
            dir.path().join("nace_corrected.csv")
        );
        std::fs::write(dir.path().join("nace_corrected.csv"), "x").unwrap();
        assert_eq!(
            corrected_name(&source),
            dir.path().join("nace_corrected-2.csv")
        );
    }
}
