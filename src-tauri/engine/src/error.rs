//! The engine's one error type. Every message is written for the person using the app:
//! what went wrong, with which file, and what to do next. The enum is serialisable so the
//! desktop app can show it as is and switch on `kind`.

use serde::Serialize;

use crate::model::LoadError;

#[derive(Debug, thiserror::Error, Serialize)]
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
        line: Option<u64>,
        problem: String,
    },

    /// The user stopped the job.
    #[error("Stopped at your request.")]
    Cancelled,

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
