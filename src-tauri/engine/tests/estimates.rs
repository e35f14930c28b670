//! The time a run or a classification will take, said before it starts, against the run
//! itself on the tiny fixture: within a factor of 2 either way. (The tiny model's steps take
//! milliseconds, so fixed costs weigh more than on a real model; the sample's figures are in
//! the README.) Each test times the machine, so they take turns, in a binary of their own.

mod common;

use bert_studio_engine::inference::{
    ClassifierOptions, PredictRequest, estimate_classification, predict_csv,
};
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{
    CancelToken, DeviceChoice, Recipe, TrainingRequest, estimate, train,
};
use common::*;

static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn within_a_factor_of_two(estimated: f64, actual: f64, what: &str) {
    let ratio = estimated / actual;
    assert!(
        (0.5..=2.0).contains(&ratio),
        "{what}: estimated {estimated:.3} s, took {actual:.3} s ({ratio:.2}×)"
    );
}

#[test]
fn the_estimate_before_a_training_run_is_within_a_factor_of_two_of_the_run() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let request = TrainingRequest {
        recipe: Recipe {
            model: fixtures().join("tiny-bert").display().to_string(),
            epochs: 4,
            learning_rate: 2e-3,
            train_batch_size: 8,
            eval_batch_size: 16,
            max_seq_len: 32,
            validation_fraction: 0.2,
            device: DeviceChoice::Cpu,
            ..Recipe::default()
        },
        train_csv: small_nace_csv(dir.path()),
        validation_csv: None,
        output_dir: dir.path().join("model"),
        dialect: None,
        hub: HubSettings {
            offline: true,
            ..Default::default()
        },
        always_checkpoint: true,
        resume_from: None,
        cluster: Default::default(),
    };
    let estimate = estimate(&request, &CancelToken::new()).expect("an estimate");
    assert!(!request.output_dir.exists(), "an estimate writes nothing");
    let parts = estimate.training_seconds + estimate.evaluation_seconds + estimate.other_seconds;
    assert!((estimate.seconds - parts).abs() < 1e-9, "{estimate:?}");
    assert!(estimate.measured_steps >= 1, "{estimate:?}");
    assert!(
        estimate.faster_models.is_empty(),
        "no suggestion is faster than the tiny model"
    );
    let clock = std::time::Instant::now();
    train(&request, &mut |_| {}, &CancelToken::new()).unwrap();
    within_a_factor_of_two(estimate.seconds, clock.elapsed().as_secs_f64(), "training");
}

/// Rows are counted in a file of one window (1,500 rows) and estimated from the size of one
/// of several (the sample's 3,558 rows, in UTF-8 and in UTF-16), within 10 %.
#[test]
fn the_estimate_before_a_classification_is_within_a_factor_of_two_of_the_run() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let sample = repo_root().join("data/sample/nace_fr.csv");
    let small = dir.path().join("small.csv");
    let text = std::fs::read_to_string(&sample).unwrap();
    std::fs::write(
        &small,
        text.lines().take(1501).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    // The same rows in UTF-16 take twice the bytes: rows are priced by decoded size.
    let utf16 = dir.path().join("utf16.csv");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&utf16, bytes).unwrap();
    let model = fixtures().join("tiny-bert").display().to_string();
    let options = ClassifierOptions {
        device: DeviceChoice::Cpu,
        max_len: None,
        hub: HubSettings::from_env(),
    };
    for (input, rows) in [(&sample, 3558), (&utf16, 3558), (&small, 1500)] {
        let output = dir.path().join("out.csv");
        let request = PredictRequest::new(input, &output);
        let estimate =
            estimate_classification(&model, &options, &request, &CancelToken::new()).unwrap();
        assert!(!output.exists(), "an estimate writes nothing");
        let clock = std::time::Instant::now();
        let summary =
            predict_csv(&model, &options, &request, &mut |_| {}, &CancelToken::new()).unwrap();
        let actual = clock.elapsed().as_secs_f64();
        assert_eq!(summary.rows, rows);
        if estimate.rows_exact {
            assert_eq!(estimate.rows, rows);
        } else {
            let off = estimate.rows as f64 / rows as f64;
            assert!(
                (0.9..1.1).contains(&off),
                "{} rows estimated, {rows} read",
                estimate.rows
            );
        }
        within_a_factor_of_two(estimate.seconds, actual, &input.display().to_string());
        std::fs::remove_file(&output).unwrap();
    }
}
