//! `BertForSequenceClassification` in burn, generic over the backend.
//!
//! The computation follows Hugging Face's `modeling_bert.py` step by step (post-LayerNorm
//! encoder, exact GELU, tanh pooler on [CLS]) so that the same weights give the same logits.

use burn::module::{Module, Param};
use burn::nn::{
    Dropout, DropoutConfig, Embedding, EmbeddingConfig, Initializer, LayerNorm, LayerNormConfig,
    Linear, LinearConfig,
};
use burn::tensor::activation::{relu, tanh};
use burn::tensor::backend::Backend;
use burn::tensor::{Bool, Int, Tensor};

use super::config::ModelConfig;
use crate::kernels::{FusedOps, attention, bias_gelu, dropout, linear_rows, residual_layer_norm};

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

    /// activation(x·W + b) of a `[rows, d_in]` input; the exact GELU runs fused with its bias.
    fn dense<B: FusedOps>(&self, x: Tensor<B, 2>, layer: &Linear<B>) -> Tensor<B, 2> {
        match self {
            Activation::Gelu => bias_gelu(linear_rows(x, layer.weight.val(), None), bias_of(layer)),
            Activation::GeluTanh => burn::tensor::activation::gelu_approximate(dense(x, layer)),
            Activation::Relu => relu(dense(x, layer)),
        }
    }
}

fn bias_of<B: Backend>(linear: &Linear<B>) -> Tensor<B, 1> {
    linear
        .bias
        .as_ref()
        .expect("BERT's dense layers all have a bias")
        .val()
}

/// x·W + b on a `[rows, d_in]` input: one gemm, and one gemm for each gradient (burn's `Linear`
/// on a 3-D input runs a batched matmul and sums a `[batch, d_in, d_out]` weight gradient); on
/// the CPU the bias is written first and the product added onto it, in one output buffer.
fn dense<B: FusedOps>(x: Tensor<B, 2>, layer: &Linear<B>) -> Tensor<B, 2> {
    linear_rows(x, layer.weight.val(), Some(bias_of(layer)))
}

/// LayerNorm(x + residual) with a LayerNorm module's γ and β.
fn add_and_norm<B: FusedOps>(
    x: Tensor<B, 2>,
    residual: Tensor<B, 2>,
    norm: &LayerNorm<B>,
    eps: f64,
) -> Tensor<B, 2> {
    let beta = norm
        .beta
        .as_ref()
        .expect("BERT's LayerNorms all have a bias")
        .val();
    residual_layer_norm(x, residual, norm.gamma.val(), beta, eps)
}

/// Which rows of a `[batch·seq, width]` hidden state a layer carries on past its attention core.
#[derive(Debug, Clone, Copy)]
pub enum Rows {
    All,
    /// The first token of each of this many sequences: `[batch, width]`.
    FirstOf(usize),
}

