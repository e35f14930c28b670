//! A run's copies of the model: one on the one device of most runs, or one a device (each on
//! its own thread) when `Cluster` names several, each training on its shard of every batch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use burn::tensor::backend::AutodiffBackend;

use super::Trainer;
use crate::backend::BackendChoice;
use crate::cancel::CancelToken;
use crate::error::{EngineError, Result};
use crate::kernels::FusedOps;
use crate::train::cluster::Replica;
use crate::train::events::TrainingEvent;
use crate::train::request::{TrainingReport, TrainingRequest};

pub(super) fn train_on<B: AutodiffBackend + FusedOps>(
    request: &TrainingRequest,
    backend: BackendChoice,
    sink: &mut dyn FnMut(TrainingEvent),
    cancel: &CancelToken,
) -> Result<TrainingReport>
where
    B::InnerBackend: FusedOps,
{
    let cluster = &request.cluster;
    if cluster.devices_here() == 1 {
        return train_replica::<B>(request, backend, cluster.replica(0), sink, cancel);
    }
    // One thread a device, each with its copy of the model; the first sends the events. A
    // copy that fails or panics stops the others (they would wait for it at the next step),
    // and so does the user's cancel, passed on by a watcher.
    let group = CancelToken::new();
    let finished = AtomicBool::new(false);
    let mut panicked = None;
    let results: Vec<Result<TrainingReport>> = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::SeqCst) && !group.is_cancelled() {
                if cancel.is_cancelled() {
                    group.cancel();
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let run = |local: usize, sink: &mut dyn FnMut(TrainingEvent)| {
            let _stops_the_others = CancelOnPanic(&group);
            let result = train_replica::<B>(request, backend, cluster.replica(local), sink, &group);
            if result.is_err() {
                group.cancel();
            }
            result
        };
        let others: Vec<_> = (1..cluster.devices_here())
            .map(|local| scope.spawn(move || run(local, &mut |_| {})))
            .collect();
        let lead = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(0, sink)));
        let mut results = Vec::new();
        for outcome in std::iter::once(lead).chain(others.into_iter().map(|other| other.join())) {
            match outcome {
                Ok(result) => results.push(result),
                Err(payload) => {
                    panicked.get_or_insert(payload);
                }
            }
        }
        finished.store(true, Ordering::SeqCst);
        results
    });
    // A panic goes on up as it would from a lone run (where a GPU's out-of-memory is said).
    if let Some(payload) = panicked {
        std::panic::resume_unwind(payload);
    }
    // A copy that failed says why; the others only stopped for it.
    let failed = results.iter().position(|result| {
        result
            .as_ref()
            .is_err_and(|e| !matches!(e, EngineError::Cancelled))
    });
    results
        .into_iter()
        .nth(failed.unwrap_or(0))
        .expect("a copy ran")
}

/// Cancels the group when its copy's thread unwinds from a panic.
struct CancelOnPanic<'a>(&'a CancelToken);

impl Drop for CancelOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.cancel();
        }
    }
}

/// One copy of the model on one device: the whole run when it is alone, its shard of every
/// batch when the run is split (`Cluster`).
fn train_replica<B: AutodiffBackend + FusedOps>(
    request: &TrainingRequest,
    backend: BackendChoice,
    replica: Replica,
    sink: &mut dyn FnMut(TrainingEvent),
    cancel: &CancelToken,
) -> Result<TrainingReport>
where
    B::InnerBackend: FusedOps,
{
    let (mut trainer, mut model) = Trainer::<B>::start(request, backend, replica, sink, cancel)?;
    for epoch in trainer.run.epochs_done..request.recipe.epochs {
        if trainer.run.stopped_early {
            break;
        }
        model = trainer.epoch(epoch, model)?;
    }
    trainer.finish(model)
}
