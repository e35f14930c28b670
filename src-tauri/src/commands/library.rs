//! The model library: list, report, rename, delete, show, import and export.

use bert_studio_engine::library::LibraryEntry;
use bert_studio_engine::said;
use bert_studio_engine::train::TrainingReport;
use bert_studio_engine::{ErrorReport, unix_now};
use tauri::{AppHandle, State, WebviewWindow};

use super::dialogs::pick_folder;
use super::{CommandResult, blocking, library, model_folder};
use crate::jobs::TrainingJobs;

#[tauri::command]
pub async fn list_models(app: AppHandle) -> CommandResult<Vec<LibraryEntry>> {
    let library = library(&app)?;
    blocking(move || library.list()).await
}

#[tauri::command]
pub async fn model_report(app: AppHandle, model_id: String) -> CommandResult<TrainingReport> {
    let library = library(&app)?;
    blocking(move || library.report(&model_id)).await
}

/// Asks where to put a copy of a trained model and copies it there; `None` if the user
/// closed the dialog.
#[tauri::command]
pub async fn export_model(
    app: AppHandle,
    window: WebviewWindow,
    model_id: String,
) -> CommandResult<Option<String>> {
    let library = library(&app)?;
    let Some(parent) = pick_folder(&window, "export_model") else {
        return Ok(None);
    };
    let dest = parent.join(&model_id);
    blocking(move || {
        library.export(&model_id, &dest)?;
        Ok(Some(dest.display().to_string()))
    })
    .await
}

#[tauri::command]
pub async fn rename_model(
    app: AppHandle,
    model_id: String,
    name: String,
) -> CommandResult<LibraryEntry> {
    let library = library(&app)?;
    blocking(move || library.rename(&model_id, &name)).await
}

/// A multi-label model's decision threshold, chosen on its validation rows in the result view.
#[tauri::command]
pub async fn set_decision_threshold(
    app: AppHandle,
    model_id: String,
    threshold: f64,
) -> CommandResult<()> {
    let library = library(&app)?;
    blocking(move || {
        let folder = library.folder(&model_id)?;
        bert_studio_engine::model::set_decision_threshold(&folder, threshold)
    })
    .await
}

/// Deletes a model; not one of a search still running (its comparison needs every run).
#[tauri::command]
pub async fn delete_model(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
    model_id: String,
) -> CommandResult<()> {
    let library = library(&app)?;
    if jobs.runs_in(&library.root().join(&model_id)) {
        return Err(ErrorReport::said(
            "busy",
            said!(
                "app.model_in_search",
                "This model is one of the runs of the search going on now."
            ),
            Some(said!(
                "app.model_in_search_hint",
                "Delete it once the search has finished, or cancel the search first."
            )),
        ));
    }
    blocking(move || library.delete(&model_id)).await
}

/// Opens the model's folder in the system's file manager.
#[tauri::command]
pub async fn reveal_model(app: AppHandle, model_id: String) -> CommandResult<()> {
    let folder = model_folder(&app, &model_id)?;
    // Whichever opener the desktop has (xdg-open, gio, kde-open, wslview; open; ShellExecute),
    // without waiting for the file manager to close.
    open::that_detached(&folder).map_err(|e| {
        ErrorReport::said(
            "io",
            said!(
                "app.no_file_manager",
                "Could not open a file manager ({detail}).",
                detail = e.to_string()
            ),
            Some(said!(
                "app.model_is_in",
                "The model is in {folder}",
                folder = folder.display().to_string()
            )),
        )
    })
}

/// Asks for a Hugging Face classification folder and copies it into the library.
#[tauri::command]
pub async fn import_model(
    app: AppHandle,
    window: WebviewWindow,
) -> CommandResult<Option<LibraryEntry>> {
    let library = library(&app)?;
    let Some(source) = pick_folder(&window, "import_model") else {
        return Ok(None);
    };
    blocking(move || library.import(&source, unix_now()).map(Some)).await
}
