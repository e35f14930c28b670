//! Each fused operation against the same computation in burn's ordinary ops (`decomposed`):
//! values on the CPU backend, and gradients under `Autodiff` (hand-written backward vs burn's
//! op-by-op differentiation), on odd shapes: one row, one token, widths that are not a multiple
//! of the SIMD width. ≤ 1e-5 relative to the largest reference value.

use burn::backend::Autodiff;
use burn::tensor::{Tensor, TensorData};

use super::*;

type Cpu = burn::backend::Flex;
type Diff = Autodiff<Cpu>;

/// Deterministic values in about [-scale, scale].
fn values(n: usize, seed: u32, scale: f32) -> Vec<f32> {
    (0..n)
        .map(|i| ((i as f32 * 12.9898 + seed as f32 * 78.233).sin() * 43_758.547).fract() * scale)
        .collect()
}

fn tensor<B: burn::tensor::backend::Backend, const D: usize>(
    shape: [usize; D],
    seed: u32,
    scale: f32,
) -> Tensor<B, D> {
    let n = shape.iter().product();
    Tensor::from_data(
        TensorData::new(values(n, seed, scale), shape),
        &Default::default(),
    )
}

fn vec_of<B: burn::tensor::backend::Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
    t.into_data().convert::<f32>().into_vec::<f32>().unwrap()
}

#[track_caller]
fn assert_close(what: &str, got: Vec<f32>, want: Vec<f32>) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
    let worst = got
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        worst <= 1e-5 * scale,
        "{what}: largest difference {worst:e} (reference scale {scale:e})"
    );
}

const ROW_SHAPES: [(usize, usize); 4] = [(1, 37), (1, 1), (5, 37), (130, 384)];

#[test]
fn bias_gelu_values_and_gradients_equal_the_decomposed_ops() {
    for (rows, d) in ROW_SHAPES {
        let x = tensor::<Cpu, 2>([rows, d], 1, 4.0);
        let b = tensor::<Cpu, 1>([d], 2, 1.0);
        assert_close(
            &format!("bias_gelu {rows}×{d}"),
            vec_of(bias_gelu(x.clone(), b.clone())),
            vec_of(decomposed::bias_gelu(x, b)),
        );

        let weights = tensor::<Diff, 2>([rows, d], 3, 1.0);
        let run = |fused: bool| {
            let x = tensor::<Diff, 2>([rows, d], 1, 4.0).require_grad();
            let b = tensor::<Diff, 1>([d], 2, 1.0).require_grad();
            let out = if fused {
                bias_gelu(x.clone(), b.clone())
            } else {
                decomposed::bias_gelu(x.clone(), b.clone())
            };
            let grads = (out * weights.clone()).sum().backward();
            (
                vec_of(x.grad(&grads).unwrap()),
                vec_of(b.grad(&grads).unwrap()),
            )
        };
        let (fused, reference) = (run(true), run(false));
        assert_close(&format!("d x, bias_gelu {rows}×{d}"), fused.0, reference.0);
        assert_close(
            &format!("d bias, bias_gelu {rows}×{d}"),
            fused.1,
            reference.1,
        );
    }
}

