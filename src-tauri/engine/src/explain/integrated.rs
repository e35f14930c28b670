//! Integrated gradients on the embeddings' output (Captum's `LayerIntegratedGradients` on
//! `bert.embeddings`): the path from the baseline text's embeddings to the text's, the
//! gradient of the class's logit along it by Gauss–Legendre quadrature, times the difference.
//! Per token, the sum over the embedding width.

use burn::module::AutodiffModule;
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{Bool, Int, Tensor, TensorData};

use crate::cancel::CancelToken;
use crate::error::{EngineError, Result};
use crate::kernels::FusedOps;
use crate::model::SequenceClassifier;

/// Tokens (sequence rows) per forward and backward pass: a long text's steps go in several
/// passes, so that memory stays that of a small training batch and a cancel is heard soon.
const TOKENS_PER_PASS: usize = 1024;

/// Nodes and weights of `n`-point Gauss–Legendre quadrature on [0, 1], as Captum maps numpy's
/// `leggauss` (node (1 + x) / 2, weight w / 2).
pub fn gauss_legendre(n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            // Root i of P_n: Tricomi's first guess, then Newton.
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
            for _ in 0..100 {
                let (p, d) = legendre(n, x);
                let dx = p / d;
                x -= dx;
                if dx.abs() < 1e-15 {
                    break;
                }
            }
            let (_, d) = legendre(n, x);
            let w = 2.0 / ((1.0 - x * x) * d * d);
            ((1.0 + x) / 2.0, w / 2.0)
        })
        .collect()
}

/// P_n(x) and its derivative, by the three-term recurrence.
fn legendre(n: usize, x: f64) -> (f64, f64) {
    let (mut before, mut p) = (1.0, x);
    if n == 0 {
        return (1.0, 0.0);
    }
    for k in 2..=n {
        let k = k as f64;
        let next = ((2.0 * k - 1.0) * x * p - (k - 1.0) * before) / k;
        before = p;
        p = next;
    }
    (p, n as f64 * (x * p - before) / (x * x - 1.0))
}

/// What one text's attribution found, per token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenAttributions {
    pub per_token: Vec<f64>,
    /// The class's logit for the text, and for the baseline.
    pub logit: f64,
    pub baseline_logit: f64,
}

/// Integrated gradients of logit `class` for token ids `ids` against `baseline` (the same
/// length), with `steps` quadrature points. `model` is on the autodiff backend with its
/// dropout off and its weights not requiring gradients: only the path is differentiated.
pub fn integrated_gradients<B: AutodiffBackend + FusedOps>(
    model: &SequenceClassifier<B>,
    ids: &[u32],
    baseline: &[u32],
    class: usize,
    steps: usize,
    cancel: &CancelToken,
) -> Result<TokenAttributions>
where
    SequenceClassifier<B>: AutodiffModule<B>,
{
    let device = &model.head.out.weight.device();
    let len = ids.len();
    // Each row at the positions transformers gives it: in RoBERTa's family the baseline's
    // padding has padding's position, as in Captum's run of the model on the baseline.
    let embed = |row: &[u32]| {
        let data: Vec<i64> = row.iter().map(|&t| t as i64).collect();
        let ids = Tensor::<B, 2, Int>::from_data(TensorData::new(data, [1, len]), device);
        let positions = Tensor::<B, 2, Int>::from_data(
            TensorData::new(model.embeddings.position_ids(row), [1, len]),
            device,
        );
        model.embeddings.forward_at(ids, positions).detach()
    };
    let text = embed(ids);
    let start = embed(baseline);
    let width = text.dims()[1];
    let difference = text.clone() - start.clone();

    let logits = model
        .forward_embedded(
            Tensor::cat(vec![text, start.clone()], 0),
            Tensor::<B, 2, Bool>::from_data(
                TensorData::new(vec![false; 2 * len], [2, len]),
                device,
            ),
        )
        .logits;
    let logits: Vec<f32> = logits.into_data().to_vec().expect("f32 logits");
    let classes = logits.len() / 2;

    let points = gauss_legendre(steps);
    let per_pass = (TOKENS_PER_PASS / len.max(1)).max(1);
    let mut summed = Tensor::<B::InnerBackend, 2>::zeros([len, width], device);
    for chunk in points.chunks(per_pass) {
        if cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let n = chunk.len();
        let alphas: Vec<f32> = chunk.iter().map(|&(a, _)| a as f32).collect();
        let weights: Vec<f32> = chunk.iter().map(|&(_, w)| w as f32).collect();
        let alphas =
            Tensor::<B, 1>::from_data(TensorData::new(alphas, [n]), device).reshape([n, 1, 1]);
        let path = (start.clone().unsqueeze_dim::<3>(0)
            + difference.clone().unsqueeze_dim::<3>(0) * alphas)
            .reshape([n * len, width])
            .detach()
            .require_grad();
        let out = model
            .forward_embedded(
                path.clone(),
                Tensor::<B, 2, Bool>::from_data(
                    TensorData::new(vec![false; n * len], [n, len]),
                    device,
                ),
            )
            .logits;
        // Σ_k w_k · logit_k: its gradient at step k is w_k times the logit's.
        let weights = Tensor::<B, 1>::from_data(TensorData::new(weights, [n]), device);
        let objective = (out.narrow(1, class, 1).reshape([n]) * weights).sum();
        let gradients = objective.backward();
        let along = path
            .grad(&gradients)
            .expect("the path requires gradients")
            .reshape([n, len, width])
            .sum_dim(0)
            .reshape([len, width]);
        summed = summed + along;
    }
    let per_token: Vec<f32> = (summed * difference.inner())
        .sum_dim(1)
        .into_data()
        .to_vec()
        .expect("f32 attributions");
    Ok(TokenAttributions {
        per_token: per_token.into_iter().map(f64::from).collect(),
        logit: logits[class] as f64,
        baseline_logit: logits[classes + class] as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_matches_numpy_and_integrates_polynomials_exactly() {
        // numpy.polynomial.legendre.leggauss(2): nodes ±1/√3, weights 1.
        let two = gauss_legendre(2);
        let third = 1.0 / 3f64.sqrt();
        assert!((two[0].0 - (1.0 + third) / 2.0).abs() < 1e-15, "{two:?}");
        assert!((two[1].0 - (1.0 - third) / 2.0).abs() < 1e-15, "{two:?}");
        assert!(two.iter().all(|&(_, w)| (w - 0.5).abs() < 1e-15));
        // n points are exact up to degree 2n − 1: ∫₀¹ x⁶³ dx = 1/64 with 32 points.
        let points = gauss_legendre(32);
        let integral: f64 = points.iter().map(|&(a, w)| w * a.powi(63)).sum();
        assert!((integral - 1.0 / 64.0).abs() < 1e-13, "{integral}");
        let total: f64 = points.iter().map(|&(_, w)| w).sum();
        assert!((total - 1.0).abs() < 1e-13);
    }
}
