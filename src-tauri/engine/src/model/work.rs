//! What an encoder costs to run: its multiply-adds per batch, from its shape. Estimates of a
//! run's time price this work at a pace measured on the device.

use super::EncoderConfig;

/// The shape of an encoder, as far as its cost per token goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncoderWork {
    pub layers: usize,
    pub hidden: usize,
    pub intermediate: usize,
}

impl EncoderWork {
    pub fn of(config: &EncoderConfig) -> Self {
        EncoderWork {
            layers: config.num_hidden_layers,
            hidden: config.hidden_size,
            intermediate: config.intermediate_size,
        }
    }

    /// Multiply-adds of one forward pass over a padded batch of `rows × length` positions:
    /// per position and layer, Q, K, V and the output projection (4·h²), the feed-forward
    /// block (2·h·i) and attention over the `length` positions (2·length·h). Embeddings and
    /// the head are too small to count.
    pub fn forward(&self, rows: usize, length: usize) -> f64 {
        let (h, i) = (self.hidden as f64, self.intermediate as f64);
        let per_position = 4.0 * h * h + 2.0 * h * i + 2.0 * length as f64 * h;
        (rows * length) as f64 * self.layers as f64 * per_position
    }

    /// A training pass: forward, then a backward pass of about twice its work.
    pub fn training(&self, rows: usize, length: usize) -> f64 {
        3.0 * self.forward(rows, length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_grows_with_rows_positions_and_the_encoders_size() {
        let minilm = EncoderWork {
            layers: 6,
            hidden: 384,
            intermediate: 1536,
        };
        let bert_base = EncoderWork {
            layers: 12,
            hidden: 768,
            intermediate: 3072,
        };
        assert_eq!(minilm.forward(2, 64), 2.0 * minilm.forward(1, 64));
        // Attention makes a long position dearer than a short one.
        assert!(minilm.forward(1, 256) > 4.0 * minilm.forward(1, 64));
        // BERT-base: twice the layers, four times the matmul work per layer.
        let ratio = bert_base.forward(1, 64) / minilm.forward(1, 64);
        assert!((7.0..8.1).contains(&ratio), "{ratio}");
        assert_eq!(minilm.training(3, 10), 3.0 * minilm.forward(3, 10));
    }
}
