//! `BertForSequenceClassification` in burn, generic over the backend.
//!
//! The computation follows Hugging Face's `modeling_bert.py` step by step (post-LayerNorm
//! encoder, exact GELU, tanh pooler on [CLS]) so that the same weights give the same logits.

use burn::module::{Module, Param};
use burn::nn::{
    Dropout, DropoutConfig, Embedding, EmbeddingConfig, Initializer, LayerNorm, LayerNormConfig,
    Linear, LinearConfig,
};
use burn::tensor::activation::{gelu, relu, softmax, tanh};
use burn::tensor::backend::Backend;
use burn::tensor::{Bool, Int, Tensor};

use super::config::ModelConfig;

/// Added to the attention scores of padding positions so that softmax gives them no weight.
/// Finite (unlike -inf) and representable in half precision.
const MASKED_SCORE: f32 = -1.0e4;

/// The feed-forward activation named by `hidden_act`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Activation {
    /// `gelu`: the exact, erf-based GELU.
    Gelu,
    /// `gelu_new` / `gelu_pytorch_tanh`: the tanh approximation.
    GeluTanh,
    Relu,
}

impl Activation {
    pub fn from_hf_name(name: &str) -> Self {
        match name {
            "gelu_new" | "gelu_pytorch_tanh" => Activation::GeluTanh,
            "relu" => Activation::Relu,
            // BertConfig::validate refused every other name.
            _ => Activation::Gelu,
        }
    }

    fn apply<B: Backend, const D: usize>(&self, x: Tensor<B, D>) -> Tensor<B, D> {
        match self {
            Activation::Gelu => gelu(x),
            Activation::GeluTanh => burn::tensor::activation::gelu_approximate(x),
            Activation::Relu => relu(x),
        }
    }
}

/// Token ids of a batch, padded to the longest sequence, with `true` where a position is padding.
#[derive(Debug, Clone)]
pub struct BertInput<B: Backend> {
    pub input_ids: Tensor<B, 2, Int>,
    pub padding_mask: Tensor<B, 2, Bool>,
}

#[derive(Module, Debug)]
pub struct BertEmbeddings<B: Backend> {
    pub word_embeddings: Embedding<B>,
    pub position_embeddings: Embedding<B>,
    pub token_type_embeddings: Embedding<B>,
    pub layer_norm: LayerNorm<B>,
    pub dropout: Dropout,
}

impl<B: Backend> BertEmbeddings<B> {
    pub fn forward(&self, input_ids: Tensor<B, 2, Int>) -> Tensor<B, 3> {
        let [_, seq_len] = input_ids.dims();
        let device = input_ids.device();
        let words = self.word_embeddings.forward(input_ids);
        let positions =
            Tensor::<B, 1, Int>::arange(0..seq_len as i64, &device).reshape([1, seq_len]);
        let positions = self.position_embeddings.forward(positions);
        // Single-sentence classification: every token has token type 0.
        let hidden = self.token_type_embeddings.weight.val().dims()[1];
        let token_type = self
            .token_type_embeddings
            .weight
            .val()
            .slice([0..1, 0..hidden])
            .reshape([1, 1, hidden]);
        let embeddings = words + positions + token_type;
        self.dropout.forward(self.layer_norm.forward(embeddings))
    }
}

#[derive(Module, Debug)]
pub struct BertSelfAttention<B: Backend> {
    pub query: Linear<B>,
    pub key: Linear<B>,
    pub value: Linear<B>,
    pub output: Linear<B>,
    pub output_layer_norm: LayerNorm<B>,
    pub probs_dropout: Dropout,
    pub output_dropout: Dropout,
    pub num_heads: usize,
}

impl<B: Backend> BertSelfAttention<B> {
    /// `score_bias`: `[batch, 1, 1, seq]`, 0 for real tokens and `MASKED_SCORE` for padding.
    pub fn forward(&self, hidden: Tensor<B, 3>, score_bias: Tensor<B, 4>) -> Tensor<B, 3> {
        let [batch, seq_len, width] = hidden.dims();
        let head_dim = width / self.num_heads;
        let split_heads = |x: Tensor<B, 3>| {
            x.reshape([batch, seq_len, self.num_heads, head_dim])
                .swap_dims(1, 2)
        };
        let q = split_heads(self.query.forward(hidden.clone()));
        let k = split_heads(self.key.forward(hidden.clone()));
        let v = split_heads(self.value.forward(hidden.clone()));

        let scores = q
            .matmul(k.swap_dims(2, 3))
            .mul_scalar(1.0 / (head_dim as f64).sqrt())
            + score_bias;
        let probs = self.probs_dropout.forward(softmax(scores, 3));
        let context = probs
            .matmul(v)
            .swap_dims(1, 2)
            .reshape([batch, seq_len, width]);
        let projected = self.output_dropout.forward(self.output.forward(context));
        self.output_layer_norm.forward(projected + hidden)
    }
}

#[derive(Module, Debug)]
pub struct BertLayer<B: Backend> {
    pub attention: BertSelfAttention<B>,
    pub intermediate: Linear<B>,
    pub output: Linear<B>,
    pub output_layer_norm: LayerNorm<B>,
    pub output_dropout: Dropout,
    #[module(skip)]
    pub activation: Activation,
}

impl<B: Backend> BertLayer<B> {
    pub fn forward(&self, hidden: Tensor<B, 3>, score_bias: Tensor<B, 4>) -> Tensor<B, 3> {
        let attended = self.attention.forward(hidden, score_bias);
        let inner = self
            .activation
            .apply(self.intermediate.forward(attended.clone()));
        let projected = self.output_dropout.forward(self.output.forward(inner));
        self.output_layer_norm.forward(projected + attended)
    }
}

