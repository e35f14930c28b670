//! The BERT-family sequence classifier in burn, generic over the backend: one post-LayerNorm
//! encoder for every architecture, with the embeddings and classification head each
//! architecture has (`architecture.rs`).
//!
//! The computation follows `transformers`' modeling code step by step (exact GELU, the heads as
//! each `…ForSequenceClassification` builds them) so that the same weights give the same logits.

use burn::module::{Module, Param};
use burn::nn::{
    Dropout, DropoutConfig, Embedding, EmbeddingConfig, Initializer, LayerNorm, LayerNormConfig,
    Linear, LinearConfig,
};
use burn::tensor::activation::{relu, tanh};
use burn::tensor::backend::Backend;
use burn::tensor::{Bool, Int, Tensor};

use super::architecture::{Architecture, HeadActivation};
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
            // EncoderConfig::validate refused every other name.
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
        .expect("the family's dense layers all have a bias")
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
        .expect("the family's LayerNorms all have a bias")
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
pub struct ModelInput<B: Backend> {
    pub input_ids: Tensor<B, 2, Int>,
    pub padding_mask: Tensor<B, 2, Bool>,
}

#[derive(Module, Debug)]
pub struct Embeddings<B: Backend> {
    pub word_embeddings: Embedding<B>,
    pub position_embeddings: Embedding<B>,
    /// DistilBERT has no token types.
    pub token_type_embeddings: Option<Embedding<B>>,
    pub layer_norm: LayerNorm<B>,
    pub dropout: Dropout,
    /// ELECTRA's projection to `hidden_size` when its embeddings are narrower.
    pub project: Option<Linear<B>>,
    /// The first token's position id (RoBERTa: `pad_token_id + 1`).
    #[module(skip)]
    pub first_position: usize,
    #[module(skip)]
    pub layer_norm_eps: f64,
}

impl<B: FusedOps> Embeddings<B> {
    /// `[batch·seq, hidden]`: the rows of all sequences, one after the other.
    pub fn forward(&self, input_ids: Tensor<B, 2, Int>) -> Tensor<B, 2> {
        let seq_len = input_ids.dims()[1];
        let device = input_ids.device();
        // Padding comes after the text, so position ids are the same for every row up to its
        // length; RoBERTa's padding_idx position of padding tokens only ever reaches masked
        // keys and the unused rows of padding, so counting on through it changes no output.
        let first = self.first_position as i64;
        let positions = Tensor::<B, 1, Int>::arange(first..first + seq_len as i64, &device)
            .reshape([1, seq_len]);
        self.forward_at(input_ids, positions)
    }

    /// The position ids transformers gives one row of token ids, padding inside it included
    /// (an explanation's blanked words): RoBERTa's family numbers only the tokens that are
    /// not padding, from `padding_idx + 1`, and gives padding `padding_idx`; the others
    /// number every position from 0.
    pub fn position_ids(&self, ids: &[u32]) -> Vec<i64> {
        if self.first_position == 0 {
            return (0..ids.len() as i64).collect();
        }
        let padding = self.first_position as i64 - 1;
        let mut next = padding;
        ids.iter()
            .map(|&id| {
                if i64::from(id) == padding {
                    padding
                } else {
                    next += 1;
                    next
                }
            })
            .collect()
    }

    /// `forward` with the position ids given: `[batch, seq]`, or `[1, seq]` for every row.
    pub fn forward_at(
        &self,
        input_ids: Tensor<B, 2, Int>,
        positions: Tensor<B, 2, Int>,
    ) -> Tensor<B, 2> {
        let [batch, seq_len] = input_ids.dims();
        let width = self.layer_norm.gamma.val().dims()[0];
        let words = self
            .word_embeddings
            .forward(input_ids)
            .reshape([batch * seq_len, width]);
        let mut position_and_type = self.position_embeddings.forward(positions);
        if let Some(token_types) = &self.token_type_embeddings {
            // Single-sentence classification: every token has token type 0.
            let type_zero = token_types
                .weight
                .val()
                .slice([0..1, 0..width])
                .reshape([1, 1, width]);
            position_and_type = position_and_type + type_zero;
        }
        let position_and_type = position_and_type
            .expand([batch, seq_len, width])
            .reshape([batch * seq_len, width]);
        let embedded = dropout(
            add_and_norm(
                words,
                position_and_type,
                &self.layer_norm,
                self.layer_norm_eps,
            ),
            self.dropout.prob,
        );
        match &self.project {
            Some(project) => dense(embedded, project),
            None => embedded,
        }
    }
}

