//! [`Supervisor`] (the blueprint) and the task that runs one: starts its children in order,
//! decides their restarts, counts intensity, escalates, and stops them in reverse order.
//!
//! A supervisor is not an [`Actor`](crate::Actor): it has no mailbox. Its inputs are its
//! own control lane and one inbox of its children's reports and its admin calls (see
//! [`link`](super::link)), and it runs them one at a time, so every decision sees a settled
//! tree.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::backoff::BackoffState;
use super::child_ref::{ChildCounts, ChildRef, ChildState};
use super::intensity::{Budget, DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW};
use super::link::{self, Decision, Inbox, Report, ReportKind, Reports};
use super::spec::ChildKind;
use super::spec::{ChildSpec, Placement, Restart, Shutdown};
use super::strategy::{AutoShutdown, Strategy};
use crate::cell::{Family, Name, Shared};
use crate::events::EventKind;
use crate::mailbox::chan;
use crate::mailbox::{Signals, signal};
use crate::system::{IdHasher, far_future};
use crate::{
    ActorId, ActorPath, ActorSystem, AdminError, ExitReason, FailureInfo, ShutdownCause,
    SpawnError, SpecError, StartError,
};

/// The blueprint of a supervisor: its strategy, its restart intensity and its children in
/// start order. Start one on a system with
/// [`ActorSystem::start_supervisor`](crate::ActorSystem::start_supervisor), or nest it in
/// another with [`ChildSpec::supervisor`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use actors_core::{Actor, ActorError, ActorSystem, ChildSpec, Context, Strategy, Supervisor};
///
/// struct Worker;
///
/// impl Actor for Worker {
///     type Msg = ();
///
///     async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
///         Err(ActorError::msg("this job always fails"))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::new("app")?;
/// let blueprint = Supervisor::new(Strategy::OneForOne)
///     .intensity(5, Duration::from_secs(10))
///     .child(ChildSpec::worker("worker", || Worker));
/// let sup = system.start_supervisor("workers", blueprint).await?;
///
/// let worker = sup.child("worker").and_then(|c| c.downcast::<Worker>()).unwrap();
/// worker.tell(()).await?; // fails the instance; the supervisor starts a new one
/// while worker.generation() < 2 {
///     tokio::task::yield_now().await;
/// }
/// assert!(worker.is_alive()); // the same actor, a new instance
/// system.shutdown().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Supervisor {
    strategy: Strategy,
    max_restarts: u32,
    within: Duration,
    children: Vec<ChildSpec>,
    /// Set by `DynamicSupervisor`: a cap on children with an actor, and a shutdown that stops
    /// them all at once under their own deadlines.
    pub(crate) max_children: Option<usize>,
    pub(crate) dynamic: bool,
    auto_shutdown: AutoShutdown,
}

impl Supervisor {
    /// A supervisor with this strategy, the default intensity (3 restarts within 5 s) and no
    /// children yet.
    pub fn new(strategy: Strategy) -> Self {
        Self {
            strategy,
            max_restarts: DEFAULT_MAX_RESTARTS,
            within: DEFAULT_RESTART_WINDOW,
            children: Vec::new(),
            max_children: None,
            dynamic: false,
            auto_shutdown: AutoShutdown::Never,
        }
    }

    /// When the supervisor shuts itself down because its significant children ended (see
    /// [`ChildSpec::significant`]); `Never` unless set.
    pub fn auto_shutdown(mut self, auto_shutdown: AutoShutdown) -> Self {
        self.auto_shutdown = auto_shutdown;
        self
    }

    /// A child spec's fit with this supervisor (beyond its own validity).
    fn admits(&self, spec: &ChildSpec) -> Result<(), SpecError> {
        if spec.significant && self.auto_shutdown == AutoShutdown::Never {
            return Err(SpecError::SignificantWithoutAutoShutdown {
                child: spec.id.to_string(),
            });
        }
        Ok(())
    }

    /// At most `max_restarts` restarts within any window of `within` (on tokio's clock); one
    /// more and the supervisor stops its children and exits with
    /// [`ShutdownCause::IntensityExceeded`]. `max_restarts = 0` escalates the first failure.
    pub fn intensity(mut self, max_restarts: u32, within: Duration) -> Self {
        self.max_restarts = max_restarts;
        self.within = within;
        self
    }

    /// Appends a child: children start in the order they were added and stop in reverse.
    pub fn child(mut self, spec: ChildSpec) -> Self {
        self.children.push(spec);
        self
    }

    /// Appends several children, in order.
    pub fn children(mut self, specs: impl IntoIterator<Item = ChildSpec>) -> Self {
        self.children.extend(specs);
        self
    }

    /// The restart strategy.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The children's specs, in start order.
    pub fn specs(&self) -> &[ChildSpec] {
        &self.children
    }

