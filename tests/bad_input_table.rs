//! One table per area: every public constructor and call that takes an argument a user could
//! get wrong, called with invalid input. Each row records what the user observes as one
//! string: the typed error (normalised so that ids do not show), or `PANIC: ..` when the call
//! panicked, or `HANG` when it did not end within a bound on tokio's paused clock. Every table
//! is compared with its expected rows at the end, so one run lists every mismatch at once.
//!
//! Cases that show a library bug live in their own `#[ignore = "bug: .."]` tests, below the
//! tables, still expecting the correct typed outcome.

use std::any::Any;
use std::fmt::Debug;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use actors::testkit::{self, Probe};
use actors::{
    Actor, ActorError, ActorRef, ActorSystem, AdminError, AskError, AutoShutdown, Backoff,
    ChildSpec, Context, DynamicSupervisor, EventKind, ExitReason, MAX_MAILBOX_CAPACITY, Overflow,
    Pool, PoolError, Reply, Restart, Shutdown, StartError, Strategy, Supervisor, Topic, fan_out,
};
use tokio::sync::oneshot;

/// The bound of every async call on the paused clock: far above every timeout the rows use
/// (the default ask timeout is 5 s), so only a real hang reaches it.
const BOUND: Duration = Duration::from_secs(100);

// ---------------------------------------------------------------------------------------------
// The actors the rows use.

/// A worker that does what its message says.
struct Worker {
    fail_start: bool,
}

impl Worker {
    fn ok() -> Self {
        Self { fail_start: false }
    }

    fn failing_start() -> Self {
        Self { fail_start: true }
    }
}

/// What a [`Worker`] does once released from a hold.
#[derive(Clone, Copy)]
enum Then {
    Answer,
    Fail,
}

enum W {
    N(u32),
    Echo(u32, Reply<u32>),
    Hold(oneshot::Sender<()>, oneshot::Receiver<()>),
    HoldAsk(oneshot::Sender<()>, oneshot::Receiver<()>, Then, Reply<u32>),
    Fail,
    FailAsk(Reply<u32>),
    PanicAsk(Reply<u32>),
    DropReply(Reply<u32>),
    SelfCalls(Reply<Vec<String>>),
    /// Asks the actor in it (with this timeout) to ask this one back.
    AskOther(ActorRef<Worker>, Duration, Reply<String>),
    /// Asks the actor in it for an echo, with a 1 s timeout, and answers how that went.
    AskBack(ActorRef<Worker>, Reply<String>),
    /// Links the actor with itself, then fails.
    LinkSelfThenFail,
    /// Monitors the actor itself, then stops it.
    MonitorSelfThenStop,
}

impl From<u32> for W {
    fn from(n: u32) -> Self {
        Self::N(n)
    }
}

impl Actor for Worker {
    type Msg = W;

    async fn started(&mut self, _: &mut Context<Self>) -> Result<(), ActorError> {
        if self.fail_start {
            return Err(ActorError::msg("refuses to start"));
        }
        Ok(())
    }

    async fn handle(&mut self, msg: W, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            W::N(_) => {}
            W::Echo(n, reply) => {
                let _ = reply.send(n);
            }
            W::Hold(entered, release) => {
                let _ = entered.send(());
                let _ = release.await;
            }
            W::HoldAsk(entered, release, then, reply) => {
                let _ = entered.send(());
                let _ = release.await;
                match then {
                    Then::Answer => {
                        let _ = reply.send(1);
                    }
                    Then::Fail => {
                        let _keep = reply;
                        return Err(ActorError::msg("failing while asked"));
                    }
                }
            }
            W::Fail => return Err(ActorError::msg("told to fail")),
            W::FailAsk(reply) => {
                let _keep = reply;
                return Err(ActorError::msg("failing while asked"));
            }
            W::PanicAsk(reply) => {
                let _keep = reply;
                panic!("scripted panic while asked");
            }
            W::DropReply(reply) => drop(reply),
            W::SelfCalls(reply) => {
                // Called with a one-slot mailbox: the first tell fills it.
                let me = ctx.actor_ref().clone();
                let to_me = me.recipient::<u32>();
                let out = vec![
                    format!("tell: {}", sent(me.tell(W::N(1)).await)),
                    format!("tell, full: {}", sent(me.tell(W::N(2)).await)),
                    format!(
                        "tell_timeout(MAX), full: {}",
                        sent(me.tell_timeout(W::N(3), Duration::MAX).await)
                    ),
                    format!(
                        "tell_timeout(0), full: {}",
                        sent(me.tell_timeout(W::N(4), Duration::ZERO).await)
                    ),
                    format!("try_tell, full: {}", sent(me.try_tell(W::N(5)))),
                    format!("recipient tell, full: {}", sent(to_me.tell(6).await)),
                    format!("recipient try_tell, full: {}", sent(to_me.try_tell(7))),
                    format!("ask: {}", asked(me.ask(|r| W::Echo(8, r)).await)),
                    format!(
                        "ask_timeout(MAX): {}",
                        asked(me.ask_timeout(|r| W::Echo(9, r), Duration::MAX).await)
                    ),
                    format!(
                        "ask_timeout(0): {}",
                        asked(me.ask_timeout(|r| W::Echo(10, r), Duration::ZERO).await)
                    ),
                ];
                let _ = reply.send(out);
            }
            W::AskOther(other, timeout, reply) => {
                let me = ctx.actor_ref().clone();
                let answer = other.ask_timeout(|r| W::AskBack(me, r), timeout).await;
                let _ = reply.send(asked(answer));
            }
            W::LinkSelfThenFail => {
                let me = ctx.actor_ref().clone();
                ctx.link(&me);
                return Err(ActorError::msg("told to fail"));
            }
            W::MonitorSelfThenStop => {
                let me = ctx.actor_ref().clone();
                let _monitor = ctx.monitor(&me);
                ctx.stop();
            }
            W::AskBack(back, reply) => {
                let answer = back
                    .ask_timeout(|r| W::Echo(1, r), Duration::from_secs(1))
                    .await;
                let _ = reply.send(asked(answer));
            }
        }
        Ok(())
    }
}

/// Another actor type, for wrong-type lookups and downcasts.
struct Other;

impl Actor for Other {
    type Msg = ();

    async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
        Ok(())
    }
}

/// An actor type whose declared mailbox capacity is zero.
struct ZeroBox;

impl Actor for ZeroBox {
    type Msg = ();
    const MAILBOX_CAPACITY: usize = 0;

    async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
        Ok(())
    }
}

/// An actor type whose declared mailbox capacity is beyond the maximum.
struct HugeBox;

impl Actor for HugeBox {
    type Msg = ();
    const MAILBOX_CAPACITY: usize = usize::MAX;

    async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Outcomes as strings.

/// What a message handed back by a send error was.
trait Back {
    fn back(self) -> String;
}

impl Back for W {
    fn back(self) -> String {
        match self {
            W::N(n) => n.to_string(),
            _ => "another message".to_owned(),
        }
    }
}

impl Back for u32 {
    fn back(self) -> String {
        self.to_string()
    }
}

/// The three send errors, which all hand the message back.
trait HandsBack {
    type Msg: Back;
    fn debug(&self) -> String;
    fn message(self) -> Self::Msg;
}

macro_rules! hands_back {
    ($($err:ident),*) => {$(
        impl<M: Back> HandsBack for actors::$err<M> {
            type Msg = M;
            fn debug(&self) -> String {
                format!("{self:?}")
            }
            fn message(self) -> M {
                self.into_inner()
            }
        }
    )*};
}
hands_back!(SendError, TrySendError, SendTimeoutError);

/// A send's outcome: `Ok`, or the error and the message it handed back.
fn sent<E: HandsBack>(result: Result<(), E>) -> String {
    match result {
        Ok(()) => "Ok".to_owned(),
        Err(e) => {
            let debug = e.debug();
            format!("Err({debug}) back={}", e.message().back())
        }
    }
}

/// An exit reason without ids.
fn exit(reason: &ExitReason) -> String {
    match reason {
        ExitReason::Failed(info) => format!(
            "Failed({:?} in {}{})",
            info.message(),
            info.hook(),
            if info.is_panic() { ", panic" } else { "" }
        ),
        other => format!("{other:?}"),
    }
}

/// An ask's outcome without ids.
fn asked<T: Debug>(result: Result<T, AskError>) -> String {
    match result {
        Ok(v) => format!("Ok({v:?})"),
        Err(AskError::Failed(info)) => format!(
            "Err(Failed({:?}{}))",
            info.message(),
            if info.is_panic() { ", panic" } else { "" }
        ),
        Err(e) => format!("Err({e:?})"),
    }
}

fn start_error(e: &StartError) -> String {
    match e {
        StartError::ChildFailed {
            child,
            path,
            reason,
        } => format!(
            "ChildFailed {{ child: {child:?}, path: {path}, reason: {} }}",
            exit(reason)
        ),
        StartError::Stopped(reason) => format!("Stopped({})", exit(reason)),
        other => format!("{other:?}"),
    }
}

/// A start's outcome (`Ok(started)` or the error without ids).
fn started<T>(result: Result<T, StartError>) -> String {
    match result {
        Ok(_) => "Ok(started)".to_owned(),
        Err(e) => format!("Err({})", start_error(&e)),
    }
}

/// An admin call's outcome, its `Ok` value described by `ok`.
fn admin<T>(result: Result<T, AdminError>, ok: impl FnOnce(T) -> String) -> String {
    match result {
        Ok(v) => format!("Ok({})", ok(v)),
        Err(AdminError::StartFailed { child, reason }) => format!(
            "Err(StartFailed {{ child: {child:?}, reason: {} }})",
            exit(&reason)
        ),
        Err(e) => format!("Err({e:?})"),
    }
}

fn unit(_: ()) -> String {
    "()".to_owned()
}

fn child_id(c: actors::ChildRef) -> String {
    format!("{:?}", c.id())
}

fn pooled<T>(result: Result<T, PoolError>) -> String {
    match result {
        Ok(_) => "Ok(pool)".to_owned(),
        Err(PoolError::Start(e)) => format!("Err(Start({}))", start_error(&e)),
        Err(e) => format!("Err({e:?})"),
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-string payload)".to_owned())
}

/// Runs a synchronous call; a panic becomes `PANIC: ..`.
fn sync(call: impl FnOnce() -> String) -> String {
    catch_unwind(AssertUnwindSafe(call))
        .unwrap_or_else(|payload| format!("PANIC: {}", panic_text(&*payload)))
}

/// Runs an async call in a task of its own, bounded: a panic becomes `PANIC: ..`, a call
/// still pending after [`BOUND`] on tokio's clock `HANG`.
async fn bounded<F>(call: F) -> String
where
    F: Future<Output = String> + Send + 'static,
{
    match tokio::time::timeout(BOUND, tokio::spawn(call)).await {
        Err(_) => "HANG".to_owned(),
        Ok(Err(join)) if join.is_panic() => {
            format!("PANIC: {}", panic_text(&*join.into_panic()))
        }
        Ok(Err(join)) => format!("JOIN ERROR: {join}"),
        Ok(Ok(outcome)) => outcome,
    }
}

/// The rows of one table, and their check.
#[derive(Default)]
struct Table {
    rows: Vec<(String, String)>,
}

impl Table {
    fn row(&mut self, what: &str, outcome: impl Into<String>) {
        self.rows.push((what.to_owned(), outcome.into()));
    }

