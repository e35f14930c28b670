//! A search over settings from the settings step: its trials one after the other as the one
//! training job (the page scales the run's measured time to the trials' epochs). Each trial writes a library model; the
//! plan is kept in the library's `.searches` folder (hidden from the model list).

use std::path::{Path, PathBuf};

use bert_studio_engine::fsutil::free_path;
use bert_studio_engine::library::Library;
use bert_studio_engine::search::{PlannedTrial, SearchEvent, SearchPlan, SearchSpace};
use bert_studio_engine::unix_now;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use ts_rs::TS;

use super::data::DataChoice;
use super::training::EstimateInFlight;
use super::{CommandResult, library};
use crate::hub_token;
use crate::jobs::TrainingJobs;

/// Where searches keep their plans, inside the library.
const SEARCHES_DIR: &str = ".searches";

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SearchStarted {
    pub job_id: u32,
    /// The trials in the order they run, each with its folder.
    pub trials: Vec<PlannedTrial>,
    /// Each trial's library id, in the same order.
    pub model_ids: Vec<String>,
}

/// The search's plan: each trial a new library folder named after the data, the time and the
/// trial (`nace_fr-20261202-101500-trial-2`), the plan in `.searches/<the same stem>`.
fn plan_in(
    library: &Library,
    choice: DataChoice,
    space: SearchSpace,
) -> CommandResult<(PathBuf, SearchPlan)> {
    let root = library.root();
    let stem_folder = library.new_run_folder(Path::new(&choice.train_csv), unix_now());
    let first = stem_folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A stem no earlier search used (two searches started in the same second differ).
    let plan_folder = free_path(|n| match n {
        1 => root.join(SEARCHES_DIR).join(&first),
        n => root.join(SEARCHES_DIR).join(format!("{first}-{n}")),
    });
    let stem = plan_folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hub = hub_token::hub_settings_for(&choice.recipe.model);
    let base = choice.request(stem_folder, hub);
    let plan = SearchPlan::new(&base, space, |trial| {
        root.join(format!("{stem}-{}", trial.name))
    })?;
    Ok((plan_folder, plan))
}

/// Starts the search; its events arrive on `on_events` (each trial's training events wrapped
/// with the trial's index).
#[tauri::command]
pub fn start_search(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
    estimates: State<'_, EstimateInFlight>,
    choice: DataChoice,
    space: SearchSpace,
    on_events: Channel<SearchEvent>,
) -> CommandResult<SearchStarted> {
    let library = library(&app)?;
    let (folder, plan) = plan_in(&library, choice, space)?;
    let hub = hub_token::hub_settings_for(&plan.recipe.model);
    let trials = plan.trials.clone();
    let model_ids = trials
        .iter()
        .map(|t| {
            Path::new(&t.folder)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let job_id = estimates.cancel_then(|| {
        jobs.start_search(folder, plan, hub, move |event| {
            let _ = on_events.send(event);
        })
    })?;
    Ok(SearchStarted {
        job_id: job_id as u32,
        trials,
        model_ids,
    })
}
