//! Raw model outputs (logits and pooled vectors) of texts, for parity checks.

use crate::kernels::FusedOps;

use crate::error::Result;
use crate::model::LoadedModel;

/// Raw outputs for a batch of texts, one row per text.
#[derive(Debug, Clone, PartialEq)]
pub struct RawOutputs {
    pub logits: Vec<Vec<f32>>,
    pub pooled: Vec<Vec<f32>>,
}

fn rows(values: Vec<f32>, width: usize) -> Vec<Vec<f32>> {
    values.chunks(width.max(1)).map(<[f32]>::to_vec).collect()
}

/// Logits and pooled output of `texts` (tokenized with truncation to `max_len`, padded to the
/// longest text of each batch of `batch_size`).
pub fn forward_texts<B: FusedOps>(
    loaded: &LoadedModel<B>,
    texts: &[&str],
    max_len: usize,
    batch_size: usize,
    device: &B::Device,
) -> Result<RawOutputs> {
    let mut out = RawOutputs {
        logits: Vec::with_capacity(texts.len()),
        pooled: Vec::with_capacity(texts.len()),
    };
    for chunk in texts.chunks(batch_size.max(1)) {
        let batch = loaded.tokenizer.encode_batch(chunk, max_len)?;
        let output = loaded.model.forward(batch.to_input::<B>(device));
        let [_, num_labels] = output.logits.dims();
        let [_, hidden] = output.pooled.dims();
        let logits = output
            .logits
            .into_data()
            .convert::<f32>()
            .into_vec::<f32>()
            .expect("f32 data");
        let pooled = output
            .pooled
            .into_data()
            .convert::<f32>()
            .into_vec::<f32>()
            .expect("f32 data");
        out.logits.extend(rows(logits, num_labels));
        out.pooled.extend(rows(pooled, hidden));
    }
    Ok(out)
}
