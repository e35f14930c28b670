//! `bert-studio predict` and `bert-studio evaluate`: a trained model over a CSV file, with a
//! progress bar over the bytes read.

use std::path::PathBuf;

use bert_studio_engine::Result;
use bert_studio_engine::backend::DeviceChoice;
use bert_studio_engine::fsutil::write_file_atomically;
use bert_studio_engine::inference::{
    ClassifierOptions, DEFAULT_BATCH_SIZE, EvaluateRequest, InferenceEvent, PredictRequest,
    estimate_classification, evaluate_csv, predict_csv,
};
use bert_studio_engine::source::HubSettings;
use clap::Args;
use indicatif::{HumanCount, HumanDuration};

use crate::choices::ChoiceParser;
use crate::evaluation::print_evaluation;
use crate::terminal::{cancel_on_interrupt, print_download, print_json, progress_bar};

/// What predict and evaluate share.
#[derive(Args)]
struct ModelArgs {
    /// A trained model folder (or a Hugging Face Hub id of a classification model).
    #[arg(long)]
    model: String,
    /// The CSV file to read.
    #[arg(long)]
    input: PathBuf,
    /// The column with the texts (default: guessed, as in `preview`).
    #[arg(long)]
    text_column: Option<String>,
    /// Texts per forward pass, counted at 32 tokens each on the CPU (128 on a GPU): a batch
    /// holds at most batch-size × 32 tokens with its padding, so shorter texts go more to a batch.
    #[arg(long, default_value_t = DEFAULT_BATCH_SIZE)]
    batch_size: usize,
    #[command(flatten)]
    run_on: ClassifierFlags,
    /// Print events (and the result) as JSON lines instead of a progress bar.
    #[arg(long)]
    json: bool,
}

/// How a saved model is loaded to classify or explain texts: predict, evaluate and explain.
#[derive(Args)]
pub struct ClassifierFlags {
    /// Longest text in tokens (default: the length the model was trained with).
    #[arg(long)]
    max_seq_len: Option<usize>,
    /// Where to run: auto picks a GPU when one works.
    #[arg(long, default_value = "auto", value_parser = ChoiceParser::<DeviceChoice>::new())]
    device: DeviceChoice,
}

impl ClassifierFlags {
    pub fn options(&self) -> ClassifierOptions {
        ClassifierOptions {
            device: self.device,
            max_len: self.max_seq_len,
            hub: HubSettings::from_env(),
        }
    }
}

impl ModelArgs {
    fn options(&self) -> ClassifierOptions {
        self.run_on.options()
    }

    /// Runs `job` with its events printed as JSON lines, or shown as a progress bar.
    fn with_view<T>(
        &self,
        job: impl FnOnce(&mut dyn FnMut(InferenceEvent)) -> Result<T>,
    ) -> Result<T> {
        if self.json {
            return job(&mut |e| print_json(&e));
        }
        let mut view = RowProgress::default();
        let result = job(&mut |e| view.show(e));
        view.finish();
        result
    }
}

#[derive(Args)]
pub struct PredictArgs {
    #[command(flatten)]
    common: ModelArgs,
    /// The CSV file to write (replaced only when classification succeeds).
    #[arg(long)]
    output: PathBuf,
    /// Labels (with probabilities) per row.
    #[arg(long, default_value_t = 1)]
    top_k: usize,
    /// Only say how long it would take here: the model is loaded and a few hundred of the
    /// file's texts are classified; nothing is written.
    #[arg(long)]
    estimate: bool,
}

#[derive(Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    common: ModelArgs,
    /// The column with the true labels (a model trained on one 0/1 column per label reads
    /// the columns named as its labels instead).
    #[arg(long, default_value = "label")]
    label_column: String,
    /// Multi-label models: what separates the labels in a cell [default: the separator the
    /// model was trained with, or "|"]
    #[arg(long)]
    label_separator: Option<String>,
    /// Labels listed for each misclassified row.
    #[arg(long, default_value_t = 2)]
    top_k: usize,
    /// Write the full report (metrics, per-class table, confusion matrix, misclassified rows)
    /// to this JSON file.
    #[arg(long)]
    report: Option<PathBuf>,
}

