//! The fused operations written with burn's ordinary tensor ops, on any backend: the default
//! bodies of `FusedOps` (so GPU backends run these) and the reference the native kernels and
//! their hand-written gradients are tested against (under `Autodiff`, burn differentiates these
//! op by op).

use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

use super::AdamWStep;

/// 1/√(2π)
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

pub fn bias_gelu<B: Backend>(x: Tensor<B, 2>, bias: Tensor<B, 1>) -> Tensor<B, 2> {
    burn::tensor::activation::gelu(x + bias.unsqueeze())
}

/// grad · gelu'(x + bias), with the exact derivative Φ(z) + z·φ(z).
pub fn bias_gelu_backward<B: Backend>(
    x: Tensor<B, 2>,
    bias: Tensor<B, 1>,
    grad: Tensor<B, 2>,
) -> Tensor<B, 2> {
    let z = x + bias.unsqueeze();
    let cdf = z
        .clone()
        .mul_scalar(std::f64::consts::FRAC_1_SQRT_2)
        .erf()
        .add_scalar(1.0)
        .mul_scalar(0.5);
    let pdf = z
        .clone()
        .powi_scalar(2)
        .mul_scalar(-0.5)
        .exp()
        .mul_scalar(FRAC_1_SQRT_2PI);
    grad * (cdf + z * pdf)
}

pub fn linear<B: Backend>(
    x: Tensor<B, 2>,
    weight: Tensor<B, 2>,
    bias: Option<Tensor<B, 1>>,
) -> Tensor<B, 2> {
    let product = x.matmul(weight);
    match bias {
        Some(bias) => product + bias.unsqueeze(),
        None => product,
    }
}

/// (LayerNorm(x + residual), the normalised rows, 1/σ of each row).
pub fn residual_layer_norm<B: Backend>(
    x: Tensor<B, 2>,
    residual: Tensor<B, 2>,
    gamma: Tensor<B, 1>,
    beta: Tensor<B, 1>,
    eps: f64,
) -> (Tensor<B, 2>, Tensor<B, 2>, Tensor<B, 1>) {
    let sum = x + residual;
    let [rows, _] = sum.dims();
    let centered = sum.clone() - sum.mean_dim(1);
    let rstd = centered
        .clone()
        .powi_scalar(2)
        .mean_dim(1)
        .add_scalar(eps)
        .sqrt()
        .recip();
    let normalized = centered * rstd.clone();
    let out = normalized.clone() * gamma.unsqueeze() + beta.unsqueeze();
    (out, normalized, rstd.reshape([rows]))
}

/// (d input, dγ, dβ) of `residual_layer_norm`.
pub fn residual_layer_norm_backward<B: Backend>(
    normalized: Tensor<B, 2>,
    rstd: Tensor<B, 1>,
    gamma: Tensor<B, 1>,
    grad: Tensor<B, 2>,
) -> (Tensor<B, 2>, Tensor<B, 1>, Tensor<B, 1>) {
    let [rows, d] = grad.dims();
    let g = grad.clone() * gamma.unsqueeze();
    let mean_g = g.clone().mean_dim(1);
    let mean_gn = (g.clone() * normalized.clone()).mean_dim(1);
    let d_input = (g - mean_g - normalized.clone() * mean_gn) * rstd.reshape([rows, 1]);
    let d_gamma = (grad.clone() * normalized).sum_dim(0).reshape([d]);
    let d_beta = grad.sum_dim(0).reshape([d]);
    (d_input, d_gamma, d_beta)
}

pub fn attention_softmax<B: Backend>(
    scores: Tensor<B, 4>,
    key_bias: Tensor<B, 2>,
    scale: f64,
) -> Tensor<B, 4> {
    let [batch, keys] = key_bias.dims();
    let z = scores.mul_scalar(scale) + key_bias.reshape([batch, 1, 1, keys]);
    burn::tensor::activation::softmax(z, 3)
}

pub fn attention_softmax_backward<B: Backend>(
    probs: Tensor<B, 4>,
    grad: Tensor<B, 4>,
    scale: f64,
) -> Tensor<B, 4> {
    let dot = (grad.clone() * probs.clone()).sum_dim(3);
    (grad - dot).mul(probs).mul_scalar(scale)
}

/// (parameter, first moment, second moment) after one AdamW update.
pub fn adamw_step<B: Backend>(
    param: Tensor<B, 1>,
    grad: Tensor<B, 1>,
    moments: Option<(Tensor<B, 1>, Tensor<B, 1>)>,
    s: AdamWStep,
) -> (Tensor<B, 1>, Tensor<B, 1>, Tensor<B, 1>) {
    let grad = grad.mul_scalar(s.grad_scale);
    let (first, second) = match moments {
        Some((m, v)) => (
            m.mul_scalar(s.beta1) + grad.clone().mul_scalar(1.0 - s.beta1),
            v.mul_scalar(s.beta2) + grad.powi_scalar(2).mul_scalar(1.0 - s.beta2),
        ),
        None => (
            grad.clone().mul_scalar(1.0 - s.beta1),
            grad.powi_scalar(2).mul_scalar(1.0 - s.beta2),
        ),
    };
    let bias1 = 1.0 - s.beta1.powi(s.step);
    let bias2 = 1.0 - s.beta2.powi(s.step);
    let denom = second
        .clone()
        .sqrt()
        .div_scalar(bias2.sqrt())
        .add_scalar(s.epsilon);
    let param = param.mul_scalar(1.0 - s.learning_rate * s.weight_decay)
        - first.clone().div(denom).mul_scalar(s.learning_rate / bias1);
    (param, first, second)
}

/// The attention core from the fused projection `qkv` `[batch·seq, 3·width]`: heads split out
/// of Q, K and V, `probabilities(scores, key_bias, scale)` (softmax and dropout, given by the
/// caller), × V, heads joined back into `[batch·seq, width]`. The two products are
/// `FusedOps::batch_matmul` (burn's matmul, at the job's precision on a GPU).
pub fn attention<B: super::FusedOps>(
    qkv: Tensor<B, 2>,
    key_bias: Tensor<B, 2>,
    heads: usize,
    probabilities: impl Fn(Tensor<B, 4>, Tensor<B, 2>, f64) -> Tensor<B, 4>,
) -> Tensor<B, 2> {
    let [batch, seq] = key_bias.dims();
    let width = qkv.dims()[1] / 3;
    let head_dim = width / heads;
    let split = |part: usize| {
        qkv.clone()
            .narrow(1, part * width, width)
            .reshape([batch, seq, heads, head_dim])
            .swap_dims(1, 2)
    };
    let (q, k, v) = (split(0), split(1), split(2));
    let probs = probabilities(
        super::batch_matmul(q, k.swap_dims(2, 3)),
        key_bias,
        1.0 / (head_dim as f64).sqrt(),
    );
    super::batch_matmul(probs, v)
        .swap_dims(1, 2)
        .reshape([batch * seq, width])
}
