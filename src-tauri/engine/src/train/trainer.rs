//! The training loop: the reference notebook's Trainer recipe, from a request to a saved
//! Hugging Face folder with its `training_report.json`. A `Trainer` holds what the run is made
//! of (encoded data, tokenizer, optimizer) and where it stands (`RunState`, what checkpoints
//! save); the model moves through its epochs and steps by value, as burn's optimizers take it.
//! How a run starts (or resumes) is in `start`, what it writes in `saving`.

use std::path::PathBuf;
use std::time::Instant;

use burn::backend::Autodiff;
use burn::module::AutodiffModule;
use burn::optim::{GradientsAccumulator, GradientsParams};
use burn::tensor::ElementConversion;
use burn::tensor::backend::AutodiffBackend;

use super::cluster::{Replica, shard_share};
use super::events::TrainingEvent;
use super::gradient_sync::{GradientSync, flatten_gradients, unflatten_gradients};
use super::loss::TrainingLoss;
use super::mixed_precision::LossScale;
use super::optimizer::{AdamW, clip_factor, gradient_norm};
use super::recipe::{Recipe, StepPlan, Strategy};
use super::request::{TrainingReport, TrainingRequest, check_request};
use super::run_state::{RunState, dropout_seed};
use super::schedule::learning_rate;
use crate::backend::{BackendChoice, BackendKind, GpuLoad, choose_backend, on_gpu};
use crate::cancel::CancelToken;
use crate::data::{DataSummary, Targets, length_grouped_order, shuffled_order};
use crate::error::{EngineError, Result};
use crate::kernels::FusedOps;
use crate::kernels::precision::PrecisionScope;
use crate::model::{ModelConfig, SequenceClassifier, TextTokenizer};
use crate::progress::ProgressMeter;
use crate::said;

mod evaluation;
mod probe;
mod replicas;
mod saving;
mod start;

pub use probe::estimate;
use replicas::train_on;

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

type Model<B> = SequenceClassifier<B>;

/// Token ids and targets of one side of the data.
struct Encoded {
    ids: Vec<Vec<u32>>,
    targets: Targets,
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
    loss_fn: TrainingLoss<B>,
    /// Each class's weight in the loss (training and validation alike), when the recipe asks.
    class_weights: Option<Vec<f32>>,
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
    /// `fp16` runs: the loss's scale against gradient underflow.
    loss_scale: Option<LossScale>,
    /// The products' precision on a GPU, held for this thread while the run lives.
    _precision: PrecisionScope,
    /// This copy's place in a split run (the only one otherwise).
    replica: Replica,
    /// The all-reduce with the other copies, when the run is split.
    sync: Option<GradientSync<B::InnerBackend>>,
}

