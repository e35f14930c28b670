//! `bert-studio train`: a recipe from flags (over a recipe.json, over the defaults), the run,
//! and its progress on the terminal.

use std::path::PathBuf;

use bert_studio_engine::backend::DeviceChoice;
use bert_studio_engine::message::Message;
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{
    BestMetric, ClassWeights, Metrics, Recipe, RunEstimate, Scheduler, Strategy, TrainingEvent,
    TrainingRequest, estimate, train, unfinished_run,
};
use bert_studio_engine::{EngineError, Result};
use clap::Args;
use indicatif::{HumanCount, HumanDuration};

use crate::choices::ChoiceParser;
use crate::terminal::{cancel_on_interrupt, print_download, print_json, progress_bar};

#[derive(Args)]
pub struct TrainArgs {
    /// The labelled CSV file to learn from.
    #[arg(long, required_unless_present = "resume")]
    input: Option<PathBuf>,
    /// Folder to write the trained model to (replaced only when training succeeds).
    #[arg(long, required_unless_present = "resume")]
    output: Option<PathBuf>,
    /// Continue the unfinished run in this output folder from its last checkpoint (written at
    /// each epoch end with --save-strategy epoch), with its recipe and files.
    #[arg(long, conflicts_with_all = ["input", "output", "validation", "recipe"])]
    resume: Option<PathBuf>,
    /// A separate validation CSV (default: hold out --validation-fraction of the input).
    #[arg(long)]
    validation: Option<PathBuf>,
    /// A recipe.json (as every trained model folder keeps); the flags below override its values.
    #[arg(long)]
    recipe: Option<PathBuf>,
    /// Print events as JSON lines instead of a progress bar.
    #[arg(long)]
    json: bool,
    /// Only say how long a new run would take here: a few of its steps are timed on this
    /// device and nothing is trained or kept (the model must already be on this computer).
    #[arg(long, conflicts_with = "resume")]
    estimate: bool,
    #[command(flatten)]
    overrides: RecipeFlags,
}

/// Every recipe field as a flag; the defaults are the reference notebook's.
#[derive(Args, Default, PartialEq)]
#[command(next_help_heading = "Recipe (each flag overrides --recipe or the default)")]
struct RecipeFlags {
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
    /// Write the names instead of the codes as the model's labels (config.json id2label), so
    /// other tools predict names; needs a names column or file [default: false]
    #[arg(long)]
    label_names_as_labels: Option<bool>,
    /// Passes over the training rows [default: 4]
    #[arg(long)]
    epochs: Option<usize>,
    /// Size of each weight update at its peak [default: 5e-5]
    #[arg(long)]
    learning_rate: Option<f64>,
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
    /// Half precision: not available in this version (every device trains in 32-bit numbers);
    /// true is refused [default: false]
    #[arg(long)]
    fp16: Option<bool>,
    /// At the end, keep the model of the epoch with the best validation score instead of the
    /// last one (needs --eval-strategy epoch) [default: false]
    #[arg(long)]
    load_best: Option<bool>,
    /// The score --load-best compares: the loss (lowest wins) or the others (highest wins) [default: loss]
    #[arg(long, value_parser = ChoiceParser::<BestMetric>::new())]
    metric_for_best_model: Option<BestMetric>,
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
    fn apply(&self, recipe: &mut Recipe) {
        fn set<T: Clone>(field: &mut T, flag: &Option<T>) {
            if let Some(value) = flag {
                *field = value.clone();
            }
        }
        set(&mut recipe.model, &self.model);
        set(&mut recipe.text_column, &self.text_column);
        set(&mut recipe.label_column, &self.label_column);
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
        set(&mut recipe.epochs, &self.epochs);
        set(&mut recipe.learning_rate, &self.learning_rate);
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
        set(&mut recipe.load_best, &self.load_best);
        set(
            &mut recipe.metric_for_best_model,
            &self.metric_for_best_model,
        );
        set(&mut recipe.seed, &self.seed);
        set(&mut recipe.validation_fraction, &self.validation_fraction);
        set(&mut recipe.max_grad_norm, &self.max_grad_norm);
        set(&mut recipe.device, &self.device);
    }
}

