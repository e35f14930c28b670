//! Any text given as a recipe or as a model's config.json: parsed and validated, or refused in
//! words, never a panic.
#![no_main]

use bert_studio_engine::model::ModelConfig;
use bert_studio_engine::train::Recipe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(recipe) = Recipe::from_json(text) {
            let _ = recipe.problems();
            let _ = Recipe::from_json(&recipe.to_json()).expect("a valid recipe round-trips");
        }
        if let Ok(config) = ModelConfig::from_json_str(text, std::path::Path::new("config.json")) {
            let _ = config.to_json_string();
            let _ = config.labels();
        }
    }
});
