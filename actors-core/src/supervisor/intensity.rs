//! Restart intensity: at most `max_restarts` restarts within a sliding window of `within`.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
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

/// A supervisor's intensity window, shared with the workers it may let restart themselves.
///
/// A one_for_one supervisor's decision about a worker that failed after it started needs
/// nothing but this window: restart it, alone, now (no group, no backoff, no start to wait
/// for). Such a worker holds the supervisor's `Budget` and applies that decision itself,
/// in its own task, without the round trip through the supervisor's (`Cell::run`): the
/// restart is recorded here under the same lock the supervisor's own decisions take, and a
/// refused one falls back to a report, so the supervisor escalates as for any other end.
///
/// The gate closes while the supervisor stops children (`terminate` and the shutdown paths):
/// a worker then reports its end and waits, as before. One that restarted itself just before
/// the gate closed did so after its old instance ended, so the stop the supervisor raises
/// next reaches its new instance; its reports carry its new generation, which the
/// supervisor adopts (`SupTask::note`).
#[derive(Debug)]
pub(crate) struct Budget {
    state: Mutex<Gate>,
}

#[derive(Debug)]
struct Gate {
    intensity: Intensity,
    open: bool,
}

impl Budget {
    pub(crate) fn new(max_restarts: u32, within: Duration) -> Self {
        Self {
            state: Mutex::new(Gate {
                intensity: Intensity::new(max_restarts, within),
                open: true,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Gate> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a restart the supervisor decided at `now`; false when it is one too many.
    pub(crate) fn allow(&self, now: Instant) -> bool {
        self.lock().intensity.allow(now)
    }

    /// Records a worker's own restart, now; false when the gate is closed or the restart is
    /// one too many (then the worker leaves the decision to its supervisor).
    pub(crate) fn allow_own(&self) -> bool {
        let mut gate = self.lock();
        gate.open && gate.intensity.allow(Instant::now())
    }

    /// Opens or closes the gate to workers' own restarts.
    pub(crate) fn set_open(&self, open: bool) {
        self.lock().open = open;
    }

    /// A new instance of the supervisor: every restart forgotten, the gate open.
    pub(crate) fn reset(&self) {
        let mut gate = self.lock();
        gate.intensity.reset();
        gate.open = true;
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
    fn a_closed_gate_refuses_own_restarts_only() {
        let budget = Budget::new(2, Duration::from_secs(5));
        budget.set_open(false);
        assert!(!budget.allow_own());
        // The supervisor's own decisions still count, against the same window...
        assert!(budget.allow(Instant::now()));
        budget.set_open(true);
        assert!(budget.allow_own());
        // ...which the worker's restart filled.
        assert!(!budget.allow_own());
        assert!(!budget.allow(Instant::now()));
        budget.reset();
        assert!(budget.allow_own());
    }

    #[test]
    fn zero_allows_nothing() {
        let mut intensity = Intensity::new(0, Duration::from_secs(1));
        assert!(!intensity.allow(Instant::now()));
    }
}
