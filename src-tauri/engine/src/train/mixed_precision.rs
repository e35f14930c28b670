//! The number format a run's matrix products use (the recipe's `fp16`, `bf16` and `precision`),
//! refused in words where the device cannot, and the loss scaling `fp16` needs: PyTorch's
//! `GradScaler` with its defaults (scale 2¹⁶, halved and the step skipped when a gradient
//! overflows, doubled after 2000 steps in a row without overflow).
//!
//! Weights, AdamW's moments, LayerNorm, softmax and the loss stay f32 in every mode: only the
//! products' inputs are rounded (`kernels::precision`).

use burn::tensor::DType;
use burn::tensor::backend::Backend;

use super::recipe::{Precision, Recipe};
use crate::backend::{BackendChoice, BackendKind};
use crate::error::{EngineError, Result};
use crate::kernels::precision::MatmulPrecision;
use crate::said;

/// The products' precision `recipe` asks for on `backend`, or why this device cannot.
pub fn matmul_precision_for<B: Backend>(
    recipe: &Recipe,
    backend: &BackendChoice,
    device: &B::Device,
) -> Result<MatmulPrecision> {
    let half = match (recipe.fp16, recipe.bf16) {
        (true, _) => Some((MatmulPrecision::F16, DType::F16, "fp16")),
        (false, true) => Some((MatmulPrecision::Bf16, DType::BF16, "bf16")),
        (false, false) => None,
    };
    let Some((precision, dtype, field)) = half else {
        return Ok(match recipe.precision {
            Precision::Fast => MatmulPrecision::Fast,
            Precision::Exact => MatmulPrecision::Exact,
        });
    };
    if backend.kind == BackendKind::Cpu {
        return Err(EngineError::invalid(said!(
            "precision.cpu_has_no_half",
            "Half precision ({field}) needs a GPU: the CPU computes in 32-bit numbers only, and \
             rounding there would make training slower, not faster. Turn {field} off, or train \
             on a GPU.",
            field = field
        )));
    }
    if !B::supports_dtype(device, dtype) {
        return Err(EngineError::invalid(said!(
            "precision.device_has_no_half",
            "{backend} cannot compute in {field} on this GPU: its driver offers no arithmetic \
             in that number format. Turn {field} off (32-bit works everywhere), or try the \
             other half precision.",
            backend = backend.name,
            field = field
        )));
    }
    Ok(precision)
}

/// The factor the loss is multiplied by before the backward pass, so that small f16 gradients
/// do not round to zero; the gradients are divided by it again before the update.
#[derive(Debug, Clone, PartialEq)]
pub struct LossScale {
    scale: f64,
    steps_without_overflow: usize,
}

/// `GradScaler`'s defaults.
const INITIAL_SCALE: f64 = 65536.0;
const GROWTH_INTERVAL: usize = 2000;

impl LossScale {
    /// Scaling for `fp16` runs; the other precisions keep the loss as it is.
    pub fn for_precision(precision: MatmulPrecision) -> Option<Self> {
        (precision == MatmulPrecision::F16).then_some(LossScale {
            scale: INITIAL_SCALE,
            steps_without_overflow: 0,
        })
    }

    pub fn factor(&self) -> f64 {
        self.scale
    }

    /// After a step's backward pass, with the (scaled) gradients' norm: whether to apply the
    /// step. An overflow (an infinite or NaN norm) skips it and halves the scale.
    pub fn after_backward(&mut self, scaled_norm: f64) -> bool {
        if !scaled_norm.is_finite() {
            self.scale /= 2.0;
            self.steps_without_overflow = 0;
            return false;
        }
        self.steps_without_overflow += 1;
        if self.steps_without_overflow == GROWTH_INTERVAL {
            self.scale *= 2.0;
            self.steps_without_overflow = 0;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{BackendReason, CpuBackend};

    fn cpu() -> BackendChoice {
        BackendChoice {
            kind: BackendKind::Cpu,
            name: "CPU",
            reason: BackendReason::ChosenByUser,
        }
    }

    #[test]
    fn the_cpu_refuses_half_precision_in_words_and_computes_exactly() {
        let device = Default::default();
        for (fp16, bf16, field) in [(true, false, "fp16"), (false, true, "bf16")] {
            let recipe = Recipe {
                fp16,
                bf16,
                ..Recipe::default()
            };
            let err = matmul_precision_for::<CpuBackend>(&recipe, &cpu(), &device)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("Half precision ({field}) needs a GPU")),
                "{err}"
            );
        }
        let exact = Recipe {
            precision: Precision::Exact,
            ..Recipe::default()
        };
        assert_eq!(
            matmul_precision_for::<CpuBackend>(&exact, &cpu(), &device).unwrap(),
            MatmulPrecision::Exact
        );
    }

    #[test]
    fn the_loss_scale_follows_grad_scalers_rules() {
        assert_eq!(LossScale::for_precision(MatmulPrecision::Bf16), None);
        let mut scale = LossScale::for_precision(MatmulPrecision::F16).unwrap();
        assert_eq!(scale.factor(), 65536.0);
        // An overflow skips the step and halves the scale.
        assert!(!scale.after_backward(f64::INFINITY));
        assert!(!scale.after_backward(f64::NAN));
        assert_eq!(scale.factor(), 16384.0);
        // 2000 clean steps in a row double it; the count starts again after an overflow.
        for _ in 0..1999 {
            assert!(scale.after_backward(1.0));
        }
        assert_eq!(scale.factor(), 16384.0);
        assert!(scale.after_backward(1.0));
        assert_eq!(scale.factor(), 32768.0);
    }
}
