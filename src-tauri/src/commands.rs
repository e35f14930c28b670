//! The commands the page calls. Each is thin: it checks nothing the engine checks, runs the
//! engine function off the main thread, and turns engine errors into `ErrorReport`s.

use std::path::{Path, PathBuf};

use bert_studio_engine::catalog::{
    ModelAvailability, SuggestedModel, model_availability, suggested_models,
};
use bert_studio_engine::data::{CsvDialect, CsvPreview, preview_csv};
use bert_studio_engine::fsutil::write_file_atomically;
use bert_studio_engine::library::{Library, LibraryEntry};
use bert_studio_engine::source::{DownloadEvent, HubSettings, resolve_model};
use bert_studio_engine::train::{
    DataSummary, Recipe, RecipeProblem, TrainingEvent, TrainingReport, TrainingRequest, check_data,
};
use bert_studio_engine::{EngineError, ErrorReport};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use crate::jobs::TrainingJobs;

type CommandResult<T> = Result<T, ErrorReport>;

/// Rows shown in the data step's table.
const PREVIEW_ROWS: usize = 20;

/// Runs blocking engine work on the thread pool, so the window never waits on it.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
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
        .map_err(ErrorReport::from)
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

#[tauri::command]
pub async fn preview_data(path: String, dialect: Option<CsvDialect>) -> CommandResult<CsvPreview> {
    blocking(move || preview_csv(Path::new(&path), dialect, PREVIEW_ROWS)).await
}

/// What the data step asks about a file and a column mapping.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DataChoice {
    pub train_csv: String,
    pub validation_csv: Option<String>,
    pub dialect: Option<CsvDialect>,
    pub recipe: Recipe,
}

impl DataChoice {
    fn request(self, output_dir: PathBuf) -> TrainingRequest {
        TrainingRequest {
            recipe: self.recipe,
            train_csv: self.train_csv.into(),
            validation_csv: self.validation_csv.map(PathBuf::from),
            output_dir,
            dialect: self.dialect,
            hub: HubSettings::from_env(),
        }
    }
}

/// Classes, split and warnings of the chosen data and columns, before training.
#[tauri::command]
pub async fn summarise_data(choice: DataChoice) -> CommandResult<DataSummary> {
    blocking(move || check_data(&choice.request(PathBuf::new()))).await
}

#[tauri::command]
pub fn recipe_problems(recipe: Recipe) -> Vec<RecipeProblem> {
    recipe.problems()
}

#[tauri::command]
pub async fn model_status(name: String) -> CommandResult<ModelAvailability> {
    blocking(move || Ok(model_availability(&name, &HubSettings::from_env()))).await
}

/// Downloads a Hub model into the local Hugging Face cache, with progress; returns its folder.
#[tauri::command]
pub async fn download_model(
    name: String,
    on_progress: Channel<DownloadEvent>,
) -> CommandResult<String> {
    blocking(move || {
        let folder = resolve_model(&name, &HubSettings::from_env(), &mut |event| {
            let _ = on_progress.send(event);
        })?;
        Ok(folder.display().to_string())
    })
    .await
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TrainingStarted {
    pub job_id: u32,
    /// The library id the model will have when the run finishes.
    pub model_id: String,
}

/// Starts training; events arrive on `on_events` in batches, a few per second at most.
#[tauri::command]
pub fn start_training(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
    choice: DataChoice,
    on_events: Channel<Vec<TrainingEvent>>,
) -> CommandResult<TrainingStarted> {
    let library = library(&app)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let output_dir = library.new_run_folder(Path::new(&choice.train_csv), now);
    let model_id = output_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let job_id = jobs.start(choice.request(output_dir), move |batch| {
        let _ = on_events.send(batch);
    })?;
    Ok(TrainingStarted {
        job_id: job_id as u32,
        model_id,
    })
}

#[tauri::command]
pub fn cancel_training(jobs: State<'_, TrainingJobs>, job_id: u32) -> bool {
    jobs.cancel(u64::from(job_id))
}

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
    let Some(parent) = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Export the model folder into…")
        .blocking_pick_folder()
        .and_then(|p| p.into_path().ok())
    else {
        return Ok(None);
    };
    let dest = parent.join(&model_id);
    blocking(move || {
        library.export(&model_id, &dest)?;
        Ok(Some(dest.display().to_string()))
    })
    .await
}

/// What a file dialog is for: it sets the title and the file filter.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FilePurpose {
    TrainingData,
    ValidationData,
    Recipe,
    ModelFolder,
}

/// A native dialog to pick a file (or a model folder); `None` if the user closed it.
#[tauri::command]
pub async fn choose_path(window: WebviewWindow, purpose: FilePurpose) -> Option<String> {
    let dialog = window.dialog().file().set_parent(&window);
    let picked = match purpose {
        FilePurpose::TrainingData | FilePurpose::ValidationData => dialog
            .set_title(if matches!(purpose, FilePurpose::TrainingData) {
                "Choose the labelled CSV file"
            } else {
                "Choose the validation CSV file"
            })
            .add_filter("CSV files", &["csv", "tsv", "txt"])
            .blocking_pick_file(),
        FilePurpose::Recipe => dialog
            .set_title("Open a recipe")
            .add_filter("Recipe (JSON)", &["json"])
            .blocking_pick_file(),
        FilePurpose::ModelFolder => dialog
            .set_title("Choose a model folder")
            .blocking_pick_folder(),
    };
    picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string())
}

#[tauri::command]
pub async fn open_recipe(path: String) -> CommandResult<Recipe> {
    blocking(move || Recipe::from_file(Path::new(&path))).await
}

/// Asks where to save the recipe and writes it (the same JSON the CLI's `--recipe` takes).
#[tauri::command]
pub async fn save_recipe(window: WebviewWindow, recipe: Recipe) -> CommandResult<Option<String>> {
    let Some(path) = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Save the recipe")
        .set_file_name("recipe.json")
        .add_filter("Recipe (JSON)", &["json"])
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
    else {
        return Ok(None);
    };
    blocking(move || {
        write_file_atomically(&path, recipe.to_json().as_bytes())?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// The page confirmed closing while training: stop the run (its temporary folder is removed)
/// and close.
#[tauri::command]
pub async fn quit(app: AppHandle, jobs: State<'_, TrainingJobs>) -> CommandResult<()> {
    jobs.cancel_and_wait(std::time::Duration::from_secs(5));
    app.exit(0);
    Ok(())
}
