//! The fused operations on the CPU backend (burn-flex): one pass over contiguous f32 buffers,
//! rows spread over all cores, SIMD chosen at start (`simd`).

use burn::tensor::TensorData;
use burn::tensor::ops::FloatTensor;
use burn_flex::{Flex, FlexTensor};
use rayon::prelude::*;

use super::cpu_attention::{self, AttentionDropout, AttentionShape};
use super::cpu_linear::{self, Matrix};
use super::simd;
use super::{AdamWStep, FusedOps};

/// Rows per parallel task: enough work (≥ ~32K values) to be worth a thread.
fn rows_per_task(row_len: usize) -> usize {
    (32 * 1024 / row_len.max(1)).max(1)
}

/// The tensor's values, contiguous (a copy only when it was a strided view).
fn values(t: &FlexTensor) -> FlexTensor {
    t.to_contiguous()
}

fn slice(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>()
        .expect("the fused CPU kernels run on contiguous f32 tensors")
}

fn tensor(values: Vec<f32>, shape: Vec<usize>) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}

fn dims(t: &FlexTensor) -> Vec<usize> {
    t.layout().shape().to_vec()
}

/// Calls `f(span, block)` in parallel on blocks of whole rows (of `row_len` values) of `out`;
/// `span` is the block's range of element indices, to read the matching inputs.
fn par_rows(
    out: &mut [f32],
    row_len: usize,
    f: impl Fn(std::ops::Range<usize>, &mut [f32]) + Sync,
) {
    let block = rows_per_task(row_len) * row_len;
    out.par_chunks_mut(block).enumerate().for_each(|(i, o)| {
        let start = i * block;
        f(start..start + o.len(), o)
    });
}

impl FusedOps for Flex {
    fn concurrent_batches() -> bool {
        true
    }

    fn bias_gelu(x: FloatTensor<Self>, bias: FloatTensor<Self>) -> FloatTensor<Self> {
        let (xv, bv) = (values(&x), values(&bias));
        let (xs, bs) = (slice(&xv), slice(&bv));
        let mut out = vec![0.0f32; xs.len()];
        par_rows(&mut out, bs.len(), |span, o| {
            simd::bias_gelu(&xs[span], bs, o)
        });
        tensor(out, dims(&x))
    }

    fn linear_rows(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: Option<FloatTensor<Self>>,
    ) -> FloatTensor<Self> {
        let bias = bias.map(|b| values(&b));
        let out = cpu_linear::product(
            Matrix::of(&x),
            Matrix::of(&weight),
            bias.as_ref().map(slice),
        );
        tensor(out, vec![dims(&x)[0], dims(&weight)[1]])
    }

