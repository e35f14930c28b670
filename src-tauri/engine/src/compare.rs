//! Side-by-side comparison of models: the metrics with the best of each row marked, per-class
//! F1, the differences between recipes, the curves of their runs, and whether their numbers
//! were measured on the same data. The page draws it as is; it computes nothing.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::data::{LabelNames, read_model_label_names};
use crate::fsutil::file_name_of;
use crate::inference::EvaluationReport;
use crate::library::LibraryModel;
use crate::message::Message;
use crate::said;
use crate::train::{BestMetric, Metrics, Recipe, TrainingEvent, TrainingReport};

/// One model in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ComparedModel {
    pub id: String,
    pub name: String,
    pub base_model: String,
    /// What its numbers were measured on, in words.
    pub measured_on: Message,
}

/// A metric across the models; `best` is the index of the best value (ties: the first).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct MetricRow {
    /// The metric's id, as the field of `Metrics` it comes from (`macro_f1`); the page words it.
    pub metric: String,
    pub values: Vec<Option<f64>>,
    pub higher_is_better: bool,
    pub best: Option<usize>,
}

/// F1 and support of one class, per model (`None`: the model does not know the class).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ClassRow {
    pub label: String,
    pub f1: Vec<Option<f64>>,
    pub support: Vec<Option<usize>>,
}

/// A recipe field whose value differs between the models.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RecipeDifference {
    pub field: String,
    /// The value per model, as JSON text ("—" for a model without a recipe).
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EvaluationPoint {
    pub epoch: f64,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub top2_accuracy: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LossPoint {
    pub epoch: f64,
    pub loss: f64,
}

/// The curves of one model's training run (empty for imported models).
#[derive(Debug, Clone, PartialEq, Default, Serialize, TS)]
#[ts(export)]
pub struct RunCurves {
    pub evaluations: Vec<EvaluationPoint>,
    pub losses: Vec<LossPoint>,
}

/// A confusion matrix with its labels (rows: true class, columns: predicted).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Confusion {
    pub labels: Vec<String>,
    pub matrix: Vec<Vec<usize>>,
}

/// The model with the best score on the metric its runs chose their best model by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BestModel {
    pub index: usize,
    pub metric: BestMetric,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Comparison {
    pub models: Vec<ComparedModel>,
    pub metrics: Vec<MetricRow>,
    pub per_class: Vec<ClassRow>,
    pub recipe_differences: Vec<RecipeDifference>,
    pub curves: Vec<RunCurves>,
    pub confusions: Vec<Option<Confusion>>,
    /// True when every model was measured on the same rows.
    pub same_data: bool,
    /// Plain words about the data the numbers come from.
    pub data_note: Message,
    /// The labels' names the models keep (code → name; the first model's name when two
    /// differ), to show beside the codes.
    pub label_names: LabelNames,
    /// Set only when the numbers can be ranked: the same rows for all, and every recipe
    /// choosing its best model by the same metric (as the runs of one search do).
    pub best_model: Option<BestModel>,
}

/// What goes into a comparison for one model.
#[derive(Clone)]
pub struct CompareInput {
    pub id: String,
    pub name: String,
    pub base_model: String,
    pub metrics: Option<Metrics>,
    pub recipe: Option<Recipe>,
    pub history: Vec<TrainingEvent>,
    /// Identifies the rows the metrics were computed on (`RowsFingerprint`: equal keys = same
    /// rows, whatever the file they came from); `None` when unknown.
    pub data_key: Option<String>,
    pub measured_on: Message,
    pub label_names: LabelNames,
}

impl CompareInput {
    /// A model trained here, with the validation metrics of its report.
    pub fn from_training(id: &str, name: &str, report: &TrainingReport) -> Self {
        let data = &report.data;
        let words = match &data.validation_file {
            Some(file) => file_rows(file, data.validation_rows),
            None => said!(
                "compare.held_out",
                "{count} rows held out of {file} ({percent} %, seed {seed})",
                count = data.validation_rows,
                file = file_name_of(&data.train_file),
                percent = report.recipe.validation_fraction * 100.0,
                seed = report.recipe.seed
            ),
        };
        CompareInput {
            id: id.into(),
            name: name.into(),
            base_model: report.base_model.clone(),
            metrics: report.final_metrics.clone(),
            recipe: Some(report.recipe.clone()),
            history: report.history.clone(),
            data_key: data.validation_fingerprint.clone(),
            measured_on: words,
            label_names: data.label_names.clone(),
        }
    }

