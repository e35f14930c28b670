//! `bert-studio search`: the same run tried with a few learning rates and numbers of epochs,
//! one after the other on the same split; a table of the trials at the end, the best marked.

use std::path::{Path, PathBuf};

use bert_studio_engine::message::Message;
use bert_studio_engine::search::{
    SearchEstimate, SearchEvent, SearchPlan, SearchSpace, TrialResult, estimate_search, run_search,
};
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{Recipe, TrainingRequest};
use bert_studio_engine::{EngineError, Result};
use clap::Args;
use indicatif::HumanDuration;

use crate::choices::json_name;
use crate::recipe_flags::RecipeFlags;
use crate::terminal::{cancel_on_interrupt, print_json};
use crate::training_view::ProgressView;

#[derive(Args)]
pub struct SearchArgs {
    /// The labelled CSV file to learn from.
    #[arg(long, required_unless_present = "resume")]
    input: Option<PathBuf>,
    /// An empty folder for the search: one model folder per trial (trial-1, trial-2…) and the
    /// plan (search.json).
    #[arg(long, required_unless_present = "resume")]
    output: Option<PathBuf>,
    /// Go on with the search in this folder: finished trials are kept, an interrupted one
    /// continues from its last checkpoint, the others run.
    #[arg(long, conflicts_with_all = ["input", "output", "validation", "recipe", "learning_rates", "epochs", "trials"])]
    resume: Option<PathBuf>,
    /// A separate validation CSV (default: hold out --validation-fraction of the input; the
    /// same rows for every trial).
    #[arg(long)]
    validation: Option<PathBuf>,
    /// A recipe.json for everything the search does not vary; the flags below override it.
    #[arg(long)]
    recipe: Option<PathBuf>,
    /// The learning rates to try, separated by commas, e.g. 2e-5,5e-5.
    #[arg(long, value_delimiter = ',', required_unless_present = "resume")]
    learning_rates: Vec<f64>,
    /// The numbers of epochs to try, separated by commas, e.g. 3,4.
    #[arg(long, value_delimiter = ',', required_unless_present = "resume")]
    epochs: Vec<usize>,
    /// Run only this many of the combinations, drawn at random with the recipe's seed
    /// (default: every combination).
    #[arg(long)]
    trials: Option<usize>,
    /// Print events as JSON lines instead of progress bars and a table.
    #[arg(long)]
    json: bool,
    /// Only say how long the search would take here: a few steps of its longest trial are
    /// timed on this device, nothing is trained or kept.
    #[arg(long, conflicts_with = "resume")]
    estimate: bool,
    #[command(flatten)]
    overrides: RecipeFlags,
}

pub fn run(args: SearchArgs) -> Result<()> {
    let hub = HubSettings::from_env();
    let (folder, plan) = match &args.resume {
        Some(folder) => {
            if args.overrides != RecipeFlags::default() {
                return Err(EngineError::invalid(Message::plain(
                    "A resumed search keeps the recipe it started with; drop the recipe flags, or start a new search with them.",
                )));
            }
            (folder.clone(), SearchPlan::load(folder)?)
        }
        None => new_plan(&args, &hub)?,
    };
    let cancel = cancel_on_interrupt();
    if args.estimate {
        let estimate = estimate_search(&folder, &plan, &hub, &cancel)?;
        if args.json {
            print_json(&estimate);
        } else {
            print_estimate(&plan, &estimate);
        }
        return Ok(());
    }
    let result = if args.json {
        run_search(&folder, &plan, &hub, &mut |e| print_json(&e), &cancel)
    } else {
        let mut view = SearchView::default();
        let result = run_search(&folder, &plan, &hub, &mut |e| view.show(e), &cancel);
        view.finish();
        result
    };
    if result.is_err()
        && folder
            .join(bert_studio_engine::search::SEARCH_FILE)
            .is_file()
    {
        eprintln!(
            "The search can go on where it stopped: bert-studio search --resume \"{}\"",
            folder.display()
        );
    }
    result.map(|_| ())
}

/// A fresh search: the recipe file (or the defaults) with the flags on top, every path kept
/// absolute so that `--resume` works from any folder.
fn new_plan(args: &SearchArgs, hub: &HubSettings) -> Result<(PathBuf, SearchPlan)> {
    let (Some(input), Some(output)) = (&args.input, &args.output) else {
        unreachable!("clap requires --input and --output without --resume")
    };
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut recipe = match &args.recipe {
        Some(path) => Recipe::from_file(path)?,
        None => Recipe::default(),
    };
    args.overrides.apply(&mut recipe);
    let folder = absolute(output);
    let base = TrainingRequest {
        recipe,
        train_csv: absolute(input),
        validation_csv: args.validation.as_deref().map(absolute),
        output_dir: folder.clone(),
        dialect: None,
        hub: hub.clone(),
        always_checkpoint: true,
        resume_from: None,
        cluster: Default::default(),
    };
    let space = SearchSpace {
        learning_rates: args.learning_rates.clone(),
        epochs: args.epochs.clone(),
        trials: args.trials,
    };
    let plan = SearchPlan::new(&base, space, |trial| folder.join(&trial.name))?;
    Ok((folder, plan))
}

