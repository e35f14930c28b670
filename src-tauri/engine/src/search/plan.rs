//! Which settings a search tries: every combination of the given learning rates and epoch
//! counts, or a few of them drawn at random (with the recipe's seed, so the same search draws
//! the same ones).

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{EngineError, Result};
use crate::said;
use crate::train::{Recipe, Strategy};

/// The values a search tries. Everything else is the base recipe's, the same for every trial
/// (the seed included, so every trial trains and is measured on the same split).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchSpace {
    pub learning_rates: Vec<f64>,
    pub epochs: Vec<usize>,
    /// Try only this many of the combinations, drawn at random (none: all of them).
    pub trials: Option<usize>,
}

/// One combination of the search, and the folder its run writes (inside the search's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Trial {
    /// The trial's folder name: `trial-1`, `trial-2`… in the order they run.
    pub name: String,
    pub learning_rate: f64,
    pub epochs: usize,
}

impl Trial {
    /// The base recipe with this trial's values.
    pub fn recipe(&self, base: &Recipe) -> Recipe {
        Recipe {
            learning_rate: self.learning_rate,
            epochs: self.epochs,
            ..base.clone()
        }
    }
}

/// The most trials a search runs: each is a whole training run.
pub const MAX_TRIALS: usize = 50;

impl SearchSpace {
    /// The trials, in the order they run (learning rates, then epochs, as given); every
    /// trial's recipe checked before any runs.
    pub fn trials(&self, base: &Recipe) -> Result<Vec<Trial>> {
        if base.eval_strategy == Strategy::No {
            return Err(EngineError::invalid(said!(
                "search.no_evaluations",
                "A search compares the runs on their validation scores, so it needs evaluations: \
                 set eval_strategy to \"epoch\" or \"steps\"."
            )));
        }
        if self.learning_rates.is_empty() || self.epochs.is_empty() {
            return Err(EngineError::invalid(said!(
                "search.empty",
                "A search needs at least one learning rate and one number of epochs to try."
            )));
        }
        let mut combinations: Vec<(f64, usize)> = Vec::new();
        for &learning_rate in &self.learning_rates {
            for &epochs in &self.epochs {
                if !combinations.contains(&(learning_rate, epochs)) {
                    combinations.push((learning_rate, epochs));
                }
            }
        }
        if let Some(wanted) = self.trials {
            if wanted == 0 {
                return Err(EngineError::invalid(said!(
                    "search.no_trials",
                    "The number of trials must be at least 1."
                )));
            }
            if wanted < combinations.len() {
                let mut drawn: Vec<usize> = (0..combinations.len()).collect();
                drawn.shuffle(&mut ChaCha8Rng::seed_from_u64(base.seed));
                drawn.truncate(wanted);
                drawn.sort_unstable();
                combinations = drawn.into_iter().map(|i| combinations[i]).collect();
            }
        }
        if combinations.len() > MAX_TRIALS {
            return Err(EngineError::invalid(said!(
                "search.too_many",
                "{count} combinations is more than a search runs ({max}, each a whole training \
                 run): give fewer values, or try a few of them drawn at random (trials).",
                count = combinations.len(),
                max = MAX_TRIALS
            )));
        }
        let trials: Vec<Trial> = combinations
            .into_iter()
            .enumerate()
            .map(|(i, (learning_rate, epochs))| Trial {
                name: format!("trial-{}", i + 1),
                learning_rate,
                epochs,
            })
            .collect();
        for trial in &trials {
            trial.recipe(base).validate()?;
        }
        Ok(trials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(learning_rates: &[f64], epochs: &[usize], trials: Option<usize>) -> SearchSpace {
        SearchSpace {
            learning_rates: learning_rates.to_vec(),
            epochs: epochs.to_vec(),
            trials,
        }
    }

    #[test]
    fn every_combination_once_in_the_order_given() {
        let trials = space(&[2e-5, 5e-5, 2e-5], &[3, 4], None)
            .trials(&Recipe::default())
            .unwrap();
        let tried: Vec<(f64, usize)> = trials.iter().map(|t| (t.learning_rate, t.epochs)).collect();
        assert_eq!(tried, [(2e-5, 3), (2e-5, 4), (5e-5, 3), (5e-5, 4)]);
        assert_eq!(trials[3].name, "trial-4");
        assert_eq!(trials[2].recipe(&Recipe::default()).learning_rate, 5e-5);
    }

    #[test]
    fn a_few_drawn_at_random_the_same_for_the_same_seed() {
        let grid = space(&[1e-5, 2e-5, 3e-5, 5e-5], &[2, 3, 4], Some(4));
        let base = Recipe::default();
        let drawn = grid.trials(&base).unwrap();
        assert_eq!(drawn.len(), 4);
        assert_eq!(drawn, grid.trials(&base).unwrap());
        let other_seed = Recipe {
            seed: 7,
            ..Recipe::default()
        };
        assert_ne!(drawn, grid.trials(&other_seed).unwrap());
        // More trials than combinations: all of them.
        let all = space(&[1e-5], &[2, 3], Some(9)).trials(&base).unwrap();
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn an_impossible_search_is_explained() {
        let base = Recipe::default();
        for (space, words) in [
            (space(&[], &[3], None), "at least one learning rate"),
            (space(&[2e-5], &[3], Some(0)), "at least 1"),
            (space(&[2e-5, 3.0], &[3], None), "learning_rate"),
            (space(&[2e-5], &[0], None), "epochs"),
            (
                space(
                    &(1..=11).map(|i| i as f64 * 1e-5).collect::<Vec<_>>(),
                    &[1, 2, 3, 4, 5],
                    None,
                ),
                "55 combinations",
            ),
        ] {
            let err = space.trials(&base).unwrap_err().to_string();
            assert!(err.contains(words), "{err}");
        }
        let unmeasured = Recipe {
            eval_strategy: Strategy::No,
            ..Recipe::default()
        };
        let err = space(&[2e-5], &[3], None).trials(&unmeasured).unwrap_err();
        assert!(err.to_string().contains("needs evaluations"), "{err}");
    }
}
