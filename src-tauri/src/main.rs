//! Placeholder for the desktop app (Tauri shell comes with the app issue).
fn main() {
    println!(
        "BERT Studio desktop app is not built yet; use the `bert-studio` CLI (engine version {}).",
        bert_studio_engine::VERSION
    );
}
