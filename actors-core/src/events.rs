//! Identity of actors ([`ActorId`], [`ActorPath`]) and the system's event collector.
//!
//! Every lifecycle event of every actor of a system goes through one collector, which hands
//! it to three kinds of readers:
//! - subscriptions from [`ActorSystem::events`](crate::ActorSystem::events), each backed by a
//!   bounded ring: a slow reader is told how many events it missed, and the system never waits
//!   for it;
//! - the failures journal, [`ActorSystem::failures`](crate::ActorSystem::failures);
//! - [`Sink`]s, called in line where the event happens: exporters. The [`TracingSink`] is on
//!   unless the system is built without it.
//!
//! Nothing here runs per message.

use std::collections::VecDeque;
use std::fmt;
use std::num::NonZeroU64;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::time::Instant;

use crate::cell::Shared;
use crate::exit::{ExitReason, FailureInfo, ShutdownCause};

/// A process-wide unique actor identity. Restarts keep it; a new actor gets a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(NonZeroU64);

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

impl ActorId {
    pub(crate) fn next() -> Self {
        // 1, 2, ...: 2^64 ids are never reached (one per nanosecond would take 584 years).
        // Non-zero, so that an `Option<ActorId>` is one word.
        Self(NonZeroU64::MIN.saturating_add(NEXT_ID.fetch_add(1, Ordering::Relaxed)))
    }

    pub(crate) fn from_raw(raw: u64) -> Option<Self> {
        NonZeroU64::new(raw).map(Self)
    }

    /// The id as a number (unique in this process, increasing in creation order).
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Where an actor sits in its system's tree, such as `/app/pool/worker-3`.
///
/// The first segment is the system's name. Paths are for people and logs; the [`ActorId`] is
/// the identity (two actors that lived one after the other may share a path).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActorPath(Arc<str>);

impl ActorPath {
    pub(crate) fn root(system: &str) -> Self {
        Self(format!("/{system}").into())
    }

    pub(crate) fn child(&self, name: &str) -> Self {
        Self::join(&[&self.0, "/", name])
    }

    /// A child named `{base}-{n}`, as unnamed actors are.
    pub(crate) fn numbered_child(&self, base: &str, n: u64) -> Self {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = n;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        let digits = std::str::from_utf8(&digits[at..]).unwrap_or_default();
        Self::join(&[&self.0, "/", base, "-", digits])
    }

    /// Concatenates `parts` into one shared string with a single allocation when it is short.
    fn join(parts: &[&str]) -> Self {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let mut buf = [0u8; 128];
        if len <= buf.len() {
            let mut at = 0;
            for part in parts {
                buf[at..at + part.len()].copy_from_slice(part.as_bytes());
                at += part.len();
            }
            if let Ok(text) = std::str::from_utf8(&buf[..len]) {
                return Self(Arc::from(text));
            }
        }
        Self(Arc::from(parts.concat()))
    }

    #[cfg(test)]
    pub(crate) fn from_string(path: String) -> Self {
        Self(path.into())
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last segment: the actor's own name.
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or_default()
    }

    /// The path of the parent, or `None` for a system's root.
    pub fn parent(&self) -> Option<ActorPath> {
        let cut = self.0.rfind('/')?;
        (cut > 0).then(|| Self(self.0[..cut].into()))
    }

    /// The segments, system name first.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').skip(1)
    }
}

impl fmt::Display for ActorPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ActorPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// One lifecycle event of one actor.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The actor's path.
    pub path: ActorPath,
    /// The actor's id.
    pub id: ActorId,
    /// The instance generation the event concerns (1 for the first instance).
    pub generation: u64,
    /// The id of the actor's parent (the system root for actors spawned on the system).
    pub parent: Option<ActorId>,
    /// When it happened, on tokio's clock (so paused-clock tests see exact times).
    pub at: Instant,
}

/// What an [`Event`] reports.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventKind {
    /// An instance finished `started` and is handling messages.
    Started,
    /// An instance failed: a hook returned an error or panicked.
    Failed(FailureInfo),
    /// Messages told to the actor were never handled because it made its final exit. Asks queued
    /// at that moment are not counted here: each asker got [`AskError::Stopped`](crate::AskError).
    Undelivered(usize),
    /// The actor had to be aborted because it did not stop within its shutdown deadline.
    ShutdownTimedOut,
    /// The actor made its final exit, for this reason. Its mailbox is closed.
    Stopped(ExitReason),
    /// Its supervisor decided to restart it after this delay (zero without backoff). The
    /// event's generation is the instance that ended.
    RestartScheduled(Duration),
    /// A new instance, of this generation, finished `started` after a restart. (The first
    /// instance reports [`Started`](EventKind::Started) instead.)
    Restarted(u64),
    /// Its supervisor could not (re)start it: the instance's `started` (or its factory) ended
    /// it with this reason. The instance's own failure is also reported as `Failed`.
    StartFailed(ExitReason),
    /// A supervisor saw more restarts than its intensity allows: it stops its children and
    /// exits with [`ShutdownCause::IntensityExceeded`](crate::ShutdownCause::IntensityExceeded).
    IntensityExceeded,
}