    /// A library model on its own numbers: the validation metrics of its run, or none yet for
    /// an imported model (until it is evaluated on a file).
    pub fn from_library(model: &LibraryModel) -> Self {
        let entry = &model.entry;
        match &model.report {
            Some(report) => Self::from_training(&entry.id, &entry.name, report),
            None => CompareInput {
                id: entry.id.clone(),
                name: entry.name.clone(),
                base_model: entry.base_model.clone(),
                metrics: None,
                recipe: None,
                history: Vec::new(),
                data_key: None,
                measured_on: said!("compare.imported", "nothing yet (imported)"),
                label_names: read_model_label_names(Path::new(&entry.folder)),
            },
        }
    }

    /// A library model evaluated on a test file (the comparison on one file for all); its
    /// recipe and curves still come from its run.
    pub fn from_evaluation(model: &LibraryModel, evaluation: &EvaluationReport) -> Self {
        let entry = &model.entry;
        CompareInput {
            id: entry.id.clone(),
            name: entry.name.clone(),
            base_model: entry.base_model.clone(),
            metrics: Some(evaluation.metrics.clone()),
            recipe: model.report.as_ref().map(|r| r.recipe.clone()),
            history: model
                .report
                .as_ref()
                .map(|r| r.history.clone())
                .unwrap_or_default(),
            data_key: Some(evaluation.rows_fingerprint.clone()),
            label_names: evaluation.label_names.clone(),
            measured_on: file_rows(&evaluation.input, evaluation.evaluated_rows),
        }
    }
}

/// "test.csv (120 rows)".
fn file_rows(file: &str, rows: usize) -> Message {
    said!(
        "compare.file_rows",
        "{file} ({count} rows)",
        file = file_name_of(file),
        count = rows
    )
}

