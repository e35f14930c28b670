//! The training loop: the reference notebook's Trainer recipe, from a request to a saved
//! Hugging Face folder with its `training_report.json`. A `Trainer` holds what the run is made
//! of (encoded data, tokenizer, optimizer) and where it stands (`RunState`, what checkpoints
//! save); the model moves through its epochs and steps by value, as burn's optimizers take it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::backend::Autodiff;
use burn::module::AutodiffModule;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::{GradientsAccumulator, GradientsParams};
use burn::tensor::ElementConversion;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Int, Tensor, TensorData};

use super::checkpoint::{
    CHECKPOINTS_DIR, OPTIMIZER_FILE, REPORT_FILE, ResumePoint, STATE_FORMAT, TrainerState,
    checkpoint_folder, finish_run_folder, prune_checkpoints, read_optimizer, write_optimizer,
    write_state,
};
use super::events::TrainingEvent;
use super::optimizer::{AdamW, clip_factor, gradient_norm};
use super::recipe::{Recipe, StepPlan, Strategy};
use super::request::{TrainingReport, TrainingRequest, check_request};
use super::run_state::{BestEpoch, RunState, dropout_seed};
use super::schedule::learning_rate;
use crate::backend::{BackendChoice, BackendKind, GpuLoad, choose_backend, on_gpu};
use crate::cancel::CancelToken;
use crate::data::csv_input::data_error;
use crate::data::{DataSummary, length_grouped_order, prepare_split, shuffled_order};
use crate::error::{EngineError, Result};
use crate::fsutil::write_dir_atomically;
use crate::kernels::FusedOps;
use crate::metrics::{Metrics, MetricsAccumulator, cross_entropy};
use crate::model::{
    BertForSequenceClassification, LoadOptions, ModelConfig, TextTokenizer, load_model_folder,
    write_model_files,
};
use crate::progress::ProgressMeter;
use crate::scoring::{PaddingCount, budget_row_tokens, logits_by_length};
use crate::source::resolve_model;
use crate::unix_now;

/// What a training run puts on a GPU at once, for the advice when it runs out of memory.
#[cfg_attr(not(any(feature = "wgpu", feature = "cuda")), allow(dead_code))]
fn gpu_load(recipe: &Recipe) -> GpuLoad {
    GpuLoad {
        batch_size: recipe.train_batch_size.max(recipe.eval_batch_size),
        max_seq_len: recipe.max_seq_len,
    }
}

/// Trains on the backend the recipe asks for. Nothing is written to `output_dir` unless the
/// run finishes; a cancelled or failed run leaves any previous folder there untouched.
pub fn train(
    request: &TrainingRequest,
    sink: &mut dyn FnMut(TrainingEvent),
    cancel: &CancelToken,
) -> Result<TrainingReport> {
    let result = check_request(request)
        .and_then(|()| choose_backend(request.recipe.device))
        .and_then(|backend| match backend.kind {
            BackendKind::Cpu => {
                crate::kernels::prepare_cpu_compute();
                train_on::<Autodiff<crate::backend::CpuBackend>>(request, backend, sink, cancel)
            }
            #[cfg(feature = "wgpu")]
            BackendKind::Wgpu => on_gpu(backend.name, gpu_load(&request.recipe), || {
                train_on::<Autodiff<crate::backend::WgpuBackend>>(request, backend, sink, cancel)
            }),
            #[cfg(feature = "cuda")]
            BackendKind::Cuda => on_gpu(backend.name, gpu_load(&request.recipe), || {
                train_on::<Autodiff<crate::backend::CudaBackend>>(request, backend, sink, cancel)
            }),
        });
    crate::kernels::return_freed_memory();
    match &result {
        Err(EngineError::Cancelled) => sink(TrainingEvent::Cancelled),
        Err(e) => sink(TrainingEvent::Failed { error: e.report() }),
        Ok(_) => {}
    }
    result
}

fn train_on<B: AutodiffBackend + FusedOps>(
    request: &TrainingRequest,
    backend: BackendChoice,
    sink: &mut dyn FnMut(TrainingEvent),
    cancel: &CancelToken,
) -> Result<TrainingReport>
where
    B::InnerBackend: FusedOps,
{
    let (mut trainer, mut model) = Trainer::<B>::start(request, backend, sink, cancel)?;
    for epoch in trainer.run.epochs_done..request.recipe.epochs {
        model = trainer.epoch(epoch, model)?;
    }
    trainer.finish(model)
}