impl<'a, B: AutodiffBackend + FusedOps> Trainer<'a, B>
where
    B::InnerBackend: FusedOps,
{
    /// One epoch (0-based): shuffled (or length-grouped) batches, one optimizer step per
    /// `gradient_accumulation_steps` of them, then the epoch's log, evaluation and checkpoint.
    fn epoch(&mut self, epoch: usize, mut model: Model<B>) -> Result<Model<B>> {
        let request = self.request;
        let recipe = &request.recipe;
        let epoch_started = Instant::now();
        // Each copy of a split run draws its own masks (the first, those of a lone run).
        let stream = (self.replica.index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D);
        B::seed(&self.device, dropout_seed(recipe.seed, epoch) ^ stream);
        let order = self.epoch_order();
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
            if self.run.stopped_early {
                break;
            }
        }

        self.run.epochs_done = epoch + 1;
        // Where the epoch ended: its end, or where an evaluation every N steps stopped it.
        let epoch_end = epoch as f64 + batches_done as f64 / batches.len() as f64;
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
            self.keep_if_best(valid, metrics, epoch + 1)?;
        }
        if self.request.checkpoints() {
            self.save_checkpoint(&mut model)?;
        }
        Ok(model)
    }

    /// The order of the training rows in the next epoch: shuffled, or length-grouped.
    fn epoch_order(&mut self) -> Vec<usize> {
        let recipe = &self.request.recipe;
        if recipe.group_by_length {
            let lengths: Vec<usize> = self.train_set.ids.iter().map(Vec::len).collect();
            length_grouped_order(&lengths, recipe.effective_batch_size(), self.run.rng.get())
        } else {
            shuffled_order(self.train_set.ids.len(), self.run.rng.get())
        }
    }

    /// Forward and backward over each micro-batch of `group` (this replica's shard of it, in
    /// a split run), gradients summed (over the replicas too), then one clipped AdamW update
    /// at the scheduled learning rate.
    fn optimizer_step(
        &mut self,
        mut model: Model<B>,
        group: &[&[usize]],
    ) -> Result<(Model<B>, StepTaken)> {
        let mut accumulator = GradientsAccumulator::<Model<B>>::new();
        let split = self.sync.is_some();
        let mut loss_sum = 0.0;
        for rows in group {
            if self.cancel.is_cancelled() {
                return Err(EngineError::Cancelled);
            }
            self.run.micro_batches_done += 1;
            self.pace.samples += rows.len();
            self.pace.micro_batches += 1;
            let shard = self.replica.shard(rows);
            if shard.is_empty() {
                continue;
            }
            // The shard's part of the whole micro-batch's loss (1 when alone).
            let share = if split {
                shard_share(rows, shard, |row| self.row_weight(row))
            } else {
                1.0
            };
            let seqs: Vec<&[u32]> = shard
                .iter()
                .map(|r| self.train_set.ids[*r].as_slice())
                .collect();
            let input = self.tokenizer.pad(&seqs).to_input::<B>(&self.device);
            let logits = model.forward(input).logits;
            let loss = self.loss_fn.forward(logits, &self.train_set.targets, shard);
            let loss_value = loss.clone().into_scalar().elem::<f64>();
            // A split run says it after the all-reduce, on every node at once.
            if !split && !loss_value.is_finite() {
                return Err(self.diverged(loss_value));
            }
            let scale = self.loss_scale.as_ref().map_or(1.0, LossScale::factor);
            // share is 1 alone, and above 0 in a split run (class weights are positive).
            let grads = loss
                .div_scalar(group.len() as f64 / (share * scale))
                .backward();
            accumulator.accumulate(&model, GradientsParams::from_grads(grads, &model));
            loss_sum += loss_value * share;
        }
        let mut grads = accumulator.grads();
        if let Some(sync) = &mut self.sync {
            let flat = flatten_gradients(&model, &grads, &[loss_sum as f32], &self.device);
            let (summed, extra) = unflatten_gradients(&model, sync.sum(flat, self.cancel)?);
            grads = summed;
            loss_sum = f64::from(extra[0]);
            if !loss_sum.is_finite() {
                return Err(self.diverged(loss_sum));
            }
        }
        let since = &mut self.pace.loss_since_report;
        *since = (since.0 + loss_sum, since.1 + group.len());
        let scaled_norm = gradient_norm(&model, &grads);
        let learning_rate = self.learning_rate(self.run.step);
        let (apply, scale) = match &mut self.loss_scale {
            Some(loss_scale) => {
                let scale = loss_scale.factor();
                (loss_scale.after_backward(scaled_norm), scale)
            }
            None => (true, 1.0),
        };
        let grad_norm = scaled_norm / scale;
        // An fp16 overflow skips the update (as GradScaler); the step still counts, so the
        // schedule is the recipe's.
        if apply {
            let clip = clip_factor(grad_norm, self.request.recipe.max_grad_norm);
            model = self
                .optimizer
                .step(model, grads, learning_rate, clip / scale);
        }
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

    /// A training row's weight in its batch's loss: its class's weight (a weighted mean), or 1.
    fn row_weight(&self, row: usize) -> f64 {
        match (&self.class_weights, &self.train_set.targets) {
            (Some(weights), Targets::Classes(classes)) => f64::from(weights[classes[row]]),
            _ => 1.0,
        }
    }

    /// The error for a loss that became infinite or NaN: a learning rate too high, mostly.
    fn diverged(&self, loss: f64) -> EngineError {
        let recipe = &self.request.recipe;
        let (step, learning_rate) = (self.run.step, recipe.learning_rate);
        let lower = format!("{:.0e}", learning_rate / 5.0);
        match &self.last_checkpoint {
            Some((epoch, path)) => EngineError::invalid(said!(
                "invalid.diverged_kept",
                "The training loss became {loss} at step {step}: the learning rate \
                 ({learning_rate}) is probably too high. Try a lower one, e.g. {lower}. The last \
                 good checkpoint (after epoch {epoch}) is kept in \"{path}\".",
                loss = loss.to_string(),
                step = step,
                learning_rate = learning_rate,
                lower = lower,
                epoch = *epoch,
                path = path.display().to_string()
            )),
            None => EngineError::invalid(said!(
                "invalid.diverged",
                "The training loss became {loss} at step {step}: the learning rate \
                 ({learning_rate}) is probably too high. Try a lower one, e.g. {lower}.",
                loss = loss.to_string(),
                step = step,
                learning_rate = learning_rate,
                lower = lower
            )),
        }
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

    /// An event of the run's history: kept for the report and checkpoints, and sent.
    fn record(&mut self, event: TrainingEvent) {
        self.run.history.push(event.clone());
        (self.sink)(event);
    }

    /// The run's training time so far, over all its sessions.
    fn wall_seconds(&self) -> f64 {
        self.wall_before + self.session_started.elapsed().as_secs_f64()
    }
}