pub fn run(args: TrainArgs) -> Result<()> {
    let request = match &args.resume {
        Some(folder) => {
            if args.overrides != RecipeFlags::default() {
                return Err(EngineError::invalid(Message::plain(
                    "A resumed run keeps the recipe it started with; drop the recipe flags, or start a new run with them.",
                )));
            }
            TrainingRequest::resume(folder, HubSettings::from_env())?
        }
        None => new_request(&args)?,
    };
    let cancel = cancel_on_interrupt();
    if args.estimate {
        let estimate = estimate(&request, &cancel)?;
        if args.json {
            print_json(&estimate);
        } else {
            print_estimate(&estimate);
        }
        return Ok(());
    }
    let result = if args.json {
        train(&request, &mut |event| print_json(&event), &cancel)
    } else {
        let mut view = ProgressView::default();
        let result = train(&request, &mut |e| view.show(e), &cancel);
        view.finish();
        result
    };
    if result.is_err()
        && let Ok(Some(run)) = unfinished_run(&request.output_dir)
    {
        eprintln!(
            "The run can go on from its last checkpoint ({} of {} epochs done): bert-studio train --resume \"{}\"",
            run.epochs_done,
            run.epochs,
            request.output_dir.display()
        );
    }
    result.map(|_| ())
}

fn print_estimate(estimate: &RunEstimate) {
    let time = |seconds: f64| HumanDuration(std::time::Duration::from_secs_f64(seconds.max(0.0)));
    println!(
        "About {} on {}: training {}, evaluations {}, loading and saving {} (from {} steps timed here).",
        time(estimate.seconds),
        estimate.backend,
        time(estimate.training_seconds),
        time(estimate.evaluation_seconds),
        time(estimate.other_seconds),
        estimate.measured_steps
    );
    for faster in &estimate.faster_models {
        println!("  with {}: about {}", faster.model, time(faster.seconds));
    }
}

/// A fresh run: the recipe file (or the defaults) with the flags on top.
fn new_request(args: &TrainArgs) -> Result<TrainingRequest> {
    let (Some(input), Some(output)) = (args.input.clone(), args.output.clone()) else {
        unreachable!("clap requires --input and --output without --resume")
    };
    let mut recipe = match &args.recipe {
        Some(path) => Recipe::from_file(path)?,
        None => Recipe::default(),
    };
    args.overrides.apply(&mut recipe);
    recipe.validate()?;
    Ok(TrainingRequest {
        recipe,
        train_csv: input,
        validation_csv: args.validation.clone(),
        output_dir: output,
        dialect: None,
        hub: HubSettings::from_env(),
        always_checkpoint: false,
        resume_from: None,
    })
}

/// Training as lines and one progress bar over the optimizer steps.
#[derive(Default)]
struct ProgressView {
    bar: Option<indicatif::ProgressBar>,
}

impl ProgressView {
    fn say(&self, line: String) {
        match &self.bar {
            // println would be dropped when stderr is not a terminal.
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn show(&mut self, event: TrainingEvent) {
        match event {
            TrainingEvent::Download(d) => print_download(d),
            TrainingEvent::Started {
                model,
                backend,
                backend_reason,
                data,
                plan,
                parameters,
            } => {
                eprintln!(
                    "Training {model} ({} parameters) on {backend} — {backend_reason}",
                    HumanCount(parameters as u64)
                );
                eprintln!(
                    "Data: {} rows read ({}-separated, {}), {} for training, {} for validation, {} classes",
                    data.rows_read,
                    data.delimiter,
                    data.encoding,
                    data.train_rows,
                    data.validation_rows,
                    data.classes.len()
                );
                for w in &data.warnings {
                    eprintln!("Note: {w}");
                }
                eprintln!(
                    "Plan: {} optimizer steps ({} per epoch), {} warm-up steps",
                    plan.total_steps, plan.steps_per_epoch, plan.warmup_steps
                );
                self.bar = Some(progress_bar(
                    plan.total_steps as u64,
                    "{bar:30.cyan/blue} {pos}/{len} steps  {msg}  ETA {eta}",
                ));
            }
            TrainingEvent::Step {
                step,
                epoch,
                loss,
                learning_rate,
                samples_per_second,
                ..
            } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(step as u64);
                    bar.set_message(format!(
                        "epoch {epoch:.2}  loss {loss:.4}  lr {learning_rate:.2e}  {samples_per_second:.1} samples/s"
                    ));
                }
            }
            TrainingEvent::Log {
                step, epoch, loss, ..
            } => self.say(format!(
                "step {step} (epoch {epoch:.2}): training loss {loss:.4}"
            )),
            TrainingEvent::Evaluation { epoch, metrics, .. } => {
                self.say(metrics_table(epoch, &metrics))
            }
            TrainingEvent::Resumed { epochs_done, step } => self.say(format!(
                "Resuming after epoch {epochs_done} (step {step}); the run so far:"
            )),
            TrainingEvent::EpochFinished { .. } => {}
            TrainingEvent::CheckpointSaved { path, .. } => {
                self.say(format!("checkpoint saved: {path}"))
            }
            TrainingEvent::Warning { message } => self.say(format!("Note: {message}")),
            TrainingEvent::Finished {
                output_dir,
                seconds,
                best_epoch,
                ..
            } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                let best = best_epoch
                    .map(|e| format!(" (best epoch: {e})"))
                    .unwrap_or_default();
                eprintln!("Done in {seconds:.0} s{best}. Model saved to {output_dir}");
            }
            // The error itself is printed once, by main, with its hint.
            TrainingEvent::Failed { .. } => {}
            TrainingEvent::Cancelled => eprintln!("Training stopped; no model was written."),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.abandon();
        }
    }
}

