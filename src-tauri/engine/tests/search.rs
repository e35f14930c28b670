//! A search over settings end to end on the tiny fixture: each trial is the very run `train`
//! makes with that recipe, the best is the highest score, and a stopped search goes on where
//! it stopped without training a finished trial again.

mod common;

use std::path::Path;

use bert_studio_engine::EngineError;
use bert_studio_engine::search::{
    SearchEvent, SearchPlan, SearchReport, SearchSpace, discard_search, run_search, search_folder,
    unfinished_searches,
};
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::{CancelToken, TrainingEvent};
use common::training::*;
use common::*;

fn offline() -> HubSettings {
    HubSettings {
        offline: true,
        ..Default::default()
    }
}

/// Two learning rates × two epoch counts over the tiny recipe.
fn plan(csv: &Path, folder: &Path) -> SearchPlan {
    let base = request(tiny_recipe(), csv.to_path_buf(), folder.to_path_buf());
    let space = SearchSpace {
        learning_rates: vec![2e-3, 5e-4],
        epochs: vec![1, 2],
        trials: None,
    };
    SearchPlan::new(&base, space, |trial| folder.join(&trial.name)).unwrap()
}

fn weights(folder: &Path) -> Vec<u8> {
    std::fs::read(folder.join("model.safetensors")).unwrap()
}

fn search(
    folder: &Path,
    plan: &SearchPlan,
    events: &mut Vec<SearchEvent>,
    cancel: &CancelToken,
) -> Result<SearchReport, EngineError> {
    let _turn = one_training_at_a_time();
    run_search(folder, plan, &offline(), &mut |e| events.push(e), cancel)
}

#[test]
fn every_trial_is_the_run_its_recipe_makes_and_the_best_is_marked() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let folder = dir.path().join("search");
    let plan = plan(&csv, &folder);
    let mut events = Vec::new();
    let report = search(&folder, &plan, &mut events, &CancelToken::new()).unwrap();

    assert_eq!(report.results.len(), 4);
    let scores: Vec<f64> = report.results.iter().map(|r| r.score.unwrap()).collect();
    let highest = scores.iter().cloned().fold(f64::MIN, f64::max);
    assert_eq!(report.best, scores.iter().position(|s| *s == highest));
    for result in &report.results {
        // The loss by default: the score is the validation loss, negated.
        let metrics = result.metrics.as_ref().unwrap();
        assert_eq!(result.score, Some(-metrics.loss.unwrap()));
        assert!(!Path::new(&result.trial.folder).join("checkpoints").exists());
    }
    assert!(matches!(events.first(), Some(SearchEvent::Planned { .. })));
    assert!(
        matches!(events.last(), Some(SearchEvent::Finished { best, .. }) if *best == report.best)
    );

    // The third trial (5e-4, one epoch) is exactly the run `train` makes with its recipe.
    let third = &plan.trials[2];
    assert_eq!((third.trial.learning_rate, third.trial.epochs), (5e-4, 1));
    let alone = dir.path().join("alone");
    train(
        &request(third.trial.recipe(&plan.recipe), csv.clone(), alone.clone()),
        &mut |_| {},
        &CancelToken::new(),
    )
    .unwrap();
    assert!(weights(&alone) == weights(Path::new(&third.folder)));
    assert_eq!(
        report.results[2].metrics,
        json_report(&alone).final_metrics,
        "same split, same metrics"
    );
}

