//! Model names → local folders.
//!
//! A model is named by a folder on disk or by a Hugging Face Hub id
//! (`bert-base-multilingual-uncased`, `org/name`). Hub ids are fetched with `hf-hub` into the
//! standard Hugging Face cache, so a model downloaded by Python is reused and vice versa.
//! Honoured: `HF_HOME` (cache), `HF_ENDPOINT` (mirror), `HF_TOKEN` (private models),
//! `HF_HUB_OFFLINE=1` (never touch the network).

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use ts_rs::TS;

use hf_hub::api::Progress;
use hf_hub::api::sync::{ApiBuilder, ApiError};
use hf_hub::{Cache, Repo};
use serde::{Deserialize, Serialize};

use crate::error::{EngineError, Result};
use crate::model::LoadError;
use crate::progress::{PROGRESS_INTERVAL, Throttle};
use crate::said;

/// The default model of the reference notebook.
pub const DEFAULT_MODEL: &str = "bert-base-multilingual-uncased";

const WEIGHT_FILES: &[&str] = &["model.safetensors", "pytorch_model.bin"];

/// Where and how to reach the Hub.
#[derive(Clone, Default)]
pub struct HubSettings {
    pub endpoint: Option<String>,
    /// The Hugging Face home (`HF_HOME`); the cache is its `hub/` folder.
    pub home: Option<PathBuf>,
    /// Never printed, never written anywhere: only sent as a bearer token.
    pub token: Option<String>,
    pub offline: bool,
}

impl std::fmt::Debug for HubSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubSettings")
            .field("endpoint", &self.endpoint)
            .field("home", &self.home)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("offline", &self.offline)
            .finish()
    }
}

impl HubSettings {
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        HubSettings {
            endpoint: var("HF_ENDPOINT").map(|e| e.trim_end_matches('/').to_string()),
            home: var("HF_HOME").map(PathBuf::from),
            token: var("HF_TOKEN").or_else(|| var("HUGGING_FACE_HUB_TOKEN")),
            offline: var("HF_HUB_OFFLINE").is_some_and(|v| {
                matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
            }),
        }
    }

    fn cache(&self) -> Cache {
        match &self.home {
            Some(home) => Cache::new(home.join("hub")),
            None => Cache::from_env(),
        }
    }
}

/// Download progress, per file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum DownloadEvent {
    Started {
        file: String,
        #[ts(type = "number")]
        bytes_total: u64,
    },
    Progress {
        file: String,
        #[ts(type = "number")]
        bytes_done: u64,
        #[ts(type = "number")]
        bytes_total: u64,
    },
    Finished {
        file: String,
        #[ts(type = "number")]
        bytes_total: u64,
    },
}

/// True when `name` can only be meant as a path (it is never a Hub id).
fn looks_like_path(name: &str) -> bool {
    name.starts_with(['.', '/', '~', '\\'])
        || name.contains('\\')
        || name.matches('/').count() > 1
        || Path::new(name).is_absolute()
}

fn is_hub_id(name: &str) -> bool {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 96
            && !p.starts_with(['.', '-'])
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let parts: Vec<&str> = name.split('/').collect();
    parts.len() <= 2 && parts.iter().all(|p| part_ok(p))
}

/// Resolves a model name to a local folder, downloading a Hub model when needed.
pub fn resolve_model(
    name: &str,
    settings: &HubSettings,
    on_progress: &mut dyn FnMut(DownloadEvent),
) -> Result<PathBuf> {
    let path = Path::new(name);
    if path.exists() {
        if path.is_dir() {
            return Ok(path.to_path_buf());
        }
        return Err(LoadError::NotAFolder {
            path: name.to_string(),
        }
        .into());
    }
    if looks_like_path(name) || !is_hub_id(name) {
        return Err(EngineError::ModelNotFound {
            name: name.to_string(),
            reason: said!(
                "model.not_folder_nor_id",
                "there is no such folder, and it is not a valid Hugging Face Hub id either"
            ),
        });
    }
    if settings.offline {
        return cached_folder(name, settings).ok_or_else(|| EngineError::ModelNotFound {
            name: name.to_string(),
            reason: said!(
                "model.offline",
                "it is not in the local Hugging Face cache and offline mode (HF_HUB_OFFLINE) is on"
            ),
        });
    }
    download_model(name, settings, on_progress)
}