    fn linear_rows_backward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        (want_x, want_weight): (bool, bool),
    ) -> (Option<FloatTensor<Self>>, Option<FloatTensor<Self>>) {
        let (x_m, w_m, g_m) = (Matrix::of(&x), Matrix::of(&weight), Matrix::of(&grad));
        let d_x = want_x.then(|| {
            let values = cpu_linear::product(g_m, w_m.transposed(), None);
            tensor(values, dims(&x))
        });
        let d_weight = want_weight.then(|| {
            let values = cpu_linear::product(x_m.transposed(), g_m, None);
            tensor(values, dims(&weight))
        });
        (d_x, d_weight)
    }

    fn sum_rows(t: FloatTensor<Self>) -> FloatTensor<Self> {
        let tv = values(&t);
        let d = dims(&t)[1];
        tensor(cpu_linear::column_sums(slice(&tv), d), vec![d])
    }

    fn bias_gelu_backward(
        x: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        let (xv, bv, gv) = (values(&x), values(&bias), values(&grad));
        let (xs, bs, gs) = (slice(&xv), slice(&bv), slice(&gv));
        let mut out = vec![0.0f32; xs.len()];
        par_rows(&mut out, bs.len(), |span, o| {
            simd::bias_gelu_backward(&xs[span.clone()], bs, &gs[span], o)
        });
        tensor(out, dims(&x))
    }

    fn residual_layer_norm_saving(
        x: FloatTensor<Self>,
        residual: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        eps: f64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        layer_norm(x, residual, gamma, beta, eps, true)
    }

    fn residual_layer_norm(
        x: FloatTensor<Self>,
        residual: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        eps: f64,
    ) -> FloatTensor<Self> {
        layer_norm(x, residual, gamma, beta, eps, false).0
    }

    fn residual_layer_norm_backward(
        normalized: FloatTensor<Self>,
        rstd: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        grad: FloatTensor<Self>,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let (nv, rv, gmv, gv) = (
            values(&normalized),
            values(&rstd),
            values(&gamma),
            values(&grad),
        );
        let (ns, rs, gms, gs) = (slice(&nv), slice(&rv), slice(&gmv), slice(&gv));
        let d = gms.len();
        let rows_per = rows_per_task(d);
        let mut d_input = vec![0.0f32; ns.len()];
        // Each task sums its rows' dγ, dβ; the partial sums are added at the end.
        let partials: Vec<(Vec<f32>, Vec<f32>)> = d_input
            .par_chunks_mut(rows_per * d)
            .enumerate()
            .map(|(i, di)| {
                let rows = i * rows_per..i * rows_per + di.len() / d;
                let span = rows.start * d..rows.end * d;
                let (mut dg, mut db) = (vec![0.0f32; d], vec![0.0f32; d]);
                simd::residual_layer_norm_backward(
                    &ns[span.clone()],
                    &rs[rows],
                    gms,
                    &gs[span],
                    di,
                    &mut dg,
                    &mut db,
                );
                (dg, db)
            })
            .collect();
        let (mut d_gamma, mut d_beta) = (vec![0.0f32; d], vec![0.0f32; d]);
        for (dg, db) in partials {
            for i in 0..d {
                d_gamma[i] += dg[i];
                d_beta[i] += db[i];
            }
        }
        (
            tensor(d_input, dims(&normalized)),
            tensor(d_gamma, vec![d]),
            tensor(d_beta, vec![d]),
        )
    }

    fn attention_softmax(
        scores: FloatTensor<Self>,
        key_bias: FloatTensor<Self>,
        scale: f64,
    ) -> FloatTensor<Self> {
        let shape = dims(&scores);
        let keys = shape[shape.len() - 1];
        let batch = shape[0];
        let rows_per_item = shape.iter().product::<usize>() / (batch * keys).max(1);
        let (sv, bv) = (values(&scores), values(&key_bias));
        let (ss, bs) = (slice(&sv), slice(&bv));
        let mut out = vec![0.0f32; ss.len()];
        // One task per (item, block of rows): a row's key bias is its batch item's.
        let item_len = rows_per_item * keys;
        let block = rows_per_task(keys).min(rows_per_item.max(1)) * keys;
        out.par_chunks_mut(item_len.max(1))
            .enumerate()
            .for_each(|(item, o)| {
                let bias = &bs[item * keys..(item + 1) * keys];
                let s = &ss[item * item_len..(item + 1) * item_len];
                o.par_chunks_mut(block).enumerate().for_each(|(j, ob)| {
                    let start = j * block;
                    simd::attention_softmax(&s[start..start + ob.len()], bias, scale as f32, ob)
                });
            });
        tensor(out, shape)
    }

    fn attention_softmax_backward(
        probs: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        scale: f64,
    ) -> FloatTensor<Self> {
        let shape = dims(&probs);
        let keys = shape[shape.len() - 1];
        let (pv, gv) = (values(&probs), values(&grad));
        let (ps, gs) = (slice(&pv), slice(&gv));
        let mut out = vec![0.0f32; ps.len()];
        par_rows(&mut out, keys, |span, o| {
            simd::attention_softmax_backward(&ps[span.clone()], &gs[span], keys, scale as f32, o)
        });
        tensor(out, shape)
    }

    fn has_seeded_dropout() -> bool {
        true
    }

    fn seeded_dropout(x: FloatTensor<Self>, prob: f64, seed: u64) -> FloatTensor<Self> {
        let xv = values(&x);
        let xs = slice(&xv);
        let keys = simd::dropout_keys(seed);
        let keep = (1.0 - prob) as f32;
        let mut out = vec![0.0f32; xs.len()];
        const BLOCK: usize = 16 * 1024;
        out.par_chunks_mut(BLOCK).enumerate().for_each(|(i, o)| {
            let first = i * BLOCK;
            simd::dropout(&xs[first..first + o.len()], first, keys, keep, o)
        });
        tensor(out, dims(&x))
    }

    fn has_native_attention() -> bool {
        true
    }

    fn attention_core_saving(
        qkv: FloatTensor<Self>,
        key_bias: FloatTensor<Self>,
        heads: usize,
        prob: f64,
        seed: u64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>) {
        let shape = attention_shape(&qkv, &key_bias, heads);
        let (qv, bv) = (values(&qkv), values(&key_bias));
        let (context, probs) = cpu_attention::forward(
            slice(&qv),
            slice(&bv),
            shape,
            AttentionDropout { prob, seed },
        );
        (
            tensor(context, vec![shape.batch * shape.seq, shape.width]),
            tensor(probs, vec![shape.batch, heads, shape.seq, shape.seq]),
        )
    }

    fn attention_core_backward(
        qkv: FloatTensor<Self>,
        probs: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        heads: usize,
        prob: f64,
        seed: u64,
    ) -> FloatTensor<Self> {
        let dims_probs = dims(&probs);
        let shape = AttentionShape {
            batch: dims_probs[0],
            seq: dims_probs[2],
            heads,
            width: dims(&qkv)[1] / 3,
        };
        let (qv, pv, gv) = (values(&qkv), values(&probs), values(&grad));
        let d_qkv = cpu_attention::backward(
            slice(&qv),
            slice(&pv),
            slice(&gv),
            shape,
            AttentionDropout { prob, seed },
        );
        tensor(d_qkv, dims(&qkv))
    }

    fn adamw_step(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        moments: Option<(FloatTensor<Self>, FloatTensor<Self>)>,
        step: AdamWStep,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let gv = values(&grad);
        let gs = slice(&gv);
        let mut param = owned(param);
        let (mut first, mut second) = match moments {
            Some((m, v)) => (owned(m), owned(v)),
            None => (
                tensor(vec![0.0; gs.len()], vec![gs.len()]),
                tensor(vec![0.0; gs.len()], vec![gs.len()]),
            ),
        };
        const BLOCK: usize = 16 * 1024;
        param
            .storage_mut::<f32>()
            .par_chunks_mut(BLOCK)
            .zip(first.storage_mut::<f32>().par_chunks_mut(BLOCK))
            .zip(second.storage_mut::<f32>().par_chunks_mut(BLOCK))
            .zip(gs.par_chunks(BLOCK))
            .for_each(|(((p, m), v), g)| simd::adamw(p, m, v, g, step));
        (param, first, second)
    }
}