    /// Compares every row with the expected table, reporting every mismatch at once.
    fn check(&self, expected: &[(&str, String)]) {
        let mut problems = Vec::new();
        for (i, (what, want)) in expected.iter().enumerate() {
            match self.rows.iter().find(|(w, _)| w == what) {
                None => problems.push(format!("#{i} {what}: no such row")),
                Some((_, got)) if got != want => problems.push(format!(
                    "#{i} {what}:\n    expected {want}\n    got      {got}"
                )),
                Some(_) => {}
            }
        }
        for (what, got) in &self.rows {
            if !expected.iter().any(|(w, _)| w == what) {
                problems.push(format!("unexpected row {what}: {got}"));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (what, _) in &self.rows {
            if !seen.insert(what) {
                problems.push(format!("duplicate row {what}"));
            }
        }
        assert!(
            problems.is_empty(),
            "{} of {} rows differ:\n{}",
            problems.len(),
            expected.len(),
            problems.join("\n")
        );
    }
}

fn rows<'a>(expected: &[(&'a str, &str)]) -> Vec<(&'a str, String)> {
    expected
        .iter()
        .map(|(w, o)| (*w, (*o).to_owned()))
        .collect()
}

/// Silences the default panic hook for the panics the rows provoke on purpose.
fn quiet_scripted_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let text = panic_text(info.payload());
            if !text.starts_with("scripted panic") {
                default(info);
            }
        }));
    });
}

/// Sends a hold and waits until the handler is in it; returns its release.
async fn hold(actor: &ActorRef<Worker>) -> oneshot::Sender<()> {
    let (entered_tx, entered) = oneshot::channel();
    let (release, release_rx) = oneshot::channel();
    assert_eq!(
        sent(actor.tell(W::Hold(entered_tx, release_rx)).await),
        "Ok"
    );
    entered.await.expect("the handler entered the hold");
    release
}

/// Lets the other tasks of the current-thread runtime run (without advancing the clock).
async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
}

fn spawn_worker(system: &ActorSystem, name: &str, capacity: usize) -> ActorRef<Worker> {
    system
        .spawn_builder(Worker::ok())
        .name(name)
        .mailbox(capacity)
        .spawn()
        .expect("spawn")
}

fn worker(id: &str) -> ChildSpec {
    ChildSpec::worker(id, Worker::ok)
}

fn one_for_one() -> Supervisor {
    Supervisor::new(Strategy::OneForOne)
}

/// The capacity error's text for a requested capacity.
fn too_large(requested: usize) -> String {
    format!("CapacityTooLarge {{ requested: {requested}, max: {MAX_MAILBOX_CAPACITY} }}")
}

// ---------------------------------------------------------------------------------------------
// The system and spawning.

#[tokio::test(start_paused = true)]
async fn system_and_spawn_table() {
    let mut t = Table::default();
    let name = |r: Result<ActorSystem, actors::SystemError>| {
        format!("{:?}", r.map(|s| s.name().to_owned()))
    };

    t.row(
        "ActorSystem::new(\"\")",
        sync(|| name(ActorSystem::new(""))),
    );
    t.row(
        "ActorSystem::new(\"a/b\")",
        sync(|| name(ActorSystem::new("a/b"))),
    );
    t.row(
        "ActorSystem::new(\"/\")",
        sync(|| name(ActorSystem::new("/"))),
    );
    let built = |b: actors::SystemBuilder| sync(|| name(b.build()));
    t.row(
        "builder ask_timeout(0)",
        built(ActorSystem::builder("s").ask_timeout(Duration::ZERO)),
    );
    t.row(
        "builder shutdown_timeout(0)",
        built(ActorSystem::builder("s").shutdown_timeout(Duration::ZERO)),
    );
    t.row(
        "builder event_capacity(0)",
        built(ActorSystem::builder("s").event_capacity(0)),
    );
    t.row(
        "builder failure_journal(0)",
        built(ActorSystem::builder("s").failure_journal(0)),
    );
    t.row(
        "builder failure_journal(usize::MAX)",
        built(ActorSystem::builder("s").failure_journal(usize::MAX)),
    );

    // Overflowing timeouts are accepted and never overflow when used.
    let long = ActorSystem::builder("long")
        .ask_timeout(Duration::MAX)
        .shutdown_timeout(Duration::MAX)
        .failure_journal(usize::MAX)
        .build()
        .expect("a system with enormous settings");
    let a = spawn_worker(&long, "a", 4);
    t.row(
        "ask under a default ask_timeout(MAX)",
        bounded({
            let a = a.clone();
            async move { asked(a.ask(|r| W::Echo(7, r)).await) }
        })
        .await,
    );
    let f = spawn_worker(&long, "f", 4);
    let _ = f.tell(W::Fail).await;
    f.wait().await;
    t.row(
        "failures() under failure_journal(usize::MAX)",
        format!("{} failure(s)", long.failures().len()),
    );
    t.row(
        "shutdown under a per-actor shutdown_timeout(MAX)",
        bounded({
            let long = long.clone();
            async move { format!("{:?}", long.shutdown().await) }
        })
        .await,
    );

    // Spawn settings.
    let system = ActorSystem::new("s").unwrap();
    let spawned = |r: Result<ActorRef<Worker>, actors::SpawnError>| format!("{:?}", r.map(drop));
    t.row(
        "spawn mailbox(0)",
        sync(|| spawned(system.spawn_builder(Worker::ok()).mailbox(0).spawn())),
    );
    t.row(
        "spawn mailbox(MAX_MAILBOX_CAPACITY + 1)",
        sync(|| {
            spawned(
                system
                    .spawn_builder(Worker::ok())
                    .mailbox(MAX_MAILBOX_CAPACITY + 1)
                    .spawn(),
            )
        }),
    );
    t.row(
        "spawn mailbox(usize::MAX)",
        sync(|| {
            spawned(
                system
                    .spawn_builder(Worker::ok())
                    .mailbox(usize::MAX)
                    .spawn(),
            )
        }),
    );
    t.row(
        "spawn name(\"\")",
        sync(|| spawned(system.spawn_builder(Worker::ok()).name("").spawn())),
    );
    t.row(
        "spawn name(\"a/b\")",
        sync(|| spawned(system.spawn_builder(Worker::ok()).name("a/b").spawn())),
    );
    t.row(
        "spawn name(\"/\")",
        sync(|| spawned(system.spawn_builder(Worker::ok()).name("/").spawn())),
    );
    t.row(
        "spawn of a type with MAILBOX_CAPACITY = 0",
        sync(|| format!("{:?}", system.spawn(ZeroBox).map(drop))),
    );
    t.row(
        "spawn of a type with MAILBOX_CAPACITY = usize::MAX",
        sync(|| format!("{:?}", system.spawn(HugeBox).map(drop))),
    );
    t.row(
        "spawn_builder(ZeroBox).mailbox(1) overrides the type's 0",
        sync(|| {
            format!(
                "{:?}",
                system.spawn_builder(ZeroBox).mailbox(1).spawn().map(drop)
            )
        }),
    );
    let elsewhere = system.clone();
    t.row(
        "spawn on a thread without a runtime",
        std::thread::spawn(move || sync(|| spawned(elsewhere.spawn(Worker::ok()))))
            .join()
            .unwrap_or_else(|_| "PANIC".to_owned()),
    );
    t.row(
        "actor_count after the refused spawns (one accepted)",
        format!("{}", system.actor_count()),
    );
    t.row(
        "spawn mailbox(MAX_MAILBOX_CAPACITY) (the largest accepted)",
        bounded({
            let system = system.clone();
            async move {
                match system
                    .spawn_builder(Worker::ok())
                    .mailbox(MAX_MAILBOX_CAPACITY)
                    .spawn()
                {
                    Ok(big) => format!(
                        "capacity is max: {}, ask: {}",
                        big.capacity() == MAX_MAILBOX_CAPACITY,
                        asked(big.ask(|r| W::Echo(3, r)).await)
                    ),
                    Err(e) => format!("Err({e:?})"),
                }
            }
        })
        .await,
    );
    t.row(
        "system shutdown",
        bounded({
            let system = system.clone();
            async move { format!("{:?}", system.shutdown().await) }
        })
        .await,
    );

    t.check(
        &[
            &rows(&[
                ("ActorSystem::new(\"\")", "Err(InvalidName(\"\"))"),
                ("ActorSystem::new(\"a/b\")", "Err(InvalidName(\"a/b\"))"),
                ("ActorSystem::new(\"/\")", "Err(InvalidName(\"/\"))"),
                ("builder ask_timeout(0)", "Err(ZeroAskTimeout)"),
                ("builder shutdown_timeout(0)", "Err(ZeroShutdownTimeout)"),
                ("builder event_capacity(0)", "Err(ZeroEventCapacity)"),
                ("builder failure_journal(0)", "Err(ZeroFailureJournal)"),
                ("builder failure_journal(usize::MAX)", "Ok(\"s\")"),
                ("ask under a default ask_timeout(MAX)", "Ok(7)"),
                (
                    "failures() under failure_journal(usize::MAX)",
                    "2 failure(s)",
                ),
                ("shutdown under a per-actor shutdown_timeout(MAX)", "Ok(())"),
                ("spawn mailbox(0)", "Err(ZeroCapacity)"),
            ])[..],
            &[
                (
                    "spawn mailbox(MAX_MAILBOX_CAPACITY + 1)",
                    format!("Err({})", too_large(MAX_MAILBOX_CAPACITY + 1)),
                ),
                (
                    "spawn mailbox(usize::MAX)",
                    format!("Err({})", too_large(usize::MAX)),
                ),
            ],
            &rows(&[
                ("spawn name(\"\")", "Err(InvalidName(\"\"))"),
                ("spawn name(\"a/b\")", "Err(InvalidName(\"a/b\"))"),
                ("spawn name(\"/\")", "Err(InvalidName(\"/\"))"),
                (
                    "spawn of a type with MAILBOX_CAPACITY = 0",
                    "Err(ZeroCapacity)",
                ),
            ]),
            &[(
                "spawn of a type with MAILBOX_CAPACITY = usize::MAX",
                format!("Err({})", too_large(usize::MAX)),
            )],
            &rows(&[
                (
                    "spawn_builder(ZeroBox).mailbox(1) overrides the type's 0",
                    "Ok(())",
                ),
                ("spawn on a thread without a runtime", "Err(NoRuntime)"),
                ("actor_count after the refused spawns (one accepted)", "1"),
                (
                    "spawn mailbox(MAX_MAILBOX_CAPACITY) (the largest accepted)",
                    "capacity is max: true, ask: Ok(3)",
                ),
                ("system shutdown", "Ok(())"),
            ]),
        ]
        .concat(),
    );
}

