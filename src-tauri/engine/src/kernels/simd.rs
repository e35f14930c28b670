//! The CPU kernels' arithmetic, written once and compiled three times: for AVX-512, for
//! AVX2 + FMA and for any x86-64 (or other) CPU. The instruction set is chosen when the program
//! starts, never at build time, so one binary runs on every laptop. The loops are branch-free
//! so that the compiler vectorises them for the chosen instruction set.

use std::sync::OnceLock;

/// The instruction set the kernels run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SimdLevel {
    Portable,
    Avx2,
    Avx512,
}

impl SimdLevel {
    pub fn name(self) -> &'static str {
        match self {
            SimdLevel::Portable => "portable",
            SimdLevel::Avx2 => "AVX2",
            SimdLevel::Avx512 => "AVX-512",
        }
    }
}

fn detected() -> SimdLevel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("fma")
        {
            return SimdLevel::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return SimdLevel::Avx2;
        }
    }
    SimdLevel::Portable
}

/// The level in use: the best this CPU has, lowered by `BERT_STUDIO_SIMD=avx2|portable` (for
/// measuring what a machine without AVX-512 gets; a level the CPU lacks is never raised to).
pub fn simd_level() -> SimdLevel {
    static LEVEL: OnceLock<SimdLevel> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let best = detected();
        let asked = match std::env::var("BERT_STUDIO_SIMD").as_deref() {
            Ok("avx2") => SimdLevel::Avx2,
            Ok("portable") => SimdLevel::Portable,
            _ => best,
        };
        asked.min(best)
    })
}

/// Defines `pub fn $name(...)` that runs `$body` compiled for the level chosen at start.
macro_rules! dispatched {
    ($(#[$meta:meta])* pub fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $body:block) => {
        $(#[$meta])*
        pub fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn body($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
                unsafe fn avx512($($arg: $ty),*) { body($($arg),*) }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2($($arg: $ty),*) { body($($arg),*) }
                match simd_level() {
                    // SAFETY: simd_level() reports only instruction sets this CPU has.
                    SimdLevel::Avx512 => return unsafe { avx512($($arg),*) },
                    SimdLevel::Avx2 => return unsafe { avx2($($arg),*) },
                    SimdLevel::Portable => {}
                }
            }
            body($($arg),*)
        }
    };
}

const LANES: usize = 16;

/// Σ x, with 16 independent partial sums so that the loop vectorises.
#[inline(always)]
fn sum(x: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            acc[i] += c[i];
        }
    }
    acc.iter().sum::<f32>() + tail.iter().sum::<f32>()
}

/// Σ a·b, vectorised like `sum`.
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[inline(always)]
fn max(x: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            acc[i] = if c[i] > acc[i] { c[i] } else { acc[i] };
        }
    }
    acc.iter()
        .chain(tail)
        .fold(f32::NEG_INFINITY, |m, v| if *v > m { *v } else { m })
}

/// e^x to about 2 ulp, branch-free: x = n·ln2 + r, a degree-6 polynomial for e^r, 2^n from
/// the exponent bits.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
    const SHIFTER: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let t = x * LOG2E + SHIFTER;
    let n = t - SHIFTER;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0 / 720.0;
    let p = p * r + 1.0 / 120.0;
    let p = p * r + 1.0 / 24.0;
    let p = p * r + 1.0 / 6.0;
    let p = p * r + 0.5;
    let p = p * r + 1.0;
    let p = p * r + 1.0;
    let k = (t.to_bits() as i32).wrapping_sub(0x4B40_0000);
    let scale = f32::from_bits(((k + 127) << 23) as u32);
    p * scale
}

/// erf(x) as PyTorch's vectorised CPU kernels compute it (Abramowitz & Stegun 7.1.26, absolute
/// error below 1.5e-7): the same GELU values as the reference, to the last digits.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (0.327_591_1 * a + 1.0);
    let r = 1.061_405_4;
    let r = r * t - 1.453_152;
    let r = r * t + 1.421_413_8;
    let r = r * t - 0.284_496_74;
    let r = r * t + 0.254_829_6;
    let y = 1.0 - r * t * exp(-a * a);
    y.copysign(x)
}

const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// 1/√(2π)
const FRAC_1_SQRT_2PI: f32 = 0.398_942_28;

dispatched! {
    /// out = gelu(x + bias) row by row; `bias` is one row.
    pub fn bias_gelu(x: &[f32], bias: &[f32], out: &mut [f32]) {
        for (xr, or) in x.chunks_exact(bias.len()).zip(out.chunks_exact_mut(bias.len())) {
            for ((o, v), b) in or.iter_mut().zip(xr).zip(bias) {
                let z = v + b;
                *o = 0.5 * z * (1.0 + erf(z * FRAC_1_SQRT_2));
            }
        }
    }
}

