//! The BERT family as data: what each `model_type` calls its config keys and tensors, and how
//! its embeddings and classification head differ. The model code is one encoder
//! (`encoder.rs`) that reads these tables; nothing else branches on the architecture.

use serde_json::Value;

/// A supported `model_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    Bert,
    Roberta,
    Camembert,
    XlmRoberta,
    DistilBert,
    Electra,
}

/// The function the classification head applies between its two linear layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadActivation {
    Tanh,
    Gelu,
    Relu,
}

/// Where the head's hidden layer and its dropouts sit, as `transformers` builds each head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadShape {
    pub activation: HeadActivation,
    /// RoBERTa's and ELECTRA's heads also drop out the first token's state before `dense`.
    pub dropout_before_dense: bool,
}

/// Tensor names in a Hugging Face checkpoint, relative to the parts they belong to.
#[derive(Debug)]
pub struct WeightNames {
    /// The base model's attribute in `…ForSequenceClassification` (`bert`, `roberta`, …).
    pub prefix: &'static str,
    pub word_embeddings: &'static str,
    pub position_embeddings: &'static str,
    /// `None`: the architecture has no token types (DistilBERT).
    pub token_type_embeddings: Option<&'static str>,
    pub embeddings_norm: &'static str,
    /// ELECTRA's projection from `embedding_size` to `hidden_size`, beside `embeddings`.
    pub embeddings_project: Option<&'static str>,
    /// The list of layers; layer `i` is `{prefix}.{layers}.{i}`.
    pub layers: &'static str,
    pub query: &'static str,
    pub key: &'static str,
    pub value: &'static str,
    pub attention_output: &'static str,
    pub attention_norm: &'static str,
    pub intermediate: &'static str,
    pub output: &'static str,
    pub output_norm: &'static str,
    /// The head's hidden layer (BERT: the pooler, under the base model).
    pub head_dense: &'static str,
    /// The head's output layer, sized by the labels.
    pub head_out: &'static str,
}

const BERT_LAYER: (&str, &str, &str, &str, &str, &str, &str, &str) = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "attention.output.LayerNorm",
    "intermediate.dense",
    "output.dense",
    "output.LayerNorm",
);

const fn bert_like(
    prefix: &'static str,
    embeddings_project: Option<&'static str>,
    head_dense: &'static str,
    head_out: &'static str,
) -> WeightNames {
    let (query, key, value, attention_output, attention_norm, intermediate, output, output_norm) =
        BERT_LAYER;
    WeightNames {
        prefix,
        word_embeddings: "embeddings.word_embeddings",
        position_embeddings: "embeddings.position_embeddings",
        token_type_embeddings: Some("embeddings.token_type_embeddings"),
        embeddings_norm: "embeddings.LayerNorm",
        embeddings_project,
        layers: "encoder.layer",
        query,
        key,
        value,
        attention_output,
        attention_norm,
        intermediate,
        output,
        output_norm,
        head_dense,
        head_out,
    }
}

const BERT_NAMES: WeightNames = bert_like("bert", None, "bert.pooler.dense", "classifier");
const ROBERTA_NAMES: WeightNames =
    bert_like("roberta", None, "classifier.dense", "classifier.out_proj");
const ELECTRA_NAMES: WeightNames = bert_like(
    "electra",
    Some("embeddings_project"),
    "classifier.dense",
    "classifier.out_proj",
);
const DISTILBERT_NAMES: WeightNames = WeightNames {
    prefix: "distilbert",
    word_embeddings: "embeddings.word_embeddings",
    position_embeddings: "embeddings.position_embeddings",
    token_type_embeddings: None,
    embeddings_norm: "embeddings.LayerNorm",
    embeddings_project: None,
    layers: "transformer.layer",
    query: "attention.q_lin",
    key: "attention.k_lin",
    value: "attention.v_lin",
    attention_output: "attention.out_lin",
    attention_norm: "sa_layer_norm",
    intermediate: "ffn.lin1",
    output: "ffn.lin2",
    output_norm: "output_layer_norm",
    head_dense: "pre_classifier",
    head_out: "classifier",
};

