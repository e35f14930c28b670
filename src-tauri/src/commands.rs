//! The commands the page calls. Each is thin: it checks nothing the engine checks, runs the
//! engine function off the main thread, and turns engine errors into `ErrorReport`s.

use std::path::{Path, PathBuf};

use bert_studio_engine::catalog::{
    ModelAvailability, SuggestedModel, model_availability, suggested_models,
};
use bert_studio_engine::data::{CsvDialect, CsvPreview, preview_csv};
use bert_studio_engine::fsutil::{free_path, write_file_atomically};
use bert_studio_engine::library::{Library, LibraryEntry, UnfinishedEntry};
use bert_studio_engine::source::{DownloadEvent, HubSettings, resolve_model};
use bert_studio_engine::train::{
    DataSummary, Recipe, RecipeProblem, TrainingEvent, TrainingReport, TrainingRequest, check_data,
};
use bert_studio_engine::{EngineError, ErrorReport, unix_now};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use bert_studio_engine::compare::{CompareInput, Comparison, compare};
use bert_studio_engine::inference::{
    ClassifierOptions, EvaluateRequest, EvaluationReport, InferenceEvent, LabelScore,
    PredictRequest, PredictionSummary, evaluate_csv, predict_csv,
};
use bert_studio_engine::train::CancelToken;

use crate::hub_token::{self, TokenSource};
use crate::inference_jobs::{ClassifyJobs, WarmClassifier};
use crate::jobs::TrainingJobs;

type CommandResult<T> = Result<T, ErrorReport>;

/// Rows shown in the data step's table.
const PREVIEW_ROWS: usize = 20;

/// Runs blocking engine work on the thread pool, so the window never waits on it.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
) -> CommandResult<T> {
    blocking_app(move || work().map_err(ErrorReport::from)).await
}

/// `blocking` for the app's own work, which fails with an `ErrorReport` directly.
async fn blocking_app<T: Send + 'static>(
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
fn model_folder(app: &AppHandle, model_id: &str) -> CommandResult<PathBuf> {
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
    fn request(self, output_dir: PathBuf, hub: HubSettings) -> TrainingRequest {
        TrainingRequest {
            recipe: self.recipe,
            train_csv: self.train_csv.into(),
            validation_csv: self.validation_csv.map(PathBuf::from),
            output_dir,
            dialect: self.dialect,
            hub,
            always_checkpoint: true,
            resume_from: None,
        }
    }
}

/// Classes, split and warnings of the chosen data and columns, before training.
#[tauri::command]
pub async fn summarise_data(choice: DataChoice) -> CommandResult<DataSummary> {
    blocking(move || check_data(&choice.request(PathBuf::new(), HubSettings::from_env()))).await
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
        let folder = resolve_model(&name, &hub_token::hub_settings_for(&name), &mut |event| {
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
    let output_dir = library.new_run_folder(Path::new(&choice.train_csv), unix_now());
    let model_id = output_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hub = hub_token::hub_settings_for(&choice.recipe.model);
    start_job(&jobs, choice.request(output_dir, hub), model_id, on_events)
}

/// Starts a training job whose events go to the page's channel.
fn start_job(
    jobs: &TrainingJobs,
    request: TrainingRequest,
    model_id: String,
    on_events: Channel<Vec<TrainingEvent>>,
) -> CommandResult<TrainingStarted> {
    let job_id = jobs.start(request, move |batch| {
        let _ = on_events.send(batch);
    })?;
    Ok(TrainingStarted {
        job_id: job_id as u32,
        model_id,
    })
}

/// Continues an unfinished run of the library from its last checkpoint, in its own folder.
#[tauri::command]
pub fn resume_training(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
    model_id: String,
    on_events: Channel<Vec<TrainingEvent>>,
) -> CommandResult<TrainingStarted> {
    let folder = library(&app)?.unfinished_folder(&model_id)?;
    let request = TrainingRequest::resume(&folder, HubSettings::from_env())?;
    start_job(&jobs, request, model_id, on_events)
}

/// Runs that stopped before they finished, except the one training now.
#[tauri::command]
pub async fn list_unfinished(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
) -> CommandResult<Vec<UnfinishedEntry>> {
    let library = library(&app)?;
    let running = jobs.running_output_dir();
    blocking(move || {
        let mut runs = library.unfinished()?;
        runs.retain(|r| running.as_deref() != Some(library.root().join(&r.id).as_path()));
        Ok(runs)
    })
    .await
}

#[tauri::command]
pub async fn discard_unfinished(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
    model_id: String,
) -> CommandResult<()> {
    let library = library(&app)?;
    if jobs.running_output_dir() == Some(library.root().join(&model_id)) {
        return Err(ErrorReport::new(
            "busy",
            "This run is training now.",
            Some("Cancel it first."),
        ));
    }
    blocking(move || library.discard_unfinished(&model_id)).await
}

/// Where the Hugging Face token would come from (environment, keyring or none).
#[tauri::command]
pub async fn hub_token_status() -> CommandResult<TokenSource> {
    blocking(|| Ok(hub_token::source())).await
}

/// Keeps the token in the OS keyring for downloads of private or gated models.
#[tauri::command]
pub async fn save_hub_token(token: String) -> CommandResult<TokenSource> {
    blocking_app(move || hub_token::save(&token)).await
}

#[tauri::command]
pub async fn forget_hub_token() -> CommandResult<TokenSource> {
    blocking_app(hub_token::forget).await
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
    let Some(parent) = pick_folder(&window, "Export the model folder into…") else {
        return Ok(None);
    };
    let dest = parent.join(&model_id);
    blocking(move || {
        library.export(&model_id, &dest)?;
        Ok(Some(dest.display().to_string()))
    })
    .await
}

/// A native folder dialog over the window; `None` if the user closed it.
fn pick_folder(window: &WebviewWindow, title: &str) -> Option<PathBuf> {
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_title(title)
        .blocking_pick_folder()
        .and_then(|p| p.into_path().ok())
}

/// What a file dialog is for: it sets the title and the file filter.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FilePurpose {
    TrainingData,
    ValidationData,
    /// A labelled file the saved models are evaluated on (Models → evaluate all).
    TestData,
    /// A CSV whose texts a model labels (Classify).
    TextsToClassify,
    Recipe,
    ModelFolder,
}

impl FilePurpose {
    /// The title of the file dialog, in the words of the step that opens it.
    fn dialog_title(self) -> &'static str {
        match self {
            FilePurpose::TrainingData => "Choose the labelled CSV file",
            FilePurpose::ValidationData => "Choose the validation CSV file",
            FilePurpose::TestData => "Choose a labelled test file",
            FilePurpose::TextsToClassify => "Choose the CSV file to classify",
            FilePurpose::Recipe => "Open a recipe",
            FilePurpose::ModelFolder => "Choose a model folder",
        }
    }
}