type Model<B> = BertForSequenceClassification<B>;

/// Token ids and classes of one side of the data.
struct Encoded {
    ids: Vec<Vec<u32>>,
    classes: Vec<usize>,
}

/// This session's pace (a resumed run is several sessions): what the progress events report.
#[derive(Default)]
struct Pace {
    samples: usize,
    micro_batches: usize,
    /// Micro-batch losses since the last progress event.
    loss_since_report: (f64, usize),
}

/// One optimizer step's outcome.
struct StepTaken {
    /// Mean micro-batch loss of the step.
    loss: f64,
    learning_rate: f64,
    grad_norm: f64,
}

struct Trainer<'a, B: AutodiffBackend> {
    request: &'a TrainingRequest,
    backend: BackendChoice,
    device: B::Device,
    sink: &'a mut dyn FnMut(TrainingEvent),
    cancel: &'a CancelToken,
    tokenizer: TextTokenizer,
    /// The model's config with the run's labels.
    config: ModelConfig,
    labels: Vec<String>,
    train_set: Encoded,
    validation_set: Encoded,
    data: DataSummary,
    fingerprint: String,
    plan: StepPlan,
    parameters: usize,
    optimizer: AdamW<B>,
    loss_fn: CrossEntropyLoss<B>,
    /// Where the run stands: what a checkpoint saves and a resume starts from.
    run: RunState,
    /// The model of `run.best`, when `load_best` keeps one.
    best_model: Option<Model<B::InnerBackend>>,
    /// The newest checkpoint (epoch, folder), named when the loss blows up.
    last_checkpoint: Option<(usize, PathBuf)>,
    /// When this session started (loading included) and the run's time before it.
    session_started: Instant,
    wall_before: f64,
    /// The progress clock, started with the first step.
    meter: ProgressMeter,
    pace: Pace,
}

