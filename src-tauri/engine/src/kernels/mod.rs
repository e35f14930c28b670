//! Fused operations the encoder needs, as a backend extension (burn book, "backend
//! extension"): the CPU backend runs each as one native pass (`cpu`), `Autodiff` records each as
//! one node with a hand-written gradient (`autodiff`), and every other backend (wgpu, CUDA)
//! builds them from burn's ordinary ops — with the exact erf GELU gradient, which burn 0.21's
//! GPU backends lack (their `gelu_backward` is the tanh approximation's derivative).

mod autodiff;
mod cpu;
mod cpu_attention;
mod cpu_linear;
pub mod decomposed;
mod denormals;
#[cfg(any(feature = "wgpu", feature = "cuda"))]
mod gpu;
mod memory;
pub mod precision;
pub mod simd;

pub use memory::return_freed_memory;

/// Readies the CPU for a job's compute: denormals flushed on the calling thread and the
/// kernels' threads, freed memory kept for the next batch (`memory`).
pub fn prepare_cpu_compute() {
    denormals::flush_denormals();
    memory::keep_freed_memory();
}

use burn::tensor::backend::Backend;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Tensor, TensorPrimitive};

pub use simd::{AdamWStep, SimdLevel, simd_level};

fn wrap<B: Backend, const D: usize>(t: FloatTensor<B>) -> Tensor<B, D> {
    Tensor::from_primitive(TensorPrimitive::Float(t))
}

fn unwrap<B: Backend, const D: usize>(t: Tensor<B, D>) -> FloatTensor<B> {
    t.into_primitive().tensor()
}

/// The fused operations. Each default body is the decomposed computation in burn's ordinary
/// ops (`decomposed`): what GPU backends run, and the reference the native kernels are tested
/// against.
pub trait FusedOps: Backend {
    /// gelu(x + bias), exact (erf) GELU; x `[rows, d]`, bias `[d]`.
    fn bias_gelu(x: FloatTensor<Self>, bias: FloatTensor<Self>) -> FloatTensor<Self> {
        unwrap(decomposed::bias_gelu::<Self>(wrap(x), wrap(bias)))
    }

    /// d/dx of `bias_gelu` times `grad` (summed over rows, it is also the bias's gradient).
    fn bias_gelu_backward(
        x: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        unwrap(decomposed::bias_gelu_backward::<Self>(
            wrap(x),
            wrap(bias),
            wrap(grad),
        ))
    }

    /// x·W + b on rows: x `[rows, d_in]`, W `[d_in, d_out]`, b `[d_out]` (`None`: no bias).
    fn linear_rows(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: Option<FloatTensor<Self>>,
    ) -> FloatTensor<Self> {
        unwrap(decomposed::linear::<Self>(
            wrap(x),
            wrap(weight),
            bias.map(wrap),
        ))
    }

