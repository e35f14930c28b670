//! The Trainer's arithmetic against transformers' and scikit-learn's own numbers: learning-rate
//! schedules, step counts, metrics and the stratified split (fixtures made by
//! `scripts/reference/reference.py`).

mod common;

use std::path::Path;

use bert_studio_engine::data::stratified_split;
use bert_studio_engine::train::schedule::learning_rate;
use bert_studio_engine::train::{Recipe, Scheduler, StepPlan, classification_metrics};
use common::*;
use serde_json::Value;

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn learning_rates_match_transformers_schedulers() {
    let fixture = json(&fixtures().join("schedules.json"));
    let base = fixture["base_lr"].as_f64().unwrap();
    let total = fixture["total_steps"].as_u64().unwrap() as usize;
    let warmup = fixture["warmup_steps"].as_u64().unwrap() as usize;
    assert_eq!(warmup, (total as f64 * 0.1).ceil() as usize);
    for (name, kind) in [
        ("linear", Scheduler::Linear),
        ("constant", Scheduler::Constant),
        ("constant_with_warmup", Scheduler::ConstantWithWarmup),
        ("cosine", Scheduler::Cosine),
    ] {
        let expected: Vec<f64> =
            serde_json::from_value(fixture["learning_rates"][name].clone()).unwrap();
        assert_eq!(expected.len(), total);
        for (step, want) in expected.iter().enumerate() {
            let got = learning_rate(kind, base, step, warmup, total);
            assert!(
                (got - want).abs() <= 1e-12 + 1e-9 * want.abs(),
                "{name} step {step}: {got} vs {want}"
            );
        }
    }
}

/// Micro-batches, optimizer steps and warm-up steps as the Trainer counts them (its own
/// dataloader and `set_initial_training_values`, `reference.py steps`), for sizes where the
/// rounding matters: fewer rows than a batch, a last group shorter than the accumulation.
#[test]
fn step_counts_match_the_trainers() {
    let fixture = json(&fixtures().join("steps.json"));
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let n = |key: &str| case[key].as_u64().unwrap() as usize;
        let recipe = Recipe {
            train_batch_size: n("train_batch_size"),
            gradient_accumulation_steps: n("gradient_accumulation_steps"),
            epochs: n("epochs"),
            warmup_ratio: case["warmup_ratio"].as_f64().unwrap(),
            ..Recipe::default()
        };
        let plan = StepPlan::new(&recipe, n("rows"));
        let trainer = (
            n("micro_batches_per_epoch"),
            n("steps_per_epoch"),
            n("total_steps"),
            n("warmup_steps"),
        );
        assert_eq!(
            (
                plan.micro_batches_per_epoch,
                plan.steps_per_epoch,
                plan.total_steps,
                plan.warmup_steps
            ),
            trainer,
            "{case}"
        );
    }
}

#[test]
fn metrics_match_scikit_learn() {
    let f = json(&fixtures().join("metrics.json"));
    let labels: Vec<String> = serde_json::from_value(f["labels"].clone()).unwrap();
    let truth: Vec<usize> = serde_json::from_value(f["y_true"].clone()).unwrap();
    let probs: Vec<Vec<f32>> = serde_json::from_value(f["probs"].clone()).unwrap();
    let flat: Vec<f32> = probs.concat();
    let m = classification_metrics(&truth, &flat, &labels, None);
    let close = |a: f64, key: &str| {
        let b = f[key].as_f64().unwrap();
        assert!((a - b).abs() < 1e-12, "{key}: {a} vs scikit-learn {b}");
    };
    close(m.accuracy, "accuracy");
    close(m.macro_f1, "macro_f1");
    close(m.macro_precision, "macro_precision");
    close(m.macro_recall, "macro_recall");
    close(m.top1_accuracy, "top1_accuracy");
    close(m.top2_accuracy, "top2_accuracy");
    for (c, class) in m.per_class.iter().enumerate() {
        assert!((class.precision - f["per_class_precision"][c].as_f64().unwrap()).abs() < 1e-12);
        assert!((class.recall - f["per_class_recall"][c].as_f64().unwrap()).abs() < 1e-12);
        assert!((class.f1 - f["per_class_f1"][c].as_f64().unwrap()).abs() < 1e-12);
        assert_eq!(
            class.support as u64,
            f["per_class_support"][c].as_u64().unwrap()
        );
    }
    let confusion: Vec<Vec<usize>> = serde_json::from_value(f["confusion"].clone()).unwrap();
    assert_eq!(m.confusion, confusion);
}