#[test]
fn residual_layer_norm_values_and_gradients_equal_the_decomposed_ops() {
    for (rows, d) in ROW_SHAPES {
        let eps = 1e-12;
        let inputs = |seed: u32| {
            (
                tensor::<Cpu, 2>([rows, d], seed, 3.0),
                tensor::<Cpu, 2>([rows, d], seed + 1, 2.0),
                tensor::<Cpu, 1>([d], seed + 2, 1.5),
                tensor::<Cpu, 1>([d], seed + 3, 0.5),
            )
        };
        let (x, r, g, b) = inputs(10);
        assert_close(
            &format!("residual_layer_norm {rows}×{d}"),
            vec_of(residual_layer_norm(
                x.clone(),
                r.clone(),
                g.clone(),
                b.clone(),
                eps,
            )),
            vec_of(decomposed::residual_layer_norm(x, r, g, b, eps).0),
        );

        let weights = tensor::<Diff, 2>([rows, d], 20, 1.0);
        let run = |fused: bool| {
            let x = tensor::<Diff, 2>([rows, d], 10, 3.0).require_grad();
            let r = tensor::<Diff, 2>([rows, d], 11, 2.0).require_grad();
            let g = tensor::<Diff, 1>([d], 12, 1.5).require_grad();
            let b = tensor::<Diff, 1>([d], 13, 0.5).require_grad();
            let out = if fused {
                residual_layer_norm(x.clone(), r.clone(), g.clone(), b.clone(), eps)
            } else {
                decomposed::residual_layer_norm(x.clone(), r.clone(), g.clone(), b.clone(), eps).0
            };
            let grads = (out * weights.clone()).sum().backward();
            [
                vec_of(x.grad(&grads).unwrap()),
                vec_of(r.grad(&grads).unwrap()),
                vec_of(g.grad(&grads).unwrap()),
                vec_of(b.grad(&grads).unwrap()),
            ]
        };
        let (fused, reference) = (run(true), run(false));
        for ((name, got), want) in ["x", "residual", "γ", "β"].iter().zip(fused).zip(reference) {
            if d == 1 {
                // One value per row: the output is β whatever x is, so dx is 0 up to rounding
                // of (x − mean); compare on an absolute scale.
                assert!(
                    got.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-4),
                    "d {name}"
                );
                continue;
            }
            assert_close(
                &format!("d {name}, residual_layer_norm {rows}×{d}"),
                got,
                want,
            );
        }
    }
}

#[test]
fn attention_softmax_values_and_gradients_equal_the_decomposed_ops() {
    // [batch, heads, queries, keys]; the second item has padding at its end.
    for (batch, heads, seq) in [(1, 1, 1), (2, 3, 19), (3, 2, 40)] {
        let scale = 1.0 / 8f64.sqrt();
        let bias_values: Vec<f32> = (0..batch * seq)
            .map(|i| {
                if i / seq == 1 && i % seq > seq / 2 {
                    -1.0e4
                } else {
                    0.0
                }
            })
            .collect();
        let key_bias = |()| -> Tensor<Cpu, 2> {
            Tensor::from_data(
                TensorData::new(bias_values.clone(), [batch, seq]),
                &Default::default(),
            )
        };
        let scores = tensor::<Cpu, 4>([batch, heads, seq, seq], 30, 6.0);
        assert_close(
            &format!("attention_softmax {batch}×{heads}×{seq}"),
            vec_of(attention_softmax(scores.clone(), key_bias(()), scale)),
            vec_of(decomposed::attention_softmax(scores, key_bias(()), scale)),
        );

        let weights = tensor::<Diff, 4>([batch, heads, seq, seq], 31, 1.0);
        let run = |fused: bool| {
            let s = tensor::<Diff, 4>([batch, heads, seq, seq], 30, 6.0).require_grad();
            let kb: Tensor<Diff, 2> = Tensor::from_data(
                TensorData::new(bias_values.clone(), [batch, seq]),
                &Default::default(),
            );
            let out = if fused {
                attention_softmax(s.clone(), kb, scale)
            } else {
                decomposed::attention_softmax(s.clone(), kb, scale)
            };
            let grads = (out * weights.clone()).sum().backward();
            vec_of(s.grad(&grads).unwrap())
        };
        assert_close(
            &format!("d scores, attention_softmax {batch}×{heads}×{seq}"),
            run(true),
            run(false),
        );
    }
}