fn attention_shape(qkv: &FlexTensor, key_bias: &FlexTensor, heads: usize) -> AttentionShape {
    let bias = dims(key_bias);
    AttentionShape {
        batch: bias[0],
        seq: bias[1],
        heads,
        width: dims(qkv)[1] / 3,
    }
}

/// The tensor's buffer, owned and contiguous: the same memory when nothing else holds it.
fn owned(t: FlexTensor) -> FlexTensor {
    FlexTensor::from_data(t.into_data())
}

fn layer_norm(
    x: FlexTensor,
    residual: FlexTensor,
    gamma: FlexTensor,
    beta: FlexTensor,
    eps: f64,
    keep_normalized: bool,
) -> (FlexTensor, FlexTensor, FlexTensor) {
    let (xv, resv, gv, bv) = (values(&x), values(&residual), values(&gamma), values(&beta));
    let (xs, res, gs, bs) = (slice(&xv), slice(&resv), slice(&gv), slice(&bv));
    let d = gs.len();
    let rows = xs.len() / d;
    let mut out = vec![0.0f32; xs.len()];
    let mut normalized = if keep_normalized {
        vec![0.0f32; xs.len()]
    } else {
        Vec::new()
    };
    let mut rstd = vec![0.0f32; rows];
    let rows_per = rows_per_task(d);
    let block = rows_per * d;
    out.par_chunks_mut(block)
        .zip(rstd.par_chunks_mut(rows_per))
        .enumerate()
        .zip(normalized_chunks(
            &mut normalized,
            block,
            rows.div_ceil(rows_per),
        ))
        .for_each(|((i, (o, r)), n)| {
            let span = i * block..i * block + o.len();
            let n: &mut [f32] = n.unwrap_or(&mut []);
            simd::residual_layer_norm(&xs[span.clone()], &res[span], gs, bs, eps as f32, o, n, r);
        });
    let shape = dims(&x);
    let normalized = if keep_normalized {
        tensor(normalized, shape.clone())
    } else {
        tensor(Vec::new(), vec![0])
    };
    (tensor(out, shape), normalized, tensor(rstd, vec![rows]))
}

/// The normalised-rows buffer cut like the output, or `None` for each block when it is not kept.
fn normalized_chunks(
    buffer: &mut [f32],
    block: usize,
    blocks: usize,
) -> impl IndexedParallelIterator<Item = Option<&mut [f32]>> {
    let chunks: Vec<Option<&mut [f32]>> = if buffer.is_empty() {
        (0..blocks).map(|_| None).collect()
    } else {
        buffer.chunks_mut(block).map(Some).collect()
    };
    chunks.into_par_iter()
}
