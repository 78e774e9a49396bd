//! [`ActorSystem`]: the root of the tree, the event collector, the task tracker and the root
//! cancellation token.

use std::cmp::Reverse;
use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use dashmap::DashMap;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::cell::{Cell, Family, Name, Shared, Supervised};
use crate::events::{Collector, Event, EventKind, Events, Sink, TracingSink};
use crate::mailbox::chan;
use crate::mailbox::{self, signal};
use crate::registry::Registry;
use crate::supervisor::{self, Placement};
use crate::tree::Census;
use crate::{
    Actor, ActorId, ActorPath, ActorRef, ChildRef, ExitReason, ShutdownCause, ShutdownError,
    SpawnError, StartError, Supervisor, SupervisorRef, SystemError, scope,
};

/// The default deadline of [`ActorRef::ask`], as `gen_server:call`'s.
pub const DEFAULT_ASK_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a shutdown waits for each actor to stop before aborting it, unless configured.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// How many events a slow subscriber may fall behind before it is told it missed some.
pub const DEFAULT_EVENT_CAPACITY: usize = 1024;

/// How many recent failures [`ActorSystem::failures`] keeps, unless configured.
pub const DEFAULT_FAILURE_JOURNAL: usize = 1024;

const RUNNING: u8 = 0;
const STOPPING: u8 = 1;
const STOPPED: u8 = 2;

/// The largest event buffer capacity accepted: the subscription ring allocates its slots up
/// front (1,048,576 events, some tens of MiB).
pub const MAX_EVENT_CAPACITY: usize = 1 << 20;

/// A tree of actors with one root, one event collector and one cancellation token.
///
/// Cloning is cheap and every clone is the same system. Actors spawned on it with
/// [`spawn`](ActorSystem::spawn) are Temporary children of the root: any exit of theirs is
/// final. [`shutdown`](ActorSystem::shutdown) stops them in reverse spawn order and returns
/// once no task of the system is left.
///
/// Dropping every handle does not stop the actors; shut the system down.
#[derive(Clone)]
pub struct ActorSystem {
    inner: Arc<SystemInner>,
}

struct SystemInner {
    name: String,
    root_id: ActorId,
    collector: Collector,
    tracker: TaskTracker,
    /// What the root's children share: the root token (cancelled at the shutdown), the
    /// default ask timeout, the root path.
    family: Arc<Family>,
    children: DashMap<ActorId, Arc<Shared>, IdHasher>,
    /// Every other live actor and supervisor (children of supervisors), so that a shutdown
    /// called from any of them knows not to wait for itself.
    members: DashMap<ActorId, (), IdHasher>,
    registry: Registry,
    /// Every live supervisor, for a census to read its published table.
    supervisors: DashMap<ActorId, SupervisorRef, IdHasher>,
    census: Census,
    state: AtomicU8,
    stopped: Notify,
    outcome: OnceLock<Result<(), ShutdownError>>,
    /// The runtime of the first spawn; the shutdown runs there.
    runtime: OnceLock<tokio::runtime::Handle>,
    shutdown_timeout: Duration,
}

/// Configures and builds an [`ActorSystem`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use actors_core::ActorSystem;
///
/// let system = ActorSystem::builder("app")
///     .ask_timeout(Duration::from_secs(1))
///     .build()?;
/// assert_eq!(system.name(), "app");
/// # Ok::<(), actors_core::SystemError>(())
/// ```
#[derive(Clone)]
pub struct SystemBuilder {
    name: String,
    ask_timeout: Duration,
    shutdown_timeout: Duration,
    event_capacity: usize,
    failure_journal: usize,
    sinks: Vec<Arc<dyn Sink>>,
    tracing_sink: bool,
}

impl fmt::Debug for SystemBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemBuilder")
            .field("name", &self.name)
            .field("ask_timeout", &self.ask_timeout)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("event_capacity", &self.event_capacity)
            .field("failure_journal", &self.failure_journal)
            .field("sinks", &self.sinks.len())
            .field("tracing_sink", &self.tracing_sink)
            .finish()
    }
}

