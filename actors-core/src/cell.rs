//! The actor loop: the task that owns the mailbox and survives its instances.
//!
//! One Tokio task per actor runs [`Cell::run`]. It owns the receiver outside any instance's
//! future, so failing, killing or replacing an instance never drops the mailbox; the task ends
//! only at the actor's final exit, which closes and drains the mailbox.
//!
//! Every hook future (`started`, `handle`, `stopped`) is driven by [`Cell::drive`], which
//! watches the control lane whenever the hook is pending, so `kill()` drops it at its next
//! `.await` and `drain()` closes the mailbox at once. User code runs inside a
//! [`scope`](crate::scope) and `catch_unwind`: one per poll of the task for the message loop
//! ([`contain`]), one per poll for each other hook. Between messages the loop reads the control
//! word once.

use std::any::Any;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::events::EventKind;
use crate::exit::FailedIn;
use crate::link::Notice;
use crate::mailbox::chan;
use crate::mailbox::{Control, Signals, signal};
use crate::scope::{self, Orphans};
use crate::supervisor::intensity::Budget;
use crate::supervisor::link::{self as supervision, Decision, Inbox, Report, ReportKind, Reports};
use crate::tree::{Answer, MailboxStats, NodeState};
use crate::{
    Actor, ActorError, ActorId, ActorPath, ActorRef, ActorSystem, AskError, Context, ExitReason,
    FailureInfo, ShutdownCause,
};

/// Runs one hook to its end inside `Cell::run`: creates its future in place with `$make`
/// (`Cell::begin`), drives it (`Cell::drive`), and turns how it ended into
/// `Result<(), Ending>`. A macro rather than an `async fn`, so that the hot path adds no nested
/// state machine (and no bytes) to every actor's task.
///
/// `in_loop:` is for `handle`, inside the message loop, whose scope and `catch_unwind` span the
/// whole poll of the task ([`contain`]): the hook adds neither of its own.
macro_rules! run_hook {
    ($cell:expr, $make:expr, $hook:expr, $generation:expr) => {
        run_hook!(@own true, $cell, $make, $hook, $generation)
    };
    (in_loop: $cell:expr, $make:expr, $hook:expr, $generation:expr) => {
        run_hook!(@own false, $cell, $make, $hook, $generation)
    };
    (@own $own:literal, $cell:expr, $make:expr, $hook:expr, $generation:expr) => {{
        let mut slot = pin!(None);
        let begun = $cell.begin::<_, $own>(slot.as_mut(), $make, $hook);
        let failure = match begun {
            Some(failure) => Some(failure),
            None => {
                // `begun` (a `None`) is let go before the `.await`, so that the task does
                // not keep it across it.
                drop(begun);
                $cell.drive::<_, $own>(slot.as_mut(), $hook).await
            }
        };
        match failure {
            None => {
                $cell.settle_ok();
                Ok(())
            }
            Some(failure) => Err($cell.settle_failure(slot, failure, $hook, $generation)),
        }
    }};
}

/// What the actors started together share, kept once for all of them: the parent's
/// cancellation token (instance tokens are made as its children), the system's default ask
/// timeout, and the path unnamed actors are numbered under. One per system for the root's
/// children, one per generation of a supervisor for its children. Each actor holds one `Arc`
/// of it instead of a token, a timeout and a path of its own: no lock on the parent's token
/// at each spawn and each final drop (a cancellation token's clone and drop each lock its
/// node), and 24 bytes of `Shared`.
pub(crate) struct Family {
    pub(crate) token: CancellationToken,
    pub(crate) ask_timeout: Duration,
    pub(crate) root_path: ActorPath,
}

/// The part of an actor every handle shares: identity, control lane, exit state.
pub(crate) struct Shared {
    pub(crate) id: ActorId,
    /// Built on first use for unnamed actors: most actors are never asked for their path, and
    /// formatting and allocating it was an eighth of the cost of a spawn.
    path: OnceLock<ActorPath>,
    /// For an unnamed actor, the base of its numbered name (its type's short name): a
    /// function, one word, rather than the `&'static str` it returns.
    numbered: Option<fn() -> &'static str>,
    pub(crate) parent: Option<ActorId>,
    pub(crate) control: Control,
    pub(crate) family: Arc<Family>,
    generation: AtomicU64,
    exit: OnceLock<ExitReason>,
    /// True for a supervisor (which has no mailbox, and whose shutdown waits for its tree).
    pub(crate) supervisor: bool,
    /// True when the actor's task runs on a current-thread runtime (asks are tuned for it).
    pub(crate) current_thread: bool,
    /// Set once the actor has a name in the registry, so that only such actors look there
    /// at their final exit.
    pub(crate) registered: std::sync::atomic::AtomicBool,
}

