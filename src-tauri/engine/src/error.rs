//! The engine's one error type. Every message is written for the person using the app:
//! what went wrong, with which file, and what to do next. The enum is serialisable so the
//! desktop app can show it as is and switch on `kind`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why a model folder could not be loaded. Each message names the file and says what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LoadError {
    #[error("The model folder \"{path}\" does not exist or is not a folder.")]
    NotAFolder { path: String },

    #[error(
        "The model folder has no usable {what} (\"{path}\": {reason}). A Hugging Face model folder \
         needs config.json, its weights (model.safetensors or pytorch_model.bin) and its tokenizer \
         files (tokenizer.json or vocab.txt)."
    )]
    MissingFile {
        path: String,
        what: String,
        reason: String,
    },

    #[error("\"{path}\" is not a usable config.json: {reason}.")]
    InvalidConfig { path: String, reason: String },

    #[error(
        "This is a \"{model_type}\" model, which BERT Studio cannot train or run. It reads these \
         model types: {supported} — for example bert-base-multilingual-uncased, \
         almanach/camembert-base, xlm-roberta-base or distilbert-base-multilingual-cased.",
        supported = crate::model::Architecture::supported_list()
    )]
    UnsupportedArchitecture { model_type: String },

    #[error(
        "The weights file \"{path}\" is damaged or incomplete ({reason}). Download or export the \
         model again."
    )]
    CorruptWeights { path: String, reason: String },

    #[error(
        "The tensor \"{name}\" in \"{path}\" has the shape {found:?}, but config.json describes a \
         model that needs {expected:?}: the weights and config.json do not belong together."
    )]
    ShapeMismatch {
        path: String,
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },

    #[error(
        "The weights file \"{path}\" lacks {} tensor(s) a BERT model needs (first: {}). It is not \
         a complete BERT checkpoint.",
        names.len(),
        names.first().map(String::as_str).unwrap_or("?")
    )]
    MissingTensors { path: String, names: Vec<String> },

    #[error(
        "The tensor \"{name}\" in \"{path}\" is stored as {dtype}, which is not a floating-point type."
    )]
    UnsupportedDType {
        path: String,
        name: String,
        dtype: String,
    },
}

#[derive(Debug, thiserror::Error, Serialize, TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EngineError {
    /// A model folder could not be loaded (missing file, corrupt weights, wrong shapes…).
    #[error(transparent)]
    Load {
        #[from]
        source: LoadError,
    },

    /// A model name that is neither an existing folder nor a Hub id we could fetch.
    #[error("Could not find the model \"{name}\": {reason}")]
    ModelNotFound { name: String, reason: String },

    /// Downloading from the Hugging Face Hub failed.
    #[error(
        "Could not download \"{file}\" of the model \"{model}\" from the Hugging Face Hub: {reason}. \
         Check your internet connection, the model name and, for private models, your HF_TOKEN."
    )]
    Download {
        model: String,
        file: String,
        reason: String,
    },

    /// Reading or writing a file failed.
    #[error("Could not {action} \"{path}\": {reason}")]
    Io {
        action: String,
        path: String,
        reason: String,
    },

    /// The tokenizer files of a model folder are missing or unusable.
    #[error("The tokenizer in \"{path}\" cannot be used: {reason}")]
    Tokenizer { path: String, reason: String },

    /// A data file (CSV) cannot be used as it is; `problem` says why and what to do.
    #[error("{}{problem}", match line { Some(l) => format!("In \"{path}\", line {l}: "), None => format!("In \"{path}\": ") })]
    Data {
        path: String,
        #[ts(type = "number | null")]
        line: Option<u64>,
        problem: String,
    },

    /// The user stopped the job.
    #[error("Stopped at your request.")]
    Cancelled,

    /// The GPU ran out of memory: a batch of this size and length does not fit on it.
    #[error(
        "The {backend} ran out of memory with batches of {batch_size} texts of up to {max_seq_len} tokens."
    )]
    OutOfMemory {
        backend: String,
        batch_size: usize,
        max_seq_len: usize,
    },

    /// The GPU backend failed for another reason (driver, kernel compilation…).
    #[error("The {backend} stopped with an error: {reason}")]
    Device { backend: String, reason: String },

    /// A value given by the user is out of range or inconsistent.
    #[error("{message}")]
    InvalidInput { message: String },
}

impl EngineError {
    pub fn io(action: &str, path: &std::path::Path, err: impl std::fmt::Display) -> Self {
        EngineError::Io {
            action: action.to_string(),
            path: path.display().to_string(),
            reason: err.to_string(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        EngineError::InvalidInput {
            message: message.into(),
        }
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// The message a panic carried (`panic!("…")` gives a `&str` or a `String`), if any.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
}

/// What the page (or any client) shows for an error: the kind to switch on, the message in
/// plain words, and what to do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ErrorReport {
    /// `load`, `model_not_found`, `download`, `io`, `tokenizer`, `data`, `cancelled`,
    /// `out_of_memory`, `device`, `invalid_input`, or an app-level kind such as `busy`.
    pub kind: String,
    pub message: String,
    /// The next step to try, when there is a useful one.
    pub hint: Option<String>,
}

impl ErrorReport {
    pub fn new(kind: &str, message: impl Into<String>, hint: Option<&str>) -> Self {
        ErrorReport {
            kind: kind.into(),
            message: message.into(),
            hint: hint.map(str::to_string),
        }
    }
}

impl EngineError {
    pub fn kind(&self) -> &'static str {
        match self {
            EngineError::Load { .. } => "load",
            EngineError::ModelNotFound { .. } => "model_not_found",
            EngineError::Download { .. } => "download",
            EngineError::Io { .. } => "io",
            EngineError::Tokenizer { .. } => "tokenizer",
            EngineError::Data { .. } => "data",
            EngineError::Cancelled => "cancelled",
            EngineError::OutOfMemory { .. } => "out_of_memory",
            EngineError::Device { .. } => "device",
            EngineError::InvalidInput { .. } => "invalid_input",
        }
    }

    /// What to do next, in plain words.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self {
            EngineError::Load { .. } => {
                "Choose another model folder, or download the model again from the model step."
            }
            EngineError::ModelNotFound { .. } => {
                "Check the spelling of the model name, or pick a model folder on this computer."
            }
            EngineError::Download { .. } => {
                "Check the internet connection and try again; a model that is already downloaded \
                 works offline."
            }
            EngineError::Io { .. } => {
                "Check that the file exists, is not open in another program, and that the \
                 folder is writable and has free space."
            }
            EngineError::Tokenizer { .. } => {
                "The model folder needs tokenizer.json or vocab.txt: export or download it again."
            }
            EngineError::Data { .. } => {
                "Fix the file in your spreadsheet program (or pick other columns), save it as \
                 CSV and load it again."
            }
            EngineError::Cancelled => return None,
            EngineError::OutOfMemory { .. } => {
                "Lower the batch size (raise gradient_accumulation_steps to keep the same \
                 effective batch) or the maximum length, or train on the CPU."
            }
            EngineError::Device { .. } => {
                "Update the graphics driver, or train on the CPU (device \"cpu\")."
            }
            EngineError::InvalidInput { .. } => "Correct the value and try again.",
        })
    }

    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            kind: self.kind().into(),
            message: self.to_string(),
            hint: self.hint().map(str::to_string),
        }
    }
}

impl From<&EngineError> for ErrorReport {
    fn from(e: &EngineError) -> Self {
        e.report()
    }
}

impl From<EngineError> for ErrorReport {
    fn from(e: EngineError) -> Self {
        e.report()
    }
}