// ---------------------------------------------------------------------------------------------
// Sends and asks to actors that are stopped, stopping, dying, or the caller itself.

#[tokio::test(start_paused = true)]
async fn sends_and_asks_table() {
    quiet_scripted_panics();
    let mut t = Table::default();
    let system = ActorSystem::new("s").unwrap();
    let mut events = system.events();

    // A stopped actor.
    let dead = spawn_worker(&system, "dead", 4);
    dead.stop();
    t.row("wait() of a stopped actor", exit(&dead.wait().await));
    t.row("tell to a stopped actor", sent(dead.tell(W::N(1)).await));
    t.row("try_tell to a stopped actor", sent(dead.try_tell(W::N(2))));
    t.row(
        "tell_timeout(1s) to a stopped actor",
        sent(dead.tell_timeout(W::N(3), Duration::from_secs(1)).await),
    );
    t.row(
        "tell_timeout(0) to a stopped actor",
        sent(dead.tell_timeout(W::N(4), Duration::ZERO).await),
    );
    t.row(
        "tell_timeout(MAX) to a stopped actor",
        sent(dead.tell_timeout(W::N(5), Duration::MAX).await),
    );
    t.row(
        "ask to a stopped actor",
        bounded({
            let dead = dead.clone();
            async move { asked(dead.ask(|r| W::Echo(1, r)).await) }
        })
        .await,
    );
    t.row(
        "ask_timeout(0) to a stopped actor",
        asked(dead.ask_timeout(|r| W::Echo(1, r), Duration::ZERO).await),
    );
    t.row(
        "ask_timeout(MAX) to a stopped actor",
        asked(dead.ask_timeout(|r| W::Echo(1, r), Duration::MAX).await),
    );
    let to_dead = dead.recipient::<u32>();
    t.row(
        "Recipient tell to a stopped actor",
        sent(to_dead.tell(6).await),
    );
    t.row(
        "Recipient try_tell to a stopped actor",
        sent(to_dead.try_tell(7)),
    );
    t.row(
        "Recipient is_alive of a stopped actor",
        format!("{}", to_dead.is_alive()),
    );
    t.row(
        "WeakActorRef upgrade of a stopped actor",
        format!("{:?}", dead.downgrade().upgrade().map(drop)),
    );
    t.row(
        "fan_out of one ask to a stopped actor, timeout MAX",
        bounded({
            let dead = dead.clone();
            async move {
                let answers = fan_out([dead.ask(|r| W::Echo(1, r))], Duration::MAX).await;
                format!("{:?}", answers.into_iter().map(asked).collect::<Vec<_>>())
            }
        })
        .await,
    );
    testkit::fail_next(&dead);
    t.row(
        "testkit::fail_next on a stopped actor",
        format!(
            "alive {}, exit {}",
            dead.is_alive(),
            exit(&dead.wait().await)
        ),
    );

    // A killed actor.
    let killed = spawn_worker(&system, "killed", 4);
    killed.kill();
    t.row("wait() of a killed actor", exit(&killed.wait().await));
    t.row("tell to a killed actor", sent(killed.tell(W::N(11)).await));

    // A draining actor refuses new messages at once.
    let draining = spawn_worker(&system, "draining", 4);
    let release = hold(&draining).await;
    draining.drain();
    settle().await;
    t.row(
        "tell to a draining actor",
        sent(draining.tell(W::N(12)).await),
    );
    t.row(
        "try_tell to a draining actor",
        sent(draining.try_tell(W::N(13))),
    );
    t.row(
        "ask to a draining actor",
        asked(draining.ask(|r| W::Echo(1, r)).await),
    );
    drop(release);
    t.row("wait() of a drained actor", exit(&draining.wait().await));

    // Senders waiting for room when the actor makes its final exit get their message back.
    let full = spawn_worker(&system, "full", 1);
    let _release = hold(&full).await;
    assert_eq!(sent(full.tell(W::N(20)).await), "Ok", "fills the one slot");
    let waiting_tell = tokio::spawn({
        let full = full.clone();
        async move { sent(full.tell(W::N(21)).await) }
    });
    let waiting_tell_timeout = tokio::spawn({
        let full = full.clone();
        async move { sent(full.tell_timeout(W::N(22), Duration::MAX).await) }
    });
    let waiting_recipient = tokio::spawn({
        let full = full.recipient::<u32>();
        async move { sent(full.tell(23).await) }
    });
    let waiting_ask = tokio::spawn({
        let full = full.clone();
        async move { asked(full.ask_timeout(|r| W::Echo(24, r), Duration::MAX).await) }
    });
    settle().await;
    t.row("try_tell to a full mailbox", sent(full.try_tell(W::N(25))));
    t.row(
        "tell_timeout(1s) to a mailbox that stays full",
        bounded({
            let full = full.clone();
            async move { sent(full.tell_timeout(W::N(26), Duration::from_secs(1)).await) }
        })
        .await,
    );
    t.row(
        "ask_timeout(1s) to a mailbox that stays full",
        bounded({
            let full = full.clone();
            async move {
                asked(
                    full.ask_timeout(|r| W::Echo(27, r), Duration::from_secs(1))
                        .await,
                )
            }
        })
        .await,
    );
    full.kill();
    t.row("wait() of the full actor, killed", exit(&full.wait().await));
    for (what, task) in [
        ("tell waiting for room at the final exit", waiting_tell),
        (
            "tell_timeout(MAX) waiting for room at the final exit",
            waiting_tell_timeout,
        ),
        (
            "Recipient tell waiting for room at the final exit",
            waiting_recipient,
        ),
        (
            "ask_timeout(MAX) waiting for room at the final exit",
            waiting_ask,
        ),
    ] {
        t.row(
            what,
            bounded(async move { task.await.unwrap_or_else(|e| format!("JOIN ERROR: {e}")) }).await,
        );
    }
    let mut undelivered = Vec::new();
    while let Ok(Some(event)) = events.try_recv() {
        if event.id == full.id() {
            if let EventKind::Undelivered(n) = event.kind {
                undelivered.push(n);
            }
        }
    }
    t.row(
        "Undelivered events of the full actor",
        format!("{undelivered:?}"),
    );

    // Asks whose actor dies mid-ask, one actor each (an actor spawned on the system has one
    // instance).
    let a = spawn_worker(&system, "held-then-killed", 4);
    let (entered_tx, entered) = oneshot::channel();
    let (_release, release_rx) = oneshot::channel();
    let ask = tokio::spawn({
        let a = a.clone();
        async move {
            asked(
                a.ask(|r| W::HoldAsk(entered_tx, release_rx, Then::Answer, r))
                    .await,
            )
        }
    });
    entered.await.unwrap();
    a.kill();
    t.row(
        "ask whose handler is killed",
        bounded(async move { ask.await.unwrap_or_else(|e| format!("JOIN ERROR: {e}")) }).await,
    );

    let a = spawn_worker(&system, "held-then-failed", 4);
    let (entered_tx, entered) = oneshot::channel();
    let (release, release_rx) = oneshot::channel();
    let ask = tokio::spawn({
        let a = a.clone();
        async move {
            asked(
                a.ask(|r| W::HoldAsk(entered_tx, release_rx, Then::Fail, r))
                    .await,
            )
        }
    });
    entered.await.unwrap();
    let _ = release.send(());
    t.row(
        "ask whose handler fails after a wait",
        bounded(async move { ask.await.unwrap_or_else(|e| format!("JOIN ERROR: {e}")) }).await,
    );

    let a = spawn_worker(&system, "fails-asked", 4);
    t.row(
        "ask whose handler returns Err",
        bounded(async move { asked(a.ask(W::FailAsk).await) }).await,
    );
    let a = spawn_worker(&system, "panics-asked", 4);
    t.row(
        "ask whose handler panics",
        bounded(async move { asked(a.ask(W::PanicAsk).await) }).await,
    );
    let a = spawn_worker(&system, "drops-reply", 4);
    t.row(
        "ask whose handler drops the reply",
        bounded(async move { asked(a.ask(W::DropReply).await) }).await,
    );

    let a = spawn_worker(&system, "queued-then-stopped", 4);
    let release = hold(&a).await;
    let ask = tokio::spawn({
        let a = a.clone();
        async move { asked(a.ask(|r| W::Echo(1, r)).await) }
    });
    settle().await;
    a.stop();
    let _ = release.send(());
    t.row(
        "ask queued when the actor stops",
        bounded(async move { ask.await.unwrap_or_else(|e| format!("JOIN ERROR: {e}")) }).await,
    );

    let a = spawn_worker(&system, "queued-then-killed", 4);
    let _release = hold(&a).await;
    let ask = tokio::spawn({
        let a = a.clone();
        async move { asked(a.ask(|r| W::Echo(1, r)).await) }
    });
    settle().await;
    a.kill();
    t.row(
        "ask queued when the actor is killed",
        bounded(async move { ask.await.unwrap_or_else(|e| format!("JOIN ERROR: {e}")) }).await,
    );

    let a = spawn_worker(&system, "busy", 4);
    let release = hold(&a).await;
    t.row(
        "ask_timeout(1s) to a busy actor",
        bounded({
            let a = a.clone();
            async move {
                asked(
                    a.ask_timeout(|r| W::Echo(1, r), Duration::from_secs(1))
                        .await,
                )
            }
        })
        .await,
    );
    t.row(
        "ask (default 5 s) to a busy actor",
        bounded({
            let a = a.clone();
            async move { asked(a.ask(|r| W::Echo(1, r)).await) }
        })
        .await,
    );
    drop(release);

    // Self-calls from a handler, with a one-slot mailbox.
    let me = spawn_worker(&system, "me", 1);
    t.row(
        "self-calls from a handler",
        bounded({
            let me = me.clone();
            async move { asked(me.ask(W::SelfCalls).await) }
        })
        .await,
    );
    // An ask cycle: a asks b, b asks a back (1 s) while a waits on b (10 s).
    let a = spawn_worker(&system, "cycle-a", 4);
    let b = spawn_worker(&system, "cycle-b", 4);
    t.row(
        "ask cycle a -> b -> a",
        bounded({
            let a = a.clone();
            async move {
                asked(
                    a.ask_timeout(
                        |r| W::AskOther(b, Duration::from_secs(10), r),
                        Duration::MAX,
                    )
                    .await,
                )
            }
        })
        .await,
    );
    t.row(
        "a still answers after the cycle",
        bounded(async move { asked(a.ask(|r| W::Echo(5, r)).await) }).await,
    );

    // Linking or monitoring oneself.
    let narcissus = spawn_worker(&system, "link-self", 4);
    let _ = narcissus.tell(W::LinkSelfThenFail).await;
    t.row(
        "ctx.link(own ref), then a failure",
        bounded(async move { exit(&narcissus.wait().await) }).await,
    );
    let narcissus = spawn_worker(&system, "monitor-self", 4);
    let _ = narcissus.tell(W::MonitorSelfThenStop).await;
    t.row(
        "ctx.monitor(own ref), then a stop",
        bounded(async move { exit(&narcissus.wait().await) }).await,
    );

    // A supervised actor whose handler fails while asked: the asker gets the failure, the
    // actor is restarted and answers the next ask.
    let sup = system
        .start_supervisor("sup", one_for_one().child(worker("w")))
        .await
        .unwrap();
    let w = sup.child("w").unwrap().downcast::<Worker>().unwrap();
    t.row(
        "ask to a supervised actor whose handler fails",
        bounded({
            let w = w.clone();
            async move { asked(w.ask(W::FailAsk).await) }
        })
        .await,
    );
    t.row(
        "the next ask to the restarted actor",
        bounded({
            let w = w.clone();
            async move {
                let answer = asked(w.ask(|r| W::Echo(2, r)).await);
                format!("{answer}, generation {}", w.generation())
            }
        })
        .await,
    );

    t.row(
        "system shutdown",
        bounded({
            let system = system.clone();
            async move { format!("{:?}", system.shutdown().await) }
        })
        .await,
    );
    t.row(
        "task_count after shutdown",
        format!("{}", system.task_count()),
    );

    t.check(&rows(&[
        ("wait() of a stopped actor", "Normal"),
        ("tell to a stopped actor", "Err(Closed(..)) back=1"),
        ("try_tell to a stopped actor", "Err(Closed(..)) back=2"),
        (
            "tell_timeout(1s) to a stopped actor",
            "Err(Closed(..)) back=3",
        ),
        (
            "tell_timeout(0) to a stopped actor",
            "Err(Closed(..)) back=4",
        ),
        (
            "tell_timeout(MAX) to a stopped actor",
            "Err(Closed(..)) back=5",
        ),
        ("ask to a stopped actor", "Err(Stopped)"),
        ("ask_timeout(0) to a stopped actor", "Err(Stopped)"),
        ("ask_timeout(MAX) to a stopped actor", "Err(Stopped)"),
        (
            "Recipient tell to a stopped actor",
            "Err(Closed(..)) back=6",
        ),
        (
            "Recipient try_tell to a stopped actor",
            "Err(Closed(..)) back=7",
        ),
        ("Recipient is_alive of a stopped actor", "false"),
        ("WeakActorRef upgrade of a stopped actor", "None"),
        (
            "fan_out of one ask to a stopped actor, timeout MAX",
            "[\"Err(Stopped)\"]",
        ),
        (
            "testkit::fail_next on a stopped actor",
            "alive false, exit Normal",
        ),
        ("wait() of a killed actor", "Killed"),
        ("tell to a killed actor", "Err(Closed(..)) back=11"),
        ("tell to a draining actor", "Err(Closed(..)) back=12"),
        ("try_tell to a draining actor", "Err(Closed(..)) back=13"),
        ("ask to a draining actor", "Err(Stopped)"),
        ("wait() of a drained actor", "Normal"),
        ("try_tell to a full mailbox", "Err(Full(..)) back=25"),
        (
            "tell_timeout(1s) to a mailbox that stays full",
            "Err(Timeout(..)) back=26",
        ),
        (
            "ask_timeout(1s) to a mailbox that stays full",
            "Err(Timeout(1s))",
        ),
        ("wait() of the full actor, killed", "Killed"),
        (
            "tell waiting for room at the final exit",
            "Err(Closed(..)) back=21",
        ),
        (
            "tell_timeout(MAX) waiting for room at the final exit",
            "Err(Closed(..)) back=22",
        ),
        (
            "Recipient tell waiting for room at the final exit",
            "Err(Closed(..)) back=23",
        ),
        (
            "ask_timeout(MAX) waiting for room at the final exit",
            "Err(Stopped)",
        ),
        ("Undelivered events of the full actor", "[1]"),
        ("ask whose handler is killed", "Err(Killed)"),
        (
            "ask whose handler fails after a wait",
            "Err(Failed(\"failing while asked\"))",
        ),
        (
            "ask whose handler returns Err",
            "Err(Failed(\"failing while asked\"))",
        ),
        (
            "ask whose handler panics",
            "Err(Failed(\"scripted panic while asked\", panic))",
        ),
        ("ask whose handler drops the reply", "Err(NoReply)"),
        ("ask queued when the actor stops", "Err(Stopped)"),
        ("ask queued when the actor is killed", "Err(Stopped)"),
        ("ask_timeout(1s) to a busy actor", "Err(Timeout(1s))"),
        ("ask (default 5 s) to a busy actor", "Err(Timeout(5s))"),
        (
            "self-calls from a handler",
            "Ok([\"tell: Ok\", \"tell, full: Err(WouldDeadlock(..)) back=2\", \
             \"tell_timeout(MAX), full: Err(WouldDeadlock(..)) back=3\", \
             \"tell_timeout(0), full: Err(WouldDeadlock(..)) back=4\", \
             \"try_tell, full: Err(Full(..)) back=5\", \
             \"recipient tell, full: Err(WouldDeadlock(..)) back=6\", \
             \"recipient try_tell, full: Err(Full(..)) back=7\", \
             \"ask: Err(SelfAsk)\", \"ask_timeout(MAX): Err(SelfAsk)\", \
             \"ask_timeout(0): Err(SelfAsk)\"])",
        ),
        (
            "ask cycle a -> b -> a",
            "Ok(\"Ok(\\\"Err(Timeout(1s))\\\")\")",
        ),
        ("a still answers after the cycle", "Ok(5)"),
        (
            "ctx.link(own ref), then a failure",
            "Failed(\"told to fail\" in handle)",
        ),
        ("ctx.monitor(own ref), then a stop", "Normal"),
        (
            "ask to a supervised actor whose handler fails",
            "Err(Failed(\"failing while asked\"))",
        ),
        ("the next ask to the restarted actor", "Ok(2), generation 2"),
        ("system shutdown", "Ok(())"),
        ("task_count after shutdown", "0"),
    ]));
}