/// The validation split takes from each class what scikit-learn's stratified split
/// (`train_test_split(stratify=…)`, i.e. StratifiedShuffleSplit) takes: `reference.py splits`
/// ran it with 200 seeds per case; where classes tie, any count vector it produced will do.
#[test]
fn the_stratified_split_takes_from_each_class_what_scikit_learn_takes() {
    let fixture = json(&fixtures().join("splits.json"));
    let numbers = |v: &Value| -> Vec<usize> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap() as usize)
            .collect()
    };
    for case in fixture["cases"].as_array().unwrap() {
        let counts = numbers(&case["class_counts"]);
        let fraction = case["fraction"].as_f64().unwrap();
        let seen: Vec<Vec<usize>> = case["validation_counts_seen"]
            .as_array()
            .unwrap()
            .iter()
            .map(numbers)
            .collect();
        let class_ids: Vec<usize> = counts
            .iter()
            .enumerate()
            .flat_map(|(class, n)| std::iter::repeat_n(class, *n))
            .collect();
        for seed in [0, 1, 42] {
            let split = stratified_split(&class_ids, counts.len(), fraction, seed);
            let mut got = vec![0; counts.len()];
            for &row in &split.validation {
                got[class_ids[row]] += 1;
            }
            assert!(
                seen.contains(&got),
                "classes {counts:?}, share {fraction}, seed {seed}: engine {got:?}, scikit-learn {seen:?}"
            );
            assert_eq!(split.train.len() + split.validation.len(), class_ids.len());
        }
    }
}

/// Imbalanced classes: the `balanced` weights are scikit-learn's `compute_class_weight`, and
/// the weighted loss and its gradient are PyTorch's `CrossEntropyLoss(weight=…)` (fixture made
/// by `reference.py class-weights`).
#[test]
fn class_weights_match_scikit_learn_and_pytorch() {
    use bert_studio_engine::backend::CpuBackend;
    use bert_studio_engine::train::class_weights::balanced_weights;
    use burn::backend::Autodiff;
    use burn::nn::loss::CrossEntropyLossConfig;
    use burn::tensor::{Int, Tensor, TensorData};
    type B = Autodiff<CpuBackend>;

    let fixture = json(&fixtures().join("class_weights.json"));
    let classes = fixture["classes"].as_u64().unwrap() as usize;
    let y: Vec<usize> = serde_json::from_value(fixture["y"].clone()).unwrap();
    let want: Vec<f64> = serde_json::from_value(fixture["balanced_weights"].clone()).unwrap();
    let weights = balanced_weights(classes, &y);
    for (got, want) in weights.iter().zip(&want) {
        assert!(
            (f64::from(*got) - want).abs() <= 1e-6 * want,
            "{got} vs {want}"
        );
    }
    assert!(
        want[classes - 1] > 10.0 * want[0],
        "the fixture is imbalanced"
    );

    let logits: Vec<Vec<f32>> = serde_json::from_value(fixture["logits"].clone()).unwrap();
    let device = Default::default();
    let flat: Vec<f32> = logits.concat();
    let logits = Tensor::<B, 2>::from_data(TensorData::new(flat, [y.len(), classes]), &device)
        .require_grad();
    let targets = Tensor::<B, 1, Int>::from_data(
        TensorData::new(y.iter().map(|&c| c as i64).collect::<Vec<_>>(), [y.len()]),
        &device,
    );
    let loss = CrossEntropyLossConfig::new()
        .with_weights(Some(weights))
        .init(&device)
        .forward(logits.clone(), targets);
    let value = loss.clone().into_scalar();
    let want_loss = fixture["loss"].as_f64().unwrap();
    assert!(
        (f64::from(value) - want_loss).abs() <= 1e-5,
        "{value} vs {want_loss}"
    );
    let grads = loss.backward();
    let grad = logits
        .grad(&grads)
        .unwrap()
        .into_data()
        .to_vec::<f32>()
        .unwrap();
    let want_grad: Vec<Vec<f64>> = serde_json::from_value(fixture["logits_grad"].clone()).unwrap();
    for (got, want) in grad.iter().zip(want_grad.concat()) {
        assert!((f64::from(*got) - want).abs() <= 1e-6, "{got} vs {want}");
    }
}

/// Early stopping stops after the evaluation where transformers' `EarlyStoppingCallback` (with
/// the Trainer's best-metric bookkeeping) stops, for plateaus, ties and small gains under the
/// threshold (fixture made by `reference.py early-stopping`).
#[test]
fn early_stopping_stops_where_transformers_does() {
    use bert_studio_engine::train::best_model::EarlyStopping;

    let fixture = json(&fixtures().join("early_stopping.json"));
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for case in cases {
        let scores: Vec<f64> = serde_json::from_value(case["scores"].clone()).unwrap();
        let patience = case["patience"].as_u64().unwrap() as usize;
        let threshold = case["threshold"].as_f64().unwrap();
        // Higher is better for the engine's scores: the loss counts negated.
        let sign = if case["metric"] == "loss" { -1.0 } else { 1.0 };
        let mut rule = EarlyStopping::default();
        let stops_after = scores
            .iter()
            .position(|&score| rule.observe(sign * score, patience, threshold))
            .map(|i| i + 1);
        let want = case["stops_after_evaluation"].as_u64().map(|n| n as usize);
        assert_eq!(stops_after, want, "{case}");
    }
}