/// The cached snapshot folder of a Hub model, if config, weights and tokenizer are all there.
pub fn cached_folder(repo_id: &str, settings: &HubSettings) -> Option<PathBuf> {
    let repo = settings.cache().model(repo_id.to_string());
    let config = repo.get("config.json")?;
    let folder = config.parent()?.to_path_buf();
    let has_weights = WEIGHT_FILES.iter().any(|f| folder.join(f).is_file());
    let has_tokenizer = ["tokenizer.json", "vocab.txt"]
        .iter()
        .any(|f| folder.join(f).is_file());
    (has_weights && has_tokenizer).then_some(folder)
}

fn describe_api_error(err: &ApiError) -> (Option<u16>, String) {
    match err {
        ApiError::RequestError(e) => match e.as_ref() {
            ureq::Error::Status(code, _) => {
                (Some(*code), format!("the server answered HTTP {code}"))
            }
            ureq::Error::Transport(t) => (None, format!("the server could not be reached ({t})")),
        },
        ApiError::TooManyRetries(inner) => describe_api_error(inner),
        other => (None, other.to_string()),
    }
}

fn download_model(
    repo_id: &str,
    settings: &HubSettings,
    on_progress: &mut dyn FnMut(DownloadEvent),
) -> Result<PathBuf> {
    let mut builder = ApiBuilder::from_cache(settings.cache())
        .with_progress(false)
        .with_token(settings.token.clone());
    if let Some(endpoint) = &settings.endpoint {
        builder = builder.with_endpoint(endpoint.clone());
    }
    let download_error = |file: &str, reason: String| EngineError::Download {
        model: repo_id.to_string(),
        file: file.to_string(),
        reason,
    };
    let api = builder
        .build()
        .map_err(|e| download_error("(none)", e.to_string()))?;
    let repo = api.repo(Repo::model(repo_id.to_string()));

    let info = repo.info().map_err(|e| match describe_api_error(&e) {
        (Some(404), _) => EngineError::ModelNotFound {
            name: repo_id.to_string(),
            reason: said!(
                "model.not_on_hub",
                "the Hugging Face Hub has no model of that name"
            ),
        },
        (Some(401 | 403), _) => EngineError::ModelNotFound {
            name: repo_id.to_string(),
            reason: said!(
                "model.gated",
                "the model is private or gated: set HF_TOKEN to a token that may read it"
            ),
        },
        (_, reason) => download_error("model information", reason),
    })?;
    let available: Vec<&str> = info.siblings.iter().map(|s| s.rfilename.as_str()).collect();
    let Some(weights) = WEIGHT_FILES.iter().find(|f| available.contains(f)) else {
        return Err(EngineError::ModelNotFound {
            name: repo_id.to_string(),
            reason: said!(
                "model.no_weights",
                "it has no model.safetensors or pytorch_model.bin to load"
            ),
        });
    };
    let mut files = vec!["config.json", *weights];
    files.extend(
        crate::model::tokenizer::TOKENIZER_FILES
            .iter()
            .filter(|f| available.contains(f)),
    );

    let cache_repo = settings.cache().model(repo_id.to_string());
    let mut folder = None;
    for file in files {
        let path = match cache_repo.get(file) {
            Some(path) => path,
            None => {
                let progress = ProgressForwarder::new(file, on_progress);
                let announced_size = progress.announced_size.clone();
                let path = repo
                    .download_with_progress(file, progress)
                    .map_err(|e| download_error(file, describe_api_error(&e).1))?;
                check_complete(&path, announced_size.get())
                    .map_err(|reason| download_error(file, reason))?;
                path
            }
        };
        if file == "config.json" {
            // A model the engine cannot run is refused before its weights are downloaded.
            crate::model::ModelConfig::from_file(&path)?;
        }
        folder.get_or_insert_with(|| path.parent().map(Path::to_path_buf).unwrap_or_default());
    }
    Ok(folder.expect("config.json is always fetched"))
}

