//! Training: recipe, schedule, optimizer, checkpoints, events and the loop that ties them.

pub mod checkpoint;
pub mod events;
pub mod optimizer;
pub mod recipe;
pub mod schedule;
pub mod trainer;

pub use checkpoint::{UnfinishedRun, unfinished_run};
pub use events::{ClassCount, DataSummary, TrainingEvent};
pub use recipe::{BestMetric, Recipe, RecipeProblem, Scheduler, StepPlan, Strategy};
pub use trainer::{TrainingReport, TrainingRequest, check_data, train};
// Shared with inference, which does not depend on training; here too for the callers of a run.
pub use crate::backend::DeviceChoice;
pub use crate::cancel::CancelToken;
pub use crate::metrics::{ClassMetrics, Metrics, MetricsAccumulator, classification_metrics};
