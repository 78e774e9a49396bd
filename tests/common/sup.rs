//! A labelled worker for supervisor tests: every instance journals `"<label>:started <gen>"`
//! and `"<label>:stopped <reason>"` into one shared [`Journal`], so the order of hook calls
//! across siblings and levels is visible in one list.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actors::prelude::*;
use actors::{
    ActorId, ChildSpec, Event, EventKind, Events, ShutdownCause, StartError, Supervisor,
    SupervisorRef,
};
use tokio::sync::oneshot;

use super::{Journal, PanicOnDrop, Then};

/// What a [`Labelled`] worker can be told to do.
pub enum Cmd {
    /// Answer the running instance's generation.
    Ping { reply: Reply<u64> },
    /// Remember `n` in this instance's state.
    Record(u32),
    /// Answer the instance's generation and what it recorded.
    Recorded { reply: Reply<(u64, Vec<u32>)> },
    /// Return an error from the handler.
    Fail,
    /// Panic in the handler.
    Panic,
    /// Return an error while holding an ask's reply.
    FailAsk { reply: Reply<u64> },
    /// Panic while holding an ask's reply.
    PanicAsk { reply: Reply<u64> },
    /// Signal `entered`, wait for `release`, then do `then` (answering the generation).
    Block {
        entered: oneshot::Sender<()>,
        release: oneshot::Receiver<()>,
        then: Then,
        reply: Option<Reply<u64>>,
    },
    /// Sleep on tokio's clock, then do `then`.
    SleepThen(Duration, Then),
    /// Stop itself gracefully (`ctx.stop()`).
    StopSelf,
    /// Carry a value whose `Drop` panics.
    PanicOnDrop(PanicOnDrop),
}

/// How a worker's `stopped` behaves.
#[derive(Clone, Copy, Debug, Default)]
pub enum Stopping {
    /// Returns at once.
    #[default]
    Quick,
    /// Sleeps this long on tokio's clock, then journals `"<label>:stopped-done"`.
    Sleep(Duration),
    /// Never returns, ignoring cancellation.
    Hang,
}

/// A worker's scripted behaviour, the same for all its instances.
#[derive(Clone, Copy, Default)]
pub struct Behaviour {
    /// `started` returns an error for the generations this says (journals
    /// `"<label>:start failed <gen>"`).
    pub fail_start: Option<fn(u64) -> bool>,
    /// `started` panics for the generations this says (journals
    /// `"<label>:start panicked <gen>"`).
    pub panic_start: Option<fn(u64) -> bool>,
    /// `started` never returns for the generations this says, ignoring cancellation (journals
    /// `"<label>:start hangs <gen>"` first).
    pub hang_start: Option<fn(u64) -> bool>,
    /// `started` sleeps this long on tokio's clock before it journals.
    pub start_delay: Duration,
    /// How `stopped` behaves.
    pub stopping: Stopping,
    /// The instance's `Drop` panics.
    pub drop_panics: bool,
}

impl Behaviour {
    pub fn fail_start(mut self, on: fn(u64) -> bool) -> Self {
        self.fail_start = Some(on);
        self
    }

    pub fn panic_start(mut self, on: fn(u64) -> bool) -> Self {
        self.panic_start = Some(on);
        self
    }

    pub fn hang_start(mut self, on: fn(u64) -> bool) -> Self {
        self.hang_start = Some(on);
        self
    }

    pub fn start_delay(mut self, delay: Duration) -> Self {
        self.start_delay = delay;
        self
    }

    pub fn stopping(mut self, stopping: Stopping) -> Self {
        self.stopping = stopping;
        self
    }

    pub fn drop_panics(mut self) -> Self {
        self.drop_panics = true;
        self
    }
}

/// How a start scripted to fail fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartFault {
    /// `started` returns an error (journals `"<label>:start failed <gen>"`).
    Fail,
    /// `started` panics (journals `"<label>:start panicked <gen>"`).
    Panic,
}

