fn main() {
    // The About box's build date: SOURCE_DATE_EPOCH when a packager sets it (reproducible
    // builds), else now.
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let built = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(time::OffsetDateTime::now_utc)
        .date();
    println!(
        "cargo:rustc-env=BERT_STUDIO_BUILD_DATE={:04}-{:02}-{:02}",
        built.year(),
        u8::from(built.month()),
        built.day()
    );

    // The capabilities live under src-tauri/ with the rest of the app's sources.
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/*.json"),
    )
    .expect("tauri-build");
}
