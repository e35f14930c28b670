//! The attention core on the CPU: for each (text, head), in parallel, scores = scale·Q·Kᵀ,
//! softmax with the padding mask, dropout, × V — Q, K and V read in place from the fused
//! projection's `[batch·seq, 3·width]` rows and the context written in place into
//! `[batch·seq, width]` (the gemm calls take strides, so no head is ever copied out).
//! The backward pass reads the same way and writes d(Q, K, V) into one `[batch·seq, 3·width]`.

use rayon::prelude::*;

use super::simd;

/// The shapes of one attention call.
#[derive(Debug, Clone, Copy)]
pub struct AttentionShape {
    pub batch: usize,
    pub seq: usize,
    pub heads: usize,
    pub width: usize,
}

impl AttentionShape {
    fn head_dim(&self) -> usize {
        self.width / self.heads
    }
    fn scale(&self) -> f32 {
        1.0 / (self.head_dim() as f32).sqrt()
    }
    /// Offset of (text, head)'s first row in a `[batch·seq, cols]` buffer, at column `col`.
    fn at(&self, text: usize, cols: usize, col: usize) -> usize {
        text * self.seq * cols + col
    }
}

/// Dropout of attention probabilities: prob and seed (prob 0: none).
#[derive(Debug, Clone, Copy)]
pub struct AttentionDropout {
    pub prob: f64,
    pub seed: u64,
}

/// A raw pointer that tasks writing disjoint regions may share.
#[derive(Clone, Copy)]
struct Shared(*mut f32);
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

impl Shared {
    /// The pointer `offset` values in (a method, so closures capture the `Send` wrapper).
    unsafe fn add(self, offset: usize) -> *mut f32 {
        unsafe { self.0.add(offset) }
    }
}

