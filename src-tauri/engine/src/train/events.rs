//! What training tells the world, as it happens. Serialisable: the CLI prints it as JSON
//! lines (`--json`), the desktop app forwards it to the page.

use ts_rs::TS;

use serde::{Deserialize, Serialize};

use super::recipe::StepPlan;
use crate::data::DataSummary;
use crate::error::ErrorReport;
use crate::message::Message;
use crate::metrics::Metrics;
use crate::source::DownloadEvent;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TrainingEvent {
    /// Model files are being downloaded.
    Download(DownloadEvent),
    Started {
        model: String,
        backend: String,
        /// Why this backend was chosen.
        backend_reason: String,
        data: DataSummary,
        plan: StepPlan,
        parameters: usize,
    },
    /// The run continues from a checkpoint; the events of the epochs before it follow.
    Resumed {
        epochs_done: usize,
        step: usize,
    },
    /// Progress, a few times a second at most.
    Step {
        step: usize,
        total_steps: usize,
        epoch: f64,
        /// Mean training loss since the previous progress event.
        loss: f64,
        learning_rate: f64,
        samples_per_second: f64,
        eta_seconds: f64,
    },
    /// A logged training loss (per `logging_strategy`).
    Log {
        step: usize,
        epoch: f64,
        loss: f64,
        learning_rate: f64,
        /// The gradient norm of the step, for per-step logs.
        grad_norm: Option<f64>,
    },
    Evaluation {
        step: usize,
        epoch: f64,
        metrics: Metrics,
    },
    EpochFinished {
        epoch: usize,
        train_loss: f64,
        seconds: f64,
    },
    CheckpointSaved {
        step: usize,
        path: String,
    },
    Warning {
        message: Message,
    },
    Finished {
        output_dir: String,
        metrics: Option<Metrics>,
        best_epoch: Option<usize>,
        seconds: f64,
    },
    /// The run stopped with an error: what happened and what to try next.
    Failed {
        error: ErrorReport,
    },
    Cancelled,
}
