//! Whether a recipe can run: each out-of-range or inconsistent value, with its field and the
//! reason in plain words, for the CLI's message and for the form beside the field.

use serde::Serialize;
use ts_rs::TS;

use super::recipe::{ClassWeights, Recipe, Strategy};
use crate::error::{EngineError, Result};
use crate::message::Message;
use crate::said;

impl Recipe {
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
        if self.fp16 && self.bf16 {
            problem(
                "bf16",
                said!(
                    "recipe.fp16_and_bf16",
                    "Choose one half precision, fp16 or bf16, not both."
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
        if !self.label_columns.is_empty() && self.label_names_as_labels {
            problem(
                "label_names_as_labels",
                said!(
                    "recipe.label_columns_names_as_labels",
                    "With one 0/1 column per label, the column names are the labels (a file to \
                     evaluate the model on needs the same columns); turn label_names_as_labels off."
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn one_half_precision_at_a_time() {
        let one = Recipe {
            bf16: true,
            ..Recipe::default()
        };
        assert!(one.validate().is_ok());
        let both = Recipe { fp16: true, ..one };
        let err = both.validate().unwrap_err().to_string();
        assert!(err.contains("fp16 or bf16, not both"), "{err}");
        assert_eq!(both.problems()[0].field, "bf16");
    }
}
