//! The engine's one error type. Every message is written for the person using the app:
//! what went wrong, with which file, and what to do next. The enum is serialisable so the
//! desktop app can show it as is and switch on `kind`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::message::Message;

/// Why a model folder could not be loaded. Each message names the file and says what to do.
/// Which file of a model folder is missing or unusable (each has its own catalogue entry,
/// `load.missing_<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ModelFile {
    Config,
    Weights,
    SingleWeights,
    Tokenizer,
    TokenizerJson,
}

impl std::fmt::Display for ModelFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ModelFile::Config => "config.json",
            ModelFile::Weights => "weights (model.safetensors or pytorch_model.bin)",
            ModelFile::SingleWeights => "single weights file",
            ModelFile::Tokenizer => "tokenizer (tokenizer.json or vocab.txt)",
            ModelFile::TokenizerJson => "tokenizer.json",
        })
    }
}

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
        what: ModelFile,
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
    ModelNotFound { name: String, reason: Message },

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
        problem: Message,
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
    InvalidInput { message: Message },

    /// A run split over several devices or machines lost one of them, or could not gather them.
    #[error("{message}")]
    Cluster { message: Message },
}

impl EngineError {
    pub fn io(action: &str, path: &std::path::Path, err: impl std::fmt::Display) -> Self {
        EngineError::Io {
            action: action.to_string(),
            path: path.display().to_string(),
            reason: err.to_string(),
        }
    }

    pub fn invalid(message: Message) -> Self {
        EngineError::InvalidInput { message }
    }

    /// A step that should not fail did (a value that would not serialise…); its own words.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::invalid(crate::said!(
            "invalid.internal",
            "An internal step failed: {detail}.",
            detail = detail.to_string()
        ))
    }

    /// The error as a remark (its text, with its id and values where the page can say it).
    pub fn said(&self) -> Message {
        let (id, params) = self.translation().unwrap_or_default();
        Message {
            id,
            params,
            text: self.to_string(),
        }
    }
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// The catalogue ids of the errors the page says in its own words (`engine.<id>`), and of the
/// hint of each kind (`engine.hint.<kind>`); each is in both catalogues (a test checks).
pub const ERROR_IDS: &[&str] = &[
    "load.not_a_folder",
    "load.missing_config",
    "load.missing_weights",
    "load.missing_single_weights",
    "load.missing_tokenizer",
    "load.missing_tokenizer_json",
    "io.copy_to",
    "io.create_a_file_in",
    "io.create_the_folder",
    "io.create",
    "io.delete",
    "io.move_into_place",
    "io.move",
    "io.open",
    "io.read_the_folder",
    "io.read",
    "io.remove",
    "io.replace",
    "io.write",
    "where.file",
    "where.line",
    "load.invalid_config",
    "load.unsupported_architecture",
    "load.corrupt_weights",
    "load.shape_mismatch",
    "load.missing_tensors",
    "load.unsupported_d_type",
    "error.model_not_found",
    "error.download",
    "error.tokenizer",
    "error.cancelled",
    "error.out_of_memory",
    "error.device",
    "hint.load",
    "hint.model_not_found",
    "hint.download",
    "hint.io",
    "hint.tokenizer",
    "hint.data",
    "hint.out_of_memory",
    "hint.device",
    "hint.invalid_input",
    "hint.cluster",
];

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
    /// The catalogue id of the hint (`engine.<hint_id>`): the engine's own for its kind, or
    /// the app's; a hint without one is shown as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub hint_id: Option<String>,
    /// For the page to say `message` in its language: the catalogue key is `engine.<id>`, with
    /// the error's own values (`params`). Absent where the message is the engine's text only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "Record<string, unknown>")]
    pub params: Option<BTreeMap<String, serde_json::Value>>,
}

