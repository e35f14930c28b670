//! Word-level explanations against Captum: integrated gradients per token, their completeness,
//! and occlusion per typed word computed with transformers (fixtures: `tests/fixtures/
//! explain.json` from the tiny BERT, `explain_roberta.json` from the tiny RoBERTa, whose
//! padding has its own position; made by `scripts/reference/explain_reference.py`).

mod common;

use bert_studio_engine::EngineError;
use bert_studio_engine::cancel::CancelToken;
use bert_studio_engine::explain::{ExplainMethod, ExplainOptions};
use bert_studio_engine::inference::{Classifier, ClassifierOptions};
use bert_studio_engine::source::HubSettings;
use bert_studio_engine::train::DeviceChoice;
use common::*;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Fixture {
    max_seq_len: usize,
    steps: usize,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    text: usize,
    class: Option<usize>,
    target: usize,
    token_attributions: Vec<f64>,
    logit: f64,
    baseline_logit: f64,
    words: Vec<String>,
    occlusion: Vec<Option<f64>>,
}

/// Each reference with the model it was made from.
const FIXTURES: [(&str, &str); 2] = [
    ("explain.json", "tiny-bert"),
    ("explain_roberta.json", "families/tiny-roberta"),
];

fn fixture(name: &str) -> Fixture {
    let text = std::fs::read_to_string(fixtures().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn texts() -> Vec<String> {
    let path = repo_root().join("scripts/reference/texts.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn classifier(model: &str, max_len: usize) -> Classifier {
    let options = ClassifierOptions {
        device: DeviceChoice::Cpu,
        max_len: Some(max_len),
        hub: HubSettings::from_env(),
    };
    let folder = fixtures().join(model).display().to_string();
    Classifier::load(&folder, &options, &mut |_| {}).unwrap()
}

fn close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} against {expected}"
    );
}

#[test]
fn integrated_gradients_equal_captums_and_add_up_to_the_score_change() {
    for (name, folder) in FIXTURES {
        integrated_gradients_equal_captums(name, folder);
    }
}

fn integrated_gradients_equal_captums(name: &str, folder: &str) {
    let f = fixture(name);
    let texts = texts();
    let model = classifier(folder, f.max_seq_len);
    let labels = model.labels().to_vec();
    let options = ExplainOptions {
        method: ExplainMethod::IntegratedGradients,
        steps: f.steps,
    };
    for case in &f.cases {
        let text = &texts[case.text];
        let class = case.class.map(|c| labels[c].as_str());
        let found = model
            .explain(text, class, &options, &CancelToken::new())
            .unwrap();
        let what = format!("{folder}: text {} class {}", case.text, case.target);
        assert_eq!(
            found.label, labels[case.target],
            "{what}: the class explained"
        );
        assert_eq!(found.tokens.len(), case.token_attributions.len(), "{what}");
        for (t, (a, e)) in found
            .tokens
            .iter()
            .zip(&case.token_attributions)
            .enumerate()
        {
            close(*a, *e, 1e-5, &format!("{what}, token {t}"));
        }
        close(found.score, case.logit, 1e-4, &what);
        close(found.baseline_score, case.baseline_logit, 1e-4, &what);
        // Completeness: the words' contributions, with the start and end markers' (zero for
        // BERT; RoBERTa's baseline moves the end marker's position), add up to the change of
        // the score.
        let change = found.score - found.baseline_score;
        let markers = found.tokens[0] + found.tokens[found.tokens.len() - 1];
        let total: f64 = markers
            + found
                .words
                .iter()
                .filter_map(|w| w.contribution)
                .sum::<f64>();
        assert!(
            (total - change).abs() <= 0.01 * change.abs(),
            "{what}: words sum to {total}, the score moved by {change}"
        );
        assert!(found.completeness_gap.unwrap() <= 0.01, "{what}");
        // The words as typed, and the text rebuilt from them.
        let words: Vec<&str> = found.words.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(words, case.words, "{what}");
        let rebuilt: String = found
            .words
            .iter()
            .map(|w| format!("{}{}", w.space_before, w.word))
            .collect();
        assert_eq!(rebuilt, text.trim_end(), "{what}");
    }
}

#[test]
fn occlusion_is_the_drop_of_the_score_without_each_word() {
    for (name, folder) in FIXTURES {
        occlusion_equals_transformers(name, folder);
    }
}

fn occlusion_equals_transformers(name: &str, folder: &str) {
    let f = fixture(name);
    let texts = texts();
    let model = classifier(folder, f.max_seq_len);
    let labels = model.labels().to_vec();
    let options = ExplainOptions {
        method: ExplainMethod::Occlusion,
        steps: 0,
    };
    for case in &f.cases {
        let text = &texts[case.text];
        let found = model
            .explain(
                text,
                Some(&labels[case.target]),
                &options,
                &CancelToken::new(),
            )
            .unwrap();
        let what = format!("{folder}: text {} class {}", case.text, case.target);
        assert_eq!(found.words.len(), case.occlusion.len(), "{what}");
        for (word, expected) in found.words.iter().zip(&case.occlusion) {
            match (word.contribution, expected) {
                (Some(a), Some(e)) => close(a, *e, 1e-4, &format!("{what}, {:?}", word.word)),
                (None, None) => {}
                (a, e) => panic!("{what}, {:?}: {a:?} against {e:?}", word.word),
            }
        }
        let cut = case.occlusion.iter().filter(|o| o.is_none()).count();
        assert_eq!(found.cut_words, cut, "{what}: words past the longest text");
        assert!(found.completeness_gap.is_none() && found.tokens.is_empty());
    }
}

#[test]
fn a_bad_request_is_refused_in_words() {
    let model = classifier("tiny-bert", 24);
    let refused = |text: &str, class: Option<&str>, steps: usize| {
        let options = ExplainOptions {
            method: ExplainMethod::IntegratedGradients,
            steps,
        };
        model
            .explain(text, class, &options, &CancelToken::new())
            .unwrap_err()
            .to_string()
    };
    assert!(refused("  ", None, 32).contains("no text to explain"));
    let unknown = refused("Culture de céréales", Some("Pêche"), 32);
    assert!(
        unknown.contains("no class \"Pêche\"")
            && unknown.contains("Agriculture, Industrie, Services"),
        "{unknown}"
    );
    assert!(refused("Culture de céréales", None, 0).contains("between 1 and"));
    // A zero-width space alone: the tokenizer drops it, and no word is left to explain.
    let unreadable = refused("\u{200b}", None, 32);
    assert!(
        unreadable.contains("reads none of this text"),
        "{unreadable}"
    );

    // The user typed on: the explanation under way stops.
    let cancel = CancelToken::new();
    cancel.cancel();
    let stopped = model.explain(
        "Culture de céréales",
        None,
        &ExplainOptions::default(),
        &cancel,
    );
    assert!(
        matches!(stopped, Err(EngineError::Cancelled)),
        "{stopped:?}"
    );
}