/// A native dialog to pick a file (or a model folder); `None` if the user closed it.
#[tauri::command]
pub async fn choose_path(window: WebviewWindow, purpose: FilePurpose) -> Option<String> {
    let dialog = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title(purpose.dialog_title());
    let picked = match purpose {
        FilePurpose::TrainingData
        | FilePurpose::ValidationData
        | FilePurpose::TestData
        | FilePurpose::TextsToClassify => dialog
            .add_filter("CSV files", &["csv", "tsv", "txt"])
            .blocking_pick_file(),
        FilePurpose::Recipe => dialog
            .add_filter("Recipe (JSON)", &["json"])
            .blocking_pick_file(),
        FilePurpose::ModelFolder => dialog.blocking_pick_folder(),
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

// ---- Classification, the try-it box, the library and comparisons (Desktop app II) ----

/// Where a classified file goes by default: `<input>_classified.csv` beside the input, with a
/// number added when that name is taken (an earlier result is never replaced unasked).
fn default_output(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    free_path(|n| match n {
        1 => input.with_file_name(format!("{stem}_classified.csv")),
        n => input.with_file_name(format!("{stem}_classified-{n}.csv")),
    })
}

/// Classifies one CSV file with a library model into `<input>_classified.csv`; progress on
/// `on_events`; cancel with `cancel_classification(job_id)`.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn classify_file(
    app: AppHandle,
    jobs: State<'_, ClassifyJobs>,
    job_id: u32,
    model_id: String,
    input: String,
    text_column: Option<String>,
    top_k: Option<usize>,
    on_events: Channel<InferenceEvent>,
) -> CommandResult<PredictionSummary> {
    let folder = model_folder(&app, &model_id)?;
    let cancel = jobs.register(job_id)?;
    let input = PathBuf::from(input);
    let mut request = PredictRequest::new(&input, default_output(&input));
    request.text_column = text_column;
    request.top_k = top_k.unwrap_or(3);
    let result = blocking(move || {
        let folder = folder.display().to_string();
        predict_csv(
            &folder,
            &ClassifierOptions::default(),
            &request,
            &mut |event| {
                let _ = on_events.send(event);
            },
            &cancel,
        )
    })
    .await;
    jobs.finish(job_id);
    result
}

#[tauri::command]
pub fn cancel_classification(jobs: State<'_, ClassifyJobs>, job_id: u32) -> bool {
    jobs.cancel(job_id)
}

/// "Save as…" for a classified file: asks where, then moves it there. `None` if the user
/// closed the dialog.
#[tauri::command]
pub async fn save_classified_as(
    window: WebviewWindow,
    output: String,
    input: String,
) -> CommandResult<Option<String>> {
    let from = PathBuf::from(&output);
    let Some(to) = window
        .dialog()
        .file()
        .set_parent(&window)
        .set_title("Save the classified file as…")
        .set_file_name(
            from.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )
        .add_filter("CSV files", &["csv"])
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
    else {
        return Ok(None);
    };
    blocking(move || {
        if to == Path::new(&input) {
            return Err(EngineError::invalid(
                "That is the input file; choose another name so that your data stays as it is.",
            ));
        }
        if to != from {
            move_file(&from, &to)?;
        }
        Ok(Some(to.display().to_string()))
    })
    .await
}

/// Renames, or copies then removes across file systems; the destination is replaced whole.
fn move_file(from: &Path, to: &Path) -> Result<(), EngineError> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    let bytes = std::fs::read(from).map_err(|e| EngineError::io("read", from, e))?;
    write_file_atomically(to, &bytes)?;
    std::fs::remove_file(from).map_err(|e| EngineError::io("remove", from, e))
}

