//! A training run on the tiny fixture, for the tests that train.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use bert_studio_engine::EngineError;
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{
    CancelToken, Recipe, TrainingEvent, TrainingReport, TrainingRequest,
};

use super::fixtures;

/// burn's CPU backend has one process-wide random generator: two trainings running at once in
/// a test binary would draw each other's initial classification heads. Runs take turns.
static ONE_TRAINING_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The turn of the caller's training (held until dropped).
pub fn one_training_at_a_time() -> MutexGuard<'static, ()> {
    ONE_TRAINING_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

pub fn train(
    request: &TrainingRequest,
    sink: &mut dyn FnMut(TrainingEvent),
    cancel: &CancelToken,
) -> Result<TrainingReport, EngineError> {
    let _turn = one_training_at_a_time();
    bert_studio_engine::train::train(request, sink, cancel)
}

/// The `training_report.json` of a run's folder.
pub fn json_report(folder: &Path) -> TrainingReport {
    TrainingReport::read(&folder.join("training_report.json")).unwrap()
}

pub fn tiny_recipe() -> Recipe {
    Recipe {
        model: fixtures().join("tiny-bert").display().to_string(),
        epochs: 3,
        learning_rate: 2e-3,
        train_batch_size: 8,
        eval_batch_size: 16,
        max_seq_len: 32,
        validation_fraction: 0.2,
        device: bert_studio_engine::train::DeviceChoice::Cpu,
        ..Recipe::default()
    }
}

pub fn request(recipe: Recipe, train_csv: PathBuf, output: PathBuf) -> TrainingRequest {
    TrainingRequest {
        recipe,
        train_csv,
        validation_csv: None,
        output_dir: output,
        dialect: None,
        hub: HubSettings {
            offline: true,
            ..Default::default()
        },
        always_checkpoint: false,
        resume_from: None,
        cluster: Default::default(),
    }
}

/// Runs `request` and cancels it as soon as its first checkpoint is saved (an app run, or one
/// that saves every epoch): the run stops there, resumable.
pub fn stop_after_first_checkpoint(request: &TrainingRequest) {
    let cancel = CancelToken::new();
    let result = train(
        request,
        &mut |e| {
            if matches!(e, TrainingEvent::CheckpointSaved { .. }) {
                cancel.cancel();
            }
        },
        &cancel,
    );
    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");
}