impl SystemBuilder {
    /// The default deadline of every [`ActorRef::ask`] (5 s unless set).
    pub fn ask_timeout(mut self, timeout: Duration) -> Self {
        self.ask_timeout = timeout;
        self
    }

    /// How long [`ActorSystem::shutdown`] waits for each actor before aborting it (5 s unless
    /// set).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// How many events a subscriber may fall behind before it misses some (1,024 unless set).
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity;
        self
    }

    /// How many recent failures [`ActorSystem::failures`] keeps (1,024 unless set).
    pub fn failure_journal(mut self, capacity: usize) -> Self {
        self.failure_journal = capacity;
        self
    }

    /// Adds an exporter that receives every event (see [`Sink`]). Sinks are called in the
    /// order they were added, after the [`TracingSink`].
    pub fn sink(mut self, sink: impl Sink) -> Self {
        self.sinks.push(Arc::new(sink));
        self
    }

    /// Whether events are also emitted as `tracing` events by the [`TracingSink`] (on unless
    /// set).
    pub fn tracing_sink(mut self, on: bool) -> Self {
        self.tracing_sink = on;
        self
    }

    /// Builds the system. No runtime is needed until the first spawn.
    ///
    /// # Errors
    ///
    /// [`SystemError`] for an empty name or one containing `/`, and for zero timeouts or
    /// capacity.
    pub fn build(self) -> Result<ActorSystem, SystemError> {
        if !valid_name(&self.name) {
            return Err(SystemError::InvalidName(self.name));
        }
        if self.ask_timeout.is_zero() {
            return Err(SystemError::ZeroAskTimeout);
        }
        if self.shutdown_timeout.is_zero() {
            return Err(SystemError::ZeroShutdownTimeout);
        }
        if self.event_capacity == 0 {
            return Err(SystemError::ZeroEventCapacity);
        }
        if self.event_capacity > MAX_EVENT_CAPACITY {
            return Err(SystemError::EventCapacityTooLarge {
                requested: self.event_capacity,
                max: MAX_EVENT_CAPACITY,
            });
        }
        if self.failure_journal == 0 {
            return Err(SystemError::ZeroFailureJournal);
        }
        let family = Arc::new(Family {
            token: CancellationToken::new(),
            ask_timeout: self.ask_timeout,
            root_path: ActorPath::root(&self.name),
        });
        Ok(ActorSystem {
            inner: Arc::new(SystemInner {
                family,
                name: self.name,
                root_id: ActorId::next(),
                collector: Collector::new(self.event_capacity, self.failure_journal, {
                    let mut sinks = self.sinks;
                    if self.tracing_sink {
                        sinks.insert(0, Arc::new(TracingSink));
                    }
                    sinks
                }),
                tracker: TaskTracker::new(),
                children: DashMap::with_hasher(IdHasher),
                members: DashMap::with_hasher(IdHasher),
                registry: Registry::default(),
                supervisors: DashMap::with_hasher(IdHasher),
                census: Census::default(),
                state: AtomicU8::new(RUNNING),
                stopped: Notify::new(),
                outcome: OnceLock::new(),
                runtime: OnceLock::new(),
                shutdown_timeout: self.shutdown_timeout,
            }),
        })
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('/')
}

/// Spawns one actor on a system with a name and a mailbox capacity; from
/// [`ActorSystem::spawn_builder`].
#[must_use = "a builder does nothing until `spawn` is called"]
pub struct SpawnBuilder<'a, A: Actor> {
    system: &'a ActorSystem,
    actor: A,
    name: Option<String>,
    capacity: usize,
}

impl<A: Actor> SpawnBuilder<'_, A> {
    /// The actor's name: the last segment of its path. Defaults to its type's name and id.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The mailbox capacity (default [`Actor::MAILBOX_CAPACITY`]); at least 1.
    pub fn mailbox(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// Spawns the actor on the current Tokio runtime. It runs `started`, then handles
    /// messages; messages sent before `started` finishes wait in the mailbox.
    ///
    /// # Errors
    ///
    /// [`SpawnError`] for a zero or too large capacity, an invalid name, a system that is shut
    /// down, or no Tokio runtime on this thread.
    pub fn spawn(self) -> Result<ActorRef<A>, SpawnError> {
        self.system
            .spawn_inner(self.actor, self.name, self.capacity)
    }
}

