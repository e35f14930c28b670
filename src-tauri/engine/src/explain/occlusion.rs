//! Occlusion: each word's contribution as the drop of the class's logit when that word alone
//! is blanked (its tokens set to padding). Forward passes only, no gradients.

use burn::tensor::{Bool, Int, Tensor, TensorData};

use crate::cancel::CancelToken;
use crate::error::{EngineError, Result};
use crate::kernels::FusedOps;
use crate::model::SequenceClassifier;

/// Tokens per forward pass: a long text's many blanked copies go in several passes.
const TOKENS_PER_PASS: usize = 4096;

/// Per word, logit(text) − logit(text without the word); and the logits of the text and of
/// the text with every word blanked. `words_of_tokens[t]`: the word of token t.
#[allow(clippy::too_many_arguments)]
pub fn occlusion<B: FusedOps>(
    model: &SequenceClassifier<B>,
    ids: &[u32],
    words_of_tokens: &[Option<usize>],
    word_count: usize,
    pad_id: u32,
    class: usize,
    device: &B::Device,
    cancel: &CancelToken,
) -> Result<(Vec<f64>, f64, f64)> {
    let len = ids.len();
    let blank = |keep: &dyn Fn(Option<usize>) -> bool| -> Vec<i64> {
        ids.iter()
            .zip(words_of_tokens)
            .map(|(&id, &w)| if keep(w) { id } else { pad_id } as i64)
            .collect()
    };
    // Row 0: the text; row 1: every word blanked; then one row per word.
    let mut rows: Vec<Vec<i64>> = vec![blank(&|_| true), blank(&|w| w.is_none())];
    rows.extend((0..word_count).map(|word| blank(&|w| w != Some(word))));
    let per_pass = (TOKENS_PER_PASS / len.max(1)).max(1);
    let mut scores = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(per_pass) {
        if cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let batch = chunk.len();
        // Each row at the positions transformers gives it (in RoBERTa's family a blanked word
        // moves the words after it).
        let positions: Vec<i64> = chunk
            .iter()
            .flat_map(|row| {
                let row: Vec<u32> = row.iter().map(|&id| id as u32).collect();
                model.embeddings.position_ids(&row)
            })
            .collect();
        let embedded = model.embeddings.forward_at(
            Tensor::<B, 2, Int>::from_data(TensorData::new(chunk.concat(), [batch, len]), device),
            Tensor::<B, 2, Int>::from_data(TensorData::new(positions, [batch, len]), device),
        );
        let logits = model
            .forward_embedded(
                embedded,
                Tensor::<B, 2, Bool>::from_data(
                    TensorData::new(vec![false; batch * len], [batch, len]),
                    device,
                ),
            )
            .logits;
        let classes = logits.dims()[1];
        let logits: Vec<f32> = logits.into_data().to_vec().expect("f32 logits");
        scores.extend((0..batch).map(|row| logits[row * classes + class] as f64));
    }
    let contributions = (0..word_count).map(|w| scores[0] - scores[w + 2]).collect();
    Ok((contributions, scores[0], scores[1]))
}
