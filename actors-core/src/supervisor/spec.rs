//! [`ChildSpec`]: how a supervisor starts, restarts and stops one child.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use super::backoff::Backoff;
use super::intensity::Budget;
use super::link::Reports;
use super::static_sup::{self, Supervisor};
use crate::cell::{Family, Shared};
use crate::mailbox::{self, DEFAULT_MAILBOX_CAPACITY};
use crate::{Actor, ActorId, ActorPath, ActorSystem, SpawnError, SpecError};

/// The default [`Shutdown`] of a worker: 5 s to stop gracefully, then it is aborted.
pub const DEFAULT_WORKER_SHUTDOWN: Duration = Duration::from_secs(5);

/// When a supervisor restarts a child whose instance ended.
///
/// A stop the supervisor ordered itself (a restart of siblings, a termination, its own
/// shutdown) never causes a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Restart {
    /// After every exit: normal, shutdown, failure or kill. The default.
    #[default]
    Permanent,
    /// Only after an abnormal exit ([`ExitReason::is_abnormal`](crate::ExitReason::is_abnormal):
    /// an error, a panic, a kill).
    Transient,
    /// Never. Its spec is removed after any exit, also when it was stopped as a bystander of a
    /// sibling's restart.
    Temporary,
}

/// How a supervisor stops a child: on its own shutdown, on a restart of siblings, or on
/// escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// Cancel the child's token and ask it to stop; if it has not stopped after this long,
    /// abort it (it ends at its next `.await`) and report
    /// [`EventKind::ShutdownTimedOut`](crate::EventKind::ShutdownTimedOut). The default for
    /// workers is [`DEFAULT_WORKER_SHUTDOWN`].
    Timeout(Duration),
    /// Cancel and ask it to stop, and wait as long as it takes. The default for supervisors,
    /// whose own children's specs bound their shutdown.
    Infinity,
    /// Abort at once: `stopped` does not run.
    Brutal,
}

/// Whether a child is a worker (an [`Actor`]) or a supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChildKind {
    /// An actor.
    Worker,
    /// A supervisor with children of its own.
    Supervisor,
}

/// How to start, restart and stop one child of a [`Supervisor`].
///
/// A worker's spec holds a factory that builds a fresh instance for every start and restart;
/// the actor itself (its id, mailbox and every `ActorRef` to it) survives its restarts.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use actors_core::{Actor, ActorError, ChildSpec, Context, Restart, Shutdown};
///
/// struct Cache { entries: usize }
///
/// impl Actor for Cache {
///     type Msg = ();
///
///     async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
///         self.entries += 1;
///         Ok(())
///     }
/// }
///
/// let spec = ChildSpec::worker("cache", || Cache { entries: 0 })
///     .restart(Restart::Transient)
///     .shutdown(Shutdown::Timeout(Duration::from_secs(1)))
///     .mailbox(256);
/// assert_eq!(spec.id(), "cache");
/// ```
#[derive(Clone)]
pub struct ChildSpec {
    pub(crate) id: Arc<str>,
    pub(crate) starter: Arc<dyn Starter>,
    pub(crate) restart: Restart,
    pub(crate) shutdown: Shutdown,
    pub(crate) capacity: usize,
    pub(crate) start_timeout: Option<Duration>,
    pub(crate) backoff: Option<Backoff>,
    pub(crate) significant: bool,
}

impl ChildSpec {
    /// A worker: `factory` builds each instance of the actor. Permanent, with a 5 s shutdown
    /// and the default mailbox capacity unless set.
    pub fn worker<A, F>(id: impl Into<String>, factory: F) -> Self
    where
        A: Actor,
        F: Fn() -> A + Send + Sync + 'static,
    {
        Self {
            id: id.into().into(),
            starter: Arc::new(WorkerStarter {
                factory: Arc::new(factory),
                actor: PhantomData,
            }),
            restart: Restart::Permanent,
            shutdown: Shutdown::Timeout(DEFAULT_WORKER_SHUTDOWN),
            capacity: A::MAILBOX_CAPACITY,
            start_timeout: None,
            backoff: None,
            significant: false,
        }
    }

    /// A child supervisor. Permanent, with [`Shutdown::Infinity`] unless set.
    pub fn supervisor(id: impl Into<String>, supervisor: Supervisor) -> Self {
        Self {
            id: id.into().into(),
            starter: Arc::new(supervisor),
            restart: Restart::Permanent,
            shutdown: Shutdown::Infinity,
            capacity: DEFAULT_MAILBOX_CAPACITY,
            start_timeout: None,
            backoff: None,
            significant: false,
        }
    }

    /// When to restart it (default [`Restart::Permanent`]).
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// How to stop it (default 5 s for a worker, [`Shutdown::Infinity`] for a supervisor).
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// A worker's mailbox capacity (default: its type's
    /// [`Actor::MAILBOX_CAPACITY`](crate::Actor::MAILBOX_CAPACITY)). Ignored for a supervisor,
    /// which has no mailbox.
    pub fn mailbox(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// How long a start (or restart) may take: a `started` still running after `timeout` is
    /// killed and the start counts as failed (so a hung `started` is retried and counted
    /// against intensity instead of wedging the supervisor). None by default.
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.start_timeout = Some(timeout);
        self
    }