dispatched! {
    /// out = grad · gelu'(x + bias), the exact (erf) derivative.
    pub fn bias_gelu_backward(x: &[f32], bias: &[f32], grad: &[f32], out: &mut [f32]) {
        let d = bias.len();
        for ((xr, gr), or) in x.chunks_exact(d).zip(grad.chunks_exact(d)).zip(out.chunks_exact_mut(d)) {
            for (((o, v), g), b) in or.iter_mut().zip(xr).zip(gr).zip(bias) {
                let z = v + b;
                let cdf = 0.5 * (1.0 + erf(z * FRAC_1_SQRT_2));
                let pdf = FRAC_1_SQRT_2PI * exp(-0.5 * z * z);
                *o = g * (cdf + z * pdf);
            }
        }
    }
}

dispatched! {
    /// LayerNorm(x + residual) row by row. Writes the output, 1/σ of each row, and the
    /// normalised rows when `normalized` is not empty (training keeps them for the gradient).
    pub fn residual_layer_norm(
        x: &[f32],
        residual: &[f32],
        gamma: &[f32],
        beta: &[f32],
        eps: f32,
        out: &mut [f32],
        normalized: &mut [f32],
        rstd: &mut [f32],
    ) {
        let d = gamma.len();
        let inv_d = 1.0 / d as f32;
        for (row, inv_std) in rstd.iter_mut().enumerate() {
            let span = row * d..(row + 1) * d;
            let o = &mut out[span.clone()];
            for ((o, a), b) in o.iter_mut().zip(&x[span.clone()]).zip(&residual[span.clone()]) {
                *o = a + b;
            }
            let mean = sum(o) * inv_d;
            for v in o.iter_mut() {
                *v -= mean;
            }
            let var = dot(o, o) * inv_d;
            let r = 1.0 / (var + eps).sqrt();
            *inv_std = r;
            if !normalized.is_empty() {
                for (n, v) in normalized[span.clone()].iter_mut().zip(o.iter()) {
                    *n = v * r;
                }
            }
            for ((v, g), b) in o.iter_mut().zip(gamma).zip(beta) {
                *v = *v * r * g + b;
            }
        }
    }
}

dispatched! {
    /// Gradient of `residual_layer_norm` for the rows given: writes d(input) and adds this
    /// block's share of dγ and dβ to the accumulators.
    pub fn residual_layer_norm_backward(
        normalized: &[f32],
        rstd: &[f32],
        gamma: &[f32],
        grad: &[f32],
        d_input: &mut [f32],
        d_gamma: &mut [f32],
        d_beta: &mut [f32],
    ) {
        let d = gamma.len();
        let inv_d = 1.0 / d as f32;
        for (row, r) in rstd.iter().enumerate() {
            let span = row * d..(row + 1) * d;
            let (n, g, di) = (&normalized[span.clone()], &grad[span.clone()], &mut d_input[span]);
            // di holds grad·γ until the last pass.
            for ((o, gv), gm) in di.iter_mut().zip(g).zip(gamma) {
                *o = gv * gm;
            }
            let mean_g = sum(di) * inv_d;
            let mean_gn = dot(di, n) * inv_d;
            for (o, nv) in di.iter_mut().zip(n) {
                *o = r * (*o - mean_g - nv * mean_gn);
            }
            for (((dg, db), gv), nv) in d_gamma.iter_mut().zip(d_beta.iter_mut()).zip(g).zip(n) {
                *dg += gv * nv;
                *db += gv;
            }
        }
    }
}

dispatched! {
    /// Attention probabilities: softmax(scores·scale + key_bias) over each row of `keys`
    /// scores; `key_bias` is one row (0 for a token, a large negative number for padding).
    pub fn attention_softmax(scores: &[f32], key_bias: &[f32], scale: f32, out: &mut [f32]) {
        let keys = key_bias.len();
        for (s, o) in scores.chunks_exact(keys).zip(out.chunks_exact_mut(keys)) {
            for ((o, v), b) in o.iter_mut().zip(s).zip(key_bias) {
                *o = v * scale + b;
            }
            let m = max(o);
            for v in o.iter_mut() {
                *v = exp(*v - m);
            }
            let inv = 1.0 / sum(o);
            for v in o.iter_mut() {
                *v *= inv;
            }
        }
    }
}

dispatched! {
    /// Gradient of `attention_softmax` w.r.t. the scores: scale · p · (g − Σ g·p), row by row.
    pub fn attention_softmax_backward(probs: &[f32], grad: &[f32], keys: usize, scale: f32, out: &mut [f32]) {
        for ((p, g), o) in probs.chunks_exact(keys).zip(grad.chunks_exact(keys)).zip(out.chunks_exact_mut(keys)) {
            let s = dot(p, g);
            for ((o, pv), gv) in o.iter_mut().zip(p).zip(g) {
                *o = scale * pv * (gv - s);
            }
        }
    }
}