// ---------------------------------------------------------------------------------------------
// Supervisor blueprints, admin calls and dynamic supervisors.

#[tokio::test(start_paused = true)]
async fn supervisor_table() {
    quiet_scripted_panics();
    let mut t = Table::default();
    let system = ActorSystem::new("s").unwrap();
    let start = |name: &'static str, sup: Supervisor| {
        let system = system.clone();
        bounded(async move { started(system.start_supervisor(name, sup).await) })
    };

    // Blueprints: found before anything starts.
    t.row("start_supervisor name \"\"", start("", one_for_one()).await);
    t.row(
        "start_supervisor name \"a/b\"",
        start("a/b", one_for_one()).await,
    );
    t.row(
        "intensity(3, 0)",
        start("z", one_for_one().intensity(3, Duration::ZERO)).await,
    );
    t.row(
        "duplicate child ids",
        start(
            "d",
            one_for_one()
                .child(worker("a"))
                .child(worker("b"))
                .child(worker("a")),
        )
        .await,
    );
    t.row(
        "child id \"\"",
        start("e", one_for_one().child(worker(""))).await,
    );
    t.row(
        "child id \"x/y\"",
        start("e", one_for_one().child(worker("x/y"))).await,
    );
    t.row(
        "Shutdown::Timeout(0)",
        start(
            "e",
            one_for_one().child(worker("a").shutdown(Shutdown::Timeout(Duration::ZERO))),
        )
        .await,
    );
    t.row(
        "start_timeout(0)",
        start(
            "e",
            one_for_one().child(worker("a").start_timeout(Duration::ZERO)),
        )
        .await,
    );
    let backoff = |b: Backoff| start("e", one_for_one().child(worker("a").backoff(b)));
    let ms = Duration::from_millis;
    t.row(
        "backoff min 0",
        backoff(Backoff::new(Duration::ZERO, ms(10))).await,
    );
    t.row(
        "backoff max < min",
        backoff(Backoff::new(ms(10), ms(5))).await,
    );
    t.row(
        "backoff jitter 1.5",
        backoff(Backoff::new(ms(1), ms(5)).jitter(1.5)).await,
    );
    t.row(
        "backoff jitter -0.1",
        backoff(Backoff::new(ms(1), ms(5)).jitter(-0.1)).await,
    );
    t.row(
        "backoff jitter NaN",
        backoff(Backoff::new(ms(1), ms(5)).jitter(f64::NAN)).await,
    );
    t.row(
        "backoff reset_after 0",
        backoff(Backoff::new(ms(1), ms(5)).reset_after(Duration::ZERO)).await,
    );
    t.row(
        "significant Permanent child",
        start(
            "e",
            one_for_one()
                .auto_shutdown(AutoShutdown::AnySignificant)
                .child(worker("a").significant(true)),
        )
        .await,
    );
    t.row(
        "significant child under AutoShutdown::Never",
        start(
            "e",
            one_for_one().child(worker("a").restart(Restart::Transient).significant(true)),
        )
        .await,
    );
    t.row(
        "child mailbox(0)",
        start("e", one_for_one().child(worker("a").mailbox(0))).await,
    );
    t.row(
        "child mailbox(usize::MAX)",
        start("e", one_for_one().child(worker("a").mailbox(usize::MAX))).await,
    );
    t.row(
        "child of a type with MAILBOX_CAPACITY = 0",
        start("e", one_for_one().child(ChildSpec::worker("z", || ZeroBox))).await,
    );
    t.row(
        "nested supervisor with child id \"\"",
        start(
            "e",
            one_for_one().child(ChildSpec::supervisor(
                "inner",
                one_for_one().child(worker("")),
            )),
        )
        .await,
    );
    t.row(
        "nested supervisor with duplicate ids",
        start(
            "e",
            one_for_one().child(ChildSpec::supervisor(
                "inner",
                one_for_one().child(worker("x")).child(worker("x")),
            )),
        )
        .await,
    );
    t.row(
        "nested supervisor with intensity window 0",
        start(
            "e",
            one_for_one().child(ChildSpec::supervisor(
                "inner",
                one_for_one().intensity(1, Duration::ZERO),
            )),
        )
        .await,
    );
    t.row(
        "Supervisor::validate with intensity window 0",
        sync(|| {
            format!(
                "{:?}",
                one_for_one().intensity(1, Duration::ZERO).validate()
            )
        }),
    );
    t.row(
        "ChildSpec::validate with id \"\"",
        sync(|| format!("{:?}", worker("").validate())),
    );
    t.row(
        "supervisor spec mailbox(0) (ignored for supervisors)",
        start(
            "nested-ok",
            one_for_one().child(ChildSpec::supervisor("inner", one_for_one()).mailbox(0)),
        )
        .await,
    );
    t.row(
        "a child whose started fails",
        start(
            "failing",
            one_for_one()
                .child(worker("ok"))
                .child(ChildSpec::worker("bad", Worker::failing_start)),
        )
        .await,
    );
    t.row(
        "start_timeout(MAX)",
        start(
            "st",
            one_for_one().child(worker("a").start_timeout(Duration::MAX)),
        )
        .await,
    );

    // Values that could overflow, in use.
    let mut events = system.events();
    let huge = system
        .start_supervisor(
            "huge",
            one_for_one()
                .intensity(u32::MAX, Duration::MAX)
                .child(worker("w")),
        )
        .await
        .unwrap();
    let w = huge.child("w").unwrap().downcast::<Worker>().unwrap();
    for generation in 2..=4 {
        let _ = w.tell(W::Fail).await;
        testkit::until_restarted(&mut events, &w, generation, BOUND)
            .await
            .unwrap();
    }
    t.row(
        "intensity(u32::MAX, MAX) after 3 failures",
        format!("alive {}, generation {}", huge.is_alive(), w.generation()),
    );

    let once = system
        .start_supervisor(
            "once",
            one_for_one().intensity(1, Duration::MAX).child(worker("w")),
        )
        .await
        .unwrap();
    let w = once.child("w").unwrap().downcast::<Worker>().unwrap();
    let _ = w.tell(W::Fail).await;
    testkit::until_restarted(&mut events, &w, 2, BOUND)
        .await
        .unwrap();
    let _ = w.tell(W::Fail).await;
    t.row(
        "intensity(1, MAX): the second failure escalates",
        bounded(async move { exit(&once.wait().await) }).await,
    );

    let never = system
        .start_supervisor(
            "never",
            one_for_one().intensity(0, Duration::MAX).child(worker("w")),
        )
        .await
        .unwrap();
    let w = never.child("w").unwrap().downcast::<Worker>().unwrap();
    let _ = w.tell(W::Fail).await;
    t.row(
        "intensity(0, MAX): the first failure escalates",
        bounded(async move { exit(&never.wait().await) }).await,
    );

    let patient = system
        .start_supervisor(
            "patient",
            one_for_one().child(worker("w").shutdown(Shutdown::Timeout(Duration::MAX))),
        )
        .await
        .unwrap();
    t.row(
        "terminate_child of a Shutdown::Timeout(MAX) child",
        bounded({
            let patient = patient.clone();
            async move { admin(patient.terminate_child("w").await, unit) }
        })
        .await,
    );

    let backed = system
        .start_supervisor(
            "backed",
            one_for_one().child(worker("k").backoff(Backoff::new(Duration::MAX, Duration::MAX))),
        )
        .await
        .unwrap();
    let k = backed.child("k").unwrap().downcast::<Worker>().unwrap();
    let _ = k.tell(W::Fail).await;
    let scheduled = testkit::until_event(&mut events, BOUND, |e| {
        e.id == k.id() && matches!(e.kind, EventKind::RestartScheduled(_))
    })
    .await;
    t.row(
        "backoff(MAX, MAX): the restart scheduled",
        format!("{:?}", scheduled.map(|e| e.kind)),
    );
    t.row(
        "backoff(MAX, MAX): the child's state",
        format!("{:?}", backed.child("k").map(|c| c.state())),
    );
    t.row(
        "backoff(MAX, MAX): terminate_child while it waits",
        bounded({
            let backed = backed.clone();
            async move { admin(backed.terminate_child("k").await, unit) }
        })
        .await,
    );
    t.row(
        "Backoff::delay(u32::MAX, 0.999) with jitter 1 and max MAX",
        sync(|| {
            format!(
                "{:?}",
                Backoff::new(Duration::from_nanos(1), Duration::MAX)
                    .jitter(1.0)
                    .delay(u32::MAX, 0.999)
            )
        }),
    );
    t.row(
        "Backoff::delay(0, 1.0) of min MAX/2 with jitter 1",
        sync(|| {
            format!(
                "{:?}",
                Backoff::new(Duration::MAX / 2, Duration::MAX)
                    .jitter(1.0)
                    .delay(0, 1.0)
            )
        }),
    );
    t.row(
        "Backoff::delay(3, NaN)",
        sync(|| {
            format!(
                "{:?}",
                Backoff::new(ms(1), ms(50)).jitter(1.0).delay(3, f64::NAN)
            )
        }),
    );

    // Admin calls on a running supervisor.
    let sup = system
        .start_supervisor(
            "adm",
            one_for_one()
                .child(worker("a"))
                .child(worker("slow").backoff(Backoff::new(
                    Duration::from_secs(3600),
                    Duration::from_secs(3600),
                ))),
        )
        .await
        .unwrap();
    macro_rules! call {
        ($what:expr, $call:ident($($arg:expr),*), $ok:expr) => {{
            let sup = sup.clone();
            t.row($what, bounded(async move { admin(sup.$call($($arg),*).await, $ok) }).await);
        }};
    }
    call!("terminate_child(\"nope\")", terminate_child("nope"), unit);
    call!("restart_child(\"nope\")", restart_child("nope"), child_id);
    call!("delete_child(\"nope\")", delete_child("nope"), unit);
    call!("terminate_child(\"\")", terminate_child(""), unit);
    call!(
        "start_child of a running id",
        start_child(worker("a")),
        child_id
    );
    call!(
        "restart_child of a running child",
        restart_child("a"),
        child_id
    );
    call!("delete_child of a running child", delete_child("a"), unit);
    call!(
        "start_child with id \"\"",
        start_child(worker("")),
        child_id
    );
    call!(
        "start_child with Shutdown::Timeout(0)",
        start_child(worker("z").shutdown(Shutdown::Timeout(Duration::ZERO))),
        child_id
    );
    call!(
        "start_child with mailbox(0)",
        start_child(worker("z").mailbox(0)),
        child_id
    );
    call!(
        "start_child significant under AutoShutdown::Never",
        start_child(worker("z").restart(Restart::Transient).significant(true)),
        child_id
    );
    call!(
        "start_child of an invalid nested supervisor",
        start_child(ChildSpec::supervisor(
            "inner",
            one_for_one().intensity(1, Duration::ZERO)
        )),
        child_id
    );
    call!(
        "start_child whose started fails",
        start_child(ChildSpec::worker("bad", Worker::failing_start)),
        child_id
    );
    t.row(
        "the failed start_child's spec is discarded",
        format!("{:?}", sup.child("bad").map(|c| c.id().to_owned())),
    );
    t.row(
        "child(\"nope\")",
        format!("{:?}", sup.child("nope").map(drop)),
    );
    t.row(
        "ChildRef::downcast to the wrong type",
        format!(
            "{:?}",
            sup.child("a").map(|c| c.downcast::<Other>().map(drop))
        ),
    );
    t.row(
        "ChildRef::supervisor of a worker",
        format!("{:?}", sup.child("a").map(|c| c.supervisor().map(drop))),
    );
    let slow = sup.child("slow").unwrap().downcast::<Worker>().unwrap();
    let _ = slow.tell(W::Fail).await;
    testkit::until_event(&mut events, BOUND, |e| {
        e.id == slow.id() && matches!(e.kind, EventKind::RestartScheduled(_))
    })
    .await
    .unwrap();
    call!(
        "restart_child of a restarting child",
        restart_child("slow"),
        child_id
    );
    call!(
        "delete_child of a restarting child",
        delete_child("slow"),
        unit
    );
    call!(
        "start_child of a restarting child's id",
        start_child(worker("slow")),
        child_id
    );
    call!(
        "terminate_child of a restarting child",
        terminate_child("slow"),
        unit
    );
    call!("terminate_child(\"a\")", terminate_child("a"), unit);
    call!("terminate_child(\"a\") again", terminate_child("a"), unit);
    call!(
        "start_child of a stopped child's id",
        start_child(worker("a")),
        child_id
    );
    call!(
        "restart_child of a stopped child",
        restart_child("a"),
        child_id
    );
    call!(
        "terminate_child(\"a\") a third time",
        terminate_child("a"),
        unit
    );
    call!("delete_child of a stopped child", delete_child("a"), unit);
    call!("delete_child of a deleted child", delete_child("a"), unit);

    // A stopped supervisor takes no more calls.
    sup.stop();
    t.row("wait() of the stopped supervisor", exit(&sup.wait().await));
    call!(
        "start_child on a stopped supervisor",
        start_child(worker("n")),
        child_id
    );
    call!(
        "terminate_child on a stopped supervisor",
        terminate_child("slow"),
        unit
    );
    call!(
        "restart_child on a stopped supervisor",
        restart_child("slow"),
        child_id
    );
    call!(
        "delete_child on a stopped supervisor",
        delete_child("slow"),
        unit
    );

    // Dynamic supervisors.
    let template = |capacity: usize| ChildSpec::worker("w", Worker::ok).mailbox(capacity);
    t.row(
        "DynamicSupervisor max_children(0)",
        bounded({
            let system = system.clone();
            async move {
                started(
                    DynamicSupervisor::new(template)
                        .max_children(0)
                        .start(&system, "dz")
                        .await,
                )
            }
        })
        .await,
    );
    t.row(
        "DynamicSupervisor intensity(1, 0)",
        bounded({
            let system = system.clone();
            async move {
                started(
                    DynamicSupervisor::new(template)
                        .intensity(1, Duration::ZERO)
                        .start(&system, "dz")
                        .await,
                )
            }
        })
        .await,
    );
    t.row(
        "DynamicSupervisor name \"\"",
        bounded({
            let system = system.clone();
            async move { started(DynamicSupervisor::new(template).start(&system, "").await) }
        })
        .await,
    );
    let slashed = DynamicSupervisor::new(|(): ()| ChildSpec::worker("a/b", Worker::ok))
        .start(&system, "slashed")
        .await
        .unwrap();
    t.row(
        "dynamic start_child from a template with id \"a/b\"",
        bounded(async move { admin(slashed.start_child(()).await, child_id) }).await,
    );
    let dynamic = DynamicSupervisor::new(template)
        .max_children(1)
        .start(&system, "dyn")
        .await
        .unwrap();
    macro_rules! dcall {
        ($what:expr, $call:ident($($arg:expr),*), $ok:expr) => {{
            let dynamic = dynamic.clone();
            t.row($what, bounded(async move { admin(dynamic.$call($($arg),*).await, $ok) }).await);
        }};
    }
    dcall!(
        "dynamic start_child with mailbox 0",
        start_child(0),
        child_id
    );
    dcall!("dynamic start_child", start_child(4), child_id);
    dcall!(
        "dynamic start_child at max_children",
        start_child(4),
        child_id
    );
    dcall!(
        "dynamic start_child_spec at max_children",
        start_child_spec(worker("other")),
        child_id
    );
    dcall!(
        "dynamic start_child_spec of a running id",
        start_child_spec(worker("w-2")),
        child_id
    );
    dcall!(
        "dynamic start_child_spec whose started fails",
        start_child_spec(ChildSpec::worker("bad", Worker::failing_start)),
        child_id
    );
    dynamic.stop();
    t.row(
        "wait() of the stopped dynamic supervisor",
        exit(&dynamic.wait().await),
    );
    dcall!(
        "dynamic start_child on a stopped supervisor",
        start_child(4),
        child_id
    );
    let unbounded = DynamicSupervisor::new(template)
        .max_children(usize::MAX)
        .intensity(u32::MAX, Duration::MAX)
        .start(&system, "unbounded")
        .await;
    t.row(
        "DynamicSupervisor max_children(usize::MAX) and intensity(u32::MAX, MAX)",
        match unbounded {
            Ok(d) => bounded(async move { admin(d.start_child(1).await, child_id) }).await,
            Err(e) => format!("Err({})", start_error(&e)),
        },
    );

    t.row(
        "system shutdown",
        bounded({
            let system = system.clone();
            async move { format!("{:?}", system.shutdown().await) }
        })
        .await,
    );

    let invalid = |e: &str| format!("Err(InvalidSpec({e}))");
    let backoff_problem = |problem: &str| {
        invalid(&format!(
            "InvalidBackoff {{ child: \"a\", problem: {problem:?} }}"
        ))
    };
    let admin_invalid = |e: &str| format!("Err(InvalidSpec({e}))");
    let expected: Vec<(&str, String)> = vec![
        (
            "start_supervisor name \"\"",
            "Err(Spawn(InvalidName(\"\")))".into(),
        ),
        (
            "start_supervisor name \"a/b\"",
            "Err(Spawn(InvalidName(\"a/b\")))".into(),
        ),
        ("intensity(3, 0)", invalid("ZeroPeriod")),
        ("duplicate child ids", invalid("DuplicateChildId(\"a\")")),
        ("child id \"\"", invalid("InvalidChildId(\"\")")),
        ("child id \"x/y\"", invalid("InvalidChildId(\"x/y\")")),
        (
            "Shutdown::Timeout(0)",
            invalid("ZeroShutdownTimeout { child: \"a\" }"),
        ),
        (
            "start_timeout(0)",
            invalid("ZeroStartTimeout { child: \"a\" }"),
        ),
        (
            "backoff min 0",
            backoff_problem("the minimum delay must be greater than zero"),
        ),
        (
            "backoff max < min",
            backoff_problem("the maximum delay is below the minimum"),
        ),
        (
            "backoff jitter 1.5",
            backoff_problem("the jitter must be within [0, 1]"),
        ),
        (
            "backoff jitter -0.1",
            backoff_problem("the jitter must be within [0, 1]"),
        ),
        (
            "backoff jitter NaN",
            backoff_problem("the jitter must be within [0, 1]"),
        ),
        (
            "backoff reset_after 0",
            backoff_problem("the quiet period must be greater than zero"),
        ),
        (
            "significant Permanent child",
            invalid("SignificantPermanent { child: \"a\" }"),
        ),
        (
            "significant child under AutoShutdown::Never",
            invalid("SignificantWithoutAutoShutdown { child: \"a\" }"),
        ),
        (
            "child mailbox(0)",
            invalid("InvalidCapacity { child: \"a\", source: ZeroCapacity }"),
        ),
        (
            "child mailbox(usize::MAX)",
            invalid(&format!(
                "InvalidCapacity {{ child: \"a\", source: {} }}",
                too_large(usize::MAX)
            )),
        ),
        (
            "child of a type with MAILBOX_CAPACITY = 0",
            invalid("InvalidCapacity { child: \"z\", source: ZeroCapacity }"),
        ),
        (
            "nested supervisor with child id \"\"",
            invalid("InvalidChildId(\"\")"),
        ),
        (
            "nested supervisor with duplicate ids",
            invalid("DuplicateChildId(\"x\")"),
        ),
        (
            "nested supervisor with intensity window 0",
            invalid("ZeroPeriod"),
        ),
        (
            "Supervisor::validate with intensity window 0",
            "Err(ZeroPeriod)".into(),
        ),
        (
            "ChildSpec::validate with id \"\"",
            "Err(InvalidChildId(\"\"))".into(),
        ),
        (
            "supervisor spec mailbox(0) (ignored for supervisors)",
            "Ok(started)".into(),
        ),
        (
            "a child whose started fails",
            "Err(ChildFailed { child: \"bad\", path: /s/failing/bad, reason: \
             Failed(\"refuses to start\" in started) })"
                .into(),
        ),
        ("start_timeout(MAX)", "Ok(started)".into()),
        (
            "intensity(u32::MAX, MAX) after 3 failures",
            "alive true, generation 4".into(),
        ),
        (
            "intensity(1, MAX): the second failure escalates",
            "Shutdown(IntensityExceeded)".into(),
        ),
        (
            "intensity(0, MAX): the first failure escalates",
            "Shutdown(IntensityExceeded)".into(),
        ),
        (
            "terminate_child of a Shutdown::Timeout(MAX) child",
            "Ok(())".into(),
        ),
        (
            "backoff(MAX, MAX): the restart scheduled",
            format!("Ok(RestartScheduled({:?}))", Duration::MAX),
        ),
        (
            "backoff(MAX, MAX): the child's state",
            "Some(Restarting)".into(),
        ),
        (
            "backoff(MAX, MAX): terminate_child while it waits",
            "Ok(())".into(),
        ),
        (
            "Backoff::delay(u32::MAX, 0.999) with jitter 1 and max MAX",
            format!("{:?}", Duration::MAX),
        ),
        (
            "Backoff::delay(0, 1.0) of min MAX/2 with jitter 1",
            format!("{:?}", Duration::MAX),
        ),
        // A NaN draw is out of its domain; the delay falls back to the cap.
        ("Backoff::delay(3, NaN)", format!("{:?}", ms(50))),
        (
            "terminate_child(\"nope\")",
            "Err(NotFound(\"nope\"))".into(),
        ),
        ("restart_child(\"nope\")", "Err(NotFound(\"nope\"))".into()),
        ("delete_child(\"nope\")", "Err(NotFound(\"nope\"))".into()),
        ("terminate_child(\"\")", "Err(NotFound(\"\"))".into()),
        (
            "start_child of a running id",
            "Err(AlreadyStarted(\"a\"))".into(),
        ),
        (
            "restart_child of a running child",
            "Err(Running(\"a\"))".into(),
        ),
        (
            "delete_child of a running child",
            "Err(Running(\"a\"))".into(),
        ),
        (
            "start_child with id \"\"",
            admin_invalid("InvalidChildId(\"\")"),
        ),
        (
            "start_child with Shutdown::Timeout(0)",
            admin_invalid("ZeroShutdownTimeout { child: \"z\" }"),
        ),
        (
            "start_child with mailbox(0)",
            admin_invalid("InvalidCapacity { child: \"z\", source: ZeroCapacity }"),
        ),
        (
            "start_child significant under AutoShutdown::Never",
            admin_invalid("SignificantWithoutAutoShutdown { child: \"z\" }"),
        ),
        (
            "start_child of an invalid nested supervisor",
            admin_invalid("ZeroPeriod"),
        ),
        (
            "start_child whose started fails",
            "Err(StartFailed { child: \"bad\", reason: Failed(\"refuses to start\" in started) })"
                .into(),
        ),
        ("the failed start_child's spec is discarded", "None".into()),
        (
            "restart_child of a restarting child",
            "Err(Restarting(\"slow\"))".into(),
        ),
        (
            "delete_child of a restarting child",
            "Err(Restarting(\"slow\"))".into(),
        ),
        (
            "start_child of a restarting child's id",
            "Err(AlreadyPresent(\"slow\"))".into(),
        ),
        ("terminate_child of a restarting child", "Ok(())".into()),
        ("terminate_child(\"a\")", "Ok(())".into()),
        ("terminate_child(\"a\") again", "Ok(())".into()),
        (
            "start_child of a stopped child's id",
            "Err(AlreadyPresent(\"a\"))".into(),
        ),
        ("restart_child of a stopped child", "Ok(\"a\")".into()),
        ("terminate_child(\"a\") a third time", "Ok(())".into()),
        ("delete_child of a stopped child", "Ok(())".into()),
        (
            "delete_child of a deleted child",
            "Err(NotFound(\"a\"))".into(),
        ),
        ("child(\"nope\")", "None".into()),
        ("ChildRef::downcast to the wrong type", "Some(None)".into()),
        ("ChildRef::supervisor of a worker", "Some(None)".into()),
        ("wait() of the stopped supervisor", "Normal".into()),
        (
            "start_child on a stopped supervisor",
            "Err(SupervisorStopped)".into(),
        ),
        (
            "terminate_child on a stopped supervisor",
            "Err(SupervisorStopped)".into(),
        ),
        (
            "restart_child on a stopped supervisor",
            "Err(SupervisorStopped)".into(),
        ),
        (
            "delete_child on a stopped supervisor",
            "Err(SupervisorStopped)".into(),
        ),
        (
            "DynamicSupervisor max_children(0)",
            invalid("ZeroMaxChildren"),
        ),
        ("DynamicSupervisor intensity(1, 0)", invalid("ZeroPeriod")),
        (
            "DynamicSupervisor name \"\"",
            "Err(Spawn(InvalidName(\"\")))".into(),
        ),
        (
            "dynamic start_child from a template with id \"a/b\"",
            admin_invalid("InvalidChildId(\"a/b-1\")"),
        ),
        (
            "dynamic start_child with mailbox 0",
            admin_invalid("InvalidCapacity { child: \"w-1\", source: ZeroCapacity }"),
        ),
        ("dynamic start_child", "Ok(\"w-2\")".into()),
        (
            "dynamic start_child at max_children",
            "Err(MaxChildren(1))".into(),
        ),
        (
            "dynamic start_child_spec at max_children",
            "Err(MaxChildren(1))".into(),
        ),
        (
            "dynamic start_child_spec of a running id",
            "Err(AlreadyStarted(\"w-2\"))".into(),
        ),
        (
            "dynamic start_child_spec whose started fails",
            "Err(MaxChildren(1))".into(),
        ),
        ("wait() of the stopped dynamic supervisor", "Normal".into()),
        (
            "dynamic start_child on a stopped supervisor",
            "Err(SupervisorStopped)".into(),
        ),
        (
            "DynamicSupervisor max_children(usize::MAX) and intensity(u32::MAX, MAX)",
            "Ok(\"w-1\")".into(),
        ),
        ("system shutdown", "Ok(())".into()),
    ];
    t.check(&expected);
}