#[derive(Module, Debug)]
pub struct SelfAttention<B: Backend> {
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

impl<B: FusedOps> SelfAttention<B> {
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
pub struct EncoderLayer<B: Backend> {
    pub attention: SelfAttention<B>,
    pub intermediate: Linear<B>,
    pub output: Linear<B>,
    pub output_layer_norm: LayerNorm<B>,
    pub output_dropout: Dropout,
    #[module(skip)]
    pub activation: Activation,
    #[module(skip)]
    pub layer_norm_eps: f64,
}

impl<B: FusedOps> EncoderLayer<B> {
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

/// The classification head on each sequence's first token: BERT's pooler + classifier,
/// RoBERTa's and ELECTRA's `classifier.dense`/`out_proj`, DistilBERT's `pre_classifier` +
/// `classifier` — one hidden layer and an output layer, with the dropouts where each has them.
#[derive(Module, Debug)]
pub struct ClassificationHead<B: Backend> {
    /// RoBERTa and ELECTRA drop out the first token's state first; probability 0 elsewhere.
    pub dropout_before_dense: Dropout,
    pub dense: Linear<B>,
    pub dropout: Dropout,
    pub out: Linear<B>,
    #[module(skip)]
    pub activation: HeadActivation,
}

impl<B: FusedOps> ClassificationHead<B> {
    /// `first_tokens`: `[batch, width]`.
    pub fn forward(&self, first_tokens: Tensor<B, 2>) -> ClassifierOutput<B> {
        let x = dropout(first_tokens, self.dropout_before_dense.prob);
        let pooled = match self.activation {
            HeadActivation::Tanh => tanh(dense(x, &self.dense)),
            HeadActivation::Gelu => Activation::Gelu.dense(x, &self.dense),
            HeadActivation::Relu => relu(dense(x, &self.dense)),
        };
        let logits = dense(dropout(pooled.clone(), self.dropout.prob), &self.out);
        ClassifierOutput { logits, pooled }
    }
}

/// What a forward pass returns.
#[derive(Debug, Clone)]
pub struct ClassifierOutput<B: Backend> {
    /// `[batch, num_labels]`, before softmax.
    pub logits: Tensor<B, 2>,
    /// `[batch, hidden_size]`: what the head's output layer sees (BERT: the pooler's output).
    pub pooled: Tensor<B, 2>,
}

/// A BERT-family encoder with its sequence-classification head.
#[derive(Module, Debug)]
pub struct SequenceClassifier<B: Backend> {
    pub embeddings: Embeddings<B>,
    pub layers: Vec<EncoderLayer<B>>,
    pub head: ClassificationHead<B>,
    #[module(skip)]
    pub architecture: Architecture,
}

impl<B: FusedOps> SequenceClassifier<B> {
    pub fn forward(&self, input: ModelInput<B>) -> ClassifierOutput<B> {
        let embedded = self.embeddings.forward(input.input_ids);
        self.forward_embedded(embedded, input.padding_mask)
    }

    /// The rest of the model from the embeddings' output (`[batch·seq, width]`, rows of each
    /// sequence in turn): where an explanation's gradients start.
    pub fn forward_embedded(
        &self,
        embedded: Tensor<B, 2>,
        padding_mask: Tensor<B, 2, Bool>,
    ) -> ClassifierOutput<B> {
        let [batch, _] = padding_mask.dims();
        let key_bias = padding_mask.float().mul_scalar(MASKED_SCORE);
        let mut hidden = embedded;
        let last = self.layers.len().saturating_sub(1);
        for (i, layer) in self.layers.iter().enumerate() {
            // Only the first token reaches the head: after the last layer's attention core,
            // which reads every token, its rows are all that is computed (the same logits, and
            // about 3/4 of a layer's work saved).
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
        self.head.forward(hidden)
    }
}

impl<B: Backend> SequenceClassifier<B> {
    pub fn num_labels(&self) -> usize {
        self.head.out.weight.shape().to_vec()[1]
    }

