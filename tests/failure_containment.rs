//! Panics and errors in every hook, in `Drop` of the state and of a message, are contained:
//! reported as failures with the path, never crashing the runtime or hanging a caller.

mod common;

use actors::prelude::*;
use actors::{EventKind, FailedIn};
use common::{Faults, Journal, Msg, PanicOnDrop, Probe, drain_events, kinds, quiet_panics};

async fn run_with(faults: Faults, msgs: Vec<Msg>) -> (ExitReason, Journal, Vec<actors::Event>) {
    quiet_panics();
    let system = ActorSystem::new("contain").unwrap();
    let mut events = system.events();
    let journal = Journal::default();
    let actor = system
        .spawn_builder(Probe::with_faults(&journal, faults))
        .name("p")
        .spawn()
        .unwrap();
    for msg in msgs {
        let _ = actor.tell(msg).await;
    }
    // `stop` overtakes queued messages (it travels on the control lane): let them be handled.
    let _ = actor.ask(|reply| Msg::Echo { n: 0, reply }).await;
    actor.stop();
    let reason = actor.wait().await;
    let seen = drain_events(&mut events);
    system.shutdown().await.unwrap();
    (reason, journal, seen)
}

fn failures(events: &[actors::Event]) -> Vec<(FailedIn, bool)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Failed(info) => Some((info.hook(), info.is_panic())),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn panic_in_started_is_contained() {
    let (reason, journal, events) = run_with(
        Faults {
            panic_started: true,
            ..Faults::default()
        },
        vec![],
    )
    .await;
    assert!(
        matches!(&reason, ExitReason::Failed(info) if info.is_panic() && info.hook() == FailedIn::Started)
    );
    assert_eq!(failures(&events), [(FailedIn::Started, true)]);
    assert_eq!(
        journal.entries(),
        ["started 1", "drop"],
        "stopped does not run when started failed"
    );
}

#[tokio::test(start_paused = true)]
async fn panic_in_handle_is_contained() {
    let (reason, journal, events) = run_with(
        Faults::default(),
        vec![Msg::Record(1), Msg::Panic, Msg::Record(2)],
    )
    .await;
    assert!(
        matches!(&reason, ExitReason::Failed(info) if info.is_panic() && info.hook() == FailedIn::Handle)
    );
    assert_eq!(
        kinds(&events),
        ["Started", "Failed", "Undelivered", "Stopped"]
    );
    assert!(
        journal
            .entries()
            .iter()
            .any(|e| e.starts_with("stopped failed"))
    );
}

