//! `bert-studio`: the headless command line of BERT Studio (servers, clusters, scripts).

use std::process::ExitCode;

use bert_studio_engine::backend::{CpuBackend, CpuDevice};
use bert_studio_engine::data::preview_csv;
use bert_studio_engine::inference::{
    ClassifierOptions, DEFAULT_BATCH_SIZE, EvaluateRequest, EvaluationReport, InferenceEvent,
    PredictRequest, evaluate_csv, predict_csv,
};
use bert_studio_engine::model::{LoadOptions, LoadedModel, load_model_folder};
use bert_studio_engine::source::{DownloadEvent, HubSettings, resolve_model};
use bert_studio_engine::train::{
    CancelToken, DeviceChoice, Metrics, Recipe, TrainingEvent, TrainingRequest, train,
    unfinished_run,
};
use bert_studio_engine::{EngineError, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{HumanBytes, HumanCount};
use std::path::PathBuf;

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
    Train(TrainArgs),
    /// Classify the texts of a CSV file with a trained model; writes a copy of the file with
    /// the predicted label and its probability (and the next k-1 labels) added to each row.
    Predict(PredictArgs),
    /// Measure a trained model on a labelled CSV file: metrics, per-class table, confusion
    /// matrix and the misclassified rows.
    Evaluate(EvaluateArgs),
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
    /// Longest text in tokens (default: the length the model was trained with).
    #[arg(long)]
    max_seq_len: Option<usize>,
    /// auto, cpu, wgpu or cuda
    #[arg(long, default_value = "auto")]
    device: String,
    /// Print events (and the result) as JSON lines instead of a progress bar.
    #[arg(long)]
    json: bool,
}

impl ModelArgs {
    fn options(&self) -> Result<ClassifierOptions> {
        let device: DeviceChoice = serde_json::from_value(serde_json::Value::from(
            self.device.as_str(),
        ))
        .map_err(|_| {
            EngineError::invalid(format!(
                "Unknown device \"{}\": choose auto, cpu, wgpu or cuda.",
                self.device
            ))
        })?;
        Ok(ClassifierOptions {
            device,
            max_len: self.max_seq_len,
            hub: HubSettings::from_env(),
        })
    }
}

#[derive(Args)]
struct PredictArgs {
    #[command(flatten)]
    common: ModelArgs,
    /// The CSV file to write (replaced only when classification succeeds).
    #[arg(long)]
    output: PathBuf,
    /// Labels (with probabilities) per row.
    #[arg(long, default_value_t = 1)]
    top_k: usize,
}

#[derive(Args)]
struct EvaluateArgs {
    #[command(flatten)]
    common: ModelArgs,
    /// The column with the true labels.
    #[arg(long, default_value = "label")]
    label_column: String,
    /// Labels listed for each misclassified row.
    #[arg(long, default_value_t = 2)]
    top_k: usize,
    /// Write the full report (metrics, per-class table, confusion matrix, misclassified rows)
    /// to this JSON file.
    #[arg(long)]
    report: Option<PathBuf>,
}

#[derive(Args)]
struct TrainArgs {
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
    /// A separate validation CSV (default: hold out validation_fraction of the input).
    #[arg(long)]
    validation: Option<PathBuf>,
    /// A recipe.json; flags below override its values.
    #[arg(long)]
    recipe: Option<PathBuf>,
    /// Print events as JSON lines instead of a progress bar.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    overrides: RecipeFlags,
}

