//! `bert-studio train`: a recipe from flags (over a recipe.json, over the defaults), the run,
//! and its progress on the terminal.

use std::path::{Path, PathBuf};

use bert_studio_engine::message::Message;
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{
    Recipe, RunEstimate, TrainingRequest, estimate, train, unfinished_run,
};
use bert_studio_engine::{EngineError, Result};
use clap::Args;
use indicatif::HumanDuration;

use crate::cluster_flags::ClusterFlags;
use crate::recipe_flags::{RecipeFlags, RunLengthFlags};
use crate::terminal::{cancel_on_interrupt, print_json};
use crate::training_view::ProgressView;

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
    run_length: RunLengthFlags,
    #[command(flatten)]
    overrides: RecipeFlags,
    #[command(flatten)]
    cluster: ClusterFlags,
}

pub fn run(args: TrainArgs) -> Result<()> {
    let mut request = match &args.resume {
        Some(folder) => {
            if args.overrides != RecipeFlags::default()
                || args.run_length != RunLengthFlags::default()
            {
                return Err(EngineError::invalid(Message::plain(
                    "A resumed run keeps the recipe it started with; drop the recipe flags, or start a new run with them.",
                )));
            }
            TrainingRequest::resume(folder, HubSettings::from_env())?
        }
        None => new_request(&args)?,
    };
    if args.estimate && args.cluster.given() {
        return Err(EngineError::invalid(Message::plain(
            "--estimate times this machine's one device; drop the flags for several devices or nodes.",
        )));
    }
    let (cluster, devices_kind) = args.cluster.cluster()?;
    if cluster.nodes > 1 {
        crate::terminal::keep_stdout_for_events();
    }
    request.cluster = cluster;
    if let Some(kind) = devices_kind {
        request.recipe.device = kind;
    }
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
        let mut view = ProgressView::on_node(request.cluster.node_rank);
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
    args.run_length.apply(&mut recipe);
    args.overrides.apply(&mut recipe);
    recipe.validate()?;
    // Absolute in the report and the checkpoints: the app finds the corrections of this file
    // and a resume from another folder still reads it.
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(TrainingRequest {
        recipe,
        train_csv: absolute(&input),
        validation_csv: args.validation.as_deref().map(absolute),
        output_dir: output,
        dialect: None,
        hub: HubSettings::from_env(),
        always_checkpoint: false,
        resume_from: None,
        cluster: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bert_studio_engine::backend::DeviceChoice;
    use bert_studio_engine::train::{ClassWeights, Strategy};
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
                // An optional field or a list left empty: the help says "none".
                _ if expected.is_null() || expected.as_array().is_some_and(Vec::is_empty) => {
                    named == "none"
                }
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
        parsed.args.run_length.apply(&mut recipe);
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
