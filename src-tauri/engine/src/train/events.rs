//! What training tells the world, as it happens. Serialisable: the CLI prints it as JSON
//! lines (`--json`), the desktop app forwards it to the page.

use ts_rs::TS;

use serde::{Deserialize, Serialize};

use super::best_model::BestMetric;
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
        backend_reason: Message,
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
    /// Early stopping ended the run: `evaluations` evaluations in a row brought no improvement
    /// of `metric` by more than `threshold`.
    StoppedEarly {
        step: usize,
        epoch: f64,
        metric: BestMetric,
        evaluations: usize,
        threshold: f64,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A report written before the engine's words had ids keeps its backend reason as a bare
    /// string: it still loads, as that text.
    #[test]
    fn an_older_started_event_still_reads() {
        let stored = r#"{"event": "started", "model": "m", "backend": "CPU",
            "backend_reason": "chosen by you", "parameters": 10,
            "plan": {"micro_batches_per_epoch": 2, "steps_per_epoch": 2, "total_steps": 4, "warmup_steps": 0},
            "data": {"train_file": "t.csv", "validation_file": null, "delimiter": ",", "encoding": "utf-8",
                "rows_read": 4, "skipped_empty_text": 0, "skipped_empty_label": 0, "train_rows": 3,
                "validation_rows": 1, "classes": [], "truncated_texts": 0,
                "warnings": ["2 row(s) were skipped."]}}"#;
        let event: TrainingEvent = serde_json::from_str(stored).unwrap();
        let TrainingEvent::Started {
            backend_reason,
            data,
            ..
        } = event
        else {
            panic!("not a start: {event:?}");
        };
        assert_eq!(backend_reason, Message::plain("chosen by you"));
        assert_eq!(data.warnings[0].text, "2 row(s) were skipped.");
    }
}
