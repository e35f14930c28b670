//! How long a run will take, said before it starts: the work of every batch the run will
//! compute (from the encoder's shape and each batch's padded size), priced at the pace that a
//! few real steps took on this device. The arithmetic lives here; the measuring is the
//! trainer's (`trainer::probe::estimate`).

use serde::Serialize;
use ts_rs::TS;

use crate::catalog::SuggestedModel;
use crate::model::EncoderWork;

/// The time a run will take on this device, before it starts.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RunEstimate {
    /// The whole run, from loading to the saved model.
    pub seconds: f64,
    /// The optimizer steps of every epoch.
    pub training_seconds: f64,
    /// The evaluations on the validation rows the recipe asks for.
    pub evaluation_seconds: f64,
    /// Loading the model and the data, checkpoints and the final save.
    pub other_seconds: f64,
    /// Of `other_seconds`, the checkpoints saved at the epochs' ends (a shorter run saves
    /// fewer).
    pub checkpoint_seconds: f64,
    /// The device the steps were measured on ("CPU", the GPU's name…).
    pub backend: String,
    /// How many optimizer steps were timed for the estimate.
    pub measured_steps: usize,
    /// The same run with the suggested base models that would be at least 1.5× faster, the
    /// fastest first.
    pub faster_models: Vec<ModelTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ModelTime {
    pub model: String,
    pub seconds: f64,
}

/// Seconds per unit of work, from the timed samples: their time over their work (the ratio
/// estimator: it carries each step's fixed costs along when the samples are typical steps).
pub fn pace(samples: &[(f64, f64)]) -> f64 {
    let (work, seconds) = samples.iter().fold((0.0, 0.0), |(w, s), (work, seconds)| {
        (w + work, s + seconds)
    });
    if work > 0.0 { seconds / work } else { 0.0 }
}

/// The suggested models that would do the same run at least 1.5× faster: the compute part
/// scaled by their work per position, the rest as measured.
pub fn faster_models(
    chosen: &str,
    chosen_work: &EncoderWork,
    compute_seconds: f64,
    other_seconds: f64,
    total_seconds: f64,
    suggestions: &[SuggestedModel],
) -> Vec<ModelTime> {
    // A typical position of a sentence-long text; the ratio barely depends on it.
    let per_position = |work: &EncoderWork| work.forward(1, 64);
    let mut faster: Vec<ModelTime> = suggestions
        .iter()
        .filter(|s| s.id != chosen)
        .map(|s| ModelTime {
            model: s.id.clone(),
            seconds: compute_seconds * per_position(&s.work) / per_position(chosen_work)
                + other_seconds,
        })
        .filter(|m| m.seconds * 1.5 <= total_seconds)
        .collect();
    faster.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    faster
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::suggested_models;

    const MINILM: EncoderWork = EncoderWork {
        layers: 6,
        hidden: 384,
        intermediate: 1536,
    };
    const BERT_BASE: EncoderWork = EncoderWork {
        layers: 12,
        hidden: 768,
        intermediate: 3072,
    };

    #[test]
    fn the_pace_is_total_time_over_total_work() {
        assert_eq!(pace(&[(10.0, 1.0), (30.0, 1.0)]), 2.0 / 40.0);
        assert_eq!(pace(&[]), 0.0);
    }

    #[test]
    fn bert_base_on_a_slow_computer_points_to_minilm() {
        let suggestions = suggested_models();
        let base = "bert-base-multilingual-uncased";
        let faster = faster_models(base, &BERT_BASE, 13_000.0, 200.0, 13_200.0, &suggestions);
        assert_eq!(
            faster.first().map(|m| m.model.as_str()),
            Some("sentence-transformers/all-MiniLM-L6-v2")
        );
        let minilm = &faster[0];
        assert!(
            (1_700.0..2_100.0).contains(&minilm.seconds),
            "{}",
            minilm.seconds
        );
        // Models of BERT-base's shape are not faster; DistilBERT's 6 layers are.
        assert!(faster.iter().all(|m| m.model != "almanach/camembert-base"));
        assert!(
            faster
                .iter()
                .any(|m| m.model == "distilbert-base-multilingual-cased")
        );
        // MiniLM itself has nothing faster to suggest.
        assert!(
            faster_models(
                "sentence-transformers/all-MiniLM-L6-v2",
                &MINILM,
                1_000.0,
                10.0,
                1_010.0,
                &suggestions
            )
            .is_empty()
        );
    }
}
