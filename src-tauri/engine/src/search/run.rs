//! Running a search: its trials one after the other, each an ordinary training run in its own
//! folder, checkpointed at every epoch end. The plan is saved first (`search.json`), so a
//! stopped search goes on where it stopped: finished trials are kept, an interrupted one
//! resumes from its checkpoint, the rest start.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::plan::{SearchSpace, Trial};
use crate::cancel::CancelToken;
use crate::data::CsvDialect;
use crate::error::{EngineError, ErrorReport, Result};
use crate::fsutil::write_file_atomically;
use crate::metrics::Metrics;
use crate::said;
use crate::source::HubSettings;
use crate::train::checkpoint::REPORT_FILE;
use crate::train::{
    BestMetric, Recipe, TrainingEvent, TrainingReport, TrainingRequest, train, unfinished_run,
};

/// The plan's file in the search's folder.
pub const SEARCH_FILE: &str = "search.json";
/// Written beside the plan once every trial has run (failed trials included): the search is
/// over, even when a trial's model is deleted later.
pub const SEARCH_REPORT_FILE: &str = "search_report.json";

/// A trial and the folder its run writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PlannedTrial {
    #[serde(flatten)]
    pub trial: Trial,
    pub folder: String,
}

/// A search as planned: the base run (recipe and data), the values tried, each trial's folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPlan {
    pub space: SearchSpace,
    pub recipe: Recipe,
    pub train_csv: PathBuf,
    pub validation_csv: Option<PathBuf>,
    pub dialect: Option<CsvDialect>,
    pub trials: Vec<PlannedTrial>,
}

impl SearchPlan {
    /// The trials of `space` over `base` (its recipe, files and dialect), each in the folder
    /// `folder_of` gives it.
    pub fn new(
        base: &TrainingRequest,
        space: SearchSpace,
        folder_of: impl Fn(&Trial) -> PathBuf,
    ) -> Result<Self> {
        let trials = space
            .trials(&base.recipe)?
            .into_iter()
            .map(|trial| PlannedTrial {
                folder: folder_of(&trial).display().to_string(),
                trial,
            })
            .collect();
        Ok(SearchPlan {
            space,
            recipe: base.recipe.clone(),
            train_csv: base.train_csv.clone(),
            validation_csv: base.validation_csv.clone(),
            dialect: base.dialect,
            trials,
        })
    }

    /// The plan saved in `folder` by an earlier start.
    pub fn load(folder: &Path) -> Result<Self> {
        let path = folder.join(SEARCH_FILE);
        if !path.is_file() {
            return Err(EngineError::invalid(said!(
                "search.no_plan",
                "\"{path}\" holds no search to resume (no {file}).",
                path = folder.display().to_string(),
                file = SEARCH_FILE
            )));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| EngineError::io("read", &path, e))?;
        serde_json::from_str(&text).map_err(|e| {
            EngineError::invalid(said!(
                "search.bad_plan",
                "\"{path}\" is not a search BERT Studio can read: {detail}.",
                path = path.display().to_string(),
                detail = e.to_string()
            ))
        })
    }

    /// Saves the plan in `folder` before anything runs. A folder that holds this same plan
    /// is taken as it is (the search goes on); one that holds anything else is refused, so
    /// that no earlier work is mixed with or replaced by this search.
    pub fn save(&self, folder: &Path) -> Result<()> {
        let path = folder.join(SEARCH_FILE);
        if path.is_file() {
            if Self::load(folder).is_ok_and(|saved| saved == *self) {
                return Ok(());
            }
            return Err(EngineError::invalid(said!(
                "search.other_search",
                "\"{path}\" holds another search: resume it (bert-studio search --resume), or \
                 choose an empty folder.",
                path = folder.display().to_string()
            )));
        }
        let occupied = std::fs::read_dir(folder).is_ok_and(|mut entries| entries.next().is_some());
        if occupied {
            return Err(EngineError::invalid(said!(
                "search.folder_not_empty",
                "\"{path}\" is not empty: a search writes one folder per trial there, so choose \
                 an empty or new folder.",
                path = folder.display().to_string()
            )));
        }
        std::fs::create_dir_all(folder).map_err(|e| EngineError::io("create", folder, e))?;
        let text = serde_json::to_string_pretty(self).map_err(EngineError::internal)?;
        write_file_atomically(&path, text.as_bytes())
    }

    /// The run of trial `index`: a fresh one, or the continuation of its checkpoint.
    fn request(&self, index: usize, hub: &HubSettings) -> Result<TrainingRequest> {
        let planned = &self.trials[index];
        let folder = PathBuf::from(&planned.folder);
        if unfinished_run(&folder)?.is_some() {
            return TrainingRequest::resume(&folder, hub.clone());
        }
        Ok(TrainingRequest {
            recipe: planned.trial.recipe(&self.recipe),
            train_csv: self.train_csv.clone(),
            validation_csv: self.validation_csv.clone(),
            output_dir: folder,
            dialect: self.dialect,
            hub: hub.clone(),
            always_checkpoint: true,
            resume_from: None,
            cluster: Default::default(),
        })
    }
}

