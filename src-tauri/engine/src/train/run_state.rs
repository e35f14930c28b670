//! Where a training run stands: the values the loop moves forward step by step. This one value
//! is what a checkpoint's `trainer_state.json` saves (beside what the run was asked) and what a
//! resumed run starts from, so nothing is copied in and out of loop variables.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::best_model::EarlyStopping;
use super::events::TrainingEvent;
use crate::metrics::Metrics;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunState {
    /// Epochs finished; the next epoch to run (0-based).
    pub epochs_done: usize,
    /// Optimizer steps taken (the learning-rate schedule's position).
    pub step: usize,
    pub micro_batches_done: usize,
    /// The generator that shuffles the rows of each epoch.
    pub rng: ShuffleRng,
    /// Logged losses, evaluations, epoch ends and saved checkpoints, in order: the report's.
    pub history: Vec<TrainingEvent>,
    /// Loss summed since the last logged loss, and over how many steps (`logging_strategy`
    /// "steps" carries it across epochs).
    pub loss_since_log: (f64, usize),
    pub last_metrics: Option<Metrics>,
    pub best: Option<BestEpoch>,
    /// The early-stopping count (runs saved before early stopping existed start it afresh).
    #[serde(default)]
    pub early_stopping: EarlyStopping,
    /// Early stopping ended the run: a resume goes straight to the final folder.
    #[serde(default)]
    pub stopped_early: bool,
    pub started_unix: u64,
    /// Training time up to the last save, summed over the sessions of the run (a resumed run
    /// is several).
    pub wall_seconds: f64,
}

impl RunState {
    pub fn new(seed: u64, started_unix: u64) -> Self {
        RunState {
            epochs_done: 0,
            step: 0,
            micro_batches_done: 0,
            rng: ShuffleRng::new(seed),
            history: Vec::new(),
            loss_since_log: (0.0, 0),
            last_metrics: None,
            best: None,
            early_stopping: EarlyStopping::default(),
            stopped_early: false,
            started_unix,
            wall_seconds: 0.0,
        }
    }

    /// The mean loss since the last logged one; the sum starts again.
    pub fn take_loss_since_log(&mut self) -> f64 {
        let (sum, steps) = std::mem::take(&mut self.loss_since_log);
        sum / steps.max(1) as f64
    }
}

/// The best epoch so far when `load_best` is on; its checkpoint folder is kept for the end.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BestEpoch {
    pub epoch: usize,
    pub metrics: Metrics,
}

/// The shuffling generator, saved as its seed and its position. Dropout draws from the
/// backend's generator, whose state cannot be read: it is reseeded at the start of every epoch
/// from the recipe's seed and the epoch number (`dropout_seed`), so an epoch draws the same
/// masks whether or not the run was interrupted before it.
#[derive(Debug, Clone)]
pub struct ShuffleRng {
    seed: u64,
    rng: ChaCha8Rng,
}

impl ShuffleRng {
    pub fn new(seed: u64) -> Self {
        ShuffleRng {
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    pub fn get(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }
}

/// How `ShuffleRng` is written: the ChaCha8 word position is a u128, written as text (JSON
/// numbers stop at 2^53).
#[derive(Serialize, Deserialize)]
struct SavedRng {
    shuffle_seed: u64,
    shuffle_word_pos: String,
}

impl Serialize for ShuffleRng {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SavedRng {
            shuffle_seed: self.seed,
            shuffle_word_pos: self.rng.get_word_pos().to_string(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ShuffleRng {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let saved = SavedRng::deserialize(deserializer)?;
        let position: u128 = saved.shuffle_word_pos.parse().map_err(|_| {
            serde::de::Error::custom("the random-generator position is not a number")
        })?;
        let mut rng = ShuffleRng::new(saved.shuffle_seed);
        rng.rng.set_word_pos(position);
        Ok(rng)
    }
}

/// The backend generator's seed for an epoch (0-based).
pub fn dropout_seed(seed: u64, epoch: usize) -> u64 {
    seed ^ (epoch as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn a_saved_generator_goes_on_where_it_stood() {
        let mut rng = ShuffleRng::new(42);
        let _: [u64; 3] = rng.get().random();
        let text = serde_json::to_string(&rng).unwrap();
        assert!(text.contains("\"shuffle_seed\":42"), "{text}");
        let mut restored: ShuffleRng = serde_json::from_str(&text).unwrap();
        let next: u64 = rng.get().random();
        assert_eq!(restored.get().random::<u64>(), next);
        let damaged = text.replace("\"shuffle_word_pos\":\"", "\"shuffle_word_pos\":\"x");
        assert!(serde_json::from_str::<ShuffleRng>(&damaged).is_err());
    }
}
