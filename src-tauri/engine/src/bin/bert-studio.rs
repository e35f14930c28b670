//! `bert-studio`: the headless command line of BERT Studio (servers, clusters, scripts).

use std::process::ExitCode;

use bert_studio_engine::backend::{CpuBackend, CpuDevice};
use bert_studio_engine::model::{LoadOptions, LoadedModel, load_model_folder};
use bert_studio_engine::source::{DownloadEvent, HubSettings, resolve_model};
use bert_studio_engine::{EngineError, Result};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "bert-studio", version, about = "Fine-tune and use BERT text classifiers")]
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { model, json } => inspect(&model, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn print_download(event: DownloadEvent) {
    match event {
        DownloadEvent::Started { file, bytes_total } => {
            eprintln!("Downloading {file} ({})", human_bytes(bytes_total))
        }
        DownloadEvent::Progress {
            file,
            bytes_done,
            bytes_total,
        } => eprintln!(
            "  {file}: {} of {}",
            human_bytes(bytes_done),
            human_bytes(bytes_total)
        ),
        DownloadEvent::Finished { .. } => {}
    }
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}

fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn inspect(name: &str, json: bool) -> Result<()> {
    let folder = resolve_model(name, &HubSettings::from_env(), &mut print_download)?;
    let device = CpuDevice::default();
    let loaded: LoadedModel<CpuBackend> = load_model_folder(&folder, &LoadOptions::default(), &device)?;
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
        println!("{}", serde_json::to_string_pretty(&value).map_err(|e| EngineError::invalid(e.to_string()))?);
        return Ok(());
    }
    let shown_labels = if labels.len() > 12 {
        format!("{}, … ({} more)", labels[..12].join(", "), labels.len() - 12)
    } else {
        labels.join(", ")
    };
    println!("Model        {name}");
    println!("Folder       {}", folder.display());
    println!(
        "Architecture BERT for sequence classification: {} layers, hidden size {}, {} attention heads, feed-forward {}, {}",
        c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.intermediate_size, c.hidden_act
    );
    println!("Parameters   {}", group_thousands(params));
    println!(
        "Positions    up to {} tokens per text",
        c.max_position_embeddings
    );
    println!("Labels       {} classes: {shown_labels}", labels.len());
    println!(
        "Tokenizer    from {}, {} tokens{}{}",
        facts.source,
        group_thousands(facts.vocab_size),
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
        loaded.report.weights_file.file_name().unwrap_or_default().to_string_lossy()
    );
    if loaded.report.new_classifier {
        println!("Note         this folder has no classification head yet; fine-tuning will train one.");
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
