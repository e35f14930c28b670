//! The model configuration, read from and written to a Hugging Face `config.json`.
//!
//! The typed part holds EncoderConfig's keys, which every supported architecture shares under
//! these or its own names (`architecture.rs` maps DistilBERT's `dim`, `n_layers`, …). Keys this
//! engine does not use (`_name_or_path`, `transformers_version`, `use_cache`, …) are kept
//! verbatim in `extra` and written back, so a folder that goes through the engine loses nothing.

use std::collections::BTreeMap;
use std::path::Path;

use burn::config::Config;
use serde_json::{Map, Value};

use super::architecture::Architecture;
use crate::error::LoadError;

/// Encoder hyper-parameters with the key names of Hugging Face's `EncoderConfig`.
#[derive(Config, Debug, PartialEq)]
pub struct EncoderConfig {
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
    /// ELECTRA's embedding width, projected to `hidden_size` when they differ.
    pub embedding_size: Option<usize>,
    /// Class index → class name. Keys are written as strings ("0", "1", …) as the Hub does.
    pub id2label: Option<BTreeMap<usize, String>>,
    pub label2id: Option<BTreeMap<String, usize>>,
}

/// Keys every `config.json` must carry (canonical names): without them the weights cannot be
/// interpreted.
const REQUIRED_KEYS: &[&str] = &[
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
];

/// transformers' key for the loss a classifier trains with, and its multi-label value.
const PROBLEM_TYPE: &str = "problem_type";
const MULTI_LABEL: &str = "multi_label_classification";
/// Where a multi-label model keeps its decision threshold (transformers keeps unknown keys).
const DECISION_THRESHOLD: &str = "decision_threshold";

/// A model's full configuration: its architecture, the typed encoder part, every other key.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    pub architecture: Architecture,
    pub encoder: EncoderConfig,
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

        // Old BERT checkpoints predate `model_type`; any other model names itself.
        let model_type = match map.remove("model_type") {
            None | Some(Value::Null) => "bert".to_string(),
            Some(Value::String(s)) => s,
            Some(other) => return Err(invalid(format!("model_type {other} is not a name"))),
        };
        let architecture = Architecture::from_model_type(&model_type)
            .ok_or(LoadError::UnsupportedArchitecture { model_type })?;

        // Keys the architecture's code ignores stay as they are, out of the typed part.
        let mut set_aside = Map::new();
        for key in architecture.unread_keys() {
            if let Some(value) = map.remove(*key) {
                set_aside.insert(key.to_string(), value);
            }
        }
        for (file_key, canonical) in architecture.key_aliases() {
            if let Some(value) = map.remove(*file_key) {
                map.insert(canonical.to_string(), value);
            }
        }
        let missing: Vec<&str> = REQUIRED_KEYS
            .iter()
            .filter(|k| !map.contains_key(**k))
            .map(|k| architecture.file_key(k))
            .collect();
        if !missing.is_empty() {
            return Err(invalid(format!(
                "the key(s) {} are missing",
                missing.join(", ")
            )));
        }
        for (key, default) in architecture.defaults() {
            // The architecture's own default comes first and stands.
            if map.get(*key).is_none_or(Value::is_null) {
                map.insert(key.to_string(), default());
            }
        }

        let encoder: EncoderConfig = serde_json::from_value(Value::Object(map.clone()))
            .map_err(|e| invalid(format!("a value has the wrong type ({e})")))?;
        encoder.validate().map_err(invalid)?;
        // DistilBERT's fixed sine positions: not in the engine (no released checkpoint uses them).
        if map.get("sinusoidal_pos_embds").and_then(Value::as_bool) == Some(true) {
            return Err(invalid(
                "sinusoidal_pos_embds is true: fixed sinusoidal positions are not supported".into(),
            ));
        }

        // The keys the typed part holds: they are written from it, not from `extra`.
        let typed_keys: Vec<String> = match serde_json::to_value(&encoder) {
            Ok(Value::Object(typed)) => typed.keys().cloned().collect(),
            _ => unreachable!("an EncoderConfig serialises as an object"),
        };
        // num_labels is derived from id2label; transformers writes both.
        let num_labels = map.remove("num_labels").and_then(|v| v.as_u64());
        map.retain(|k, _| !typed_keys.contains(k));
        map.extend(set_aside);
        let mut config = ModelConfig {
            architecture,
            encoder,
            extra: map,
        };
        if config
            .encoder
            .id2label
            .as_ref()
            .is_none_or(|m| m.is_empty())
        {
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
            what: crate::error::ModelFile::Config,
            reason: e.to_string(),
        })?;
        Self::from_json_str(&text, path)
    }

    /// The labels in class-index order. A config without `id2label` got `LABEL_0`, `LABEL_1`, …
    /// when it was read, as `transformers` does.
    pub fn labels(&self) -> Vec<String> {
        self.encoder
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
        self.encoder.id2label = Some(labels.iter().cloned().enumerate().collect());
        self.encoder.label2id = Some(
            labels
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, l)| (l, i))
                .collect(),
        );
    }

    /// Whether the model scores each label on its own (sigmoid), as transformers'
    /// `problem_type: "multi_label_classification"`, rather than one class per text (softmax).
    pub fn is_multi_label(&self) -> bool {
        self.extra.get(PROBLEM_TYPE).and_then(Value::as_str) == Some(MULTI_LABEL)
    }

    /// A multi-label model's decision threshold (0.5 when the folder gives none); `None` for
    /// a single-label model.
    pub fn decision_threshold(&self) -> Option<f64> {
        self.is_multi_label().then(|| {
            self.extra
                .get(DECISION_THRESHOLD)
                .and_then(Value::as_f64)
                .unwrap_or(0.5)
        })
    }

    /// Makes the model multi-label with this threshold (`Some`), or single-label (`None`: the
    /// problem type is removed, so transformers infers single-label from integer labels).
    pub fn set_multi_label(&mut self, threshold: Option<f64>) {
        match threshold {
            Some(threshold) => {
                self.extra
                    .insert(PROBLEM_TYPE.into(), Value::from(MULTI_LABEL));
                self.extra
                    .insert(DECISION_THRESHOLD.into(), Value::from(threshold));
            }
            None => {
                self.extra.remove(PROBLEM_TYPE);
                self.extra.remove(DECISION_THRESHOLD);
            }
        }
    }

    /// The longest text, in tokens, the position embeddings cover (RoBERTa's first position is
    /// `pad_token_id + 1`, so 514 positions hold 512 tokens).
    pub fn max_sequence_length(&self) -> usize {
        let first = self.architecture.first_position(self.encoder.pad_token_id);
        self.encoder.max_position_embeddings.saturating_sub(first)
    }

    /// The JSON written to `config.json` of a sequence-classification folder.
    pub fn to_json_value(&self) -> Value {
        let arch = self.architecture;
        let mut map = self.extra.clone();
        let Value::Object(typed) = serde_json::to_value(&self.encoder).expect("config serialises")
        else {
            unreachable!("a struct serialises to an object")
        };
        for (k, v) in typed {
            if !v.is_null() && !arch.unread_keys().contains(&k.as_str()) {
                map.insert(arch.file_key(&k).to_string(), v);
            }
        }
        map.insert("model_type".into(), Value::from(arch.model_type()));
        map.insert("num_labels".into(), Value::from(self.num_labels()));
        map.insert(
            "architectures".into(),
            Value::from(vec![arch.classifier_class()]),
        );
        Value::Object(map)
    }

    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(&self.to_json_value()).expect("JSON value serialises")
    }
}