fn time(seconds: f64) -> HumanDuration {
    HumanDuration(std::time::Duration::from_secs_f64(seconds.max(0.0)))
}

fn print_estimate(plan: &SearchPlan, estimate: &SearchEstimate) {
    println!(
        "About {} for {} trials on {} (from {} steps timed here):",
        time(estimate.seconds),
        plan.trials.len(),
        estimate.backend,
        estimate.measured_steps
    );
    for (planned, seconds) in plan.trials.iter().zip(&estimate.trials) {
        let trial = &planned.trial;
        println!(
            "  {}: learning rate {:e}, {} epochs: about {}",
            trial.name,
            trial.learning_rate,
            trial.epochs,
            time(*seconds)
        );
    }
}

/// The search on the terminal: a heading per trial, its training as `train` shows it, and the
/// table of every trial at the end.
#[derive(Default)]
struct SearchView {
    trials: usize,
    training: Option<ProgressView>,
}

impl SearchView {
    fn show(&mut self, event: SearchEvent) {
        match event {
            SearchEvent::Planned { trials, metric } => {
                self.trials = trials.len();
                eprintln!(
                    "Search: {} trials, the best by {}; each trial's model in its own folder:",
                    trials.len(),
                    json_name(&metric)
                );
                for planned in &trials {
                    eprintln!(
                        "  {}: learning rate {:e}, {} epochs → {}",
                        planned.trial.name,
                        planned.trial.learning_rate,
                        planned.trial.epochs,
                        planned.folder
                    );
                }
            }
            SearchEvent::TrialStarted { trial, resumed } => {
                let going_on = if resumed {
                    " (going on from its checkpoint)"
                } else {
                    ""
                };
                eprintln!("\nTrial {} of {}{going_on}", trial + 1, self.trials);
                self.training = Some(ProgressView::default());
            }
            SearchEvent::Training { training, .. } => {
                if let Some(view) = &mut self.training {
                    view.show(training);
                }
            }
            SearchEvent::TrialFinished { trial, result } => {
                if let Some(mut view) = self.training.take() {
                    view.finish();
                }
                if let Some(error) = &result.error {
                    eprintln!(
                        "Trial {} failed: {}; the search goes on.",
                        trial + 1,
                        error.message
                    );
                }
            }
            SearchEvent::Finished {
                results,
                best,
                metric,
            } => {
                println!("{}", results_table(&results, best));
                match best {
                    Some(best) => {
                        let kept = &results[best].trial;
                        println!(
                            "Best by {}: {} (learning rate {:e}, {} epochs), in {}",
                            json_name(&metric),
                            kept.trial.name,
                            kept.trial.learning_rate,
                            kept.trial.epochs,
                            kept.folder
                        );
                    }
                    None => println!("Every trial failed; the reasons are above."),
                }
            }
            // Said once, by main (the error) and by `run` (how to go on).
            SearchEvent::Failed { .. } | SearchEvent::Cancelled => {}
        }
    }

    fn finish(&mut self) {
        if let Some(mut view) = self.training.take() {
            view.finish();
        }
    }
}

fn results_table(results: &[TrialResult], best: Option<usize>) -> String {
    let mut table = format!(
        "\n{:<10} {:>13} {:>6} {:>9} {:>9} {:>8} {:>9}",
        "trial", "learning rate", "epochs", "accuracy", "macro F1", "loss", "time"
    );
    for (i, result) in results.iter().enumerate() {
        let metric = |get: fn(&bert_studio_engine::train::Metrics) -> f64| {
            result
                .metrics
                .as_ref()
                .map_or("–".to_string(), |m| format!("{:.4}", get(m)))
        };
        table.push_str(&format!(
            "\n{:<10} {:>13e} {:>6} {:>9} {:>9} {:>8} {:>9}{}",
            result.trial.trial.name,
            result.trial.trial.learning_rate,
            result.trial.trial.epochs,
            metric(|m| m.accuracy),
            metric(|m| m.macro_f1),
            metric(|m| m.loss.unwrap_or(f64::NAN)),
            format!("{:.0} s", result.seconds),
            if best == Some(i) {
                "  ← best"
            } else if result.error.is_some() {
                "  (failed)"
            } else {
                ""
            }
        ));
    }
    table
}