impl Shared {
    pub(crate) fn new(
        id: ActorId,
        name: Name,
        parent: Option<ActorId>,
        family: Arc<Family>,
    ) -> Self {
        let path = OnceLock::new();
        let numbered = match name {
            Name::Given(given) => {
                let _ = path.set(given);
                None
            }
            Name::Numbered(base) => Some(base),
        };
        Self {
            id,
            path,
            numbered,
            parent,
            control: Control::new(),
            family,
            generation: AtomicU64::new(0),
            exit: OnceLock::new(),
            supervisor: false,
            current_thread: false,
            registered: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The default deadline of `ask`.
    pub(crate) fn ask_timeout(&self) -> Duration {
        self.family.ask_timeout
    }

    /// The actor's path, built on first use for an unnamed actor.
    pub(crate) fn path(&self) -> &ActorPath {
        // A given path was set at construction: only a numbered one is built here.
        self.path.get_or_init(|| {
            let base = self.numbered.map_or("actor", |base| base());
            (self.family.root_path).numbered_child(base, self.id.as_u64())
        })
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub(crate) fn set_generation(&self, generation: u64) {
        self.generation.store(generation, Ordering::Release);
    }

    pub(crate) fn exit_reason(&self) -> Option<&ExitReason> {
        self.exit.get()
    }

    pub(crate) async fn wait(&self) -> ExitReason {
        poll_fn(|cx| {
            if let Some(reason) = self.exit.get() {
                return Poll::Ready(reason.clone());
            }
            self.control.await_exit(cx.waker());
            // Set before we registered? Then `set_exit` may have found no waker to wake.
            match self.exit.get() {
                Some(reason) => Poll::Ready(reason.clone()),
                None => Poll::Pending,
            }
        })
        .await
    }

    pub(crate) fn set_exit(&self, reason: ExitReason) {
        if self.exit.set(reason).is_ok() {
            if let Some(reason) = self.exit.get() {
                crate::link::final_exit(self, reason);
            }
        }
        self.control.wake_exit_waiters();
    }

    /// Runs `f` on the actor's links and monitors, with whether it has made its final exit
    /// (read under the same lock, so a registration either precedes the exit's notices or
    /// sees the exit).
    pub(crate) fn relations<R>(&self, f: impl FnOnce(&mut crate::link::Relations, bool) -> R) -> R {
        self.control
            .relations(|relations| f(relations, self.exit.get().is_some()))
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("id", &self.id)
            .field("path", self.path())
            .finish_non_exhaustive()
    }
}

/// The running instance in its slot (always filled while hooks run).
#[inline]
fn live<A>(slot: &mut Option<A>) -> &mut A {
    match slot {
        Some(actor) => actor,
        None => unreachable!("hooks run only while an instance is in its slot"),
    }
}

/// What an actor's path is made of.
pub(crate) enum Name {
    /// Named at spawn: the full path.
    Given(ActorPath),
    /// Unnamed (a child of the root): `{root}/{base}-{id}`, built when first asked for.
    Numbered(fn() -> &'static str),
}

/// How a driven hook ended other than by returning.
enum Ending {
    Failed(FailureInfo),
    Killed,
}

/// How a hook's future failed to finish with `Ok`.
enum Failure {
    Error(ActorError),
    Panicked(Box<dyn Any + Send>),
    Killed,
}

enum Next<M> {
    Msg(M),
    Closed,
    Signal(Signals),
}

/// Drops a hook's future when a panic unwinds through its poll, with a panic of the future's
/// own `Drop` contained. Forgotten when the poll returns.
struct DropOnUnwind<'a, F>(Pin<&'a mut Option<F>>);

impl<F> Drop for DropOnUnwind<'_, F> {
    fn drop(&mut self) {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| self.0.set(None))) {
            scope::keep_drop_panic(payload);
        }
    }
}

/// A panic that escaped a poll of the message loop, with the replies dropped in that poll.
struct Escaped {
    payload: Box<dyn Any + Send>,
    orphans: Orphans,
    /// The handler future's `Drop` panicked too, as the first panic unwound.
    drop_panic: Option<Box<dyn Any + Send>>,
}

/// Polls `fut` (the message loop) inside the actor's scope and `catch_unwind`, one of each per
/// poll of the task however many messages the poll handles. Two per message cost a tenth of
/// the tell throughput across cores. A panic ends `fut`: it must not be polled again.
fn contain<'a, F: Future + 'a>(
    id: ActorId,
    mut fut: Pin<&'a mut F>,
) -> impl Future<Output = Result<F::Output, Escaped>> + 'a {
    poll_fn(move |cx| {
        let entered = scope::enter(id);
        match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(polled) => {
                // The loop settles the replies its hooks drop; any other reply dropped in the
                // scope is answered `NoReply` here (dropping an `Orphan` answers it).
                entered.exit(&mut Orphans::default());
                polled.map(Ok)
            }
            Err(payload) => {
                let mut orphans = Orphans::default();
                entered.exit(&mut orphans);
                Poll::Ready(Err(Escaped {
                    payload,
                    orphans,
                    drop_panic: scope::take_drop_panic(),
                }))
            }
        }
    })
}

/// Signals that keep a failed child from restarting itself: its supervisor has other plans.
const OWN_RESTART_BLOCKERS: Signals = signal::FINAL
    | signal::SHUTDOWN
    | signal::STOP
    | signal::KILL
    | signal::DRAIN
    | signal::RESTART;

