//! The model configuration, read from and written to a Hugging Face `config.json`.
//!
//! Field names are the Hub's own keys, so the file maps one to one. Keys this engine does not
//! use (`_name_or_path`, `transformers_version`, `use_cache`, …) are kept verbatim in `extra`
//! and written back, so a folder that goes through the engine loses nothing.

use std::collections::BTreeMap;
use std::path::Path;

use burn::config::Config;
use serde_json::{Map, Value};

use crate::error::LoadError;

/// BERT hyper-parameters with the key names of Hugging Face's `BertConfig`.
#[derive(Config, Debug, PartialEq)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: String,
    pub hidden_dropout_prob: f64,
    pub attention_probs_dropout_prob: f64,
    pub max_position_embeddings: usize,
    pub type_vocab_size: usize,
    pub initializer_range: f64,
    pub layer_norm_eps: f64,
    pub pad_token_id: usize,
    pub position_embedding_type: String,
    pub classifier_dropout: Option<f64>,
    pub model_type: String,
    /// Class index → class name. Keys are written as strings ("0", "1", …) as the Hub does.
    pub id2label: Option<BTreeMap<usize, String>>,
    pub label2id: Option<BTreeMap<String, usize>>,
}

/// Values `transformers` uses when a key is absent from `config.json` (BertConfig's defaults).
/// Declared as data so the defaulting rule is visible in one place.
const HF_BERT_DEFAULTS: &[(&str, fn() -> Value)] = &[
    ("hidden_act", || Value::from("gelu")),
    ("hidden_dropout_prob", || Value::from(0.1)),
    ("attention_probs_dropout_prob", || Value::from(0.1)),
    ("max_position_embeddings", || Value::from(512)),
    ("type_vocab_size", || Value::from(2)),
    ("initializer_range", || Value::from(0.02)),
    ("layer_norm_eps", || Value::from(1e-12)),
    ("pad_token_id", || Value::from(0)),
    ("position_embedding_type", || Value::from("absolute")),
    ("model_type", || Value::from("bert")),
    ("intermediate_size", || Value::from(3072)),
];

/// Keys every BERT `config.json` must carry: without them the weights cannot be interpreted.
const REQUIRED_KEYS: &[&str] = &[
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
];

/// A model's full configuration: the typed BERT part plus every other key of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    pub bert: BertConfig,
    pub extra: Map<String, Value>,
}

impl ModelConfig {
    /// Parses the text of a `config.json`. `origin` names the file in error messages.
    pub fn from_json_str(text: &str, origin: &Path) -> Result<Self, LoadError> {
        let invalid = |reason: String| LoadError::InvalidConfig {
            path: origin.display().to_string(),
            reason,
        };
        let value: Value = serde_json::from_str(text)
            .map_err(|e| invalid(format!("it is not valid JSON ({e})")))?;
        let Value::Object(mut map) = value else {
            return Err(invalid("it must be a JSON object".into()));
        };

        let model_type = map
            .get("model_type")
            .and_then(Value::as_str)
            .unwrap_or("bert");
        if !SUPPORTED_MODEL_TYPES.contains(&model_type) {
            return Err(LoadError::UnsupportedArchitecture {
                model_type: model_type.to_string(),
            });
        }
        let missing: Vec<&str> = REQUIRED_KEYS
            .iter()
            .copied()
            .filter(|k| !map.contains_key(*k))
            .collect();
        if !missing.is_empty() {
            return Err(invalid(format!(
                "the key(s) {} are missing",
                missing.join(", ")
            )));
        }
        for (key, default) in HF_BERT_DEFAULTS {
            if map.get(*key).is_none_or(Value::is_null) {
                map.insert(key.to_string(), default());
            }
        }

        let bert: BertConfig = serde_json::from_value(Value::Object(map.clone()))
            .map_err(|e| invalid(format!("a value has the wrong type ({e})")))?;
        bert.validate().map_err(invalid)?;

        // The keys the typed part holds: they are written from it, not from `extra`.
        let typed_keys: Vec<String> = match serde_json::to_value(&bert) {
            Ok(Value::Object(typed)) => typed.keys().cloned().collect(),
            _ => unreachable!("a BertConfig serialises as an object"),
        };
        // num_labels is derived from id2label; transformers writes both.
        let num_labels = map.remove("num_labels").and_then(|v| v.as_u64());
        map.retain(|k, _| !typed_keys.contains(k));
        let mut config = ModelConfig { bert, extra: map };
        if config.bert.id2label.as_ref().is_none_or(|m| m.is_empty()) {
            // transformers' default when a config names no labels: LABEL_0, LABEL_1, …
            let n = num_labels.unwrap_or(2).max(1) as usize;
            let labels: Vec<String> = (0..n).map(|i| format!("LABEL_{i}")).collect();
            config.set_labels(&labels);
        }
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Self, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::MissingFile {
            path: path.display().to_string(),
            what: "config.json".into(),
            reason: e.to_string(),
        })?;
        Self::from_json_str(&text, path)
    }

    /// The labels in class-index order. A config without `id2label` got `LABEL_0`, `LABEL_1`, …
    /// when it was read, as `transformers` does.
    pub fn labels(&self) -> Vec<String> {
        self.bert
            .id2label
            .as_ref()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn num_labels(&self) -> usize {
        self.labels().len()
    }

    /// Replaces the label set (class index = position in `labels`).
    pub fn set_labels(&mut self, labels: &[String]) {
        self.bert.id2label = Some(labels.iter().cloned().enumerate().collect());
        self.bert.label2id = Some(
            labels
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, l)| (l, i))
                .collect(),
        );
    }

    /// The JSON written to `config.json` of a sequence-classification folder.
    pub fn to_json_value(&self) -> Value {
        let cfg = self;
        let mut map = cfg.extra.clone();
        let Value::Object(typed) = serde_json::to_value(&cfg.bert).expect("config serialises")
        else {
            unreachable!("a struct serialises to an object")
        };
        for (k, v) in typed {
            if !v.is_null() {
                map.insert(k, v);
            }
        }
        map.insert("num_labels".into(), Value::from(cfg.num_labels()));
        map.insert(
            "architectures".into(),
            Value::from(vec!["BertForSequenceClassification"]),
        );
        Value::Object(map)
    }

    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(&self.to_json_value()).expect("JSON value serialises")
    }
}

