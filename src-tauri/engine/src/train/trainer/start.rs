//! How a run begins: the data read, split and encoded, the model loaded (the base model, or
//! the checkpoint a resumed run continues from), the `Started` event sent; on resume, the
//! optimizer's moments, the best model so far and the run's history taken back.

use std::time::Instant;

use burn::tensor::backend::AutodiffBackend;

use super::{Encoded, Model, Pace, Trainer};
use crate::backend::{BackendChoice, device_at};
use crate::cancel::CancelToken;
use crate::data::csv_input::data_error;
use crate::data::{Targets, prepare_split};
use crate::error::{EngineError, Result};
use crate::kernels::FusedOps;
use crate::kernels::precision::PrecisionScope;
use crate::message::Message;
use crate::model::{LoadOptions, ModelConfig, load_model_folder};
use crate::progress::ProgressMeter;
use crate::said;
use crate::source::resolve_model;
use crate::train::checkpoint::{
    CHECKPOINTS_DIR, OPTIMIZER_FILE, ResumePoint, checkpoint_folder, read_optimizer,
};
use crate::train::class_weights::{Weighting, class_weights};
use crate::train::cluster::Replica;
use crate::train::events::TrainingEvent;
use crate::train::gpu_memory::check_fits;
use crate::train::gradient_sync::GradientSync;
use crate::train::loss::TrainingLoss;
use crate::train::mixed_precision::{LossScale, matmul_precision_for};
use crate::train::optimizer::AdamW;
use crate::train::recipe::StepPlan;
use crate::train::request::TrainingRequest;
use crate::train::roll_call::{RunSign, run_digest};
use crate::train::run_state::RunState;
use crate::unix_now;