impl EventKind {
    /// The kind's name, such as `"Failed"`: a stable label for metrics and log fields.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Started => "Started",
            Self::Failed(_) => "Failed",
            Self::Undelivered(_) => "Undelivered",
            Self::ShutdownTimedOut => "ShutdownTimedOut",
            Self::Stopped(_) => "Stopped",
            Self::RestartScheduled(_) => "RestartScheduled",
            Self::Restarted(_) => "Restarted",
            Self::StartFailed(_) => "StartFailed",
            Self::IntensityExceeded => "IntensityExceeded",
        }
    }

    fn is_failure(&self) -> bool {
        matches!(
            self,
            Self::Failed(_)
                | Self::ShutdownTimedOut
                | Self::StartFailed(_)
                | Self::IntensityExceeded
        ) || matches!(self, Self::Stopped(reason) if reason.is_abnormal())
    }
}

impl fmt::Display for EventKind {
    /// A short sentence for logs; the actor's path, id and generation are the event's own
    /// fields, so they are not repeated here.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Started => f.write_str("started"),
            Self::Failed(info) => {
                let what = if info.is_panic() {
                    "panicked"
                } else {
                    "failed"
                };
                write!(f, "{what} in {}: {}", info.hook(), info.message())?;
                for cause in info.chain() {
                    write!(f, ": {cause}")?;
                }
                Ok(())
            }
            Self::Undelivered(n) => write!(f, "{n} told messages undelivered"),
            Self::ShutdownTimedOut => {
                f.write_str("did not stop within its shutdown deadline: aborted")
            }
            Self::Stopped(reason) => match reason {
                ExitReason::Failed(_) => f.write_str("stopped after a failure"),
                reason => write!(f, "stopped: {reason}"),
            },
            Self::RestartScheduled(delay) => write!(f, "restart scheduled in {delay:?}"),
            Self::Restarted(generation) => write!(f, "restarted as generation {generation}"),
            Self::StartFailed(reason) => match reason {
                ExitReason::Failed(info) => write!(f, "could not start: {}", info.message()),
                reason => write!(f, "could not start: {reason}"),
            },
            Self::IntensityExceeded => f.write_str("restart intensity exceeded: escalating"),
        }
    }
}

/// A subscription to a system's events, from [`ActorSystem::events`](crate::ActorSystem::events).
///
/// It sees the events emitted after it was created. It holds a bounded buffer; a reader that
/// falls behind is told how many events it missed and continues with the oldest one kept.
#[derive(Debug)]
pub struct Events {
    rx: broadcast::Receiver<Event>,
    _counted: Subscribed,
}

/// Keeps the collector's subscriber count while a subscription lives.
#[derive(Debug)]
struct Subscribed(Arc<AtomicUsize>);

impl Drop for Subscribed {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What a subscription returns instead of an event.
#[derive(thiserror::Error, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsError {
    /// The reader fell behind and this many events were overwritten before it read them.
    #[error("the subscriber missed {0} events")]
    Lagged(u64),
    /// The system is gone and every buffered event has been read.
    #[error("the actor system is gone")]
    Closed,
}

impl Events {
    /// Waits for the next event.
    ///
    /// # Errors
    ///
    /// [`EventsError::Lagged`] once after the reader fell behind (the next call returns the
    /// oldest event still kept), [`EventsError::Closed`] when the system is dropped.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future loses no event.
    pub async fn recv(&mut self) -> Result<Event, EventsError> {
        self.rx.recv().await.map_err(|e| match e {
            broadcast::error::RecvError::Lagged(n) => EventsError::Lagged(n),
            broadcast::error::RecvError::Closed => EventsError::Closed,
        })
    }

    /// Returns the next event if one is buffered, without waiting.
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv); `Ok(None)` when no event is buffered.
    pub fn try_recv(&mut self) -> Result<Option<Event>, EventsError> {
        match self.rx.try_recv() {
            Ok(event) => Ok(Some(event)),
            Err(broadcast::error::TryRecvError::Empty) => Ok(None),
            Err(broadcast::error::TryRecvError::Lagged(n)) => Err(EventsError::Lagged(n)),
            Err(broadcast::error::TryRecvError::Closed) => Err(EventsError::Closed),
        }
    }
}

