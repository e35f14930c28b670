//! The evaluation of a multi-label model, row by row: labels the model does not know set apart, the scores counted at the model's threshold, and
//! the rows with a missed or an extra label listed.

use std::collections::BTreeMap;

use super::classifier::LabelScore;
use super::evaluate::{MisclassifiedRow, UnseenLabel};
use crate::data::{RowsFingerprint, Targets};
use crate::metrics::{Metrics, MultiLabelAccumulator, binary_cross_entropy, sigmoid};

/// What a multi-label evaluation found.
pub(super) struct TallyResult {
    pub metrics: Metrics,
    pub unseen: Vec<UnseenLabel>,
    pub fingerprint: RowsFingerprint,
    pub misclassified_total: usize,
    pub misclassified: Vec<MisclassifiedRow>,
}

pub(super) struct MultiLabelTally<'a> {
    labels: &'a [String],
    index: BTreeMap<&'a str, usize>,
    counts: MultiLabelAccumulator,
    loss_sum: f64,
    rows: usize,
    unseen: Vec<UnseenLabel>,
    fingerprint: RowsFingerprint,
    misclassified_total: usize,
    misclassified: Vec<MisclassifiedRow>,
    max_listed: usize,
}

impl<'a> MultiLabelTally<'a> {
    pub fn new(labels: &'a [String], threshold: f64, max_listed: usize) -> Self {
        MultiLabelTally {
            labels,
            index: labels
                .iter()
                .enumerate()
                .map(|(i, l)| (l.as_str(), i))
                .collect(),
            counts: MultiLabelAccumulator::new(labels.len(), threshold),
            loss_sum: 0.0,
            rows: 0,
            unseen: Vec::new(),
            fingerprint: RowsFingerprint::default(),
            misclassified_total: 0,
            misclassified: Vec::new(),
            max_listed,
        }
    }

    /// One row: its labels as the file writes them (`cell`) and one by one, and its labels'
    /// logits.
    pub fn add(&mut self, line: u64, text: &str, cell: &str, labels: Vec<String>, logits: &[f32]) {
        let mut truth = Vec::new();
        for label in labels {
            match self.index.get(label.as_str()) {
                Some(&l) => truth.push(l),
                None => match self.unseen.iter_mut().find(|u| u.label == label) {
                    Some(u) => u.rows += 1,
                    None => self.unseen.push(UnseenLabel { label, rows: 1 }),
                },
            }
        }
        truth.sort_unstable();
        let row = Targets::LabelSets(vec![truth.clone()]);
        self.fingerprint.add(text, &row.label_text(0, self.labels));
        self.loss_sum += binary_cross_entropy(logits, &truth);
        let scores: Vec<f32> = logits.iter().map(|x| sigmoid(*x)).collect();
        self.rows += 1;
        let predicted = self.counts.add_scores(&truth, &scores);
        if predicted != truth {
            self.misclassified_total += 1;
            if self.misclassified.len() < self.max_listed {
                let names = |set: &[usize]| -> Vec<String> {
                    set.iter().map(|l| self.labels[*l].clone()).collect()
                };
                let missed: Vec<usize> = truth
                    .iter()
                    .copied()
                    .filter(|l| !predicted.contains(l))
                    .collect();
                let extra: Vec<usize> = predicted
                    .iter()
                    .copied()
                    .filter(|l| !truth.contains(l))
                    .collect();
                self.misclassified.push(MisclassifiedRow {
                    line,
                    text: text.to_string(),
                    true_label: cell.trim().to_string(),
                    predicted: predicted
                        .iter()
                        .map(|l| LabelScore {
                            label: self.labels[*l].clone(),
                            score: scores[*l],
                        })
                        .collect(),
                    missed_labels: Some(names(&missed)),
                    extra_labels: Some(names(&extra)),
                    label_score: None,
                });
            }
        }
    }

    /// The metrics, with the rows and labels set apart on the way.
    pub fn finish(self) -> TallyResult {
        let loss = (self.rows > 0).then(|| self.loss_sum / self.rows as f64);
        TallyResult {
            metrics: self.counts.finish(self.labels, loss),
            unseen: self.unseen,
            fingerprint: self.fingerprint,
            misclassified_total: self.misclassified_total,
            misclassified: self.misclassified,
        }
    }
}