/// The actor's task state, outside any instance.
pub(crate) struct Cell<A: Actor> {
    rx: chan::Receiver<A::Msg>,
    myself: ActorRef<A>,
    system: ActorSystem,
    /// Replies dropped unanswered during the current hook, waiting for their error.
    orphans: Orphans,
    /// Signals already acted upon (only `DRAIN` is not terminal), and the supervisor's
    /// decisions, which are not for a running instance.
    handled: Signals,
    /// Tells taken from the mailbox but never handled (a kill came first).
    undelivered: usize,
    /// How many times `Shared`'s 32-bit message count wrapped (written once per 2^32).
    received_wraps: u32,
    finished: bool,
    /// The test kit asked for the next message to fail the instance.
    fail_next: bool,
    /// The supervisor waits for the running (restarted) instance to report its start.
    report_start: bool,
    /// What only some actors need, boxed in one allocation so that every idle actor pays
    /// one word for all of it.
    extras: Option<Box<Extras<A>>>,
}

/// The optional parts of a `Cell`.
struct Extras<A> {
    /// The actor's span (carrying its path), entered around every hook poll; only when `INFO`
    /// spans are enabled.
    span: Option<tracing::Span>,
    /// The running hook's span, only when `TRACE` is enabled.
    hook_span: Option<tracing::Span>,
    /// For a child of a supervisor: its factory and where to report.
    supervised: Option<Supervised<A>>,
}

/// What a supervised actor's task needs from its supervisor.
pub(crate) struct Supervised<A> {
    /// Builds every instance after the first (and the first, when none is given).
    pub(crate) factory: Arc<dyn Fn() -> A + Send + Sync>,
    pub(crate) reports: Reports,
    /// Its supervisor's intensity, when a failure of this child calls for a restart of it
    /// alone with nothing to wait for (one_for_one, not Temporary, no backoff, no start
    /// timeout): the child then applies that decision itself (`Budget`).
    pub(crate) budget: Option<Arc<Budget>>,
}

impl<A> Supervised<A> {
    fn report(&self, id: ActorId, generation: u64, kind: ReportKind) {
        // The supervisor outlives its children's reports unless it was torn down, in which
        // case it raised `FINAL` on its way out.
        let _ = self.reports.try_send(Inbox::Report(Report {
            id,
            generation,
            kind,
        }));
    }
}

impl<A: Actor> Cell<A> {
    pub(crate) fn new(
        rx: chan::Receiver<A::Msg>,
        myself: ActorRef<A>,
        system: ActorSystem,
        supervised: Option<Supervised<A>>,
    ) -> Self {
        let span = tracing::level_enabled!(tracing::Level::INFO)
            .then(|| tracing::info_span!("actor", path = %myself.shared.path()));
        let extras = (span.is_some() || supervised.is_some()).then(|| {
            Box::new(Extras {
                span,
                hook_span: None,
                supervised,
            })
        });
        Self {
            extras,
            rx,
            system,
            myself,
            orphans: Orphans::default(),
            handled: signal::DECISION,
            undelivered: 0,
            received_wraps: 0,
            finished: false,
            fail_next: false,
            report_start: false,
        }
    }

    fn shared(&self) -> &Shared {
        &self.myself.shared
    }

    fn supervised(&self) -> Option<&Supervised<A>> {
        self.extras.as_ref()?.supervised.as_ref()
    }

    #[inline]
    fn end_hook_span(&mut self) {
        // Written only when there is a span to end: a supervised actor has `Extras`, and a
        // store into them per message cost it a fifth of its tell throughput across cores.
        if let Some(extras) = &mut self.extras {
            if extras.hook_span.is_some() {
                extras.hook_span = None;
            }
        }
    }

