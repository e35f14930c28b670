//! The recipe as command-line flags, shared by `train` and `search`: each flag written over a
//! recipe.json or the defaults.

use std::path::PathBuf;

use bert_studio_engine::backend::DeviceChoice;
use bert_studio_engine::train::{BestMetric, ClassWeights, Precision, Recipe, Scheduler, Strategy};
use clap::Args;

use crate::choices::ChoiceParser;

/// The number of epochs and the learning rate as flags: `train` takes one of each, `search`
/// lists of values to try (its own flags).
#[derive(Args, Default, PartialEq)]
#[command(next_help_heading = "Recipe (each flag overrides --recipe or the default)")]
pub struct RunLengthFlags {
    /// Passes over the training rows [default: 4]
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Size of each weight update at its peak [default: 5e-5]
    #[arg(long)]
    pub learning_rate: Option<f64>,
}

impl RunLengthFlags {
    pub fn apply(&self, recipe: &mut Recipe) {
        if let Some(epochs) = self.epochs {
            recipe.epochs = epochs;
        }
        if let Some(learning_rate) = self.learning_rate {
            recipe.learning_rate = learning_rate;
        }
    }
}

/// Every other recipe field as a flag; the defaults are the reference notebook's.
#[derive(Args, Default, PartialEq)]
#[command(next_help_heading = "Recipe (each flag overrides --recipe or the default)")]
pub struct RecipeFlags {
    /// Base model: a Hugging Face Hub id or a model folder [default: bert-base-multilingual-uncased]
    #[arg(long)]
    model: Option<String>,
    /// The column with the texts [default: text]
    #[arg(long)]
    text_column: Option<String>,
    /// The column with the labels to learn [default: label]
    #[arg(long)]
    label_column: Option<String>,
    /// A column holding each label's name, shown beside the code (the codes stay the labels) [default: none]
    #[arg(long, conflicts_with = "label_names_file")]
    label_names_column: Option<String>,
    /// A CSV file of label names: a header, then the code in the first column and its name in
    /// the second, e.g. data/sample/nace_names_fr.csv [default: none]
    #[arg(long)]
    label_names_file: Option<PathBuf>,
    /// Several labels per row: the text between them in the label column, e.g. "|" for
    /// "10.71|47.24" (multi-label; sigmoid scores, binary cross-entropy) [default: none]
    #[arg(long, conflicts_with = "label_columns")]
    label_separator: Option<String>,
    /// Several labels per row as one 0/1 column per label, named here and separated by
    /// commas, e.g. "sport,politics" (multi-label) [default: none]
    #[arg(long, value_delimiter = ',')]
    label_columns: Option<Vec<String>>,
    /// Multi-label models: a label is predicted when its score is at least this [default: 0.5]
    #[arg(long)]
    decision_threshold: Option<f64>,
    /// Write the names instead of the codes as the model's labels (config.json id2label), so
    /// other tools predict names; needs a names column or file [default: false]
    #[arg(long)]
    label_names_as_labels: Option<bool>,
    /// How the learning rate changes over the run [default: linear]
    #[arg(long, value_parser = ChoiceParser::<Scheduler>::new())]
    scheduler: Option<Scheduler>,
    /// Texts per training step [default: 16]
    #[arg(long)]
    train_batch_size: Option<usize>,
    /// Texts per evaluation batch [default: 32]
    #[arg(long)]
    eval_batch_size: Option<usize>,
    /// Training steps summed into one weight update (effective batch = this × train batch) [default: 2]
    #[arg(long)]
    gradient_accumulation_steps: Option<usize>,
    /// Batch texts of similar length together, as the Trainer's group_by_length (shuffled groups
    /// of 50 batches sorted by length inside): less padding, faster; false: plain random batches,
    /// as the notebook [default: true]
    #[arg(long)]
    group_by_length: Option<bool>,
    /// How much each class counts in the loss: none (all rows alike, as the notebook), balanced
    /// (rare classes count more: rows / (classes × rows of the class), scikit-learn's), or the
    /// path of a CSV file of label,weight rows [default: none]
    #[arg(long, value_name = "none|balanced|FILE")]
    class_weights: Option<String>,
    /// Pull of the weights towards zero, against over-fitting [default: 0.01]
    #[arg(long)]
    weight_decay: Option<f64>,
    /// Share of the steps over which the learning rate rises from 0 [default: 0.1]
    #[arg(long)]
    warmup_ratio: Option<f64>,
    /// Longest text in tokens; longer texts are cut [default: 256]
    #[arg(long)]
    max_seq_len: Option<usize>,
    /// When to measure on the validation rows [default: epoch]
    #[arg(long, value_parser = ChoiceParser::<Strategy>::new())]
    eval_strategy: Option<Strategy>,
    /// Weight updates between evaluations with --eval-strategy steps [default: 500]
    #[arg(long)]
    eval_steps: Option<usize>,
    /// When to report the training loss [default: epoch]
    #[arg(long, value_parser = ChoiceParser::<Strategy>::new())]
    logging_strategy: Option<Strategy>,
    /// Weight updates between reported losses with --logging-strategy steps [default: 500]
    #[arg(long)]
    logging_steps: Option<usize>,
    /// Keep a checkpoint at each epoch end, so an interrupted run can --resume (no or epoch) [default: no]
    #[arg(long, value_parser = ChoiceParser::<Strategy>::new())]
    save_strategy: Option<Strategy>,
    /// Mixed precision in IEEE half on a GPU (the Trainer's fp16): products with 16-bit inputs
    /// and 32-bit sums, the loss scaled; refused on the CPU [default: false]
    #[arg(long)]
    fp16: Option<bool>,
    /// Mixed precision in bfloat16 on a GPU that supports it (the Trainer's bf16); refused
    /// elsewhere, with the reason [default: false]
    #[arg(long)]
    bf16: Option<bool>,
    /// 32-bit products on a GPU: fast (NVIDIA tensor cores, TF32, ~1e-3 from transformers) or
    /// exact (full f32, within 1e-4, slower) [default: fast]
    #[arg(long, value_parser = ChoiceParser::<Precision>::new())]
    precision: Option<Precision>,
    /// At the end, keep the model of the epoch with the best validation score instead of the
    /// last one (needs --eval-strategy epoch) [default: false]
    #[arg(long)]
    load_best: Option<bool>,
    /// The score --load-best compares: the loss (lowest wins) or the others (highest wins) [default: loss]
    #[arg(long, value_parser = ChoiceParser::<BestMetric>::new())]
    metric_for_best_model: Option<BestMetric>,
    /// Stop when this many evaluations in a row bring no better --metric-for-best-model
    /// (transformers' EarlyStoppingCallback; with --load-best the best model is kept); 0: never
    /// stop early [default: 0]
    #[arg(long)]
    early_stopping_patience: Option<usize>,
    /// The smallest change of --metric-for-best-model that counts as better [default: 0]
    #[arg(long)]
    early_stopping_threshold: Option<f64>,
    /// Seed of the shuffles, the split and the new weights: the same seed gives the same model [default: 42]
    #[arg(long)]
    seed: Option<u64>,
    /// Share of the rows held out for validation when no --validation file is given [default: 0.05]
    #[arg(long)]
    validation_fraction: Option<f64>,
    /// Gradients are scaled down so their overall size is at most this (0: never) [default: 1.0]
    #[arg(long)]
    max_grad_norm: Option<f64>,
    /// Where to train: auto picks a GPU when one works [default: auto]
    #[arg(long, value_parser = ChoiceParser::<DeviceChoice>::new())]
    device: Option<DeviceChoice>,
}

