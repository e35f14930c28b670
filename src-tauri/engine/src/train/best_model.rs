//! Which evaluation is the best, and when to stop looking for a better one: the Trainer's
//! `metric_for_best_model` and transformers' `EarlyStoppingCallback`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::metrics::Metrics;

/// The validation score that decides which evaluation's model `load_best` keeps (the Trainer's
/// `metric_for_best_model`; as there, the loss by default, lower is better, higher for the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum BestMetric {
    Loss,
    Accuracy,
    MacroF1,
    MacroPrecision,
    MacroRecall,
}

impl BestMetric {
    /// The score of `metrics` on this metric, oriented so that higher is better (a missing loss
    /// is the worst score).
    pub fn score(self, metrics: &Metrics) -> f64 {
        match self {
            BestMetric::Loss => metrics.loss.map_or(f64::NEG_INFINITY, |l| -l),
            BestMetric::Accuracy => metrics.accuracy,
            BestMetric::MacroF1 => metrics.macro_f1,
            BestMetric::MacroPrecision => metrics.macro_precision,
            BestMetric::MacroRecall => metrics.macro_recall,
        }
    }

    /// Whether `candidate` beats `kept`; a tie keeps the earlier one (as the Trainer does).
    pub fn improves(self, candidate: &Metrics, kept: &Metrics) -> bool {
        self.score(candidate) > self.score(kept)
    }
}

/// The early-stopping count, kept in the run's state so that a resumed run goes on counting.
/// As transformers: an evaluation improves when it beats the best score so far by more than
/// the threshold; the best score itself moves with any improvement, however small (the
/// Trainer's `best_metric`), so small gains in a row do not add up to a large one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EarlyStopping {
    /// The best score so far, oriented as `BestMetric::score` (higher is better).
    pub best_score: Option<f64>,
    /// Evaluations in a row without an improvement larger than the threshold.
    pub evaluations_without_improvement: usize,
}

impl EarlyStopping {
    /// Counts one evaluation's score; true when `patience` evaluations in a row brought no
    /// improvement (a patience of 0 never stops).
    pub fn observe(&mut self, score: f64, patience: usize, threshold: f64) -> bool {
        let improved = self
            .best_score
            .is_none_or(|best| score > best && score - best > threshold);
        if improved {
            self.evaluations_without_improvement = 0;
        } else {
            self.evaluations_without_improvement += 1;
        }
        if self.best_score.is_none_or(|best| score > best) {
            self.best_score = Some(score);
        }
        patience > 0 && self.evaluations_without_improvement >= patience
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_gains_do_not_add_up_past_the_threshold() {
        let mut rule = EarlyStopping::default();
        // Three gains of 0.04 with a threshold of 0.05: none counts, even though they sum to
        // 0.12, because the best score moves each time.
        let stops: Vec<bool> = [0.50, 0.54, 0.58, 0.62]
            .iter()
            .map(|&s| rule.observe(s, 3, 0.05))
            .collect();
        assert_eq!(stops, [false, false, false, true]);
        assert_eq!(rule.best_score, Some(0.62));
        assert!(!EarlyStopping::default().observe(0.1, 0, 0.0));
    }
}
