//! Tools to test actors (the `testkit` feature): a probe actor that records what it
//! receives, waits for events with a deadline on tokio's clock (so a paused-clock test never
//! hangs and never sleeps), and failure injection.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use actors_core::testkit::{self, Probe};
//! use actors_core::{ActorSystem, ChildSpec, Strategy, Supervisor};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = ActorSystem::new("test")?;
//! let (probes, log) = Probe::<u32>::factory();
//! let sup = system
//!     .start_supervisor(
//!         "sup",
//!         Supervisor::new(Strategy::OneForOne).child(ChildSpec::worker("probe", probes)),
//!     )
//!     .await?;
//! let probe = sup.child("probe").and_then(|c| c.downcast::<Probe<u32>>()).unwrap();
//! let mut events = system.events();
//!
//! probe.tell(1).await?;
//! log.received(1, Duration::from_secs(1)).await?; // handled: the next message is 2
//! testkit::fail_next(&probe);
//! probe.tell(2).await?; // fails the instance: the supervisor restarts it
//! testkit::until_restarted(&mut events, &probe, 2, Duration::from_secs(1)).await?;
//! probe.tell(3).await?;
//! assert_eq!(log.received(2, Duration::from_secs(1)).await?, [1, 3]);
//! # system.shutdown().await?;
//! # Ok(())
//! # }
//! ```

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;

use crate::mailbox::signal;
use crate::{
    Actor, ActorError, ActorId, ActorRef, Context, Event, EventKind, Events, EventsError,
    ExitReason,
};

/// Why a wait of the test kit ended without what it waited for.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TestkitError {
    /// The deadline passed first.
    #[error("nothing came within {0:?}")]
    TimedOut(Duration),
    /// The subscription fell behind and missed this many events (give the system a larger
    /// `event_capacity`, or subscribe later).
    #[error("the subscription missed {0} events")]
    Lagged(u64),
    /// The system is gone.
    #[error("the actor system is gone")]
    Closed,
}

/// Makes the actor fail on the next message it takes from its mailbox (one already queued, if
/// any, since the signal is seen before the queue): that message is dropped as by a failing handler
/// (an asker gets [`AskError::Failed`](crate::AskError::Failed)), and the instance ends with
/// [`ExitReason::Failed`] ("failure injected by the test kit"), so its supervisor decides as
/// for any failure. Travels on the control lane: it does not queue behind messages.
pub fn fail_next<A: Actor>(actor: &ActorRef<A>) {
    actor.shared.control.raise(signal::INJECT_FAILURE);
}

/// Waits for the first event that satisfies `pred`, at most `within` (on tokio's clock).
///
/// # Errors
///
/// [`TestkitError`]: the deadline, a lagging subscription, or the system gone.
pub async fn until_event(
    events: &mut Events,
    within: Duration,
    mut pred: impl FnMut(&Event) -> bool,
) -> Result<Event, TestkitError> {
    let wait = async {
        loop {
            match events.recv().await {
                Ok(event) if pred(&event) => return Ok(event),
                Ok(_) => {}
                Err(EventsError::Lagged(n)) => return Err(TestkitError::Lagged(n)),
                Err(EventsError::Closed) => return Err(TestkitError::Closed),
            }
        }
    };
    tokio::time::timeout(within, wait)
        .await
        .unwrap_or(Err(TestkitError::TimedOut(within)))
}

/// Waits until `actor`'s instance of `generation` finished `started` after a restart (its
/// [`EventKind::Restarted`]). Subscribe before provoking the restart: an event emitted
/// before the subscription is not seen.
///
/// # Errors
///
/// As [`until_event`].
pub async fn until_restarted<A: Actor>(
    events: &mut Events,
    actor: &ActorRef<A>,
    generation: u64,
    within: Duration,
) -> Result<Event, TestkitError> {
    let id = actor.id();
    until_event(events, within, |e| {
        e.id == id && e.kind == EventKind::Restarted(generation)
    })
    .await
}

/// Waits for the final exit of the actor with this id (its [`EventKind::Stopped`]), and
/// returns its reason.
///
/// # Errors
///
/// As [`until_event`].
pub async fn until_stopped(
    events: &mut Events,
    id: ActorId,
    within: Duration,
) -> Result<ExitReason, TestkitError> {
    let event = until_event(events, within, |e| {
        e.id == id && matches!(e.kind, EventKind::Stopped(_))
    })
    .await?;
    match event.kind {
        EventKind::Stopped(reason) => Ok(reason),
        _ => unreachable!("the predicate matched a Stopped event"),
    }
}

/// An actor that records every message it receives, for tests. [`Probe::new`] gives the
/// probe and its [`ProbeLog`]; [`Probe::factory`] gives a factory for a child spec whose
/// instances all write to one log (so it survives restarts).
pub struct Probe<M> {
    log: Arc<Log<M>>,
}

/// What a [`Probe`] received: read it while the probe runs, or after.
pub struct ProbeLog<M> {
    log: Arc<Log<M>>,
}

impl<M> Clone for ProbeLog<M> {
    fn clone(&self) -> Self {
        Self {
            log: self.log.clone(),
        }
    }
}

struct Log<M> {
    received: Mutex<Vec<M>>,
    grew: Notify,
}

impl<M> std::fmt::Debug for Probe<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe").finish_non_exhaustive()
    }
}

impl<M> std::fmt::Debug for ProbeLog<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeLog").finish_non_exhaustive()
    }
}

impl<M: Send + 'static> Probe<M> {
    /// A probe, and the log of what it receives.
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> (Self, ProbeLog<M>) {
        let log = Arc::new(Log {
            received: Mutex::new(Vec::new()),
            grew: Notify::new(),
        });
        (Self { log: log.clone() }, ProbeLog { log })
    }

    /// A factory of probes that all write to one log: for a child spec, so that every
    /// instance after a restart goes on with the same log.
    pub fn factory() -> (impl Fn() -> Self + Send + Sync + 'static, ProbeLog<M>) {
        let (probe, log) = Self::new();
        let shared = probe.log;
        (
            move || Self {
                log: shared.clone(),
            },
            log,
        )
    }
}

impl<M: Send + 'static> Actor for Probe<M> {
    type Msg = M;

    async fn handle(&mut self, msg: M, _: &mut Context<Self>) -> Result<(), ActorError> {
        self.log.lock().push(msg);
        self.log.grew.notify_waiters();
        Ok(())
    }
}

impl<M> Log<M> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<M>> {
        self.received.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<M: Clone> ProbeLog<M> {
    /// What the probe received so far.
    pub fn snapshot(&self) -> Vec<M> {
        self.log.lock().clone()
    }

    /// What the probe received, once it has received at least `count` messages (waiting at
    /// most `within`, on tokio's clock).
    ///
    /// # Errors
    ///
    /// [`TestkitError::TimedOut`] when fewer came in time.
    pub async fn received(&self, count: usize, within: Duration) -> Result<Vec<M>, TestkitError> {
        let wait = async {
            loop {
                let grew = self.log.grew.notified();
                tokio::pin!(grew);
                grew.as_mut().enable();
                {
                    let received = self.log.lock();
                    if received.len() >= count {
                        return received.clone();
                    }
                }
                grew.await;
            }
        };
        tokio::time::timeout(within, wait)
            .await
            .map_err(|_| TestkitError::TimedOut(within))
    }
}