/// Start failures armed for the next starts of a worker, whatever its actor (shared by every
/// instance its spec's factory builds): each `started` takes the first one left, if any, and
/// fails with it. Unlike [`Behaviour`]'s per-generation rules, it can be armed while the test
/// runs, and a new actor (after a termination, or a supervisor's restart) finds it armed too.
#[derive(Clone, Default)]
pub struct StartScript(Arc<Mutex<VecDeque<StartFault>>>);

impl StartScript {
    /// Replaces what is armed with `faults`, first one first.
    pub fn arm(&self, faults: impl IntoIterator<Item = StartFault>) {
        let mut armed = self.0.lock().unwrap_or_else(|e| e.into_inner());
        armed.clear();
        armed.extend(faults);
    }

    fn take(&self) -> Option<StartFault> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
    }
}

/// The labelled worker.
pub struct Labelled {
    label: String,
    journal: Journal,
    behaviour: Behaviour,
    generation: u64,
    recorded: Vec<u32>,
    script: Option<StartScript>,
}

impl Labelled {
    pub fn new(label: &str, journal: &Journal, behaviour: Behaviour) -> Self {
        Self {
            label: label.to_owned(),
            journal: journal.clone(),
            behaviour,
            generation: 0,
            recorded: Vec::new(),
            script: None,
        }
    }

    /// As [`new`](Self::new), with start failures taken from `script` (after `behaviour`'s).
    pub fn scripted(
        label: &str,
        journal: &Journal,
        behaviour: Behaviour,
        script: &StartScript,
    ) -> Self {
        let mut worker = Self::new(label, journal, behaviour);
        worker.script = Some(script.clone());
        worker
    }

    fn note(&self, what: impl std::fmt::Display) {
        self.journal.push(format!("{}:{what}", self.label));
    }
}

impl Drop for Labelled {
    fn drop(&mut self) {
        if self.behaviour.drop_panics && !std::thread::panicking() {
            panic!("probe panics in Drop of its state");
        }
    }
}

impl Actor for Labelled {
    type Msg = Cmd;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        self.generation = ctx.generation();
        if !self.behaviour.start_delay.is_zero() {
            tokio::time::sleep(self.behaviour.start_delay).await;
        }
        let g = self.generation;
        if self.behaviour.hang_start.is_some_and(|on| on(g)) {
            self.note(format!("start hangs {g}"));
            std::future::pending::<()>().await;
        }
        if self.behaviour.panic_start.is_some_and(|on| on(g)) {
            self.note(format!("start panicked {g}"));
            panic!("probe panics in started");
        }
        if self.behaviour.fail_start.is_some_and(|on| on(g)) {
            self.note(format!("start failed {g}"));
            return Err(ActorError::msg("probe fails in started"));
        }
        match self.script.as_ref().and_then(StartScript::take) {
            Some(StartFault::Panic) => {
                self.note(format!("start panicked {g}"));
                panic!("probe panics in started (scripted)");
            }
            Some(StartFault::Fail) => {
                self.note(format!("start failed {g}"));
                return Err(ActorError::msg("probe fails in started (scripted)"));
            }
            None => {}
        }
        self.note(format!("started {g}"));
        Ok(())
    }

    async fn handle(&mut self, msg: Cmd, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            Cmd::Ping { reply } => {
                let _ = reply.send(self.generation);
            }
            Cmd::Record(n) => self.recorded.push(n),
            Cmd::Recorded { reply } => {
                let _ = reply.send((self.generation, self.recorded.clone()));
            }
            Cmd::Fail => return Err(ActorError::msg("told to fail")),
            Cmd::Panic => panic!("told to panic"),
            Cmd::FailAsk { reply } => {
                let _keep = reply;
                return Err(ActorError::msg("failing while asked"));
            }
            Cmd::PanicAsk { reply } => {
                let _keep = reply;
                panic!("panicking while asked");
            }
            Cmd::Block {
                entered,
                release,
                then,
                reply,
            } => {
                let _ = entered.send(());
                let _ = release.await;
                return self.then(then, reply);
            }
            Cmd::SleepThen(d, then) => {
                tokio::time::sleep(d).await;
                return self.then(then, None);
            }
            Cmd::StopSelf => ctx.stop(),
            Cmd::PanicOnDrop(value) => drop(value),
        }
        Ok(())
    }

    async fn stopped(
        &mut self,
        reason: &ExitReason,
        _ctx: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        self.note(format!("stopped {}", short(reason)));
        match self.behaviour.stopping {
            Stopping::Quick => {}
            Stopping::Sleep(d) => {
                tokio::time::sleep(d).await;
                self.note("stopped-done");
            }
            Stopping::Hang => std::future::pending::<()>().await,
        }
        Ok(())
    }
}

