//! A small search over settings: the same run tried with a few learning rates and numbers of
//! epochs, one after the other on the same split, the best kept by the recipe's
//! `metric_for_best_model`. Each trial is an ordinary run (its own folder, checkpoints,
//! report), so the library, the comparison and resuming work on trials as on any model.

pub mod plan;
pub mod run;
pub mod unfinished;

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

pub use plan::{MAX_TRIALS, SearchSpace, Trial};
pub use run::{
    PlannedTrial, SEARCH_FILE, SearchEvent, SearchPlan, SearchReport, TrialResult, run_search,
};
pub use unfinished::{UnfinishedSearch, discard_search, search_folder, unfinished_searches};

use crate::cancel::CancelToken;
use crate::error::Result;
use crate::source::HubSettings;
use crate::train::{RunEstimate, TrainingRequest, estimate};

/// How long a search will take on this device, before it starts.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SearchEstimate {
    /// Every trial, from loading to its saved model.
    pub seconds: f64,
    /// Each trial's share, in the plan's order.
    pub trials: Vec<f64>,
    pub backend: String,
    pub measured_steps: usize,
}

/// Times a few steps of the plan's longest trial here (as a run's estimate does) and scales
/// its per-epoch cost to each trial's epochs; the learning rate does not change the time.
pub fn estimate_search(
    folder: &Path,
    plan: &SearchPlan,
    hub: &HubSettings,
    cancel: &CancelToken,
) -> Result<SearchEstimate> {
    let longest = plan
        .trials
        .iter()
        .max_by_key(|t| t.trial.epochs)
        .expect("a plan has at least one trial");
    let request = TrainingRequest {
        recipe: longest.trial.recipe(&plan.recipe),
        train_csv: plan.train_csv.clone(),
        validation_csv: plan.validation_csv.clone(),
        // The search's own folder holds no checkpoint, so the probe's checks pass even when
        // a trial's folder holds an interrupted run.
        output_dir: folder.to_path_buf(),
        dialect: plan.dialect,
        hub: hub.clone(),
        always_checkpoint: true,
        resume_from: None,
        cluster: Default::default(),
    };
    let measured = estimate(&request, cancel)?;
    let trials: Vec<f64> = plan
        .trials
        .iter()
        .map(|t| trial_seconds(&measured, longest.trial.epochs, t.trial.epochs))
        .collect();
    Ok(SearchEstimate {
        seconds: trials.iter().sum(),
        trials,
        backend: measured.backend,
        measured_steps: measured.measured_steps,
    })
}

/// A trial's time from a run of `measured_epochs` measured here: each epoch trains, evaluates
/// and saves a checkpoint; loading and the final save are once per trial. (The settings step
/// scales a run's estimate to a search's trials the same way.)
pub fn trial_seconds(measured: &RunEstimate, measured_epochs: usize, epochs: usize) -> f64 {
    let per_epoch =
        (measured.training_seconds + measured.evaluation_seconds + measured.checkpoint_seconds)
            / measured_epochs.max(1) as f64;
    let once = measured.other_seconds - measured.checkpoint_seconds;
    once + per_epoch * epochs as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shorter_trial_saves_fewer_checkpoints() {
        // Four epochs measured: 100 s training, 20 s evaluating, 12 s checkpoints, 10 s else.
        let measured = RunEstimate {
            seconds: 142.0,
            training_seconds: 100.0,
            evaluation_seconds: 20.0,
            other_seconds: 22.0,
            checkpoint_seconds: 12.0,
            backend: "CPU".into(),
            measured_steps: 8,
            faster_models: vec![],
        };
        assert_eq!(trial_seconds(&measured, 4, 4), 142.0);
        assert_eq!(trial_seconds(&measured, 4, 2), 10.0 + 66.0);
    }
}