#[test]
fn the_hand_written_gradients_equal_burns_own_differentiation() {
    // The decomposed backward formulas (what GPU backends run) against burn's autodiff of the
    // decomposed forward, so that every backend's gradient has an outside check.
    let (rows, d) = (6, 21);
    let grad = tensor::<Cpu, 2>([rows, d], 40, 1.0);
    let x = tensor::<Diff, 2>([rows, d], 41, 3.0).require_grad();
    let b = tensor::<Diff, 1>([d], 42, 1.0).require_grad();
    let out = burn::tensor::activation::gelu(x.clone() + b.clone().unsqueeze());
    let grads = (out * Tensor::from_inner(grad.clone())).sum().backward();
    assert_close(
        "decomposed gelu gradient",
        vec_of(decomposed::bias_gelu_backward(
            x.clone().inner(),
            b.inner(),
            grad,
        )),
        vec_of(x.grad(&grads).unwrap()),
    );
}

#[test]
fn adamw_step_equals_the_decomposed_update() {
    for n in [1, 37, 40_000] {
        let step = |k: i32| AdamWStep {
            learning_rate: 4e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.01,
            grad_scale: 0.7,
            step: k,
        };
        let p = tensor::<Cpu, 1>([n], 50, 1.0);
        let g = tensor::<Cpu, 1>([n], 51, 0.1);
        let m = tensor::<Cpu, 1>([n], 52, 0.01);
        let v = tensor::<Cpu, 1>([n], 53, 0.001).abs();
        // The first step (no moments yet) and a later one.
        for (k, moments) in [(1, None), (5, Some((m.clone(), v.clone())))] {
            let fused = Cpu::adamw_step(
                unwrap(p.clone()),
                unwrap(g.clone()),
                moments.clone().map(|(m, v)| (unwrap(m), unwrap(v))),
                step(k),
            );
            let reference = decomposed::adamw_step(p.clone(), g.clone(), moments, step(k));
            for (what, got, want) in [
                ("parameter", fused.0, reference.0),
                ("first moment", fused.1, reference.1),
                ("second moment", fused.2, reference.2),
            ] {
                assert_close(
                    &format!("adamw {what}, n={n}, step {k}"),
                    vec_of(wrap::<Cpu, 1>(got)),
                    vec_of(want),
                );
            }
        }
    }
}

#[test]
fn seeded_dropout_keeps_the_right_share_and_its_gradient_is_the_same_mask() {
    let (rows, d) = (300, 37);
    let prob = 0.1;
    let x = tensor::<Cpu, 2>([rows, d], 60, 2.0).add_scalar(3.0); // never 0
    let out = vec_of(wrap::<Cpu, 2>(Cpu::seeded_dropout(
        unwrap(x.clone()),
        prob,
        7,
    )));
    let again = vec_of(wrap::<Cpu, 2>(Cpu::seeded_dropout(
        unwrap(x.clone()),
        prob,
        7,
    )));
    let other = vec_of(wrap::<Cpu, 2>(Cpu::seeded_dropout(
        unwrap(x.clone()),
        prob,
        8,
    )));
    assert_eq!(out, again, "the same seed gives the same mask");
    assert_ne!(out, other, "another seed, another mask");
    let kept = out.iter().filter(|v| **v != 0.0).count() as f64 / out.len() as f64;
    // 11,100 draws: the kept share is within 4 standard deviations (0.0028) of 0.9.
    assert!((kept - 0.9).abs() < 0.012, "kept {kept}");
    // Kept values are scaled by 1/(1 − p), as burn's and PyTorch's dropout.
    let mask: Vec<f32> = out
        .iter()
        .map(|v| if *v != 0.0 { 1.0 } else { 0.0 })
        .collect();
    let scaled: Vec<f32> = vec_of(x.clone())
        .iter()
        .zip(&mask)
        .map(|(v, m)| v * m / 0.9)
        .collect();
    assert_close("dropout values", out, scaled);

    // Under autodiff: the gradient is the incoming gradient through the same mask.
    let xd = Tensor::<Diff, 2>::from_inner(x).require_grad();
    let weights = tensor::<Diff, 2>([rows, d], 61, 1.0);
    let y = wrap::<Diff, 2>(Diff::seeded_dropout(unwrap(xd.clone()), prob, 7));
    let grads = (y * weights.clone()).sum().backward();
    let want: Vec<f32> = vec_of(weights)
        .iter()
        .zip(&mask)
        .map(|(w, m)| w * m / 0.9)
        .collect();
    assert_close("dropout gradient", vec_of(xd.grad(&grads).unwrap()), want);
}