fn best_index(values: &[Option<f64>], higher_is_better: bool) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, v) in values.iter().enumerate() {
        let Some(v) = v.filter(|v| v.is_finite()) else {
            continue;
        };
        let better = match best {
            None => true,
            Some((_, b)) => {
                if higher_is_better {
                    v > b
                } else {
                    v < b
                }
            }
        };
        if better {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

/// The best model by the metric all recipes share, when the numbers can be ranked.
fn best_model(inputs: &[CompareInput], same_data: bool) -> Option<BestModel> {
    if !same_data || inputs.len() < 2 {
        return None;
    }
    let metric = inputs[0].recipe.as_ref()?.metric_for_best_model;
    let shared = inputs
        .iter()
        .all(|i| i.recipe.as_ref().map(|r| r.metric_for_best_model) == Some(metric));
    if !shared {
        return None;
    }
    let scores: Vec<Option<f64>> = inputs
        .iter()
        .map(|i| i.metrics.as_ref().map(|m| metric.score(m)))
        .collect();
    // A model without the score (an imported one, a run without a loss) cannot be ranked.
    if !scores.iter().all(|s| s.is_some_and(f64::is_finite)) {
        return None;
    }
    best_index(&scores, true).map(|index| BestModel { index, metric })
}

pub fn compare(inputs: &[CompareInput]) -> Comparison {
    let metric = |name: &str, higher: bool, f: &dyn Fn(&Metrics) -> Option<f64>| {
        let values: Vec<Option<f64>> = inputs
            .iter()
            .map(|m| m.metrics.as_ref().and_then(f))
            .collect();
        MetricRow {
            metric: name.into(),
            best: best_index(&values, higher),
            values,
            higher_is_better: higher,
        }
    };
    let measured = || inputs.iter().filter_map(|i| i.metrics.as_ref());
    let all_multi_label = measured().count() > 0 && measured().all(|m| m.multi_label.is_some());
    let any_multi_label = measured().any(|m| m.multi_label.is_some());
    // Multi-label accuracy is subset accuracy (every label of a row right), and top-2 means
    // little there: the rows say so, and add the multi-label measures.
    let mut metrics = vec![metric(
        if all_multi_label {
            "subset_accuracy"
        } else {
            "accuracy"
        },
        true,
        &|m| Some(m.accuracy),
    )];
    if any_multi_label {
        metrics.push(metric("micro_f1", true, &|m| {
            m.multi_label.as_ref().map(|x| x.micro_f1)
        }));
    }
    metrics.extend([
        metric("macro_f1", true, &|m| Some(m.macro_f1)),
        metric("macro_precision", true, &|m| Some(m.macro_precision)),
        metric("macro_recall", true, &|m| Some(m.macro_recall)),
    ]);
    if any_multi_label {
        metrics.push(metric("hamming_loss", false, &|m| {
            m.multi_label.as_ref().map(|x| x.hamming_loss)
        }));
    }
    if !all_multi_label {
        metrics.push(metric("top2_accuracy", true, &|m| Some(m.top2_accuracy)));
    }
    metrics.push(metric("loss", false, &|m| m.loss));

    // Classes in first-seen order across the models.
    let mut labels: Vec<String> = Vec::new();
    for m in inputs.iter().filter_map(|i| i.metrics.as_ref()) {
        for c in &m.per_class {
            if !labels.contains(&c.label) {
                labels.push(c.label.clone());
            }
        }
    }
    let per_class = labels
        .iter()
        .map(|label| {
            let found: Vec<_> = inputs
                .iter()
                .map(|i| {
                    i.metrics
                        .as_ref()
                        .and_then(|m| m.per_class.iter().find(|c| &c.label == label))
                })
                .collect();
            ClassRow {
                label: label.clone(),
                f1: found.iter().map(|c| c.map(|c| c.f1)).collect(),
                support: found.iter().map(|c| c.map(|c| c.support)).collect(),
            }
        })
        .collect();

    let recipes: Vec<Option<serde_json::Map<String, serde_json::Value>>> = inputs
        .iter()
        .map(|i| {
            i.recipe
                .as_ref()
                .and_then(|r| match serde_json::to_value(r) {
                    Ok(serde_json::Value::Object(map)) => Some(map),
                    _ => None,
                })
        })
        .collect();
    let fields: Vec<String> = recipes
        .iter()
        .flatten()
        .next()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let recipe_differences = fields
        .into_iter()
        .filter_map(|field| {
            let values: Vec<String> = recipes
                .iter()
                .map(|r| {
                    r.as_ref()
                        .and_then(|m| m.get(&field))
                        .map_or("—".to_string(), |v| v.to_string())
                })
                .collect();
            let differs = values.iter().any(|v| v != &values[0]);
            differs.then_some(RecipeDifference { field, values })
        })
        .collect();

    let curves = inputs
        .iter()
        .map(|i| {
            let mut curves = RunCurves::default();
            for event in &i.history {
                match event {
                    TrainingEvent::Evaluation { epoch, metrics, .. } => {
                        curves.evaluations.push(EvaluationPoint {
                            epoch: *epoch,
                            accuracy: metrics.accuracy,
                            macro_f1: metrics.macro_f1,
                            top2_accuracy: metrics.top2_accuracy,
                        })
                    }
                    TrainingEvent::Log { epoch, loss, .. } => curves.losses.push(LossPoint {
                        epoch: *epoch,
                        loss: *loss,
                    }),
                    _ => {}
                }
            }
            curves
        })
        .collect();

    let confusions = inputs
        .iter()
        .map(|i| {
            // Multi-label metrics have no confusion between labels.
            i.metrics
                .as_ref()
                .filter(|m| !m.confusion.is_empty())
                .map(|m| Confusion {
                    labels: m.per_class.iter().map(|c| c.label.clone()).collect(),
                    matrix: m.confusion.clone(),
                })
        })
        .collect();

    let keys: Vec<&Option<String>> = inputs.iter().map(|i| &i.data_key).collect();
    let same_data = keys.iter().all(|k| k.is_some() && *k == keys[0]);
    let data_note = if inputs.is_empty() {
        Message::plain("")
    } else if same_data {
        said!(
            "compare.same_data",
            "All models were measured on the same rows: {measured_on}.",
            measured_on = inputs[0].measured_on.clone()
        )
    } else {
        let each: Vec<Message> = inputs
            .iter()
            .map(|i| {
                said!(
                    "compare.model_measured_on",
                    "{name}: {measured_on}",
                    name = i.name.clone(),
                    measured_on = i.measured_on.clone()
                )
            })
            .collect();
        let list: Vec<&str> = each.iter().map(|m| m.text.as_str()).collect();
        Message::new(
            "compare.different_data",
            format!(
                "These models were measured on different data ({}), so their numbers are not \
                 directly comparable. Evaluate them all on one test file to compare them fairly.",
                list.join("; ")
            ),
            [("each", serde_json::json!(each))],
        )
    };

    Comparison {
        models: inputs
            .iter()
            .map(|i| ComparedModel {
                id: i.id.clone(),
                name: i.name.clone(),
                base_model: i.base_model.clone(),
                measured_on: i.measured_on.clone(),
            })
            .collect(),
        metrics,
        per_class,
        recipe_differences,
        curves,
        confusions,
        same_data,
        data_note,
        label_names: inputs
            .iter()
            .rev()
            .fold(LabelNames::new(), |mut names, input| {
                names.extend(input.label_names.clone());
                names
            }),
        best_model: best_model(inputs, same_data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::ClassMetrics;

    fn metrics(accuracy: f64, loss: f64, f1_a: f64) -> Metrics {
        Metrics {
            loss: Some(loss),
            accuracy,
            macro_f1: accuracy - 0.1,
            macro_precision: 0.5,
            macro_recall: 0.5,
            top1_accuracy: accuracy,
            top2_accuracy: 0.9,
            per_class: vec![ClassMetrics {
                label: "a".into(),
                precision: 1.0,
                recall: 1.0,
                f1: f1_a,
                support: 3,
            }],
            confusion: vec![vec![3]],
            multi_label: None,
            examples: 3,
        }
    }

    fn input(id: &str, m: Metrics, recipe: Recipe, key: &str) -> CompareInput {
        CompareInput {
            id: id.into(),
            name: id.into(),
            base_model: "bert".into(),
            metrics: Some(m),
            recipe: Some(recipe),
            history: vec![],
            data_key: Some(key.into()),
            measured_on: Message::plain(key),
            label_names: LabelNames::new(),
        }
    }

    #[test]
    fn best_values_recipe_differences_and_data_are_reported() {
        let slow = Recipe {
            learning_rate: 2e-5,
            ..Recipe::default()
        };
        let c = compare(&[
            input("m1", metrics(0.7, 0.9, 0.8), Recipe::default(), "split:x"),
            input("m2", metrics(0.8, 1.1, 0.6), slow, "split:x"),
        ]);
        let row = |name: &str| c.metrics.iter().find(|r| r.metric == name).unwrap().clone();
        assert_eq!(row("accuracy").best, Some(1));
        assert_eq!(row("loss").best, Some(0), "lower loss is better");
        assert_eq!(row("top2_accuracy").best, Some(0), "a tie marks the first");
        assert_eq!(c.recipe_differences.len(), 1);
        assert_eq!(c.recipe_differences[0].field, "learning_rate");
        assert_eq!(c.recipe_differences[0].values, ["0.00005", "0.00002"]);
        assert_eq!(c.per_class[0].f1, [Some(0.8), Some(0.6)]);
        assert!(c.same_data);
        assert_eq!(
            c.best_model,
            Some(BestModel {
                index: 0,
                metric: BestMetric::Loss
            }),
            "both runs chose their best model by the loss (the Trainer's default)"
        );

        let by_accuracy = |learning_rate: f64| Recipe {
            learning_rate,
            metric_for_best_model: BestMetric::Accuracy,
            ..Recipe::default()
        };
        let ranked = compare(&[
            input("m1", metrics(0.7, 0.9, 0.8), by_accuracy(5e-5), "split:x"),
            input("m2", metrics(0.8, 1.1, 0.6), by_accuracy(2e-5), "split:x"),
        ]);
        assert_eq!(ranked.best_model.map(|b| b.index), Some(1));
        let unlike = compare(&[
            input("m1", metrics(0.7, 0.9, 0.8), Recipe::default(), "split:x"),
            input("m2", metrics(0.8, 1.1, 0.6), by_accuracy(2e-5), "split:x"),
        ]);
        assert_eq!(
            unlike.best_model, None,
            "runs that chose by different metrics"
        );
        let mut unmeasured = input("m2", metrics(0.8, 1.1, 0.6), Recipe::default(), "split:x");
        unmeasured.metrics.as_mut().unwrap().loss = None;
        let one_scored = compare(&[
            input("m1", metrics(0.7, 0.9, 0.8), Recipe::default(), "split:x"),
            unmeasured,
        ]);
        assert_eq!(
            one_scored.best_model, None,
            "only one of the two has a loss"
        );

        let apart = compare(&[
            input("m1", metrics(0.7, 0.9, 0.8), Recipe::default(), "split:x"),
            input("m2", metrics(0.8, 1.1, 0.6), Recipe::default(), "file:y"),
        ]);
        assert!(!apart.same_data);
        assert!(
            apart.data_note.text.contains("not directly comparable"),
            "{}",
            apart.data_note
        );
        assert!(apart.recipe_differences.is_empty());
        assert_eq!(apart.best_model, None, "numbers from different rows");
    }

    #[test]
    fn multi_label_models_are_compared_by_subset_accuracy_micro_f1_and_hamming_loss() {
        let multi = |accuracy: f64, micro_f1: f64, hamming_loss: f64| Metrics {
            multi_label: Some(crate::metrics::MultiLabelMetrics {
                threshold: 0.5,
                micro_f1,
                micro_precision: 0.5,
                micro_recall: 0.5,
                hamming_loss,
                true_labels_per_row: 1.5,
                predicted_labels_per_row: 1.5,
                curve: vec![],
            }),
            confusion: vec![],
            ..metrics(accuracy, 0.3, 0.5)
        };
        let c = compare(&[
            input("m1", multi(0.4, 0.7, 0.1), Recipe::default(), "split:x"),
            input("m2", multi(0.5, 0.6, 0.2), Recipe::default(), "split:x"),
        ]);
        let ids: Vec<&str> = c.metrics.iter().map(|r| r.metric.as_str()).collect();
        assert_eq!(
            ids,
            [
                "subset_accuracy",
                "micro_f1",
                "macro_f1",
                "macro_precision",
                "macro_recall",
                "hamming_loss",
                "loss"
            ],
            "no top-2 row, whose meaning is single-label"
        );
        let row = |name: &str| c.metrics.iter().find(|r| r.metric == name).unwrap().clone();
        assert_eq!(row("subset_accuracy").best, Some(1));
        assert_eq!(row("micro_f1").best, Some(0));
        assert_eq!(
            row("hamming_loss").best,
            Some(0),
            "fewer wrong decisions is better"
        );

        let mixed = compare(&[
            input("m1", multi(0.4, 0.7, 0.1), Recipe::default(), "split:x"),
            input("m2", metrics(0.5, 0.3, 0.5), Recipe::default(), "split:x"),
        ]);
        let row = |name: &str| {
            mixed
                .metrics
                .iter()
                .find(|r| r.metric == name)
                .unwrap()
                .clone()
        };
        assert_eq!(row("accuracy").values, [Some(0.4), Some(0.5)]);
        assert_eq!(row("micro_f1").values, [Some(0.7), None]);
        assert!(mixed.metrics.iter().any(|r| r.metric == "top2_accuracy"));
    }
}
