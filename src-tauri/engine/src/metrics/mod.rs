//! Classification metrics with scikit-learn's definitions (macro averages over the labels
//! present in the true or predicted values, zero_division = 0); multi-label ones in
//! `multi_label`.

pub mod multi_label;

pub use multi_label::{
    MultiLabelAccumulator, MultiLabelMetrics, ThresholdPoint, binary_cross_entropy,
    curve_thresholds, labels_at_or_above, multi_label_metrics, sigmoid,
};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClassMetrics {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Metrics {
    /// Mean cross-entropy (when computed from logits with known labels).
    pub loss: Option<f64>,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub macro_precision: f64,
    pub macro_recall: f64,
    pub top1_accuracy: f64,
    pub top2_accuracy: f64,
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[true][predicted]` counts, in class order (empty for multi-label data).
    pub confusion: Vec<Vec<usize>>,
    pub examples: usize,
    /// Multi-label data only; there `accuracy` is subset accuracy (every label of a row right)
    /// and the top-k accuracies say whether a true label scored best (or among the best two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub multi_label: Option<MultiLabelMetrics>,
}

fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 { 0.0 } else { num / den }
}

/// Metrics of probabilities (or logits: only their order matters) against the true classes.
/// `scores` is row-major `[examples, labels.len()]`.
pub fn classification_metrics(
    truth: &[usize],
    scores: &[f32],
    labels: &[String],
    loss: Option<f64>,
) -> Metrics {
    let k = labels.len();
    assert_eq!(
        scores.len(),
        truth.len() * k,
        "one score per class and example"
    );
    let mut counts = MetricsAccumulator::new(k);
    for (i, &t) in truth.iter().enumerate() {
        counts.add(t, &scores[i * k..(i + 1) * k]);
    }
    counts.finish(labels, loss)
}

/// The counts the metrics are made of, filled one example at a time, so that a large test
/// file is evaluated without keeping its scores.
#[derive(Debug, Clone)]
pub struct MetricsAccumulator {
    /// `confusion[true][predicted]`; grows when a true class has no score column.
    confusion: Vec<Vec<usize>>,
    top1: usize,
    top2: usize,
    examples: usize,
}

impl MetricsAccumulator {
    pub fn new(classes: usize) -> Self {
        MetricsAccumulator {
            confusion: vec![vec![0; classes]; classes],
            top1: 0,
            top2: 0,
            examples: 0,
        }
    }

    /// One example; returns the predicted class. `truth` may be past the scored classes: a
    /// label the model never saw, which it cannot predict (it counts as wrong, as scikit-learn
    /// counts it).
    pub fn add(&mut self, truth: usize, scores: &[f32]) -> usize {
        let size = self.confusion.len().max(truth + 1).max(scores.len());
        if size > self.confusion.len() {
            for row in &mut self.confusion {
                row.resize(size, 0);
            }
            self.confusion.resize(size, vec![0; size]);
        }
        let predicted = argmax(scores);
        self.confusion[truth][predicted] += 1;
        if let Some(&true_score) = scores.get(truth) {
            // Rank of the true class: how many classes score strictly higher.
            let higher = scores.iter().filter(|s| **s > true_score).count();
            self.top1 += usize::from(higher < 1);
            self.top2 += usize::from(higher < 2);
        }
        self.examples += 1;
        predicted
    }

    /// The metrics; `labels` names every class seen so far, in index order.
    pub fn finish(mut self, labels: &[String], loss: Option<f64>) -> Metrics {
        let k = labels.len();
        assert!(k >= self.confusion.len(), "a name for every class");
        for row in &mut self.confusion {
            row.resize(k, 0);
        }
        self.confusion.resize(k, vec![0; k]);
        let confusion = self.confusion;
        let n = self.examples;
        let mut per_class = Vec::with_capacity(k);
        let (mut sum_p, mut sum_r, mut sum_f, mut present) = (0.0, 0.0, 0.0, 0usize);
        for c in 0..k {
            let tp = confusion[c][c] as f64;
            let support: usize = confusion[c].iter().sum();
            let predicted: usize = confusion.iter().map(|row| row[c]).sum();
            let precision = ratio(tp, predicted as f64);
            let recall = ratio(tp, support as f64);
            let f1 = ratio(2.0 * tp, (support + predicted) as f64);
            if support > 0 || predicted > 0 {
                present += 1;
                sum_p += precision;
                sum_r += recall;
                sum_f += f1;
            }
            per_class.push(ClassMetrics {
                label: labels[c].clone(),
                precision,
                recall,
                f1,
                support,
            });
        }
        let correct: usize = (0..k).map(|c| confusion[c][c]).sum();
        let present = present.max(1) as f64;
        Metrics {
            loss,
            accuracy: ratio(correct as f64, n as f64),
            macro_f1: sum_f / present,
            macro_precision: sum_p / present,
            macro_recall: sum_r / present,
            top1_accuracy: ratio(self.top1 as f64, n as f64),
            top2_accuracy: ratio(self.top2 as f64, n as f64),
            per_class,
            confusion,
            examples: n,
            multi_label: None,
        }
    }
}

/// The cross-entropy of one example from its logits (log-sum-exp in f64): what the loss of an
/// evaluation averages.
pub fn cross_entropy(logits: &[f32], truth: usize) -> f64 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let log_sum = logits
        .iter()
        .map(|v| (*v as f64 - max).exp())
        .sum::<f64>()
        .ln()
        + max;
    log_sum - logits[truth] as f64
}

/// Index of the largest value; the first one on ties (as numpy's argmax).
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in row.iter().enumerate() {
        if *v > row[best] {
            best = i;
        }
    }
    best
}