#[test]
fn dropout_is_the_identity_outside_training() {
    let x = tensor::<Cpu, 2>([4, 5], 70, 1.0);
    assert_eq!(vec_of(dropout(x.clone(), 0.5)), vec_of(x));
}

#[test]
fn attention_values_and_gradients_equal_the_decomposed_ops() {
    // (batch, seq, heads, head_dim): one token; odd sizes; padding in the second text.
    for (batch, seq, heads, head_dim) in [(1, 1, 1, 5), (2, 19, 3, 7), (3, 33, 2, 16)] {
        let width = heads * head_dim;
        let bias_values: Vec<f32> = (0..batch * seq)
            .map(|i| {
                if i / seq == 1 && i % seq > seq / 2 {
                    -1.0e4
                } else {
                    0.0
                }
            })
            .collect();
        for (prob, seed) in [(0.0, 0), (0.1, 99)] {
            let what =
                format!("attention {batch}×{seq}, {heads} heads of {head_dim}, dropout {prob}");
            // The reference applies the same counter-based mask: dropout of the [batch, heads,
            // seq, seq] probabilities with the same seed numbers its elements the same way.
            fn reference<B: FusedOps>(
                qkv: Tensor<B, 2>,
                bias: Tensor<B, 2>,
                heads: usize,
                prob: f64,
                seed: u64,
            ) -> Tensor<B, 2> {
                decomposed::attention(qkv, bias, heads, |scores, bias, scale| {
                    let probs = decomposed::attention_softmax(scores, bias, scale);
                    if prob > 0.0 {
                        wrap(B::seeded_dropout(unwrap(probs), prob, seed))
                    } else {
                        probs
                    }
                })
            }
            let bias = |()| {
                Tensor::<Cpu, 2>::from_data(
                    TensorData::new(bias_values.clone(), [batch, seq]),
                    &Default::default(),
                )
            };
            let qkv = tensor::<Cpu, 2>([batch * seq, 3 * width], 80, 2.0);
            assert_close(
                &what,
                vec_of(wrap::<Cpu, 2>(Cpu::attention_core(
                    unwrap(qkv.clone()),
                    unwrap(bias(())),
                    heads,
                    prob,
                    seed,
                ))),
                vec_of(reference(qkv, bias(()), heads, prob, seed)),
            );

            let weights = tensor::<Diff, 2>([batch * seq, width], 81, 1.0);
            let run = |fused: bool| {
                let qkv = tensor::<Diff, 2>([batch * seq, 3 * width], 80, 2.0).require_grad();
                let bias: Tensor<Diff, 2> = Tensor::from_data(
                    TensorData::new(bias_values.clone(), [batch, seq]),
                    &Default::default(),
                );
                let out = if fused {
                    wrap(Diff::attention_core(
                        unwrap(qkv.clone()),
                        unwrap(bias),
                        heads,
                        prob,
                        seed,
                    ))
                } else {
                    reference(qkv.clone(), bias, heads, prob, seed)
                };
                let grads = (out * weights.clone()).sum().backward();
                vec_of(qkv.grad(&grads).unwrap())
            };
            assert_close(&format!("d qkv, {what}"), run(true), run(false));
        }
    }
}

/// (rows, d_in, d_out): one row, one feature, widths off the SIMD width, and one size large
/// enough for the gemm to spread over threads.
const LINEAR_SHAPES: [(usize, usize, usize); 4] =
    [(1, 1, 1), (1, 37, 5), (7, 37, 19), (130, 384, 1536)];