impl Labelled {
    fn then(&self, then: Then, reply: Option<Reply<u64>>) -> Result<(), ActorError> {
        match then {
            Then::Answer => {
                if let Some(reply) = reply {
                    let _ = reply.send(self.generation);
                }
                Ok(())
            }
            Then::Fail => {
                let _keep = reply;
                Err(ActorError::msg("told to fail"))
            }
            Then::Panic => {
                let _keep = reply;
                panic!("told to panic")
            }
        }
    }
}

/// A Permanent worker spec with the default behaviour.
pub fn worker(label: &str, journal: &Journal) -> ChildSpec {
    worker_with(label, journal, Behaviour::default())
}

/// A Permanent worker spec with a scripted behaviour.
pub fn worker_with(label: &str, journal: &Journal, behaviour: Behaviour) -> ChildSpec {
    let label_owned = label.to_owned();
    let journal = journal.clone();
    ChildSpec::worker(label, move || {
        Labelled::new(&label_owned, &journal, behaviour)
    })
}

/// A Permanent worker spec with a scripted behaviour whose starts also fail as `script` says.
pub fn worker_scripted(
    label: &str,
    journal: &Journal,
    behaviour: Behaviour,
    script: &StartScript,
) -> ChildSpec {
    let label_owned = label.to_owned();
    let journal = journal.clone();
    let script = script.clone();
    ChildSpec::worker(label, move || {
        Labelled::scripted(&label_owned, &journal, behaviour, &script)
    })
}

/// A short form of an exit reason, for journals and event descriptions.
pub fn short(reason: &ExitReason) -> String {
    match reason {
        ExitReason::Normal => "normal".to_owned(),
        ExitReason::Shutdown(cause) => match cause {
            ShutdownCause::System => "shutdown:system".to_owned(),
            ShutdownCause::Supervisor => "shutdown:supervisor".to_owned(),
            ShutdownCause::Cancelled => "shutdown:cancelled".to_owned(),
            ShutdownCause::IntensityExceeded => "shutdown:intensity".to_owned(),
            other => format!("shutdown:{other}"),
        },
        ExitReason::Failed(info) if info.is_panic() => "failed:panic".to_owned(),
        ExitReason::Failed(_) => "failed".to_owned(),
        ExitReason::Killed => "killed".to_owned(),
        other => format!("{other}"),
    }
}

/// An event as `"<Kind>@<generation>"`, such as `"Restarted(2)@2"` or
/// `"Stopped(shutdown:system)@1"`.
pub fn describe(event: &Event) -> String {
    let kind = match &event.kind {
        EventKind::Started => "Started".to_owned(),
        EventKind::Restarted(g) => format!("Restarted({g})"),
        EventKind::Failed(_) => "Failed".to_owned(),
        EventKind::StartFailed(reason) => format!("StartFailed({})", short(reason)),
        EventKind::RestartScheduled(delay) => {
            assert_eq!(*delay, Duration::ZERO, "no backoff is configured");
            "RestartScheduled".to_owned()
        }
        EventKind::IntensityExceeded => "IntensityExceeded".to_owned(),
        EventKind::ShutdownTimedOut => "ShutdownTimedOut".to_owned(),
        EventKind::Undelivered(n) => format!("Undelivered({n})"),
        EventKind::Stopped(reason) => format!("Stopped({})", short(reason)),
        other => format!("{other:?}"),
    };
    format!("{kind}@{}", event.generation)
}

