//! Records the version of burn this build links (from the workspace's Cargo.lock), so that a
//! training report says which burn produced it.

use std::path::Path;

fn main() {
    // Read when the script runs, not baked in when it is compiled: one compiled script serves
    // every checkout that shares a target folder.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let lock = Path::new(&manifest_dir).join("../../Cargo.lock");
    // Relative to this package, so that the recorded build output is the same in every
    // checkout (an absolute path made each one rebuild the engine after the other).
    println!("cargo:rerun-if-changed=../../Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    let version = burn_version(&text).unwrap_or("unknown");
    println!("cargo:rustc-env=BERT_STUDIO_BURN_VERSION={version}");
}

/// The `version` line after `name = "burn"` in a Cargo.lock.
fn burn_version(lock: &str) -> Option<&str> {
    let mut lines = lock.lines();
    lines.find(|l| l.trim() == r#"name = "burn""#)?;
    let line = lines.next()?.trim();
    line.strip_prefix(r#"version = ""#)?.strip_suffix('"')
}
