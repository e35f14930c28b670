//! BERT Studio's engine: everything the desktop app and the `bert-studio` CLI do, without
//! any user-interface code. Data → model → training → inference, with typed errors.

pub mod backend;
pub mod cancel;
pub mod catalog;
pub mod compare;
pub mod corrections;
pub mod data;
pub mod error;
pub mod explain;
pub mod fsutil;
pub mod inference;
pub mod kernels;
pub mod library;
pub mod message;
pub mod metrics;
pub mod model;
pub mod progress;
pub mod scoring;
pub mod search;
pub mod source;
pub mod train;

pub use error::{EngineError, ErrorReport, Result};

/// The engine's version, recorded in reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The version of burn this build links, as Cargo.lock pins it ("unknown" outside the workspace).
pub const BURN_VERSION: &str = env!("BERT_STUDIO_BURN_VERSION");

/// Seconds since 1970 (0 if the clock is set before it): the timestamps of reports, checkpoints
/// and library folders.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod version_tests {
    /// The burn version reports carry is the one cargo resolved for this workspace.
    #[test]
    fn the_burn_version_is_the_one_cargo_resolved() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = std::process::Command::new(cargo)
            .args(["pkgid", "--offline", "-p", "burn"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo runs");
        let pkgid = String::from_utf8_lossy(&out.stdout);
        let resolved = pkgid.trim().rsplit('@').next().unwrap_or_default();
        assert_eq!(super::BURN_VERSION, resolved, "cargo pkgid said {pkgid:?}");
    }
}
