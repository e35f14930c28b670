//! Classification jobs (several files at once, each cancellable by an id the page chooses)
//! and the warm model of the try-it box.

use bert_studio_engine::said;
use std::collections::HashMap;
use std::sync::Mutex;

use bert_studio_engine::explain::{ExplainOptions, Explanation};
use bert_studio_engine::inference::{Classifier, ClassifierOptions, LabelScore};
use bert_studio_engine::train::CancelToken;
use bert_studio_engine::{EngineError, ErrorReport};

#[derive(Default)]
pub struct ClassifyJobs {
    running: Mutex<HashMap<u32, CancelToken>>,
}

impl ClassifyJobs {
    /// Registers job `id`; refused if the page reuses an id that still runs.
    pub fn register(&self, id: u32) -> Result<CancelToken, ErrorReport> {
        let mut running = self.running.lock().expect("jobs lock");
        if running.contains_key(&id) {
            return Err(ErrorReport::said(
                "busy",
                said!(
                    "app.classify_busy",
                    "Classification {id} is already running.",
                    id = id
                ),
                None,
            ));
        }
        let token = CancelToken::new();
        running.insert(id, token.clone());
        Ok(token)
    }

    pub fn finish(&self, id: u32) {
        self.running.lock().expect("jobs lock").remove(&id);
    }

    pub fn cancel(&self, id: u32) -> bool {
        match self.running.lock().expect("jobs lock").get(&id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }
}

/// The model of the try-it box, loaded once and kept until another model is asked for.
#[derive(Default)]
pub struct WarmClassifier {
    current: Mutex<Option<(String, Classifier)>>,
}

impl WarmClassifier {
    /// The top-`k` labels of `text` with the model in `folder` (loaded on first use).
    pub fn classify(
        &self,
        folder: &str,
        text: &str,
        k: usize,
    ) -> Result<Vec<LabelScore>, EngineError> {
        self.with_model(folder, |classifier| {
            let k = k.min(classifier.labels().len()).max(1);
            let mut scores = classifier.classify_texts(&[text], k)?;
            Ok(scores.pop().unwrap_or_default())
        })
    }

    /// Which words drove the score of each class of `classes` (none: the class the model
    /// gives `text`).
    pub fn explain(
        &self,
        folder: &str,
        text: &str,
        classes: &[String],
        cancel: &CancelToken,
    ) -> Result<Vec<Explanation>, EngineError> {
        self.with_model(folder, |classifier| {
            let options = ExplainOptions::default();
            if classes.is_empty() {
                return Ok(vec![classifier.explain(text, None, &options, cancel)?]);
            }
            classes
                .iter()
                .map(|class| classifier.explain(text, Some(class), &options, cancel))
                .collect()
        })
    }

    /// Runs `work` with the model in `folder`, loading it when another one is warm.
    fn with_model<T>(
        &self,
        folder: &str,
        work: impl FnOnce(&Classifier) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        // A panic while classifying (a bug) poisons the lock: the next call starts again from
        // a fresh load instead of failing for good.
        let mut current = self.current.lock().unwrap_or_else(|poisoned| {
            let mut current = poisoned.into_inner();
            *current = None;
            current
        });
        if current.as_ref().is_none_or(|(loaded, _)| loaded != folder) {
            *current = None;
            let classifier = Classifier::load(folder, &ClassifierOptions::default(), &mut |_| {})?;
            *current = Some((folder.to_string(), classifier));
        }
        let (_, classifier) = current.as_ref().expect("loaded above");
        work(classifier)
    }
}

/// The try-it box's explanation under way: a newer one (the user typed on, or chose another
/// class) stops it.
#[derive(Default)]
pub struct LatestExplanation {
    running: Mutex<Option<CancelToken>>,
}

impl LatestExplanation {
    /// A token for a new explanation; the one before it is cancelled.
    pub fn start(&self) -> CancelToken {
        let token = CancelToken::new();
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(before) = running.replace(token.clone()) {
            before.cancel();
        }
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic while the try-it model was in use (a bug) must not break the box for good.
    #[test]
    fn the_try_it_box_recovers_from_a_panic_that_poisoned_its_lock() {
        let warm = WarmClassifier::default();
        let folder = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src-tauri/engine/tests/fixtures/tiny-bert"
        );
        std::thread::scope(|scope| {
            let poisoner = scope.spawn(|| {
                let _held = warm.current.lock().unwrap();
                panic!("a bug while classifying");
            });
            assert!(poisoner.join().is_err());
        });
        assert!(warm.current.is_poisoned());
        let scores = warm.classify(folder, "culture de céréales", 2).unwrap();
        assert_eq!(scores.len(), 2);
    }

    /// Typing on (a newer explanation) stops the one under way.
    #[test]
    fn a_newer_explanation_cancels_the_one_before() {
        let latest = LatestExplanation::default();
        let first = latest.start();
        assert!(!first.is_cancelled());
        let second = latest.start();
        assert!(first.is_cancelled() && !second.is_cancelled());
        let warm = WarmClassifier::default();
        let folder = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src-tauri/engine/tests/fixtures/tiny-bert"
        );
        let stopped = warm.explain(folder, "culture de céréales", &[], &first);
        assert!(
            matches!(stopped, Err(EngineError::Cancelled)),
            "{stopped:?}"
        );
        let classes = ["Industrie".to_string(), "Services".to_string()];
        let explained = warm.explain(folder, "culture de céréales", &classes, &second);
        let labels: Vec<String> = explained.unwrap().into_iter().map(|e| e.label).collect();
        assert_eq!(labels, classes);
    }
}