/// An exporter of a system's events: receives every event, in the order each actor emitted
/// them, on the task where it happened.
///
/// Add one with [`SystemBuilder::sink`](crate::SystemBuilder::sink). A sink runs in line, like
/// a `tracing` layer: it must be quick and must never block or `.await`; hand the event to a
/// channel or a buffer for slow work. A panic in a sink is contained (reported as a `tracing`
/// error) and never reaches the actor.
///
/// # Examples
///
/// Counting failures:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use actors_core::{ActorSystem, Event, EventKind, Sink};
///
/// #[derive(Default)]
/// struct FailureCount(AtomicUsize);
///
/// impl Sink for FailureCount {
///     fn enabled(&self, kind: &EventKind) -> bool {
///         matches!(kind, EventKind::Failed(_))
///     }
///
///     fn event(&self, _event: &Event) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// let failures = Arc::new(FailureCount::default());
/// let system = ActorSystem::builder("app").sink(failures.clone()).build()?;
/// # Ok::<(), actors_core::SystemError>(())
/// ```
pub trait Sink: Send + Sync + 'static {
    /// Whether this sink wants events of this kind. When no reader wants an event, the
    /// collector does not even build it. All of them unless overridden.
    fn enabled(&self, kind: &EventKind) -> bool {
        let _ = kind;
        true
    }

    /// Receives one event.
    fn event(&self, event: &Event);
}

impl<S: Sink + ?Sized> Sink for Arc<S> {
    fn enabled(&self, kind: &EventKind) -> bool {
        (**self).enabled(kind)
    }

    fn event(&self, event: &Event) {
        (**self).event(event);
    }
}

/// The sink that turns events into `tracing` events, on by default.
///
/// Target `actors::events`, with the fields `path`, `id`, `generation`, `parent` (when there is
/// one), `event` (the kind's [`name`](EventKind::name)) and the message (the kind's `Display`:
/// for a failure, where and why). Levels:
/// - `ERROR` for escalations: [`EventKind::IntensityExceeded`], and the supervisor's own stop
///   that follows it;
/// - `WARN` for failures and losses: `Failed`, `StartFailed`, `ShutdownTimedOut`,
///   `Undelivered`, and an abnormal `Stopped`;
/// - `DEBUG` for the rest.
///
/// Nothing is built for a level no subscriber listens to. Build the system with
/// [`tracing_sink(false)`](crate::SystemBuilder::tracing_sink) to turn it off.
#[derive(Debug, Clone, Copy, Default)]
pub struct TracingSink;

impl TracingSink {
    /// The level an event of this kind is reported at.
    pub fn level(kind: &EventKind) -> tracing::Level {
        match kind {
            EventKind::IntensityExceeded
            | EventKind::Stopped(ExitReason::Shutdown(ShutdownCause::IntensityExceeded)) => {
                tracing::Level::ERROR
            }
            EventKind::Failed(_)
            | EventKind::StartFailed(_)
            | EventKind::ShutdownTimedOut
            | EventKind::Undelivered(_) => tracing::Level::WARN,
            EventKind::Stopped(reason) if reason.is_abnormal() => tracing::Level::WARN,
            _ => tracing::Level::DEBUG,
        }
    }
}

/// One `tracing` event at a level chosen at run time (the macros want a constant).
macro_rules! traced {
    ($level:expr, $($fields:tt)*) => {
        match $level {
            tracing::Level::ERROR => tracing::error!(target: "actors::events", $($fields)*),
            tracing::Level::WARN => tracing::warn!(target: "actors::events", $($fields)*),
            tracing::Level::INFO => tracing::info!(target: "actors::events", $($fields)*),
            tracing::Level::DEBUG => tracing::debug!(target: "actors::events", $($fields)*),
            tracing::Level::TRACE => tracing::trace!(target: "actors::events", $($fields)*),
        }
    };
}

impl Sink for TracingSink {
    fn enabled(&self, kind: &EventKind) -> bool {
        match Self::level(kind) {
            tracing::Level::ERROR => {
                tracing::enabled!(target: "actors::events", tracing::Level::ERROR)
            }
            tracing::Level::WARN => {
                tracing::enabled!(target: "actors::events", tracing::Level::WARN)
            }
            _ => tracing::enabled!(target: "actors::events", tracing::Level::DEBUG),
        }
    }

    fn event(&self, event: &Event) {
        let Event {
            kind,
            path,
            id,
            generation,
            parent,
            ..
        } = event;
        let parent = parent.map(ActorId::as_u64);
        traced!(Self::level(kind), path = %path, %id, generation, parent, event = kind.name(), "{kind}");
    }
}