pub fn run_predict(args: PredictArgs) -> Result<()> {
    let common = &args.common;
    let request = PredictRequest {
        text_column: common.text_column.clone(),
        top_k: args.top_k,
        batch_size: common.batch_size,
        ..PredictRequest::new(&common.input, &args.output)
    };
    let cancel = cancel_on_interrupt();
    if args.estimate {
        let estimate =
            estimate_classification(&common.model, &common.options(), &request, &cancel)?;
        if common.json {
            print_json(&estimate);
        } else {
            println!(
                "About {} on {} for {}{} rows (from {} texts timed here).",
                HumanDuration(std::time::Duration::from_secs_f64(estimate.seconds)),
                estimate.backend,
                if estimate.rows_exact { "" } else { "about " },
                HumanCount(estimate.rows as u64),
                estimate.measured_texts
            );
        }
        return Ok(());
    }
    let summary = common
        .with_view(|sink| predict_csv(&common.model, &common.options(), &request, sink, &cancel))?;
    if common.json {
        print_json(&serde_json::json!({ "event": "summary", "summary": summary }));
        return Ok(());
    }
    let mut predicted = summary.predicted.clone();
    predicted.sort_by(|a, b| b.rows.cmp(&a.rows));
    eprintln!("Most frequent predictions:");
    for c in predicted.iter().filter(|c| c.rows > 0).take(10) {
        let name = summary.label_names.get(&c.label).map(String::as_str);
        eprintln!(
            "  {:>8}  {}{}",
            HumanCount(c.rows as u64),
            c.label,
            name.map(|n| format!(" — {n}")).unwrap_or_default()
        );
    }
    Ok(())
}

pub fn run_evaluate(args: EvaluateArgs) -> Result<()> {
    let common = &args.common;
    let request = EvaluateRequest {
        text_column: common.text_column.clone(),
        label_column: args.label_column.clone(),
        label_separator: args.label_separator.clone(),
        top_k: args.top_k,
        batch_size: common.batch_size,
        ..EvaluateRequest::new(&common.input)
    };
    let cancel = cancel_on_interrupt();
    let report = common.with_view(|sink| {
        evaluate_csv(&common.model, &common.options(), &request, sink, &cancel)
    })?;
    if let Some(path) = &args.report {
        let text = serde_json::to_string_pretty(&report).expect("report serialises");
        write_file_atomically(path, text.as_bytes())?;
    }
    if common.json {
        print_json(&serde_json::json!({ "event": "report", "report": report }));
    } else {
        print_evaluation(&report);
        if let Some(path) = &args.report {
            println!("\nFull report written to {}", path.display());
        }
    }
    Ok(())
}

/// A progress bar over rows, with ETA from the share of the file read.
#[derive(Default)]
struct RowProgress {
    bar: Option<indicatif::ProgressBar>,
}

impl RowProgress {
    fn show(&mut self, event: InferenceEvent) {
        match event {
            InferenceEvent::Download(d) => print_download(d),
            InferenceEvent::Started {
                model,
                backend,
                backend_reason,
                input,
                text_column,
                delimiter,
                encoding,
                bytes_total,
            } => {
                eprintln!(
                    "Reading the texts of \"{text_column}\" in {input} ({delimiter}-separated, {encoding}); {model} runs on {backend} — {backend_reason}"
                );
                self.bar = Some(progress_bar(
                    bytes_total,
                    "{bar:30.cyan/blue} {percent:>3}%  {msg}  ETA {eta}",
                ));
            }
            InferenceEvent::Progress {
                rows_done,
                bytes_done,
                rows_per_second,
                ..
            } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(bytes_done);
                    bar.set_message(format!(
                        "{} rows  {rows_per_second:.0} rows/s",
                        HumanCount(rows_done as u64)
                    ));
                }
            }
            InferenceEvent::Finished {
                rows,
                empty_texts,
                seconds,
                rows_per_second,
                output,
                ..
            } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                let empty = if empty_texts > 0 {
                    format!(" ({empty_texts} with an empty text, left without prediction)")
                } else {
                    String::new()
                };
                match output {
                    Some(path) => eprintln!(
                        "Done: {} rows{empty} in {seconds:.1} s ({rows_per_second:.0} rows/s), written to {path}",
                        HumanCount(rows as u64)
                    ),
                    None => eprintln!(
                        "Done: {} rows in {seconds:.1} s ({rows_per_second:.0} rows/s)",
                        HumanCount(rows as u64)
                    ),
                }
            }
            // The error itself is printed once, by main, with its hint.
            InferenceEvent::Failed { .. } => {}
            InferenceEvent::Cancelled => eprintln!("Stopped; no output file was written."),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.abandon();
        }
    }
}
