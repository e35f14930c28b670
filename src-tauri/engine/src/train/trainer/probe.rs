//! The time a run will take, measured before it starts: the run begins as it would (data read,
//! split and encoded, the model loaded, the first epoch's batches cut as training will cut
//! them), a few of its real optimizer steps and one evaluation of a slice of the validation
//! rows are timed on this device, and the work of every batch is priced at that pace. Nothing
//! is downloaded, and nothing is kept: one save of the model is timed in a temporary folder,
//! which is removed.

use std::time::Instant;

use burn::backend::Autodiff;
use burn::module::AutodiffModule;
use burn::tensor::backend::{AutodiffBackend, Backend};

use super::{Model, Trainer};
use crate::backend::{BackendChoice, BackendKind, choose_backend, on_gpu};
use crate::cancel::CancelToken;
use crate::catalog::{model_availability, suggested_models};
use crate::error::{EngineError, Result};
use crate::kernels::FusedOps;
use crate::model::{EncoderWork, write_model_files};
use crate::said;
use crate::scoring::{PaddingCount, budget_row_tokens, logits_by_length};
use crate::train::cluster::Cluster;
use crate::train::estimate::{RunEstimate, faster_models, pace};
use crate::train::events::TrainingEvent;
use crate::train::recipe::Strategy;
use crate::train::request::{TrainingRequest, check_request};

/// Typical optimizer steps timed, after `WARM_UP_STEPS` untimed ones (the first steps of a
/// process pay for allocations).
const TIMED_STEPS: usize = 6;
const WARM_UP_STEPS: usize = 2;
/// Fewer steps are timed (two at least) when a big model's steps take this long in all.
const PROBE_SECONDS: f64 = 12.0;
/// Validation rows timed for the pace of an evaluation.
const TIMED_VALIDATION_ROWS: usize = 96;

/// How long `request` would take on the device it asks for, from a few of its own steps timed
/// here. The model must be on this computer (a folder, or a Hub model already downloaded): an
/// estimate never downloads one.
pub fn estimate(request: &TrainingRequest, cancel: &CancelToken) -> Result<RunEstimate> {
    let availability = model_availability(&request.recipe.model, &request.hub);
    if availability.local_folder.is_none() {
        let reason = if availability.not_downloaded() {
            said!(
                "model.not_local_yet",
                "it is not on this computer yet (it is downloaded when training starts), so the \
                 time its steps take cannot be measured before"
            )
        } else {
            availability.status
        };
        return Err(EngineError::ModelNotFound {
            name: availability.name,
            reason,
        });
    }
    let mut local = request.clone();
    local.hub.offline = true;
    local.resume_from = None;
    let request = &local;
    let result = check_request(request)
        .and_then(|()| choose_backend(request.recipe.device))
        .and_then(|backend| match backend.kind {
            BackendKind::Cpu => {
                crate::kernels::prepare_cpu_compute();
                probe_on::<Autodiff<crate::backend::CpuBackend>>(request, backend, cancel)
            }
            #[cfg(feature = "wgpu")]
            BackendKind::Wgpu => on_gpu(backend.name, super::gpu_load(&request.recipe), || {
                probe_on::<Autodiff<crate::backend::WgpuBackend>>(request, backend, cancel)
            }),
            #[cfg(feature = "cuda")]
            BackendKind::Cuda => on_gpu(backend.name, super::gpu_load(&request.recipe), || {
                probe_on::<Autodiff<crate::backend::CudaBackend>>(request, backend, cancel)
            }),
        });
    crate::kernels::return_freed_memory();
    result
}