impl ErrorReport {
    /// An app-level error (`busy`, `keyring`…) with its next step, each in words the page can
    /// translate; the hint's values join the message's.
    pub fn said(kind: &str, message: Message, hint: Option<Message>) -> Self {
        let mut params = message.params;
        let (hint, hint_id) = match hint {
            Some(hint) => {
                params.extend(hint.params);
                (Some(hint.text), Some(hint.id))
            }
            None => (None, None),
        };
        ErrorReport {
            kind: kind.into(),
            message: message.text,
            hint,
            hint_id,
            id: Some(message.id),
            params: Some(params),
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
            EngineError::Cluster { .. } => "cluster",
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
            EngineError::Cluster { .. } => {
                "Check that every node runs and reaches the others over the network, then \
                 resume the run on every node."
            }
        })
    }

    pub fn report(&self) -> ErrorReport {
        let (id, params) = self.translation().unzip();
        ErrorReport {
            kind: self.kind().into(),
            message: self.to_string(),
            hint: self.hint().map(str::to_string),
            hint_id: self.hint().map(|_| format!("hint.{}", self.kind())),
            id,
            params,
        }
    }

    /// The catalogue id and the values of an error, for the page to say it in its language.
    /// A data problem's id is the problem's own; the page puts the file and line before it
    /// (`where.file`, `where.line`).
    fn translation(&self) -> Option<(String, BTreeMap<String, serde_json::Value>)> {
        match self {
            EngineError::Data {
                path,
                line,
                problem,
            } if !problem.id.is_empty() => {
                let mut params = problem.params.clone();
                params.insert("path".into(), path.clone().into());
                params.insert("line".into(), (*line).into());
                return Some((problem.id.clone(), params));
            }
            EngineError::InvalidInput { message } | EngineError::Cluster { message }
                if !message.id.is_empty() =>
            {
                return Some((message.id.clone(), message.params.clone()));
            }
            EngineError::Data { .. }
            | EngineError::InvalidInput { .. }
            | EngineError::Cluster { .. } => return None,
            EngineError::Io {
                action,
                path,
                reason,
            } => {
                let id = format!("io.{}", action.replace(' ', "_"));
                let params = [("path", path), ("reason", reason)]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.clone().into()))
                    .collect();
                return ERROR_IDS.contains(&id.as_str()).then_some((id, params));
            }
            _ => {}
        }
        let serde_json::Value::Object(fields) = serde_json::to_value(self).ok()? else {
            return None;
        };
        let (id, fields) = match self {
            EngineError::Load { source } => {
                let serde_json::Value::Object(inner) = serde_json::to_value(source).ok()? else {
                    return None;
                };
                let kind = match source {
                    LoadError::MissingFile { what, .. } => {
                        format!("missing_{}", serde_json::to_value(what).ok()?.as_str()?)
                    }
                    _ => inner.get("kind")?.as_str()?.to_string(),
                };
                (format!("load.{kind}"), inner)
            }
            _ => (format!("error.{}", self.kind()), fields),
        };
        let mut params: BTreeMap<String, serde_json::Value> = fields
            .into_iter()
            .filter(|(name, _)| name != "kind" && name != "what")
            .collect();
        match self {
            EngineError::Load {
                source: LoadError::MissingTensors { names, .. },
            } => {
                params.insert("count".into(), names.len().into());
                let first = names.first().cloned().unwrap_or_default();
                params.insert("first".into(), first.into());
            }
            EngineError::Load {
                source:
                    LoadError::ShapeMismatch {
                        expected, found, ..
                    },
            } => {
                params.insert("expected".into(), format!("{expected:?}").into());
                params.insert("found".into(), format!("{found:?}").into());
            }
            EngineError::Load {
                source: LoadError::UnsupportedArchitecture { .. },
            } => {
                let supported = crate::model::Architecture::supported_list();
                params.insert("supported".into(), supported.into());
            }
            _ => {}
        }
        debug_assert!(ERROR_IDS.contains(&id.as_str()), "unlisted error id {id}");
        Some((id, params))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn one_of_each() -> Vec<EngineError> {
        let load = |source| EngineError::Load { source };
        let path = || "/m".to_string();
        vec![
            load(LoadError::NotAFolder { path: path() }),
            load(LoadError::MissingFile {
                path: path(),
                what: ModelFile::Config,
                reason: "absent".into(),
            }),
            load(LoadError::InvalidConfig {
                path: path(),
                reason: "r".into(),
            }),
            load(LoadError::UnsupportedArchitecture {
                model_type: "gpt2".into(),
            }),
            load(LoadError::CorruptWeights {
                path: path(),
                reason: "r".into(),
            }),
            load(LoadError::ShapeMismatch {
                path: path(),
                name: "w".into(),
                expected: vec![2, 3],
                found: vec![3, 2],
            }),
            load(LoadError::MissingTensors {
                path: path(),
                names: vec!["a".into(), "b".into()],
            }),
            load(LoadError::UnsupportedDType {
                path: path(),
                name: "w".into(),
                dtype: "I64".into(),
            }),
            EngineError::ModelNotFound {
                name: "m".into(),
                reason: Message::plain("r"),
            },
            EngineError::Download {
                model: "m".into(),
                file: "f".into(),
                reason: "r".into(),
            },
            EngineError::io("open", std::path::Path::new("/f"), "denied"),
            EngineError::Tokenizer {
                path: path(),
                reason: "r".into(),
            },
            EngineError::Data {
                path: path(),
                line: Some(2),
                problem: crate::said!("data_error.empty", "the file is empty"),
            },
            EngineError::Cancelled,
            EngineError::OutOfMemory {
                backend: "GPU".into(),
                batch_size: 16,
                max_seq_len: 128,
            },
            EngineError::Device {
                backend: "GPU".into(),
                reason: "r".into(),
            },
            EngineError::invalid(crate::said!(
                "invalid.top_k",
                "between 1 and {classes}",
                classes = 3
            )),
        ]
    }

    /// Every error the page can say in its words has a listed id (so both catalogues have it)
    /// and the values its text names; the others keep the engine's text. Every hint is listed.
    #[test]
    fn each_error_carries_what_the_page_needs_to_translate_it() {
        for error in one_of_each() {
            let report = error.report();
            match (&report.id, &error) {
                (Some(_), EngineError::Data { .. } | EngineError::InvalidInput { .. }) => {}
                (Some(id), _) => assert!(ERROR_IDS.contains(&id.as_str()), "{id}"),
                (None, _) => panic!("no id for {error:?}"),
            }
            assert_eq!(report.hint.is_some(), report.hint_id.is_some());
            if let Some(hint) = &report.hint_id {
                assert!(ERROR_IDS.contains(&hint.as_str()), "{hint}");
            }
        }
        let report = one_of_each()[5].report();
        assert_eq!(report.id.as_deref(), Some("load.shape_mismatch"));
        let params = report.params.unwrap();
        assert_eq!(params["found"], "[3, 2]");
        assert_eq!(params["name"], "w");
        let report = one_of_each()[6].report();
        assert_eq!(report.params.unwrap()["count"], 2);
        // A data problem: its own id, with the file and the line the page says before it.
        let data = one_of_each()
            .into_iter()
            .find(|e| e.kind() == "data")
            .unwrap()
            .report();
        assert_eq!(data.id.as_deref(), Some("data_error.empty"));
        let params = data.params.unwrap();
        assert_eq!(
            (&params["path"], &params["line"]),
            (&"/m".into(), &2.into())
        );
        // Every missing model file has its own entry.
        for what in [
            ModelFile::Config,
            ModelFile::Weights,
            ModelFile::SingleWeights,
            ModelFile::Tokenizer,
            ModelFile::TokenizerJson,
        ] {
            let missing = EngineError::from(LoadError::MissingFile {
                path: "/m".into(),
                what,
                reason: "r".into(),
            });
            let id = missing.report().id.unwrap();
            assert!(ERROR_IDS.contains(&id.as_str()), "{id}");
        }
        let io = EngineError::io("create the folder", std::path::Path::new("/f"), "denied");
        assert_eq!(io.report().id.as_deref(), Some("io.create_the_folder"));
    }
}