    /// The gradients of `linear_rows` w.r.t. x (`grad`·Wᵀ) and W (xᵀ·`grad`), each only when asked
    /// for; the bias's is `sum_rows(grad)`.
    fn linear_rows_backward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        (want_x, want_weight): (bool, bool),
    ) -> (Option<FloatTensor<Self>>, Option<FloatTensor<Self>>) {
        let (x, weight, grad) = (wrap::<Self, 2>(x), wrap::<Self, 2>(weight), wrap(grad));
        let d_x = want_x.then(|| unwrap(grad.clone().matmul(weight.transpose())));
        let d_weight = want_weight.then(|| unwrap(x.transpose().matmul(grad)));
        (d_x, d_weight)
    }

    /// a·b over the last two dimensions of `[batch, heads, m, k]` and `[batch, heads, k, n]`: the
    /// attention's products when it is built from burn's ops.
    fn batch_matmul(a: FloatTensor<Self>, b: FloatTensor<Self>) -> FloatTensor<Self> {
        unwrap(wrap::<Self, 4>(a).matmul(wrap(b)))
    }

    /// The sum over rows of `[rows, d]`: `[d]`.
    fn sum_rows(t: FloatTensor<Self>) -> FloatTensor<Self> {
        unwrap(wrap::<Self, 2>(t).sum_dim(0).squeeze_dim::<1>(0))
    }

    /// LayerNorm(x + residual) over the last dimension, x `[rows, d]`, γ and β `[d]`.
    fn residual_layer_norm(
        x: FloatTensor<Self>,
        residual: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        eps: f64,
    ) -> FloatTensor<Self> {
        Self::residual_layer_norm_saving(x, residual, gamma, beta, eps).0
    }

    /// `residual_layer_norm` that also returns what its gradient needs: the normalised rows
    /// `[rows, d]` and 1/σ of each row `[rows]`.
    fn residual_layer_norm_saving(
        x: FloatTensor<Self>,
        residual: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        eps: f64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (out, normalized, rstd) = decomposed::residual_layer_norm::<Self>(
            wrap(x),
            wrap(residual),
            wrap(gamma),
            wrap(beta),
            eps,
        );
        (unwrap(out), unwrap(normalized), unwrap(rstd))
    }

    /// Gradient of `residual_layer_norm`: (d input — the same for x and the residual —, dγ, dβ).
    fn residual_layer_norm_backward(
        normalized: FloatTensor<Self>,
        rstd: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (d_input, d_gamma, d_beta) = decomposed::residual_layer_norm_backward::<Self>(
            wrap(normalized),
            wrap(rstd),
            wrap(gamma),
            wrap(grad),
        );
        (unwrap(d_input), unwrap(d_gamma), unwrap(d_beta))
    }

    /// softmax(scores·scale + key_bias) over the keys: scores `[batch, heads, queries, keys]`,
    /// key_bias `[batch, keys]` (0 for tokens, a large negative number for padding).
    fn attention_softmax(
        scores: FloatTensor<Self>,
        key_bias: FloatTensor<Self>,
        scale: f64,
    ) -> FloatTensor<Self> {
        unwrap(decomposed::attention_softmax::<Self>(
            wrap(scores),
            wrap(key_bias),
            scale,
        ))
    }

    /// Gradient of `attention_softmax` w.r.t. the scores, from its output.
    fn attention_softmax_backward(
        probs: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        scale: f64,
    ) -> FloatTensor<Self> {
        unwrap(decomposed::attention_softmax_backward::<Self>(
            wrap(probs),
            wrap(grad),
            scale,
        ))
    }

    /// Whether independent forward passes (classification and validation batches) run side
    /// by side here. On the CPU two batches at once on 2 cores classified the sample 1.28×
    /// faster than one batch split across both (farm-bench, median of 6, same outputs) and
    /// kept the same peak memory; a GPU runs one at a time.
    fn concurrent_batches() -> bool {
        false
    }

    /// Whether `seeded_dropout` runs natively here. Elsewhere dropout is burn's own (Bernoulli
    /// draws, the mask kept for the gradient).
    fn has_seeded_dropout() -> bool {
        false
    }

    /// x · mask / (1 − prob) with the mask a function of (seed, position) alone: applied to the
    /// incoming gradient with the same seed, it is its own gradient. Called only where
    /// `has_seeded_dropout`.
    fn seeded_dropout(x: FloatTensor<Self>, prob: f64, seed: u64) -> FloatTensor<Self> {
        let _ = (x, prob, seed);
        unreachable!("seeded_dropout is only called where has_seeded_dropout() is true")
    }

    /// Whether `attention` runs natively here. Elsewhere the attention core is built from
    /// burn's ops (`decomposed::attention`, with this trait's softmax and dropout).
    fn has_native_attention() -> bool {
        false
    }

    /// The attention core, softmax(scale·Q·Kᵀ + key_bias) with dropout, × V, for every head,
    /// from the fused projection `qkv` `[batch·seq, 3·width]` (Q, K, V side by side) and the
    /// key bias `[batch, seq]`: the context `[batch·seq, width]`. `prob` 0: no dropout.
    /// Called only where `has_native_attention`.
    fn attention_core(
        qkv: FloatTensor<Self>,
        key_bias: FloatTensor<Self>,
        heads: usize,
        prob: f64,
        seed: u64,
    ) -> FloatTensor<Self> {
        Self::attention_core_saving(qkv, key_bias, heads, prob, seed).0
    }

    /// `attention` that also returns the probabilities before dropout `[batch, heads, seq,
    /// seq]`, which its gradient needs.
    fn attention_core_saving(
        qkv: FloatTensor<Self>,
        key_bias: FloatTensor<Self>,
        heads: usize,
        prob: f64,
        seed: u64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let _ = (qkv, key_bias, heads, prob, seed);
        unreachable!("attention is only called where has_native_attention() is true")
    }

    /// d(qkv) of `attention` from d(context).
    fn attention_core_backward(
        qkv: FloatTensor<Self>,
        probs: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        heads: usize,
        prob: f64,
        seed: u64,
    ) -> FloatTensor<Self> {
        let _ = (qkv, probs, grad, heads, prob, seed);
        unreachable!("attention is only called where has_native_attention() is true")
    }

    /// One AdamW update of a flat parameter `[n]` from its gradient and moments (`None`: zero,
    /// the first step): returns (parameter, first moment, second moment). The CPU backend
    /// updates the three in place in one parallel pass.
    fn adamw_step(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        moments: Option<(FloatTensor<Self>, FloatTensor<Self>)>,
        step: AdamWStep,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (param, first, second) = decomposed::adamw_step::<Self>(
            wrap(param),
            wrap(grad),
            moments.map(|(m, v)| (wrap(m), wrap(v))),
            step,
        );
        (unwrap(param), unwrap(first), unwrap(second))
    }
}