#[test]
fn a_stopped_search_goes_on_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let whole = dir.path().join("whole");
    let whole_report = search(
        &whole,
        &plan(&csv, &whole),
        &mut Vec::new(),
        &CancelToken::new(),
    )
    .unwrap();

    // Stopped in the fourth trial (two epochs), after its first epoch's checkpoint.
    let stopped = dir.path().join("stopped");
    let cancel = CancelToken::new();
    let mut first_part = Vec::new();
    let result = {
        let _turn = one_training_at_a_time();
        run_search(
            &stopped,
            &plan(&csv, &stopped),
            &offline(),
            &mut |e| {
                if let SearchEvent::Training {
                    trial: 3,
                    training: TrainingEvent::CheckpointSaved { .. },
                } = &e
                {
                    cancel.cancel();
                }
                first_part.push(e);
            },
            &cancel,
        )
    };
    assert!(matches!(result, Err(EngineError::Cancelled)), "{result:?}");

    // Listed as a search to go on with: three trials of four done.
    let listed = unfinished_searches(dir.path()).unwrap();
    assert_eq!(listed.len(), 1, "the finished search is not listed");
    assert_eq!(
        (
            listed[0].id.as_str(),
            listed[0].trials,
            listed[0].trials_done
        ),
        ("stopped", 4, 3)
    );
    assert_eq!(listed[0].learning_rates, [2e-3, 5e-4]);

    // Resumed from its folder alone, as `bert-studio search --resume` and the app do.
    let saved = SearchPlan::load(&search_folder(dir.path(), "stopped").unwrap()).unwrap();
    assert_eq!(saved, plan(&csv, &stopped));
    let mut second_part = Vec::new();
    let report = search(&stopped, &saved, &mut second_part, &CancelToken::new()).unwrap();
    let started: Vec<(usize, bool)> = second_part
        .iter()
        .filter_map(|e| match e {
            SearchEvent::TrialStarted { trial, resumed } => Some((*trial, *resumed)),
            _ => None,
        })
        .collect();
    assert_eq!(started, [(3, true)], "only the stopped trial runs again");
    assert!(unfinished_searches(dir.path()).unwrap().is_empty());
    for (a, b) in whole_report.results.iter().zip(&report.results) {
        assert_eq!(a.metrics, b.metrics);
        assert!(weights(Path::new(&a.trial.folder)) == weights(Path::new(&b.trial.folder)));
    }
    // Over is over: a trial's model deleted afterwards does not make it a search to go on.
    std::fs::remove_dir_all(&report.results[0].trial.folder).unwrap();
    assert!(unfinished_searches(dir.path()).unwrap().is_empty());
}

#[test]
fn a_search_not_started_is_listed_and_discarded_without_its_trials() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let searches = dir.path().join(".searches");
    let folder = searches.join("nace-1");
    // The trials' folders lie outside the plan's, as in the app's library.
    let base = request(tiny_recipe(), csv, dir.path().join("unused"));
    let space = SearchSpace {
        learning_rates: vec![2e-3],
        epochs: vec![1, 2],
        trials: None,
    };
    let plan = SearchPlan::new(&base, space, |t| dir.path().join(&t.name)).unwrap();
    plan.save(&folder).unwrap();
    std::fs::create_dir_all(dir.path().join("trial-1")).unwrap();
    std::fs::write(searches.join("not-a-search.txt"), "x").unwrap();
    let listed = unfinished_searches(&searches).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].trials,
            listed[0].trials_done,
            listed[0].train_file.as_str()
        ),
        (2, 0, "train.csv")
    );
    for bad in ["../nace-1", "", ".hidden", "missing"] {
        let err = search_folder(&searches, bad).unwrap_err().to_string();
        assert!(err.contains("no search"), "{bad}: {err}");
    }
    discard_search(&searches, "nace-1").unwrap();
    assert!(unfinished_searches(&searches).unwrap().is_empty());
    assert!(
        dir.path().join("trial-1").is_dir(),
        "a trial's folder is not the plan's"
    );
}

#[test]
fn a_search_keeps_to_an_empty_folder_or_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let busy = dir.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "mine").unwrap();
    let err = plan(&csv, &busy).save(&busy).unwrap_err();
    assert!(err.to_string().contains("is not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(busy.join("notes.txt")).unwrap(),
        "mine"
    );

    let folder = dir.path().join("search");
    let first = plan(&csv, &folder);
    first.save(&folder).unwrap();
    first.save(&folder).unwrap();
    let mut other = first.clone();
    other.recipe.seed = 7;
    let err = other.save(&folder).unwrap_err();
    assert!(err.to_string().contains("holds another search"), "{err}");
    let no_plan = SearchPlan::load(dir.path()).unwrap_err();
    assert!(no_plan.to_string().contains("no search.json"), "{no_plan}");
}

/// A trial that fails (here its folder cannot be written: a file stands in its place) is one
/// of the search's answers, with its reason: the next trial still runs and is the best.
#[test]
fn a_failed_trial_is_said_and_the_search_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let csv = small_nace_csv(dir.path());
    let folder = dir.path().join("search");
    let mut plan = plan(&csv, &folder);
    plan.trials.truncate(2);
    plan.save(&folder).unwrap();
    std::fs::write(&plan.trials[0].folder, "in the way").unwrap();
    let mut events = Vec::new();
    let report = search(&folder, &plan, &mut events, &CancelToken::new()).unwrap();
    let failed = &report.results[0];
    assert!(failed.score.is_none() && failed.metrics.is_none());
    assert!(failed.error.is_some(), "{failed:?}");
    assert!(report.results[1].score.is_some());
    assert_eq!(report.best, Some(1));
    assert!(matches!(
        events.last(),
        Some(SearchEvent::Finished { best: Some(1), .. })
    ));
}
