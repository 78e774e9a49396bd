//! The message loop of an instance runs in one scope and `catch_unwind` per poll of its task
//! (`Cell::messages` under `contain`), however many messages that poll handles. What a user
//! sees must not depend on how many messages share a poll: each ask gets the fate of its own
//! message, a panic in `handle` is a `Handle` failure, the other hooks keep their own failure
//! reports, and the tracing spans still surround each handler.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use actors::prelude::*;
use actors::{ChildSpec, Down, EventKind, FailedIn, Strategy, Supervisor};
use common::{Journal, Msg, Probe, drain_events, probe, quiet_panics, settle};

fn failures(events: &[actors::Event]) -> Vec<(FailedIn, bool)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Failed(info) => Some((info.hook(), info.is_panic())),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A handler future that keeps its message until it is dropped.

/// A hand-written handler future (the `Actor` trait allows any `Send` future): it is ready at
/// once, and keeps what it holds (an ask's reply) until the future itself is dropped.
struct Finished {
    /// Held, never read: dropped with the future.
    _reply: Option<Reply<u32>>,
    outcome: Outcome,
}

#[derive(Clone, Copy)]
enum Outcome {
    Ok,
    Fail,
    Panic,
}

impl Future for Finished {
    type Output = Result<(), ActorError>;

    fn poll(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match self.outcome {
            Outcome::Ok => Poll::Ready(Ok(())),
            Outcome::Fail => Poll::Ready(Err(ActorError::msg("the second message fails"))),
            Outcome::Panic => panic!("the second message panics"),
        }
    }
}

enum KeepMsg {
    /// Returns `Ok` without answering; the reply is dropped with the handler's future.
    Keep(Reply<u32>),
    /// Ends as told, holding nothing.
    End(Outcome),
}

struct Keeper;

impl Actor for Keeper {
    type Msg = KeepMsg;

    fn handle(
        &mut self,
        msg: KeepMsg,
        _: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), ActorError>> + Send {
        match msg {
            KeepMsg::Keep(reply) => Finished {
                _reply: Some(reply),
                outcome: Outcome::Ok,
            },
            KeepMsg::End(outcome) => Finished {
                _reply: None,
                outcome,
            },
        }
    }
}

/// The first message's handler returned `Ok` without answering: its asker is told `NoReply`,
/// whatever the next message (handled in the same poll of the task) does.
async fn kept_reply_then(second: Outcome) -> Result<u32, AskError> {
    quiet_panics();
    let system = ActorSystem::new("contained").unwrap();
    let actor = system.spawn(Keeper).unwrap();
    // Both are queued before the actor's task first runs (one thread, nothing awaited between).
    let (kept, told) = tokio::join!(actor.ask(KeepMsg::Keep), actor.tell(KeepMsg::End(second)));
    assert!(told.is_ok());
    actor.wait().await;
    system.shutdown().await.unwrap();
    kept
}