#[derive(Module, Debug)]
pub struct BertPooler<B: Backend> {
    pub dense: Linear<B>,
}

impl<B: Backend> BertPooler<B> {
    /// tanh(dense(hidden state of the first token, [CLS])).
    pub fn forward(&self, hidden: Tensor<B, 3>) -> Tensor<B, 2> {
        let [batch, _, width] = hidden.dims();
        let cls = hidden
            .slice([0..batch, 0..1, 0..width])
            .reshape([batch, width]);
        tanh(self.dense.forward(cls))
    }
}

/// The encoder with its pooler (Hugging Face's `BertModel`).
#[derive(Module, Debug)]
pub struct BertModel<B: Backend> {
    pub embeddings: BertEmbeddings<B>,
    pub layers: Vec<BertLayer<B>>,
    pub pooler: BertPooler<B>,
}

/// What a forward pass returns.
#[derive(Debug, Clone)]
pub struct BertOutput<B: Backend> {
    /// `[batch, num_labels]`, before softmax.
    pub logits: Tensor<B, 2>,
    /// `[batch, hidden_size]`, the pooler's output (what the classifier sees).
    pub pooled: Tensor<B, 2>,
}

#[derive(Module, Debug)]
pub struct BertForSequenceClassification<B: Backend> {
    pub bert: BertModel<B>,
    pub dropout: Dropout,
    pub classifier: Linear<B>,
}

impl<B: Backend> BertModel<B> {
    pub fn forward(&self, input: BertInput<B>) -> Tensor<B, 2> {
        let [batch, seq_len] = input.input_ids.dims();
        let score_bias = input
            .padding_mask
            .float()
            .mul_scalar(MASKED_SCORE)
            .reshape([batch, 1, 1, seq_len]);
        let mut hidden = self.embeddings.forward(input.input_ids);
        for layer in &self.layers {
            hidden = layer.forward(hidden, score_bias.clone());
        }
        self.pooler.forward(hidden)
    }
}

impl<B: Backend> BertForSequenceClassification<B> {
    pub fn forward(&self, input: BertInput<B>) -> BertOutput<B> {
        let pooled = self.bert.forward(input);
        let logits = self
            .classifier
            .forward(self.dropout.forward(pooled.clone()));
        BertOutput { logits, pooled }
    }

    pub fn num_labels(&self) -> usize {
        self.classifier.weight.shape().to_vec()[1]
    }

    pub fn num_parameters(&self) -> usize {
        Module::num_params(self)
    }
}

impl ModelConfig {
    /// A model with freshly initialised weights, as `transformers` initialises BERT:
    /// normal(0, initializer_range) for dense and embedding weights, zero biases, unit LayerNorm.
    /// Weights are drawn lazily, on first use (loading a checkpoint then costs no random draws).
    pub fn init<B: Backend>(&self, device: &B::Device) -> BertForSequenceClassification<B> {
        let c = &self.bert;
        let normal = Initializer::Normal {
            mean: 0.0,
            std: c.initializer_range,
        };
        let linear = |d_in: usize, d_out: usize| {
            LinearConfig::new(d_in, d_out)
                .with_initializer(normal.clone())
                .init(device)
                .with_zero_bias(d_out, device)
        };
        let layer_norm = || {
            LayerNormConfig::new(c.hidden_size)
                .with_epsilon(c.layer_norm_eps)
                .init(device)
        };
        let embedding = |n: usize| {
            EmbeddingConfig::new(n, c.hidden_size)
                .with_initializer(normal.clone())
                .init(device)
        };
        let hidden_dropout = || DropoutConfig::new(c.hidden_dropout_prob).init();

        let layers = (0..c.num_hidden_layers)
            .map(|_| BertLayer {
                attention: BertSelfAttention {
                    query: linear(c.hidden_size, c.hidden_size),
                    key: linear(c.hidden_size, c.hidden_size),
                    value: linear(c.hidden_size, c.hidden_size),
                    output: linear(c.hidden_size, c.hidden_size),
                    output_layer_norm: layer_norm(),
                    probs_dropout: DropoutConfig::new(c.attention_probs_dropout_prob).init(),
                    output_dropout: hidden_dropout(),
                    num_heads: c.num_attention_heads,
                },
                intermediate: linear(c.hidden_size, c.intermediate_size),
                output: linear(c.intermediate_size, c.hidden_size),
                output_layer_norm: layer_norm(),
                output_dropout: hidden_dropout(),
                activation: Activation::from_hf_name(&c.hidden_act),
            })
            .collect();

        BertForSequenceClassification {
            bert: BertModel {
                embeddings: BertEmbeddings {
                    word_embeddings: embedding(c.vocab_size),
                    position_embeddings: embedding(c.max_position_embeddings),
                    token_type_embeddings: embedding(c.type_vocab_size),
                    layer_norm: layer_norm(),
                    dropout: hidden_dropout(),
                },
                layers,
                pooler: BertPooler {
                    dense: linear(c.hidden_size, c.hidden_size),
                },
            },
            dropout: DropoutConfig::new(c.classifier_dropout.unwrap_or(c.hidden_dropout_prob))
                .init(),
            classifier: linear(c.hidden_size, self.num_labels()),
        }
    }
}

trait ZeroBias<B: Backend> {
    /// transformers starts biases at zero; burn would draw them from the weight initializer.
    fn with_zero_bias(self, d_out: usize, device: &B::Device) -> Self;
}

impl<B: Backend> ZeroBias<B> for Linear<B> {
    fn with_zero_bias(mut self, d_out: usize, device: &B::Device) -> Self {
        self.bias = Some(Param::from_tensor(Tensor::zeros([d_out], device)));
        self
    }
}
