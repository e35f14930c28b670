//! Classification metrics with scikit-learn's definitions (macro averages over the labels
//! present in the true or predicted values, zero_division = 0).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// `confusion[true][predicted]` counts, in class order.
    pub confusion: Vec<Vec<usize>>,
    pub examples: usize,
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
    let n = truth.len();
    assert_eq!(scores.len(), n * k, "one score per class and example");
    let mut confusion = vec![vec![0usize; k]; k];
    let (mut top1, mut top2) = (0usize, 0usize);
    for (i, &t) in truth.iter().enumerate() {
        let row = &scores[i * k..(i + 1) * k];
        let predicted = argmax(row);
        confusion[t][predicted] += 1;
        // Rank of the true class: how many classes score strictly higher.
        let higher = row.iter().filter(|s| **s > row[t]).count();
        top1 += usize::from(higher < 1);
        top2 += usize::from(higher < 2);
    }
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
        top1_accuracy: ratio(top1 as f64, n as f64),
        top2_accuracy: ratio(top2 as f64, n as f64),
        per_class,
        confusion,
        examples: n,
    }
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