#[test]
fn linear_rows_values_and_gradients_equal_the_decomposed_ops() {
    for (rows, d_in, d_out) in LINEAR_SHAPES {
        // The weight both as stored ([d_in, d_out]) and as a transposed view of [d_out, d_in],
        // the layout of a weight read from a PyTorch checkpoint.
        for transposed in [false, true] {
            let weight_of = |seed| -> Tensor<Diff, 2> {
                if transposed {
                    tensor::<Diff, 2>([d_out, d_in], seed, 0.5).transpose()
                } else {
                    tensor::<Diff, 2>([d_in, d_out], seed, 0.5)
                }
            };
            let what = format!("{rows}×{d_in}→{d_out}, transposed weight {transposed}");
            for with_bias in [false, true] {
                let x = tensor::<Cpu, 2>([rows, d_in], 30, 2.0);
                let w = weight_of(31).inner();
                let b = with_bias.then(|| tensor::<Cpu, 1>([d_out], 32, 1.0));
                assert_close(
                    &format!("linear_rows {what}, bias {with_bias}"),
                    vec_of(linear_rows(x.clone(), w.clone(), b.clone())),
                    vec_of(decomposed::linear(x, w, b)),
                );
            }

            let weights = tensor::<Diff, 2>([rows, d_out], 33, 1.0);
            // `train_weight: false` is a frozen weight: only x's gradient is asked for.
            let run = |fused: bool, train_weight: bool| {
                let x = tensor::<Diff, 2>([rows, d_in], 30, 2.0).require_grad();
                let w = weight_of(31);
                let w = if train_weight { w.require_grad() } else { w };
                let b = tensor::<Diff, 1>([d_out], 32, 1.0).require_grad();
                let out = if fused {
                    linear_rows(x.clone(), w.clone(), Some(b.clone()))
                } else {
                    decomposed::linear(x.clone(), w.clone(), Some(b.clone()))
                };
                let grads = (out * weights.clone()).sum().backward();
                (
                    vec_of(x.grad(&grads).unwrap()),
                    w.grad(&grads).map(vec_of),
                    vec_of(b.grad(&grads).unwrap()),
                )
            };
            for train_weight in [true, false] {
                let (fused, reference) = (run(true, train_weight), run(false, train_weight));
                assert_close(&format!("d x, {what}"), fused.0, reference.0);
                assert_eq!(
                    fused.1.is_some(),
                    train_weight,
                    "d W only when W is trained"
                );
                if let (Some(got), Some(want)) = (fused.1, reference.1) {
                    assert_close(&format!("d W, {what}"), got, want);
                }
                assert_close(&format!("d b, {what}"), fused.2, reference.2);
            }
        }
    }
}

#[test]
fn linear_rows_reads_a_strided_input_in_place() {
    // x as the transpose of a [d_in, rows] tensor: no row of it is contiguous.
    let (rows, d_in, d_out) = (9, 21, 13);
    let x = tensor::<Cpu, 2>([d_in, rows], 40, 1.0).transpose();
    let w = tensor::<Cpu, 2>([d_in, d_out], 41, 1.0);
    let b = tensor::<Cpu, 1>([d_out], 42, 1.0);
    assert_close(
        "linear_rows on a transposed x",
        vec_of(linear_rows(x.clone(), w.clone(), Some(b.clone()))),
        vec_of(decomposed::linear(x, w, Some(b))),
    );
}

#[test]
fn sum_rows_equals_burns_sum_over_rows() {
    for (rows, d) in [(1, 1), (1, 37), (5000, 37), (130, 384)] {
        let t = tensor::<Cpu, 2>([rows, d], 50, 3.0);
        assert_close(
            &format!("sum_rows {rows}×{d}"),
            vec_of(wrap::<Cpu, 1>(Cpu::sum_rows(unwrap(t.clone())))),
            vec_of(t.sum_dim(0).squeeze_dim::<1>(0)),
        );
    }
}