impl<A: Actor> fmt::Debug for SpawnBuilder<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpawnBuilder")
            .field("name", &self.name)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl ActorSystem {
    /// A system with the default settings.
    ///
    /// # Errors
    ///
    /// [`SystemError::InvalidName`] for an empty name or one containing `/`.
    pub fn new(name: impl Into<String>) -> Result<Self, SystemError> {
        Self::builder(name).build()
    }

    /// A builder for a system with custom settings.
    pub fn builder(name: impl Into<String>) -> SystemBuilder {
        SystemBuilder {
            name: name.into(),
            ask_timeout: DEFAULT_ASK_TIMEOUT,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            event_capacity: DEFAULT_EVENT_CAPACITY,
            failure_journal: DEFAULT_FAILURE_JOURNAL,
            sinks: Vec::new(),
            tracing_sink: true,
        }
    }

    /// The system's name: the first segment of every path in it.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The root's path, `/name`.
    pub fn path(&self) -> &ActorPath {
        &self.inner.family.root_path
    }

    /// Subscribes to every lifecycle event emitted from now on.
    ///
    /// # Examples
    ///
    /// ```
    /// use actors_core::{Actor, ActorError, ActorSystem, Context, EventKind};
    ///
    /// struct Fragile;
    ///
    /// impl Actor for Fragile {
    ///     type Msg = ();
    ///
    ///     async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
    ///         Err(ActorError::msg("broken"))
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::new("app")?;
    /// let mut events = system.events();
    /// let fragile = system.spawn_builder(Fragile).name("fragile").spawn()?;
    /// fragile.tell(()).await?;
    /// fragile.wait().await;
    /// let mut failures = Vec::new();
    /// while let Some(event) = events.try_recv()? {
    ///     if let EventKind::Failed(info) = &event.kind {
    ///         failures.push(format!("{}: {}", event.path, info.message()));
    ///     }
    /// }
    /// assert_eq!(failures, ["/app/fragile: broken"]);
    /// # system.shutdown().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn events(&self) -> Events {
        self.inner.collector.subscribe()
    }

    /// The system's named actors.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// The most recent failures, oldest first: every `Failed`, `StartFailed`,
    /// `IntensityExceeded` and `ShutdownTimedOut` event and every abnormal `Stopped`, with
    /// path, id, generation, parent and time, whether or not anyone subscribed to the events.
    /// It keeps the newest [`DEFAULT_FAILURE_JOURNAL`] unless configured
    /// ([`SystemBuilder::failure_journal`]).
    pub fn failures(&self) -> Vec<Event> {
        self.inner.collector.failures()
    }

    /// Spawns an actor with the default name and its type's mailbox capacity
    /// ([`Actor::MAILBOX_CAPACITY`]).
    ///
    /// # Errors
    ///
    /// As [`SpawnBuilder::spawn`].
    pub fn spawn<A: Actor>(&self, actor: A) -> Result<ActorRef<A>, SpawnError> {
        self.spawn_inner(actor, None, A::MAILBOX_CAPACITY)
    }

    /// A builder to spawn an actor with a name or a mailbox capacity.
    pub fn spawn_builder<A: Actor>(&self, actor: A) -> SpawnBuilder<'_, A> {
        SpawnBuilder {
            system: self,
            actor,
            name: None,
            capacity: A::MAILBOX_CAPACITY,
        }
    }

    /// A child of the system's root cancellation token: cancelled when the system shuts down.
    /// Cancelling it does not affect the system.
    pub fn token(&self) -> CancellationToken {
        self.inner.family.token.child_token()
    }

    /// True until a shutdown begins.
    pub fn is_running(&self) -> bool {
        self.inner.state.load(Ordering::Acquire) == RUNNING
    }

    /// The number of live actors spawned directly on the system.
    pub fn actor_count(&self) -> usize {
        self.inner.children.len()
    }

    /// The number of library tasks still alive (one per live actor).
    pub fn task_count(&self) -> usize {
        self.inner.tracker.len()
    }

    /// Shuts the system down gracefully: stops its actors one at a time in reverse spawn order,
    /// each with [`ExitReason::Shutdown`](crate::ExitReason::Shutdown) and under the per-actor
    /// shutdown timeout (5 s unless configured), after which it is aborted and a
    /// [`EventKind::ShutdownTimedOut`] is reported. Returns when no task of the system is left.
    ///
    /// An actor that never yields (a CPU-bound loop) cannot be aborted, and this then waits for
    /// it; [`shutdown_timeout`](Self::shutdown_timeout) bounds the total wait.
    ///
    /// The work runs in a task of its own: dropping this future does not stop the shutdown
    /// half way. Called from inside one of the system's actors, it starts the shutdown and
    /// returns at once (waiting would mean waiting for the caller itself), and the caller is
    /// stopped like the others once its handler returns.
    ///
    /// # Errors
    ///
    /// [`ShutdownError::AlreadyStopped`] if a shutdown had already begun (this call waits for it
    /// to finish first).
    pub async fn shutdown(&self) -> Result<(), ShutdownError> {
        self.shutdown_inner(None).await
    }

    /// As [`shutdown`](Self::shutdown), with one deadline for the whole shutdown. At the
    /// deadline every remaining actor has its token cancelled and is aborted at once (it ends
    /// at its next `.await`), and this returns.
    ///
    /// # Errors
    ///
    /// [`ShutdownError::TimedOut`] naming the actors that had not stopped by the deadline;
    /// [`ShutdownError::AlreadyStopped`] as for `shutdown`.
    pub async fn shutdown_timeout(&self, timeout: Duration) -> Result<(), ShutdownError> {
        let deadline = Instant::now().checked_add(timeout);
        self.shutdown_inner(Some(deadline.unwrap_or_else(far_future)))
            .await
    }

    async fn shutdown_inner(&self, deadline: Option<Instant>) -> Result<(), ShutdownError> {
        let inner = &self.inner;
        // Called from one of this system's own actors? (An actor of another system may wait.)
        let in_actor = scope::current()
            .is_some_and(|id| inner.children.contains_key(&id) || inner.members.contains_key(&id));
        if inner
            .state
            .compare_exchange(RUNNING, STOPPING, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            if !in_actor {
                self.wait_stopped().await;
            }
            return Err(ShutdownError::AlreadyStopped);
        }
        // The work runs in a task of its own, so that dropping this future (a `select!`, a
        // timeout, or a caller that is itself one of the actors being stopped) cannot leave
        // the shutdown half done.
        // It runs on the runtime the actors were spawned on; with none ever spawned there is
        // nothing to stop or time.
        let Some(runtime) = inner.runtime.get() else {
            inner.family.token.cancel();
            inner.tracker.close();
            self.mark_stopped(Ok(()));
            return Ok(());
        };
        let finish = MarkStoppedOnDrop(self.clone());
        drop(runtime.spawn(async move {
            let outcome = finish.0.run_shutdown(deadline).await;
            finish.0.mark_stopped(outcome);
        }));
        if in_actor {
            // Waiting would mean waiting for ourselves: the caller is stopped like the others.
            return Ok(());
        }
        self.wait_stopped().await;
        inner.outcome.get().cloned().unwrap_or(Ok(()))
    }

    fn mark_stopped(&self, outcome: Result<(), ShutdownError>) {
        let _ = self.inner.outcome.set(outcome);
        self.inner.state.store(STOPPED, Ordering::SeqCst);
        self.inner.stopped.notify_waiters();
    }

    async fn run_shutdown(&self, deadline: Option<Instant>) -> Result<(), ShutdownError> {
        let inner = &self.inner;
        let mut timed_out = HashSet::new();
        let completed = self.stop_children(deadline, &mut timed_out).await;
        inner.family.token.cancel();
        inner.tracker.close();
        let Some(deadline) = deadline else {
            inner.tracker.wait().await;
            return Ok(());
        };
        if completed
            && tokio::time::timeout_at(deadline, inner.tracker.wait())
                .await
                .is_ok()
        {
            return Ok(());
        }
        // The deadline passed: cancel and abort everything left at once.
        let mut remaining: Vec<Arc<Shared>> =
            inner.children.iter().map(|e| e.value().clone()).collect();
        remaining.sort_by_key(|s| Reverse(s.id));
        let mut late = Vec::new();
        for child in remaining {
            child
                .control
                .raise(signal::SHUTDOWN_CANCELLED | signal::KILL);
            if timed_out.insert(child.id) {
                self.report_timed_out(&child);
            }
            late.push(child.path().clone());
        }
        if late.is_empty() {
            Ok(())
        } else {
            Err(ShutdownError::TimedOut { actors: late })
        }
    }

    fn report_timed_out(&self, child: &Shared) {
        self.collector()
            .emit(EventKind::ShutdownTimedOut, child, child.generation());
    }

    /// Stops the root's children one by one, newest first, each under its shutdown timeout
    /// (then aborted). Returns false if `deadline` passed first.
    async fn stop_children(
        &self,
        deadline: Option<Instant>,
        timed_out: &mut HashSet<ActorId>,
    ) -> bool {
        let inner = &self.inner;
        loop {
            let mut batch: Vec<Arc<Shared>> =
                inner.children.iter().map(|e| e.value().clone()).collect();
            if batch.is_empty() {
                return true;
            }
            batch.sort_by_key(|s| Reverse(s.id));
            for child in batch {
                child.control.raise(signal::SHUTDOWN_SYSTEM);
                // A supervisor's shutdown is bounded by its children's own specs (as OTP's
                // `infinity` for supervisors); `shutdown_timeout` bounds the whole.
                let own = if child.supervisor {
                    far_future()
                } else {
                    Instant::now()
                        .checked_add(inner.shutdown_timeout)
                        .unwrap_or_else(far_future)
                };
                let child_deadline = deadline.map_or(own, |d| d.min(own));
                if tokio::time::timeout_at(child_deadline, child.wait())
                    .await
                    .is_ok()
                {
                    continue;
                }
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return false;
                }
                timed_out.insert(child.id);
                self.report_timed_out(&child);
                child.control.raise(signal::KILL);
                match deadline {
                    None => {
                        child.wait().await;
                    }
                    Some(d) => {
                        if tokio::time::timeout_at(d, child.wait()).await.is_err() {
                            return false;
                        }
                    }
                }
            }
        }
    }

    async fn wait_stopped(&self) {
        loop {
            let notified = self.inner.stopped.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if self.inner.state.load(Ordering::SeqCst) == STOPPED {
                return;
            }
            notified.await;
        }
    }

    fn spawn_inner<A: Actor>(
        &self,
        actor: A,
        name: Option<String>,
        capacity: usize,
    ) -> Result<ActorRef<A>, SpawnError> {
        let capacity = mailbox::validate_capacity(capacity)?;
        let name = match name {
            Some(name) => Name::Given(self.root_child_path(&name)?),
            None => Name::Numbered(short_type_name::<A>),
        };
        let (tx, rx) = chan::channel(capacity);
        let (shared, runtime) = self.register_root_child(|id, family| {
            Shared::new(id, name, Some(self.inner.root_id), family)
        })?;
        let actor_ref = ActorRef { tx, shared };
        let cell = Cell::new(rx, actor_ref.clone(), self.clone(), None);
        self.inner.tracker.spawn_on(cell.run(Some(actor)), &runtime);
        Ok(actor_ref)
    }

    fn root_child_path(&self, name: &str) -> Result<ActorPath, SpawnError> {
        if valid_name(name) {
            Ok(self.inner.family.root_path.child(name))
        } else {
            Err(SpawnError::InvalidName(name.to_owned()))
        }
    }

    /// Builds and registers a child of the root, or fails if the system is shut down or no
    /// runtime is running here.
    fn register_root_child(
        &self,
        build: impl FnOnce(ActorId, Arc<Family>) -> Shared,
    ) -> Result<(Arc<Shared>, tokio::runtime::Handle), SpawnError> {
        if !self.is_running() {
            return Err(SpawnError::SystemStopped);
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| SpawnError::NoRuntime)?;
        self.inner.runtime.get_or_init(|| runtime.clone());
        let inner = &self.inner;
        let id = ActorId::next();
        let mut shared = build(id, inner.family.clone());
        shared.current_thread = is_current_thread(&runtime);
        let shared = Arc::new(shared);
        // Registered before the check, so a shutdown that begins concurrently either makes
        // this spawn fail or sees the child.
        inner.children.insert(id, shared.clone());
        if !self.is_running() {
            // A shutdown that already listed this child waits for its exit: give it one.
            shared.set_exit(ExitReason::Shutdown(ShutdownCause::System));
            inner.children.remove(&id);
            return Err(SpawnError::SystemStopped);
        }
        Ok((shared, runtime))
    }

    /// Starts a supervisor as a child of the root (so its exit is final) and waits until
    /// all its children have run `started`.
    ///
    /// # Errors
    ///
    /// [`StartError::InvalidSpec`] before anything starts; [`StartError::ChildFailed`]
    /// naming the child that failed to start (those started before it were stopped in
    /// reverse order); [`StartError::Spawn`] for an invalid name, a shut down system or no
    /// runtime; [`StartError::Stopped`] if the supervisor was stopped while starting.
    pub async fn start_supervisor(
        &self,
        name: impl Into<String>,
        supervisor: Supervisor,
    ) -> Result<SupervisorRef, StartError> {
        supervisor.validate()?;
        let path = self.root_child_path(&name.into())?;
        let (shared, runtime) = self.register_root_child(|id, family| {
            let mut shared = Shared::new(id, Name::Given(path), Some(self.inner.root_id), family);
            shared.supervisor = true;
            shared
        })?;
        let (sup, started) = supervisor::spawn_root(supervisor, shared, self, &runtime);
        match started.await {
            Ok(outcome) => outcome.map(|()| sup),
            Err(_) => Err(StartError::Stopped(sup.wait().await)),
        }
    }

    /// Spawns a worker as the child of a supervisor.
    pub(crate) fn spawn_supervised<A: Actor>(
        &self,
        place: Placement<'_>,
        factory: Arc<dyn Fn() -> A + Send + Sync>,
    ) -> Result<ActorRef<A>, SpawnError> {
        let capacity = mailbox::validate_capacity(place.capacity)?;
        let runtime = self.check_spawn()?;
        let (tx, rx) = chan::channel(capacity);
        let mut shared = Shared::new(
            ActorId::next(),
            Name::Given(place.path),
            Some(place.parent),
            place.family,
        );
        shared.current_thread = is_current_thread(&runtime);
        let shared = Arc::new(shared);
        self.add_member(&shared);
        let actor_ref = ActorRef { tx, shared };
        let supervised = Supervised {
            factory,
            reports: place.reports,
            budget: place.budget,
        };
        let cell = Cell::new(rx, actor_ref.clone(), self.clone(), Some(supervised));
        self.spawn_task(cell.run(None), None);
        Ok(actor_ref)
    }

    /// Whether a supervisor may spawn a child now: the system's tasks are still tracked and a
    /// runtime (returned) runs here.
    pub(crate) fn check_spawn(&self) -> Result<tokio::runtime::Handle, SpawnError> {
        if self.inner.tracker.is_closed() {
            return Err(SpawnError::SystemStopped);
        }
        tokio::runtime::Handle::try_current().map_err(|_| SpawnError::NoRuntime)
    }

    /// Spawns one of the library's tasks, tracked, on `runtime` or the current one.
    pub(crate) fn spawn_task<F>(&self, task: F, runtime: Option<&tokio::runtime::Handle>)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        match runtime {
            Some(runtime) => drop(self.inner.tracker.spawn_on(task, runtime)),
            None => drop(self.inner.tracker.spawn(task)),
        }
    }

    /// Makes a supervisor's table readable by a census, until its final exit.
    pub(crate) fn add_supervisor(&self, sup: &SupervisorRef) {
        self.inner.supervisors.insert(sup.id(), sup.clone());
    }

    /// The published children of a live supervisor (none once it is gone).
    pub(crate) fn supervisor_table(&self, id: ActorId) -> Vec<ChildRef> {
        let sup = self.inner.supervisors.get(&id).map(|s| s.value().clone());
        sup.map(|s| s.which_children()).unwrap_or_default()
    }

    /// The root's children, in spawn order.
    pub(crate) fn root_children(&self) -> Vec<Arc<Shared>> {
        let mut children: Vec<Arc<Shared>> = self
            .inner
            .children
            .iter()
            .map(|e| e.value().clone())
            .collect();
        children.sort_by_key(|s| s.id);
        children
    }

    pub(crate) fn root_id(&self) -> ActorId {
        self.inner.root_id
    }

    pub(crate) fn census(&self) -> &Census {
        &self.inner.census
    }

    /// Runs `f` on tokio's blocking pool, tracked with the system's tasks.
    pub(crate) fn spawn_blocking_task<F, R>(&self, f: F) -> tokio::task::JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.tracker.spawn_blocking(f)
    }

    pub(crate) fn add_member(&self, shared: &Shared) {
        self.inner.members.insert(shared.id, ());
    }

    pub(crate) fn ask_timeout(&self) -> Duration {
        self.inner.family.ask_timeout
    }

    pub(crate) fn collector(&self) -> &Collector {
        &self.inner.collector
    }

    /// Forgets an actor at its final exit.
    pub(crate) fn remove_actor(&self, shared: &Shared) {
        if shared.registered.load(Ordering::Acquire) {
            self.inner.registry.forget(shared);
        }
        if shared.supervisor {
            self.inner.supervisors.remove(&shared.id);
        }
        if shared.parent == Some(self.inner.root_id) {
            self.inner.children.remove(&shared.id);
        } else {
            self.inner.members.remove(&shared.id);
        }
    }
}