/// The try-it box: the top labels of one text, with the model kept warm between calls.
#[tauri::command]
pub async fn try_text(
    app: AppHandle,
    model_id: String,
    text: String,
) -> CommandResult<Vec<LabelScore>> {
    let folder = model_folder(&app, &model_id)?;
    let warm = app.clone();
    blocking(move || {
        warm.state::<WarmClassifier>()
            .classify(&folder.display().to_string(), &text, 5)
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

#[tauri::command]
pub async fn delete_model(app: AppHandle, model_id: String) -> CommandResult<()> {
    let library = library(&app)?;
    blocking(move || library.delete(&model_id)).await
}

/// Opens the model's folder in the system's file manager.
#[tauri::command]
pub async fn reveal_model(app: AppHandle, model_id: String) -> CommandResult<()> {
    let folder = model_folder(&app, &model_id)?;
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(&folder)
        .spawn()
        .map(|_| ())
        .map_err(|e| {
            ErrorReport::new(
                "io",
                format!("Could not open a file manager ({opener}: {e})."),
                Some(&format!("The model is in {}", folder.display())),
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
    let Some(source) = pick_folder(&window, "Import a model folder (Hugging Face format)") else {
        return Ok(None);
    };
    blocking(move || library.import(&source, unix_now()).map(Some)).await
}

/// Compares library models on the validation data of their own runs.
#[tauri::command]
pub async fn compare_models(app: AppHandle, model_ids: Vec<String>) -> CommandResult<Comparison> {
    let library = library(&app)?;
    blocking(move || {
        let inputs = model_ids
            .iter()
            .map(|id| library.model(id).map(|m| CompareInput::from_library(&m)))
            .collect::<Result<Vec<_>, EngineError>>()?;
        Ok(compare(&inputs))
    })
    .await
}

/// What a labelled test file is, for evaluations.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct TestFile {
    pub path: String,
    pub text_column: Option<String>,
    pub label_column: String,
}

fn evaluation_request(test: &TestFile, max_misclassified: usize) -> EvaluateRequest {
    let mut request = EvaluateRequest::new(&test.path);
    request.text_column = test.text_column.clone();
    request.label_column = test.label_column.clone();
    request.top_k = 3;
    request.max_misclassified = max_misclassified;
    request
}

/// Evaluates every chosen model on one labelled file and compares them on it.
#[tauri::command]
pub async fn compare_on_file(
    app: AppHandle,
    model_ids: Vec<String>,
    test: TestFile,
) -> CommandResult<Comparison> {
    let library = library(&app)?;
    blocking(move || {
        let mut inputs = Vec::new();
        for id in &model_ids {
            let model = library.model(id)?;
            let evaluation = evaluate_csv(
                &model.entry.folder,
                &ClassifierOptions::default(),
                &evaluation_request(&test, 0),
                &mut |_| {},
                &CancelToken::new(),
            )?;
            inputs.push(CompareInput::from_evaluation(&model, &evaluation));
        }
        Ok(compare(&inputs))
    })
    .await
}

/// The error inspector: a model's misclassified rows of a labelled file, with its metrics.
#[tauri::command]
pub async fn inspect_errors(
    app: AppHandle,
    model_id: String,
    test: TestFile,
) -> CommandResult<EvaluationReport> {
    let folder = model_folder(&app, &model_id)?;
    blocking(move || {
        evaluate_csv(
            &folder.display().to_string(),
            &ClassifierOptions::default(),
            &evaluation_request(&test, 5_000),
            &mut |_| {},
            &CancelToken::new(),
        )
    })
    .await
}