#[tokio::test(start_paused = true)]
async fn error_in_handle_keeps_its_source_chain() {
    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    struct Chain;
    impl Actor for Chain {
        type Msg = ();
        async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
            Err(Outer(std::io::Error::other("inner")).into())
        }
    }
    let system = ActorSystem::new("contain").unwrap();
    let actor = system.spawn(Chain).unwrap();
    actor.tell(()).await.unwrap();
    let reason = actor.wait().await;
    let info = reason.failure().unwrap();
    assert_eq!(info.message(), "outer");
    assert_eq!(info.chain(), ["inner"]);
    assert!(!info.is_panic());
    assert!(
        info.to_string().contains("error in handle: outer: inner"),
        "{info}"
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn panic_in_stopped_is_contained_and_makes_a_normal_exit_a_failure() {
    let (reason, _, events) = run_with(
        Faults {
            panic_stopped: true,
            ..Faults::default()
        },
        vec![],
    )
    .await;
    assert!(matches!(&reason, ExitReason::Failed(info) if info.hook() == FailedIn::Stopped));
    assert_eq!(failures(&events), [(FailedIn::Stopped, true)]);
}

#[tokio::test(start_paused = true)]
async fn error_in_stopped_does_not_hide_the_first_failure() {
    let (reason, _, events) = run_with(
        Faults {
            fail_stopped: true,
            ..Faults::default()
        },
        vec![Msg::Fail],
    )
    .await;
    assert!(matches!(&reason, ExitReason::Failed(info) if info.hook() == FailedIn::Handle));
    assert_eq!(
        failures(&events),
        [(FailedIn::Handle, false), (FailedIn::Stopped, false)]
    );
}

#[tokio::test(start_paused = true)]
async fn panic_in_drop_of_the_state_is_contained() {
    let (reason, journal, events) = run_with(
        Faults {
            panic_on_drop: true,
            ..Faults::default()
        },
        vec![],
    )
    .await;
    assert!(matches!(&reason, ExitReason::Failed(info) if info.hook() == FailedIn::Drop));
    assert_eq!(failures(&events), [(FailedIn::Drop, true)]);
    assert_eq!(journal.entries().last().map(String::as_str), Some("drop"));
}

#[tokio::test(start_paused = true)]
async fn panic_in_drop_of_a_handled_message_is_contained() {
    let (reason, _, events) =
        run_with(Faults::default(), vec![Msg::PanicOnDrop(PanicOnDrop)]).await;
    assert!(
        matches!(&reason, ExitReason::Failed(info) if info.is_panic() && info.hook() == FailedIn::Handle)
    );
    assert_eq!(failures(&events), [(FailedIn::Handle, true)]);
}

#[tokio::test(start_paused = true)]
async fn panic_in_drop_of_an_undelivered_message_is_contained() {
    quiet_panics();
    let system = ActorSystem::new("contain").unwrap();
    let mut events = system.events();
    let (actor, _) = common::probe(&system, 4);
    let release = common::block(&actor).await;
    actor.tell(Msg::PanicOnDrop(PanicOnDrop)).await.unwrap();
    actor.tell(Msg::Record(1)).await.unwrap();
    actor.kill();
    assert_eq!(actor.wait().await, ExitReason::Killed);
    let seen = drain_events(&mut events);
    assert!(
        seen.iter().any(|e| e.kind == EventKind::Undelivered(2)),
        "{seen:?}"
    );
    drop(release);
    system.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_panicking_actors_leave_the_runtime_and_the_system_healthy() {
    quiet_panics();
    let system = ActorSystem::new("contain").unwrap();
    let journal = Journal::default();
    let actors: Vec<_> = (0..200)
        .map(|_| system.spawn(Probe::new(&journal)).unwrap())
        .collect();
    for actor in &actors {
        actor.tell(Msg::Panic).await.unwrap();
    }
    for actor in &actors {
        assert!(actor.wait().await.is_abnormal());
    }
    let (ok, _) = common::probe(&system, 4);
    assert_eq!(ok.ask(|reply| Msg::Echo { n: 1, reply }).await.unwrap(), 1);
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// The message loop handles every message waiting in the mailbox in one poll of its task,
/// under one `catch_unwind`: each reply still gets the answer of its own message's fate.
#[tokio::test(start_paused = true)]
async fn messages_handled_in_one_poll_each_settle_their_own_reply() {
    quiet_panics();
    let system = ActorSystem::new("contain").unwrap();
    let mut events = system.events();
    let (actor, journal) = common::probe(&system, 8);
    // All five are queued before the actor's task runs (one thread, nothing awaited between).
    let (dropped, echoed, panicked, queued, told) = tokio::join!(
        actor.ask(|reply| Msg::DropReply { reply }),
        actor.ask(|reply| Msg::Echo { n: 7, reply }),
        actor.ask(|reply| Msg::PanicAsk { reply }),
        actor.ask(|reply| Msg::Echo { n: 8, reply }),
        actor.tell(Msg::Record(1)),
    );
    assert!(matches!(dropped, Err(AskError::NoReply)), "{dropped:?}");
    assert_eq!(echoed.unwrap(), 7);
    assert!(
        matches!(&panicked, Err(AskError::Failed(info)) if info.is_panic() && info.hook() == FailedIn::Handle),
        "{panicked:?}"
    );
    // Behind the panic: a lone actor's failure is final, so the rest is refused.
    assert!(matches!(queued, Err(AskError::Stopped)), "{queued:?}");
    told.unwrap();
    let reason = actor.wait().await;
    assert!(
        matches!(&reason, ExitReason::Failed(info) if info.is_panic() && info.hook() == FailedIn::Handle)
    );
    let seen = drain_events(&mut events);
    assert_eq!(failures(&seen), [(FailedIn::Handle, true)]);
    assert!(
        seen.iter().any(|e| e.kind == EventKind::Undelivered(1)),
        "the tell behind the panic: {seen:?}"
    );
    assert!(
        !journal.entries().iter().any(|e| e.contains("record")),
        "{:?}",
        journal.entries()
    );
    system.shutdown().await.unwrap();
}
