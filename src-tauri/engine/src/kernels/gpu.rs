//! The fused operations on the GPU backends (wgpu and CUDA, both burn-cubecl): burn's ordinary
//! ops (the trait's default bodies, with the exact GELU gradient), except the matrix products,
//! which follow the job's `MatmulPrecision`:
//! - `Fast`: burn's own matmul (on NVIDIA cards, tensor cores with f32 rounded to TF32);
//! - `Exact`: cubek's unit matmul, plain f32 multiply-adds on every core, no tensor cores —
//!   burn-cubecl's `MatmulStrategy` has no TF32 switch, so the kernel is launched here;
//! - `F16`/`Bf16`: inputs rounded to the half type, sums and the result in f32.

use burn::tensor::DType;
use burn::tensor::ops::FloatTensor;
use burn_cubecl::kernel::matmul::{MatmulStrategy, init_matmul_output, matmul};
use burn_cubecl::tensor::CubeTensor;
use burn_cubecl::{BoolElement, CubeBackend, CubeRuntime};
use cubek::matmul::definition::{MatmulElems, MatmulGlobalElems};
use cubek::matmul::launch::{Strategy, launch_ref};
use cubek::std::InputBinding;

use super::precision::{MatmulPrecision, matmul_precision};
use super::{FusedOps, unwrap, wrap};

impl<R: CubeRuntime, BT: BoolElement> FusedOps for CubeBackend<R, f32, i32, BT> {
    fn linear_rows(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: Option<FloatTensor<Self>>,
    ) -> FloatTensor<Self> {
        let product = wrap::<Self, 2>(product_at_precision(x, weight));
        match bias {
            Some(bias) => unwrap(product + wrap::<Self, 1>(bias).unsqueeze()),
            None => unwrap(product),
        }
    }

    fn linear_rows_backward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        (want_x, want_weight): (bool, bool),
    ) -> (Option<FloatTensor<Self>>, Option<FloatTensor<Self>>) {
        let transposed = |t: FloatTensor<Self>| unwrap(wrap::<Self, 2>(t).transpose());
        let d_x = want_x.then(|| product_at_precision(grad.clone(), transposed(weight)));
        let d_weight = want_weight.then(|| product_at_precision(transposed(x), grad));
        (d_x, d_weight)
    }

    fn batch_matmul(a: FloatTensor<Self>, b: FloatTensor<Self>) -> FloatTensor<Self> {
        product_at_precision(a, b)
    }
}

/// a·b over the last two dimensions, as the thread's `MatmulPrecision` asks; the result in f32.
fn product_at_precision<R: CubeRuntime>(a: CubeTensor<R>, b: CubeTensor<R>) -> CubeTensor<R> {
    let half = match matmul_precision() {
        MatmulPrecision::Fast => return backend_product(a, b),
        MatmulPrecision::Exact => return exact_product(a, b),
        MatmulPrecision::F16 => DType::F16,
        MatmulPrecision::Bf16 => DType::BF16,
    };
    backend_product(
        burn_cubecl::kernel::cast(a, half),
        burn_cubecl::kernel::cast(b, half),
    )
}

/// burn's own matmul with an f32 output, whatever the inputs' type: the output's type sets the
/// accumulator's (cubek `MatmulElems::from_globals`), so half inputs are summed in f32.
fn backend_product<R: CubeRuntime>(a: CubeTensor<R>, b: CubeTensor<R>) -> CubeTensor<R> {
    matmul(a, b, None, MatmulStrategy::default(), DType::F32)
        .unwrap_or_else(|e| panic!("matmul could not be launched: {e:?}"))
}

/// f32 products by cubek's unit matmul: each core multiplies and adds in f32, as PyTorch's
/// `allow_tf32 = False`.
fn exact_product<R: CubeRuntime>(a: CubeTensor<R>, b: CubeTensor<R>) -> CubeTensor<R> {
    let out = init_matmul_output(&a, &b, DType::F32);
    let mut elems = MatmulElems::from_globals(&MatmulGlobalElems {
        lhs: a.dtype.into(),
        rhs: b.dtype.into(),
        out: out.dtype.into(),
    });
    let (a_type, b_type) = (a.dtype.into(), b.dtype.into());
    launch_ref(
        &Strategy::SimpleUnit(Default::default()),
        &out.client,
        InputBinding::new(a.binding(), a_type),
        InputBinding::new(b.binding(), b_type),
        out.clone().binding(),
        &mut elems,
    )
    .unwrap_or_else(|e| panic!("exact f32 matmul could not be launched: {e:?}"));
    out
}
