//! Training: recipe, schedule, optimizer, metrics, events and the loop that ties them.

pub mod checkpoint;
pub mod events;
pub mod metrics;
pub mod optimizer;
pub mod recipe;
pub mod schedule;
pub mod trainer;

pub use checkpoint::{UnfinishedRun, unfinished_run};
pub use events::{CancelToken, ClassCount, DataSummary, TrainingEvent};
pub use metrics::{ClassMetrics, Metrics, MetricsAccumulator, classification_metrics};
pub use recipe::{BestMetric, DeviceChoice, Recipe, RecipeProblem, Scheduler, StepPlan, Strategy};
pub use trainer::{TrainingReport, TrainingRequest, check_data, train};
