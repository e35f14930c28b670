//! Training runs: the recipe, starting, resuming, cancelling, and the unfinished runs.

use bert_studio_engine::said;
use std::path::Path;

use bert_studio_engine::fsutil::write_file_atomically;
use bert_studio_engine::library::UnfinishedEntry;
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{
    CancelToken, Recipe, RecipeCheck, RunEstimate, TrainingEvent, TrainingRequest, estimate,
};
use bert_studio_engine::{EngineError, ErrorReport, unix_now};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use super::data::DataChoice;
use super::language::dialog_word;
use super::{CommandResult, blocking, library, library_id};
use crate::hub_token;
use crate::jobs::TrainingJobs;

/// The estimate being measured, if any: a newer request (the settings changed) or the start
/// of a run cancels it. The one lock also orders "is a run training?" against a run starting,
/// so an estimate never begins beside a run that is just starting.
#[derive(Default)]
pub struct EstimateInFlight(std::sync::Mutex<Option<CancelToken>>);

/// One estimate measures at a time: a newer one waits until the one it cancelled has stopped
/// (within one step), so the two never share the processor.
static ONE_PROBE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl EstimateInFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<CancelToken>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A token for a new estimate, the earlier one cancelled; `None` while a run trains.
    fn begin(&self, jobs: &TrainingJobs) -> Option<CancelToken> {
        let mut in_flight = self.lock();
        if jobs.is_running() {
            return None;
        }
        let next = CancelToken::new();
        if let Some(earlier) = in_flight.replace(next.clone()) {
            earlier.cancel();
        }
        Some(next)
    }

    /// Cancels the estimate in flight, then runs `start` before any new estimate can begin.
    pub(super) fn cancel_then<T>(&self, start: impl FnOnce() -> T) -> T {
        let mut in_flight = self.lock();
        if let Some(earlier) = in_flight.take() {
            earlier.cancel();
        }
        start()
    }
}

/// How long the run would take on this computer, from a few of its own steps timed here
/// (seconds to a minute). Refused while a run trains: the two would slow each other down
/// and the estimate would be wrong.
#[tauri::command]
pub async fn estimate_training(
    jobs: State<'_, TrainingJobs>,
    in_flight: State<'_, EstimateInFlight>,
    choice: DataChoice,
) -> CommandResult<RunEstimate> {
    let Some(cancel) = in_flight.begin(&jobs) else {
        return Err(ErrorReport::said(
            "busy",
            said!(
                "app.estimate_busy",
                "A run is training now; the time of another is measured once it ends."
            ),
            None,
        ));
    };
    let hub = hub_token::hub_settings_for(&choice.recipe.model);
    blocking(move || {
        let _turn = ONE_PROBE_AT_A_TIME
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        estimate(
            &choice.request(std::env::temp_dir().join("bert-studio-estimate"), hub),
            &cancel,
        )
    })
    .await
}

/// The recipe's invalid values (each with its field and why) and what follows from it.
#[tauri::command]
pub fn check_recipe(recipe: Recipe) -> RecipeCheck {
    recipe.check()
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TrainingStarted {
    pub job_id: u32,
    /// The library id the model will have when the run finishes.
    pub model_id: String,
    /// The folder the run writes to (the model's folder once it finishes).
    pub model_folder: String,
}

/// Starts training; its events arrive on `on_events` (progress a few times a second at most).
#[tauri::command]
pub fn start_training(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
    estimates: State<'_, EstimateInFlight>,
    choice: DataChoice,
    on_events: Channel<TrainingEvent>,
) -> CommandResult<TrainingStarted> {
    let library = library(&app)?;
    let output_dir = library.new_run_folder(Path::new(&choice.train_csv), unix_now());
    let hub = hub_token::hub_settings_for(&choice.recipe.model);
    estimates.cancel_then(|| start_job(&jobs, choice.request(output_dir, hub), on_events))
}

/// Starts a training job whose events go to the page's channel. The run's folder in the library
/// names the model (its id) and holds it.
fn start_job(
    jobs: &TrainingJobs,
    request: TrainingRequest,
    on_events: Channel<TrainingEvent>,
) -> CommandResult<TrainingStarted> {
    let model_folder = request.output_dir.display().to_string();
    let model_id = library_id(&request.output_dir);
    let job_id = jobs.start(request, move |event| {
        let _ = on_events.send(event);
    })?;
    Ok(TrainingStarted {
        job_id: job_id as u32,
        model_id,
        model_folder,
    })
}

/// Continues an unfinished run of the library from its last checkpoint, in its own folder.
#[tauri::command]
pub fn resume_training(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
    estimates: State<'_, EstimateInFlight>,
    model_id: String,
    on_events: Channel<TrainingEvent>,
) -> CommandResult<TrainingStarted> {
    let folder = library(&app)?.unfinished_folder(&model_id)?;
    let request = TrainingRequest::resume(&folder, HubSettings::from_env())?;
    estimates.cancel_then(|| start_job(&jobs, request, on_events))
}

/// Runs that stopped before they finished, except the one training now.
#[tauri::command]
pub async fn list_unfinished(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
) -> CommandResult<Vec<UnfinishedEntry>> {
    let library = library(&app)?;
    let mut runs = blocking({
        let library = library.clone();
        move || library.unfinished()
    })
    .await?;
    runs.retain(|r| !jobs.runs_in(&library.root().join(&r.id)));
    Ok(runs)
}

#[tauri::command]
pub async fn discard_unfinished(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
    model_id: String,
) -> CommandResult<()> {
    let library = library(&app)?;
    if jobs.runs_in(&library.root().join(&model_id)) {
        return Err(ErrorReport::said(
            "busy",
            said!("app.run_busy", "This run is training now."),
            Some(said!("app.run_busy_hint", "Cancel it first.")),
        ));
    }
    blocking(move || library.discard_unfinished(&model_id)).await
}

#[tauri::command]
pub fn cancel_training(jobs: State<'_, TrainingJobs>, job_id: u32) -> bool {
    jobs.cancel(u64::from(job_id))
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
        .set_title(dialog_word(&window, "save_recipe"))
        .set_file_name("recipe.json")
        .add_filter(dialog_word(&window, "recipe_files"), &["json"])
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
