//! Progress for a page or a terminal: the one throttle between a job and whoever watches it
//! (a few updates a second, never one per step or per row), with its rate and time left.

use std::time::{Duration, Instant};

/// How often a job reports progress at most.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

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

/// The clock of a job's progress: time since it started, when the next update is due, and
/// what the pace so far says about the rest.
#[derive(Debug, Clone)]
pub struct ProgressMeter {
    started: Instant,
    throttle: Throttle,
}

impl Default for ProgressMeter {
    fn default() -> Self {
        ProgressMeter {
            started: Instant::now(),
            throttle: Throttle::new(PROGRESS_INTERVAL),
        }
    }
}

impl ProgressMeter {
    pub fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Units per second since the start.
    pub fn rate(&self, done: usize) -> f64 {
        done as f64 / self.seconds().max(1e-9)
    }

    /// Whether an update is due: none was sent during the last interval.
    pub fn due(&mut self) -> bool {
        self.throttle.ready()
    }

    /// Seconds left for `left` more units when `done` units took the time so far (not a
    /// number before anything is done).
    pub fn seconds_left(&self, done: f64, left: f64) -> f64 {
        if left <= 0.0 {
            0.0
        } else if done > 0.0 {
            self.seconds() * left / done
        } else {
            f64::NAN
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_update_per_interval_and_the_time_left_at_the_pace_so_far() {
        let mut meter = ProgressMeter::default();
        assert!(meter.due());
        assert!(!meter.due(), "a second update in the same interval");
        std::thread::sleep(Duration::from_millis(20));
        let seconds = meter.seconds();
        let left = meter.seconds_left(1.0, 3.0);
        assert!(
            left >= 3.0 * seconds && left < 3.0 * seconds + 0.05,
            "{left} vs {seconds}"
        );
        assert_eq!(meter.seconds_left(5.0, 0.0), 0.0);
        assert!(meter.seconds_left(0.0, 1.0).is_nan());
    }
}