/// hf-hub accepts a body that ends early; a short file would then pass as a model.
fn check_complete(path: &Path, expected: Option<u64>) -> std::result::Result<(), String> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let found = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if found == expected {
        return Ok(());
    }
    // Remove the incomplete blob so the next attempt downloads it again.
    if let Ok(blob) = std::fs::canonicalize(path) {
        let _ = std::fs::remove_file(blob);
    }
    let _ = std::fs::remove_file(path);
    Err(format!(
        "the download stopped after {found} of {expected} bytes; try again"
    ))
}

/// Forwards hf-hub's byte counts as [`DownloadEvent`]s, a few per second at most.
struct ProgressForwarder<'a> {
    file: String,
    total: u64,
    done: u64,
    started: bool,
    throttle: Throttle,
    sink: &'a mut dyn FnMut(DownloadEvent),
    /// The size the server announced, read back after hf-hub consumed the forwarder.
    announced_size: Rc<Cell<Option<u64>>>,
}

impl<'a> ProgressForwarder<'a> {
    fn new(file: &str, sink: &'a mut dyn FnMut(DownloadEvent)) -> Self {
        ProgressForwarder {
            file: file.to_string(),
            total: 0,
            done: 0,
            started: false,
            throttle: Throttle::new(PROGRESS_INTERVAL),
            sink,
            announced_size: Default::default(),
        }
    }
}

impl Progress for ProgressForwarder<'_> {
    fn init(&mut self, size: usize, _filename: &str) {
        self.total = size as u64;
        self.done = 0;
        self.announced_size.set(Some(size as u64));
        if !self.started {
            (self.sink)(DownloadEvent::Started {
                file: self.file.clone(),
                bytes_total: self.total,
            });
            self.started = true;
            self.throttle.ready();
        }
    }

    fn update(&mut self, size: usize) {
        self.done += size as u64;
        if self.throttle.ready() {
            (self.sink)(DownloadEvent::Progress {
                file: self.file.clone(),
                bytes_done: self.done,
                bytes_total: self.total,
            });
        }
    }

    fn finish(&mut self) {
        (self.sink)(DownloadEvent::Finished {
            file: self.file.clone(),
            bytes_total: self.total,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified() {
        assert!(is_hub_id("bert-base-multilingual-uncased"));
        assert!(is_hub_id("sentence-transformers/all-MiniLM-L6-v2"));
        assert!(!is_hub_id("a/b/c"));
        assert!(!is_hub_id("has space"));
        assert!(looks_like_path("./models/x"));
        assert!(looks_like_path("/abs/x"));
        assert!(!looks_like_path("org/name"));
    }

    #[test]
    fn a_missing_folder_is_explained() {
        let err =
            resolve_model("./no/such/folder", &HubSettings::default(), &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("no such folder"), "{err}");
    }

    #[test]
    fn offline_mode_never_downloads() {
        let home = tempfile::tempdir().unwrap();
        let settings = HubSettings {
            home: Some(home.path().to_path_buf()),
            offline: true,
            endpoint: Some("http://127.0.0.1:9".into()),
            token: None,
        };
        let err = resolve_model("org/model", &settings, &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("offline"), "{err}");
    }

    #[test]
    fn the_token_is_never_printed() {
        let settings = HubSettings {
            token: Some("hf_secret_value".into()),
            ..Default::default()
        };
        assert!(!format!("{settings:?}").contains("hf_secret_value"));
    }
}
