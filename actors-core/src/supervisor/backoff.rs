//! [`Backoff`]: growing delays before the restarts of a child that keeps failing.

use std::hash::BuildHasher;
use std::time::Duration;

use tokio::time::Instant;

/// Delays before restarting a child that keeps failing. The `n`-th restart in a row (from 0)
/// waits `min(max, min · 2ⁿ · (1 + U · jitter))`, with `U` uniform in `[0, 1)`; after
/// `reset_after` without a failure, `n` starts over at 0. Computed without overflow: a delay
/// past `max` (or past what a `Duration` holds) is `max`.
///
/// While it waits, the child is [`Restarting`](crate::ChildState::Restarting): its mailbox
/// keeps the messages sent to it (senders feel backpressure once it is full), and under
/// `OneForAll` or `RestForOne` the failed child's delay applies to its whole group.
///
/// Each restart still counts against the supervisor's intensity, when it is decided. Delays
/// longer than the intensity window let old restarts leave the window before new ones come,
/// so a child that never starts is then retried for ever instead of escalating: keep `max`
/// below `within` where escalation matters.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use actors_core::Backoff;
///
/// let backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
/// assert_eq!(backoff.delay(0, 0.0), Duration::from_millis(100));
/// assert_eq!(backoff.delay(3, 0.0), Duration::from_millis(800));
/// assert_eq!(backoff.delay(40, 0.0), Duration::from_secs(5)); // capped, never overflows
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub(crate) min: Duration,
    pub(crate) max: Duration,
    pub(crate) jitter: f64,
    pub(crate) reset_after: Duration,
    pub(crate) seed: Option<u64>,
}

impl Backoff {
    /// Delays from `min`, doubling, up to `max`; no jitter; reset after a quiet period of
    /// `max` unless set (measured from the last restart, not from the failure before it).
    pub fn new(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max,
            jitter: 0.0,
            reset_after: max,
            seed: None,
        }
    }

    /// Spreads each delay by up to `jitter` times itself (in `[0, 1]`), so that children
    /// failing together do not restart together.
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// The quiet period after which the delays start over from `min`.
    pub fn reset_after(mut self, quiet: Duration) -> Self {
        self.reset_after = quiet;
        self
    }

    /// Seeds the jitter's random source, for reproducible delays (tests).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The delay before restart number `attempt` (from 0) for a uniform draw `unit` in
    /// `[0, 1)`.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let doubled = 2u32
            .checked_pow(attempt)
            .and_then(|factor| self.min.checked_mul(factor));
        let Some(base) = doubled.filter(|base| *base < self.max) else {
            return self.max;
        };
        let factor = 1.0 + unit.clamp(0.0, 1.0) * self.jitter;
        Duration::try_from_secs_f64(base.as_secs_f64() * factor)
            .map_or(self.max, |delay| delay.min(self.max))
    }

    /// Why these settings are invalid, if they are.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        if self.min.is_zero() {
            Some("the minimum delay must be greater than zero")
        } else if self.max < self.min {
            Some("the maximum delay is below the minimum")
        } else if !(0.0..=1.0).contains(&self.jitter) {
            Some("the jitter must be within [0, 1]")
        } else if self.reset_after.is_zero() {
            Some("the quiet period must be greater than zero")
        } else {
            None
        }
    }
}

/// One child's backoff: how many restarts in a row, since when, and its random source.
#[derive(Debug)]
pub(crate) struct BackoffState {
    attempt: u32,
    /// When the last restart came (its failure plus its delay): the quiet period runs from
    /// there, not from the failure, so the wait itself never counts as quiet.
    last_restart: Option<Instant>,
    rng: SplitMix64,
}

impl BackoffState {
    pub(crate) fn new(backoff: &Backoff) -> Self {
        let seed = backoff
            .seed
            .unwrap_or_else(|| std::collections::hash_map::RandomState::new().hash_one(0u64));
        Self {
            attempt: 0,
            last_restart: None,
            rng: SplitMix64(seed),
        }
    }

    /// The delay before the restart that follows a failure at `now`.
    pub(crate) fn next_delay(&mut self, backoff: &Backoff, now: Instant) -> Duration {
        if self
            .last_restart
            .is_some_and(|last| now.saturating_duration_since(last) >= backoff.reset_after)
        {
            self.attempt = 0;
        }
        let delay = backoff.delay(self.attempt, self.rng.unit());
        self.attempt = self.attempt.saturating_add(1);
        self.last_restart = Some(now.checked_add(delay).unwrap_or(now));
        delay
    }
}

/// A small, seedable random source (SplitMix64): enough for jitter, no dependency.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_min_and_caps_at_max_without_overflow() {
        let b = Backoff::new(Duration::from_millis(10), Duration::from_secs(1));
        let delays: Vec<_> = (0..9).map(|n| b.delay(n, 0.0).as_millis()).collect();
        assert_eq!(delays, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        assert_eq!(b.delay(u32::MAX, 0.999), Duration::from_secs(1));
        let huge = Backoff::new(Duration::MAX, Duration::MAX).jitter(1.0);
        assert_eq!(huge.delay(1, 0.5), Duration::MAX);
    }

    #[test]
    fn jitter_stays_within_its_bounds_and_a_seed_repeats_it() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_secs(60))
            .jitter(0.5)
            .seed(7);
        let mut one = BackoffState::new(&b);
        let mut two = BackoffState::new(&b);
        let now = Instant::now();
        for n in 0..10u32 {
            let base = Duration::from_millis(100) * 2u32.pow(n);
            let d = one.next_delay(&b, now);
            assert!(d >= base && d < base.mul_f64(1.5), "{n}: {d:?}");
            assert_eq!(d, two.next_delay(&b, now));
        }
    }

    #[test]
    fn a_quiet_period_resets_the_delays() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_secs(10))
            .reset_after(Duration::from_secs(30));
        let mut state = BackoffState::new(&b);
        let t0 = Instant::now();
        assert_eq!(state.next_delay(&b, t0), Duration::from_millis(100));
        let t1 = t0 + Duration::from_millis(100);
        assert_eq!(state.next_delay(&b, t1), Duration::from_millis(200));
        // Quiet from the restart at t1 + 200 ms: 29.9 s is not enough, 30 s is.
        let restarted = t1 + Duration::from_millis(200);
        let mut early = BackoffState::new(&b);
        early.attempt = state.attempt;
        early.last_restart = state.last_restart;
        let almost = restarted + Duration::from_millis(29_900);
        assert_eq!(early.next_delay(&b, almost), Duration::from_millis(400));
        let quiet = restarted + Duration::from_secs(30);
        assert_eq!(state.next_delay(&b, quiet), Duration::from_millis(100));
    }

    #[test]
    fn invalid_settings_are_named() {
        let ok = Backoff::new(Duration::from_millis(1), Duration::from_millis(2));
        assert_eq!(ok.problem(), None);
        assert!(
            Backoff::new(Duration::ZERO, Duration::from_secs(1))
                .problem()
                .is_some()
        );
        assert!(
            Backoff::new(Duration::from_secs(2), Duration::from_secs(1))
                .problem()
                .is_some()
        );
        assert!(ok.jitter(1.5).problem().is_some());
        assert!(ok.jitter(f64::NAN).problem().is_some());
        assert!(ok.reset_after(Duration::ZERO).problem().is_some());
    }
}