impl<'a, B: AutodiffBackend + FusedOps> Trainer<'a, B>
where
    B::InnerBackend: FusedOps,
{
    /// Data read and encoded, the model loaded (from the base model, or from the checkpoint a
    /// resumed run continues), the `Started` event sent.
    fn start(
        request: &'a TrainingRequest,
        backend: BackendChoice,
        sink: &'a mut dyn FnMut(TrainingEvent),
        cancel: &'a CancelToken,
    ) -> Result<(Self, Model<B>)> {
        let session_started = Instant::now();
        let device = B::Device::default();
        let recipe = &request.recipe;
        let mut data = prepare_split(request.split())?;
        let fingerprint = data.fingerprint();
        if let Some(ResumePoint { state, .. }) = &request.resume_from {
            if state.data_fingerprint != fingerprint {
                return Err(data_error(
                    &request.train_csv,
                    None,
                    "the rows are not the ones this run started with (the file, or its validation file, changed since), so the run cannot continue from its checkpoint; put the original file back or start a new run",
                ));
            }
            if state.backend != backend.name {
                sink(TrainingEvent::Warning {
                    message: format!(
                        "The run started on {} and continues on {}: its results may differ slightly from a run that was never interrupted.",
                        state.backend, backend.name
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
        if recipe.max_seq_len > loaded.config.bert.max_position_embeddings {
            return Err(EngineError::invalid(format!(
                "max_seq_len is {} but this model reads at most {} tokens; lower max_seq_len.",
                recipe.max_seq_len, loaded.config.bert.max_position_embeddings
            )));
        }
        let config = config_with_labels(&loaded.config, &data.labels);
        let tokenizer = loaded.tokenizer;
        let mut cut = 0;
        let mut encode = |texts: &[String], classes: Vec<usize>| -> Result<Encoded> {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let encoded = tokenizer.encode_counting_cuts(&refs, recipe.max_seq_len)?;
            cut += encoded.cut;
            Ok(Encoded {
                ids: encoded.ids,
                classes,
            })
        };
        let train_set = encode(&data.train_texts, std::mem::take(&mut data.train_classes))?;
        let validation_set = encode(
            &data.validation_texts,
            std::mem::take(&mut data.validation_classes),
        )?;
        let mut summary = data.summary;
        summary.truncated_texts = cut;
        if cut > 0 {
            summary.warnings.push(format!(
                "{cut} text(s) are longer than the maximum length ({} tokens) and are cut there; raise the maximum length if their ends matter.",
                recipe.max_seq_len
            ));
        }

        let plan = StepPlan::new(recipe, train_set.ids.len());
        let mut model = loaded.model;
        let parameters = model.num_parameters();
        sink(TrainingEvent::Started {
            model: recipe.model.clone(),
            backend: backend.name.to_string(),
            backend_reason: backend.reason.to_string(),
            data: summary.clone(),
            plan,
            parameters,
        });
        let optimizer = AdamW::<B>::new(&mut model, recipe.weight_decay);
        let loss_fn = CrossEntropyLossConfig::new().init(&device);
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
            run: RunState::new(recipe.seed, unix_now()),
            best_model: None,
            last_checkpoint: None,
            session_started,
            wall_before: 0.0,
            meter: ProgressMeter::default(),
            pace: Pace::default(),
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
        // A checkpoint being written when the process was killed left a hidden folder.
        crate::fsutil::remove_stale_partials(&self.request.output_dir.join(CHECKPOINTS_DIR));
        let (moments, steps) = read_optimizer(&point.folder.join(OPTIMIZER_FILE))?;
        self.optimizer
            .restore_moments(model, moments, steps, &self.device)
            .map_err(|why| {
                EngineError::invalid(format!(
                    "The checkpoint in \"{}\" does not fit its own model ({why}); start the run again.",
                    point.folder.display()
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

    /// One epoch (0-based): shuffled (or length-grouped) batches, one optimizer step per
    /// `gradient_accumulation_steps` of them, then the epoch's log, evaluation and checkpoint.
    fn epoch(&mut self, epoch: usize, mut model: Model<B>) -> Result<Model<B>> {
        let request = self.request;
        let recipe = &request.recipe;
        let epoch_started = Instant::now();
        B::seed(&self.device, dropout_seed(recipe.seed, epoch));
        let order = if recipe.group_by_length {
            let lengths: Vec<usize> = self.train_set.ids.iter().map(Vec::len).collect();
            length_grouped_order(&lengths, recipe.effective_batch_size(), self.run.rng.get())
        } else {
            shuffled_order(self.train_set.ids.len(), self.run.rng.get())
        };
        let batches: Vec<&[usize]> = order.chunks(recipe.train_batch_size).collect();
        let mut epoch_loss = (0.0f64, 0usize);
        let mut batches_done = 0;
        // The epoch's last group may be shorter; its loss is then averaged over the
        // micro-batches it has (as the Trainer does).
        for group in batches.chunks(recipe.gradient_accumulation_steps) {
            let (next, step) = self.optimizer_step(model, group)?;
            model = next;
            epoch_loss = (
                epoch_loss.0 + step.loss * group.len() as f64,
                epoch_loss.1 + group.len(),
            );
            batches_done += group.len();
            let epoch_float = epoch as f64 + batches_done as f64 / batches.len() as f64;
            self.after_step(&model, epoch_float, &step)?;
        }

        self.run.epochs_done = epoch + 1;
        let epoch_end = (epoch + 1) as f64;
        if recipe.logging_strategy == Strategy::Epoch {
            let loss = self.run.take_loss_since_log();
            let learning_rate = self.learning_rate(self.run.step.saturating_sub(1));
            self.record(TrainingEvent::Log {
                step: self.run.step,
                epoch: epoch_end,
                loss,
                learning_rate,
                grad_norm: None,
            });
        }
        self.record(TrainingEvent::EpochFinished {
            epoch: epoch + 1,
            train_loss: epoch_loss.0 / epoch_loss.1.max(1) as f64,
            seconds: epoch_started.elapsed().as_secs_f64(),
        });
        if recipe.eval_strategy == Strategy::Epoch {
            let valid = model.valid();
            let metrics = self.evaluate(&valid, epoch_end)?;
            let best = recipe.metric_for_best_model;
            if recipe.load_best
                && self
                    .run
                    .best
                    .as_ref()
                    .is_none_or(|kept| best.improves(&metrics, &kept.metrics))
            {
                self.run.best = Some(BestEpoch {
                    epoch: epoch + 1,
                    metrics,
                });
                self.best_model = Some(valid);
            }
        }
        if self.request.checkpoints() {
            self.save_checkpoint(&mut model)?;
        }
        Ok(model)
    }

    /// Forward and backward over each micro-batch of `group`, gradients summed, then one
    /// clipped AdamW update at the scheduled learning rate.
    fn optimizer_step(
        &mut self,
        mut model: Model<B>,
        group: &[&[usize]],
    ) -> Result<(Model<B>, StepTaken)> {
        let mut accumulator = GradientsAccumulator::<Model<B>>::new();
        let mut loss_sum = 0.0;
        for rows in group {
            if self.cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            let seqs: Vec<&[u32]> = rows
                .iter()
                .map(|r| self.train_set.ids[*r].as_slice())
                .collect();
            let classes: Vec<usize> = rows.iter().map(|r| self.train_set.classes[*r]).collect();
            let input = self.tokenizer.pad(&seqs).to_input::<B>(&self.device);
            let logits = model.forward(input).logits;
            let loss = self
                .loss_fn
                .forward(logits, targets::<B>(&classes, &self.device));
            let loss_value = loss.clone().into_scalar().elem::<f64>();
            if !loss_value.is_finite() {
                return Err(self.diverged(loss_value));
            }
            let grads = loss.div_scalar(group.len() as f64).backward();
            accumulator.accumulate(&model, GradientsParams::from_grads(grads, &model));
            loss_sum += loss_value;
            self.run.micro_batches_done += 1;
            self.pace.samples += rows.len();
            self.pace.micro_batches += 1;
            let since = &mut self.pace.loss_since_report;
            *since = (since.0 + loss_value, since.1 + 1);
        }
        let grads = accumulator.grads();
        let grad_norm = gradient_norm(&model, &grads);
        let learning_rate = self.learning_rate(self.run.step);
        let clip = clip_factor(grad_norm, self.request.recipe.max_grad_norm);
        model = self.optimizer.step(model, grads, learning_rate, clip);
        self.run.step += 1;
        let loss = loss_sum / group.len() as f64;
        self.run.loss_since_log = (
            self.run.loss_since_log.0 + loss,
            self.run.loss_since_log.1 + 1,
        );
        Ok((
            model,
            StepTaken {
                loss,
                learning_rate,
                grad_norm,
            },
        ))
    }

    /// The error for a loss that became infinite or NaN: a learning rate too high, mostly.
    fn diverged(&self, loss: f64) -> EngineError {
        let recipe = &self.request.recipe;
        let kept = match &self.last_checkpoint {
            Some((epoch, path)) => format!(
                " The last good checkpoint (after epoch {epoch}) is kept in \"{}\".",
                path.display()
            ),
            None => String::new(),
        };
        EngineError::invalid(format!(
            "The training loss became {loss} at step {}: the learning rate ({}) is probably too high. Try a lower one, e.g. {:.0e}.{kept}",
            self.run.step,
            recipe.learning_rate,
            recipe.learning_rate / 5.0
        ))
    }

    /// Progress (when due), and the logs and evaluations the recipe asks for every N steps.
    fn after_step(&mut self, model: &Model<B>, epoch: f64, step: &StepTaken) -> Result<()> {
        let request = self.request;
        let recipe = &request.recipe;
        let steps = self.run.step;
        if self.meter.due() || steps == self.plan.total_steps {
            let event = self.progress(epoch, step.learning_rate);
            (self.sink)(event);
        }
        if recipe.logging_strategy == Strategy::Steps && steps % recipe.logging_steps == 0 {
            let loss = self.run.take_loss_since_log();
            self.record(TrainingEvent::Log {
                step: steps,
                epoch,
                loss,
                learning_rate: step.learning_rate,
                grad_norm: Some(step.grad_norm),
            });
        }
        if recipe.eval_strategy == Strategy::Steps && steps % recipe.eval_steps == 0 {
            self.evaluate(&model.valid(), epoch)?;
        }
        Ok(())
    }

    /// A `Step` event: speed and time left from this session's pace.
    fn progress(&mut self, epoch: f64, learning_rate: f64) -> TrainingEvent {
        let total_micro = self.plan.micro_batches_per_epoch * self.request.recipe.epochs;
        let left = total_micro.saturating_sub(self.run.micro_batches_done);
        let (sum, n) = std::mem::take(&mut self.pace.loss_since_report);
        TrainingEvent::Step {
            step: self.run.step,
            total_steps: self.plan.total_steps,
            epoch,
            loss: sum / n.max(1) as f64,
            learning_rate,
            samples_per_second: self.meter.rate(self.pace.samples),
            eta_seconds: self
                .meter
                .seconds_left(self.pace.micro_batches as f64, left as f64),
        }
    }

    fn learning_rate(&self, step: usize) -> f64 {
        let recipe = &self.request.recipe;
        learning_rate(
            recipe.scheduler,
            recipe.learning_rate,
            step,
            self.plan.warmup_steps,
            self.plan.total_steps,
        )
    }

    /// Validation metrics with the loss (the model runs without dropout), recorded as an
    /// `Evaluation` event and kept as the run's latest.
    fn evaluate(&mut self, model: &Model<B::InnerBackend>, epoch: f64) -> Result<Metrics> {
        let budget =
            self.request.recipe.eval_batch_size.max(1) * budget_row_tokens(self.backend.kind);
        let logits = logits_by_length(
            model,
            &self.tokenizer,
            &self.validation_set.ids,
            budget,
            &self.device,
            &PaddingCount::default(),
            self.cancel,
        )?;
        let mut counts = MetricsAccumulator::new(self.labels.len());
        let mut loss_sum = 0.0;
        for (row, &truth) in logits.iter().zip(&self.validation_set.classes) {
            loss_sum += cross_entropy(row, truth);
            counts.add(truth, row);
        }
        let loss = loss_sum / logits.len().max(1) as f64;
        let metrics = counts.finish(&self.labels, Some(loss));
        self.record(TrainingEvent::Evaluation {
            step: self.run.step,
            epoch,
            metrics: metrics.clone(),
        });
        self.run.last_metrics = Some(metrics.clone());
        Ok(metrics)
    }

    /// An event of the run's history: kept for the report and checkpoints, and sent.
    fn record(&mut self, event: TrainingEvent) {
        self.run.history.push(event.clone());
        (self.sink)(event);
    }

    /// The run's training time so far, over all its sessions.
    fn wall_seconds(&self) -> f64 {
        self.wall_before + self.session_started.elapsed().as_secs_f64()
    }

    /// `checkpoints/epoch-N`: the model, the optimizer's moments and the run state, written
    /// atomically; older checkpoints are pruned.
    fn save_checkpoint(&mut self, model: &mut Model<B>) -> Result<()> {
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
    /// the `Finished` event.
    fn finish(mut self, model: Model<B>) -> Result<TrainingReport> {
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
            data: self.data.clone(),
            plan: self.plan,
            parameters: self.parameters,
            history: std::mem::take(&mut self.run.history),
            final_metrics: final_metrics.clone(),
            best_epoch,
            wall_seconds: self.wall_seconds(),
        };
        save_trained_folder(
            &request.output_dir,
            &final_model,
            &self.config,
            &self.tokenizer,
            &report,
            !request.resumable_only(),
        )?;
        (self.sink)(TrainingEvent::Finished {
            output_dir: request.output_dir.display().to_string(),
            metrics: final_metrics,
            best_epoch,
            seconds: report.wall_seconds,
        });
        Ok(report)
    }
}

fn targets<B: Backend>(classes: &[usize], device: &B::Device) -> Tensor<B, 1, Int> {
    let values: Vec<i64> = classes.iter().map(|c| *c as i64).collect();
    Tensor::from_data(TensorData::new(values, [classes.len()]), device)
}

fn config_with_labels(config: &ModelConfig, labels: &[String]) -> ModelConfig {
    let mut config = config.clone();
    config.set_labels(labels);
    config
}

/// The model folder plus `recipe.json` and `training_report.json`, all in one atomic move.
fn save_trained_folder<B: Backend>(
    dest: &Path,
    model: &BertForSequenceClassification<B>,
    config: &ModelConfig,
    tokenizer: &TextTokenizer,
    report: &TrainingReport,
    keep_checkpoints: bool,
) -> Result<()> {
    finish_run_folder(dest, keep_checkpoints, |dir| {
        write_model_files(dir, model, config, tokenizer)?;
        let write = |name: &str, text: String| {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| EngineError::io("write", &path, e))
        };
        write("recipe.json", report.recipe.to_json())?;
        write(
            REPORT_FILE,
            serde_json::to_string_pretty(report)
                .map_err(|e| EngineError::invalid(e.to_string()))?,
        )
    })
}
