//! What a training run is asked to do (`TrainingRequest`), the checks made before it starts,
//! and what it leaves behind (`TrainingReport`, the folder's `training_report.json`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::checkpoint::{REPORT_FILE, ResumePoint, latest_checkpoint, unfinished_run};
use super::cluster::Cluster;
use super::events::TrainingEvent;
use super::recipe::{Recipe, StepPlan, Strategy};
use crate::data::{CsvDialect, DataSummary, SplitRequest, prepare_split};
use crate::error::{EngineError, Result};
use crate::metrics::Metrics;
use crate::said;
use crate::source::HubSettings;

/// Everything a training run needs.
#[derive(Debug, Clone)]
pub struct TrainingRequest {
    pub recipe: Recipe,
    pub train_csv: PathBuf,
    pub validation_csv: Option<PathBuf>,
    pub output_dir: PathBuf,
    /// Overrides the detected CSV dialect (the app lets the user change it).
    pub dialect: Option<CsvDialect>,
    pub hub: HubSettings,
    /// Write a resumable checkpoint at every epoch end even when the recipe's save_strategy is
    /// "no" (the app always does); such checkpoints are removed once the run finishes.
    pub always_checkpoint: bool,
    /// Continue from this checkpoint of `output_dir` (see `TrainingRequest::resume`).
    pub resume_from: Option<ResumePoint>,
    /// The machines and devices the run is split over (default: one device).
    pub cluster: Cluster,
}

impl TrainingRequest {
    /// The request that continues the unfinished run in `output_dir` from its newest
    /// checkpoint: same recipe, same files, same dialect.
    pub fn resume(output_dir: &Path, hub: HubSettings) -> Result<Self> {
        if output_dir.join(REPORT_FILE).is_file() {
            return Err(EngineError::invalid(said!(
                "invalid.run_finished",
                "The run in \"{path}\" has already finished; there is nothing to resume.",
                path = output_dir.display().to_string()
            )));
        }
        let Some((folder, state)) = latest_checkpoint(output_dir)? else {
            return Err(EngineError::invalid(said!(
                "invalid.no_checkpoint",
                "\"{path}\" holds no checkpoint to resume from. Checkpoints are written at each \
                 epoch end when save_strategy is \"epoch\" (always in the app); a run stopped \
                 before its first epoch ended has to start again.",
                path = output_dir.display().to_string()
            )));
        };
        let mut recipe = state.recipe.clone();
        // Names are for display and the checkpoint keeps them: a names file gone since (an
        // app moved, a file tidied away) does not stop the run from continuing.
        if recipe
            .label_names_file
            .as_ref()
            .is_some_and(|file| !Path::new(file).is_file())
        {
            recipe.label_names_file = None;
        }
        Ok(TrainingRequest {
            recipe,
            train_csv: state.train_csv.clone(),
            validation_csv: state.validation_csv.clone(),
            output_dir: output_dir.to_path_buf(),
            dialect: state.dialect,
            hub,
            always_checkpoint: state.resumable_only,
            resume_from: Some(ResumePoint { folder, state }),
            cluster: Cluster::default(),
        })
    }

    /// The data part of the request.
    pub fn split(&self) -> SplitRequest<'_> {
        SplitRequest {
            train_csv: &self.train_csv,
            validation_csv: self.validation_csv.as_deref(),
            dialect: self.dialect,
            text_column: &self.recipe.text_column,
            label_column: &self.recipe.label_column,
            label_layout: self.recipe.label_layout(),
            label_names_column: self.recipe.label_names_column.as_deref(),
            label_names_file: self.recipe.label_names_file.as_deref().map(Path::new),
            validation_fraction: self.recipe.validation_fraction,
            seed: self.recipe.seed,
        }
    }

    /// Whether a checkpoint is written at each epoch end.
    pub(super) fn checkpoints(&self) -> bool {
        self.always_checkpoint || self.recipe.save_strategy == Strategy::Epoch
    }

    /// Checkpoints written only so that the run can be resumed (removed at the end).
    pub(super) fn resumable_only(&self) -> bool {
        self.recipe.save_strategy != Strategy::Epoch
    }
}

