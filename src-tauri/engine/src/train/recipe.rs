//! The training recipe: every hyperparameter of the reference notebook, with its defaults.
//! One JSON file (`recipe.json`) that the CLI reads, the app writes, and every trained model
//! folder keeps.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::best_model::BestMetric;
use crate::backend::DeviceChoice;
use crate::data::LabelLayout;
use crate::error::{EngineError, Result};
use crate::said;
use crate::source::DEFAULT_MODEL;

/// How the learning rate evolves over the optimizer steps (as in transformers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Scheduler {
    /// Linear warm-up, then linear decay to 0.
    Linear,
    Constant,
    ConstantWithWarmup,
    /// Linear warm-up, then half a cosine down to 0.
    Cosine,
}

/// When something happens: never, after each epoch, or every N optimizer steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    No,
    Epoch,
    Steps,
}

/// How much each class's rows count in the loss: all alike (the notebook), more for rare
/// classes (scikit-learn's `balanced`: rows / (classes × rows of the class)), or as a file says.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeights {
    #[default]
    None,
    Balanced,
    /// A CSV file: a header, then a label and its weight on each row; unlisted labels weigh 1.
    File(String),
}

/// How exactly a GPU computes the matrix products in 32-bit runs (`fp16`/`bf16` off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// The card's fastest 32-bit products (NVIDIA: tensor cores, which round to TF32).
    #[default]
    Fast,
    /// Full 32-bit products, as transformers computes them on the CPU (slower on NVIDIA cards).
    Exact,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default, deny_unknown_fields)]
pub struct Recipe {
    /// Base model: a Hub id or a local folder.
    pub model: String,
    pub text_column: String,
    pub label_column: String,
    /// A column of the training file holding each label's name (codes stay the labels).
    pub label_names_column: Option<String>,
    /// A CSV file of label names: a header, then the code in the first column and the name in
    /// the second.
    pub label_names_file: Option<String>,
    /// Write the names, not the codes, as the model's labels (`id2label` in config.json), so
    /// that other tools predict names. Off: the codes stay the labels and the names are kept
    /// beside them (`label_names.json`).
    pub label_names_as_labels: bool,
    /// Multi-label data: each label cell holds several labels separated by this text (e.g.
    /// `|`), and a row may have any number of them.
    pub label_separator: Option<String>,
    /// Multi-label data as one column of 0/1 per label (the column names are the labels), in
    /// place of `label_column`.
    pub label_columns: Vec<String>,
    /// Multi-label models: a label is predicted when its score (sigmoid) is at least this. Saved
    /// with the model, used by its evaluations and predictions.
    pub decision_threshold: f64,
    pub epochs: usize,
    pub learning_rate: f64,
    pub scheduler: Scheduler,
    pub train_batch_size: usize,
    pub eval_batch_size: usize,
    pub gradient_accumulation_steps: usize,
    /// Batches of texts of similar length (the Trainer's `group_by_length`): the rows are
    /// shuffled, cut into mega-batches of 50 optimizer batches, sorted by length inside each,
    /// the longest batch first. Less padding, so faster; the order is still random.
    pub group_by_length: bool,
    /// The weight of each class in the loss (`CrossEntropyLoss(weight=…)`).
    pub class_weights: ClassWeights,
    pub weight_decay: f64,
    pub warmup_ratio: f64,
    pub max_seq_len: usize,
    pub eval_strategy: Strategy,
    /// Optimizer steps between evaluations when `eval_strategy` is `steps`.
    pub eval_steps: usize,
    pub logging_strategy: Strategy,
    /// Optimizer steps between logged losses when `logging_strategy` is `steps`.
    pub logging_steps: usize,
    pub save_strategy: Strategy,
    /// Mixed precision in IEEE half (the Trainer's `fp16`): matrix products with 16-bit inputs
    /// and 32-bit sums, everything else and the weights in 32-bit, the loss scaled against
    /// underflow. GPUs only.
    pub fp16: bool,
    /// Mixed precision in bfloat16 (the Trainer's `bf16`): as `fp16`, with bfloat16's wider
    /// range, so no loss scaling. GPUs that support it only.
    pub bf16: bool,
    /// 32-bit products on a GPU: `fast` (the card's tensor cores) or `exact`.
    pub precision: Precision,
    pub load_best: bool,
    /// What "best" means for `load_best` and early stopping.
    pub metric_for_best_model: BestMetric,
    /// Stop when this many evaluations in a row bring no improvement of
    /// `metric_for_best_model` by more than `early_stopping_threshold` (transformers'
    /// `EarlyStoppingCallback`); 0: never stop early.
    pub early_stopping_patience: usize,
    /// The smallest change of `metric_for_best_model` that counts as an improvement.
    pub early_stopping_threshold: f64,
    #[ts(type = "number")]
    pub seed: u64,
    /// Share of the rows held out for validation when no validation file is given.
    pub validation_fraction: f64,
    /// Gradients are rescaled so that their global norm is at most this (0 = never).
    pub max_grad_norm: f64,
    pub device: DeviceChoice,
}