/// Multi-label data: the training loss and its gradient are PyTorch's `BCEWithLogitsLoss`
/// (what transformers' `multi_label_classification` trains with), the validation loss the
/// same in f64, and the metrics at two decision thresholds scikit-learn's for label-indicator
/// data (fixture made by `reference.py multi-label`).
#[test]
fn multi_label_loss_and_metrics_match_pytorch_and_scikit_learn() {
    use bert_studio_engine::backend::CpuBackend;
    use bert_studio_engine::data::Targets;
    use bert_studio_engine::train::loss::{TrainingLoss, validation_metrics};
    use burn::backend::Autodiff;
    use burn::tensor::{Tensor, TensorData};
    type B = Autodiff<CpuBackend>;

    let fixture = json(&fixtures().join("multi_label.json"));
    let k = fixture["labels"].as_u64().unwrap() as usize;
    let y: Vec<Vec<u8>> = serde_json::from_value(fixture["y"].clone()).unwrap();
    let sets: Vec<Vec<usize>> = y
        .iter()
        .map(|row| (0..k).filter(|l| row[*l] == 1).collect())
        .collect();
    let targets = Targets::LabelSets(sets.clone());
    let logits: Vec<Vec<f32>> = serde_json::from_value(fixture["logits"].clone()).unwrap();
    let n = logits.len();
    let device = Default::default();
    let x =
        Tensor::<B, 2>::from_data(TensorData::new(logits.concat(), [n, k]), &device).require_grad();
    let rows: Vec<usize> = (0..n).collect();
    let loss = TrainingLoss::<B>::new(&targets, None, &device).forward(x.clone(), &targets, &rows);
    let want_loss = fixture["loss"].as_f64().unwrap();
    let value = f64::from(loss.clone().into_scalar());
    assert!((value - want_loss).abs() <= 1e-6, "{value} vs {want_loss}");
    let grad = x
        .grad(&loss.backward())
        .unwrap()
        .into_data()
        .to_vec::<f32>()
        .unwrap();
    let want_grad: Vec<Vec<f64>> = serde_json::from_value(fixture["logits_grad"].clone()).unwrap();
    for (got, want) in grad.iter().zip(want_grad.concat()) {
        assert!((f64::from(*got) - want).abs() <= 1e-7, "{got} vs {want}");
    }

    let labels: Vec<String> = (0..k).map(|l| format!("label_{l}")).collect();
    let close = |got: f64, want: &Value, what: &str| {
        let want = want.as_f64().unwrap();
        assert!((got - want).abs() <= 1e-9, "{what}: {got} vs {want}");
    };
    for case in fixture["thresholds"].as_array().unwrap() {
        let threshold = case["threshold"].as_f64().unwrap();
        let m = validation_metrics(&logits, &targets, &labels, None, threshold);
        close(m.loss.unwrap(), &fixture["loss"], "loss");
        let ml = m.multi_label.as_ref().expect("multi-label metrics");
        assert_eq!(ml.threshold, threshold);
        close(m.accuracy, &case["subset_accuracy"], "subset accuracy");
        close(ml.hamming_loss, &case["hamming_loss"], "Hamming loss");
        close(ml.micro_f1, &case["micro_f1"], "micro F1");
        close(
            ml.micro_precision,
            &case["micro_precision"],
            "micro precision",
        );
        close(ml.micro_recall, &case["micro_recall"], "micro recall");
        close(m.macro_f1, &case["macro_f1"], "macro F1");
        close(
            m.macro_precision,
            &case["macro_precision"],
            "macro precision",
        );
        close(m.macro_recall, &case["macro_recall"], "macro recall");
        close(m.top1_accuracy, &fixture["top1"], "top-1");
        close(m.top2_accuracy, &fixture["top2"], "top-2");
        for (l, class) in m.per_class.iter().enumerate() {
            close(
                class.precision,
                &case["per_label_precision"][l],
                "precision",
            );
            close(class.recall, &case["per_label_recall"][l], "recall");
            close(class.f1, &case["per_label_f1"][l], "F1");
            assert_eq!(
                class.support as u64,
                case["per_label_support"][l].as_u64().unwrap()
            );
        }
        assert_eq!(m.examples, n);
        // The curve's point at this threshold says the same.
        let point = ml
            .curve
            .iter()
            .find(|p| (p.threshold - threshold).abs() < 1e-12)
            .expect("the threshold is on the curve");
        close(
            point.subset_accuracy,
            &case["subset_accuracy"],
            "curve: subset accuracy",
        );
        close(
            point.hamming_loss,
            &case["hamming_loss"],
            "curve: Hamming loss",
        );
        close(point.micro_f1, &case["micro_f1"], "curve: micro F1");
        close(point.macro_f1, &case["macro_f1"], "curve: macro F1");
    }
}