/// Every recipe field as a flag (see `Recipe` for meanings and defaults).
#[derive(Args, Default)]
struct RecipeFlags {
    #[arg(long)]
    model: Option<String>,
    #[arg(long)]
    text_column: Option<String>,
    #[arg(long)]
    label_column: Option<String>,
    #[arg(long)]
    epochs: Option<usize>,
    #[arg(long)]
    learning_rate: Option<f64>,
    /// linear, constant, constant_with_warmup or cosine
    #[arg(long)]
    scheduler: Option<String>,
    #[arg(long)]
    train_batch_size: Option<usize>,
    #[arg(long)]
    eval_batch_size: Option<usize>,
    #[arg(long)]
    gradient_accumulation_steps: Option<usize>,
    /// true (default): batch texts of similar length together, as the Trainer's
    /// group_by_length (shuffled groups of 50 batches sorted by length inside): less padding,
    /// faster training. false: plain random batches, as the notebook.
    #[arg(long)]
    group_by_length: Option<bool>,
    #[arg(long)]
    weight_decay: Option<f64>,
    #[arg(long)]
    warmup_ratio: Option<f64>,
    #[arg(long)]
    max_seq_len: Option<usize>,
    /// no, epoch or steps
    #[arg(long)]
    eval_strategy: Option<String>,
    #[arg(long)]
    eval_steps: Option<usize>,
    /// no, epoch or steps
    #[arg(long)]
    logging_strategy: Option<String>,
    #[arg(long)]
    logging_steps: Option<usize>,
    /// no or epoch
    #[arg(long)]
    save_strategy: Option<String>,
    /// Half precision: not available in this version (every device trains in 32-bit numbers);
    /// `true` is refused.
    #[arg(long)]
    fp16: Option<bool>,
    /// At the end, keep the model of the epoch with the best validation score instead of the
    /// last one (needs --eval-strategy epoch)
    #[arg(long)]
    load_best: Option<bool>,
    /// The score --load-best compares: loss (the default; lowest wins), accuracy, macro_f1,
    /// macro_precision or macro_recall (highest wins)
    #[arg(long)]
    metric_for_best_model: Option<String>,
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long)]
    validation_fraction: Option<f64>,
    #[arg(long)]
    max_grad_norm: Option<f64>,
    /// auto, cpu, wgpu or cuda
    #[arg(long)]
    device: Option<String>,
}

impl RecipeFlags {
    /// The flags that were given, as recipe JSON keys.
    fn as_json(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        let mut put = |k: &str, v: Option<serde_json::Value>| {
            if let Some(v) = v {
                map.insert(k.to_string(), v);
            }
        };
        use serde_json::Value as V;
        put("model", self.model.clone().map(V::from));
        put("text_column", self.text_column.clone().map(V::from));
        put("label_column", self.label_column.clone().map(V::from));
        put("epochs", self.epochs.map(V::from));
        put("learning_rate", self.learning_rate.map(V::from));
        put("scheduler", self.scheduler.clone().map(V::from));
        put("train_batch_size", self.train_batch_size.map(V::from));
        put("eval_batch_size", self.eval_batch_size.map(V::from));
        put(
            "gradient_accumulation_steps",
            self.gradient_accumulation_steps.map(V::from),
        );
        put("group_by_length", self.group_by_length.map(V::from));
        put("weight_decay", self.weight_decay.map(V::from));
        put("warmup_ratio", self.warmup_ratio.map(V::from));
        put("max_seq_len", self.max_seq_len.map(V::from));
        put("eval_strategy", self.eval_strategy.clone().map(V::from));
        put("eval_steps", self.eval_steps.map(V::from));
        put(
            "logging_strategy",
            self.logging_strategy.clone().map(V::from),
        );
        put("logging_steps", self.logging_steps.map(V::from));
        put("save_strategy", self.save_strategy.clone().map(V::from));
        put("fp16", self.fp16.map(V::from));
        put("load_best", self.load_best.map(V::from));
        put(
            "metric_for_best_model",
            self.metric_for_best_model.clone().map(V::from),
        );
        put("seed", self.seed.map(V::from));
        put("validation_fraction", self.validation_fraction.map(V::from));
        put("max_grad_norm", self.max_grad_norm.map(V::from));
        put("device", self.device.clone().map(V::from));
        map
    }
}

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, which turns a closed pipe (`| head`) into a panic in println!.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { model, json } => inspect(&model, json),
        Command::Train(args) => run_train(args),
        Command::Predict(args) => run_predict(args),
        Command::Evaluate(args) => run_evaluate(args),
        Command::Preview { file, rows, json } => preview(&file, rows, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("{hint}");
            }
            ExitCode::FAILURE
        }
    }
}

