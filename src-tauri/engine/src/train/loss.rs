//! What a run minimises and how its validation is scored: cross-entropy over the classes
//! (weighted when the recipe asks), or, for multi-label data, binary cross-entropy of each
//! label's sigmoid (transformers' `problem_type: "multi_label_classification"`:
//! `BCEWithLogitsLoss`, the mean over rows and labels).

use burn::nn::loss::{
    BinaryCrossEntropyLoss, BinaryCrossEntropyLossConfig, CrossEntropyLoss, CrossEntropyLossConfig,
};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};

use crate::data::Targets;
use crate::metrics::{
    Metrics, MetricsAccumulator, MultiLabelAccumulator, binary_cross_entropy, cross_entropy,
};

/// The loss of a run, by the kind of its targets.
pub enum TrainingLoss<B: Backend> {
    Classes(CrossEntropyLoss<B>),
    LabelSets(BinaryCrossEntropyLoss<B>),
}

impl<B: Backend> TrainingLoss<B> {
    /// `class_weights` weigh the classes of single-label data (multi-label recipes have none).
    pub fn new(targets: &Targets, class_weights: Option<Vec<f32>>, device: &B::Device) -> Self {
        match targets {
            Targets::Classes(_) => TrainingLoss::Classes(
                CrossEntropyLossConfig::new()
                    .with_weights(class_weights)
                    .init(device),
            ),
            Targets::LabelSets(_) => TrainingLoss::LabelSets(
                BinaryCrossEntropyLossConfig::new()
                    .with_logits(true)
                    .init(device),
            ),
        }
    }

    /// The mean loss of `logits` (`[rows, labels]`) against the targets of `rows`.
    pub fn forward(&self, logits: Tensor<B, 2>, targets: &Targets, rows: &[usize]) -> Tensor<B, 1> {
        let device = logits.device();
        match self {
            TrainingLoss::Classes(loss) => {
                let Targets::Classes(classes) = targets else {
                    unreachable!("a class loss is made for classes")
                };
                let values: Vec<i64> = rows.iter().map(|r| classes[*r] as i64).collect();
                let targets =
                    Tensor::<B, 1, Int>::from_data(TensorData::new(values, [rows.len()]), &device);
                loss.forward(logits, targets)
            }
            TrainingLoss::LabelSets(loss) => {
                let labels = logits.dims()[1];
                let values: Vec<i64> = targets
                    .multi_hot(rows, labels)
                    .into_iter()
                    .map(|v| v as i64)
                    .collect();
                let targets = Tensor::<B, 2, Int>::from_data(
                    TensorData::new(values, [rows.len(), labels]),
                    &device,
                );
                loss.forward(logits, targets)
            }
        }
    }
}

/// Validation metrics of each row's logits against its targets, with the loss the run
/// minimises: the weighted mean cross-entropy as `CrossEntropyLoss(weight=…)` takes it
/// (Σ wᵧ·lossᵢ / Σ wᵧ), or the mean binary cross-entropy over rows and labels.
pub fn validation_metrics(
    logits: &[Vec<f32>],
    targets: &Targets,
    labels: &[String],
    class_weights: Option<&[f32]>,
    threshold: f64,
) -> Metrics {
    match targets {
        Targets::Classes(classes) => {
            let mut counts = MetricsAccumulator::new(labels.len());
            let (mut loss_sum, mut weight_sum) = (0.0, 0.0);
            for (row, &truth) in logits.iter().zip(classes) {
                let weight = class_weights.map_or(1.0, |w| f64::from(w[truth]));
                loss_sum += weight * cross_entropy(row, truth);
                weight_sum += weight;
                counts.add(truth, row);
            }
            let loss = if weight_sum > 0.0 {
                loss_sum / weight_sum
            } else {
                0.0
            };
            counts.finish(labels, Some(loss))
        }
        Targets::LabelSets(sets) => {
            let mut counts = MultiLabelAccumulator::new(labels.len(), threshold);
            let mut loss_sum = 0.0;
            for (row, truth) in logits.iter().zip(sets) {
                loss_sum += binary_cross_entropy(row, truth);
                counts.add(truth, row);
            }
            let loss = loss_sum / sets.len().max(1) as f64;
            counts.finish(labels, Some(loss))
        }
    }
}