/// A 32-bit integer hash with good avalanche (Chris Wellons' "lowbias32").
#[inline(always)]
fn mix(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// The dropout mask's keys from a 64-bit seed.
pub fn dropout_keys(seed: u64) -> (u32, u32) {
    (mix(seed as u32), mix((seed >> 32) as u32 ^ 0x9e37_79b9))
}

dispatched! {
    /// out = x · mask / keep, where element i (global index `first + i`) is kept when a
    /// counter-based hash of (seed, index) falls below `keep`: the same seed gives the same mask
    /// in any order, on any number of threads, so the gradient (the same operation on the
    /// incoming gradient) needs no stored mask.
    pub fn dropout(x: &[f32], first: usize, keys: (u32, u32), keep: f32, out: &mut [f32]) {
        let threshold = (keep as f64 * 4_294_967_296.0).min(4_294_967_295.0) as u32;
        let scale = 1.0 / keep;
        for (i, (o, v)) in out.iter_mut().zip(x).enumerate() {
            let h = mix(mix((first + i) as u32 ^ keys.0) ^ keys.1);
            *o = if h < threshold { v * scale } else { 0.0 };
        }
    }
}

/// The numbers of one AdamW update (torch.optim.AdamW: decoupled weight decay, bias-corrected
/// moments), shared by every parameter of a step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWStep {
    pub learning_rate: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
    pub weight_decay: f64,
    /// Gradients are first multiplied by this (the clipping factor).
    pub grad_scale: f64,
    /// Optimizer steps taken, this one included (for the bias corrections).
    pub step: i32,
}

dispatched! {
    /// One AdamW update in place over a slice of a parameter and its two moments.
    pub fn adamw(param: &mut [f32], first: &mut [f32], second: &mut [f32], grad: &[f32], s: AdamWStep) {
        // 1 − β in f64 first: 1 − 0.999 rounded in f32 is off by 5e-5 relative.
        let (b1, b2) = (s.beta1 as f32, s.beta2 as f32);
        let (c1, c2) = ((1.0 - s.beta1) as f32, (1.0 - s.beta2) as f32);
        let scale = s.grad_scale as f32;
        let decay = (1.0 - s.learning_rate * s.weight_decay) as f32;
        let step_size = (s.learning_rate / (1.0 - s.beta1.powi(s.step))) as f32;
        let inv_sqrt_bias2 = (1.0 / (1.0 - s.beta2.powi(s.step)).sqrt()) as f32;
        let eps = s.epsilon as f32;
        for (((p, m), v), g) in param.iter_mut().zip(first.iter_mut()).zip(second.iter_mut()).zip(grad) {
            let g = g * scale;
            *m = b1 * *m + c1 * g;
            *v = b2 * *v + c2 * g * g;
            *p = *p * decay - step_size * *m / (v.sqrt() * inv_sqrt_bias2 + eps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_erf_match_the_standard_library() {
        for i in -2000..=2000 {
            let x = i as f32 * 0.01;
            let e = exp(x) as f64;
            let want = (x as f64).exp();
            assert!(
                ((e - want) / want).abs() < 5e-7,
                "exp({x}) = {e}, want {want}"
            );
            let want = libm_erf(x as f64);
            let got = erf(x) as f64;
            assert!((got - want).abs() < 5e-7, "erf({x}) = {got}, want {want}");
        }
        assert_eq!(exp(-200.0), exp(-87.0));
        assert!(exp(200.0).is_finite());
    }

    /// erf from its series / continued fraction in f64: an outside reference for the kernel's.
    fn libm_erf(x: f64) -> f64 {
        // Abramowitz & Stegun 7.1.5 (series), converges well for |x| ≤ 3; erf(±x>3) = ±1 to 2e-5
        // of 1e-7 tolerance only for |x| > 4, so use erfc's continued fraction beyond 3.
        if x.abs() <= 3.0 {
            let mut term = x;
            let mut total = x;
            let mut n = 0.0;
            while term.abs() > 1e-17 {
                n += 1.0;
                term *= -x * x / n;
                total += term / (2.0 * n + 1.0);
            }
            total * 2.0 / std::f64::consts::PI.sqrt()
        } else {
            // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …))))
            let a = x.abs();
            let mut f = a;
            for k in (1..60).rev() {
                f = a + (k as f64 / 2.0) / f;
            }
            let erfc = (-a * a).exp() / std::f64::consts::PI.sqrt() / f;
            (1.0 - erfc).copysign(x)
        }
    }

    #[test]
    fn every_level_gives_the_same_softmax() {
        // The dispatched code is the same source; this checks the portable path agrees with a
        // plain f64 softmax on an odd width.
        let scores: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin() * 4.0).collect();
        let bias: Vec<f32> = (0..37).map(|i| if i > 30 { -1e4 } else { 0.0 }).collect();
        let mut out = vec![0.0; 37];
        attention_softmax(&scores, &bias, 0.5, &mut out);
        let z: Vec<f64> = scores
            .iter()
            .zip(&bias)
            .map(|(s, b)| *s as f64 * 0.5 + *b as f64)
            .collect();
        let m = z.iter().cloned().fold(f64::MIN, f64::max);
        let total: f64 = z.iter().map(|v| (v - m).exp()).sum();
        for (o, v) in out.iter().zip(&z) {
            assert!((*o as f64 - (v - m).exp() / total).abs() < 1e-7);
        }
    }
}
