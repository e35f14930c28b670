//! Stopping a running job (training, classification) from another thread: the user's Cancel,
//! Ctrl-C in the CLI, the app closing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Stops a job from another thread; checked before every micro-batch (or batch of texts).
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