/// `FusedOps::bias_gelu` on tensors.
pub fn bias_gelu<B: FusedOps>(x: Tensor<B, 2>, bias: Tensor<B, 1>) -> Tensor<B, 2> {
    wrap(B::bias_gelu(unwrap(x), unwrap(bias)))
}

/// `FusedOps::linear_rows` on tensors: x·W + b on `[rows, d_in]` rows (`None`: no bias).
pub fn linear_rows<B: FusedOps>(
    x: Tensor<B, 2>,
    weight: Tensor<B, 2>,
    bias: Option<Tensor<B, 1>>,
) -> Tensor<B, 2> {
    wrap(B::linear_rows(unwrap(x), unwrap(weight), bias.map(unwrap)))
}

/// `FusedOps::batch_matmul` on tensors.
pub fn batch_matmul<B: FusedOps>(a: Tensor<B, 4>, b: Tensor<B, 4>) -> Tensor<B, 4> {
    wrap(B::batch_matmul(unwrap(a), unwrap(b)))
}

/// `FusedOps::residual_layer_norm` on tensors.
pub fn residual_layer_norm<B: FusedOps>(
    x: Tensor<B, 2>,
    residual: Tensor<B, 2>,
    gamma: Tensor<B, 1>,
    beta: Tensor<B, 1>,
    eps: f64,
) -> Tensor<B, 2> {
    wrap(B::residual_layer_norm(
        unwrap(x),
        unwrap(residual),
        unwrap(gamma),
        unwrap(beta),
        eps,
    ))
}

/// Dropout as in training (`prob` of the values zeroed, the rest scaled by 1/(1 − prob)); the
/// identity outside training (no autodiff) or with `prob` 0, as burn's `Dropout`.
pub fn dropout<B: FusedOps, const D: usize>(x: Tensor<B, D>, prob: f64) -> Tensor<B, D> {
    let device = x.device();
    if prob == 0.0 || !B::ad_enabled(&device) {
        return x;
    }
    if !B::has_seeded_dropout() {
        return burn::nn::Dropout { prob }.forward(x);
    }
    wrap(B::seeded_dropout(
        unwrap(x),
        prob,
        dropout_seed::<B>(&device),
    ))
}

/// A seed for one dropout mask, from the backend's generator, which training reseeds at each
/// epoch: an epoch draws the same masks whether or not the run was interrupted.
fn dropout_seed<B: Backend>(device: &B::Device) -> u64 {
    let draws = Tensor::<B, 1>::random([2], burn::tensor::Distribution::Default, device)
        .into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("f32 draws");
    (u64::from(draws[0].to_bits()) << 32) | u64::from(draws[1].to_bits())
}

/// Multi-head self-attention's core from the fused Q/K/V projection `[batch·seq, 3·width]`
/// and the key bias `[batch, seq]` (0 for tokens, a large negative number for padding): the
/// context `[batch·seq, width]`, heads side by side. Dropout on the probabilities in training.
pub fn attention<B: FusedOps>(
    qkv: Tensor<B, 2>,
    key_bias: Tensor<B, 2>,
    heads: usize,
    dropout_prob: f64,
) -> Tensor<B, 2> {
    let device = qkv.device();
    let prob = if B::ad_enabled(&device) {
        dropout_prob
    } else {
        0.0
    };
    if B::has_native_attention() {
        let seed = if prob > 0.0 {
            dropout_seed::<B>(&device)
        } else {
            0
        };
        return wrap(B::attention_core(
            unwrap(qkv),
            unwrap(key_bias),
            heads,
            prob,
            seed,
        ));
    }
    decomposed::attention(qkv, key_bias, heads, |scores, bias, scale| {
        dropout(attention_softmax(scores, bias, scale), prob)
    })
}

/// `FusedOps::attention_softmax` on tensors.
pub fn attention_softmax<B: FusedOps>(
    scores: Tensor<B, 4>,
    key_bias: Tensor<B, 2>,
    scale: f64,
) -> Tensor<B, 4> {
    wrap(B::attention_softmax(
        unwrap(scores),
        unwrap(key_bias),
        scale,
    ))
}

#[cfg(test)]
mod tests;
