//! Progress for a page or a terminal: a few updates a second, never one per step.

use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Throttle {
    interval: Duration,
    last: Option<Instant>,
}

impl Throttle {
    pub fn new(interval: Duration) -> Self {
        Throttle {
            interval,
            last: None,
        }
    }

    /// True when nothing went through during the last interval; the interval starts again.
    pub fn ready(&mut self) -> bool {
        let now = Instant::now();
        if self.last.is_some_and(|t| now - t < self.interval) {
            return false;
        }
        self.last = Some(now);
        true
    }
}
