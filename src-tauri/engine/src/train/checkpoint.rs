//! Resumable checkpoints. At each epoch end the trainer writes `checkpoints/epoch-N/` inside
//! the run's output folder, atomically (a hidden temporary folder, then a rename): a Hugging
//! Face model folder, the optimizer's moments (`optimizer.safetensors`) and everything else the
//! loop needs to go on exactly where it stopped (`trainer_state.json`). `bert-studio train
//! --resume <output dir>` and the app's Resume button continue from the newest one.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::recipe::{Recipe, StepPlan};
use super::run_state::RunState;
use crate::data::{CsvDialect, DataSummary};
use crate::error::{EngineError, LoadError, Result};
use crate::metrics::Metrics;
use crate::model::{SafetensorsFile, TensorFile, write_f32_safetensors};
use crate::said;

pub const CHECKPOINTS_DIR: &str = "checkpoints";
pub const STATE_FILE: &str = "trainer_state.json";
pub const OPTIMIZER_FILE: &str = "optimizer.safetensors";
/// Written in a finished run's folder; its absence beside checkpoints marks an unfinished run.
pub const REPORT_FILE: &str = "training_report.json";
/// `trainer_state.json`'s format; another one is refused rather than misread.
pub const STATE_FORMAT: u32 = 1;

/// `trainer_state.json`: what the run was asked to do, and where it stood (`RunState`) when
/// the checkpoint was written. The run state's fields sit at the top level of the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainerState {
    pub format_version: u32,
    pub recipe: Recipe,
    pub train_csv: PathBuf,
    pub validation_csv: Option<PathBuf>,
    pub dialect: Option<CsvDialect>,
    /// The checkpoints exist only to make the run resumable (the recipe's save_strategy is
    /// "no"): they are removed once it finishes.
    pub resumable_only: bool,
    /// SHA-256 of the labels, texts and classes trained and validated on: a resume on data
    /// that changed since is refused.
    pub data_fingerprint: String,
    pub backend: String,
    #[serde(flatten)]
    pub run: RunState,
    pub saved_unix: u64,
    pub data: DataSummary,
    pub plan: StepPlan,
    pub parameters: usize,
    /// Each class's weight in the loss as the run started with it: a resume keeps them, even
    /// when the weights file changed or is gone.
    #[serde(default)]
    pub class_weights: Option<Vec<f32>>,
}

/// The checkpoint a resumed run continues from, as read and checked when the resume was asked
/// for (the run does not read it again).
#[derive(Debug, Clone)]
pub struct ResumePoint {
    pub folder: PathBuf,
    pub state: TrainerState,
}

pub fn checkpoint_folder(output_dir: &Path, epoch: usize) -> PathBuf {
    output_dir
        .join(CHECKPOINTS_DIR)
        .join(format!("epoch-{epoch}"))
}

/// One parameter's AdamW moments, by Hugging Face name.
pub type NamedMoments = Vec<(String, Vec<f32>, Vec<f32>)>;

/// Writes `optimizer.safetensors`: `<name>.exp_avg` and `<name>.exp_avg_sq` per parameter
/// (torch's names for the moments), the step count in the metadata.
pub fn write_optimizer(path: &Path, moments: NamedMoments, steps: usize) -> Result<()> {
    let tensors = moments
        .into_iter()
        .flat_map(|(name, first, second)| {
            [
                (format!("{name}.exp_avg"), vec![first.len()], first),
                (format!("{name}.exp_avg_sq"), vec![second.len()], second),
            ]
        })
        .collect();
    let metadata = std::collections::HashMap::from([("steps".to_string(), steps.to_string())]);
    write_f32_safetensors(path, tensors, metadata).map_err(|e| EngineError::io("write", path, e))
}

/// Reads what `write_optimizer` wrote: the moments and the step count (through the same f32
/// reader as model weights).
pub fn read_optimizer(path: &Path) -> Result<(NamedMoments, usize)> {
    let broken = |why: String| {
        EngineError::invalid(said!(
            "invalid.optimizer_state",
            "The checkpoint's optimizer state \"{path}\" cannot be read ({why}); resume from \
             another checkpoint or start the run again.",
            path = path.display().to_string(),
            why = why
        ))
    };
    // The reader's own words are about model weights: only their reason is kept.
    let unreadable = |e: LoadError| match e {
        LoadError::CorruptWeights { reason, .. } => broken(reason),
        LoadError::MissingTensors { names, .. } => {
            broken(format!("{} is missing", names.join(", ")))
        }
        other => broken(other.to_string()),
    };
    let file = SafetensorsFile::open(path).map_err(unreadable)?;
    let steps = file
        .metadata("steps")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| broken("no step count".into()))?;
    let mut names: Vec<String> = file
        .shapes()
        .into_iter()
        .filter_map(|(n, _)| n.strip_suffix(".exp_avg").map(str::to_string))
        .collect();
    names.sort_unstable();
    let values = |name: String| file.read_f32(&name).map_err(unreadable);
    let moments = names
        .into_iter()
        .map(|name| {
            let first = values(format!("{name}.exp_avg"))?;
            let second = values(format!("{name}.exp_avg_sq"))?;
            Ok((name, first, second))
        })
        .collect::<Result<_>>()?;
    Ok((moments, steps))
}

