//! BERT Studio's engine: everything the desktop app and the `bert-studio` CLI do, without
//! any user-interface code. Data → model → training → inference, with typed errors.

pub mod backend;
pub mod catalog;
pub mod compare;
pub mod data;
pub mod error;
pub mod fsutil;
pub mod inference;
pub mod kernels;
pub mod library;
pub mod model;
pub mod source;
pub mod throttle;
pub mod train;

pub use error::{EngineError, ErrorReport, Result};

/// The engine's version, recorded in reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Seconds since 1970 (0 if the clock is set before it): the timestamps of reports, checkpoints
/// and library folders.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