impl EncoderConfig {
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
        if self.embedding_size == Some(0) {
            return Err("embedding_size must be positive".into());
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

    /// The width of the embeddings (ELECTRA's `embedding_size`, else `hidden_size`).
    pub fn embedding_width(&self) -> usize {
        self.embedding_size.unwrap_or(self.hidden_size)
    }
}

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
        assert_eq!(cfg.encoder.layer_norm_eps, 1e-12);
        let out = cfg.to_json_value();
        assert_eq!(out["use_cache"], true);
        assert_eq!(out["id2label"]["1"], "b");
        assert_eq!(out["num_labels"], 2);
        let again = parse(&cfg.to_json_string()).unwrap();
        assert_eq!(again.encoder, cfg.encoder);
    }

    #[test]
    fn labels_default_to_two_hf_names() {
        let cfg = parse(r#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2}"#)
            .unwrap();
        assert_eq!(cfg.labels(), vec!["LABEL_0", "LABEL_1"]);
    }

    #[test]
    fn distilbert_keys_are_read_and_written_under_its_own_names() {
        let cfg = parse(
            r#"{"model_type": "distilbert", "vocab_size": 10, "dim": 8, "n_layers": 1, "n_heads": 2,
                "hidden_dim": 16, "activation": "gelu", "dropout": 0.1, "attention_dropout": 0.2,
                "seq_classif_dropout": 0.3, "sinusoidal_pos_embds": false, "qa_dropout": 0.1}"#,
        )
        .unwrap();
        assert_eq!(cfg.architecture, Architecture::DistilBert);
        let e = &cfg.encoder;
        assert_eq!(
            (e.hidden_size, e.intermediate_size, e.num_hidden_layers),
            (8, 16, 1)
        );
        assert_eq!(e.attention_probs_dropout_prob, 0.2);
        assert_eq!(e.classifier_dropout, Some(0.3));
        // Fixed in DistilBERT's code, whatever a file says.
        assert_eq!(e.layer_norm_eps, 1e-12);
        let out = cfg.to_json_value();
        for key in [
            "dim",
            "hidden_dim",
            "n_layers",
            "n_heads",
            "seq_classif_dropout",
            "qa_dropout",
        ] {
            assert!(out.get(key).is_some(), "{key} missing from {out}");
        }
        for key in [
            "hidden_size",
            "num_hidden_layers",
            "type_vocab_size",
            "layer_norm_eps",
        ] {
            assert!(out.get(key).is_none(), "{key} written to {out}");
        }
        assert_eq!(
            out["architectures"][0],
            "DistilBertForSequenceClassification"
        );
        let again = parse(&cfg.to_json_string()).unwrap();
        assert_eq!(
            (again.architecture, &again.encoder),
            (cfg.architecture, &cfg.encoder)
        );
    }

    #[test]
    fn roberta_positions_start_after_the_padding_id() {
        let cfg = parse(
            r#"{"model_type": "xlm-roberta", "vocab_size": 10, "hidden_size": 8,
                "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 514,
                "type_vocab_size": 1}"#,
        )
        .unwrap();
        assert_eq!(cfg.encoder.pad_token_id, 1, "RobertaConfig's default");
        assert_eq!(cfg.max_sequence_length(), 512);
        assert_eq!(cfg.to_json_value()["model_type"], "xlm-roberta");
        // BERT ignores an ELECTRA key and keeps it for the file.
        let bert = parse(
            r#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1,
                "num_attention_heads": 2, "embedding_size": 4}"#,
        )
        .unwrap();
        assert_eq!(bert.encoder.embedding_width(), 8);
        assert_eq!(bert.to_json_value()["embedding_size"], 4);
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