    /// Waits before each restart of this child, longer after each failure in a row (see
    /// [`Backoff`]). None by default: restarts are immediate.
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = Some(backoff);
        self
    }

    /// Marks the child significant: when it ends by itself without being restarted (a
    /// Transient child's normal exit, a Temporary child's any exit), its supervisor's
    /// [`AutoShutdown`](crate::AutoShutdown) may shut the supervisor down. Significant children
    /// must be Transient or Temporary, under a supervisor whose auto-shutdown is not `Never`.
    pub fn significant(mut self, significant: bool) -> Self {
        self.significant = significant;
        self
    }

    /// True if the child is significant.
    pub fn is_significant(&self) -> bool {
        self.significant
    }

    /// The same spec under another id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into().into();
        self
    }

    /// The child's id: unique among its siblings, and the last segment of its path.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Worker or supervisor.
    pub fn kind(&self) -> ChildKind {
        self.starter.kind()
    }

    /// Its restart type.
    pub fn restart_type(&self) -> Restart {
        self.restart
    }

    /// Its shutdown spec.
    pub fn shutdown_spec(&self) -> Shutdown {
        self.shutdown
    }

    /// Checks this spec (and, for a supervisor, its whole subtree).
    ///
    /// # Errors
    ///
    /// [`SpecError`] naming the child: an empty id or one containing `/`, a zero
    /// `Shutdown::Timeout`, a zero or too large mailbox capacity, or an invalid child
    /// supervisor.
    pub fn validate(&self) -> Result<(), SpecError> {
        let child = || self.id.to_string();
        if self.id.is_empty() || self.id.contains('/') {
            return Err(SpecError::InvalidChildId(child()));
        }
        if self.shutdown == Shutdown::Timeout(Duration::ZERO) {
            return Err(SpecError::ZeroShutdownTimeout { child: child() });
        }
        if self.significant && self.restart == Restart::Permanent {
            return Err(SpecError::SignificantPermanent { child: child() });
        }
        if let Some(problem) = self.backoff.as_ref().and_then(Backoff::problem) {
            return Err(SpecError::InvalidBackoff {
                child: child(),
                problem,
            });
        }
        if self.start_timeout == Some(Duration::ZERO) {
            return Err(SpecError::ZeroStartTimeout { child: child() });
        }
        if self.kind() == ChildKind::Worker {
            mailbox::validate_capacity(self.capacity).map_err(|source| {
                SpecError::InvalidCapacity {
                    child: child(),
                    source,
                }
            })?;
        }
        self.starter.validate()
    }
}

impl fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSpec")
            .field("id", &self.id)
            .field("kind", &self.kind())
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("capacity", &self.capacity)
            .field("start_timeout", &self.start_timeout)
            .field("backoff", &self.backoff)
            .field("significant", &self.significant)
            .finish()
    }
}

/// Where a supervisor places a new child.
pub(crate) struct Placement<'a> {
    pub(crate) system: &'a ActorSystem,
    pub(crate) path: ActorPath,
    pub(crate) parent: ActorId,
    /// What the children of this supervisor's running generation share.
    pub(crate) family: Arc<Family>,
    pub(crate) reports: Reports,
    pub(crate) capacity: usize,
    /// For a worker that may restart itself after a failure: its supervisor's intensity.
    pub(crate) budget: Option<Arc<Budget>>,
}

/// A child just spawned: its shared part (control lane, exit) and its typed handle
/// (`ActorRef<A>` or `SupervisorRef`), type-erased for `ChildRef::downcast`.
pub(crate) struct Spawned {
    pub(crate) shared: Arc<Shared>,
    pub(crate) handle: Arc<dyn Any + Send + Sync>,
}

/// Spawns a child of one kind; a spec holds one behind an `Arc`.
pub(crate) trait Starter: Send + Sync {
    fn kind(&self) -> ChildKind;
    fn validate(&self) -> Result<(), SpecError>;
    fn spawn(&self, place: Placement<'_>) -> Result<Spawned, SpawnError>;
}

struct WorkerStarter<A, F> {
    factory: Arc<F>,
    actor: PhantomData<fn() -> A>,
}

impl<A, F> Starter for WorkerStarter<A, F>
where
    A: Actor,
    F: Fn() -> A + Send + Sync + 'static,
{
    fn kind(&self) -> ChildKind {
        ChildKind::Worker
    }

    fn validate(&self) -> Result<(), SpecError> {
        Ok(())
    }

    fn spawn(&self, place: Placement<'_>) -> Result<Spawned, SpawnError> {
        let factory: Arc<dyn Fn() -> A + Send + Sync> = self.factory.clone();
        let actor = place.system.spawn_supervised(place, factory)?;
        Ok(Spawned {
            shared: actor.shared.clone(),
            handle: Arc::new(actor),
        })
    }
}

impl Starter for Supervisor {
    fn kind(&self) -> ChildKind {
        ChildKind::Supervisor
    }

    fn validate(&self) -> Result<(), SpecError> {
        Supervisor::validate(self)
    }

    fn spawn(&self, place: Placement<'_>) -> Result<Spawned, SpawnError> {
        let sup = static_sup::spawn_child(self.clone(), place)?;
        Ok(Spawned {
            shared: sup.shared().clone(),
            handle: Arc::new(sup),
        })
    }
}