impl BertConfig {
    /// Checks the relations `transformers` also relies on, in plain words.
    pub fn validate(&self) -> Result<(), String> {
        if self.hidden_size == 0 || self.num_attention_heads == 0 || self.num_hidden_layers == 0 {
            return Err(
                "hidden_size, num_attention_heads and num_hidden_layers must be positive".into(),
            );
        }
        if self.hidden_size % self.num_attention_heads != 0 {
            return Err(format!(
                "hidden_size ({}) must be a multiple of num_attention_heads ({})",
                self.hidden_size, self.num_attention_heads
            ));
        }
        if !SUPPORTED_ACTIVATIONS.contains(&self.hidden_act.as_str()) {
            return Err(format!(
                "the activation \"{}\" is not supported (supported: {})",
                self.hidden_act,
                SUPPORTED_ACTIVATIONS.join(", ")
            ));
        }
        if self.position_embedding_type != "absolute" {
            return Err(format!(
                "position_embedding_type \"{}\" is not supported (only \"absolute\")",
                self.position_embedding_type
            ));
        }
        if let (Some(id2label), Some(label2id)) = (&self.id2label, &self.label2id) {
            if id2label.len() != label2id.len()
                || id2label.iter().any(|(i, l)| label2id.get(l) != Some(i))
            {
                return Err("id2label and label2id do not describe the same labels".into());
            }
        }
        if let Some(id2label) = &self.id2label {
            if id2label.keys().enumerate().any(|(pos, id)| pos != *id) {
                return Err("id2label must number the classes 0, 1, 2, … without gaps".into());
            }
        }
        Ok(())
    }

    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }
}

pub const SUPPORTED_MODEL_TYPES: &[&str] = &["bert"];
pub const SUPPORTED_ACTIVATIONS: &[&str] = &["gelu", "relu", "gelu_new", "gelu_pytorch_tanh"];

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ModelConfig, LoadError> {
        ModelConfig::from_json_str(text, Path::new("config.json"))
    }

    #[test]
    fn unknown_keys_survive_a_round_trip() {
        let cfg = parse(
            r#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                "intermediate_size": 16, "_name_or_path": "x/y", "use_cache": true,
                "id2label": {"0": "a", "1": "b", "10": "c"}}"#,
        );
        // ids must be contiguous
        assert!(cfg.is_err());
        let cfg = parse(
            r#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                "intermediate_size": 16, "_name_or_path": "x/y", "use_cache": true,
                "id2label": {"0": "a", "1": "b"}, "label2id": {"a": 0, "b": 1}}"#,
        )
        .unwrap();
        assert_eq!(cfg.extra["_name_or_path"], "x/y");
        assert_eq!(cfg.bert.layer_norm_eps, 1e-12);
        let out = cfg.to_json_value();
        assert_eq!(out["use_cache"], true);
        assert_eq!(out["id2label"]["1"], "b");
        assert_eq!(out["num_labels"], 2);
        let again = parse(&cfg.to_json_string()).unwrap();
        assert_eq!(again.bert, cfg.bert);
    }

    #[test]
    fn labels_default_to_two_hf_names() {
        let cfg = parse(r#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2}"#)
            .unwrap();
        assert_eq!(cfg.labels(), vec!["LABEL_0", "LABEL_1"]);
    }

    #[test]
    fn bad_configs_are_explained() {
        let err = parse("{").unwrap_err().to_string();
        assert!(err.contains("not valid JSON"), "{err}");
        let err = parse(r#"{"model_type": "gpt2"}"#).unwrap_err().to_string();
        assert!(err.contains("gpt2"), "{err}");
        let err = parse(r#"{"vocab_size": 10}"#).unwrap_err().to_string();
        assert!(err.contains("hidden_size"), "{err}");
        let err = parse(r#"{"vocab_size": 10, "hidden_size": 9, "num_hidden_layers": 1, "num_attention_heads": 2}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("multiple"), "{err}");
    }
}
