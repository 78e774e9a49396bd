//! Restart intensity: at most `max_restarts` restarts within a sliding window of `within`.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// The default restart intensity: 3 restarts (Elixir's default; OTP's is 1)...
pub const DEFAULT_MAX_RESTARTS: u32 = 3;
/// ...within 5 seconds.
pub const DEFAULT_RESTART_WINDOW: Duration = Duration::from_secs(5);

/// The times of the recent restarts, on tokio's clock (so paused-clock tests are exact).
///
/// The window is exact: a restart at `t` still counts at `now` while `now - t < within`.
/// The ring holds at most `max_restarts` entries: the restart that would exceed the limit is
/// refused, not recorded, and ends the supervisor's instance.
#[derive(Debug)]
pub(crate) struct Intensity {
    max_restarts: u32,
    within: Duration,
    recent: VecDeque<Instant>,
}

impl Intensity {
    pub(crate) fn new(max_restarts: u32, within: Duration) -> Self {
        Self {
            max_restarts,
            within,
            recent: VecDeque::new(),
        }
    }

    /// Records a restart at `now`; false when it is one too many.
    pub(crate) fn allow(&mut self, now: Instant) -> bool {
        while let Some(&oldest) = self.recent.front() {
            if now.saturating_duration_since(oldest) >= self.within {
                self.recent.pop_front();
            } else {
                break;
            }
        }
        if self.recent.len() >= self.max_restarts as usize {
            return false;
        }
        self.recent.push_back(now);
        true
    }

    /// Forgets every restart (a new instance of the supervisor).
    pub(crate) fn reset(&mut self) {
        self.recent.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_is_exact_and_sliding() {
        let start = Instant::now();
        let mut intensity = Intensity::new(2, Duration::from_secs(5));
        assert!(intensity.allow(start));
        assert!(intensity.allow(start + Duration::from_secs(1)));
        // A third within 5 s of the first is one too many...
        assert!(!intensity.allow(start + Duration::from_millis(4999)));
        // ...but at exactly 5 s the first has left the window.
        let mut intensity = Intensity::new(2, Duration::from_secs(5));
        assert!(intensity.allow(start));
        assert!(intensity.allow(start + Duration::from_secs(1)));
        assert!(intensity.allow(start + Duration::from_secs(5)));
        assert_eq!(intensity.recent.len(), 2);
    }

    #[test]
    fn zero_allows_nothing() {
        let mut intensity = Intensity::new(0, Duration::from_secs(1));
        assert!(!intensity.allow(Instant::now()));
    }
}