// ---------------------------------------------------------------------------------------------
// Pools, the registry, topics, fan-out, the tree and the test kit.

#[tokio::test(start_paused = true)]
async fn pool_registry_and_misc_table() {
    let mut t = Table::default();
    let system = ActorSystem::new("s").unwrap();
    let start = |name: &'static str, builder: actors::PoolBuilder<Worker>| {
        let system = system.clone();
        bounded(async move { pooled(builder.start(&system, name).await) })
    };
    t.row(
        "Pool size(0)",
        start("p", Pool::builder(Worker::ok).size(0)).await,
    );
    t.row(
        "Pool mailbox(0)",
        start("p", Pool::builder(Worker::ok).mailbox(0)).await,
    );
    t.row(
        "Pool mailbox(MAX_MAILBOX_CAPACITY + 1)",
        start(
            "p",
            Pool::builder(Worker::ok).mailbox(MAX_MAILBOX_CAPACITY + 1),
        )
        .await,
    );
    t.row("Pool name \"\"", start("", Pool::builder(Worker::ok)).await);
    t.row(
        "Pool name \"a/b\"",
        start("a/b", Pool::builder(Worker::ok)).await,
    );
    t.row(
        "Pool intensity(1, 0)",
        start("p", Pool::builder(Worker::ok).intensity(1, Duration::ZERO)).await,
    );
    t.row(
        "Pool of a type with MAILBOX_CAPACITY = 0",
        bounded({
            let system = system.clone();
            async move { pooled(Pool::builder(|| ZeroBox).size(1).start(&system, "p").await) }
        })
        .await,
    );
    t.row(
        "Pool whose workers fail to start",
        start("p", Pool::builder(Worker::failing_start).size(2)).await,
    );

    let pool = Pool::builder(Worker::ok)
        .size(2)
        .start(&system, "pool")
        .await
        .unwrap();
    t.row(
        "Pool resize(0)",
        bounded({
            let pool = pool.clone();
            async move { pooled(pool.resize(0).await) }
        })
        .await,
    );
    t.row("Pool size after resize(0)", format!("{}", pool.size()));
    t.row(
        "Pool shutdown",
        bounded({
            let pool = pool.clone();
            async move {
                pool.shutdown().await;
                "done".to_owned()
            }
        })
        .await,
    );
    t.row(
        "Pool resize(3) after shutdown",
        bounded({
            let pool = pool.clone();
            async move { pooled(pool.resize(3).await) }
        })
        .await,
    );
    t.row(
        "Pool submit after shutdown",
        bounded({
            let pool = pool.clone();
            async move { sent(pool.submit(W::N(1)).await) }
        })
        .await,
    );
    t.row(
        "Pool try_submit after shutdown",
        sent(pool.try_submit(W::N(2))),
    );
    t.row(
        "Pool submit_keyed after shutdown",
        bounded({
            let pool = pool.clone();
            async move { sent(pool.submit_keyed("k", W::N(3)).await) }
        })
        .await,
    );
    t.row(
        "Pool ask after shutdown",
        bounded({
            let pool = pool.clone();
            async move { asked(pool.ask(|r| W::Echo(1, r)).await) }
        })
        .await,
    );
    t.row(
        "Pool ask_keyed after shutdown",
        bounded({
            let pool = pool.clone();
            async move { asked(pool.ask_keyed("k", |r| W::Echo(1, r)).await) }
        })
        .await,
    );
    t.row(
        "Pool keyed after shutdown",
        format!("{:?}", pool.keyed("k").map(drop)),
    );
    t.row(
        "Pool shutdown again",
        bounded({
            let pool = pool.clone();
            async move {
                pool.shutdown().await;
                "done".to_owned()
            }
        })
        .await,
    );

    // The registry.
    let a = spawn_worker(&system, "a", 4);
    let b = spawn_worker(&system, "b", 4);
    let registry = system.registry();
    t.row("register \"\"", format!("{:?}", registry.register("", &a)));
    t.row(
        "register \"db\"",
        format!("{:?}", registry.register("db", &a)),
    );
    // Registry names are not path segments: only the empty name is refused (as documented
    // by `RegistryError::InvalidName`).
    t.row(
        "register \"a/b\"",
        format!("{:?}", registry.register("a/b", &a)),
    );
    t.row(
        "lookup of \"a/b\"",
        format!(
            "{:?}",
            registry.lookup::<Worker>("a/b").map(|w| w.id() == a.id())
        ),
    );
    t.row(
        "register \"db\" for another actor",
        format!("{:?}", registry.register("db", &b)),
    );
    t.row(
        "lookup of an unknown name",
        format!("{:?}", registry.lookup::<Worker>("nobody").map(drop)),
    );
    t.row(
        "lookup of \"\"",
        format!("{:?}", registry.lookup::<Worker>("").map(drop)),
    );
    t.row(
        "lookup of the wrong type",
        format!("{:?}", registry.lookup::<Other>("db").map(drop)),
    );
    t.row(
        "unregister of an unknown name",
        format!("{}", registry.unregister("nobody")),
    );
    let gone = spawn_worker(&system, "gone", 4);
    gone.stop();
    gone.wait().await;
    t.row(
        "register a stopped actor",
        format!("{:?}", registry.register("late", &gone)),
    );
    t.row(
        "lookup of the name a stopped actor could not take",
        format!("{:?}", registry.lookup::<Worker>("late").map(drop)),
    );
    a.stop();
    a.wait().await;
    t.row(
        "lookup after the named actor stopped",
        format!("{:?}", registry.lookup::<Worker>("db").map(drop)),
    );

    // Topics, fan-out and the tree.
    let topic = Topic::<u32>::new();
    t.row(
        "Topic subscribe of a stopped actor",
        format!("{}", topic.subscribe(&gone, Overflow::Wait)),
    );
    t.row(
        "Topic publish with no subscriber",
        bounded({
            let topic = topic.clone();
            async move { format!("{:?}", topic.publish(1).await) }
        })
        .await,
    );
    t.row(
        "fan_out of nothing, timeout 0",
        bounded(async move {
            let none: Vec<std::future::Ready<Result<u32, AskError>>> = Vec::new();
            format!("{:?}", fan_out(none, Duration::ZERO).await.len())
        })
        .await,
    );
    t.row(
        "fan_out of nothing, timeout MAX",
        bounded(async move {
            let none: Vec<std::future::Ready<Result<u32, AskError>>> = Vec::new();
            format!("{:?}", fan_out(none, Duration::MAX).await.len())
        })
        .await,
    );
    t.row(
        "tree_within(MAX)",
        bounded({
            let system = system.clone();
            async move {
                let tree = system.tree_within(Duration::MAX).await;
                format!("/s/b found: {}", tree.find("/s/b").is_some())
            }
        })
        .await,
    );
    t.row(
        "tree find of a malformed path",
        bounded({
            let system = system.clone();
            async move {
                let tree = system.tree_within(Duration::from_secs(1)).await;
                format!(
                    "{:?}",
                    ["", "/", "//", "s/b", "/s/b/"].map(|p| tree.find(p).is_some())
                )
            }
        })
        .await,
    );

    // The test kit.
    let (probe, log) = Probe::<u32>::new();
    let _probe = system.spawn(probe).unwrap();
    t.row(
        "ProbeLog::received(1, 0) with nothing received",
        bounded({
            let log = log.clone();
            async move { format!("{:?}", log.received(1, Duration::ZERO).await) }
        })
        .await,
    );
    let mut events = system.events();
    t.row(
        "until_event(.., 0, ..) with nothing coming",
        format!(
            "{:?}",
            testkit::until_event(&mut events, Duration::ZERO, |_| true)
                .await
                .map(drop)
        ),
    );
    t.row(
        "until_stopped of an actor that stopped before the subscription",
        format!(
            "{:?}",
            testkit::until_stopped(&mut events, gone.id(), Duration::from_secs(1)).await
        ),
    );

    t.row(
        "system shutdown",
        bounded({
            let system = system.clone();
            async move { format!("{:?}", system.shutdown().await) }
        })
        .await,
    );

    let capacity = |child: &str, source: &str| {
        format!("Err(Start(InvalidSpec(InvalidCapacity {{ child: {child:?}, source: {source} }})))")
    };
    let expected: Vec<(&str, String)> = vec![
        ("Pool size(0)", "Err(ZeroSize)".into()),
        ("Pool mailbox(0)", capacity("worker-0", "ZeroCapacity")),
        (
            "Pool mailbox(MAX_MAILBOX_CAPACITY + 1)",
            capacity("worker-0", &too_large(MAX_MAILBOX_CAPACITY + 1)),
        ),
        (
            "Pool name \"\"",
            "Err(Start(Spawn(InvalidName(\"\"))))".into(),
        ),
        (
            "Pool name \"a/b\"",
            "Err(Start(Spawn(InvalidName(\"a/b\"))))".into(),
        ),
        (
            "Pool intensity(1, 0)",
            "Err(Start(InvalidSpec(ZeroPeriod)))".into(),
        ),
        (
            "Pool of a type with MAILBOX_CAPACITY = 0",
            capacity("worker-0", "ZeroCapacity"),
        ),
        (
            "Pool whose workers fail to start",
            "Err(Start(ChildFailed { child: \"worker-0\", path: /s/p/worker-0, reason: \
             Failed(\"refuses to start\" in started) }))"
                .into(),
        ),
        ("Pool resize(0)", "Err(ZeroSize)".into()),
        ("Pool size after resize(0)", "2".into()),
        ("Pool shutdown", "done".into()),
        ("Pool resize(3) after shutdown", "Err(Closed)".into()),
        (
            "Pool submit after shutdown",
            "Err(Closed(..)) back=1".into(),
        ),
        (
            "Pool try_submit after shutdown",
            "Err(Closed(..)) back=2".into(),
        ),
        (
            "Pool submit_keyed after shutdown",
            "Err(Closed(..)) back=3".into(),
        ),
        ("Pool ask after shutdown", "Err(Stopped)".into()),
        ("Pool ask_keyed after shutdown", "Err(Stopped)".into()),
        ("Pool keyed after shutdown", "None".into()),
        ("Pool shutdown again", "done".into()),
        ("register \"\"", "Err(InvalidName(\"\"))".into()),
        ("register \"db\"", "Ok(())".into()),
        ("register \"a/b\"", "Ok(())".into()),
        ("lookup of \"a/b\"", "Ok(true)".into()),
        (
            "register \"db\" for another actor",
            "Err(NameTaken(\"db\"))".into(),
        ),
        (
            "lookup of an unknown name",
            "Err(NotFound(\"nobody\"))".into(),
        ),
        ("lookup of \"\"", "Err(NotFound(\"\"))".into()),
        (
            "lookup of the wrong type",
            "Err(WrongType { name: \"db\", expected: \"bad_input_table::Other\", \
             found: \"bad_input_table::Worker\" })"
                .into(),
        ),
        ("unregister of an unknown name", "false".into()),
        (
            "register a stopped actor",
            "Err(ActorStopped(\"late\"))".into(),
        ),
        (
            "lookup of the name a stopped actor could not take",
            "Err(NotFound(\"late\"))".into(),
        ),
        (
            "lookup after the named actor stopped",
            "Err(NotFound(\"db\"))".into(),
        ),
        ("Topic subscribe of a stopped actor", "false".into()),
        (
            "Topic publish with no subscriber",
            "Published { delivered: 0, dropped: 0, removed: 0 }".into(),
        ),
        ("fan_out of nothing, timeout 0", "0".into()),
        ("fan_out of nothing, timeout MAX", "0".into()),
        ("tree_within(MAX)", "/s/b found: true".into()),
        (
            "tree find of a malformed path",
            "[false, false, false, false, false]".into(),
        ),
        (
            "ProbeLog::received(1, 0) with nothing received",
            "Err(TimedOut(0ns))".into(),
        ),
        (
            "until_event(.., 0, ..) with nothing coming",
            "Err(TimedOut(0ns))".into(),
        ),
        (
            "until_stopped of an actor that stopped before the subscription",
            "Err(TimedOut(1s))".into(),
        ),
        ("system shutdown", "Ok(())".into()),
    ];
    t.check(&expected);
}

