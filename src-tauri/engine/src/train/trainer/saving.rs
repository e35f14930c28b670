//! What a run writes: a checkpoint after an epoch (model, optimizer moments, run state), and
//! at the end the model folder with its recipe and report.

use std::path::Path;

use burn::module::AutodiffModule;
use burn::tensor::backend::{AutodiffBackend, Backend};

use super::{Model, Trainer};
use crate::data::label_names::{labels_named, write_model_label_names};
use crate::error::{EngineError, Result};
use crate::fsutil::write_dir_atomically;
use crate::kernels::FusedOps;
use crate::model::{ModelConfig, SequenceClassifier, TextTokenizer, write_model_files};
use crate::train::checkpoint::{
    OPTIMIZER_FILE, REPORT_FILE, STATE_FORMAT, TrainerState, checkpoint_folder, finish_run_folder,
    prune_checkpoints, write_optimizer, write_state,
};
use crate::train::events::TrainingEvent;
use crate::train::request::TrainingReport;
use crate::unix_now;

impl<B: AutodiffBackend + FusedOps> Trainer<'_, B>
where
    B::InnerBackend: FusedOps,
{
    /// `checkpoints/epoch-N`: the model, the optimizer's moments and the run state, written
    /// atomically; older checkpoints are pruned. In a split run the lead copy alone writes
    /// (the others hold the same weights) while the others wait for it.
    pub(super) fn save_checkpoint(&mut self, model: &mut Model<B>) -> Result<()> {
        let saved = match self.replica.leads() {
            true => self.write_checkpoint(model),
            false => Ok(()),
        };
        if let Some(sync) = &mut self.sync {
            sync.after_lead_saved(saved.is_ok(), false, self.cancel)?;
        }
        saved
    }

    fn write_checkpoint(&mut self, model: &mut Model<B>) -> Result<()> {
        let request = self.request;
        let epochs_done = self.run.epochs_done;
        let path = checkpoint_folder(&request.output_dir, epochs_done);
        let event = TrainingEvent::CheckpointSaved {
            step: self.run.step,
            path: path.display().to_string(),
        };
        // Checkpoints kept only for resuming are gone at the end: not in the report.
        if !request.resumable_only() {
            self.run.history.push(event.clone());
        }
        self.run.wall_seconds = self.wall_seconds();
        let state = TrainerState {
            format_version: STATE_FORMAT,
            recipe: request.recipe.clone(),
            train_csv: request.train_csv.clone(),
            validation_csv: request.validation_csv.clone(),
            dialect: request.dialect,
            resumable_only: request.resumable_only(),
            data_fingerprint: self.fingerprint.clone(),
            backend: self.backend.name.to_string(),
            run: self.run.clone(),
            saved_unix: unix_now(),
            data: self.data.clone(),
            plan: self.plan,
            parameters: self.parameters,
            class_weights: self.class_weights.clone(),
        };
        write_dir_atomically(&path, |dir| {
            write_model_files(dir, &model.valid(), &self.config, &self.tokenizer)?;
            let moments = self.optimizer.moments_by_name(model);
            write_optimizer(&dir.join(OPTIMIZER_FILE), moments, self.optimizer.steps)?;
            write_state(dir, &state)
        })?;
        prune_checkpoints(
            &request.output_dir,
            Some(epochs_done),
            request.resumable_only(),
            self.run.best.as_ref().map(|kept| kept.epoch),
        );
        self.last_checkpoint = Some((epochs_done, path));
        (self.sink)(event);
        Ok(())
    }

    /// The final folder (the best epoch's model when `load_best` kept one), its report, and
    /// the `Finished` event. In a split run the lead copy alone writes the folder, and the
    /// others finish once it has.
    pub(super) fn finish(mut self, model: Model<B>) -> Result<TrainingReport> {
        let request = self.request;
        let recipe = &request.recipe;
        let (final_model, final_metrics, best_epoch) =
            match (self.best_model.take(), &self.run.best) {
                (Some(best), Some(kept)) => (best, Some(kept.metrics.clone()), Some(kept.epoch)),
                _ => (model.valid(), self.run.last_metrics.clone(), None),
            };
        let report = TrainingReport {
            engine_version: crate::VERSION.into(),
            burn_version: crate::BURN_VERSION.into(),
            created_unix: unix_now(),
            recipe: recipe.clone(),
            base_model: recipe.model.clone(),
            backend: self.backend.name.to_string(),
            devices: request.cluster.device_names(self.backend.kind.flag_name()),
            nodes: request.cluster.nodes,
            data: self.data.clone(),
            plan: self.plan,
            parameters: self.parameters,
            history: std::mem::take(&mut self.run.history),
            final_metrics: final_metrics.clone(),
            best_epoch,
            wall_seconds: self.wall_seconds(),
        };
        let saved = match self.replica.leads() {
            true => save_trained_folder(
                &request.output_dir,
                &final_model,
                &self.config,
                &self.tokenizer,
                &report,
                !request.resumable_only(),
            ),
            false => Ok(()),
        };
        // The other nodes say "saved" only once node 0 has.
        if let Some(sync) = &mut self.sync {
            sync.after_lead_saved(saved.is_ok(), true, self.cancel)?;
        }
        saved?;
        (self.sink)(TrainingEvent::Finished {
            output_dir: request.output_dir.display().to_string(),
            metrics: final_metrics,
            best_epoch,
            seconds: report.wall_seconds,
        });
        Ok(report)
    }
}

/// The model folder plus `recipe.json`, `training_report.json` and the labels' names (and
/// the names as its labels when the recipe asks), all in one atomic move.
fn save_trained_folder<B: Backend>(
    dest: &Path,
    model: &SequenceClassifier<B>,
    config: &ModelConfig,
    tokenizer: &TextTokenizer,
    report: &TrainingReport,
    keep_checkpoints: bool,
) -> Result<()> {
    let names = &report.data.label_names;
    let named_config;
    let config = if report.recipe.label_names_as_labels {
        let mut named = config.clone();
        named.set_labels(&labels_named(&config.labels(), names));
        named_config = named;
        &named_config
    } else {
        config
    };
    finish_run_folder(dest, keep_checkpoints, |dir| {
        write_model_files(dir, model, config, tokenizer)?;
        write_model_label_names(dir, names)?;
        let write = |name: &str, text: String| {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| EngineError::io("write", &path, e))
        };
        write("recipe.json", report.recipe.to_json())?;
        write(
            REPORT_FILE,
            serde_json::to_string_pretty(report).map_err(|e| EngineError::internal(e))?,
        )
    })
}
