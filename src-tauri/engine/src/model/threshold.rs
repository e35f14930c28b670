//! A multi-label model's decision threshold, changed after training (chosen on the validation
//! rows): what its folder predicts with from then on.

use std::path::Path;

use super::ModelConfig;
use crate::error::{EngineError, Result};
use crate::fsutil::write_file_atomically;
use crate::said;

/// Sets the decision threshold of the multi-label model in `folder`: in its config.json (what
/// predictions and evaluations use) and, when there is one, its recipe.json (kept in step, so
/// the folder says one threshold). Each file is replaced whole or not at all.
pub fn set_decision_threshold(folder: &Path, threshold: f64) -> Result<()> {
    if !(threshold > 0.0 && threshold < 1.0) {
        return Err(EngineError::invalid(said!(
            "recipe.decision_threshold",
            "decision_threshold must be above 0 and below 1 (usually 0.5), not {value}.",
            value = threshold
        )));
    }
    let config_path = folder.join("config.json");
    let mut config = ModelConfig::from_file(&config_path)?;
    if !config.is_multi_label() {
        return Err(EngineError::invalid(said!(
            "invalid.not_multi_label",
            "The model in \"{path}\" gives one label per text; a decision threshold is for \
             models that give several.",
            path = folder.display().to_string()
        )));
    }
    config.set_multi_label(Some(threshold));
    write_file_atomically(&config_path, config.to_json_string().as_bytes())?;
    let recipe_path = folder.join("recipe.json");
    if let Ok(text) = std::fs::read_to_string(&recipe_path)
        && let Ok(mut recipe) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(fields) = recipe.as_object_mut()
    {
        fields.insert("decision_threshold".into(), threshold.into());
        let text = serde_json::to_string_pretty(&recipe).expect("JSON value serialises");
        write_file_atomically(&recipe_path, text.as_bytes())?;
    }
    Ok(())
}
