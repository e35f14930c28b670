//! The commands the page calls, one file per domain. Each is thin: it checks nothing the
//! engine checks, runs the engine function off the main thread, and turns engine errors into
//! `ErrorReport`s. Here: what they share, and the app-wide commands.

pub mod classify;
pub mod compare;
pub mod data;
pub mod dialogs;
pub mod library;
pub mod models;
pub mod training;

use std::path::PathBuf;

use bert_studio_engine::catalog::{SuggestedModel, suggested_models};
use bert_studio_engine::library::Library;
use bert_studio_engine::train::Recipe;
use bert_studio_engine::{EngineError, ErrorReport};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::jobs::TrainingJobs;

pub(crate) type CommandResult<T> = Result<T, ErrorReport>;

/// Runs blocking engine work on the thread pool, so the window never waits on it.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
) -> CommandResult<T> {
    blocking_app(move || work().map_err(ErrorReport::from)).await
}

/// `blocking` for the app's own work, which fails with an `ErrorReport` directly.
pub(crate) async fn blocking_app<T: Send + 'static>(
    work: impl FnOnce() -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| {
            ErrorReport::new(
                "internal",
                format!("The task stopped unexpectedly: {e}."),
                None,
            )
        })?
}

/// What the page needs once, at start.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub library_folder: String,
    /// The bundled NACE sample (French activity descriptions → NACE division).
    pub sample_data: String,
    /// The reference notebook's hyperparameters.
    pub default_recipe: Recipe,
    pub suggested_models: Vec<SuggestedModel>,
}

pub fn library(app: &AppHandle) -> CommandResult<Library> {
    let data = app.path().app_data_dir().map_err(|e| {
        ErrorReport::new(
            "io",
            format!("This system has no folder for app data: {e}."),
            None,
        )
    })?;
    Ok(Library::at(data.join("models")))
}

/// The folder of a library model, or the page's error when there is no such model.
pub(crate) fn model_folder(app: &AppHandle, model_id: &str) -> CommandResult<PathBuf> {
    library(app)?.folder(model_id).map_err(ErrorReport::from)
}

fn sample_data_path(app: &AppHandle) -> PathBuf {
    let bundled = app
        .path()
        .resolve("sample/nace_fr.csv", tauri::path::BaseDirectory::Resource)
        .ok()
        .filter(|p| p.is_file());
    bundled.unwrap_or_else(|| {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/sample/nace_fr.csv"
        ))
    })
}

#[tauri::command]
pub fn app_info(app: AppHandle) -> CommandResult<AppInfo> {
    Ok(AppInfo {
        version: bert_studio_engine::VERSION.into(),
        library_folder: library(&app)?.root().display().to_string(),
        sample_data: sample_data_path(&app).display().to_string(),
        default_recipe: Recipe::default(),
        suggested_models: suggested_models(),
    })
}

/// The page confirmed closing while training: stop the run (its temporary folder is removed)
/// and close.
#[tauri::command]
pub async fn quit(app: AppHandle, jobs: State<'_, TrainingJobs>) -> CommandResult<()> {
    jobs.cancel_and_wait(std::time::Duration::from_secs(5));
    app.exit(0);
    Ok(())
}