/// How one trial went: its final validation metrics (the kept epoch's with `load_best`) and
/// its score on the search's metric (higher is better); or why it failed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TrialResult {
    #[serde(flatten)]
    pub trial: PlannedTrial,
    pub metrics: Option<Metrics>,
    /// None when the trial failed or measured nothing.
    pub score: Option<f64>,
    pub seconds: f64,
    /// Why the trial failed (a learning rate too high, mostly); the search went on.
    pub error: Option<ErrorReport>,
}

/// What a search tells as it goes; a trial's own training events come wrapped with its index.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SearchEvent {
    Planned {
        trials: Vec<PlannedTrial>,
        metric: BestMetric,
    },
    /// Trial `trial` (0-based) starts, or goes on from its checkpoint.
    TrialStarted {
        trial: usize,
        resumed: bool,
    },
    Training {
        trial: usize,
        training: TrainingEvent,
    },
    TrialFinished {
        trial: usize,
        result: TrialResult,
    },
    Finished {
        results: Vec<TrialResult>,
        /// The index of the best trial by `metric` (the first of equal ones); none when every
        /// trial failed.
        best: Option<usize>,
        metric: BestMetric,
    },
    /// The search stopped with an error (a trial's own failure came before, as its event).
    Failed {
        error: ErrorReport,
    },
    /// Cancelled: the trials finished are kept, the one running keeps its epochs done as a
    /// checkpoint; the search can go on.
    Cancelled,
}

/// Every trial's result, and which is best.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchReport {
    pub results: Vec<TrialResult>,
    pub best: Option<usize>,
    pub metric: BestMetric,
}

/// Runs the trials of `plan` that have not finished yet (the plan is saved in `folder`
/// first). Cancelling stops the running trial at its next step; its epochs done are kept as a
/// checkpoint, and the search can go on later with the same plan. The outcome is also sent as
/// the last event (finished, failed or cancelled).
pub fn run_search(
    folder: &Path,
    plan: &SearchPlan,
    hub: &HubSettings,
    sink: &mut dyn FnMut(SearchEvent),
    cancel: &CancelToken,
) -> Result<SearchReport> {
    let result = run_trials(folder, plan, hub, sink, cancel);
    match &result {
        Err(EngineError::Cancelled) => sink(SearchEvent::Cancelled),
        Err(e) => sink(SearchEvent::Failed { error: e.report() }),
        Ok(_) => {}
    }
    result
}

fn run_trials(
    folder: &Path,
    plan: &SearchPlan,
    hub: &HubSettings,
    sink: &mut dyn FnMut(SearchEvent),
    cancel: &CancelToken,
) -> Result<SearchReport> {
    plan.save(folder)?;
    let metric = plan.recipe.metric_for_best_model;
    sink(SearchEvent::Planned {
        trials: plan.trials.clone(),
        metric,
    });
    let mut results = Vec::with_capacity(plan.trials.len());
    for (index, planned) in plan.trials.iter().enumerate() {
        // Cancelled while the previous trial was saving: the next one does not start.
        if cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let report_path = Path::new(&planned.folder).join(REPORT_FILE);
        let outcome = if report_path.is_file() {
            TrainingReport::read(&report_path)
        } else {
            plan.request(index, hub).and_then(|request| {
                sink(SearchEvent::TrialStarted {
                    trial: index,
                    resumed: request.resume_from.is_some(),
                });
                train(
                    &request,
                    &mut |event| {
                        sink(SearchEvent::Training {
                            trial: index,
                            training: event,
                        })
                    },
                    cancel,
                )
            })
        };
        let result = match outcome {
            Ok(report) => TrialResult {
                trial: planned.clone(),
                score: report.final_metrics.as_ref().map(|m| metric.score(m)),
                metrics: report.final_metrics,
                seconds: report.wall_seconds,
                error: None,
            },
            Err(EngineError::Cancelled) => return Err(EngineError::Cancelled),
            // One trial failing (its learning rate too high, mostly) is one of the search's
            // answers: the others still run. A resumed search tries it again.
            Err(e) => TrialResult {
                trial: planned.clone(),
                metrics: None,
                score: None,
                seconds: 0.0,
                error: Some(e.report()),
            },
        };
        sink(SearchEvent::TrialFinished {
            trial: index,
            result: result.clone(),
        });
        results.push(result);
    }
    let best = best_trial(&results);
    let report = SearchReport {
        results: results.clone(),
        best,
        metric,
    };
    let text = serde_json::to_string_pretty(&report).map_err(EngineError::internal)?;
    write_file_atomically(&folder.join(SEARCH_REPORT_FILE), text.as_bytes())?;
    sink(SearchEvent::Finished {
        results: results.clone(),
        best,
        metric,
    });
    Ok(report)
}

/// The index of the highest score; the first of equal ones; none when no trial has a score.
fn best_trial(results: &[TrialResult]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, result) in results.iter().enumerate() {
        if let Some(score) = result.score
            && best.is_none_or(|(_, kept)| score > kept)
        {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}