pub fn write_state(dir: &Path, state: &TrainerState) -> Result<()> {
    let path = dir.join(STATE_FILE);
    let text = serde_json::to_string_pretty(state).expect("state serialises");
    std::fs::write(&path, text).map_err(|e| EngineError::io("write", &path, e))
}

fn read_state(path: &Path) -> Result<TrainerState> {
    let text = std::fs::read_to_string(path).map_err(|e| EngineError::io("read", path, e))?;
    parse_state(&text, path)
}

/// `trainer_state.json` from its text (`path` names it in messages).
pub fn parse_state(text: &str, path: &Path) -> Result<TrainerState> {
    let state: TrainerState = serde_json::from_str(text).map_err(|e| {
        EngineError::invalid(said!(
            "invalid.checkpoint_state",
            "\"{path}\" is not a checkpoint state BERT Studio can read: {detail}.",
            path = path.display().to_string(),
            detail = e.to_string()
        ))
    })?;
    if state.format_version != STATE_FORMAT {
        return Err(EngineError::invalid(said!(
            "invalid.checkpoint_version",
            "\"{path}\" was written by another version of BERT Studio (format {format}); start \
             the run again.",
            path = path.display().to_string(),
            format = state.format_version
        )));
    }
    Ok(state)
}

/// The newest resumable checkpoint of a run (highest epoch with a state file), if any.
pub fn latest_checkpoint(output_dir: &Path) -> Result<Option<(PathBuf, TrainerState)>> {
    let dir = output_dir.join(CHECKPOINTS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(None);
    };
    let newest = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let epoch: usize = name.strip_prefix("epoch-")?.parse().ok()?;
            e.path()
                .join(STATE_FILE)
                .is_file()
                .then_some((epoch, e.path()))
        })
        .max_by_key(|(epoch, _)| *epoch);
    match newest {
        Some((_, path)) => Ok(Some((path.clone(), read_state(&path.join(STATE_FILE))?))),
        None => Ok(None),
    }
}

/// A run that wrote checkpoints but no final model: what the app's library offers to resume.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UnfinishedRun {
    pub folder: String,
    pub base_model: String,
    pub train_file: String,
    pub epochs_done: usize,
    pub epochs: usize,
    #[ts(type = "number")]
    pub saved_unix: u64,
    pub last_metrics: Option<Metrics>,
}

/// The unfinished run in `output_dir`, if it holds one.
pub fn unfinished_run(output_dir: &Path) -> Result<Option<UnfinishedRun>> {
    if output_dir.join(REPORT_FILE).is_file() {
        return Ok(None);
    }
    Ok(
        latest_checkpoint(output_dir)?.map(|(_, state)| UnfinishedRun {
            folder: output_dir.display().to_string(),
            base_model: state.recipe.model.clone(),
            train_file: state.train_csv.display().to_string(),
            epochs_done: state.run.epochs_done,
            epochs: state.recipe.epochs,
            saved_unix: state.saved_unix,
            last_metrics: state.run.last_metrics,
        }),
    )
}

/// After the checkpoint of `latest` landed: only it stays resumable (older ones lose their
/// optimizer and state files). Checkpoints that exist only for resuming are removed, except
/// the best epoch's model, which the run may still need at the end. `latest: None` (the run
/// finished) strips every checkpoint, or removes them all when they were only for resuming.
pub fn prune_checkpoints(
    output_dir: &Path,
    latest: Option<usize>,
    resumable_only: bool,
    best_epoch: Option<usize>,
) {
    let Ok(entries) = std::fs::read_dir(output_dir.join(CHECKPOINTS_DIR)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(epoch) = name
            .strip_prefix("epoch-")
            .and_then(|e| e.parse::<usize>().ok())
        else {
            continue;
        };
        if Some(epoch) == latest {
            continue;
        }
        let path = entry.path();
        if resumable_only && (latest.is_none() || Some(epoch) != best_epoch) {
            let _ = std::fs::remove_dir_all(&path);
        } else {
            let _ = std::fs::remove_file(path.join(OPTIMIZER_FILE));
            let _ = std::fs::remove_file(path.join(STATE_FILE));
        }
    }
    if resumable_only && latest.is_none() {
        let _ = std::fs::remove_dir(output_dir.join(CHECKPOINTS_DIR));
    }
}