impl Default for Recipe {
    /// The reference notebook's values.
    fn default() -> Self {
        Recipe {
            model: DEFAULT_MODEL.into(),
            text_column: "text".into(),
            label_column: "label".into(),
            label_names_column: None,
            label_names_file: None,
            label_names_as_labels: false,
            label_separator: None,
            label_columns: Vec::new(),
            decision_threshold: 0.5,
            epochs: 4,
            learning_rate: 5e-5,
            scheduler: Scheduler::Linear,
            train_batch_size: 16,
            eval_batch_size: 32,
            gradient_accumulation_steps: 2,
            group_by_length: true,
            class_weights: ClassWeights::None,
            weight_decay: 0.01,
            warmup_ratio: 0.1,
            max_seq_len: 256,
            eval_strategy: Strategy::Epoch,
            eval_steps: 500,
            logging_strategy: Strategy::Epoch,
            logging_steps: 500,
            save_strategy: Strategy::No,
            fp16: false,
            bf16: false,
            precision: Precision::Fast,
            load_best: false,
            metric_for_best_model: BestMetric::Loss,
            early_stopping_patience: 0,
            early_stopping_threshold: 0.0,
            seed: 42,
            validation_fraction: 0.05,
            max_grad_norm: 1.0,
            device: DeviceChoice::Auto,
        }
    }
}

impl Recipe {
    pub fn from_json(text: &str) -> Result<Self> {
        let recipe: Recipe = serde_json::from_str(text).map_err(|e| {
            EngineError::invalid(said!(
                "invalid.recipe_json",
                "The recipe is not valid: {detail}.",
                detail = e.to_string()
            ))
        })?;
        recipe.validate()?;
        Ok(recipe)
    }

    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| EngineError::io("read", path, e))?;
        Self::from_json(&text).map_err(|e| {
            EngineError::invalid(said!(
                "invalid.recipe_file",
                "{path}: {problem}",
                path = path.display().to_string(),
                problem = e.said()
            ))
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("recipe serialises")
    }

    /// Micro-batches averaged into one optimizer step.
    pub fn effective_batch_size(&self) -> usize {
        self.train_batch_size * self.gradient_accumulation_steps
    }

    /// Several labels per row (a separator, or one 0/1 column per label) rather than one.
    pub fn multi_label(&self) -> bool {
        self.label_separator.is_some() || !self.label_columns.is_empty()
    }

    /// How the rows' labels are written.
    pub fn label_layout(&self) -> LabelLayout<'_> {
        match (&self.label_separator, self.label_columns.as_slice()) {
            (Some(separator), _) => LabelLayout::Separated(separator),
            (None, []) => LabelLayout::Single,
            (None, columns) => LabelLayout::Columns(columns),
        }
    }
}

/// Optimizer steps of a run, as the transformers Trainer counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StepPlan {
    pub micro_batches_per_epoch: usize,
    pub steps_per_epoch: usize,
    pub total_steps: usize,
    pub warmup_steps: usize,
}

impl StepPlan {
    pub fn new(recipe: &Recipe, train_rows: usize) -> Self {
        let micro = train_rows.div_ceil(recipe.train_batch_size);
        let ga = recipe.gradient_accumulation_steps;
        let steps_per_epoch = (micro / ga + usize::from(micro % ga > 0)).max(1);
        let total_steps = steps_per_epoch * recipe.epochs;
        StepPlan {
            micro_batches_per_epoch: micro,
            steps_per_epoch,
            total_steps,
            warmup_steps: (total_steps as f64 * recipe.warmup_ratio).ceil() as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_notebooks_and_round_trip() {
        let r = Recipe::default();
        assert_eq!(
            (
                r.epochs,
                r.learning_rate,
                r.train_batch_size,
                r.eval_batch_size
            ),
            (4, 5e-5, 16, 32)
        );
        assert_eq!(
            (
                r.gradient_accumulation_steps,
                r.weight_decay,
                r.warmup_ratio
            ),
            (2, 0.01, 0.1)
        );
        assert_eq!(
            (r.max_seq_len, r.seed, r.fp16, r.load_best),
            (256, 42, false, false)
        );
        assert_eq!(r.model, "bert-base-multilingual-uncased");
        assert_eq!(Recipe::from_json(&r.to_json()).unwrap(), r);
        // A partial file takes the defaults for the rest.
        let partial = Recipe::from_json(r#"{"epochs": 2, "scheduler": "cosine"}"#).unwrap();
        assert_eq!(
            (partial.epochs, partial.scheduler, partial.max_seq_len),
            (2, Scheduler::Cosine, 256)
        );
    }

    #[test]
    fn steps_are_counted_as_the_trainer_counts_them() {
        let r = Recipe::default();
        // 1000 rows / 16 = 63 micro-batches; 63 / 2 → 32 steps per epoch; 4 epochs.
        let plan = StepPlan::new(&r, 1000);
        assert_eq!(
            (
                plan.micro_batches_per_epoch,
                plan.steps_per_epoch,
                plan.total_steps
            ),
            (63, 32, 128)
        );
        assert_eq!(plan.warmup_steps, 13); // ceil(12.8)
    }
}