    /// Checks the blueprint and every child spec in its subtree. Starting does this first, so
    /// nothing starts from an invalid blueprint.
    ///
    /// # Errors
    ///
    /// [`SpecError::ZeroPeriod`] for a zero `within`, [`SpecError::DuplicateChildId`], and
    /// whatever [`ChildSpec::validate`] finds.
    pub fn validate(&self) -> Result<(), SpecError> {
        if self.within.is_zero() {
            return Err(SpecError::ZeroPeriod);
        }
        if self.max_children == Some(0) {
            return Err(SpecError::ZeroMaxChildren);
        }
        let mut seen = std::collections::HashSet::with_capacity(self.children.len());
        for spec in &self.children {
            spec.validate()?;
            self.admits(spec)?;
            if !seen.insert(&*spec.id) {
                return Err(SpecError::DuplicateChildId(spec.id.to_string()));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Supervisor")
            .field("strategy", &self.strategy)
            .field("max_restarts", &self.max_restarts)
            .field("within", &self.within)
            .field("auto_shutdown", &self.auto_shutdown)
            .field("children", &self.children)
            .finish()
    }
}

/// A handle to a running supervisor. Cloning is cheap.
#[derive(Clone)]
pub struct SupervisorRef {
    inner: Arc<SupShared>,
}

struct SupShared {
    shared: Arc<Shared>,
    /// The children, slot by slot in start order, as last published by the supervisor's
    /// task (`None` for a deleted spec's tombstone). Read without the task's help, so that
    /// `which_children` and `count_children` never wait.
    table: Mutex<Vec<Option<ChildRef>>>,
    /// The task's inbox, for calls that change the tree (taken before queued reports).
    admin: Reports,
}

/// An admin call for the supervisor's task.
pub(crate) enum Admin {
    Start(ChildSpec, oneshot::Sender<Result<ChildRef, AdminError>>),
    Terminate(String, oneshot::Sender<Result<(), AdminError>>),
    Restart(String, oneshot::Sender<Result<ChildRef, AdminError>>),
    Delete(String, oneshot::Sender<Result<(), AdminError>>),
}

impl SupervisorRef {
    /// The supervisor's id.
    pub fn id(&self) -> ActorId {
        self.inner.shared.id
    }

    /// The supervisor's path; its children's paths extend it with their ids.
    pub fn path(&self) -> &ActorPath {
        self.inner.shared.path()
    }

    /// The generation of the running instance: incremented each time its parent restarts
    /// it (each instance starts new children).
    pub fn generation(&self) -> u64 {
        self.inner.shared.generation()
    }

    /// True until the supervisor's final exit.
    pub fn is_alive(&self) -> bool {
        self.inner.shared.exit_reason().is_none()
    }

    /// The final exit reason, once it exited.
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.inner.shared.exit_reason().cloned()
    }

    /// Waits for the final exit, which comes after every child's.
    pub async fn wait(&self) -> ExitReason {
        self.inner.shared.wait().await
    }

    /// Stops the supervisor gracefully: its children stop in reverse start order, each
    /// under its `Shutdown` spec, then it exits [`ExitReason::Normal`] (and its parent, if
    /// any, applies its restart type).
    pub fn stop(&self) {
        self.inner.shared.control.raise(signal::STOP);
    }

    /// Kills the supervisor: every child is killed at once, and it exits
    /// [`ExitReason::Killed`] once they all have.
    pub fn kill(&self) {
        self.inner.shared.control.raise(signal::KILL);
    }

    /// The emergency path: cancels the supervisor's token, and with it every token in its
    /// subtree, at once; every child is asked to stop without waiting for its siblings, and
    /// the supervisor exits [`ShutdownCause::Cancelled`] once they all have. Children that
    /// ignore the request are not aborted: [`kill`](Self::kill) does that.
    pub fn cancel(&self) {
        self.inner.shared.control.raise(signal::SHUTDOWN_CANCELLED);
    }

    /// Every child spec in start order with its state: running, restarting (its actor waits
    /// for a new instance) or stopped (a spec without an actor). Read from what the supervisor
    /// last published: never waits behind it.
    pub fn which_children(&self) -> Vec<ChildRef> {
        self.table().iter().flatten().cloned().collect()
    }

    /// The children that have an actor (running or restarting), in start order.
    pub fn children(&self) -> Vec<ChildRef> {
        let table = self.table();
        let with_actor = table.iter().flatten().filter(|c| c.actor.is_some());
        with_actor.cloned().collect()
    }

    /// The child with this id, whatever its state.
    pub fn child(&self, id: &str) -> Option<ChildRef> {
        self.table()
            .iter()
            .flatten()
            .find(|c| &*c.id == id)
            .cloned()
    }

    /// Counts the child specs by kind, and the active (running) children. Never waits.
    pub fn count_children(&self) -> ChildCounts {
        let mut counts = ChildCounts::default();
        for child in self.table().iter().flatten() {
            counts.specs += 1;
            counts.active += usize::from(child.state == ChildState::Running);
            match child.kind {
                ChildKind::Worker => counts.workers += 1,
                ChildKind::Supervisor => counts.supervisors += 1,
            }
        }
        counts
    }

    /// Adds a child, last in start order, and starts it; returns once it ran `started`.
    ///
    /// # Errors
    ///
    /// [`AdminError::InvalidSpec`]; [`AdminError::AlreadyStarted`] or
    /// [`AdminError::AlreadyPresent`] when the id is taken; [`AdminError::StartFailed`] (the
    /// spec is discarded); [`AdminError::SupervisorStopped`].
    pub async fn start_child(&self, spec: ChildSpec) -> Result<ChildRef, AdminError> {
        spec.validate()?;
        self.call(|reply| Admin::Start(spec, reply)).await
    }

    /// Stops a child for good under its `Shutdown` spec. Its spec is kept (stopped), unless
    /// it is Temporary. Terminating a stopped child succeeds and does nothing. A child the
    /// supervisor keeps failing to restart stops being retried.
    ///
    /// # Errors
    ///
    /// [`AdminError::NotFound`]; [`AdminError::SupervisorStopped`].
    pub async fn terminate_child(&self, id: &str) -> Result<(), AdminError> {
        self.call(|reply| Admin::Terminate(id.to_owned(), reply))
            .await
    }

    /// Starts a new actor (new id, new mailbox) for a stopped child's spec.
    ///
    /// # Errors
    ///
    /// [`AdminError::NotFound`], [`AdminError::Running`], [`AdminError::Restarting`],
    /// [`AdminError::StartFailed`] (the spec is kept), [`AdminError::SupervisorStopped`].
    pub async fn restart_child(&self, id: &str) -> Result<ChildRef, AdminError> {
        self.call(|reply| Admin::Restart(id.to_owned(), reply))
            .await
    }

    /// Removes a stopped child's spec.
    ///
    /// # Errors
    ///
    /// [`AdminError::NotFound`], [`AdminError::Running`], [`AdminError::Restarting`],
    /// [`AdminError::SupervisorStopped`].
    pub async fn delete_child(&self, id: &str) -> Result<(), AdminError> {
        self.call(|reply| Admin::Delete(id.to_owned(), reply)).await
    }

    async fn call<T>(
        &self,
        request: impl FnOnce(oneshot::Sender<Result<T, AdminError>>) -> Admin,
    ) -> Result<T, AdminError> {
        let (reply, answer) = oneshot::channel();
        self.inner
            .admin
            .try_send(Inbox::Admin(request(reply)))
            .map_err(|_| AdminError::SupervisorStopped)?;
        answer.await.unwrap_or(Err(AdminError::SupervisorStopped))
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.inner.shared
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Vec<Option<ChildRef>>> {
        self.inner
            .table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for SupervisorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisorRef")
            .field("id", &self.id())
            .field("path", self.path())
            .finish()
    }
}

/// Where a supervisor reports to.
enum Uplink {
    /// A child of the system's root: its exits are final; `start_supervisor` waits for the
    /// outcome of its first start.
    Root(Option<oneshot::Sender<Result<(), StartError>>>),
    /// A child of another supervisor.
    Parent(Reports),
}

/// Spawns a supervisor as a child of the system's root; `shared` is already registered
/// there. The receiver yields the outcome of its start.
pub(crate) fn spawn_root(
    blueprint: Supervisor,
    shared: Arc<Shared>,
    system: &ActorSystem,
    runtime: &tokio::runtime::Handle,
) -> (SupervisorRef, oneshot::Receiver<Result<(), StartError>>) {
    let (tx, rx) = oneshot::channel();
    let sup = spawn_task(
        blueprint,
        shared,
        system,
        Uplink::Root(Some(tx)),
        Some(runtime),
    );
    (sup, rx)
}

/// Spawns a supervisor as the child of another.
pub(crate) fn spawn_child(
    blueprint: Supervisor,
    place: Placement<'_>,
) -> Result<SupervisorRef, SpawnError> {
    let mut shared = Shared::new(
        ActorId::next(),
        Name::Given(place.path),
        Some(place.parent),
        place.family,
    );
    shared.supervisor = true;
    let shared = Arc::new(shared);
    place.system.check_spawn()?;
    place.system.add_member(&shared);
    Ok(spawn_task(
        blueprint,
        shared,
        place.system,
        Uplink::Parent(place.reports),
        None,
    ))
}

fn spawn_task(
    blueprint: Supervisor,
    shared: Arc<Shared>,
    system: &ActorSystem,
    uplink: Uplink,
    runtime: Option<&tokio::runtime::Handle>,
) -> SupervisorRef {
    let (tx, rx) = link::inbox();
    let me = Arc::new(SupShared {
        shared,
        table: Mutex::new(Vec::new()),
        admin: tx.clone(),
    });
    let task = SupTask {
        budget: Arc::new(Budget::new(blueprint.max_restarts, blueprint.within)),
        gate_open: true,
        me: me.clone(),
        blueprint,
        system: system.clone(),
        uplink,
        tx,
        rx,
        deferred: VecDeque::new(),
        slots: Vec::new(),
        by_actor: HashMap::with_hasher(IdHasher),
        by_spec: HashMap::new(),
        pending: VecDeque::new(),
        family: Arc::new(Family {
            token: CancellationToken::new(),
            ask_timeout: system.ask_timeout(),
            root_path: system.path().clone(),
        }),
        handled: 0,
        stalled: false,
        scheduled: Vec::new(),
        tombstones: 0,
        finished: false,
    };
    let sup = SupervisorRef { inner: me };
    system.add_supervisor(&sup);
    system.spawn_task(task.run(), runtime);
    sup
}

/// Signals that end a supervisor's instance.
const TERMINATING: Signals = signal::STOP | signal::KILL | signal::DRAIN | signal::SHUTDOWN;
/// Signals that cut short an ordered shutdown under way.
const URGENT: Signals = signal::KILL | signal::SHUTDOWN_CANCELLED;

struct SupTask {
    me: Arc<SupShared>,
    blueprint: Supervisor,
    system: ActorSystem,
    uplink: Uplink,
    tx: Reports,
    rx: chan::Receiver<Inbox>,
    /// Admin calls received while the task was busy, for the main loop.
    deferred: VecDeque<Admin>,
    /// The children in start order.
    slots: Vec<Slot>,
    /// The slot of each child actor, and of each spec id: a report or a group lookup costs
    /// the same with 100,000 children as with 3.
    by_actor: HashMap<ActorId, usize, IdHasher>,
    by_spec: HashMap<Arc<str>, usize>,
    /// Instance ends reported while the supervisor was busy, in arrival order.
    pending: VecDeque<Report>,
    /// The intensity window, shared with the workers that may restart themselves.
    budget: Arc<Budget>,
    /// Whether `budget`'s gate is open (a copy, so that the main loop locks only to change it).
    gate_open: bool,
    /// What the running instance's children share; its token is the instance's, the parent
    /// of theirs.
    family: Arc<Family>,
    /// Own signals already acted upon.
    handled: Signals,
    /// A group restart stopped half way (a member failed to start): members may be down
    /// with no report left to handle for them.
    stalled: bool,
    /// Slots that are tombstones; compacted away between decisions once they are many.
    tombstones: usize,
    /// Restarts waiting out a backoff, in no order (there are few).
    scheduled: Vec<Scheduled>,
    finished: bool,
}

struct Slot {
    spec: ChildSpec,
    child: Option<Child>,
    /// A Temporary child's slot after its exit: kept as a tombstone, so that indices stay
    /// valid for the maps below.
    removed: bool,
    /// Its backoff's count and random source, once it first failed (with a backoff spec).
    backoff: Option<BackoffState>,
}

/// A restart waiting out a backoff.
struct Scheduled {
    at: Instant,
    /// The failed child (its current instance must still be down when the time comes).
    id: ActorId,
    generation: u64,
    /// For a group restart: the group's specs, stopped already, to start in order.
    group: Option<Vec<Arc<str>>>,
    /// The children whose `RestartScheduled` was reported, with its delay, when they failed
    /// (the failed child, and those of older group restarts folded into this one): the
    /// others are announced when the group starts.
    announced: Vec<ActorId>,
}

struct Child {
    shared: Arc<Shared>,
    handle: Arc<dyn Any + Send + Sync>,
    /// The generation of its current (or last) instance.
    generation: u64,
    state: State,
    /// Its mailbox was drained and is closed for good: it is never restarted.
    drained: bool,
    /// Its last instance ended before finishing `started`: it is in a retry loop.
    retrying: bool,
}

impl Child {
    /// Running as `which_children` reports it: up, or starting for the first time (a
    /// restarting child is not running).
    fn running(&self) -> bool {
        self.state == State::Up || (self.state == State::Starting && self.generation == 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Told to start an instance; `started` has not finished.
    Starting,
    Up,
    /// Its instance ended; it waits for this supervisor's decision.
    Down,
}

enum Input {
    Report(Report),
    Admin(Admin),
    Signal(Signals),
    Deadline,
    /// The awaited child made its final exit.
    Exited(ExitReason),
}

/// What `wait_child` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    /// `started` finished (or the instance ended first). Only a child asked to report its
    /// start is waited for: a new one, a group member, or one with a start timeout.
    Started,
    /// The instance ended.
    Ended,
    /// The final exit.
    Exited,
}

enum Waited {
    Started,
    Ended(ExitReason),
    Deadline,
    Signal(Signals),
}

/// Why the start of all children did not complete.
enum StartAbort {
    Failed {
        child: String,
        path: ActorPath,
        reason: ExitReason,
    },
    /// A signal ended the instance first; this is its exit reason.
    Signalled(ExitReason),
}

impl SupTask {
    fn shared(&self) -> &Shared {
        &self.me.shared
    }

    async fn run(mut self) {
        let mut generation = 0;
        let reason = loop {
            generation += 1;
            self.shared().set_generation(generation);
            self.family = Arc::new(Family {
                token: self.shared().family.token.child_token(),
                ask_timeout: self.system.ask_timeout(),
                root_path: self.system.path().clone(),
            });
            self.handled = 0;
            self.budget.reset();
            self.gate_open = true;
            self.pending.clear();
            self.scheduled.clear();
            self.slots = self
                .blueprint
                .children
                .iter()
                .map(|spec| Slot {
                    spec: spec.clone(),
                    child: None,
                    removed: false,
                    backoff: None,
                })
                .collect();
            self.by_actor.clear();
            self.by_spec = (self.slots.iter().enumerate())
                .map(|(i, slot)| (slot.spec.id.clone(), i))
                .collect();
            self.me
                .table
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
            self.tombstones = 0;
            for i in 0..self.slots.len() {
                // Every spec is listed from the start, stopped until it is started.
                self.publish(i);
            }

            let mut began = false;
            let reason = match self.start_all(generation).await {
                Ok(()) => {
                    began = true;
                    self.on_started(generation);
                    self.supervise().await
                }
                Err(StartAbort::Signalled(reason)) => reason,
                Err(StartAbort::Failed {
                    child,
                    path,
                    reason,
                }) => {
                    let info = FailureInfo::supervision(
                        format!("child `{child}` failed to start"),
                        vec![reason.to_string()],
                        self.shared().path(),
                        self.shared().id,
                        generation,
                    );
                    self.emit(EventKind::Failed(info.clone()), generation);
                    if let Uplink::Root(tx) = &mut self.uplink {
                        if let Some(tx) = tx.take() {
                            let _ = tx.send(Err(StartError::ChildFailed {
                                child,
                                path,
                                reason,
                            }));
                        }
                    }
                    ExitReason::Failed(info)
                }
            };
            self.family.token.cancel();
            self.shared().control.end_instance();
            self.slots.clear();
            self.by_actor.clear();
            self.by_spec.clear();
            self.me
                .table
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();

            let reports = match &mut self.uplink {
                Uplink::Root(tx) => {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(Err(StartError::Stopped(reason.clone())));
                    }
                    break reason;
                }
                Uplink::Parent(reports) => reports,
            };
            if self.me.shared.control.peek() & signal::FINAL == 0 {
                let _ = reports.try_send(Inbox::Report(Report {
                    id: self.me.shared.id,
                    generation,
                    kind: ReportKind::Ended {
                        reason: reason.clone(),
                        began,
                        drained: false,
                    },
                }));
            }
            // A census never asks a supervisor (it reads the published table).
            match link::decision(&self.me.shared.control, false).await {
                Decision::Census | Decision::Final => break reason,
                // A supervisor always reports its start: its parent may be waiting for it.
                Decision::Restart => drop(self.shared().control.restarting()),
            }
        };
        self.complete(reason);
    }

    fn on_started(&mut self, generation: u64) {
        if generation == 1 {
            self.emit(EventKind::Started, generation);
        } else {
            self.emit(EventKind::Restarted(generation), generation);
        }
        match &mut self.uplink {
            Uplink::Root(tx) => {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(Ok(()));
                }
            }
            Uplink::Parent(reports) => {
                let _ = reports.try_send(Inbox::Report(Report {
                    id: self.me.shared.id,
                    generation,
                    kind: ReportKind::Started,
                }));
            }
        }
    }

    /// Starts the children one by one in spec order, each after the previous finished
    /// `started`. On a failure, stops those already started in reverse order.
    async fn start_all(&mut self, generation: u64) -> Result<(), StartAbort> {
        for i in 0..self.slots.len() {
            match self.start_new(i, generation).await {
                Ok(()) => {}
                Err(Waited::Ended(reason)) => {
                    let spec = self.slots[i].spec.id.to_string();
                    let path = self.shared().path().child(&spec);
                    self.finish(i).await;
                    return Err(self.abort_start(spec, path, reason).await);
                }
                Err(Waited::Signal(bits)) => {
                    return Err(StartAbort::Signalled(self.on_signal(bits).await));
                }
                Err(Waited::Started | Waited::Deadline) => unreachable!("not an error"),
            }
        }
        Ok(())
    }

    /// Spawns a new actor for slot `i` and waits until it finished `started`. A failure is
    /// reported (`StartFailed`) and returned as `Ended`, with the child left down (or absent if
    /// it could not even be spawned).
    async fn start_new(&mut self, i: usize, generation: u64) -> Result<(), Waited> {
        let spec = self.slots[i].spec.clone();
        let place = Placement {
            system: &self.system,
            path: self.shared().path().child(&spec.id),
            parent: self.shared().id,
            family: self.family.clone(),
            reports: self.tx.clone(),
            capacity: spec.capacity,
            // A restart of this child alone, now, with nothing to wait for: the child may
            // apply it itself.
            budget: (self.blueprint.strategy == Strategy::OneForOne
                && spec.restart != Restart::Temporary
                && spec.backoff.is_none()
                && spec.start_timeout.is_none())
            .then(|| self.budget.clone()),
        };
        let spawned = match spec.starter.spawn(place) {
            Ok(spawned) => spawned,
            Err(err) => {
                let info = FailureInfo::supervision(
                    format!("could not spawn child `{}`: {err}", spec.id),
                    Vec::new(),
                    self.shared().path(),
                    self.shared().id,
                    generation,
                );
                return Err(Waited::Ended(ExitReason::Failed(info)));
            }
        };
        let id = spawned.shared.id;
        self.slots[i].child = Some(Child {
            shared: spawned.shared,
            handle: spawned.handle,
            generation: 1,
            state: State::Starting,
            drained: false,
            retrying: false,
        });
        self.by_actor.insert(id, i);
        self.publish(i);
        match self.wait_started(i, id).await {
            Waited::Started => Ok(()),
            Waited::Ended(reason) => {
                self.emit_for(i, EventKind::StartFailed(reason.clone()));
                Err(Waited::Ended(reason))
            }
            other => Err(other),
        }
    }

    async fn abort_start(
        &mut self,
        child: String,
        path: ActorPath,
        reason: ExitReason,
    ) -> StartAbort {
        match self.terminate_all(signal::SHUTDOWN_SUPERVISOR).await {
            Some(exit) => StartAbort::Signalled(exit),
            None => StartAbort::Failed {
                child,
                path,
                reason,
            },
        }
    }

    /// The running instance: one input at a time, signals first.
    async fn supervise(&mut self) -> ExitReason {
        loop {
            self.compact();
            // Between decisions no child is being stopped: workers may restart themselves.
            self.set_gate(true);
            let raised = self.shared().control.peek() & TERMINATING & !self.handled;
            let input = if raised != 0 {
                Input::Signal(raised)
            } else if let Some(call) = self.next_admin() {
                // Before queued reports: a child failing to restart over and over must not
                // keep `terminate_child` waiting.
                Input::Admin(call)
            } else if let Some(report) = self.pending.pop_front() {
                Input::Report(report)
            } else if self.stalled {
                self.stalled = false;
                self.resume_stalled().await;
                continue;
            } else {
                let next = self.scheduled.iter().map(|s| s.at).min();
                self.next_input(TERMINATING, next, None).await
            };
            let report = match input {
                Input::Signal(bits) => return self.on_signal(bits).await,
                Input::Report(report) => report,
                Input::Admin(call) => {
                    self.on_admin(call).await;
                    continue;
                }
                Input::Deadline => {
                    self.fire_scheduled().await;
                    continue;
                }
                Input::Exited(_) => unreachable!("not waited for"),
            };
            let Some(i) = self.note(&report) else {
                continue;
            };
            if let ReportKind::Ended {
                reason,
                began,
                drained,
            } = report.kind
            {
                if self.slots[i].child.as_ref().map(|c| c.state) == Some(State::Down) {
                    if !began {
                        self.emit_for(i, EventKind::StartFailed(reason.clone()));
                    }
                    if let Some(exit) = self.on_child_ended(i, reason, drained).await {
                        return exit;
                    }
                }
            }
        }
    }

    /// Carries out one admin call and answers it.
    async fn on_admin(&mut self, call: Admin) {
        match call {
            Admin::Start(spec, reply) => {
                let outcome = self.start_child(spec).await;
                let _ = reply.send(outcome);
            }
            Admin::Terminate(id, reply) => {
                // A terminated child stays terminated: no pending group restart brings it
                // back.
                for entry in &mut self.scheduled {
                    if let Some(group) = &mut entry.group {
                        group.retain(|member| **member != *id);
                    }
                }
                let outcome = match self.spec_position(&id) {
                    None => Err(AdminError::NotFound(id)),
                    // An urgent signal that cut the wait short ends the supervisor next.
                    Some(i) => match self.terminate(i, signal::SHUTDOWN_SUPERVISOR, true).await {
                        Ok(()) => Ok(()),
                        Err(_) => Err(AdminError::SupervisorStopped),
                    },
                };
                let _ = reply.send(outcome);
            }
            Admin::Restart(id, reply) => {
                let outcome = match self.stopped_child(&id) {
                    Err(err) => Err(err),
                    Ok(i) => match self.start_new(i, self.shared().generation()).await {
                        Ok(()) => Ok(self.child_ref(i)),
                        Err(Waited::Ended(reason)) => {
                            // The spec is kept, stopped.
                            self.finish(i).await;
                            Err(AdminError::StartFailed { child: id, reason })
                        }
                        Err(_) => Err(AdminError::SupervisorStopped),
                    },
                };
                let _ = reply.send(outcome);
            }
            Admin::Delete(id, reply) => {
                let outcome = self.stopped_child(&id).map(|i| {
                    self.bury(i);
                    self.publish(i);
                });
                let _ = reply.send(outcome);
            }
        }
    }

    /// `start_child`: a new spec, last in start order, started at once.
    async fn start_child(&mut self, spec: ChildSpec) -> Result<ChildRef, AdminError> {
        self.blueprint.admits(&spec)?;
        if let Some(i) = self.spec_position(&spec.id) {
            // As OTP: `already_started` only for a running child; a restarting one, like a
            // stopped one, is `already_present`.
            let running = self.slots[i].child.as_ref().is_some_and(Child::running);
            return Err(if running {
                AdminError::AlreadyStarted(spec.id.to_string())
            } else {
                AdminError::AlreadyPresent(spec.id.to_string())
            });
        }
        if let Some(max) = self.blueprint.max_children {
            // Restarting children count: they hold an actor and a mailbox.
            if self.by_actor.len() >= max {
                return Err(AdminError::MaxChildren(max));
            }
        }
        let i = self.slots.len();
        let id = spec.id.clone();
        self.by_spec.insert(id.clone(), i);
        self.slots.push(Slot {
            spec,
            child: None,
            removed: false,
            backoff: None,
        });
        match self.start_new(i, self.shared().generation()).await {
            Ok(()) => Ok(self.child_ref(i)),
            Err(Waited::Ended(reason)) => {
                // The spec is discarded with its failed start.
                self.finish(i).await;
                self.bury(i);
                self.publish(i);
                Err(AdminError::StartFailed {
                    child: id.to_string(),
                    reason,
                })
            }
            Err(_) => Err(AdminError::SupervisorStopped),
        }
    }

    /// The slot of a stopped child (a spec without an actor), or why there is none.
    fn stopped_child(&self, id: &str) -> Result<usize, AdminError> {
        let i = self
            .spec_position(id)
            .ok_or_else(|| AdminError::NotFound(id.to_owned()))?;
        match &self.slots[i].child {
            None => Ok(i),
            Some(c) if c.running() => Err(AdminError::Running(id.to_owned())),
            Some(_) => Err(AdminError::Restarting(id.to_owned())),
        }
    }

    fn child_ref(&self, i: usize) -> ChildRef {
        let table = self.me.table.lock().unwrap_or_else(PoisonError::into_inner);
        match table.get(i) {
            Some(Some(child)) => child.clone(),
            _ => unreachable!("slot {i} was just published"),
        }
    }

    /// Decides about child `i`, whose instance ended for `reason`. Returns the supervisor's
    /// own exit when the restart intensity is exceeded.
    async fn on_child_ended(
        &mut self,
        i: usize,
        reason: ExitReason,
        drained: bool,
    ) -> Option<ExitReason> {
        let wanted = !drained
            && match self.slots[i].spec.restart {
                Restart::Permanent => true,
                Restart::Transient => reason.is_abnormal(),
                Restart::Temporary => false,
            };
        if !wanted {
            let significant = self.slots[i].spec.significant;
            self.finish(i).await;
            if significant && self.auto_shutdown_due() {
                return Some(
                    self.terminate_all(signal::SHUTDOWN_SUPERVISOR)
                        .await
                        .unwrap_or(ExitReason::Shutdown(ShutdownCause::AutoShutdown)),
                );
            }
            return None;
        }
        if !self.budget.allow(Instant::now()) {
            self.emit(EventKind::IntensityExceeded, self.shared().generation());
            return Some(
                self.terminate_all(signal::SHUTDOWN_SUPERVISOR)
                    .await
                    .unwrap_or(ExitReason::Shutdown(ShutdownCause::IntensityExceeded)),
            );
        }
        let from = match self.blueprint.strategy {
            Strategy::OneForOne => None,
            Strategy::OneForAll => Some(0),
            Strategy::RestForOne => Some(i),
        };
        let delay = self.backoff_delay(i);
        if delay.is_zero() {
            match from {
                None => drop(self.restart(i, false, true).await),
                Some(from) => {
                    if let Some(group) = self.stop_group(from).await {
                        let group = self.leave_scheduled(group);
                        // Those starting now: a group restart of theirs still scheduled is
                        // spent (left there, it would delay or mislabel a later one).
                        // (A fold whose outcome is not needed: they start now.)
                        let _ = self.fold_scheduled(&group, &mut Vec::new());
                        self.start_group(group, &[]).await;
                    }
                }
            }
            return None;
        }
        // Backoff: the group (if any) stops now; the restart waits, and meanwhile the
        // supervisor goes on answering admin calls, signals and other children.
        let group = match from {
            None => None,
            Some(from) => Some(self.stop_group(from).await?),
        };
        let Some(child) = &self.slots[i].child else {
            return None;
        };
        let (id, generation) = (child.shared.id, child.generation);
        let now = Instant::now();
        let mut at = now.checked_add(delay).unwrap_or_else(far_future);
        let mut delay = delay;
        let mut announced = vec![id];
        let mut moved = Vec::new();
        if let Some(group) = &group {
            if let Some(older) = self.fold_scheduled(group, &mut moved) {
                // The merged group starts at the later time: the delay announced is the one
                // the child will wait.
                if older > at {
                    at = older;
                    delay = older.saturating_duration_since(now);
                }
            }
        }
        // Children announced by an older group restart, now in this one: announced again if
        // they now wait longer than they were told.
        for (moved_id, was_at) in moved {
            if at > was_at {
                if let Some(j) = self.position(moved_id) {
                    self.emit_for(
                        j,
                        EventKind::RestartScheduled(at.saturating_duration_since(now)),
                    );
                }
            }
            announced.push(moved_id);
        }
        self.emit_for(i, EventKind::RestartScheduled(delay));
        self.scheduled.push(Scheduled {
            at,
            id,
            generation,
            group,
            announced,
        });
        None
    }

    /// The members of `group` (a group restart with no delay) to start now: those whose own
    /// group restart still waits out a backoff keep it and start at their own time, when they
    /// all come after the others in start order (RestForOne: a child before them failed), so
    /// the order holds; otherwise the whole group starts now.
    fn leave_scheduled(&self, mut group: Vec<Arc<str>>) -> Vec<Arc<str>> {
        let waiting = |m: &Arc<str>| self.in_scheduled_group(m);
        // A member stopped for good meanwhile (a Temporary one) has no position: it does not
        // start again, so it does not count.
        let position = |m: &Arc<str>| self.spec_position(m);
        let first_waiting = group
            .iter()
            .filter(|m| waiting(m))
            .filter_map(position)
            .min();
        let last_now = group
            .iter()
            .filter(|m| !waiting(m))
            .filter_map(position)
            .max();
        if let (Some(first_waiting), Some(last_now)) = (first_waiting, last_now) {
            if last_now < first_waiting {
                group.retain(|m| !waiting(m));
            }
        }
        group
    }

    /// Whether spec `id` is a member of a group restart that waits out a backoff.
    fn in_scheduled_group(&self, id: &str) -> bool {
        (self.scheduled.iter()).any(|s| {
            s.group
                .as_ref()
                .is_some_and(|g| g.iter().any(|m| &**m == id))
        })
    }

    /// Members of group restarts still waiting out a backoff that are also in `group` (a
    /// child before them failed too) now belong to `group`: they start with it, in its order,
    /// and not before their own restart was due, which is returned (the latest such time).
    /// The children already announced by those older restarts are added to `moved`, with the
    /// time they were told.
    fn fold_scheduled(
        &mut self,
        group: &[Arc<str>],
        moved: &mut Vec<(ActorId, Instant)>,
    ) -> Option<Instant> {
        let mut due: Option<Instant> = None;
        let mut scheduled = std::mem::take(&mut self.scheduled);
        scheduled.retain_mut(|older| {
            let Some(members) = older.group.as_mut() else {
                return true;
            };
            if !members.iter().any(|m| group.contains(m)) {
                return true;
            }
            due = Some(due.map_or(older.at, |d| d.max(older.at)));
            members.retain(|m| !group.contains(m));
            // Its announced children that move to the newer group (with the time they were
            // told).
            let at = older.at;
            older.announced.retain(|id| {
                let moves = (self.by_actor.get(id))
                    .is_some_and(|&j| group.contains(&self.slots[j].spec.id));
                if moves {
                    moved.push((*id, at));
                }
                !moves
            });
            !members.is_empty()
        });
        self.scheduled = scheduled;
        due
    }

    /// Whether a significant child's own end (just handled) shuts the supervisor down.
    fn auto_shutdown_due(&self) -> bool {
        match self.blueprint.auto_shutdown {
            AutoShutdown::Never => false,
            AutoShutdown::AnySignificant => true,
            AutoShutdown::AllSignificant => !self
                .slots
                .iter()
                .any(|s| !s.removed && s.spec.significant && s.child.is_some()),
        }
    }

    /// The backoff delay before restarting child `i` after a failure now (zero without a
    /// backoff spec).
    fn backoff_delay(&mut self, i: usize) -> Duration {
        let slot = &mut self.slots[i];
        let Some(backoff) = slot.spec.backoff else {
            return Duration::ZERO;
        };
        slot.backoff
            .get_or_insert_with(|| BackoffState::new(&backoff))
            .next_delay(&backoff, Instant::now())
    }

    /// Carries out the restarts whose backoff is over, unless what they were for has changed
    /// meanwhile (the child was terminated, or restarted otherwise).
    async fn fire_scheduled(&mut self) {
        let now = Instant::now();
        while let Some(k) = self.scheduled.iter().position(|s| s.at <= now) {
            let due = self.scheduled.swap_remove(k);
            match due.group {
                Some(group) => self.start_group(group, &due.announced).await,
                None => {
                    let Some(i) = self.position(due.id) else {
                        continue;
                    };
                    let still_down = self.slots[i]
                        .child
                        .as_ref()
                        .is_some_and(|c| c.generation == due.generation && c.state == State::Down);
                    if still_down {
                        let _ = self.restart(i, false, false).await;
                    }
                }
            }
        }
    }

    /// Stops the children from `from` on in reverse start order (Temporary ones for good);
    /// returns the group's specs to start again, or `None` if a signal cut it short.
    async fn stop_group(&mut self, from: usize) -> Option<Vec<Arc<str>>> {
        let group: Vec<Arc<str>> = self.slots[from..]
            .iter()
            .filter(|s| !s.removed)
            .map(|s| s.spec.id.clone())
            .collect();
        for id in group.iter().rev() {
            let Some(j) = self.spec_position(id) else {
                continue;
            };
            let for_good = self.slots[j].spec.restart == Restart::Temporary;
            if self
                .terminate(j, signal::SHUTDOWN_SUPERVISOR, for_good)
                .await
                .is_err()
            {
                return None;
            }
        }
        Some(group)
    }

    /// Starts every spec of a stopped group again in start order, as OTP does: those whose
    /// actor had ended for good (a Transient child's normal exit) get a new actor. A failure
    /// to start one leaves the rest down until that failure is handled in turn.
    /// `announced` are children whose `RestartScheduled` was already reported (with its delay).
    async fn start_group(&mut self, group: Vec<Arc<str>>, announced: &[ActorId]) {
        for id in &group {
            let Some(j) = self.spec_position(id) else {
                continue;
            };
            let started = match &self.slots[j].child {
                Some(child) => {
                    let announce = !announced.contains(&child.shared.id);
                    self.restart(j, true, announce).await
                }
                None => match self.start_new(j, self.shared().generation()).await {
                    Ok(()) => Ok(()),
                    Err(Waited::Ended(reason)) => {
                        self.requeue(j, reason);
                        Err(())
                    }
                    Err(_) => Err(()),
                },
            };
            if started.is_err() {
                self.stalled = true;
                return;
            }
        }
    }

    /// Restarts, in start order, the children a group restart left down when it stopped
    /// half way and whose failed member was then not restarted (its restart type said no).
    /// Their restart was already counted against intensity.
    async fn resume_stalled(&mut self) {
        for i in 0..self.slots.len() {
            let down = self.slots[i]
                .child
                .as_ref()
                .is_some_and(|c| c.state == State::Down);
            let spec = &self.slots[i].spec.id;
            let waiting = self.in_scheduled_group(spec)
                || self.scheduled.iter().any(|s| {
                    self.slots[i]
                        .child
                        .as_ref()
                        .is_some_and(|c| s.id == c.shared.id)
                });
            if down && !waiting && self.restart(i, true, true).await.is_err() {
                self.stalled = true;
                return;
            }
        }
    }

    /// Queues the failed start of child `j` as a new end of its current instance, to be
    /// handled (and counted against intensity) like any other. A child that could not even
    /// be spawned is left without an actor.
    fn requeue(&mut self, j: usize, reason: ExitReason) {
        if let Some(child) = &self.slots[j].child {
            self.pending.push_front(Report {
                id: child.shared.id,
                generation: child.generation,
                kind: ReportKind::Ended {
                    reason,
                    // Its `StartFailed` is already reported.
                    began: true,
                    drained: child.drained,
                },
            });
        }
    }

    fn spec_position(&self, id: &str) -> Option<usize> {
        self.by_spec.get(id).copied()
    }

    /// Tells the down child `i` to start a new instance and waits until it has (or failed,
    /// which is queued as a new end to handle, counting against intensity).
    async fn restart(&mut self, i: usize, in_order: bool, announce: bool) -> Result<(), ()> {
        let Some(child) = self.slots[i].child.as_mut() else {
            return Ok(());
        };
        if child.state != State::Down {
            // Restarted or started again meanwhile (a scheduled group restart that fires
            // after an admin call or another restart already did the work).
            return Ok(());
        }
        if child.drained {
            // Its mailbox is closed: a bystander of a group restart that ends here.
            self.finish(i).await;
            return Ok(());
        }
        let ended = child.generation;
        child.generation += 1;
        // A lone restart is not waited for: nothing after it depends on its `started`, and a
        // failure to start comes back as an end like any other. The child counts as running
        // at once, as if OTP's synchronous restart had returned, and does not even report its
        // start: the fast path. A child whose last start failed (a retry loop) reports it,
        // and is Restarting until then. One with a start timeout is waited for, since the
        // supervisor enforces the timeout.
        let in_order = in_order || self.slots[i].spec.start_timeout.is_some();
        let Some(child) = self.slots[i].child.as_mut() else {
            return Ok(());
        };
        let report = in_order || child.retrying;
        child.state = if report { State::Starting } else { State::Up };
        let shared = child.shared.clone();
        self.publish(i);
        if announce {
            self.system.collector().emit(
                EventKind::RestartScheduled(Duration::ZERO),
                &shared,
                ended,
            );
        }
        shared.control.restart(report);
        if !in_order {
            return Ok(());
        }
        match self.wait_started(i, shared.id).await {
            Waited::Started => Ok(()),
            Waited::Ended(reason) => {
                self.emit_for(i, EventKind::StartFailed(reason.clone()));
                self.requeue(i, reason);
                Err(())
            }
            Waited::Signal(_) => Err(()),
            Waited::Deadline => unreachable!("no deadline was set"),
        }
    }

    /// Ends the supervisor's instance for the signals in `bits`; returns its exit reason.
    async fn on_signal(&mut self, bits: Signals) -> ExitReason {
        if bits & URGENT != 0 {
            return self.abort_for(bits).await;
        }
        self.handled |= bits;
        let (cause, reason) = if bits & signal::SHUTDOWN_SYSTEM != 0 {
            (
                signal::SHUTDOWN_SYSTEM,
                ExitReason::Shutdown(ShutdownCause::System),
            )
        } else if bits & signal::SHUTDOWN_SUPERVISOR != 0 {
            (
                signal::SHUTDOWN_SUPERVISOR,
                ExitReason::Shutdown(ShutdownCause::Supervisor),
            )
        } else {
            (signal::SHUTDOWN_SUPERVISOR, ExitReason::Normal)
        };
        self.terminate_all(cause).await.unwrap_or(reason)
    }

    /// Stops every child at once for an urgent signal (kill wins over cancellation); returns
    /// the supervisor's exit reason.
    async fn abort_for(&mut self, bits: Signals) -> ExitReason {
        self.handled |= bits;
        if bits & signal::KILL != 0 {
            self.abort_all(signal::KILL).await;
            ExitReason::Killed
        } else {
            self.abort_all(signal::SHUTDOWN_CANCELLED).await;
            ExitReason::Shutdown(ShutdownCause::Cancelled)
        }
    }

    /// Stops every child for good, one at a time in reverse start order, each under its
    /// `Shutdown` spec. A kill or a cancellation arriving meanwhile stops the rest at once;
    /// then that is the supervisor's exit reason.
    async fn terminate_all(&mut self, cause: Signals) -> Option<ExitReason> {
        if self.blueprint.dynamic {
            return self.terminate_all_at_once(cause).await;
        }
        for i in (0..self.slots.len()).rev() {
            if let Err(bits) = self.terminate(i, cause, true).await {
                return Some(self.abort_for(bits).await);
            }
        }
        None
    }

    /// A dynamic supervisor's shutdown: every child is asked to stop at once, each under its
    /// own `Shutdown` deadline counted from now, so the whole takes as long as the longest
    /// deadline, not their sum. Then aborted and reported, as for one child.
    async fn terminate_all_at_once(&mut self, cause: Signals) -> Option<ExitReason> {
        self.set_gate(false);
        let now = Instant::now();
        let mut stopping = Vec::new();
        for i in (0..self.slots.len()).rev() {
            let Some(child) = &self.slots[i].child else {
                continue;
            };
            let shutdown = self.slots[i].spec.shutdown;
            let mut bits = signal::FINAL;
            if child.state != State::Down {
                bits |= cause;
                if shutdown == Shutdown::Brutal {
                    bits |= signal::KILL;
                }
            }
            child.shared.control.raise(bits);
            let deadline = match shutdown {
                Shutdown::Timeout(d) => now.checked_add(d),
                Shutdown::Infinity | Shutdown::Brutal => None,
            };
            stopping.push((i, child.shared.clone(), deadline));
        }
        for (i, shared, deadline) in stopping {
            if let Err(bits) = self.stop_within(&shared, Until::Exited, deadline).await {
                return Some(self.abort_for(bits).await);
            }
            self.forget(i);
        }
        None
    }

    /// Waits for a child already asked to stop, as `until` says; past `deadline` it is
    /// aborted (`KILL`) and reported (`ShutdownTimedOut`), then waited for without a limit.
    /// `Err` carries an urgent signal of the supervisor's own that cut the wait short.
    async fn stop_within(
        &mut self,
        child: &Arc<Shared>,
        until: Until,
        mut deadline: Option<Instant>,
    ) -> Result<bool, Signals> {
        let mut killed = false;
        loop {
            match self.wait_child(child.id, until, deadline, URGENT).await {
                Waited::Ended(_) => return Ok(killed),
                Waited::Deadline => {
                    killed = true;
                    self.system.collector().emit(
                        EventKind::ShutdownTimedOut,
                        child,
                        child.generation(),
                    );
                    child.control.raise(signal::KILL);
                    deadline = None;
                }
                Waited::Signal(bits) => return Err(bits),
                Waited::Started => unreachable!("not waited for"),
            }
        }
    }

    /// Stops child `i` under its `Shutdown` spec: for good (`FINAL`), or to be restarted.
    /// `Err` carries an urgent signal of the supervisor's own that cut the wait short.
    async fn terminate(&mut self, i: usize, cause: Signals, for_good: bool) -> Result<(), Signals> {
        self.set_gate(false);
        let Some(child) = &self.slots[i].child else {
            return Ok(());
        };
        let shared = child.shared.clone();
        if child.state != State::Down {
            let shutdown = self.slots[i].spec.shutdown;
            let mut bits = cause;
            if for_good {
                bits |= signal::FINAL;
            }
            if shutdown == Shutdown::Brutal {
                bits |= signal::KILL;
            }
            shared.control.raise(bits);
            let deadline = match shutdown {
                Shutdown::Timeout(d) => Instant::now().checked_add(d),
                Shutdown::Infinity | Shutdown::Brutal => None,
            };
            // For good: wait for the final exit itself (the child does not report an end
            // its supervisor already decided).
            let until = if for_good {
                Until::Exited
            } else {
                Until::Ended
            };
            let timed_out = self.stop_within(&shared, until, deadline).await?;
            if !for_good && (timed_out || shutdown == Shutdown::Brutal) {
                // A kill of ours that landed just after the child ended by itself is not for
                // its next instance.
                shared.control.take_bits(signal::KILL);
            }
        }
        if for_good {
            self.finish(i).await;
        }
        Ok(())
    }

    /// Gives the down child `i` its final exit, waits for it, and forgets the child (and a
    /// Temporary child's spec).
    async fn finish(&mut self, i: usize) {
        if let Some(child) = &self.slots[i].child {
            let shared = child.shared.clone();
            shared.control.raise(signal::FINAL);
            shared.wait().await;
        }
        self.forget(i);
    }

    fn forget(&mut self, i: usize) {
        if let Some(child) = self.slots[i].child.take() {
            self.by_actor.remove(&child.shared.id);
        }
        if self.slots[i].spec.restart == Restart::Temporary {
            self.bury(i);
        }
        self.publish(i);
    }

    /// Makes slot `i` a tombstone: its spec is gone for every lookup.
    fn bury(&mut self, i: usize) {
        if !self.slots[i].removed {
            self.slots[i].removed = true;
            self.tombstones += 1;
            self.by_spec.remove(&self.slots[i].spec.id);
        }
    }

    /// Drops the tombstones once they are most of the slots (a supervisor that starts and
    /// ends many Temporary children), so that they leave nothing behind. Only between
    /// decisions: no slot index is held then.
    fn compact(&mut self) {
        if self.tombstones < 64 || self.tombstones * 2 < self.slots.len() {
            return;
        }
        self.slots.retain(|slot| !slot.removed);
        self.tombstones = 0;
        self.by_actor.clear();
        self.by_spec.clear();
        for (i, slot) in self.slots.iter().enumerate() {
            self.by_spec.insert(slot.spec.id.clone(), i);
            if let Some(child) = &slot.child {
                self.by_actor.insert(child.shared.id, i);
            }
        }
        self.me
            .table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        for i in 0..self.slots.len() {
            self.publish(i);
        }
    }

    /// Stops every child at once with `how` (`KILL`, or `SHUTDOWN_CANCELLED`: the emergency
    /// path) and waits for their final exits; a kill arriving meanwhile is passed on.
    async fn abort_all(&mut self, how: Signals) {
        self.set_gate(false);
        let live: Vec<Arc<Shared>> = self
            .slots
            .iter()
            .rev()
            .filter_map(|s| s.child.as_ref().map(|c| c.shared.clone()))
            .collect();
        for child in &live {
            child.control.raise(how | signal::FINAL);
        }
        if how & signal::SHUTDOWN_CANCELLED != 0 {
            self.family.token.cancel();
        }
        for child in &live {
            loop {
                let killed = self.handled & signal::KILL != 0;
                let control = &self.me.shared.control;
                let handled = self.handled;
                let kill = tokio::select! {
                    biased;
                    _ = child.wait() => false,
                    _ = own_signals(control, handled, signal::KILL), if !killed => true,
                };
                if !kill {
                    break;
                }
                self.handled |= signal::KILL;
                for other in &live {
                    other.control.raise(signal::KILL);
                }
            }
        }
        for i in (0..self.slots.len()).rev() {
            if self.slots[i].child.is_some() {
                self.forget(i);
            }
        }
    }

    /// Waits until the child in slot `i` finished `started`, under its start timeout: past
    /// it, the child is killed and its start fails with a failure saying so.
    async fn wait_started(&mut self, i: usize, id: ActorId) -> Waited {
        let timeout = self.slots[i].spec.start_timeout;
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        match self
            .wait_child(id, Until::Started, deadline, TERMINATING)
            .await
        {
            Waited::Deadline => {
                if let Some(child) = &self.slots[i].child {
                    child.shared.control.raise(signal::KILL);
                }
                // Past the deadline the start has failed, whatever comes next: a `Started`
                // report that raced the kill (on another thread) is not a success, since the
                // kill ends that instance too. Wait for the end.
                match self.wait_child(id, Until::Ended, None, TERMINATING).await {
                    Waited::Ended(_) => {
                        if let Some(child) = &self.slots[i].child {
                            // Its instance may have ended by itself just before our kill:
                            // the kill is not for the next one.
                            child.shared.control.take_bits(signal::KILL);
                        }
                        let (path, generation) = match &self.slots[i].child {
                            Some(c) => (c.shared.path().clone(), c.generation),
                            None => (self.shared().path().child(&self.slots[i].spec.id), 0),
                        };
                        Waited::Ended(ExitReason::Failed(FailureInfo::supervision(
                            format!(
                                "`started` did not finish within its start timeout of {:?}",
                                timeout.unwrap_or_default()
                            ),
                            Vec::new(),
                            &path,
                            id,
                            generation,
                        )))
                    }
                    other => other,
                }
            }
            other => other,
        }
    }

    /// Waits for child `id` to report what `until` says (or to make its final exit, for
    /// `Until::Exited`), handling every other report on the way; returns early for a deadline
    /// or a signal in `mask`.
    async fn wait_child(
        &mut self,
        id: ActorId,
        until: Until,
        deadline: Option<Instant>,
        mask: Signals,
    ) -> Waited {
        // Waiting for a final exit means watching it: a child stopped for good does not report
        // its end (and one that took a `FINAL` raised on top of a `RESTART` never reports the
        // instance it did not start). Otherwise only `FINAL`, raised by this supervisor alone,
        // could end a child without a report, so reports suffice and no waiter is registered.
        let target = match until {
            Until::Exited => self
                .position(id)
                .and_then(|i| self.slots[i].child.as_ref())
                .map(|c| c.shared.clone()),
            Until::Started | Until::Ended => None,
        };
        loop {
            let report = match self.next_input(mask, deadline, target.as_deref()).await {
                Input::Report(report) => report,
                Input::Admin(call) => {
                    // Answered in the main loop, between decisions.
                    self.deferred.push_back(call);
                    continue;
                }
                Input::Signal(bits) => return Waited::Signal(bits),
                Input::Deadline => return Waited::Deadline,
                Input::Exited(reason) => {
                    if let Some(child) =
                        self.position(id).and_then(|i| self.slots[i].child.as_mut())
                    {
                        child.state = State::Down;
                    }
                    return Waited::Ended(reason);
                }
            };
            if self.note(&report).is_none() {
                continue;
            }
            if report.id == id {
                match report.kind {
                    ReportKind::Started if until == Until::Started => return Waited::Started,
                    ReportKind::Ended { reason, .. } if until != Until::Exited => {
                        return Waited::Ended(reason);
                    }
                    ReportKind::Started | ReportKind::Ended { .. } => {}
                }
            } else if matches!(report.kind, ReportKind::Ended { .. }) {
                self.pending.push_back(report);
            }
        }
    }

    /// The next report, or one of the supervisor's own signals in `mask` not yet handled, or
    /// the deadline.
    ///
    /// The supervisor's token is not watched here: nothing outside the supervisor cancels it
    /// without also raising `SHUTDOWN_CANCELLED` on its control lane (its parent does both),
    /// and polling a token costs more than the rest of a restart's bookkeeping.
    async fn next_input(
        &mut self,
        mask: Signals,
        deadline: Option<Instant>,
        exit_of: Option<&Shared>,
    ) -> Input {
        let watching = mask & !self.handled;
        let control = &self.me.shared.control;
        let rx = &mut self.rx;
        tokio::select! {
            biased;
            bits = own_signals(control, 0, watching) => Input::Signal(bits),
            Some(item) = rx.recv() => match item {
                Inbox::Report(report) => Input::Report(report),
                Inbox::Admin(call) => Input::Admin(call),
            },
            reason = final_exit(exit_of), if exit_of.is_some() => Input::Exited(reason),
            () = sleep_until(deadline), if deadline.is_some() => Input::Deadline,
        }
    }

    /// The next admin call to answer: one deferred while the task was busy, else one waiting
    /// in the inbox behind reports (those are taken in passing: ends join `pending`).
    fn next_admin(&mut self) -> Option<Admin> {
        if let Some(call) = self.deferred.pop_front() {
            return Some(call);
        }
        while let Ok(item) = self.rx.try_recv() {
            match item {
                Inbox::Admin(call) => return Some(call),
                Inbox::Report(report) => {
                    if self.note(&report).is_some()
                        && matches!(report.kind, ReportKind::Ended { .. })
                    {
                        self.pending.push_back(report);
                    }
                }
            }
        }
        None
    }

    /// Applies a report to the child's state and returns the child's slot, if the report
    /// concerns its current instance (not a stale one from before a restart or a termination).
    fn note(&mut self, report: &Report) -> Option<usize> {
        let i = self.position(report.id)?;
        let child = self.slots[i].child.as_mut()?;
        // A worker that restarted itself reports with its new generation: adopted here (its
        // reports come in order, so nothing older can follow).
        child.generation = child.generation.max(report.generation);
        if child.generation != report.generation {
            return None;
        }
        let before = child.state;
        match report.kind {
            ReportKind::Started => {
                child.state = State::Up;
                child.retrying = false;
            }
            ReportKind::Ended { began, drained, .. } => {
                child.state = State::Down;
                child.drained |= drained;
                child.retrying |= !began;
            }
        }
        if child.state != before {
            self.publish(i);
        }
        Some(i)
    }

    /// Opens or closes the gate to workers' own restarts (`Budget`): closed before any child
    /// is asked to stop, so that none restarts itself past the stop.
    fn set_gate(&mut self, open: bool) {
        if self.gate_open != open {
            self.gate_open = open;
            self.budget.set_open(open);
        }
    }

    fn position(&self, id: ActorId) -> Option<usize> {
        self.by_actor.get(&id).copied()
    }

    /// Publishes slot `i` for `which_children` and the other readers of the table. A change
    /// of state alone (the common case: every restart) only rewrites the state.
    fn publish(&self, i: usize) {
        let slot = &self.slots[i];
        let state = match &slot.child {
            None => ChildState::Stopped,
            Some(c) if c.running() => ChildState::Running,
            Some(_) => ChildState::Restarting,
        };
        let actor = slot.child.as_ref().map(|c| c.shared.id);
        let mut table = self.me.table.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(Some(published)) = table.get_mut(i) {
            if !slot.removed && published.actor_id() == actor {
                published.state = state;
                return;
            }
        }
        let entry = (!slot.removed).then(|| ChildRef {
            id: slot.spec.id.clone(),
            path: match &slot.child {
                Some(c) => c.shared.path().clone(),
                None => self.shared().path().child(&slot.spec.id),
            },
            kind: slot.spec.kind(),
            state,
            actor: (slot.child.as_ref()).map(|c| (c.shared.clone(), c.handle.clone())),
        });
        match table.get_mut(i) {
            Some(published) => *published = entry,
            None => table.push(entry),
        }
    }

    fn emit(&self, kind: EventKind, generation: u64) {
        self.system
            .collector()
            .emit(kind, self.shared(), generation);
    }

    fn emit_for(&self, i: usize, kind: EventKind) {
        if let Some(child) = &self.slots[i].child {
            self.system
                .collector()
                .emit(kind, &child.shared, child.generation);
        }
    }

    /// The final exit: every child has made its own.
    fn complete(&mut self, reason: ExitReason) {
        self.finished = true;
        self.shared().control.disarm();
        self.emit(
            EventKind::Stopped(reason.clone()),
            self.shared().generation(),
        );
        self.system.remove_actor(self.shared());
        self.shared().set_exit(reason);
    }
}

impl Drop for SupTask {
    /// The task was dropped before its final exit (its runtime shut down, or it was
    /// aborted): no child may be left waiting for a decision that will never come.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        self.budget.set_open(false);
        for slot in &self.slots {
            if let Some(child) = &slot.child {
                child
                    .shared
                    .control
                    .raise(signal::SHUTDOWN_CANCELLED | signal::KILL | signal::FINAL);
            }
        }
        self.family.token.cancel();
        let reason = if self.shared().control.peek() & signal::SHUTDOWN != 0 {
            ExitReason::Shutdown(ShutdownCause::System)
        } else {
            ExitReason::Killed
        };
        self.complete(reason);
    }
}

/// Resolves with the signals in `mask` raised on `control` and not in `handled`.
fn own_signals<'a>(
    control: &'a crate::mailbox::Control,
    handled: Signals,
    mask: Signals,
) -> impl std::future::Future<Output = Signals> + 'a {
    poll_fn(move |cx| {
        let bits = control.register(cx.waker()) & mask & !handled;
        if bits != 0 {
            Poll::Ready(bits)
        } else {
            Poll::Pending
        }
    })
}

async fn final_exit(child: Option<&Shared>) -> ExitReason {
    match child {
        Some(child) => child.wait().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
