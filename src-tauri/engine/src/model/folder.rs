//! Hugging Face model folders: `config.json` + weights + tokenizer files, in and out.

use std::path::{Path, PathBuf};

use burn::tensor::backend::Backend;

use super::TextTokenizer;
use super::weights::{PytorchFile, SafetensorsFile, TensorFile, load_weights, write_safetensors};
use super::{LoadError, LoadReport, ModelConfig, SequenceClassifier};
use crate::error::{EngineError, Result};
use crate::fsutil::write_dir_atomically;

/// How to load a folder.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Train a classifier for these labels: when they differ from the folder's, its
    /// classification head (if any) is replaced by a fresh one of the right size.
    pub labels: Option<Vec<String>>,
    /// Seeds the backend before initialising any missing tensors, for reproducible heads.
    pub seed: Option<u64>,
}

/// A model ready to run, with everything that came with it.
#[derive(Debug)]
pub struct LoadedModel<B: Backend> {
    pub model: SequenceClassifier<B>,
    pub config: ModelConfig,
    pub tokenizer: TextTokenizer,
    pub report: LoadReport,
    pub folder: PathBuf,
}

pub fn load_model_folder<B: Backend>(
    folder: &Path,
    options: &LoadOptions,
    device: &B::Device,
) -> Result<LoadedModel<B>> {
    if !folder.is_dir() {
        return Err(LoadError::NotAFolder {
            path: folder.display().to_string(),
        }
        .into());
    }
    let mut config = ModelConfig::from_file(&folder.join("config.json"))?;
    let keep_classifier = match &options.labels {
        Some(labels) if *labels != config.labels() => {
            config.set_labels(labels);
            false
        }
        _ => true,
    };

    let weights = open_weights(folder)?;
    let tokenizer = TextTokenizer::from_folder(folder, config.encoder.pad_token_id)?;
    if tokenizer.vocab_size() > config.encoder.vocab_size {
        return Err(LoadError::InvalidConfig {
            path: folder.join("config.json").display().to_string(),
            reason: format!(
                "the tokenizer knows {} tokens but the model's vocab_size is {}: the tokenizer \
                 files belong to another model",
                tokenizer.vocab_size(),
                config.encoder.vocab_size
            ),
        }
        .into());
    }

    // burn's random generator is global to the process: hold it from seeding until the fresh
    // tensors are drawn, so that a concurrent load cannot take draws from the same seed.
    static SEEDED_INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = SEEDED_INIT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(seed) = options.seed {
        B::seed(device, seed);
    }
    let mut model = config.init::<B>(device);
    let report = load_weights(&mut model, weights.as_ref(), keep_classifier, device)?;
    drop(_guard);
    Ok(LoadedModel {
        model,
        config,
        tokenizer,
        report,
        folder: folder.to_path_buf(),
    })
}

/// The folder's weights file: `model.safetensors`, else `pytorch_model.bin`.
fn open_weights(folder: &Path) -> Result<Box<dyn TensorFile>, LoadError> {
    let safetensors = folder.join("model.safetensors");
    let pytorch = folder.join("pytorch_model.bin");
    if safetensors.is_file() {
        Ok(Box::new(SafetensorsFile::open(&safetensors)?))
    } else if pytorch.is_file() {
        Ok(Box::new(PytorchFile::open(&pytorch)?))
    } else if folder.join("model.safetensors.index.json").is_file() {
        Err(LoadError::MissingFile {
            path: safetensors.display().to_string(),
            what: crate::error::ModelFile::SingleWeights,
            reason: "the weights are split into shards, which BERT Studio does not read yet".into(),
        })
    } else {
        Err(LoadError::MissingFile {
            path: folder.display().to_string(),
            what: crate::error::ModelFile::Weights,
            reason: "neither file exists".into(),
        })
    }
}

/// Saves a folder that `transformers` loads with `from_pretrained` and `pipeline(...)`.
/// Written in a temporary sibling folder and then moved into place, so a failure leaves
/// any previous model at `dest` intact.
pub fn save_model_folder<B: Backend>(
    dest: &Path,
    model: &SequenceClassifier<B>,
    config: &ModelConfig,
    tokenizer: &TextTokenizer,
) -> Result<()> {
    write_dir_atomically(dest, |dir| write_model_files(dir, model, config, tokenizer))
}

/// Writes config.json, model.safetensors and the tokenizer files into an existing folder
/// (callers make that folder atomic, as `save_model_folder` does).
pub fn write_model_files<B: Backend>(
    dir: &Path,
    model: &SequenceClassifier<B>,
    config: &ModelConfig,
    tokenizer: &TextTokenizer,
) -> Result<()> {
    let config_path = dir.join("config.json");
    std::fs::write(&config_path, config.to_json_string())
        .map_err(|e| EngineError::io("write", &config_path, e))?;
    let weights_path = dir.join("model.safetensors");
    write_safetensors(model, &weights_path)
        .map_err(|e| EngineError::io("write", &weights_path, e))?;
    tokenizer.save_files(dir)
}