/// Marks the system stopped even if the shutdown task is dropped before it finishes (its
/// runtime shut down), so no later `shutdown()` waits forever.
struct MarkStoppedOnDrop(ActorSystem);

impl Drop for MarkStoppedOnDrop {
    fn drop(&mut self) {
        if self.0.inner.state.load(Ordering::SeqCst) != STOPPED {
            self.0.mark_stopped(Ok(()));
        }
    }
}

/// Hashes actor ids for the children map. Ids are unique and sequential, so one multiply by an
/// odd constant (Fibonacci hashing) spreads them well; SipHash would cost more than the rest of
/// the map operation.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdHasher;

#[derive(Debug, Default)]
pub(crate) struct IdHash(u64);

impl std::hash::BuildHasher for IdHasher {
    type Hasher = IdHash;

    fn build_hasher(&self) -> IdHash {
        IdHash(0)
    }
}

impl std::hash::Hasher for IdHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub(crate) fn far_future() -> Instant {
    // About 30 years, as tokio's own `far_future`.
    Instant::now() + Duration::from_secs(86400 * 365 * 30)
}

/// True for a current-thread runtime, where an actor and its askers take turns on one thread.
fn is_current_thread(runtime: &tokio::runtime::Handle) -> bool {
    runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread
}

/// `my_crate::module::Worker<T>` → `Worker`, with byte scans only (this runs per spawn).
fn short_type_name<A>() -> &'static str {
    let full = std::any::type_name::<A>();
    let base = full.find('<').map_or(full, |end| &full[..end]);
    base.rfind(':').map_or(base, |colon| &base[colon + 1..])
}

impl fmt::Debug for ActorSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorSystem")
            .field("name", &self.inner.name)
            .field("actors", &self.inner.children.len())
            .field("running", &self.is_running())
            .finish()
    }
}