type KeyDefault = (&'static str, fn() -> Value);

/// BertConfig's defaults, for keys absent from `config.json`.
const BERT_DEFAULTS: &[KeyDefault] = &[
    ("hidden_act", || Value::from("gelu")),
    ("hidden_dropout_prob", || Value::from(0.1)),
    ("attention_probs_dropout_prob", || Value::from(0.1)),
    ("max_position_embeddings", || Value::from(512)),
    ("type_vocab_size", || Value::from(2)),
    ("initializer_range", || Value::from(0.02)),
    ("layer_norm_eps", || Value::from(1e-12)),
    ("pad_token_id", || Value::from(0)),
    ("position_embedding_type", || Value::from("absolute")),
    ("intermediate_size", || Value::from(3072)),
];

/// Where RobertaConfig (CamembertConfig, XLMRobertaConfig) differs from BertConfig.
const ROBERTA_DEFAULTS: &[KeyDefault] = &[("pad_token_id", || Value::from(1))];

/// Where ElectraConfig differs.
const ELECTRA_DEFAULTS: &[KeyDefault] = &[
    ("embedding_size", || Value::from(128)),
    ("intermediate_size", || Value::from(1024)),
];

/// Where DistilBertConfig differs, under the canonical names (its LayerNorm ε is BERT's, fixed
/// in its code; it has no token types).
const DISTILBERT_DEFAULTS: &[KeyDefault] = &[
    ("classifier_dropout", || Value::from(0.2)),
    ("type_vocab_size", || Value::from(0)),
];

/// DistilBERT's own key → the canonical (BertConfig) key the engine reads.
const DISTILBERT_KEYS: &[(&str, &str)] = &[
    ("dim", "hidden_size"),
    ("hidden_dim", "intermediate_size"),
    ("n_layers", "num_hidden_layers"),
    ("n_heads", "num_attention_heads"),
    ("activation", "hidden_act"),
    ("dropout", "hidden_dropout_prob"),
    ("attention_dropout", "attention_probs_dropout_prob"),
    ("seq_classif_dropout", "classifier_dropout"),
];

/// Canonical keys DistilBERT's code does not read (their values are fixed by the defaults): a
/// value in its file is kept as it is, and the engine's own is not written.
const DISTILBERT_UNREAD: &[&str] = &[
    "type_vocab_size",
    "layer_norm_eps",
    "position_embedding_type",
    "embedding_size",
];

impl Architecture {
    pub const ALL: [Architecture; 6] = [
        Architecture::Bert,
        Architecture::Roberta,
        Architecture::Camembert,
        Architecture::XlmRoberta,
        Architecture::DistilBert,
        Architecture::Electra,
    ];

    pub fn from_model_type(model_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.model_type() == model_type)
    }

    /// The `model_type` of `config.json`.
    pub fn model_type(self) -> &'static str {
        match self {
            Architecture::Bert => "bert",
            Architecture::Roberta => "roberta",
            Architecture::Camembert => "camembert",
            Architecture::XlmRoberta => "xlm-roberta",
            Architecture::DistilBert => "distilbert",
            Architecture::Electra => "electra",
        }
    }

    /// The `transformers` class a saved folder names in `architectures`.
    pub fn classifier_class(self) -> &'static str {
        match self {
            Architecture::Bert => "BertForSequenceClassification",
            Architecture::Roberta => "RobertaForSequenceClassification",
            Architecture::Camembert => "CamembertForSequenceClassification",
            Architecture::XlmRoberta => "XLMRobertaForSequenceClassification",
            Architecture::DistilBert => "DistilBertForSequenceClassification",
            Architecture::Electra => "ElectraForSequenceClassification",
        }
    }

    /// A name for people (`inspect`, the app).
    pub fn display_name(self) -> &'static str {
        match self {
            Architecture::Bert => "BERT",
            Architecture::Roberta => "RoBERTa",
            Architecture::Camembert => "CamemBERT",
            Architecture::XlmRoberta => "XLM-RoBERTa",
            Architecture::DistilBert => "DistilBERT",
            Architecture::Electra => "ELECTRA",
        }
    }

    fn is_roberta_family(self) -> bool {
        matches!(
            self,
            Architecture::Roberta | Architecture::Camembert | Architecture::XlmRoberta
        )
    }

    pub fn weight_names(self) -> &'static WeightNames {
        match self {
            Architecture::Bert => &BERT_NAMES,
            Architecture::Roberta | Architecture::Camembert | Architecture::XlmRoberta => {
                &ROBERTA_NAMES
            }
            Architecture::DistilBert => &DISTILBERT_NAMES,
            Architecture::Electra => &ELECTRA_NAMES,
        }
    }

    pub fn head(self) -> HeadShape {
        match self {
            Architecture::Bert => HeadShape {
                activation: HeadActivation::Tanh,
                dropout_before_dense: false,
            },
            Architecture::Roberta | Architecture::Camembert | Architecture::XlmRoberta => {
                HeadShape {
                    activation: HeadActivation::Tanh,
                    dropout_before_dense: true,
                }
            }
            Architecture::Electra => HeadShape {
                activation: HeadActivation::Gelu,
                dropout_before_dense: true,
            },
            Architecture::DistilBert => HeadShape {
                activation: HeadActivation::Relu,
                dropout_before_dense: false,
            },
        }
    }

    /// DistilBERT drops out nothing after its attention projection; BERT and the others do.
    pub fn attention_output_dropout(self) -> bool {
        self != Architecture::DistilBert
    }

    /// The first token's position id: RoBERTa counts from `padding_idx + 1` (fairseq's
    /// convention), the others from 0.
    pub fn first_position(self, pad_token_id: usize) -> usize {
        if self.is_roberta_family() {
            pad_token_id + 1
        } else {
            0
        }
    }

    /// The value of each key absent from `config.json`, as this architecture's config class
    /// sets it: its own defaults first, then BertConfig's.
    pub(super) fn defaults(self) -> impl Iterator<Item = &'static KeyDefault> {
        let own = match self {
            Architecture::Bert => &[],
            Architecture::Roberta | Architecture::Camembert | Architecture::XlmRoberta => {
                ROBERTA_DEFAULTS
            }
            Architecture::DistilBert => DISTILBERT_DEFAULTS,
            Architecture::Electra => ELECTRA_DEFAULTS,
        };
        own.iter().chain(BERT_DEFAULTS)
    }

    /// (key in this architecture's `config.json`, canonical key) where the two differ.
    pub(super) fn key_aliases(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Architecture::DistilBert => DISTILBERT_KEYS,
            _ => &[],
        }
    }

    /// The key this architecture's `config.json` uses for a canonical key.
    pub(super) fn file_key(self, canonical: &str) -> &str {
        self.key_aliases()
            .iter()
            .find(|(_, c)| *c == canonical)
            .map_or(canonical, |(file, _)| file)
    }

    /// Canonical keys this architecture's code does not read: they keep their default, and a
    /// value found in the file is carried through untouched (BERT ignores an `embedding_size`).
    pub(super) fn unread_keys(self) -> &'static [&'static str] {
        match self {
            Architecture::DistilBert => DISTILBERT_UNREAD,
            Architecture::Electra => &[],
            _ => &["embedding_size"],
        }
    }

    /// The `model_type`s the engine loads, for messages.
    pub fn supported_list() -> String {
        Self::ALL.map(Architecture::model_type).join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_type_names_itself_back() {
        for arch in Architecture::ALL {
            assert_eq!(Architecture::from_model_type(arch.model_type()), Some(arch));
        }
        assert_eq!(Architecture::from_model_type("deberta-v2"), None);
    }

    #[test]
    fn distilbert_keys_map_both_ways() {
        let arch = Architecture::DistilBert;
        assert_eq!(arch.file_key("hidden_size"), "dim");
        assert_eq!(arch.file_key("classifier_dropout"), "seq_classif_dropout");
        assert_eq!(arch.file_key("vocab_size"), "vocab_size");
        assert_eq!(Architecture::Bert.file_key("hidden_size"), "hidden_size");
    }
}
