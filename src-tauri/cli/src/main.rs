//! `bert-studio`: the headless command line of BERT Studio (servers, clusters, scripts).
//! Each subcommand lives in its own module; `terminal` holds what they share on the screen.

mod choices;
mod classify;
mod cluster_flags;
mod evaluation;
mod explain;
mod inspect;
mod recipe_flags;
mod search;
mod terminal;
mod train;
mod training_view;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "bert-studio",
    version,
    about = "Fine-tune and use BERT text classifiers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show what a model is: architecture, size, labels and tokenizer.
    Inspect {
        /// A model folder or a Hugging Face Hub id (e.g. bert-base-multilingual-uncased).
        model: String,
        /// Print the facts as one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Fine-tune a model on a labelled CSV file and save it as a Hugging Face folder.
    Train(train::TrainArgs),
    /// Try a few learning rates and numbers of epochs: one full run per combination, one
    /// after the other on the same split, each saved in its own folder; the best is marked.
    Search(search::SearchArgs),
    /// Classify the texts of a CSV file with a trained model; writes a copy of the file with
    /// the predicted label and its probability (and the next k-1 labels) added to each row.
    Predict(classify::PredictArgs),
    /// Measure a trained model on a labelled CSV file: metrics, per-class table, confusion
    /// matrix and the misclassified rows.
    Evaluate(classify::EvaluateArgs),
    /// Show which words drove a model's score for a class: one contribution per word, positive
    /// when the word pushed the text towards the class.
    Explain(explain::ExplainArgs),
    /// Show how a CSV file is read: delimiter, encoding, columns, first rows.
    Preview {
        file: PathBuf,
        /// Rows to show.
        #[arg(long, default_value_t = 10)]
        rows: usize,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, which turns a closed pipe (`| head`) into a panic in println!.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    if let Some(folder) = bert_studio_engine::backend::user_cache_folder() {
        bert_studio_engine::backend::keep_gpu_caches_in(&folder);
    }
    let result = match cli.command {
        Command::Inspect { model, json } => inspect::inspect(&model, json),
        Command::Train(args) => train::run(args),
        Command::Search(args) => search::run(args),
        Command::Predict(args) => classify::run_predict(args),
        Command::Evaluate(args) => classify::run_evaluate(args),
        Command::Explain(args) => explain::run(args),
        Command::Preview { file, rows, json } => inspect::preview(&file, rows, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            terminal::print_error(&err);
            ExitCode::FAILURE
        }
    }
}
