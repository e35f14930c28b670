//! The training recipe: every hyperparameter of the reference notebook, with its defaults.
//! One JSON file (`recipe.json`) that the CLI reads, the app writes, and every trained model
//! folder keeps.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::best_model::BestMetric;
use crate::backend::DeviceChoice;
use crate::data::LabelLayout;
use crate::error::{EngineError, Result};
use crate::message::Message;
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
    pub fp16: bool,
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

    /// Every value in range, explained in plain words when not (the first problem found).
    pub fn validate(&self) -> Result<()> {
        match self.problems().into_iter().next() {
            Some(p) => Err(EngineError::invalid(p.message)),
            None => Ok(()),
        }
    }

    /// Every out-of-range or inconsistent value, each with the field it belongs to, so that a
    /// form can show the reason beside the field.
    pub fn problems(&self) -> Vec<RecipeProblem> {
        let mut found = Vec::new();
        let mut problem = |field: &str, message: Message| {
            found.push(RecipeProblem {
                field: field.into(),
                message,
            })
        };
        if self.model.trim().is_empty() {
            problem(
                "model",
                said!(
                    "recipe.model",
                    "Choose a base model (a Hugging Face Hub id or a model folder)."
                ),
            );
        }
        if self.epochs == 0 || self.epochs > 1000 {
            problem(
                "epochs",
                said!(
                    "recipe.epochs",
                    "epochs must be between 1 and 1000, not {value}.",
                    value = self.epochs
                ),
            );
        }
        if !(self.learning_rate > 0.0 && self.learning_rate < 1.0) {
            problem(
                "learning_rate",
                said!(
                    "recipe.learning_rate",
                    "learning_rate must be above 0 and below 1 (typical: 1e-5 to 1e-4), not \
                     {value}.",
                    value = self.learning_rate
                ),
            );
        }
        for (name, value) in [
            ("train_batch_size", self.train_batch_size),
            ("eval_batch_size", self.eval_batch_size),
            (
                "gradient_accumulation_steps",
                self.gradient_accumulation_steps,
            ),
            ("eval_steps", self.eval_steps),
            ("logging_steps", self.logging_steps),
        ] {
            if value == 0 {
                problem(
                    name,
                    said!(
                        "recipe.at_least_one",
                        "{name} must be at least 1.",
                        name = name
                    ),
                );
            }
        }
        if !(0.0..=1.0).contains(&self.weight_decay) {
            problem(
                "weight_decay",
                said!(
                    "recipe.weight_decay",
                    "weight_decay must be between 0 and 1, not {value}.",
                    value = self.weight_decay
                ),
            );
        }
        if !(0.0..1.0).contains(&self.warmup_ratio) {
            problem(
                "warmup_ratio",
                said!(
                    "recipe.warmup_ratio",
                    "warmup_ratio must be at least 0 and below 1, not {value}.",
                    value = self.warmup_ratio
                ),
            );
        }
        if !(2..=8192).contains(&self.max_seq_len) {
            problem(
                "max_seq_len",
                said!(
                    "recipe.max_seq_len",
                    "max_seq_len must be between 2 and 8192 tokens, not {value}.",
                    value = self.max_seq_len
                ),
            );
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 0.9) {
            problem(
                "validation_fraction",
                said!(
                    "recipe.validation_fraction",
                    "validation_fraction must be above 0 and below 0.9, not {value}.",
                    value = self.validation_fraction
                ),
            );
        }
        if self.max_grad_norm < 0.0 || !self.max_grad_norm.is_finite() {
            problem(
                "max_grad_norm",
                said!(
                    "recipe.max_grad_norm",
                    "max_grad_norm must be 0 (off) or positive."
                ),
            );
        }
        if self.save_strategy == Strategy::Steps {
            problem(
                "save_strategy",
                said!(
                    "recipe.save_strategy",
                    "save_strategy can be \"no\" or \"epoch\"."
                ),
            );
        }
        if self.load_best && self.eval_strategy != Strategy::Epoch {
            // As the Trainer, which needs evaluations where it saves: the best model is one
            // of the models at epoch ends.
            problem(
                "load_best",
                said!(
                    "recipe.load_best",
                    "load_best keeps the best of the models at epoch ends, so it needs an \
                     evaluation after each epoch: set eval_strategy to \"epoch\", or turn \
                     load_best off."
                ),
            );
        }
        if self.early_stopping_patience > 0 && self.eval_strategy == Strategy::No {
            problem(
                "early_stopping_patience",
                said!(
                    "recipe.early_stopping",
                    "Early stopping watches the evaluations, so it needs some: set \
                     eval_strategy to \"epoch\" or \"steps\", or set early_stopping_patience to \
                     0."
                ),
            );
        }
        if !(self.early_stopping_threshold >= 0.0 && self.early_stopping_threshold.is_finite()) {
            problem(
                "early_stopping_threshold",
                said!(
                    "recipe.early_stopping_threshold",
                    "early_stopping_threshold must be 0 or positive, not {value}.",
                    value = self.early_stopping_threshold
                ),
            );
        }
        if self.fp16 {
            problem(
                "fp16",
                said!(
                    "recipe.fp16",
                    "Half precision is not available in this version: every device trains in \
                     32-bit numbers. Turn it off to train."
                ),
            );
        }
        if matches!(&self.class_weights, ClassWeights::File(f) if f.trim().is_empty()) {
            problem(
                "class_weights",
                said!(
                    "recipe.class_weights_file",
                    "Give the file of class weights, or choose \"none\" or \"balanced\"."
                ),
            );
        }
        self.multi_label_problems(&mut problem);
        if self.label_columns.is_empty() && self.text_column == self.label_column {
            problem(
                "label_column",
                said!(
                    "recipe.same_columns",
                    "The text column and the label column must differ."
                ),
            );
        }
        if let Some(column) = &self.label_names_column {
            if *column == self.text_column || *column == self.label_column {
                problem(
                    "label_names_column",
                    said!(
                        "recipe.names_column",
                        "The label names column must differ from the text and label columns."
                    ),
                );
            }
            if self.label_names_file.is_some() {
                problem(
                    "label_names_file",
                    said!(
                        "recipe.names_twice",
                        "Give the label names either in a column or in a file, not both."
                    ),
                );
            }
        }
        if self.label_names_as_labels
            && self.label_names_column.is_none()
            && self.label_names_file.is_none()
        {
            problem(
                "label_names_as_labels",
                said!(
                    "recipe.no_names",
                    "There are no label names to use as the model's labels: give a names column \
                     or a names file, or turn this off."
                ),
            );
        }
        found
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

    /// What a multi-label recipe cannot have, and how its labels must be given.
    fn multi_label_problems(&self, problem: &mut impl FnMut(&str, Message)) {
        if !(self.decision_threshold > 0.0 && self.decision_threshold < 1.0) {
            problem(
                "decision_threshold",
                said!(
                    "recipe.decision_threshold",
                    "decision_threshold must be above 0 and below 1 (usually 0.5), not {value}.",
                    value = self.decision_threshold
                ),
            );
        }
        if self
            .label_separator
            .as_ref()
            .is_some_and(|s| s.trim().is_empty())
        {
            problem(
                "label_separator",
                said!(
                    "recipe.label_separator",
                    "The label separator cannot be empty or spaces only; the usual one is \"|\"."
                ),
            );
        }
        if self.label_separator.is_some() && !self.label_columns.is_empty() {
            problem(
                "label_columns",
                said!(
                    "recipe.two_label_layouts",
                    "Give the labels one way: a label column with a separator, or one 0/1 \
                     column per label, not both."
                ),
            );
        }
        if !self.label_columns.is_empty() {
            let distinct: std::collections::BTreeSet<&String> = self.label_columns.iter().collect();
            if self.label_columns.len() < 2 || distinct.len() != self.label_columns.len() {
                problem(
                    "label_columns",
                    said!(
                        "recipe.label_columns",
                        "Give at least two different 0/1 label columns."
                    ),
                );
            }
            if distinct.contains(&self.text_column) {
                problem(
                    "label_columns",
                    said!(
                        "recipe.text_among_label_columns",
                        "The text column cannot also be a label column."
                    ),
                );
            }
        }
        if !self.multi_label() {
            return;
        }
        if self.class_weights != ClassWeights::None {
            problem(
                "class_weights",
                said!(
                    "recipe.multi_label_class_weights",
                    "Class weights are for one label per row; with several labels per row, set \
                     class_weights to \"none\"."
                ),
            );
        }
        if self.label_names_column.is_some() {
            problem(
                "label_names_column",
                said!(
                    "recipe.multi_label_names_column",
                    "With several labels per row, a names column cannot say which name goes \
                     with which label; give the names in a names file instead."
                ),
            );
        }
    }
}