fn probe_on<B: AutodiffBackend + FusedOps>(
    request: &TrainingRequest,
    backend: BackendChoice,
    cancel: &CancelToken,
) -> Result<RunEstimate>
where
    B::InnerBackend: FusedOps,
{
    let recipe = &request.recipe;
    let started = Instant::now();
    let mut ignore = |_: TrainingEvent| {};
    let (mut trainer, mut model) = Trainer::<B>::start(
        request,
        backend,
        Cluster::default().replica(0),
        &mut ignore,
        cancel,
    )?;
    let loading_seconds = started.elapsed().as_secs_f64();
    // Loading a big model takes seconds: a newer estimate may have cancelled this one since.
    if cancel.is_cancelled() {
        return Err(EngineError::Cancelled);
    }
    let work = EncoderWork::of(&trainer.config.encoder);

    // The first epoch's optimizer steps, each with its work; later epochs cut the same rows.
    let order = trainer.epoch_order();
    let batches: Vec<&[usize]> = order.chunks(recipe.train_batch_size).collect();
    let groups: Vec<&[&[usize]]> = batches.chunks(recipe.gradient_accumulation_steps).collect();
    let ids = &trainer.train_set.ids;
    let batch_work = |rows: &[usize]| {
        let longest = rows.iter().map(|r| ids[*r].len()).max().unwrap_or(0);
        work.training(rows.len(), longest)
    };
    let group_work: Vec<f64> = groups
        .iter()
        .map(|group| group.iter().map(|rows| batch_work(rows)).sum())
        .collect();
    let epoch_work: f64 = group_work.iter().sum();

    // The largest step first (it allocates the biggest buffers once), then typical steps:
    // those spread over the quantiles of the work per step; the first `WARM_UP_STEPS` untimed.
    let mut by_work: Vec<usize> = (0..groups.len()).collect();
    by_work.sort_by(|a, b| group_work[*a].total_cmp(&group_work[*b]));
    let largest = *by_work.last().expect("a run has at least one step");
    let steps = WARM_UP_STEPS + TIMED_STEPS;
    let typical = (1..steps).map(|k| by_work[k * by_work.len() / steps]);
    let mut timed = Vec::new();
    let probing = Instant::now();
    for (n, g) in std::iter::once(largest).chain(typical).enumerate() {
        let clock = Instant::now();
        let (next, _) = trainer.optimizer_step(model, groups[g])?;
        model = next;
        B::sync(&trainer.device).ok();
        if n >= WARM_UP_STEPS {
            timed.push((group_work[g], clock.elapsed().as_secs_f64()));
            if timed.len() >= 2 && probing.elapsed().as_secs_f64() > PROBE_SECONDS {
                break;
            }
        }
    }
    let training_seconds = epoch_work * pace(&timed) * recipe.epochs as f64;

    let evaluation_seconds = evaluations(request, trainer.plan.total_steps) as f64
        * trainer.evaluation_seconds(&model.valid(), &work)?;

    // The final folder is one model save; a checkpoint saves the weights and the optimizer's
    // two moments, about three times as much.
    if cancel.is_cancelled() {
        return Err(EngineError::Cancelled);
    }
    let save_seconds = trainer.save_seconds(&model.valid())?;
    let checkpoints = if request.checkpoints() {
        recipe.epochs
    } else {
        0
    };
    let checkpoint_seconds = save_seconds * 3.0 * checkpoints as f64;
    let other_seconds = loading_seconds + save_seconds + checkpoint_seconds;
    let seconds = training_seconds + evaluation_seconds + other_seconds;
    Ok(RunEstimate {
        seconds,
        training_seconds,
        evaluation_seconds,
        other_seconds,
        checkpoint_seconds,
        backend: backend.name.to_string(),
        measured_steps: timed.len(),
        faster_models: faster_models(
            &recipe.model,
            &work,
            training_seconds + evaluation_seconds,
            other_seconds,
            seconds,
            &suggested_models(),
        ),
    })
}

/// How many times the recipe evaluates on the validation rows.
fn evaluations(request: &TrainingRequest, total_steps: usize) -> usize {
    let recipe = &request.recipe;
    match recipe.eval_strategy {
        Strategy::No => 0,
        Strategy::Epoch => recipe.epochs,
        Strategy::Steps => total_steps / recipe.eval_steps.max(1),
    }
}

impl<B: AutodiffBackend + FusedOps> Trainer<'_, B>
where
    B::InnerBackend: FusedOps,
{
    /// One evaluation of all validation rows, priced from a timed slice of them (rows spread
    /// over the lengths, batched as an evaluation batches them).
    fn evaluation_seconds(
        &self,
        model: &Model<B::InnerBackend>,
        work: &EncoderWork,
    ) -> Result<f64> {
        let ids = &self.validation_set.ids;
        let budget =
            self.request.recipe.eval_batch_size.max(1) * budget_row_tokens(self.backend.kind);
        let batches_work = |ids: &[Vec<u32>]| -> f64 {
            let mut order: Vec<usize> = (0..ids.len()).collect();
            order.sort_by_key(|j| ids[*j].len());
            crate::data::token_budget_batches(&order, |j| ids[j].len(), budget)
                .iter()
                .map(|batch| {
                    let longest = batch.iter().map(|j| ids[*j].len()).max().unwrap_or(0);
                    work.forward(batch.len(), longest)
                })
                .sum()
        };
        let step = ids.len().div_ceil(TIMED_VALIDATION_ROWS).max(1);
        let slice: Vec<Vec<u32>> = ids.iter().step_by(step).cloned().collect();
        let score = || {
            logits_by_length(
                model,
                &self.tokenizer,
                &slice,
                budget,
                &self.device,
                &PaddingCount::default(),
                self.cancel,
            )
        };
        score()?;
        let clock = Instant::now();
        score()?;
        <B::InnerBackend as Backend>::sync(&self.device).ok();
        let timed = [(batches_work(&slice), clock.elapsed().as_secs_f64())];
        Ok(batches_work(ids) * pace(&timed))
    }

    /// The time one save of the model folder takes here (written to a temporary folder).
    fn save_seconds(&self, model: &Model<B::InnerBackend>) -> Result<f64> {
        let dir = tempfile::tempdir()
            .map_err(|e| crate::EngineError::io("create", &std::env::temp_dir(), e))?;
        let clock = Instant::now();
        write_model_files(dir.path(), model, &self.config, &self.tokenizer)?;
        Ok(clock.elapsed().as_secs_f64())
    }
}