/// `training_report.json`: what was trained, on what, how it went.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrainingReport {
    pub engine_version: String,
    pub burn_version: String,
    #[ts(type = "number")]
    pub created_unix: u64,
    pub recipe: Recipe,
    pub base_model: String,
    pub backend: String,
    /// The devices of each machine that trained the model, as `--devices` names them; one
    /// machine's one device for most runs (older reports: none named).
    #[serde(default)]
    pub devices: Vec<String>,
    /// How many machines trained it together (`--nodes`).
    #[serde(default = "one_node")]
    pub nodes: usize,
    pub data: DataSummary,
    pub plan: StepPlan,
    pub parameters: usize,
    /// Logged losses, evaluations and epoch ends, in order.
    pub history: Vec<TrainingEvent>,
    pub final_metrics: Option<Metrics>,
    pub best_epoch: Option<usize>,
    pub wall_seconds: f64,
}

/// "NVIDIA GPU (CUDA) (cuda:0, cuda:1 × 2 machines)"; the backend alone for one device.
fn trained_on(backend: &str, devices: &[String], nodes: usize) -> String {
    if devices.len() <= 1 && nodes <= 1 {
        return backend.to_string();
    }
    let machines = match nodes {
        1 => String::new(),
        n => format!(" × {n} machines"),
    };
    format!("{backend} ({}{machines})", devices.join(", "))
}

fn one_node() -> usize {
    1
}

impl TrainingReport {
    /// The backend, and the devices when the run was split over several (the library's
    /// "trained on").
    pub fn trained_on(&self) -> String {
        trained_on(&self.backend, &self.devices, self.nodes)
    }

    /// A run folder's `training_report.json`.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| EngineError::io("read", path, e))?;
        serde_json::from_str(&text).map_err(|e| {
            EngineError::invalid(said!(
                "invalid.report",
                "\"{path}\" is not a training report BERT Studio can read: {detail}.",
                path = path.display().to_string(),
                detail = e.to_string()
            ))
        })
    }
}

/// What training would see in the data (classes, split, skipped rows, warnings), without
/// loading a model: the app's data step shows it before anything is trained.
pub fn check_data(request: &TrainingRequest) -> Result<DataSummary> {
    Ok(prepare_split(request.split())?.summary_before_training())
}

/// A valid recipe, and no unfinished run in the output folder that a fresh run would destroy.
pub(super) fn check_request(request: &TrainingRequest) -> Result<()> {
    request.recipe.validate()?;
    if request.resume_from.is_none()
        && let Some(run) = unfinished_run(&request.output_dir)?
    {
        return Err(EngineError::invalid(said!(
            "invalid.unfinished_run",
            "\"{path}\" holds an unfinished run ({count} of {epochs} epochs done). Resume it, or \
             choose another output folder.",
            path = request.output_dir.display().to_string(),
            count = run.epochs_done,
            epochs = run.epochs
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::trained_on;

    #[test]
    fn a_split_run_names_its_devices_and_machines() {
        let names = |list: &[&str]| list.iter().map(|d| d.to_string()).collect::<Vec<_>>();
        assert_eq!(trained_on("CPU", &names(&["cpu"]), 1), "CPU");
        assert_eq!(trained_on("CPU", &[], 1), "CPU");
        assert_eq!(
            trained_on("CPU", &names(&["cpu", "cpu"]), 1),
            "CPU (cpu, cpu)"
        );
        assert_eq!(
            trained_on("NVIDIA GPU (CUDA)", &names(&["cuda:0", "cuda:1"]), 2),
            "NVIDIA GPU (CUDA) (cuda:0, cuda:1 × 2 machines)"
        );
    }
}
