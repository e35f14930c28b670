//! Any bytes given as a checkpoint's `optimizer.safetensors` or `trainer_state.json` (a damaged
//! disk, a hand-edited file): read, or refused in words, never a panic.
#![no_main]

use bert_studio_engine::train::checkpoint::{parse_optimizer, parse_state};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_optimizer(data, std::path::Path::new("optimizer.safetensors"));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_state(text, std::path::Path::new("trainer_state.json"));
    }
});
