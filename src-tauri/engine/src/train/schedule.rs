//! Learning-rate schedules, with the formulas of `transformers.optimization`.

use super::recipe::Scheduler;

/// The learning rate used by optimizer step `step` (0-based: the first step is step 0).
pub fn learning_rate(kind: Scheduler, base: f64, step: usize, warmup: usize, total: usize) -> f64 {
    let step = step as f64;
    let warmup = warmup as f64;
    let total = total as f64;
    let factor = match kind {
        Scheduler::Constant => 1.0,
        _ if step < warmup => step / warmup.max(1.0),
        Scheduler::ConstantWithWarmup => 1.0,
        Scheduler::Linear => ((total - step) / (total - warmup).max(1.0)).max(0.0),
        Scheduler::Cosine => {
            let progress = (step - warmup) / (total - warmup).max(1.0);
            (0.5 * (1.0 + (std::f64::consts::PI * progress).cos())).max(0.0)
        }
    };
    base * factor
}
