//! Classification jobs (several files at once, each cancellable by an id the page chooses)
//! and the warm model of the try-it box.

use std::collections::HashMap;
use std::sync::Mutex;

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
            return Err(ErrorReport::new(
                "busy",
                format!("Classification {id} is already running."),
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
        let mut current = self.current.lock().expect("warm model lock");
        if current.as_ref().is_none_or(|(loaded, _)| loaded != folder) {
            *current = None;
            let classifier = Classifier::load(folder, &ClassifierOptions::default(), &mut |_| {})?;
            *current = Some((folder.to_string(), classifier));
        }
        let (_, classifier) = current.as_ref().expect("loaded above");
        let k = k.min(classifier.labels().len()).max(1);
        let mut scores = classifier.classify_texts(&[text], k)?;
        Ok(scores.pop().unwrap_or_default())
    }
}