impl RecipeFlags {
    /// `recipe` with every given flag written over it.
    pub fn apply(&self, recipe: &mut Recipe) {
        fn set<T: Clone>(field: &mut T, flag: &Option<T>) {
            if let Some(value) = flag {
                *field = value.clone();
            }
        }
        set(&mut recipe.model, &self.model);
        set(&mut recipe.text_column, &self.text_column);
        set(&mut recipe.label_column, &self.label_column);
        // One way of giving several labels: a flag replaces the recipe's, whichever it was.
        if let Some(separator) = &self.label_separator {
            recipe.label_separator = Some(separator.clone());
            recipe.label_columns.clear();
        }
        if let Some(columns) = &self.label_columns {
            recipe.label_columns = columns.clone();
            recipe.label_separator = None;
        }
        set(&mut recipe.decision_threshold, &self.decision_threshold);
        // One source of names: a flag replaces the recipe's, whichever kind it was.
        if let Some(column) = &self.label_names_column {
            recipe.label_names_column = Some(column.clone());
            recipe.label_names_file = None;
        }
        if let Some(file) = &self.label_names_file {
            recipe.label_names_file = Some(file.display().to_string());
            recipe.label_names_column = None;
        }
        // Kept absolute in the run's recipe, so a resume from another folder finds it.
        if let Some(file) = &recipe.label_names_file {
            let absolute = std::path::absolute(file).map(|p| p.display().to_string());
            recipe.label_names_file = Some(absolute.unwrap_or_else(|_| file.clone()));
        }
        set(
            &mut recipe.label_names_as_labels,
            &self.label_names_as_labels,
        );
        set(&mut recipe.scheduler, &self.scheduler);
        set(&mut recipe.train_batch_size, &self.train_batch_size);
        set(&mut recipe.eval_batch_size, &self.eval_batch_size);
        set(
            &mut recipe.gradient_accumulation_steps,
            &self.gradient_accumulation_steps,
        );
        set(&mut recipe.group_by_length, &self.group_by_length);
        if let Some(choice) = &self.class_weights {
            recipe.class_weights = match choice.as_str() {
                "none" => ClassWeights::None,
                "balanced" => ClassWeights::Balanced,
                file => ClassWeights::File(file.to_string()),
            };
        }
        // Kept absolute in the run's recipe, flag or recipe file alike, so a resume from
        // another folder finds it.
        if let ClassWeights::File(file) = &mut recipe.class_weights
            && let Ok(absolute) = std::path::absolute(&*file)
        {
            *file = absolute.display().to_string();
        }
        set(&mut recipe.weight_decay, &self.weight_decay);
        set(&mut recipe.warmup_ratio, &self.warmup_ratio);
        set(&mut recipe.max_seq_len, &self.max_seq_len);
        set(&mut recipe.eval_strategy, &self.eval_strategy);
        set(&mut recipe.eval_steps, &self.eval_steps);
        set(&mut recipe.logging_strategy, &self.logging_strategy);
        set(&mut recipe.logging_steps, &self.logging_steps);
        set(&mut recipe.save_strategy, &self.save_strategy);
        set(&mut recipe.fp16, &self.fp16);
        set(&mut recipe.bf16, &self.bf16);
        set(&mut recipe.precision, &self.precision);
        set(&mut recipe.load_best, &self.load_best);
        set(
            &mut recipe.metric_for_best_model,
            &self.metric_for_best_model,
        );
        set(
            &mut recipe.early_stopping_patience,
            &self.early_stopping_patience,
        );
        set(
            &mut recipe.early_stopping_threshold,
            &self.early_stopping_threshold,
        );
        set(&mut recipe.seed, &self.seed);
        set(&mut recipe.validation_fraction, &self.validation_fraction);
        set(&mut recipe.max_grad_norm, &self.max_grad_norm);
        set(&mut recipe.device, &self.device);
    }
}