#[tokio::test(start_paused = true)]
async fn a_reply_kept_by_a_finished_handler_future_is_no_reply_when_alone() {
    // The control: nothing else handled in that poll.
    let system = ActorSystem::new("contained").unwrap();
    let actor = system.spawn(Keeper).unwrap();
    let kept = actor.ask(KeepMsg::Keep).await;
    assert!(matches!(kept, Err(AskError::NoReply)), "{kept:?}");
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_reply_kept_by_a_finished_handler_future_does_not_take_the_next_messages_error() {
    let kept = kept_reply_then(Outcome::Fail).await;
    assert!(
        matches!(kept, Err(AskError::NoReply)),
        "the handler of this ask returned Ok; the failure is the next message's: {kept:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_reply_kept_by_a_finished_handler_future_does_not_take_the_next_messages_panic() {
    let kept = kept_reply_then(Outcome::Panic).await;
    assert!(
        matches!(kept, Err(AskError::NoReply)),
        "the handler of this ask returned Ok; the panic is the next message's: {kept:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Many messages in one poll: errors, a supervised restart.

#[tokio::test(start_paused = true)]
async fn a_handler_error_among_messages_handled_in_one_poll_fails_only_its_own_ask() {
    let system = ActorSystem::new("contained").unwrap();
    let mut events = system.events();
    let (actor, journal) = probe(&system, 8);
    let (dropped, echoed, failed, queued, told) = tokio::join!(
        actor.ask(|reply| Msg::DropReply { reply }),
        actor.ask(|reply| Msg::Echo { n: 7, reply }),
        actor.ask(|reply| Msg::FailAsk { reply }),
        actor.ask(|reply| Msg::Echo { n: 8, reply }),
        actor.tell(Msg::Record(1)),
    );
    assert!(matches!(dropped, Err(AskError::NoReply)), "{dropped:?}");
    assert_eq!(echoed.unwrap(), 7);
    match &failed {
        Err(AskError::Failed(info)) => {
            assert!(!info.is_panic());
            assert_eq!(info.hook(), FailedIn::Handle);
            assert!(info.message().contains("failing while asked"), "{info:?}");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    assert!(matches!(queued, Err(AskError::Stopped)), "{queued:?}");
    told.unwrap();
    let reason = actor.wait().await;
    assert!(
        matches!(&reason, ExitReason::Failed(info) if !info.is_panic() && info.hook() == FailedIn::Handle),
        "{reason:?}"
    );
    let seen = drain_events(&mut events);
    assert_eq!(failures(&seen), [(FailedIn::Handle, false)]);
    assert_eq!(common::undelivered_counts(&seen), [1]);
    assert!(journal.entries().iter().any(|e| e.starts_with("stopped")));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_panic_in_one_poll_restarts_a_supervised_actor_and_the_rest_reach_the_next_instance() {
    quiet_panics();
    let system = ActorSystem::new("contained").unwrap();
    let mut events = system.events();
    let journal = Journal::default();
    let factory_journal = journal.clone();
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne)
                .child(ChildSpec::worker("p", move || Probe::new(&factory_journal)).mailbox(8)),
        )
        .await
        .unwrap();
    let actor = sup.child("p").unwrap().downcast::<Probe>().unwrap();
    let (dropped, panicked, echoed, self_asked, recorded) = tokio::join!(
        actor.ask(|reply| Msg::DropReply { reply }),
        actor.ask(|reply| Msg::PanicAsk { reply }),
        actor.ask(|reply| Msg::Echo { n: 8, reply }),
        actor.ask(|reply| Msg::AskSelf { reply }),
        async {
            actor.tell(Msg::Record(3)).await.unwrap();
            actor.ask(|reply| Msg::Recorded { reply }).await
        },
    );
    assert!(matches!(dropped, Err(AskError::NoReply)), "{dropped:?}");
    assert!(
        matches!(&panicked, Err(AskError::Failed(info)) if info.is_panic() && info.hook() == FailedIn::Handle && info.generation() == 1),
        "{panicked:?}"
    );
    // Queued behind the panic: handled by the next instance, from the same mailbox.
    assert_eq!(echoed.unwrap(), 8);
    assert!(
        matches!(self_asked, Ok(Err(AskError::SelfAsk))),
        "the new instance's loop is in the actor's scope: {self_asked:?}"
    );
    assert_eq!(recorded.unwrap(), [3]);
    let entries = journal.entries();
    assert_eq!(entries.first().map(String::as_str), Some("started 1"));
    assert!(entries.iter().any(|e| e == "started 2"), "{entries:?}");
    assert!(
        entries.iter().any(|e| e.starts_with("stopped")),
        "{entries:?}"
    );
    settle().await;
    let seen = drain_events(&mut events);
    assert_eq!(failures(&seen), [(FailedIn::Handle, true)]);
    assert!(
        seen.iter().any(|e| e.kind == EventKind::Restarted(2)),
        "{seen:?}"
    );
    assert!(actor.is_alive());
    sup.stop();
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// `on_down` in its own scope inside the loop's.

/// Monitors the target it is asked to watch, and answers the asker from `on_down`.
struct Watcher {
    waiting: Option<Reply<u32>>,
    panic_on_down: bool,
}

enum WatchMsg {
    Watch {
        target: ActorRef<Probe>,
        reply: Reply<u32>,
    },
    Echo {
        n: u32,
        reply: Reply<u32>,
    },
}

impl Actor for Watcher {
    type Msg = WatchMsg;

    async fn handle(&mut self, msg: WatchMsg, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            WatchMsg::Watch { target, reply } => {
                ctx.monitor(&target);
                self.waiting = Some(reply);
            }
            WatchMsg::Echo { n, reply } => {
                let _ = reply.send(n);
            }
        }
        Ok(())
    }

    async fn on_down(&mut self, _: Down, _: &mut Context<Self>) -> Result<(), ActorError> {
        // The asker's reply is held here and dropped unanswered.
        let _kept = self.waiting.take();
        if self.panic_on_down {
            panic!("on_down told to panic");
        }
        Ok(())
    }
}

async fn watch_and_stop_target(panic_on_down: bool) -> (Result<u32, AskError>, Vec<actors::Event>) {
    quiet_panics();
    let system = ActorSystem::new("contained").unwrap();
    let mut events = system.events();
    let (target, _) = probe(&system, 4);
    let watcher = system
        .spawn(Watcher {
            waiting: None,
            panic_on_down,
        })
        .unwrap();
    let (watched, ()) = tokio::join!(
        watcher.ask_timeout(
            |reply| WatchMsg::Watch {
                target: target.clone(),
                reply
            },
            Duration::from_secs(3600)
        ),
        async {
            settle().await;
            target.stop();
        },
    );
    if panic_on_down {
        let reason = watcher.wait().await;
        assert!(
            matches!(&reason, ExitReason::Failed(info) if info.is_panic() && info.hook() == FailedIn::OnDown),
            "{reason:?}"
        );
    } else {
        // Carries on: the next message is handled.
        assert_eq!(
            watcher
                .ask(|reply| WatchMsg::Echo { n: 5, reply })
                .await
                .unwrap(),
            5
        );
        assert!(watcher.is_alive());
    }
    let seen = drain_events(&mut events);
    system.shutdown().await.unwrap();
    (watched, seen)
}

#[tokio::test(start_paused = true)]
async fn a_panic_in_on_down_is_reported_with_its_hook_and_fails_the_reply_it_held() {
    let (watched, seen) = watch_and_stop_target(true).await;
    assert!(
        matches!(&watched, Err(AskError::Failed(info)) if info.is_panic() && info.hook() == FailedIn::OnDown),
        "{watched:?}"
    );
    assert_eq!(failures(&seen), [(FailedIn::OnDown, true)]);
}

#[tokio::test(start_paused = true)]
async fn a_reply_dropped_by_an_on_down_that_returns_ok_is_no_reply() {
    let (watched, seen) = watch_and_stop_target(false).await;
    assert!(matches!(watched, Err(AskError::NoReply)), "{watched:?}");
    assert!(failures(&seen).is_empty(), "{seen:?}");
}

// ---------------------------------------------------------------------------------------------
// Tracing spans around each handler poll.

#[path = "common/recorder.rs"]
mod recorder;

use recorder::Recorder;
use tracing::Level;

struct Traced;

impl Actor for Traced {
    type Msg = (u32, bool);

    async fn handle(
        &mut self,
        (n, panics): (u32, bool),
        _: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        tracing::info!(note = "handling", n);
        if panics {
            panic!("told to panic while traced");
        }
        Ok(())
    }

    async fn stopped(&mut self, _: &ExitReason, _: &mut Context<Self>) -> Result<(), ActorError> {
        tracing::info!(note = "in stopped");
        Ok(())
    }
}

/// Three messages handled in one poll, the last one panicking; then `stopped`.
fn run_traced(recorder: &Recorder) {
    quiet_panics();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    tracing::subscriber::with_default(recorder.clone(), || {
        rt.block_on(async {
            let system = ActorSystem::new("traced").unwrap();
            let actor = system.spawn_builder(Traced).name("t").spawn().unwrap();
            let (a, b, c) = tokio::join!(
                actor.tell((1, false)),
                actor.tell((2, false)),
                actor.tell((3, true)),
            );
            assert!(a.is_ok() && b.is_ok() && c.is_ok());
            let reason = actor.wait().await;
            assert!(
                matches!(&reason, ExitReason::Failed(info) if info.is_panic() && info.hook() == FailedIn::Handle)
            );
            system.shutdown().await.unwrap();
        });
    });
}

#[test]
fn each_handler_in_one_poll_runs_inside_the_actor_span() {
    let recorder = Recorder::new(Level::INFO);
    run_traced(&recorder);
    for n in [
        "note=handling n=1 ",
        "note=handling n=2 ",
        "note=handling n=3 ",
    ] {
        let (name, fields) = recorder
            .span_of_event(n)
            .unwrap_or_else(|| panic!("the event {n} and its span"));
        assert_eq!(name, "actor", "{n}");
        assert!(fields.contains("path=/traced/t"), "{fields}");
    }
    let (name, _) = recorder
        .span_of_event("in stopped")
        .expect("stopped's event");
    assert_eq!(name, "actor");
}

#[test]
fn each_handler_in_one_poll_has_its_own_hook_span_at_trace() {
    let recorder = Recorder::new(Level::TRACE);
    run_traced(&recorder);
    let mut seen = Vec::new();
    for needle in [
        "note=handling n=1 ",
        "note=handling n=2 ",
        "note=handling n=3 ",
    ] {
        let span = recorder
            .recorded()
            .into_iter()
            .find(|e| e.fields.contains(needle))
            .and_then(|e| e.span)
            .unwrap_or_else(|| panic!("the event {needle} in a span"));
        let (name, fields) = recorder.span(span).unwrap();
        assert_eq!(name, "hook", "{needle}");
        assert!(fields.contains("hook=handle"), "{needle}: {fields}");
        seen.push(span);
    }
    seen.dedup();
    assert_eq!(seen.len(), 3, "one hook span per message");
    // After the panic, `stopped` runs in a span of its own, not in the panicking handler's.
    let (name, fields) = recorder
        .span_of_event("in stopped")
        .expect("stopped's event");
    assert_eq!(name, "hook");
    assert!(fields.contains("hook=stopped"), "{fields}");
}

// ---------------------------------------------------------------------------------------------
// A handler future that panics when polled and again when dropped.

/// A hand-written handler future that must be consumed: its `Drop` panics (it does not check
/// `std::thread::panicking`), and its `poll` panics.
struct Unconsumed;

impl Future for Unconsumed {
    type Output = Result<(), ActorError>;

    fn poll(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<Self::Output> {
        panic!("told to panic: the poll of an unconsumed future");
    }
}

impl Drop for Unconsumed {
    fn drop(&mut self) {
        panic!("told to panic: an unconsumed future dropped");
    }
}

struct Careless;

impl Actor for Careless {
    type Msg = ();

    fn handle(
        &mut self,
        (): (),
        _: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), ActorError>> + Send {
        Unconsumed
    }
}

const CHILD: &str = "CONTAINED_LOOP_CHILD";

/// Run in a child process by the test below (a process abort cannot be caught in this one);
/// does nothing otherwise.
#[test]
fn child_a_handler_future_panicking_in_poll_then_in_drop() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    quiet_panics();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let system = ActorSystem::new("contained").unwrap();
        let mut events = system.events();
        let actor = system.spawn(Careless).unwrap();
        actor.tell(()).await.unwrap();
        let reason = actor.wait().await;
        assert!(
            matches!(&reason, ExitReason::Failed(info) if info.is_panic() && info.hook() == FailedIn::Handle),
            "{reason:?}"
        );
        // The handler's panic fails the instance; the panic of its future's `Drop` is
        // contained and reported too.
        let seen = drain_events(&mut events);
        assert_eq!(
            failures(&seen),
            [(FailedIn::Handle, true), (FailedIn::Drop, true)]
        );
        system.shutdown().await.unwrap();
    });
}

#[test]
fn a_handler_future_panicking_in_poll_then_in_drop_is_contained_not_a_process_abort() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_a_handler_future_panicking_in_poll_then_in_drop",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the child process failed ({:?}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
