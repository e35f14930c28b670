//! How a job's matrix products are computed on a GPU: the number format of their inputs and
//! whether the card's tensor cores may round f32 inputs to TF32. A job sets it for the thread
//! that drives the model (`PrecisionScope`); the GPU backends' `FusedOps` read it at each product
//! (burn's GPU backends launch their kernels from the calling thread, the backward pass too).
//! The CPU backend computes every product in f32 whatever is set.

use std::cell::Cell;
use std::marker::PhantomData;

/// The number format of a job's matrix products on a GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatmulPrecision {
    /// The backend's own choice: on NVIDIA cards, tensor cores with f32 inputs rounded to TF32
    /// (10-bit mantissa), about 1e-3 from transformers' logits.
    #[default]
    Fast,
    /// Full f32 products without tensor cores: transformers' logits within 1e-4, slower.
    Exact,
    /// Inputs rounded to IEEE half precision, sums kept in f32 (the Trainer's `fp16`).
    F16,
    /// Inputs rounded to bfloat16, sums kept in f32 (the Trainer's `bf16`).
    Bf16,
}

thread_local! {
    static CURRENT: Cell<MatmulPrecision> = const { Cell::new(MatmulPrecision::Fast) };
}

/// The precision set for this thread.
pub fn matmul_precision() -> MatmulPrecision {
    CURRENT.with(Cell::get)
}

/// Sets this thread's precision until dropped, then restores the one before. It cannot move to
/// another thread (it would restore that thread's setting there).
#[must_use = "the precision holds only while the scope lives"]
pub struct PrecisionScope {
    before: MatmulPrecision,
    _this_thread: PhantomData<*const ()>,
}

impl PrecisionScope {
    pub fn new(precision: MatmulPrecision) -> Self {
        PrecisionScope {
            before: CURRENT.with(|c| c.replace(precision)),
            _this_thread: PhantomData,
        }
    }
}

impl Drop for PrecisionScope {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.before));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_sets_the_precision_and_restores_the_one_before() {
        assert_eq!(matmul_precision(), MatmulPrecision::Fast);
        {
            let _outer = PrecisionScope::new(MatmulPrecision::Exact);
            {
                let _inner = PrecisionScope::new(MatmulPrecision::Bf16);
                assert_eq!(matmul_precision(), MatmulPrecision::Bf16);
            }
            assert_eq!(matmul_precision(), MatmulPrecision::Exact);
            // Another thread keeps its own.
            let elsewhere = std::thread::spawn(matmul_precision).join().unwrap();
            assert_eq!(elsewhere, MatmulPrecision::Fast);
        }
        assert_eq!(matmul_precision(), MatmulPrecision::Fast);
    }
}