impl<'a, B: AutodiffBackend + FusedOps> Trainer<'a, B>
where
    B::InnerBackend: FusedOps,
{
    /// Data read and encoded, the model loaded (from the base model, or from the checkpoint a
    /// resumed run continues), the `Started` event sent.
    pub(super) fn start(
        request: &'a TrainingRequest,
        backend: BackendChoice,
        replica: Replica,
        sink: &'a mut dyn FnMut(TrainingEvent),
        cancel: &'a CancelToken,
    ) -> Result<(Self, Model<B>)> {
        let session_started = Instant::now();
        let cluster = &request.cluster;
        let index = cluster.device_indices.get(replica.local).copied();
        let device = device_at::<B>(backend.kind, index);
        let recipe = &request.recipe;
        let precision = matmul_precision_for::<B>(recipe, &backend, &device)?;
        let mut data = prepare_split(request.split())?;
        let fingerprint = data.fingerprint();
        // Before any loading, so that a bad weights file is said at once; a resume keeps the
        // run's own.
        let weighting = match &request.resume_from {
            Some(ResumePoint { state, .. }) => Weighting {
                weights: state.class_weights.clone(),
                note: None,
            },
            None => match &data.train_targets {
                Targets::Classes(classes) => {
                    class_weights(&recipe.class_weights, &data.labels, classes)?
                }
                // A multi-label recipe asks for no weights (its check refuses them).
                Targets::LabelSets(_) => Weighting {
                    weights: None,
                    note: None,
                },
            },
        };
        let class_weights = weighting.weights;
        if let Some(ResumePoint { state, .. }) = &request.resume_from {
            if state.data_fingerprint != fingerprint {
                return Err(data_error(
                    &request.train_csv,
                    None,
                    said!(
                        "data_error.rows_changed",
                        "the rows are not the ones this run started with (the file, or its \
                         validation file, changed since), so the run cannot continue from its \
                         checkpoint; put the original file back or start a new run"
                    ),
                ));
            }
            if state.backend != backend.name {
                let (before, now) = (state.backend.clone(), backend.name.to_string());
                sink(TrainingEvent::Warning {
                    message: Message::new(
                        "train.other_backend",
                        format!(
                            "The run started on {before} and continues on {now}: its results may differ slightly from a run that was never interrupted."
                        ),
                        [("before", before.into()), ("now", now.into())],
                    ),
                });
            }
        }
        // A resumed run starts from its checkpoint's model folder: nothing to download.
        let folder = match &request.resume_from {
            Some(point) => point.folder.clone(),
            None => resolve_model(&recipe.model, &request.hub, &mut |e| {
                sink(TrainingEvent::Download(e))
            })?,
        };
        let labelled = LoadOptions {
            labels: Some(data.labels.clone()),
            seed: Some(recipe.seed),
        };
        let loaded = load_model_folder::<B>(&folder, &labelled, &device)?;
        if recipe.max_seq_len > loaded.config.max_sequence_length() {
            return Err(EngineError::invalid(said!(
                "invalid.max_seq_len_over_model",
                "max_seq_len is {value} but this model reads at most {limit} tokens; lower \
                 max_seq_len.",
                value = recipe.max_seq_len,
                limit = loaded.config.max_sequence_length()
            )));
        }
        let multi_label = data.train_targets.is_multi_label();
        let threshold = multi_label.then_some(recipe.decision_threshold);
        let config = config_with_labels(&loaded.config, &data.labels, threshold);
        let tokenizer = loaded.tokenizer;
        let mut cut = 0;
        let mut encode = |texts: &[String], targets: Targets| -> Result<Encoded> {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let encoded = tokenizer.encode_counting_cuts(&refs, recipe.max_seq_len)?;
            cut += encoded.cut;
            Ok(Encoded {
                ids: encoded.ids,
                targets,
            })
        };
        let no_rows = || Targets::Classes(Vec::new());
        let train_set = encode(
            &data.train_texts,
            std::mem::replace(&mut data.train_targets, no_rows()),
        )?;
        let validation_set = encode(
            &data.validation_texts,
            std::mem::replace(&mut data.validation_targets, no_rows()),
        )?;
        let mut summary = data.summary;
        summary.truncated_texts = cut;
        summary.warnings.extend(weighting.note);
        // A resumed run whose names file is gone keeps the names its checkpoint holds.
        if let Some(ResumePoint { state, .. }) = &request.resume_from
            && summary.label_names.is_empty()
        {
            summary.label_names = state.data.label_names.clone();
        }
        if cut > 0 {
            let tokens = recipe.max_seq_len;
            summary.warnings.push(Message::new(
                "train.cut_texts",
                format!(
                    "{cut} text(s) are longer than the maximum length ({tokens} tokens) and are cut there; raise the maximum length if their ends matter."
                ),
                [("count", cut.into()), ("tokens", tokens.into())],
            ));
        }

        let plan = StepPlan::new(recipe, train_set.ids.len());
        let mut model = loaded.model;
        let parameters = model.num_parameters();
        if let Some(free) = crate::backend::gpu_free_memory(backend.kind) {
            // The weights are on the card already: their 4 bytes a parameter count as free.
            let free = free + 4 * parameters as u64;
            check_fits(&config, parameters, recipe, backend.name, free)?;
        }
        // Every copy waits here for the others (the roll call), after its slowest part.
        let sync = match cluster.is_split() {
            true => Some(GradientSync::<B::InnerBackend>::join(
                cluster,
                replica,
                device.clone(),
                RunSign {
                    start_step: request.resume_from.as_ref().map_or(0, |p| p.state.run.step),
                    digest: run_digest(recipe, &fingerprint),
                },
                cancel,
            )?),
            false => None,
        };
        sink(TrainingEvent::Started {
            model: recipe.model.clone(),
            backend: backend.name.to_string(),
            backend_reason: backend.reason.said(),
            data: summary.clone(),
            plan,
            parameters,
        });
        let optimizer = AdamW::<B>::new(&mut model, recipe.weight_decay);
        let loss_fn = TrainingLoss::new(&train_set.targets, class_weights.clone(), &device);
        let mut trainer = Trainer {
            request,
            backend,
            device,
            sink,
            cancel,
            tokenizer,
            config,
            labels: data.labels,
            train_set,
            validation_set,
            data: summary,
            fingerprint,
            plan,
            parameters,
            optimizer,
            loss_fn,
            class_weights,
            run: RunState::new(recipe.seed, unix_now()),
            best_model: None,
            last_checkpoint: None,
            session_started,
            wall_before: 0.0,
            meter: ProgressMeter::default(),
            pace: Pace::default(),
            loss_scale: LossScale::for_precision(precision),
            _precision: PrecisionScope::new(precision),
            replica,
            sync,
        };
        if let Some(point) = &request.resume_from {
            trainer.resume_from(point, &mut model)?;
            // The pace counts training only, not the loading of the checkpoint.
            trainer.meter = ProgressMeter::default();
        }
        Ok((trainer, model))
    }

    /// Takes the checkpoint's run state and optimizer moments (and the best model so far),
    /// then replays the run's history, so the page and the CLI show the whole run.
    fn resume_from(&mut self, point: &ResumePoint, model: &mut Model<B>) -> Result<()> {
        // A checkpoint being written when the process was killed left a hidden folder (the
        // lead copy's to tidy: it alone writes there).
        if self.replica.leads() {
            crate::fsutil::remove_stale_partials(&self.request.output_dir.join(CHECKPOINTS_DIR));
        }
        let (moments, steps) = read_optimizer(&point.folder.join(OPTIMIZER_FILE))?;
        self.optimizer
            .restore_moments(model, moments, steps, &self.device)
            .map_err(|why| {
                EngineError::invalid(said!(
                    "invalid.checkpoint_misfit",
                    "The checkpoint in \"{path}\" does not fit its own model ({why}); start the \
                     run again.",
                    path = point.folder.display().to_string(),
                    why = why.to_string()
                ))
            })?;
        let run = point.state.run.clone();
        if let Some(kept) = &run.best {
            let folder = checkpoint_folder(&self.request.output_dir, kept.epoch);
            let labelled = LoadOptions {
                labels: Some(self.labels.clone()),
                seed: Some(self.request.recipe.seed),
            };
            self.best_model =
                Some(load_model_folder::<B::InnerBackend>(&folder, &labelled, &self.device)?.model);
        }
        self.wall_before = run.wall_seconds;
        self.last_checkpoint = Some((run.epochs_done, point.folder.clone()));
        (self.sink)(TrainingEvent::Resumed {
            epochs_done: run.epochs_done,
            step: run.step,
        });
        for event in &run.history {
            (self.sink)(event.clone());
        }
        self.run = run;
        Ok(())
    }
}

/// The base model's config with the run's labels, multi-label (with its decision threshold)
/// or not.
fn config_with_labels(
    config: &ModelConfig,
    labels: &[String],
    multi_label_threshold: Option<f64>,
) -> ModelConfig {
    let mut config = config.clone();
    config.set_labels(labels);
    config.set_multi_label(multi_label_threshold);
    config
}
