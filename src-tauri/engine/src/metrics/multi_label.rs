//! Multi-label metrics with scikit-learn's definitions for label-indicator data: a label is
//! predicted when its sigmoid score reaches the decision threshold; accuracy is subset accuracy
//! (every label of the row right); macro averages run over every label (zero_division = 0).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{ClassMetrics, Metrics, ratio};

/// What only multi-label data has: micro averages, the Hamming loss, the threshold used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MultiLabelMetrics {
    /// Scores at or above it count as predicted labels.
    pub threshold: f64,
    pub micro_f1: f64,
    pub micro_precision: f64,
    pub micro_recall: f64,
    /// The share of (row, label) decisions that are wrong.
    pub hamming_loss: f64,
    /// Mean number of labels per row: true, and predicted.
    pub true_labels_per_row: f64,
    pub predicted_labels_per_row: f64,
    /// The same rows at other thresholds (0.05 to 0.95), to choose the threshold by.
    #[serde(default)]
    pub curve: Vec<ThresholdPoint>,
}

/// The sigmoid of a logit: the label's score.
pub fn sigmoid(logit: f32) -> f32 {
    1.0 / (1.0 + (-logit).exp())
}

/// The labels a multi-label model gives a row: those whose score reaches the threshold, in
/// label order.
pub fn labels_at_or_above(scores: &[f32], threshold: f64) -> Vec<usize> {
    (0..scores.len())
        .filter(|l| f64::from(scores[*l]) >= threshold)
        .collect()
}

/// The mean binary cross-entropy of one row's logits against its label set, over the labels
/// (in f64, stable for any logit): what an evaluation's loss averages.
pub fn binary_cross_entropy(logits: &[f32], truth: &[usize]) -> f64 {
    let sum: f64 = logits
        .iter()
        .enumerate()
        .map(|(l, x)| {
            let x = f64::from(*x);
            let y = if truth.contains(&l) { 1.0 } else { 0.0 };
            x.max(0.0) - x * y + (-x.abs()).exp().ln_1p()
        })
        .sum();
    sum / logits.len().max(1) as f64
}

/// The decisions at one threshold, counted: per label true positives, false positives and
/// false negatives, and the rows with every label right.
#[derive(Debug, Clone)]
struct DecisionCounts {
    threshold: f64,
    tp: Vec<usize>,
    fp: Vec<usize>,
    fn_: Vec<usize>,
    exact: usize,
}

impl DecisionCounts {
    fn new(labels: usize, threshold: f64) -> Self {
        DecisionCounts {
            threshold,
            tp: vec![0; labels],
            fp: vec![0; labels],
            fn_: vec![0; labels],
            exact: 0,
        }
    }

    /// Counts one row; returns the labels it predicts.
    fn add(&mut self, truth: &[usize], scores: &[f32]) -> Vec<usize> {
        let predicted = labels_at_or_above(scores, self.threshold);
        for l in 0..self.tp.len() {
            match (truth.contains(&l), predicted.contains(&l)) {
                (true, true) => self.tp[l] += 1,
                (false, true) => self.fp[l] += 1,
                (true, false) => self.fn_[l] += 1,
                (false, false) => {}
            }
        }
        self.exact += usize::from(predicted.as_slice() == truth);
        predicted
    }

    fn per_label(&self, labels: &[String]) -> Vec<ClassMetrics> {
        (0..labels.len())
            .map(|l| {
                let (tp, fp, fn_) = (self.tp[l] as f64, self.fp[l] as f64, self.fn_[l] as f64);
                ClassMetrics {
                    label: labels[l].clone(),
                    precision: ratio(tp, tp + fp),
                    recall: ratio(tp, tp + fn_),
                    f1: ratio(2.0 * tp, 2.0 * tp + fp + fn_),
                    support: self.tp[l] + self.fn_[l],
                }
            })
            .collect()
    }

    /// Summed over the labels: (tp, fp, fn).
    fn totals(&self) -> (f64, f64, f64) {
        let sum = |v: &[usize]| v.iter().sum::<usize>() as f64;
        (sum(&self.tp), sum(&self.fp), sum(&self.fn_))
    }

    fn point(&self, rows: usize) -> ThresholdPoint {
        let k = self.tp.len();
        let (tp, fp, fn_) = self.totals();
        let f1s: f64 = (0..k)
            .map(|l| {
                let (tp, fp, fn_) = (self.tp[l] as f64, self.fp[l] as f64, self.fn_[l] as f64);
                ratio(2.0 * tp, 2.0 * tp + fp + fn_)
            })
            .sum();
        ThresholdPoint {
            threshold: self.threshold,
            micro_f1: ratio(2.0 * tp, 2.0 * tp + fp + fn_),
            macro_f1: ratio(f1s, k as f64),
            subset_accuracy: ratio(self.exact as f64, rows as f64),
            hamming_loss: ratio(fp + fn_, (rows * k) as f64),
        }
    }
}