/// What a form shows beside a recipe: its invalid values, and the values that follow from it
/// (so the page does not compute them again).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RecipeCheck {
    pub problems: Vec<RecipeProblem>,
    /// Rows per weight update: `train_batch_size × gradient_accumulation_steps`.
    pub effective_batch_size: usize,
}

impl Recipe {
    pub fn check(&self) -> RecipeCheck {
        RecipeCheck {
            problems: self.problems(),
            effective_batch_size: self.effective_batch_size(),
        }
    }
}

/// One invalid value of a recipe: the field (its JSON name) and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RecipeProblem {
    pub field: String,
    pub message: Message,
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
    fn bad_recipes_are_explained() {
        for (json, words) in [
            (r#"{"epochs": 0}"#, "epochs"),
            (r#"{"learning_rate": -1}"#, "learning_rate"),
            (r#"{"warmup_ratio": 1.5}"#, "warmup_ratio"),
            (r#"{"epoch": 3}"#, "unknown field"),
            (r#"{"scheduler": "exponential"}"#, "unknown variant"),
            (r#"{"load_best": true, "eval_strategy": "no"}"#, "load_best"),
            (
                r#"{"load_best": true, "eval_strategy": "steps"}"#,
                "load_best",
            ),
            (r#"{"metric_for_best_model": "f1"}"#, "unknown variant"),
            (
                r#"{"early_stopping_patience": 2, "eval_strategy": "no"}"#,
                "Early stopping",
            ),
            (
                r#"{"early_stopping_threshold": -0.1}"#,
                "early_stopping_threshold",
            ),
        ] {
            let err = Recipe::from_json(json).unwrap_err().to_string();
            assert!(err.contains(words), "{json}: {err}");
        }
    }

    #[test]
    fn every_problem_names_its_field() {
        let r = Recipe {
            epochs: 0,
            warmup_ratio: 2.0,
            label_column: "text".into(),
            ..Recipe::default()
        };
        let fields: Vec<String> = r.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["epochs", "warmup_ratio", "label_column"]);
        assert!(Recipe::default().problems().is_empty());
    }

    #[test]
    fn half_precision_is_refused_with_its_reason() {
        let r = Recipe {
            fp16: true,
            ..Recipe::default()
        };
        let err = r.validate().unwrap_err().to_string();
        assert!(err.contains("Half precision is not available"), "{err}");
        assert_eq!(r.problems()[0].field, "fp16");
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
