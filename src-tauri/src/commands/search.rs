//! A search over settings from the settings step: its trials one after the other as the one
//! training job (the page scales the run's measured time to the trials' epochs). Each trial
//! writes a library model; the plan is kept in the library's folder of searches (hidden from
//! the model list), so that a stopped search goes on as a whole.

use std::path::{Path, PathBuf};

use bert_studio_engine::fsutil::free_path;
use bert_studio_engine::library::Library;
use bert_studio_engine::said;
use bert_studio_engine::search::{
    PlannedTrial, SearchEvent, SearchPlan, SearchSpace, UnfinishedSearch, discard_search,
    search_folder, unfinished_searches,
};
use bert_studio_engine::{ErrorReport, unix_now};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use ts_rs::TS;

use super::data::DataChoice;
use super::training::EstimateInFlight;
use super::{CommandResult, blocking, library, library_id};
use crate::hub_token;
use crate::jobs::TrainingJobs;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SearchStarted {
    pub job_id: u32,
    /// The trials in the order they run, each with its folder (whose name is its library id).
    pub trials: Vec<PlannedTrial>,
}

/// The search's plan: each trial a new library folder named after the data, the time and the
/// trial (`nace_fr-20261202-101500-trial-2`), the plan in the folder of searches under the
/// same stem.
fn plan_in(
    library: &Library,
    choice: DataChoice,
    space: SearchSpace,
) -> CommandResult<(PathBuf, SearchPlan)> {
    let root = library.root();
    let stem_folder = library.new_run_folder(Path::new(&choice.train_csv), unix_now());
    let first = library_id(&stem_folder);
    // A stem no earlier search used (two searches started in the same second differ).
    let searches = library.searches_folder();
    let plan_folder = free_path(|n| match n {
        1 => searches.join(&first),
        n => searches.join(format!("{first}-{n}")),
    });
    let stem = library_id(&plan_folder);
    let hub = hub_token::hub_settings_for(&choice.recipe.model);
    let base = choice.request(stem_folder, hub);
    let plan = SearchPlan::new(&base, space, |trial| {
        root.join(format!("{stem}-{}", trial.name))
    })?;
    Ok((plan_folder, plan))
}

/// Runs the trials of `plan` not finished yet as the one job.
fn start(
    jobs: &TrainingJobs,
    estimates: &EstimateInFlight,
    folder: PathBuf,
    plan: SearchPlan,
    on_events: Channel<SearchEvent>,
) -> CommandResult<SearchStarted> {
    let hub = hub_token::hub_settings_for(&plan.recipe.model);
    let trials = plan.trials.clone();
    let job_id = estimates.cancel_then(|| {
        jobs.start_search(folder, plan, hub, move |event| {
            let _ = on_events.send(event);
        })
    })?;
    Ok(SearchStarted {
        job_id: job_id as u32,
        trials,
    })
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
    let (folder, plan) = plan_in(&library(&app)?, choice, space)?;
    start(&jobs, &estimates, folder, plan, on_events)
}

/// Goes on with a stopped search: finished trials are kept, the one stopped midway resumes
/// from its checkpoint, the rest run.
#[tauri::command]
pub fn resume_search(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
    estimates: State<'_, EstimateInFlight>,
    search_id: String,
    on_events: Channel<SearchEvent>,
) -> CommandResult<SearchStarted> {
    let folder = search_folder(&library(&app)?.searches_folder(), &search_id)?;
    let plan = SearchPlan::load(&folder)?;
    start(&jobs, &estimates, folder, plan, on_events)
}

/// Searches with trials still to run, except the one running now.
#[tauri::command]
pub async fn list_unfinished_searches(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
) -> CommandResult<Vec<UnfinishedSearch>> {
    let searches = library(&app)?.searches_folder();
    let mut list = {
        let searches = searches.clone();
        blocking(move || unfinished_searches(&searches)).await?
    };
    list.retain(|s| !jobs.runs_in(&searches.join(&s.id)));
    Ok(list)
}

/// Forgets a stopped search; its trials' models stay in the library.
#[tauri::command]
pub async fn discard_unfinished_search(
    app: AppHandle,
    jobs: State<'_, TrainingJobs>,
    search_id: String,
) -> CommandResult<()> {
    let searches = library(&app)?.searches_folder();
    if jobs.runs_in(&searches.join(&search_id)) {
        return Err(ErrorReport::said(
            "busy",
            said!("app.search_busy", "This search is running now."),
            Some(said!("app.run_busy_hint", "Cancel it first.")),
        ));
    }
    blocking(move || discard_search(&searches, &search_id)).await
}
