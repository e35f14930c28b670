fn main() {
    // The capabilities live under src-tauri/ with the rest of the app's sources.
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/*.json"),
    )
    .expect("tauri-build");
}