fn metrics_table(epoch: f64, m: &Metrics) -> String {
    format!(
        "evaluation after epoch {epoch:.2}:\n  loss       {:.4}\n  accuracy   {:.4}\n  macro F1   {:.4}\n  precision  {:.4}\n  recall     {:.4}\n  top-1      {:.4}\n  top-2      {:.4}",
        m.loss.unwrap_or(f64::NAN),
        m.accuracy,
        m.macro_f1,
        m.macro_precision,
        m.macro_recall,
        m.top1_accuracy,
        m.top2_accuracy
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[derive(clap::Parser)]
    struct Train {
        #[command(flatten)]
        args: TrainArgs,
    }

    /// The `[default: …]` of each recipe flag's help is what `Recipe::default()` holds.
    #[test]
    fn the_defaults_the_help_names_are_the_recipes() {
        let defaults = serde_json::to_value(Recipe::default()).unwrap();
        let command = Train::command();
        let mut checked = 0;
        for arg in command.get_arguments() {
            let Some(expected) = defaults.get(arg.get_id().as_str()) else {
                continue;
            };
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let named = help
                .split("[default: ")
                .nth(1)
                .and_then(|rest| rest.split(']').next())
                .unwrap_or_else(|| panic!("--{} names no default: {help}", arg.get_id()));
            let named: serde_json::Value =
                serde_json::from_str(named).unwrap_or_else(|_| named.into());
            let same = match (named.as_f64(), expected.as_f64()) {
                (Some(a), Some(b)) => a == b,
                // An optional field left empty: the help says "none".
                _ if expected.is_null() => named == "none",
                _ => &named == expected,
            };
            assert!(
                same,
                "--{}: help says {named}, the recipe holds {expected}",
                arg.get_id()
            );
            checked += 1;
        }
        assert_eq!(
            checked,
            defaults.as_object().unwrap().len(),
            "a recipe field has no flag"
        );
    }

    /// The default recipe with these flags of `train` written over it.
    fn recipe_from(flags: &[&str]) -> Recipe {
        let mut args = vec!["train", "--input", "a.csv", "--output", "out"];
        args.extend_from_slice(flags);
        let parsed = <Train as clap::Parser>::try_parse_from(args).unwrap();
        let mut recipe = Recipe::default();
        parsed.args.overrides.apply(&mut recipe);
        recipe
    }

    #[test]
    fn flags_override_the_recipe_and_the_rest_is_kept() {
        let recipe = recipe_from(&[
            "--epochs",
            "7",
            "--eval-strategy",
            "steps",
            "--device",
            "cpu",
        ]);
        assert_eq!(recipe.epochs, 7);
        assert_eq!(recipe.eval_strategy, Strategy::Steps);
        assert_eq!(recipe.device, DeviceChoice::Cpu);
        assert_eq!(recipe.learning_rate, Recipe::default().learning_rate);
        assert_eq!(recipe.class_weights, ClassWeights::None);
    }

    #[test]
    fn class_weights_are_a_choice_or_a_file_kept_absolute() {
        let weights = |value: &str| recipe_from(&["--class-weights", value]).class_weights;
        assert_eq!(weights("balanced"), ClassWeights::Balanced);
        assert_eq!(weights("none"), ClassWeights::None);
        let ClassWeights::File(file) = weights("w.csv") else {
            panic!("a path is a file of weights");
        };
        assert!(std::path::Path::new(&file).is_absolute() && file.ends_with("w.csv"));
        // A recipe file's relative path is made absolute too.
        let parsed =
            <Train as clap::Parser>::try_parse_from(["train", "--input", "a", "--output", "o"])
                .unwrap();
        let mut recipe = Recipe {
            class_weights: ClassWeights::File("w.csv".into()),
            ..Recipe::default()
        };
        parsed.args.overrides.apply(&mut recipe);
        assert!(
            matches!(&recipe.class_weights, ClassWeights::File(f) if std::path::Path::new(f).is_absolute())
        );
    }
}
