//! Training: recipe, schedule, optimizer, checkpoints, events and the loop that ties them.

pub mod best_model;
pub mod checkpoint;
pub mod class_weights;
pub mod cluster;
pub mod estimate;
pub mod events;
pub mod gpu_memory;
mod gradient_sync;
pub mod loss;
pub mod mixed_precision;
pub mod optimizer;
pub mod recipe;
mod recipe_checks;
pub mod request;
mod roll_call;
pub mod run_state;
pub mod schedule;
pub mod trainer;

pub use best_model::BestMetric;
pub use checkpoint::{UnfinishedRun, unfinished_run};
pub use cluster::{Cluster, DEFAULT_NODE_TIMEOUT};
pub use estimate::{ModelTime, RunEstimate};
pub use events::TrainingEvent;
pub use recipe::{ClassWeights, Precision, Recipe, Scheduler, StepPlan, Strategy};
pub use recipe_checks::{RecipeCheck, RecipeProblem};
pub use request::{TrainingReport, TrainingRequest, check_data};
pub use trainer::{estimate, train};
// Shared with inference, which does not depend on training; here too for the callers of a run.
pub use crate::backend::DeviceChoice;
pub use crate::cancel::CancelToken;
pub use crate::data::{ClassCount, DataSummary};
pub use crate::metrics::{ClassMetrics, Metrics, MetricsAccumulator, classification_metrics};