/// The system's collector: fans events out to subscribers, the journal and the sinks.
pub(crate) struct Collector {
    tx: broadcast::Sender<Event>,
    /// Live subscriptions: one atomic load tells `emit` whether to build an event at all
    /// (the channel's own count takes a lock).
    subscribers: Arc<AtomicUsize>,
    /// The most recent failure events, newest last, at most `journal_capacity`. Failures are
    /// rare, so a lock here costs nothing on the paths that matter.
    journal: Mutex<VecDeque<Event>>,
    journal_capacity: usize,
    sinks: Box<[Arc<dyn Sink>]>,
}

impl fmt::Debug for Collector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Collector")
            .field("subscribers", &self.subscribers.load(Ordering::Relaxed))
            .field("journal_capacity", &self.journal_capacity)
            .field("sinks", &self.sinks.len())
            .finish_non_exhaustive()
    }
}

impl Collector {
    pub(crate) fn new(capacity: usize, journal_capacity: usize, sinks: Vec<Arc<dyn Sink>>) -> Self {
        let (tx, _) = broadcast::channel(capacity);
        Self {
            tx,
            subscribers: Arc::new(AtomicUsize::new(0)),
            journal: Mutex::new(VecDeque::new()),
            journal_capacity,
            sinks: sinks.into_boxed_slice(),
        }
    }

    /// The failures journal, oldest first.
    pub(crate) fn failures(&self) -> Vec<Event> {
        let journal = self.journal.lock().unwrap_or_else(PoisonError::into_inner);
        journal.iter().cloned().collect()
    }

    pub(crate) fn subscribe(&self) -> Events {
        self.subscribers.fetch_add(1, Ordering::AcqRel);
        Events {
            rx: self.tx.subscribe(),
            _counted: Subscribed(self.subscribers.clone()),
        }
    }

    /// Keeps a failure in the journal, making room by dropping the oldest.
    fn journal(&self, event: Event) {
        let oldest = {
            let mut journal = self.journal.lock().unwrap_or_else(PoisonError::into_inner);
            let oldest = if journal.len() == self.journal_capacity {
                journal.pop_front()
            } else {
                None
            };
            journal.push_back(event);
            oldest
        };
        // Outside the lock: freeing a failure's record is the costly part.
        drop(oldest);
    }

    pub(crate) fn emit(&self, kind: EventKind, actor: &Shared, generation: u64) {
        let failure = kind.is_failure();
        let subscribed = self.subscribers.load(Ordering::Acquire) != 0;
        // Which sinks want it, as a bit set (sinks past the 64th are asked again below).
        let mut wanted = 0u64;
        for (i, sink) in self.sinks.iter().enumerate() {
            if contained(|| sink.enabled(&kind)).unwrap_or(false) {
                wanted |= 1 << i.min(63);
            }
        }
        if !subscribed && !failure && wanted == 0 {
            // No one would see it: the path (built on first use) is not even asked for.
            return;
        }
        let event = Event {
            kind,
            path: actor.path().clone(),
            id: actor.id,
            generation,
            parent: actor.parent,
            at: Instant::now(),
        };
        for (i, sink) in self.sinks.iter().enumerate() {
            let wants = match i {
                0..63 => wanted & (1 << i) != 0,
                _ => {
                    wanted & (1 << 63) != 0 && contained(|| sink.enabled(&event.kind)) == Some(true)
                }
            };
            if wants {
                let _ = contained(|| sink.event(&event));
            }
        }
        if !subscribed {
            if failure {
                self.journal(event);
            }
            return;
        }
        if failure {
            self.journal(event.clone());
        }
        // A send only fails when there is no subscriber; the ring never blocks.
        let _ = self.tx.send(event);
    }
}

/// Runs a sink's code with a panic contained: reported, never passed on to the actor.
fn contained<R>(f: impl FnOnce() -> R) -> Option<R> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => Some(value),
        Err(payload) => {
            let message = crate::exit::panic_message(&*payload);
            crate::scope::drop_contained(payload);
            tracing::error!(target: "actors::events", panic = %message, "an event sink panicked");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts() {
        let root = ActorPath::root("app");
        let child = root.child("pool").child("worker-3");
        assert_eq!(child.as_str(), "/app/pool/worker-3");
        assert_eq!(child.name(), "worker-3");
        assert_eq!(child.parent().unwrap().as_str(), "/app/pool");
        assert_eq!(root.parent(), None);
        assert_eq!(root.numbered_child("Worker", 0).as_str(), "/app/Worker-0");
        assert_eq!(
            root.numbered_child("W", u64::MAX).as_str(),
            format!("/app/W-{}", u64::MAX)
        );
        let long = "x".repeat(300);
        assert_eq!(root.child(&long).as_str(), format!("/app/{long}"));
        assert_eq!(
            child.segments().collect::<Vec<_>>(),
            ["app", "pool", "worker-3"]
        );
    }
}