/// The events of the actor `id` among `events`, described, in order.
pub fn events_of(events: &[Event], id: ActorId) -> Vec<String> {
    events.iter().filter(|e| e.id == id).map(describe).collect()
}

/// Every event buffered now, failing the test if the subscription lagged.
pub fn take_events(events: &mut Events) -> Vec<Event> {
    let mut out = Vec::new();
    loop {
        match events.try_recv() {
            Ok(Some(event)) => out.push(event),
            Ok(None) => return out,
            Err(e) => panic!("event subscription: {e}"),
        }
    }
}

/// Waits for the next event of actor `id` matching `pred` (on tokio's paused clock, time
/// advances only if everything else is idle); returns it.
pub async fn next_event(
    events: &mut Events,
    id: ActorId,
    pred: impl Fn(&EventKind) -> bool,
) -> Event {
    loop {
        let event = events.recv().await.expect("event subscription");
        if event.id == id && pred(&event.kind) {
            return event;
        }
    }
}

/// The typed handle of a running worker child.
pub fn labelled(sup: &SupervisorRef, id: &str) -> ActorRef<Labelled> {
    sup.child(id)
        .unwrap_or_else(|| panic!("no running child {id:?}"))
        .downcast::<Labelled>()
        .unwrap_or_else(|| panic!("child {id:?} is not a Labelled worker"))
}

/// The handle of a running child supervisor.
pub fn sub(sup: &SupervisorRef, id: &str) -> SupervisorRef {
    sup.child(id)
        .unwrap_or_else(|| panic!("no running child {id:?}"))
        .supervisor()
        .unwrap_or_else(|| panic!("child {id:?} is not a supervisor"))
}

/// The ids of the running children, in the order `children()` lists them.
pub fn child_ids(sup: &SupervisorRef) -> Vec<String> {
    sup.children().iter().map(|c| c.id().to_owned()).collect()
}

/// Asks a worker for its running instance's generation (handled after everything queued).
pub async fn ping(worker: &ActorRef<Labelled>) -> u64 {
    worker
        .ask(|reply| Cmd::Ping { reply })
        .await
        .expect("ping answered")
}

/// Starts a supervisor on the system, panicking on failure.
pub async fn start(system: &ActorSystem, name: &str, sup: Supervisor) -> SupervisorRef {
    system
        .start_supervisor(name, sup)
        .await
        .unwrap_or_else(|e| panic!("start {name}: {e}"))
}

/// Starts a supervisor expecting it to fail; returns the error.
pub async fn start_err(system: &ActorSystem, name: &str, sup: Supervisor) -> StartError {
    match system.start_supervisor(name, sup).await {
        Ok(sup) => panic!("{name} started: {sup:?}"),
        Err(e) => e,
    }
}

/// Sends a `Block` and waits until the handler is inside it; returns the release switch.
pub async fn block(worker: &ActorRef<Labelled>, then: Then) -> oneshot::Sender<()> {
    let (release, rx) = oneshot::channel();
    let (entered_tx, entered) = oneshot::channel();
    worker
        .tell(Cmd::Block {
            entered: entered_tx,
            release: rx,
            then,
            reply: None,
        })
        .await
        .unwrap_or_else(|_| panic!("tell Block"));
    entered.await.expect("handler entered the block");
    release
}

/// Yields (on the paused clock, without advancing it) until `cond` holds; fails the test
/// after a bounded number of yields.
pub async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..10_000 {
        if cond() {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("gave up waiting until {what}");
}

/// Spawns `fut` on the runtime (to have it in flight while the test goes on).
pub fn in_flight<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(fut)
}

/// The entries of `journal` that start with `label:`.
pub fn of(journal: &Journal, label: &str) -> Vec<String> {
    let prefix = format!("{label}:");
    journal
        .entries()
        .into_iter()
        .filter(|e| e.starts_with(&prefix))
        .collect()
}
