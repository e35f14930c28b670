//! Which words drove a decision: each word's contribution to one class's score (its logit),
//! by integrated gradients on the embeddings (exact, checked against Captum) or by occlusion
//! (cheaper: one forward pass, no gradients).

mod integrated;
mod occlusion;
mod words;

use burn::backend::Autodiff;
use burn::module::{AutodiffModule, Module};
use burn::tensor::{Bool, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use integrated::{TokenAttributions, gauss_legendre, integrated_gradients};
pub use words::{first_unread_word, typed_words, word_of_each_token};

use crate::cancel::CancelToken;
use crate::error::{EngineError, Result};
use crate::kernels::FusedOps;
use crate::model::{LoadedModel, ModelInput, SequenceClassifier};
use crate::said;

/// How contributions are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ExplainMethod {
    /// Integrated gradients: the contributions add up to the class's score minus the score of
    /// the text with every word blanked.
    #[default]
    IntegratedGradients,
    /// Each word blanked on its own: how much the score drops without it.
    Occlusion,
}

/// The default number of integration steps (the and a common choice; Captum's is 50).
pub const DEFAULT_STEPS: usize = 32;
/// More steps than this gain nothing a reader could see, and cost seconds each.
pub const MAX_STEPS: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExplainOptions {
    pub method: ExplainMethod,
    /// Integration steps (integrated gradients only).
    pub steps: usize,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            method: ExplainMethod::IntegratedGradients,
            steps: DEFAULT_STEPS,
        }
    }
}

/// One word as typed, with what it contributed (`None`: the word came after the longest text
/// the model reads, so it played no part).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WordContribution {
    pub word: String,
    /// The whitespace before it in the text, so that the text can be shown as typed.
    pub space_before: String,
    pub contribution: Option<f64>,
}

/// Why a model gave a text a class's score, word by word.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Explanation {
    /// The class explained.
    pub label: String,
    pub method: ExplainMethod,
    /// Integration steps (integrated gradients only).
    pub steps: Option<usize>,
    pub words: Vec<WordContribution>,
    /// The class's score (logit) for the text, and for the text with every word blanked.
    pub score: f64,
    pub baseline_score: f64,
    /// Integrated gradients: how far the words' sum is from `score − baseline_score`, as a
    /// share of it (small when enough steps were taken).
    pub completeness_gap: Option<f64>,
    /// Words past the longest text the model reads.
    pub cut_words: usize,
    /// How long the explanation took, in seconds (the model already loaded).
    pub seconds: f64,
    /// Per token, [CLS] and [SEP] included (what a reference tool reports).
    #[serde(skip)]
    #[ts(skip)]
    pub tokens: Vec<f64>,
}

/// Explains `text` for class `class` (default: the class the model gives it) with a model
/// loaded on `B`; integrated gradients run on `Autodiff<B>` with the same weights.
pub fn explain_loaded<B: FusedOps>(
    loaded: &LoadedModel<B>,
    device: &B::Device,
    text: &str,
    class: Option<usize>,
    max_len: usize,
    options: &ExplainOptions,
    cancel: &CancelToken,
) -> Result<Explanation>
where
    Autodiff<B>: FusedOps,
{
    if text.trim().is_empty() {
        return Err(EngineError::invalid(said!(
            "invalid.explain_empty",
            "There is no text to explain: type or paste a few words."
        )));
    }
    if options.method == ExplainMethod::IntegratedGradients
        && !(1..=MAX_STEPS).contains(&options.steps)
    {
        return Err(EngineError::invalid(said!(
            "invalid.explain_steps",
            "The number of steps must be between 1 and {max} (default {default}).",
            max = MAX_STEPS,
            default = DEFAULT_STEPS
        )));
    }
    let started = std::time::Instant::now();
    let labels = loaded.config.labels();
    let pad_id = loaded.tokenizer.facts().pad_id;
    let (ids, spans, cut) = loaded.tokenizer.encode_with_offsets(text, max_len)?;
    let typed = typed_words(text);
    let word_of_token = word_of_each_token(&typed, &spans);
    if word_of_token.iter().all(Option::is_none) {
        return Err(EngineError::invalid(said!(
            "invalid.explain_unreadable",
            "The model reads none of this text's characters: there is nothing to explain."
        )));
    }
    let class = match class {
        Some(c) if c < labels.len() => c,
        Some(c) => {
            return Err(EngineError::internal(format!(
                "class {c} asked of a model with {} classes",
                labels.len()
            )));
        }
        None => top_class(&loaded.model, &ids, device),
    };

    let (per_word, tokens, score, baseline_score, gap) = match options.method {
        ExplainMethod::IntegratedGradients => {
            let baseline: Vec<u32> = ids
                .iter()
                .zip(&spans)
                .map(|(&id, span)| if span.is_some() { pad_id } else { id })
                .collect();
            let model: SequenceClassifier<Autodiff<B>> =
                SequenceClassifier::from_inner(loaded.model.clone().without_dropout()).no_grad();
            let found =
                integrated_gradients(&model, &ids, &baseline, class, options.steps, cancel)?;
            let mut per_word = vec![0.0; typed.len()];
            for (value, word) in found.per_token.iter().zip(&word_of_token) {
                if let Some(w) = word {
                    per_word[*w] += value;
                }
            }
            let change = found.logit - found.baseline_logit;
            let total: f64 = found.per_token.iter().sum();
            let gap = (change != 0.0).then(|| ((total - change) / change).abs());
            (
                per_word,
                found.per_token,
                found.logit,
                found.baseline_logit,
                gap,
            )
        }
        ExplainMethod::Occlusion => {
            let (per_word, score, blanked) = occlusion::occlusion(
                &loaded.model,
                &ids,
                &word_of_token,
                typed.len(),
                pad_id,
                class,
                device,
                cancel,
            )?;
            (per_word, Vec::new(), score, blanked, None)
        }
    };

    let unread_from = first_unread_word(&typed, &spans, cut);
    let read: Vec<bool> = (0..typed.len()).map(|w| w < unread_from).collect();
    let mut before = 0;
    let words = typed
        .iter()
        .enumerate()
        .map(|(w, &(start, end))| {
            let word = WordContribution {
                word: text[start..end].to_string(),
                space_before: text[before..start].to_string(),
                contribution: read[w].then_some(per_word[w]),
            };
            before = end;
            word
        })
        .collect();
    Ok(Explanation {
        label: labels.get(class).cloned().unwrap_or_default(),
        method: options.method,
        steps: (options.method == ExplainMethod::IntegratedGradients).then_some(options.steps),
        words,
        score,
        baseline_score,
        completeness_gap: gap,
        cut_words: read.iter().filter(|r| !**r).count(),
        seconds: started.elapsed().as_secs_f64(),
        tokens,
    })
}

/// The class with the highest logit.
fn top_class<B: FusedOps>(model: &SequenceClassifier<B>, ids: &[u32], device: &B::Device) -> usize {
    let len = ids.len();
    let data: Vec<i64> = ids.iter().map(|&t| t as i64).collect();
    let logits: Vec<f32> = model
        .forward(ModelInput {
            input_ids: Tensor::<B, 2, Int>::from_data(TensorData::new(data, [1, len]), device),
            padding_mask: Tensor::<B, 2, Bool>::from_data(
                TensorData::new(vec![false; len], [1, len]),
                device,
            ),
        })
        .logits
        .into_data()
        .to_vec()
        .expect("f32 logits");
    (0..logits.len())
        .max_by(|a, b| logits[*a].total_cmp(&logits[*b]).then(b.cmp(a)))
        .unwrap_or(0)
}