// ---------------------------------------------------------------------------------------------
// Shutdown, and every call after it.

#[tokio::test(start_paused = true)]
async fn shutdown_and_after_table() {
    let mut t = Table::default();

    // A system that never spawned (no runtime was ever recorded).
    let unused = ActorSystem::new("unused").unwrap();
    t.row(
        "shutdown of an unused system",
        format!("{:?}", unused.shutdown().await),
    );
    t.row(
        "shutdown of an unused system again",
        format!("{:?}", unused.shutdown().await),
    );

    // A system whose actors' runtime is gone: the shutdown has nowhere to run, and must not
    // wait for it.
    let orphaned = std::thread::spawn(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let system = ActorSystem::new("orphaned").unwrap();
        rt.block_on(async {
            let _ = spawn_worker(&system, "a", 4);
            tokio::task::yield_now().await;
        });
        drop(rt);
        system
    })
    .join()
    .unwrap();
    t.row(
        "shutdown of a system whose runtime is gone",
        bounded({
            let orphaned = orphaned.clone();
            async move { format!("{:?}", orphaned.shutdown().await) }
        })
        .await,
    );
    t.row(
        "actor_count and task_count of a system whose runtime is gone",
        format!("{} {}", orphaned.actor_count(), orphaned.task_count()),
    );

    // A zero deadline with an idle actor: it is named as not stopped in time.
    let hasty = ActorSystem::new("hasty").unwrap();
    let _idle = spawn_worker(&hasty, "idle", 4);
    t.row(
        "shutdown_timeout(0) with an idle actor",
        bounded({
            let hasty = hasty.clone();
            async move { format!("{:?}", hasty.shutdown_timeout(Duration::ZERO).await) }
        })
        .await,
    );

    // Two shutdowns at once: one does it, the other waits and is told.
    let twice = ActorSystem::new("twice").unwrap();
    let _a = spawn_worker(&twice, "a", 4);
    let (first, second) = tokio::join!(
        bounded({
            let twice = twice.clone();
            async move { format!("{:?}", twice.shutdown().await) }
        }),
        bounded({
            let twice = twice.clone();
            async move { format!("{:?}", twice.shutdown().await) }
        }),
    );
    let mut both = [first, second];
    both.sort();
    t.row("two concurrent shutdowns", format!("{both:?}"));

    // A system with one of everything, shut down.
    let system = ActorSystem::new("s").unwrap();
    let actor = spawn_worker(&system, "a", 4);
    system.registry().register("named", &actor).unwrap();
    let sup = system
        .start_supervisor("sup", one_for_one().child(worker("w")))
        .await
        .unwrap();
    let template = |capacity: usize| ChildSpec::worker("w", Worker::ok).mailbox(capacity);
    let dynamic = DynamicSupervisor::new(template)
        .start(&system, "dyn")
        .await
        .unwrap();
    let pool = Pool::builder(Worker::ok)
        .size(2)
        .start(&system, "pool")
        .await
        .unwrap();
    t.row(
        "shutdown",
        bounded({
            let system = system.clone();
            async move { format!("{:?}", system.shutdown().await) }
        })
        .await,
    );
    t.row(
        "is_running, actor_count and task_count after shutdown",
        format!(
            "{} {} {}",
            system.is_running(),
            system.actor_count(),
            system.task_count()
        ),
    );
    t.row(
        "shutdown of a stopped system",
        bounded({
            let system = system.clone();
            async move { format!("{:?}", system.shutdown().await) }
        })
        .await,
    );
    t.row(
        "shutdown_timeout(0) of a stopped system",
        bounded({
            let system = system.clone();
            async move { format!("{:?}", system.shutdown_timeout(Duration::ZERO).await) }
        })
        .await,
    );
    t.row(
        "shutdown_timeout(MAX) of a stopped system",
        bounded({
            let system = system.clone();
            async move { format!("{:?}", system.shutdown_timeout(Duration::MAX).await) }
        })
        .await,
    );
    t.row(
        "spawn after shutdown",
        format!("{:?}", system.spawn(Worker::ok()).map(drop)),
    );
    t.row(
        "spawn_builder with a name after shutdown",
        format!(
            "{:?}",
            system
                .spawn_builder(Worker::ok())
                .name("late")
                .spawn()
                .map(drop)
        ),
    );
    t.row(
        "start_supervisor after shutdown",
        bounded({
            let system = system.clone();
            async move {
                started(
                    system
                        .start_supervisor("late", one_for_one().child(worker("w")))
                        .await,
                )
            }
        })
        .await,
    );
    t.row(
        "DynamicSupervisor start after shutdown",
        bounded({
            let system = system.clone();
            async move {
                started(
                    DynamicSupervisor::new(template)
                        .start(&system, "late")
                        .await,
                )
            }
        })
        .await,
    );
    t.row(
        "Pool start after shutdown",
        bounded({
            let system = system.clone();
            async move { pooled(Pool::builder(Worker::ok).start(&system, "late").await) }
        })
        .await,
    );
    t.row("tell after shutdown", sent(actor.tell(W::N(1)).await));
    t.row(
        "ask after shutdown",
        asked(actor.ask(|r| W::Echo(1, r)).await),
    );
    t.row(
        "registry lookup of a name taken before shutdown",
        format!(
            "{:?}",
            system.registry().lookup::<Worker>("named").map(drop)
        ),
    );
    t.row(
        "register after shutdown",
        format!("{:?}", system.registry().register("again", &actor)),
    );
    t.row(
        "supervisor is_alive after shutdown",
        format!("{}", sup.is_alive()),
    );
    {
        let sup = sup.clone();
        t.row(
            "start_child after shutdown",
            bounded(async move { admin(sup.start_child(worker("n")).await, child_id) }).await,
        );
    }
    {
        let sup = sup.clone();
        t.row(
            "terminate_child after shutdown",
            bounded(async move { admin(sup.terminate_child("w").await, unit) }).await,
        );
    }
    {
        let dynamic = dynamic.clone();
        t.row(
            "dynamic start_child after shutdown",
            bounded(async move { admin(dynamic.start_child(4).await, child_id) }).await,
        );
    }
    t.row(
        "Pool submit after system shutdown",
        bounded({
            let pool = pool.clone();
            async move { sent(pool.submit(W::N(2)).await) }
        })
        .await,
    );
    t.row(
        "Pool try_submit after system shutdown",
        sent(pool.try_submit(W::N(3))),
    );
    t.row(
        "Pool ask after system shutdown",
        bounded({
            let pool = pool.clone();
            async move { asked(pool.ask(|r| W::Echo(1, r)).await) }
        })
        .await,
    );
    t.row(
        "Pool resize(3) after system shutdown",
        bounded({
            let pool = pool.clone();
            async move { pooled(pool.resize(3).await) }
        })
        .await,
    );
    t.row(
        "Pool shutdown after system shutdown",
        bounded({
            let pool = pool.clone();
            async move {
                pool.shutdown().await;
                "done".to_owned()
            }
        })
        .await,
    );
    t.row(
        "tree after shutdown",
        bounded({
            let system = system.clone();
            async move { format!("{} node(s)", system.tree().await.iter().count()) }
        })
        .await,
    );

    t.check(&rows(&[
        ("shutdown of an unused system", "Ok(())"),
        ("shutdown of an unused system again", "Err(AlreadyStopped)"),
        ("shutdown of a system whose runtime is gone", "Ok(())"),
        (
            "actor_count and task_count of a system whose runtime is gone",
            "0 0",
        ),
        (
            "shutdown_timeout(0) with an idle actor",
            "Err(TimedOut { actors: [\"/hasty/idle\"] })",
        ),
        (
            "two concurrent shutdowns",
            "[\"Err(AlreadyStopped)\", \"Ok(())\"]",
        ),
        ("shutdown", "Ok(())"),
        (
            "is_running, actor_count and task_count after shutdown",
            "false 0 0",
        ),
        ("shutdown of a stopped system", "Err(AlreadyStopped)"),
        (
            "shutdown_timeout(0) of a stopped system",
            "Err(AlreadyStopped)",
        ),
        (
            "shutdown_timeout(MAX) of a stopped system",
            "Err(AlreadyStopped)",
        ),
        ("spawn after shutdown", "Err(SystemStopped)"),
        (
            "spawn_builder with a name after shutdown",
            "Err(SystemStopped)",
        ),
        (
            "start_supervisor after shutdown",
            "Err(Spawn(SystemStopped))",
        ),
        (
            "DynamicSupervisor start after shutdown",
            "Err(Spawn(SystemStopped))",
        ),
        (
            "Pool start after shutdown",
            "Err(Start(Spawn(SystemStopped)))",
        ),
        ("tell after shutdown", "Err(Closed(..)) back=1"),
        ("ask after shutdown", "Err(Stopped)"),
        (
            "registry lookup of a name taken before shutdown",
            "Err(NotFound(\"named\"))",
        ),
        ("register after shutdown", "Err(ActorStopped(\"again\"))"),
        ("supervisor is_alive after shutdown", "false"),
        ("start_child after shutdown", "Err(SupervisorStopped)"),
        ("terminate_child after shutdown", "Err(SupervisorStopped)"),
        (
            "dynamic start_child after shutdown",
            "Err(SupervisorStopped)",
        ),
        (
            "Pool submit after system shutdown",
            "Err(Closed(..)) back=2",
        ),
        (
            "Pool try_submit after system shutdown",
            "Err(Closed(..)) back=3",
        ),
        ("Pool ask after system shutdown", "Err(Stopped)"),
        (
            "Pool resize(3) after system shutdown",
            "Err(Admin(SupervisorStopped))",
        ),
        ("Pool shutdown after system shutdown", "done"),
        ("tree after shutdown", "1 node(s)"),
    ]));
}