/// The metrics a decision threshold would give, for choosing one on the validation rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ThresholdPoint {
    pub threshold: f64,
    pub micro_f1: f64,
    pub macro_f1: f64,
    pub subset_accuracy: f64,
    pub hamming_loss: f64,
}

/// The thresholds the curve is measured at: 0.05 to 0.95 by 0.05.
pub fn curve_thresholds() -> Vec<f64> {
    (1..20).map(|i| f64::from(i) / 20.0).collect()
}

/// The counts the multi-label metrics are made of, filled one row at a time: at the model's
/// threshold, and at each threshold of the curve.
#[derive(Debug, Clone)]
pub struct MultiLabelAccumulator {
    at_threshold: DecisionCounts,
    curve: Vec<DecisionCounts>,
    top1: usize,
    top2: usize,
    rows: usize,
}

impl MultiLabelAccumulator {
    pub fn new(labels: usize, threshold: f64) -> Self {
        MultiLabelAccumulator {
            at_threshold: DecisionCounts::new(labels, threshold),
            curve: curve_thresholds()
                .into_iter()
                .map(|t| DecisionCounts::new(labels, t))
                .collect(),
            top1: 0,
            top2: 0,
            rows: 0,
        }
    }

    /// One row: its true labels (sorted) and logits; returns the predicted labels.
    pub fn add(&mut self, truth: &[usize], logits: &[f32]) -> Vec<usize> {
        let scores: Vec<f32> = logits.iter().map(|x| sigmoid(*x)).collect();
        self.add_scores(truth, &scores)
    }

    /// One row: its true labels (sorted) and its labels' scores (sigmoid of the logits).
    pub fn add_scores(&mut self, truth: &[usize], scores: &[f32]) -> Vec<usize> {
        let predicted = self.at_threshold.add(truth, scores);
        for counts in &mut self.curve {
            counts.add(truth, scores);
        }
        // Whether a true label is the best-scored one, or among the best two (first of equals;
        // the sigmoid keeps the logits' order).
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
        self.top1 += usize::from(order.first().is_some_and(|l| truth.contains(l)));
        self.top2 += usize::from(order.iter().take(2).any(|l| truth.contains(l)));
        self.rows += 1;
        predicted
    }

    /// The metrics; `labels` names every label, in index order.
    pub fn finish(self, labels: &[String], loss: Option<f64>) -> Metrics {
        let n = self.rows as f64;
        let counts = &self.at_threshold;
        let per_class = counts.per_label(labels);
        let mean =
            |f: fn(&ClassMetrics) -> f64| ratio(per_class.iter().map(f).sum(), labels.len() as f64);
        let (tp, fp, fn_) = counts.totals();
        let point = counts.point(self.rows);
        Metrics {
            loss,
            accuracy: point.subset_accuracy,
            macro_f1: mean(|c| c.f1),
            macro_precision: mean(|c| c.precision),
            macro_recall: mean(|c| c.recall),
            top1_accuracy: ratio(self.top1 as f64, n),
            top2_accuracy: ratio(self.top2 as f64, n),
            confusion: Vec::new(),
            examples: self.rows,
            multi_label: Some(MultiLabelMetrics {
                threshold: counts.threshold,
                micro_f1: point.micro_f1,
                micro_precision: ratio(tp, tp + fp),
                micro_recall: ratio(tp, tp + fn_),
                hamming_loss: point.hamming_loss,
                true_labels_per_row: ratio(tp + fn_, n),
                predicted_labels_per_row: ratio(tp + fp, n),
                curve: self.curve.iter().map(|c| c.point(self.rows)).collect(),
            }),
            per_class,
        }
    }
}

/// Multi-label metrics of logits (row-major `[rows, labels.len()]`) against label sets.
pub fn multi_label_metrics(
    truth: &[Vec<usize>],
    logits: &[f32],
    labels: &[String],
    threshold: f64,
    loss: Option<f64>,
) -> Metrics {
    let k = labels.len();
    assert_eq!(logits.len(), truth.len() * k, "one logit per label and row");
    let mut counts = MultiLabelAccumulator::new(k, threshold);
    for (i, set) in truth.iter().enumerate() {
        counts.add(set, &logits[i * k..(i + 1) * k]);
    }
    counts.finish(labels, loss)
}