/// Replaces the run folder `dest` by the finished one `write_files` fills. The checkpoints the
/// recipe asked for (`keep_checkpoints`) are carried into it only once everything else is
/// written, and lose the optimizer state that only resuming needs only once it is in place;
/// checkpoints written only for resuming go with the old folder. A save that fails leaves the
/// run as it was: unfinished and resumable.
pub fn finish_run_folder(
    dest: &Path,
    keep_checkpoints: bool,
    write_files: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let carried = keep_checkpoints.then_some(CHECKPOINTS_DIR);
    crate::fsutil::write_dir_carrying(dest, carried, write_files)?;
    if keep_checkpoints {
        prune_checkpoints(dest, None, false, None);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimizer_state_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(OPTIMIZER_FILE);
        let moments: NamedMoments = vec![
            (
                "a.weight".into(),
                vec![1.0, -2.5, 3.25],
                vec![0.5, 0.25, 1e-9],
            ),
            ("b.bias".into(), vec![f32::MIN_POSITIVE], vec![7.0]),
        ];
        write_optimizer(&path, moments.clone(), 17).unwrap();
        let (read, steps) = read_optimizer(&path).unwrap();
        assert_eq!(steps, 17);
        assert_eq!(read, moments);

        std::fs::write(&path, b"not safetensors").unwrap();
        let err = read_optimizer(&path).unwrap_err().to_string();
        assert!(err.contains("cannot be read"), "{err}");
    }

    #[test]
    fn pruning_keeps_the_latest_resumable_and_the_best_model() {
        let dir = run_with_checkpoints(3);
        prune_checkpoints(dir.path(), Some(3), true, Some(1));
        let has = |epoch, file: &str| checkpoint_folder(dir.path(), epoch).join(file).exists();
        assert!(has(3, STATE_FILE) && has(3, OPTIMIZER_FILE));
        assert!(has(1, "model.safetensors") && !has(1, OPTIMIZER_FILE) && !has(1, STATE_FILE));
        assert!(!checkpoint_folder(dir.path(), 2).exists());
        prune_checkpoints(dir.path(), None, true, Some(1));
        assert!(!dir.path().join(CHECKPOINTS_DIR).exists());
    }

    /// A run folder with resumable checkpoints after epochs 1 to `epochs`.
    fn run_with_checkpoints(epochs: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for epoch in 1..=epochs {
            let folder = checkpoint_folder(dir.path(), epoch);
            std::fs::create_dir_all(&folder).unwrap();
            for file in [STATE_FILE, OPTIMIZER_FILE, "model.safetensors"] {
                std::fs::write(folder.join(file), "x").unwrap();
            }
        }
        dir
    }

    fn write_config(dir: &Path) -> Result<()> {
        std::fs::write(dir.join("config.json"), "{}").map_err(|e| EngineError::io("write", dir, e))
    }

    #[test]
    fn a_failed_final_save_leaves_the_checkpoints_resumable() {
        let run = run_with_checkpoints(2);
        let err = finish_run_folder(run.path(), true, |dir| {
            write_config(dir)?;
            Err(EngineError::internal("disk full"))
        });
        assert!(err.is_err());
        let has = |epoch, file: &str| checkpoint_folder(run.path(), epoch).join(file).exists();
        for epoch in 1..=2 {
            assert!(
                has(epoch, STATE_FILE) && has(epoch, OPTIMIZER_FILE),
                "epoch {epoch}"
            );
        }
        assert!(!run.path().join("config.json").exists());
    }

    #[test]
    fn a_finished_folder_carries_the_checkpoints_without_their_optimizer_state() {
        let run = run_with_checkpoints(2);
        finish_run_folder(run.path(), true, write_config).unwrap();
        let has = |epoch, file: &str| checkpoint_folder(run.path(), epoch).join(file).exists();
        assert!(run.path().join("config.json").is_file());
        for epoch in 1..=2 {
            assert!(has(epoch, "model.safetensors"), "epoch {epoch}");
            assert!(
                !has(epoch, STATE_FILE) && !has(epoch, OPTIMIZER_FILE),
                "epoch {epoch}"
            );
        }
        // Checkpoints written only for resuming leave with the run they served.
        let run = run_with_checkpoints(2);
        finish_run_folder(run.path(), false, write_config).unwrap();
        assert!(!run.path().join(CHECKPOINTS_DIR).exists());
    }
}