/// dst (m×n, strides rs/cs) = beta · lhs (m×k) · rhs (k×n), single-threaded (the caller runs
/// one task per head).
#[allow(clippy::too_many_arguments)]
unsafe fn gemm(
    (m, n, k): (usize, usize, usize),
    dst: *mut f32,
    (dst_rs, dst_cs): (isize, isize),
    lhs: *const f32,
    (lhs_rs, lhs_cs): (isize, isize),
    rhs: *const f32,
    (rhs_rs, rhs_cs): (isize, isize),
    beta: f32,
) {
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            dst_cs,
            dst_rs,
            false,
            lhs,
            lhs_cs,
            lhs_rs,
            rhs,
            rhs_cs,
            rhs_rs,
            0.0f32,
            beta,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

/// Applies the attention dropout of (text, head) `item` to `probs` into `out`.
fn drop_probs(probs: &[f32], item: usize, dropout: AttentionDropout, out: &mut [f32]) {
    let keys = simd::dropout_keys(dropout.seed);
    simd::dropout(
        probs,
        item * probs.len(),
        keys,
        (1.0 - dropout.prob) as f32,
        out,
    );
}

/// Forward: returns (context `[batch·seq, width]`, probabilities before dropout
/// `[batch, heads, seq, seq]`, kept for the gradient).
pub fn forward(
    qkv: &[f32],
    key_bias: &[f32],
    shape: AttentionShape,
    dropout: AttentionDropout,
) -> (Vec<f32>, Vec<f32>) {
    let AttentionShape {
        seq, heads, width, ..
    } = shape;
    let hd = shape.head_dim();
    let (w3, w) = (3 * width as isize, width as isize);
    let mut context = vec![0.0f32; shape.batch * seq * width];
    let mut probs = vec![0.0f32; shape.batch * heads * seq * seq];
    let out = Shared(context.as_mut_ptr());
    probs.par_chunks_mut(seq * seq).enumerate().for_each_init(
        Vec::new,
        |scratch: &mut Vec<f32>, (item, p)| {
            let (text, head) = (item / heads, item % heads);
            let q = qkv[shape.at(text, 3 * width, head * hd)..].as_ptr();
            let k = qkv[shape.at(text, 3 * width, width + head * hd)..].as_ptr();
            let v = qkv[shape.at(text, 3 * width, 2 * width + head * hd)..].as_ptr();
            scratch.resize(seq * seq, 0.0);
            // SAFETY: every pointer stays inside its buffer for the shapes given (rows of `seq`
            // tokens of one text); each task writes only its own head's columns of the context.
            unsafe {
                let dst = scratch.as_mut_ptr();
                gemm(
                    (seq, seq, hd),
                    dst,
                    (seq as isize, 1),
                    q,
                    (w3, 1),
                    k,
                    (1, w3),
                    1.0,
                );
            }
            let bias = &key_bias[text * seq..(text + 1) * seq];
            simd::attention_softmax(scratch, bias, shape.scale(), p);
            let used: &[f32] = if dropout.prob > 0.0 {
                drop_probs(p, item, dropout, scratch);
                scratch
            } else {
                p
            };
            unsafe {
                let ctx = out.add(shape.at(text, width, head * hd));
                gemm(
                    (seq, hd, seq),
                    ctx,
                    (w, 1),
                    used.as_ptr(),
                    (seq as isize, 1),
                    v,
                    (w3, 1),
                    1.0,
                );
            }
        },
    );
    (context, probs)
}

/// Backward: d(qkv) `[batch·seq, 3·width]` from d(context) and what the forward kept.
pub fn backward(
    qkv: &[f32],
    probs: &[f32],
    d_context: &[f32],
    shape: AttentionShape,
    dropout: AttentionDropout,
) -> Vec<f32> {
    let AttentionShape {
        seq, heads, width, ..
    } = shape;
    let hd = shape.head_dim();
    let (w3, w) = (3 * width as isize, width as isize);
    let s = seq as isize;
    let mut d_qkv = vec![0.0f32; shape.batch * seq * 3 * width];
    let out = Shared(d_qkv.as_mut_ptr());
    probs.par_chunks(seq * seq).enumerate().for_each_init(
        || (Vec::new(), Vec::new()),
        |(dropped, d_probs): &mut (Vec<f32>, Vec<f32>), (item, p)| {
            let (text, head) = (item / heads, item % heads);
            let q = qkv[shape.at(text, 3 * width, head * hd)..].as_ptr();
            let k = qkv[shape.at(text, 3 * width, width + head * hd)..].as_ptr();
            let v = qkv[shape.at(text, 3 * width, 2 * width + head * hd)..].as_ptr();
            let dc = d_context[shape.at(text, width, head * hd)..].as_ptr();
            let dq = unsafe { out.add(shape.at(text, 3 * width, head * hd)) };
            let dk = unsafe { out.add(shape.at(text, 3 * width, width + head * hd)) };
            let dv = unsafe { out.add(shape.at(text, 3 * width, 2 * width + head * hd)) };
            dropped.resize(seq * seq, 0.0);
            d_probs.resize(seq * seq, 0.0);
            let used: &[f32] = if dropout.prob > 0.0 {
                drop_probs(p, item, dropout, dropped);
                dropped
            } else {
                p
            };
            // SAFETY: as in `forward`; each task writes only its own head's columns of
            // d(qkv).
            unsafe {
                // dV = P_usedᵀ · dC
                gemm(
                    (seq, hd, seq),
                    dv,
                    (w3, 1),
                    used.as_ptr(),
                    (1, s),
                    dc,
                    (w, 1),
                    1.0,
                );
                // dP_used = dC · Vᵀ
                gemm(
                    (seq, seq, hd),
                    d_probs.as_mut_ptr(),
                    (s, 1),
                    dc,
                    (w, 1),
                    v,
                    (1, w3),
                    1.0,
                );
            }
            if dropout.prob > 0.0 {
                // The same mask on the gradient.
                dropped.copy_from_slice(d_probs);
                drop_probs(dropped, item, dropout, d_probs);
            }
            // d scores (before scaling) = scale · P ∘ (dP − Σ dP∘P), into `dropped`.
            simd::attention_softmax_backward(p, d_probs, seq, shape.scale(), dropped);
            unsafe {
                // dQ = dS · K, dK = dSᵀ · Q
                gemm(
                    (seq, hd, seq),
                    dq,
                    (w3, 1),
                    dropped.as_ptr(),
                    (s, 1),
                    k,
                    (w3, 1),
                    1.0,
                );
                gemm(
                    (seq, hd, seq),
                    dk,
                    (w3, 1),
                    dropped.as_ptr(),
                    (1, s),
                    q,
                    (w3, 1),
                    1.0,
                );
            }
        },
    );
    d_qkv
}