    /// Runs the actor to its final exit. An unsupervised actor (spawned on the system) has one
    /// instance (the one given), and any exit of it is final. A supervised one reports each
    /// instance's end to its supervisor and waits for its decision: a new instance from the
    /// factory, or the final exit; except a failure its supervisor's `Budget` lets it restart
    /// from itself. The mailbox is untouched in between.
    ///
    /// One flat future on purpose: every idle actor's task holds this state machine, and
    /// nested `async fn`s would each keep their own copies of the arguments. An `async move`
    /// block rather than an `async fn`: an `async fn` moves its arguments into locals when
    /// first polled but keeps their first slots too, so the 72-byte `Cell` was in every idle
    /// task twice (rustc's `-Zprint-type-sizes` shows it).
    #[expect(
        clippy::manual_async_fn,
        reason = "an `async fn` would keep its arguments twice in every task"
    )]
    pub(crate) fn run(mut self, mut instance: Option<A>) -> impl Future<Output = ()> {
        async move {
            // `instance` is the one slot for every instance in turn: the first is given, the
            // others are built. (Moving it to a local would keep a second copy of the state in
            // every idle task: a future keeps its arguments apart from its locals.)
            let reason = loop {
                // Read back from `Shared` where needed rather than kept in a local: every idle
                // actor's future would carry the copy.
                self.shared().set_generation(self.shared().generation() + 1);
                let mut began = false;
                // Every local below that is alive across an `.await` is a field of every idle
                // actor's task: a failed build breaks out of the block rather than being kept in
                // a local, and hook results are matched where they are made.
                let reason = 'built: {
                    if instance.is_none() {
                        match self.build(self.shared().generation()) {
                            Ok(actor) => instance = Some(actor),
                            Err(info) => break 'built ExitReason::Failed(info),
                        }
                    }
                    // The instance is reached through its slot at each hook rather than through a
                    // reference kept in a local, which every idle future would carry.
                    {
                        let mut ctx = Context::new(self.myself.clone(), self.system.clone());
                        let mut reason = 'instance: {
                            match run_hook!(
                                self,
                                || live(&mut instance).started(&mut ctx),
                                FailedIn::Started,
                                self.shared().generation()
                            ) {
                                Ok(()) => {
                                    began = true;
                                    self.on_started(self.shared().generation());
                                }
                                Err(Ending::Failed(info)) => {
                                    break 'instance ExitReason::Failed(info);
                                }
                                Err(Ending::Killed) => break 'instance ExitReason::Killed,
                            }
                            // The messages, in one scope and `catch_unwind` per poll of the task
                            // rather than two per message (`contain`).
                            let ended = {
                                let id = self.shared().id;
                                let messages = pin!(self.messages(&mut instance, &mut ctx));
                                contain(id, messages).await
                            };
                            match ended {
                                Ok(reason) => reason,
                                Err(escaped) => self.escaped(escaped),
                            }
                        };

                        if began && reason != ExitReason::Killed {
                            let stopped = run_hook!(
                                self,
                                || live(&mut instance).stopped(&reason, &mut ctx),
                                FailedIn::Stopped,
                                self.shared().generation()
                            );
                            match stopped {
                                Ok(()) => {}
                                Err(Ending::Failed(info)) => {
                                    if !reason.is_abnormal() {
                                        reason = ExitReason::Failed(info);
                                    }
                                }
                                Err(Ending::Killed) => {
                                    if !reason.is_abnormal() {
                                        reason = ExitReason::Killed;
                                    }
                                }
                            }
                        }

                        let disposition = match &reason {
                            ExitReason::Failed(info) => AskError::Failed(info.clone()),
                            ExitReason::Killed => AskError::Killed,
                            _ => AskError::Stopped,
                        };
                        if let Err(info) = self.dispose(
                            || drop((instance.take(), ctx)),
                            self.shared().generation(),
                            disposition,
                        ) {
                            if !reason.is_abnormal() {
                                reason = ExitReason::Failed(info);
                            }
                        }
                        reason
                    }
                };
                self.shared().control.end_instance();

                if self.supervised().is_none() {
                    break reason;
                }
                if self.undelivered > 0 {
                    // Tells a kill kept from their handler: reported now, not at a final exit
                    // that may be far away.
                    let undelivered = std::mem::take(&mut self.undelivered);
                    self.emit(
                        EventKind::Undelivered(undelivered),
                        self.shared().generation(),
                    );
                }
                let Some(supervised) = self.supervised() else {
                    break reason;
                };
                // A drained mailbox is closed for good: that instance's end is final.
                let drained = self.handled & signal::DRAIN != 0;
                // The supervisor's decision for a failure after `started`, when it would be a
                // restart of this child alone and now, is applied here, without the round
                // trip through its task: unless the supervisor is stopping children (its
                // gate is closed) or the restart is one too many (then it decides, and
                // escalates). Any signal left after `end_instance` (a shutdown, `FINAL`)
                // means the supervisor has its own plans: it decides.
                if began
                    && !drained
                    && matches!(reason, ExitReason::Failed(_))
                    && self.shared().control.peek() & OWN_RESTART_BLOCKERS == 0
                    && supervised.budget.as_ref().is_some_and(|b| b.allow_own())
                {
                    self.emit(
                        EventKind::RestartScheduled(Duration::ZERO),
                        self.shared().generation(),
                    );
                    self.report_start = false;
                    self.handled = signal::DECISION;
                    continue;
                }
                // An end its supervisor already decided (it raised `FINAL` to stop this child for
                // good) is not reported: the supervisor waits for the final exit instead.
                if self.shared().control.peek() & signal::FINAL == 0 {
                    supervised.report(
                        self.shared().id,
                        self.shared().generation(),
                        ReportKind::Ended {
                            reason: reason.clone(),
                            began,
                            drained,
                        },
                    );
                }
                let decision = loop {
                    match supervision::decision(&self.shared().control, true).await {
                        Decision::Census => self.answer_census(NodeState::Restarting),
                        decision => break decision,
                    }
                };
                match decision {
                    Decision::Final | Decision::Census => break reason,
                    Decision::Restart => {
                        self.report_start = self.shared().control.restarting();
                        // A drain closed the mailbox for good: every later instance ends at once.
                        self.handled = signal::DECISION | (self.handled & signal::DRAIN);
                    }
                }
            };

            // The final exit.
            self.rx.close();
            while let Some(msg) = self.rx.recv().await {
                self.undelivered += self.discard(msg);
            }
            self.complete(reason);
        }
    }

    /// The message loop of one instance, from its first message to its end. Polled only inside
    /// [`contain`]: a panic in `handle` (or in making its future) escapes from here.
    #[expect(
        clippy::manual_async_fn,
        reason = "an `async fn` would keep its arguments twice in every task"
    )]
    fn messages<'a>(
        &'a mut self,
        instance: &'a mut Option<A>,
        ctx: &'a mut Context<A>,
    ) -> impl Future<Output = ExitReason> + 'a {
        async move {
            'messages: loop {
                let msg = 'msg: {
                    let bits = match self.next().await {
                        Next::Msg(msg) => {
                            if self.shared().control.count_received() {
                                self.received_wraps += 1;
                            }
                            if self.fail_next {
                                return self.injected_failure(msg);
                            }
                            break 'msg msg;
                        }
                        Next::Closed => return ExitReason::Normal,
                        Next::Signal(bits) => bits,
                    };
                    // Awaited after that `match`: inside it, its scrutinee (room for a
                    // message) would be kept across the `.await` in every idle task.
                    let ended = if bits & signal::NOTICE != 0 {
                        self.notices(instance, ctx).await
                    } else {
                        self.on_signals(bits)
                    };
                    match ended {
                        Some(reason) => return reason,
                        None => continue 'messages,
                    }
                };
                let handled = run_hook!(
                    in_loop: self,
                    || live(instance).handle(msg, ctx),
                    FailedIn::Handle,
                    self.shared().generation()
                );
                match handled {
                    Ok(()) => {}
                    Err(Ending::Failed(info)) => return ExitReason::Failed(info),
                    Err(Ending::Killed) => return ExitReason::Killed,
                }
            }
        }
    }

    /// A panic escaped the message loop: `handle` panicked (the loop's own code does not).
    #[cold]
    fn escaped(&mut self, escaped: Escaped) -> ExitReason {
        self.end_hook_span();
        let Escaped {
            payload,
            mut orphans,
            drop_panic,
        } = escaped;
        let generation = self.shared().generation();
        let info = self.panicked(payload, FailedIn::Handle, generation);
        if let Some(payload) = drop_panic {
            // Reported as a failure in `Drop` (as `dispose` reports one); the instance's end
            // stays the handler's panic.
            self.panicked(payload, FailedIn::Drop, generation);
        }
        let error = AskError::Failed(info.clone());
        self.resolve_orphans(&error);
        for orphan in orphans.take() {
            orphan.resolve(error.clone());
        }
        ExitReason::Failed(info)
    }

    /// Runs the link and monitor notices waiting for the instance, each in its hook; returns
    /// the instance's end if one of them failed it. The work is boxed: notices are rare, and
    /// their hooks' futures held in `run` would make every idle actor's task larger.
    fn notices<'a>(
        &'a mut self,
        instance: &'a mut Option<A>,
        ctx: &'a mut Context<A>,
    ) -> Pin<Box<dyn Future<Output = Option<ExitReason>> + Send + 'a>> {
        self.shared().control.take_bits(signal::NOTICE);
        Box::pin(async move {
            while let Some(notice) = self.shared().relations(|r, _| r.inbox.pop_front()) {
                let handled = match notice {
                    Notice::Down(down) => run_hook!(
                        self,
                        || live(instance).on_down(down, ctx),
                        FailedIn::OnDown,
                        self.shared().generation()
                    ),
                    Notice::Exit(exit) => run_hook!(
                        self,
                        || live(instance).on_exit(exit, ctx),
                        FailedIn::OnExit,
                        self.shared().generation()
                    ),
                };
                match handled {
                    Ok(()) => {}
                    Err(Ending::Failed(info)) => return Some(ExitReason::Failed(info)),
                    Err(Ending::Killed) => return Some(ExitReason::Killed),
                }
            }
            None
        })
    }

    /// Builds a new instance from the factory, with a panic contained as a start failure.
    #[cold]
    fn build(&mut self, generation: u64) -> Result<A, FailureInfo> {
        let Some(supervised) = self.supervised() else {
            unreachable!("only a supervised actor has more than one instance");
        };
        let factory = supervised.factory.clone();
        let entered = scope::enter(self.shared().id);
        let built = catch_unwind(AssertUnwindSafe(|| factory()));
        entered.exit(&mut self.orphans);
        self.resolve_orphans(&AskError::NoReply);
        built.map_err(|payload| self.panicked(payload, FailedIn::Started, generation))
    }

    /// An instance finished `started`: reported as an event, and to the supervisor.
    fn on_started(&self, generation: u64) {
        if generation == 1 {
            self.emit(EventKind::Started, generation);
        } else {
            self.emit(EventKind::Restarted(generation), generation);
        }
        if generation == 1 || self.report_start {
            if let Some(supervised) = self.supervised() {
                supervised.report(self.shared().id, generation, ReportKind::Started);
            }
        }
    }

    /// Answers a census (`system.tree()`) with the actor's counters.
    #[cold]
    fn answer_census(&self, state: NodeState) {
        let shared = self.shared();
        shared.control.take_bits(signal::CENSUS);
        self.system.census().answer(
            shared.id,
            Answer {
                state,
                generation: shared.generation(),
                handled: u64::from(self.received_wraps) << 32
                    | u64::from(shared.control.received_low()),
                mailbox: MailboxStats::new(self.rx.len(), self.rx.max_capacity()),
            },
        );
    }

    /// The test kit's injected failure, on this message: it is dropped as a failed handler
    /// drops it (its asker gets `AskError::Failed`), and the instance fails.
    #[cold]
    fn injected_failure(&mut self, msg: A::Msg) -> ExitReason {
        self.fail_next = false;
        let shared = self.shared();
        let generation = shared.generation();
        let info = FailureInfo::from_error(
            ActorError::msg("failure injected by the test kit"),
            FailedIn::Handle,
            shared.path(),
            shared.id,
            generation,
        );
        self.emit(EventKind::Failed(info.clone()), generation);
        let _ = self.dispose(|| drop(msg), generation, AskError::Failed(info.clone()));
        ExitReason::Failed(info)
    }

    /// Acts on newly raised signals; returns the exit reason when one ends the instance.
    fn on_signals(&mut self, bits: Signals) -> Option<ExitReason> {
        if bits & signal::CENSUS != 0 {
            self.answer_census(NodeState::Running);
        }
        if bits & signal::INJECT_FAILURE != 0 {
            self.shared().control.take_bits(signal::INJECT_FAILURE);
            self.fail_next = true;
        }
        if bits & signal::KILL != 0 {
            return Some(ExitReason::Killed);
        }
        if bits & signal::LINKED != 0 {
            let exit = self.shared().relations(|r, _| r.link_failure.take());
            if let Some(exit) = exit {
                let shared = self.shared();
                let generation = shared.generation();
                let info = FailureInfo::linked(&exit, shared.path(), shared.id, generation);
                // Every instance failure reaches the collector, this one too.
                self.emit(EventKind::Failed(info.clone()), generation);
                return Some(ExitReason::Failed(info));
            }
            self.shared().control.take_bits(signal::LINKED);
        }
        if bits & signal::SHUTDOWN_SYSTEM != 0 {
            return Some(ExitReason::Shutdown(ShutdownCause::System));
        }
        if bits & signal::SHUTDOWN_CANCELLED != 0 {
            return Some(ExitReason::Shutdown(ShutdownCause::Cancelled));
        }
        if bits & signal::SHUTDOWN_SUPERVISOR != 0 {
            return Some(ExitReason::Shutdown(ShutdownCause::Supervisor));
        }
        if bits & signal::STOP != 0 {
            return Some(ExitReason::Normal);
        }
        if bits & signal::DRAIN != 0 {
            self.start_drain();
        }
        None
    }

    fn start_drain(&mut self) {
        self.handled |= signal::DRAIN;
        self.rx.close();
    }

    /// Waits for the next message or a new signal, whichever comes first. The control word is
    /// read before the mailbox on every poll, so a message sent after a signal (a tell right
    /// after `kill()`) is never taken by the instance the signal ends.
    fn next(&mut self) -> impl Future<Output = Next<A::Msg>> + '_ {
        poll_fn(move |cx| {
            let bits = self.myself.shared.control.peek() & !self.handled;
            if bits != 0 {
                return Poll::Ready(Next::Signal(bits));
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(msg)) => Poll::Ready(Next::Msg(msg)),
                Poll::Ready(None) => Poll::Ready(Next::Closed),
                Poll::Pending => {
                    let bits = self.myself.shared.control.register(cx.waker()) & !self.handled;
                    if bits != 0 {
                        Poll::Ready(Next::Signal(bits))
                    } else {
                        Poll::Pending
                    }
                }
            }
        })
    }

    /// The end of a hook that finished with `Ok`: answers the replies it dropped.
    #[inline]
    fn settle_ok(&mut self) {
        if !self.orphans.is_empty() {
            self.resolve_orphans(&AskError::NoReply);
        }
    }

    /// Creates a hook's future in `slot`, inside a scope and `catch_unwind` (`OWN`; otherwise
    /// inside the message loop's): a hook may do work, and panic, before its first `.await`.
    /// If a kill is already pending the hook does not begin (`refuse`).
    #[inline]
    fn begin<F, const OWN: bool>(
        &mut self,
        slot: Pin<&mut Option<F>>,
        make: impl FnOnce() -> F,
        hook: FailedIn,
    ) -> Option<Failure> {
        if self.shared().control.peek() & signal::KILL != 0 {
            return self.refuse(make, hook);
        }
        let mut slot = slot;
        if !OWN {
            slot.set(Some(make()));
            return None;
        }
        let entered = scope::enter(self.shared().id);
        let made = catch_unwind(AssertUnwindSafe(|| slot.set(Some(make()))));
        entered.exit(&mut self.orphans);
        made.err().map(Failure::Panicked)
    }

    /// A hook that a pending kill keeps from beginning: what `make` holds (the message, and
    /// any reply in it) is dropped in a scope, so the asker learns it was killed, and a tell
    /// dropped so is counted undelivered (reported with the queue at the final exit).
    #[cold]
    fn refuse<F>(&mut self, make: impl FnOnce() -> F, hook: FailedIn) -> Option<Failure> {
        let entered = scope::enter(self.shared().id);
        let before = scope::unanswered();
        let dropped = catch_unwind(AssertUnwindSafe(|| drop(make)));
        if hook == FailedIn::Handle && scope::unanswered() == before {
            self.undelivered += 1;
        }
        entered.exit(&mut self.orphans);
        if let Err(payload) = dropped {
            scope::drop_contained(payload);
        }
        Some(Failure::Killed)
    }

    #[cold]
    fn settle_failure<F>(
        &mut self,
        slot: Pin<&mut Option<F>>,
        failure: Failure,
        hook: FailedIn,
        generation: u64,
    ) -> Ending {
        let ending = match failure {
            Failure::Error(err) => {
                let info = FailureInfo::from_error(
                    err,
                    hook,
                    self.shared().path(),
                    self.shared().id,
                    generation,
                );
                Ending::Failed(info)
            }
            Failure::Panicked(payload) => {
                let info = FailureInfo::from_panic(
                    &*payload,
                    hook,
                    self.shared().path(),
                    self.shared().id,
                    generation,
                );
                scope::drop_contained(payload);
                Ending::Failed(info)
            }
            Failure::Killed => Ending::Killed,
        };
        let disposition = match &ending {
            Ending::Failed(info) => {
                self.emit(EventKind::Failed(info.clone()), generation);
                AskError::Failed(info.clone())
            }
            Ending::Killed => AskError::Killed,
        };
        let mut slot = slot;
        let _ = self.dispose(|| slot.set(None), generation, disposition);
        ending
    }

    /// Polls the hook's future in `fut` to its end, each poll inside a scope and
    /// `catch_unwind`. A pending kill is seen before each poll; while the hook is pending,
    /// `drain` acts and replies it dropped are answered `NoReply` at once. `None` is success.
    #[inline]
    fn drive<'a, F, const OWN: bool>(
        &'a mut self,
        mut fut: Pin<&'a mut Option<F>>,
        hook: FailedIn,
    ) -> impl Future<Output = Option<Failure>> + 'a
    where
        F: Future<Output = Result<(), ActorError>>,
    {
        // A span per hook only when TRACE is on: its creation is not free even when disabled.
        // Kept in the cell, not in this future, so the future needs no drop glue.
        if tracing::level_enabled!(tracing::Level::TRACE) {
            let span = tracing::trace_span!("hook", %hook);
            self.extras
                .get_or_insert_with(|| {
                    Box::new(Extras {
                        span: None,
                        hook_span: None,
                        supervised: None,
                    })
                })
                .hook_span = Some(span);
        }
        poll_fn(move |cx: &mut TaskContext<'_>| {
            if self.myself.shared.control.peek() & signal::KILL != 0 {
                self.end_hook_span();
                return Poll::Ready(Some(Failure::Killed));
            }
            let polled = {
                let extras = self.extras.as_deref();
                let _actor_span = extras.and_then(|e| e.span.as_ref().map(tracing::Span::enter));
                let _hook_span =
                    extras.and_then(|e| e.hook_span.as_ref().map(tracing::Span::enter));
                if OWN {
                    let entered = scope::enter(self.myself.shared.id);
                    let polled =
                        catch_unwind(AssertUnwindSafe(|| match fut.as_mut().as_pin_mut() {
                            Some(fut) => fut.poll(cx),
                            None => Poll::Pending,
                        }));
                    entered.exit(&mut self.orphans);
                    polled
                } else {
                    // In the message loop's scope, whose `catch_unwind` holds a panic. Should
                    // the poll panic, the guard drops the future with a panic of its `Drop`
                    // contained (a second panic while unwinding would abort the process).
                    let mut guard = DropOnUnwind(fut.as_mut());
                    let polled = match guard.0.as_mut().as_pin_mut() {
                        Some(fut) => fut.poll(cx),
                        None => Poll::Pending,
                    };
                    std::mem::forget(guard);
                    if let Poll::Ready(Ok(())) = polled {
                        // Dropped here, in the scope, so that a reply the finished future
                        // still holds is settled with this message (`NoReply`), not with the
                        // next one's fate.
                        fut.set(None);
                    }
                    scope::collect(&mut self.orphans);
                    Ok(polled)
                }
            };
            match polled {
                Ok(Poll::Ready(done)) => {
                    self.end_hook_span();
                    return Poll::Ready(done.err().map(Failure::Error));
                }
                Err(payload) => {
                    self.end_hook_span();
                    return Poll::Ready(Some(Failure::Panicked(payload)));
                }
                Ok(Poll::Pending) => {}
            }
            if !self.orphans.is_empty() {
                // Dropped while the hook goes on: not because of how it will end.
                self.resolve_orphans(&AskError::NoReply);
            }
            let bits = self.myself.shared.control.register(cx.waker()) & !self.handled;
            if bits & signal::KILL != 0 {
                self.end_hook_span();
                return Poll::Ready(Some(Failure::Killed));
            }
            if bits & signal::DRAIN != 0 {
                self.start_drain();
            }
            if bits & signal::CENSUS != 0 {
                self.answer_census(match hook {
                    FailedIn::Started => NodeState::Starting,
                    FailedIn::Stopped | FailedIn::Drop => NodeState::Stopping,
                    _ => NodeState::Running,
                });
            }
            Poll::Pending
        })
    }

    /// Runs `drop_it` inside a scope with panics contained, then answers the replies it dropped
    /// with `disposition`. A panic is reported as a failure in `Drop`.
    fn dispose(
        &mut self,
        drop_it: impl FnOnce(),
        generation: u64,
        disposition: AskError,
    ) -> Result<(), FailureInfo> {
        let entered = scope::enter(self.shared().id);
        let outcome = catch_unwind(AssertUnwindSafe(drop_it));
        entered.exit(&mut self.orphans);
        self.resolve_orphans(&disposition);
        outcome.map_err(|payload| self.panicked(payload, FailedIn::Drop, generation))
    }

    fn resolve_orphans(&mut self, error: &AskError) {
        if self.orphans.is_empty() {
            return;
        }
        for orphan in self.orphans.take() {
            orphan.resolve(error.clone());
        }
    }

    /// A contained panic in `hook`, as a failure: described, its payload dropped (with a panic
    /// of its own `Drop` contained), and reported (a `Failed` event).
    #[cold]
    fn panicked(
        &self,
        payload: Box<dyn Any + Send>,
        hook: FailedIn,
        generation: u64,
    ) -> FailureInfo {
        let shared = self.shared();
        let info = FailureInfo::from_panic(&*payload, hook, shared.path(), shared.id, generation);
        scope::drop_contained(payload);
        self.emit(EventKind::Failed(info.clone()), generation);
        info
    }

    fn emit(&self, kind: EventKind, generation: u64) {
        let shared = self.shared();
        self.system.collector().emit(kind, shared, generation);
    }

    /// Drops one undeliverable message; returns 1 if it was a tell (no reply inside it).
    fn discard(&mut self, msg: A::Msg) -> usize {
        usize::from(scope::drop_undelivered(self.shared().id, msg))
    }

    /// Reports the final exit and releases waiters. The mailbox is closed and drained.
    fn complete(&mut self, reason: ExitReason) {
        self.finished = true;
        let undelivered = self.undelivered;
        self.shared().control.disarm();
        let span = self.extras.as_mut().and_then(|e| e.span.take());
        let _span = span.as_ref().map(tracing::Span::enter);
        let generation = self.shared().generation();
        if undelivered > 0 {
            self.emit(EventKind::Undelivered(undelivered), generation);
        }
        self.emit(EventKind::Stopped(reason.clone()), generation);
        self.system.remove_actor(self.shared());
        self.shared().set_exit(reason);
        self.system.census().exited();
    }
}