impl Rows {
    fn keep<B: Backend>(self, hidden: Tensor<B, 2>) -> Tensor<B, 2> {
        match self {
            Rows::All => hidden,
            Rows::FirstOf(batch) => {
                let [rows, width] = hidden.dims();
                hidden
                    .reshape([batch, rows / batch, width])
                    .narrow(1, 0, 1)
                    .reshape([batch, width])
            }
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
    #[module(skip)]
    pub layer_norm_eps: f64,
}

impl<B: FusedOps> BertEmbeddings<B> {
    /// `[batch·seq, hidden]`: the rows of all sequences, one after the other.
    pub fn forward(&self, input_ids: Tensor<B, 2, Int>) -> Tensor<B, 2> {
        let [batch, seq_len] = input_ids.dims();
        let device = input_ids.device();
        let hidden = self.token_type_embeddings.weight.val().dims()[1];
        let words = self
            .word_embeddings
            .forward(input_ids)
            .reshape([batch * seq_len, hidden]);
        let positions =
            Tensor::<B, 1, Int>::arange(0..seq_len as i64, &device).reshape([1, seq_len]);
        let positions = self.position_embeddings.forward(positions);
        // Single-sentence classification: every token has token type 0.
        let token_type = self
            .token_type_embeddings
            .weight
            .val()
            .slice([0..1, 0..hidden])
            .reshape([1, 1, hidden]);
        let position_and_type = (positions + token_type)
            .expand([batch, seq_len, hidden])
            .reshape([batch * seq_len, hidden]);
        dropout(
            add_and_norm(
                words,
                position_and_type,
                &self.layer_norm,
                self.layer_norm_eps,
            ),
            self.dropout.prob,
        )
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
    #[module(skip)]
    pub layer_norm_eps: f64,
}

impl<B: FusedOps> BertSelfAttention<B> {
    /// `hidden`: `[batch·seq, width]`; `key_bias`: `[batch, seq]`, 0 for real tokens and
    /// `MASKED_SCORE` for padding.
    pub fn forward(
        &self,
        hidden: Tensor<B, 2>,
        key_bias: Tensor<B, 2>,
        rows: Rows,
    ) -> Tensor<B, 2> {
        // Q, K and V from one projection: the three weights side by side (they stay three
        // parameters under their Hugging Face names), one gemm forward, one for each gradient.
        let weight = Tensor::cat(
            vec![
                self.query.weight.val(),
                self.key.weight.val(),
                self.value.weight.val(),
            ],
            1,
        );
        let bias = Tensor::cat(
            vec![
                bias_of(&self.query),
                bias_of(&self.key),
                bias_of(&self.value),
            ],
            0,
        );
        let qkv = linear_rows(hidden.clone(), weight, Some(bias));
        let context = attention(qkv, key_bias, self.num_heads, self.probs_dropout.prob);
        let (context, hidden) = (rows.keep(context), rows.keep(hidden));
        let projected = dropout(dense(context, &self.output), self.output_dropout.prob);
        add_and_norm(
            projected,
            hidden,
            &self.output_layer_norm,
            self.layer_norm_eps,
        )
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
    #[module(skip)]
    pub layer_norm_eps: f64,
}

impl<B: FusedOps> BertLayer<B> {
    pub fn forward(
        &self,
        hidden: Tensor<B, 2>,
        key_bias: Tensor<B, 2>,
        rows: Rows,
    ) -> Tensor<B, 2> {
        let attended = self.attention.forward(hidden, key_bias, rows);
        let inner = self.activation.dense(attended.clone(), &self.intermediate);
        let projected = dropout(dense(inner, &self.output), self.output_dropout.prob);
        add_and_norm(
            projected,
            attended,
            &self.output_layer_norm,
            self.layer_norm_eps,
        )
    }
}

#[derive(Module, Debug)]
pub struct BertPooler<B: Backend> {
    pub dense: Linear<B>,
}

impl<B: FusedOps> BertPooler<B> {
    /// tanh(dense(·)) of the hidden state of each sequence's first token ([CLS]), `[batch, width]`.
    pub fn forward(&self, cls: Tensor<B, 2>) -> Tensor<B, 2> {
        tanh(dense(cls, &self.dense))
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

impl<B: FusedOps> BertModel<B> {
    pub fn forward(&self, input: BertInput<B>) -> Tensor<B, 2> {
        let [batch, _] = input.input_ids.dims();
        let key_bias = input.padding_mask.float().mul_scalar(MASKED_SCORE);
        let mut hidden = self.embeddings.forward(input.input_ids);
        let last = self.layers.len().saturating_sub(1);
        for (i, layer) in self.layers.iter().enumerate() {
            // Only [CLS] reaches the pooler: after the last layer's attention core, which
            // reads every token, its rows are all that is computed (the same logits, and about
            // 3/4 of a layer's work saved).
            let rows = if i == last {
                Rows::FirstOf(batch)
            } else {
                Rows::All
            };
            hidden = layer.forward(hidden, key_bias.clone(), rows);
        }
        if self.layers.is_empty() {
            hidden = Rows::FirstOf(batch).keep(hidden);
        }
        self.pooler.forward(hidden)
    }
}

impl<B: FusedOps> BertForSequenceClassification<B> {
    pub fn forward(&self, input: BertInput<B>) -> BertOutput<B> {
        let pooled = self.bert.forward(input);
        let logits = dense(dropout(pooled.clone(), self.dropout.prob), &self.classifier);
        BertOutput { logits, pooled }
    }
}

impl<B: Backend> BertForSequenceClassification<B> {
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
                    layer_norm_eps: c.layer_norm_eps,
                },
                intermediate: linear(c.hidden_size, c.intermediate_size),
                output: linear(c.intermediate_size, c.hidden_size),
                output_layer_norm: layer_norm(),
                output_dropout: hidden_dropout(),
                activation: Activation::from_hf_name(&c.hidden_act),
                layer_norm_eps: c.layer_norm_eps,
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
                    layer_norm_eps: c.layer_norm_eps,
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