    pub fn num_parameters(&self) -> usize {
        Module::num_params(self)
    }

    /// The same model with every dropout off: for comparisons with a reference, where masks
    /// cannot be matched.
    pub fn without_dropout(mut self) -> Self {
        let off = |d: &mut Dropout| d.prob = 0.0;
        off(&mut self.embeddings.dropout);
        for layer in &mut self.layers {
            off(&mut layer.attention.probs_dropout);
            off(&mut layer.attention.output_dropout);
            off(&mut layer.output_dropout);
        }
        off(&mut self.head.dropout_before_dense);
        off(&mut self.head.dropout);
        self
    }
}

impl ModelConfig {
    /// A model with freshly initialised weights, as `transformers` initialises the family:
    /// normal(0, initializer_range) for dense and embedding weights, zero biases, unit LayerNorm.
    /// Weights are drawn lazily, on first use (loading a checkpoint then costs no random draws).
    pub fn init<B: Backend>(&self, device: &B::Device) -> SequenceClassifier<B> {
        let c = &self.encoder;
        let arch = self.architecture;
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
        let layer_norm = |width: usize| {
            LayerNormConfig::new(width)
                .with_epsilon(c.layer_norm_eps)
                .init(device)
        };
        let width = c.embedding_width();
        let embedding = |n: usize| {
            EmbeddingConfig::new(n, width)
                .with_initializer(normal.clone())
                .init(device)
        };
        let dropout = |prob: f64| DropoutConfig::new(prob).init();
        let hidden = c.hidden_size;

        let layers = (0..c.num_hidden_layers)
            .map(|_| EncoderLayer {
                attention: SelfAttention {
                    query: linear(hidden, hidden),
                    key: linear(hidden, hidden),
                    value: linear(hidden, hidden),
                    output: linear(hidden, hidden),
                    output_layer_norm: layer_norm(hidden),
                    probs_dropout: dropout(c.attention_probs_dropout_prob),
                    output_dropout: dropout(if arch.attention_output_dropout() {
                        c.hidden_dropout_prob
                    } else {
                        0.0
                    }),
                    num_heads: c.num_attention_heads,
                    layer_norm_eps: c.layer_norm_eps,
                },
                intermediate: linear(hidden, c.intermediate_size),
                output: linear(c.intermediate_size, hidden),
                output_layer_norm: layer_norm(hidden),
                output_dropout: dropout(c.hidden_dropout_prob),
                activation: Activation::from_hf_name(&c.hidden_act),
                layer_norm_eps: c.layer_norm_eps,
            })
            .collect();

        let head = arch.head();
        let head_dropout = c.classifier_dropout.unwrap_or(c.hidden_dropout_prob);
        SequenceClassifier {
            embeddings: Embeddings {
                word_embeddings: embedding(c.vocab_size),
                position_embeddings: embedding(c.max_position_embeddings),
                token_type_embeddings: arch
                    .weight_names()
                    .token_type_embeddings
                    .map(|_| embedding(c.type_vocab_size)),
                layer_norm: layer_norm(width),
                dropout: dropout(c.hidden_dropout_prob),
                project: (width != hidden).then(|| linear(width, hidden)),
                first_position: arch.first_position(c.pad_token_id),
                layer_norm_eps: c.layer_norm_eps,
            },
            layers,
            head: ClassificationHead {
                dropout_before_dense: dropout(if head.dropout_before_dense {
                    head_dropout
                } else {
                    0.0
                }),
                dense: linear(hidden, hidden),
                dropout: dropout(head_dropout),
                out: linear(hidden, self.num_labels()),
                activation: head.activation,
            },
            architecture: arch,
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
