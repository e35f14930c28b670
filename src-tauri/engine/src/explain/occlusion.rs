//! Occlusion: each word's contribution as the drop of the class's logit when that word alone
//! is blanked (its tokens set to padding). One forward pass for all words, no gradients.

use burn::tensor::{Bool, Int, Tensor, TensorData};

use crate::kernels::FusedOps;
use crate::model::{ModelInput, SequenceClassifier};

/// Per word, logit(text) − logit(text without the word); and the logits of the text and of
/// the text with every word blanked (`blanked`). `words[t]`: the word of token t.
pub fn occlusion<B: FusedOps>(
    model: &SequenceClassifier<B>,
    ids: &[u32],
    words_of_tokens: &[Option<usize>],
    word_count: usize,
    pad_id: u32,
    class: usize,
    device: &B::Device,
) -> (Vec<f64>, f64, f64) {
    let len = ids.len();
    // Row 0: the text; row 1: every word blanked; then one row per word.
    let mut rows: Vec<i64> = Vec::with_capacity((word_count + 2) * len);
    let blank = |keep: &dyn Fn(Option<usize>) -> bool| -> Vec<i64> {
        ids.iter()
            .zip(words_of_tokens)
            .map(|(&id, &w)| if keep(w) { id } else { pad_id } as i64)
            .collect()
    };
    rows.extend(blank(&|_| true));
    rows.extend(blank(&|w| w.is_none()));
    for word in 0..word_count {
        rows.extend(blank(&|w| w != Some(word)));
    }
    let batch = word_count + 2;
    let logits = model
        .forward(ModelInput {
            input_ids: Tensor::<B, 2, Int>::from_data(TensorData::new(rows, [batch, len]), device),
            padding_mask: Tensor::<B, 2, Bool>::from_data(
                TensorData::new(vec![false; batch * len], [batch, len]),
                device,
            ),
        })
        .logits;
    let classes = logits.dims()[1];
    let logits: Vec<f32> = logits.into_data().to_vec().expect("f32 logits");
    let at = |row: usize| logits[row * classes + class] as f64;
    let contributions = (0..word_count).map(|w| at(0) - at(w + 2)).collect();
    (contributions, at(0), at(1))
}
