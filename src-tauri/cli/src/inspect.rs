//! `bert-studio inspect` (what a model is) and `bert-studio preview` (how a CSV file is read).

use bert_studio_engine::backend::{CpuBackend, CpuDevice};
use bert_studio_engine::data::preview_csv;
use bert_studio_engine::model::{LoadOptions, LoadedModel, load_model_folder};
use bert_studio_engine::source::{HubSettings, resolve_model};
use bert_studio_engine::{EngineError, Result};
use indicatif::HumanCount;

use crate::terminal::print_download;

pub fn inspect(name: &str, json: bool) -> Result<()> {
    let folder = resolve_model(name, &HubSettings::from_env(), &mut print_download)?;
    let device = CpuDevice::default();
    let loaded: LoadedModel<CpuBackend> =
        load_model_folder(&folder, &LoadOptions::default(), &device)?;
    let c = &loaded.config.encoder;
    let labels = loaded.config.labels();
    let params = loaded.model.num_parameters();
    let facts = loaded.tokenizer.facts();
    if json {
        let value = serde_json::json!({
            "model": name,
            "folder": folder,
            "architecture": loaded.config.architecture.classifier_class(),
            "model_type": loaded.config.architecture.model_type(),
            "config": loaded.config.to_json_value(),
            "parameters": params,
            "labels": labels,
            "tokenizer": facts,
            "load_report": loaded.report,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).map_err(EngineError::internal)?
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
        "Architecture {} for sequence classification (model_type {}): {} layers, hidden size {}{}, {} attention heads, feed-forward {}, {}",
        loaded.config.architecture.display_name(),
        loaded.config.architecture.model_type(),
        c.num_hidden_layers,
        c.hidden_size,
        c.embedding_size
            .filter(|e| *e != c.hidden_size)
            .map(|e| format!(" (embeddings {e})"))
            .unwrap_or_default(),
        c.num_attention_heads,
        c.intermediate_size,
        c.hidden_act
    );
    println!("Parameters   {}", HumanCount(params as u64));
    println!(
        "Positions    up to {} tokens per text",
        loaded.config.max_sequence_length()
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

pub fn preview(file: &std::path::Path, rows: usize, json: bool) -> Result<()> {
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
