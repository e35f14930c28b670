//! Any bytes given as a CSV file: dialect detection, the preview and the labelled reader must
//! answer with a value or an error, never panic.
#![no_main]

use bert_studio_engine::data::{preview_csv, read_labelled_csv, sniff_dialect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.csv");
    std::fs::write(&path, data).expect("write");
    let _ = sniff_dialect(&path);
    if let Ok(preview) = preview_csv(&path, None, 20) {
        let text = preview.guessed_text_column.unwrap_or_else(|| "text".into());
        let label = preview.guessed_label_column.unwrap_or_else(|| "label".into());
        let _ = read_labelled_csv(&path, &text, &label, None, Some(preview.dialect));
    }
    let _ = read_labelled_csv(&path, "text", "label", None, None);
});
