//! Which model a run keeps and when it stops looking for a better one: `load_best` and early
//! stopping, end to end on the tiny fixture (the stopping rule itself is checked against
//! transformers' `EarlyStoppingCallback` in trainer_reference.rs).

mod common;

use std::path::PathBuf;

use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{
    BestMetric, CancelToken, Recipe, Strategy, TrainingEvent, TrainingRequest,
};
use common::training::*;
use common::*;

/// `load_best` keeps the epoch with the best validation score — the loss by default (lowest),
/// or the metric the recipe names (highest) — and the saved weights are that epoch's checkpoint.
#[test]
fn load_best_keeps_the_epoch_with_the_best_chosen_metric() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    for metric in [BestMetric::Loss, BestMetric::MacroF1] {
        let out = dir.path().join(format!("{metric:?}"));
        let report = train(
            &request(
                Recipe {
                    load_best: true,
                    metric_for_best_model: metric,
                    save_strategy: Strategy::Epoch,
                    epochs: 3,
                    ..tiny_recipe()
                },
                csv.clone(),
                out.clone(),
            ),
            &mut |_| {},
            &CancelToken::new(),
        )
        .unwrap();
        let scores: Vec<f64> = report
            .history
            .iter()
            .filter_map(|e| match e {
                TrainingEvent::Evaluation { metrics, .. } => Some(match metric {
                    BestMetric::Loss => -metrics.loss.unwrap(),
                    _ => metrics.macro_f1,
                }),
                _ => None,
            })
            .collect();
        assert_eq!(scores.len(), 3);
        // The first of equal scores, as the Trainer keeps.
        let best = scores.iter().cloned().fold(f64::MIN, f64::max);
        let best_epoch = scores.iter().position(|s| *s == best).unwrap() + 1;
        assert_eq!(
            report.best_epoch,
            Some(best_epoch),
            "{metric:?}: {scores:?}"
        );
        let weights = |path: PathBuf| std::fs::read(path.join("model.safetensors")).unwrap();
        let checkpoint = out.join("checkpoints").join(format!("epoch-{best_epoch}"));
        assert!(weights(out.clone()) == weights(checkpoint), "{metric:?}");
    }
}

/// A recipe under which the model barely moves (a learning rate of 1e-9): every evaluation
/// gives the same loss within far less than the threshold, so the first evaluation stays the
/// best and a patience of 2 ends the run at the third.
fn stalled_recipe() -> Recipe {
    Recipe {
        learning_rate: 1e-9,
        epochs: 6,
        early_stopping_patience: 2,
        early_stopping_threshold: 1e-3,
        ..tiny_recipe()
    }
}

fn stops(events: &[TrainingEvent]) -> Vec<(usize, f64, usize)> {
    events
        .iter()
        .filter_map(|e| match e {
            TrainingEvent::StoppedEarly {
                step,
                epoch,
                evaluations,
                ..
            } => Some((*step, *epoch, *evaluations)),
            _ => None,
        })
        .collect()
}

fn evaluations(events: &[TrainingEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, TrainingEvent::Evaluation { .. }))
        .count()
}

/// Evaluated at each epoch end, the run stops after the third of six epochs, says so (in the
/// events and the report), and still writes its model folder, the best epoch's with
/// `load_best`. An app run stopped after its first epoch and resumed goes on counting from
/// its checkpoint: it stops at the same epoch, with the same weights.
#[test]
fn a_run_that_stops_improving_stops_early_and_resumes_counting() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let recipe = Recipe {
        load_best: true,
        ..stalled_recipe()
    };
    let app_request = |out: &std::path::Path| TrainingRequest {
        always_checkpoint: true,
        ..request(recipe.clone(), csv.clone(), out.to_path_buf())
    };
    let whole = dir.path().join("whole");
    let mut events = Vec::new();
    let report = train(
        &app_request(&whole),
        &mut |e| events.push(e),
        &CancelToken::new(),
    )
    .unwrap();
    let steps_per_epoch = report.plan.steps_per_epoch;
    assert_eq!(stops(&events), [(3 * steps_per_epoch, 3.0, 2)]);
    assert_eq!(evaluations(&events), 3);
    assert_eq!(stops(&report.history), stops(&events));
    assert!(matches!(
        events.last(),
        Some(TrainingEvent::Finished { .. })
    ));
    assert!(report.best_epoch.is_some_and(|e| (1..=3).contains(&e)));
    assert!(whole.join("model.safetensors").exists());

    let stopped = dir.path().join("stopped");
    stop_after_first_checkpoint(&app_request(&stopped));
    let resume = TrainingRequest::resume(&stopped, HubSettings::default()).unwrap();
    let mut resumed = Vec::new();
    train(&resume, &mut |e| resumed.push(e), &CancelToken::new()).unwrap();
    assert_eq!(stops(&resumed), stops(&events));
    let weights = |path: PathBuf| std::fs::read(path.join("model.safetensors")).unwrap();
    assert!(weights(whole) == weights(stopped));
}

/// Evaluated every step, the run stops in the middle of its first epoch, at the third step,
/// and nothing is trained or evaluated after it.
#[test]
fn evaluations_every_few_steps_stop_the_run_within_an_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let recipe = Recipe {
        eval_strategy: Strategy::Steps,
        eval_steps: 1,
        ..stalled_recipe()
    };
    let mut events = Vec::new();
    let report = train(
        &request(recipe, csv, dir.path().join("m")),
        &mut |e| events.push(e),
        &CancelToken::new(),
    )
    .unwrap();
    assert!(report.plan.steps_per_epoch > 3, "{:?}", report.plan);
    let [(step, epoch, 2)] = stops(&events)[..] else {
        panic!("{:?}", stops(&events));
    };
    assert_eq!(step, 3);
    assert!(epoch < 1.0, "{epoch}");
    assert_eq!(evaluations(&events), 3);
    let last_step = events.iter().rev().find_map(|e| match e {
        TrainingEvent::Step { step, .. } => Some(*step),
        _ => None,
    });
    assert!(last_step.is_none_or(|s| s <= 3), "{last_step:?}");
}
