//! Whether a training run fits in the GPU's free memory, checked before the first step, with a
//! batch size that would fit when it does not (a GPU that runs out midway loses the minutes
//! spent so far; the CPU has the machine's memory and swap, and is not checked).
//!
//! The estimate: weights, gradients and AdamW's two moments in f32 (16 bytes a parameter, 4 more
//! when gradients are accumulated), and per layer the activations the backward pass keeps —
//! Korthikanti et al. (2022), "Reducing Activation Recomputation in Large Transformer Models",
//! `s·b·h·(34 + 5·a·s/h)` bytes with 16-bit activations, doubled for f32 — plus a fifth for the
//! allocator's pools.

use super::recipe::Recipe;
use crate::error::{EngineError, Result};
use crate::model::ModelConfig;
use crate::said;

/// The bytes a training step needs on the GPU at `batch` rows of `length` tokens.
pub fn training_bytes(
    config: &ModelConfig,
    parameters: usize,
    recipe: &Recipe,
    batch: usize,
) -> u64 {
    let encoder = &config.encoder;
    let (s, b) = (recipe.max_seq_len as f64, batch as f64);
    let (h, a) = (
        encoder.hidden_size as f64,
        encoder.num_attention_heads as f64,
    );
    let per_parameter = if recipe.gradient_accumulation_steps > 1 {
        20.0
    } else {
        16.0
    };
    let per_layer = 2.0 * s * b * h * (34.0 + 5.0 * a * s / h);
    let total = per_parameter * parameters as f64 + encoder.num_hidden_layers as f64 * per_layer;
    (total * 1.2) as u64
}

/// Refuses a run that will not fit in `free` bytes, naming a batch size that would (the
/// largest power of two below the recipe's, with the accumulation that keeps the effective
/// batch), or the maximum length to lower when even one row does not fit.
pub fn check_fits(
    config: &ModelConfig,
    parameters: usize,
    recipe: &Recipe,
    backend: &str,
    free: u64,
) -> Result<()> {
    // Evaluation keeps no activations for a backward pass: the training batch is the peak.
    let need = training_bytes(config, parameters, recipe, recipe.train_batch_size);
    if need <= free {
        return Ok(());
    }
    let gib = |bytes: u64| format!("{:.1}", bytes as f64 / (1u64 << 30) as f64);
    let fits = std::iter::successors(Some(recipe.train_batch_size / 2), |b| Some(b / 2))
        .take_while(|&b| b > 0)
        .find(|&b| training_bytes(config, parameters, recipe, b) <= free);
    let message = match fits {
        Some(fitting) => {
            let accumulation =
                recipe.gradient_accumulation_steps * recipe.train_batch_size.div_ceil(fitting);
            said!(
                "gpu_memory.lower_batch",
                "This run needs about {need} GB of memory on the {backend} and {free} GB are \
                 free. A batch size of {fitting} would fit: set train_batch_size to {fitting} \
                 and gradient_accumulation_steps to {accumulation} to keep the same effective \
                 batch (the results stay comparable).",
                need = gib(need),
                backend = backend,
                free = gib(free),
                fitting = fitting,
                accumulation = accumulation
            )
        }
        None => said!(
            "gpu_memory.lower_length",
            "This run needs about {need} GB of memory on the {backend} and {free} GB are free; \
             even one text at a time would not fit. Lower the maximum length (max_seq_len, now \
             {length}), choose a smaller base model, or train on the CPU.",
            need = gib(need),
            backend = backend,
            free = gib(free),
            length = recipe.max_seq_len
        ),
    };
    Err(EngineError::invalid(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelConfig;

    /// bert-base-uncased's config (110 M parameters with a 2-class head).
    fn bert_base() -> (ModelConfig, usize) {
        let config = ModelConfig::from_json_str(
            r#"{"model_type": "bert", "vocab_size": 30522, "hidden_size": 768,
                "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
                "max_position_embeddings": 512, "type_vocab_size": 2}"#,
            std::path::Path::new("config.json"),
        )
        .unwrap();
        (config, 109_483_778)
    }

    #[test]
    fn bert_base_at_the_notebooks_batch_needs_a_few_gigabytes() {
        let (config, parameters) = bert_base();
        let recipe = Recipe {
            max_seq_len: 128,
            ..Recipe::default()
        };
        // The units' check: weights and AdamW state alone are 1.75 GB. The estimate's
        // comparison with a measured peak on a card is scripts/gpu-check.sh's.
        let gb = training_bytes(&config, parameters, &recipe, 16) as f64 / 1e9;
        assert!((4.0..7.0).contains(&gb), "{gb} GB");
    }

    #[test]
    fn a_run_that_does_not_fit_names_a_batch_that_does() {
        let (config, parameters) = bert_base();
        let recipe = Recipe {
            max_seq_len: 256,
            ..Recipe::default()
        };
        assert!(check_fits(&config, parameters, &recipe, "CUDA", 80 << 30).is_ok());
        let err = check_fits(&config, parameters, &recipe, "CUDA", 4 << 30)
            .unwrap_err()
            .to_string();
        assert!(err.contains("A batch size of 4 would fit"), "{err}");
        // 16 rows as 4 × 4 micro-batches × the recipe's 2 accumulation steps: 8.
        assert!(err.contains("gradient_accumulation_steps to 8"), "{err}");
        let err = check_fits(&config, parameters, &recipe, "CUDA", 1 << 30)
            .unwrap_err()
            .to_string();
        assert!(err.contains("Lower the maximum length"), "{err}");
    }
}