impl<A: Actor> Drop for Cell<A> {
    /// The task was dropped before its final exit (the runtime shut down, or the task was
    /// aborted): do the final exit's bookkeeping synchronously, so no waiter hangs and no
    /// queued message vanishes unreported.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        self.shared().control.end_instance();
        self.rx.close();
        while let Ok(msg) = self.rx.try_recv() {
            self.undelivered += self.discard(msg);
        }
        let reason = if self.shared().control.peek() & signal::SHUTDOWN != 0 {
            ExitReason::Shutdown(ShutdownCause::System)
        } else {
            ExitReason::Killed
        };
        self.complete(reason);
    }
}

#[cfg(test)]
mod footprint {
    use super::*;

    struct Tiny;

    impl Actor for Tiny {
        type Msg = u64;

        async fn handle(&mut self, _: u64, _: &mut Context<Self>) -> Result<(), ActorError> {
            Ok(())
        }
    }

    /// Every idle actor holds one `Shared` and one task whose future is `Cell::run`'s: a
    /// field added to either, or a local kept across an `.await` in `run`, grows them all
    /// (`benches/idle_memory.rs` measures the whole). Raise these bounds only on purpose:
    /// 152 + 16 bytes of `Arc` fit glibc's 176-byte chunk, and a future of up to about 270
    /// bytes keeps tokio's task (aligned to 128) at 384 bytes.
    #[tokio::test]
    async fn an_idle_actor_stays_small() {
        assert!(
            size_of::<Shared>() <= 152,
            "Shared is {} bytes",
            size_of::<Shared>()
        );
        let system = ActorSystem::new("footprint").unwrap();
        let (tx, rx) = chan::channel(4);
        let shared = Arc::new(Shared::new(
            ActorId::next(),
            Name::Given(ActorPath::root("footprint")),
            None,
            Arc::new(Family {
                token: CancellationToken::new(),
                ask_timeout: Duration::from_secs(1),
                root_path: ActorPath::root("footprint"),
            }),
        ));
        let cell = Cell::new(rx, ActorRef { tx, shared }, system, None);
        let run = cell.run(Some(Tiny));
        assert!(
            size_of_val(&run) <= 248,
            "the task's future is {} bytes",
            size_of_val(&run)
        );
    }
}