// ---------------------------------------------------------------------------------------------
// Bugs: each case in its own test, expecting the correct typed outcome.

/// What `build` did: returned (and how), or panicked.
fn build_outcome(builder: actors::SystemBuilder) -> String {
    sync(|| format!("{:?}", builder.build().map(|s| s.name().to_owned())))
}

#[test]
fn an_enormous_event_capacity_is_a_typed_error() {
    let outcome = build_outcome(ActorSystem::builder("s").event_capacity(usize::MAX));
    assert!(
        outcome.starts_with("Err("),
        "event_capacity(usize::MAX): expected a SystemError, got {outcome}"
    );
}

#[test]
fn an_event_capacity_above_the_mailbox_maximum_is_a_typed_error() {
    let outcome = build_outcome(ActorSystem::builder("s").event_capacity(MAX_MAILBOX_CAPACITY + 1));
    assert!(
        outcome.starts_with("Err("),
        "event_capacity(MAX_MAILBOX_CAPACITY + 1): expected a SystemError, got {outcome}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_pool_of_usize_max_workers_is_a_typed_error() {
    let system = ActorSystem::new("s").unwrap();
    let outcome = bounded({
        let system = system.clone();
        async move {
            pooled(
                Pool::builder(Worker::ok)
                    .size(usize::MAX)
                    .start(&system, "p")
                    .await,
            )
        }
    })
    .await;
    assert!(
        outcome.starts_with("Err("),
        "Pool size(usize::MAX): expected a PoolError, got {outcome}"
    );
    system.shutdown().await.unwrap();
}
