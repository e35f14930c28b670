//! The base models the app suggests, with what a user needs to choose one: what it is for,
//! how big it is, and whether it is already on this computer.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::error::EngineError;
use crate::message::Message;
use crate::model::{Architecture, EncoderWork, ModelConfig};
use crate::said;
use crate::source::{DEFAULT_MODEL, HubSettings, cached_folder};

/// A suggested base model (each of an architecture the engine loads).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SuggestedModel {
    /// Hugging Face Hub id.
    pub id: String,
    /// The architecture, as people call it ("BERT", "CamemBERT", …).
    pub architecture: String,
    /// One line: languages and what it is good for.
    pub summary: Message,
    /// Parameters, in millions.
    pub parameters_millions: u32,
    /// Size of the download (weights, config and tokenizer), in megabytes.
    pub download_mb: u32,
    pub recommended: bool,
    /// Its encoder's shape, for the time a run would take with it.
    #[serde(skip)]
    #[ts(skip)]
    pub work: EncoderWork,
}

/// BERT-base's shape (12 layers, hidden 768), shared by most suggestions.
const BASE: EncoderWork = EncoderWork {
    layers: 12,
    hidden: 768,
    intermediate: 3072,
};

fn suggestion(
    id: &str,
    architecture: Architecture,
    summary: Message,
    parameters_millions: u32,
    download_mb: u32,
    work: EncoderWork,
) -> SuggestedModel {
    SuggestedModel {
        id: id.into(),
        architecture: architecture.display_name().into(),
        summary,
        parameters_millions,
        download_mb,
        recommended: id == DEFAULT_MODEL,
        work,
    }
}

/// The short list shown in the model step; the reference notebook's model comes first.
pub fn suggested_models() -> Vec<SuggestedModel> {
    vec![
        suggestion(
            DEFAULT_MODEL,
            Architecture::Bert,
            said!(
                "model.mbert_uncased",
                "104 languages, lower-cased; the reference notebook's choice for French texts."
            ),
            167,
            672,
            BASE,
        ),
        suggestion(
            "almanach/camembert-base",
            Architecture::Camembert,
            said!(
                "model.camembert",
                "French only, trained on French web text; often the most accurate for French."
            ),
            110,
            448,
            BASE,
        ),
        suggestion(
            "xlm-roberta-base",
            Architecture::XlmRoberta,
            said!(
                "model.xlm_roberta",
                "100 languages, keeps case; strong across languages, large vocabulary (slower to \
                 load)."
            ),
            278,
            1134,
            BASE,
        ),
        suggestion(
            "distilbert-base-multilingual-cased",
            Architecture::DistilBert,
            said!(
                "model.distilbert",
                "104 languages, keeps case; 6 layers instead of 12: about twice as fast to train."
            ),
            135,
            543,
            EncoderWork { layers: 6, ..BASE },
        ),
        suggestion(
            "bert-base-multilingual-cased",
            Architecture::Bert,
            said!(
                "model.mbert_cased",
                "104 languages, keeps upper case (useful when capitals carry meaning)."
            ),
            178,
            714,
            BASE,
        ),
        suggestion(
            "dbmdz/bert-base-french-europeana-cased",
            Architecture::Bert,
            said!(
                "model.europeana",
                "French only, trained on historic newspapers; smaller vocabulary, French-aware."
            ),
            110,
            445,
            BASE,
        ),
        suggestion(
            "bert-base-uncased",
            Architecture::Bert,
            said!(
                "model.bert_uncased",
                "English only, lower-cased; the original BERT."
            ),
            110,
            440,
            BASE,
        ),
        suggestion(
            "sentence-transformers/all-MiniLM-L6-v2",
            Architecture::Bert,
            said!(
                "model.minilm",
                "English, 6 small layers: 5× faster to train, for quick trials and slow computers."
            ),
            23,
            91,
            EncoderWork {
                layers: 6,
                hidden: 384,
                intermediate: 1536,
            },
        ),
    ]
}

/// Whether a model is ready to use without a download.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ModelAvailability {
    pub name: String,
    /// A folder on this computer (given as a path, or a Hub model already in the cache).
    pub local_folder: Option<String>,
    /// What the user should know: "downloaded", "not downloaded yet", "no such folder"…
    pub status: Message,
}

impl ModelAvailability {
    /// A Hub model that is not in the local cache yet (downloaded when a run starts).
    pub fn not_downloaded(&self) -> bool {
        self.status.id == NOT_DOWNLOADED
    }
}

const NOT_DOWNLOADED: &str = "model.not_downloaded";

/// Looks a model name up on disk only (never on the network).
pub fn model_availability(name: &str, hub: &HubSettings) -> ModelAvailability {
    let path = Path::new(name);
    let (local_folder, status) = if path.is_dir() {
        let config = path.join("config.json");
        if !config.is_file() {
            (
                None,
                said!(
                    "model.no_config",
                    "this folder has no config.json, so it is not a model folder"
                ),
            )
        } else if let Err(e) = ModelConfig::from_file(&config) {
            // An architecture the engine cannot run is said now, not after the user set
            // everything else up.
            (None, EngineError::from(e).said())
        } else {
            (
                Some(path.display().to_string()),
                said!("model.local_folder", "a model folder on this computer"),
            )
        }
    } else if path.is_absolute() || name.starts_with(['.', '~']) {
        (
            None,
            said!("model.no_such_folder", "there is no such folder"),
        )
    } else {
        match cached_folder(name, hub) {
            Some(folder) => (
                Some(folder.display().to_string()),
                said!("model.downloaded", "downloaded"),
            ),
            None => (None, said!("model.not_downloaded", "not downloaded yet")),
        }
    };
    ModelAvailability {
        name: name.into(),
        local_folder,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notebooks_model_is_recommended_and_first() {
        let list = suggested_models();
        assert_eq!(list[0].id, DEFAULT_MODEL);
        assert_eq!(list.iter().filter(|m| m.recommended).count(), 1);
    }

    #[test]
    fn availability_is_read_from_disk() {
        let home = tempfile::tempdir().unwrap();
        let hub = HubSettings {
            home: Some(home.path().into()),
            offline: true,
            ..HubSettings::default()
        };
        let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-bert");
        let local = model_availability(fixture, &hub);
        assert_eq!(local.local_folder.as_deref(), Some(fixture));
        assert!(
            model_availability(DEFAULT_MODEL, &hub)
                .local_folder
                .is_none()
        );
        assert_eq!(
            model_availability("/no/such/folder", &hub).status.text,
            "there is no such folder"
        );
        let not_a_model = model_availability(home.path().to_str().unwrap(), &hub);
        assert!(not_a_model.status.text.contains("no config.json"));
        // Another kind of model is refused at once, with the kinds that work.
        let deberta = home.path().join("deberta");
        std::fs::create_dir_all(&deberta).unwrap();
        std::fs::write(
            deberta.join("config.json"),
            r#"{"model_type": "deberta-v2", "vocab_size": 10, "hidden_size": 8}"#,
        )
        .unwrap();
        let refused = model_availability(deberta.to_str().unwrap(), &hub);
        assert_eq!(refused.local_folder, None);
        assert!(
            refused.status.id == "load.unsupported_architecture"
                && refused.status.text.contains("deberta-v2")
                && refused.status.text.contains("camembert"),
            "{}",
            refused.status
        );
    }
}