fn print_download(event: DownloadEvent) {
    match event {
        DownloadEvent::Started { file, bytes_total } => {
            eprintln!("Downloading {file} ({})", HumanBytes(bytes_total))
        }
        DownloadEvent::Progress {
            file,
            bytes_done,
            bytes_total,
        } => eprintln!(
            "  {file}: {} of {}",
            HumanBytes(bytes_done),
            HumanBytes(bytes_total)
        ),
        DownloadEvent::Finished { .. } => {}
    }
}

fn inspect(name: &str, json: bool) -> Result<()> {
    let folder = resolve_model(name, &HubSettings::from_env(), &mut print_download)?;
    let device = CpuDevice::default();
    let loaded: LoadedModel<CpuBackend> =
        load_model_folder(&folder, &LoadOptions::default(), &device)?;
    let c = &loaded.config.bert;
    let labels = loaded.config.labels();
    let params = loaded.model.num_parameters();
    let facts = loaded.tokenizer.facts();
    if json {
        let value = serde_json::json!({
            "model": name,
            "folder": folder,
            "architecture": "BertForSequenceClassification",
            "config": loaded.config.to_json_value(),
            "parameters": params,
            "labels": labels,
            "tokenizer": facts,
            "load_report": loaded.report,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value)
                .map_err(|e| EngineError::invalid(e.to_string()))?
        );
        return Ok(());
    }
    let shown_labels = if labels.len() > 12 {
        format!(
            "{}, … ({} more)",
            labels[..12].join(", "),
            labels.len() - 12
        )
    } else {
        labels.join(", ")
    };
    println!("Model        {name}");
    println!("Folder       {}", folder.display());
    println!(
        "Architecture BERT for sequence classification: {} layers, hidden size {}, {} attention heads, feed-forward {}, {}",
        c.num_hidden_layers,
        c.hidden_size,
        c.num_attention_heads,
        c.intermediate_size,
        c.hidden_act
    );
    println!("Parameters   {}", HumanCount(params as u64));
    println!(
        "Positions    up to {} tokens per text",
        c.max_position_embeddings
    );
    println!("Labels       {} classes: {shown_labels}", labels.len());
    println!(
        "Tokenizer    from {}, {} tokens{}{}",
        facts.source,
        HumanCount(facts.vocab_size as u64),
        match facts.lowercase {
            Some(true) => ", lowercases text",
            Some(false) => ", keeps case",
            None => "",
        },
        facts
            .model_max_length
            .map(|n| format!(", model_max_length {n}"))
            .unwrap_or_default()
    );
    println!(
        "Weights      {}",
        loaded
            .report
            .weights_file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
    );
    if loaded.report.new_classifier {
        println!(
            "Note         this folder has no classification head yet; fine-tuning will train one."
        );
    }
    if !loaded.report.initialized.is_empty() {
        println!("Initialised  {}", loaded.report.initialized.join(", "));
    }
    if !loaded.report.unexpected.is_empty() {
        println!(
            "Not used     {} tensor(s) of the file (e.g. {})",
            loaded.report.unexpected.len(),
            loaded.report.unexpected[0]
        );
    }
    Ok(())
}

fn preview(file: &std::path::Path, rows: usize, json: bool) -> Result<()> {
    let preview = preview_csv(file, None, rows)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&preview).expect("preview serialises")
        );
        return Ok(());
    }
    println!("File       {}", preview.path);
    println!(
        "Delimiter  {}    Encoding  {}",
        preview.dialect.delimiter_name(),
        preview.dialect.encoding.label()
    );
    println!("Columns    {}", preview.headers.join(" | "));
    println!(
        "Guess      text = {}, label = {}",
        preview.guessed_text_column.as_deref().unwrap_or("?"),
        preview.guessed_label_column.as_deref().unwrap_or("?")
    );
    for row in &preview.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                let c = c.replace('\n', " ");
                if c.chars().count() > 60 {
                    format!("{}…", c.chars().take(59).collect::<String>())
                } else {
                    c
                }
            })
            .collect();
        println!("  {}", cells.join(" | "));
    }
    Ok(())
}

fn run_train(args: TrainArgs) -> Result<()> {
    let request = match &args.resume {
        Some(folder) => {
            if !args.overrides.as_json().is_empty() {
                return Err(EngineError::invalid(
                    "A resumed run keeps the recipe it started with; drop the recipe flags, or start a new run with them.",
                ));
            }
            TrainingRequest::resume(folder, HubSettings::from_env())?
        }
        None => new_training_request(&args)?,
    };
    let cancel = CancelToken::new();
    {
        let cancel = cancel.clone();
        let _ = ctrlc_on_interrupt(move || cancel.cancel());
    }
    let result = if args.json {
        let mut sink = |event: TrainingEvent| {
            println!(
                "{}",
                serde_json::to_string(&event).expect("events serialise")
            );
        };
        train(&request, &mut sink, &cancel)
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

/// A fresh run: the recipe file (or the defaults) with the flags on top.
fn new_training_request(args: &TrainArgs) -> Result<TrainingRequest> {
    let (Some(input), Some(output)) = (args.input.clone(), args.output.clone()) else {
        unreachable!("clap requires --input and --output without --resume")
    };
    let base = match &args.recipe {
        Some(path) => Recipe::from_file(path)?,
        None => Recipe::default(),
    };
    let serde_json::Value::Object(mut merged) =
        serde_json::to_value(&base).expect("recipe serialises")
    else {
        unreachable!()
    };
    merged.extend(args.overrides.as_json());
    let recipe = Recipe::from_json(&serde_json::Value::Object(merged).to_string())?;
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

fn progress_bar(length: u64, template: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(length);
    bar.set_style(indicatif::ProgressStyle::with_template(template).expect("valid template"));
    bar
}

/// Ctrl-C (and SIGTERM) stops a job cleanly (nothing half-written) instead of killing the process.
fn ctrlc_on_interrupt(f: impl Fn() + Send + 'static) -> std::io::Result<()> {
    ctrlc::set_handler(f).map_err(std::io::Error::other)
}

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

fn cancel_on_interrupt() -> CancelToken {
    let cancel = CancelToken::new();
    let handle = cancel.clone();
    let _ = ctrlc_on_interrupt(move || handle.cancel());
    cancel
}

fn print_json(value: &impl serde::Serialize) {
    println!("{}", serde_json::to_string(value).expect("serialisable"));
}

/// Runs `job` with its events printed as JSON lines, or shown as a progress bar.
fn with_inference_view<T>(
    json: bool,
    job: impl FnOnce(&mut dyn FnMut(InferenceEvent)) -> Result<T>,
) -> Result<T> {
    if json {
        return job(&mut |e| print_json(&e));
    }
    let mut view = RowProgress::default();
    let result = job(&mut |e| view.show(e));
    view.finish();
    result
}

fn run_predict(args: PredictArgs) -> Result<()> {
    let options = args.common.options()?;
    let request = PredictRequest {
        text_column: args.common.text_column.clone(),
        top_k: args.top_k,
        batch_size: args.common.batch_size,
        ..PredictRequest::new(&args.common.input, &args.output)
    };
    let cancel = cancel_on_interrupt();
    let summary = with_inference_view(args.common.json, |sink| {
        predict_csv(&args.common.model, &options, &request, sink, &cancel)
    })?;
    if args.common.json {
        print_json(&serde_json::json!({ "event": "summary", "summary": summary }));
        return Ok(());
    }
    let mut predicted = summary.predicted.clone();
    predicted.sort_by(|a, b| b.rows.cmp(&a.rows));
    eprintln!("Most frequent predictions:");
    for c in predicted.iter().filter(|c| c.rows > 0).take(10) {
        eprintln!("  {:>8}  {}", HumanCount(c.rows as u64), c.label);
    }
    Ok(())
}

fn run_evaluate(args: EvaluateArgs) -> Result<()> {
    let options = args.common.options()?;
    let request = EvaluateRequest {
        text_column: args.common.text_column.clone(),
        label_column: args.label_column.clone(),
        top_k: args.top_k,
        batch_size: args.common.batch_size,
        ..EvaluateRequest::new(&args.common.input)
    };
    let cancel = cancel_on_interrupt();
    let report = with_inference_view(args.common.json, |sink| {
        evaluate_csv(&args.common.model, &options, &request, sink, &cancel)
    })?;
    if let Some(path) = &args.report {
        let text = serde_json::to_string_pretty(&report).expect("report serialises");
        bert_studio_engine::fsutil::write_file_atomically(path, text.as_bytes())?;
    }
    if args.common.json {
        print_json(&serde_json::json!({ "event": "report", "report": report }));
    } else {
        print_evaluation(&report);
        if let Some(path) = &args.report {
            println!("\nFull report written to {}", path.display());
        }
    }
    Ok(())
}

fn print_evaluation(r: &EvaluationReport) {
    let m = &r.metrics;
    println!(
        "Evaluated {} of {} rows of {} ({} without text, {} without label skipped)",
        HumanCount(r.evaluated_rows as u64),
        HumanCount(r.rows_read as u64),
        r.input,
        r.skipped_empty_text,
        r.skipped_empty_label
    );
    for u in &r.unseen_labels {
        println!(
            "Note: the label \"{}\" ({} row{}) was not among the model's training labels; those rows count as errors.",
            u.label,
            u.rows,
            if u.rows == 1 { "" } else { "s" }
        );
    }
    println!();
    println!("  accuracy          {:.4}", m.accuracy);
    println!("  macro F1          {:.4}", m.macro_f1);
    println!("  macro precision   {:.4}", m.macro_precision);
    println!("  macro recall      {:.4}", m.macro_recall);
    println!("  top-1 accuracy    {:.4}", m.top1_accuracy);
    println!("  top-2 accuracy    {:.4}", m.top2_accuracy);
    if let Some(loss) = m.loss {
        println!("  loss              {loss:.4}");
    }
    println!();
    let width = m
        .per_class
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 40);
    println!("  {:<width$}  precision  recall     F1  support", "class");
    // Classes absent from both the file and the predictions have no row.
    for (i, c) in m.per_class.iter().enumerate() {
        let predicted: usize = m.confusion.iter().map(|row| row[i]).sum();
        if c.support == 0 && predicted == 0 {
            continue;
        }
        let label: String = c.label.chars().take(width).collect();
        println!(
            "  {label:<width$}  {:>9.4}  {:>6.4}  {:>5.4}  {:>7}",
            c.precision, c.recall, c.f1, c.support
        );
    }
    if m.confusion.len() <= 12 {
        println!("\n  confusion matrix (rows: true label, columns: predicted)");
        let w = m
            .per_class
            .iter()
            .map(|c| c.label.chars().count())
            .max()
            .unwrap_or(1)
            .clamp(3, 12);
        let mut head = format!("  {:<w$}", "");
        for c in &m.per_class {
            head.push_str(&format!(
                " {:>w$}",
                c.label.chars().take(w).collect::<String>()
            ));
        }
        println!("{head}");
        for (c, row) in m.per_class.iter().zip(&m.confusion) {
            let mut line = format!("  {:<w$}", c.label.chars().take(w).collect::<String>());
            for n in row {
                line.push_str(&format!(" {n:>w$}"));
            }
            println!("{line}");
        }
    } else {
        println!(
            "\n  ({} classes: see the confusion matrix in the JSON report, --report)",
            m.confusion.len()
        );
    }
    println!(
        "\n  {} misclassified rows",
        HumanCount(r.misclassified_total as u64)
    );
    for row in r.misclassified.iter().take(10) {
        let text: String = row.text.chars().take(60).collect();
        let top: Vec<String> = row
            .predicted
            .iter()
            .map(|p| format!("{} {:.2}", p.label, p.score))
            .collect();
        println!(
            "  line {:>6}: true {} → {}  | {}",
            row.line,
            row.true_label,
            top.join(", "),
            text.replace('\n', " ")
        );
    }
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
