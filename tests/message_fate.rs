//! DESIGN.md's message-fate table, for actors spawned on the system (Temporary children of the
//! root, so every exit is final): what happens to the current message, queued tells, queued
//! asks, senders waiting for room, and handles.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{SendError, TrySendError};
use common::{Faults, Journal, Msg, Probe, Then, drain_events, kinds, quiet_panics, settle};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The scene: the actor is inside an ask's handler (the current message, `n = 10`), blocked
/// until released; behind it the mailbox (capacity 4) is full with three tells and one ask
/// (`n = 20`), and one more sender waits for room.
struct Scene {
    system: ActorSystem,
    actor: ActorRef<Probe>,
    journal: Journal,
    events: actors::Events,
    current: JoinHandle<Result<u32, AskError>>,
    queued_ask: JoinHandle<Result<u32, AskError>>,
    waiting: JoinHandle<Result<(), SendError<Msg>>>,
    release: Option<oneshot::Sender<()>>,
}

/// Builds the scene; once released, the current handler does `then`.
async fn scene(then: Then) -> Scene {
    let system = ActorSystem::new("fate").unwrap();
    let mut events = system.events();
    let journal = Journal::default();
    let actor = system
        .spawn_builder(Probe::new(&journal))
        .name("probe")
        .mailbox(4)
        .spawn()
        .unwrap();

    let (release, release_rx) = oneshot::channel();
    let (entered_tx, entered) = oneshot::channel();
    let current = tokio::spawn({
        let actor = actor.clone();
        async move {
            actor
                .ask_timeout(
                    |reply| Msg::BlockAsk {
                        release: release_rx,
                        entered: Some(entered_tx),
                        n: 10,
                        reply,
                        then,
                    },
                    Duration::from_secs(60),
                )
                .await
        }
    });
    entered.await.unwrap();

    actor.tell(Msg::Record(1)).await.unwrap();
    actor.tell(Msg::Record(2)).await.unwrap();
    let queued_ask = tokio::spawn({
        let actor = actor.clone();
        async move {
            actor
                .ask_timeout(|reply| Msg::Echo { n: 20, reply }, Duration::from_secs(60))
                .await
        }
    });
    settle().await;
    actor.tell(Msg::Record(3)).await.unwrap();
    assert_eq!(actor.mailbox_len(), 4, "the mailbox is full");
    let waiting = tokio::spawn({
        let actor = actor.clone();
        async move { actor.tell(Msg::Record(4)).await }
    });
    settle().await;
    assert!(!waiting.is_finished(), "the last sender waits for room");
    assert_eq!(kinds(&drain_events(&mut events)), ["Started"]);
    Scene {
        system,
        actor,
        journal,
        events,
        current,
        queued_ask,
        waiting,
        release: Some(release),
    }
}

/// What every final exit does to the queue: tells counted, asks `Stopped`, waiters handed back,
/// handles dead.
async fn assert_final_exit_fate(
    scene: Scene,
    expected_reason: impl Fn(&ExitReason) -> bool,
) -> Vec<actors::Event> {
    let Scene {
        system,
        actor,
        mut events,
        queued_ask,
        waiting,
        ..
    } = scene;
    let reason = actor.wait().await;
    assert!(
        expected_reason(&reason),
        "unexpected exit reason {reason:?}"
    );
    assert!(matches!(queued_ask.await.unwrap(), Err(AskError::Stopped)));
    match waiting.await.unwrap() {
        Err(SendError::Closed(Msg::Record(4))) => {}
        other => panic!(
            "the waiting sender gets its message back, got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    match actor.try_tell(Msg::Record(5)) {
        Err(TrySendError::Closed(Msg::Record(5))) => {}
        other => panic!(
            "a dead actor hands the message back, got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    assert!(matches!(
        actor.ask(|reply| Msg::Echo { n: 1, reply }).await,
        Err(AskError::Stopped)
    ));
    assert!(!actor.is_alive());
    let seen = drain_events(&mut events);
    let undelivered = common::undelivered_counts(&seen);
    assert_eq!(undelivered, [3], "the three queued tells are reported once");
    assert!(seen.iter().all(|e| e.path.as_str() == "/fate/probe"));
    system.shutdown().await.unwrap();
    seen
}

#[tokio::test(start_paused = true)]
async fn handler_error_fails_the_current_ask_and_the_final_exit_reports_the_queue() {
    let mut scene = scene(Then::Fail).await;
    scene.release.take().unwrap().send(()).unwrap();
    let current = (&mut scene.current).await.unwrap();
    match current {
        Err(AskError::Failed(info)) => {
            assert_eq!(info.message(), "failing while asked");
            assert!(!info.is_panic());
            assert_eq!(info.path().as_str(), "/fate/probe");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    let journal = scene.journal.clone();
    let seen = assert_final_exit_fate(scene, |r| matches!(r, ExitReason::Failed(_))).await;
    assert_eq!(kinds(&seen), ["Failed", "Undelivered", "Stopped"]);
    assert!(
        journal
            .entries()
            .iter()
            .any(|e| e.starts_with("stopped failed")),
        "{:?}",
        journal.entries()
    );
}

#[tokio::test(start_paused = true)]
async fn handler_panic_is_contained_and_fails_the_current_ask() {
    quiet_panics();
    let mut scene = scene(Then::Panic).await;
    scene.release.take().unwrap().send(()).unwrap();
    match (&mut scene.current).await.unwrap() {
        Err(AskError::Failed(info)) => {
            assert!(info.is_panic());
            assert_eq!(info.message(), "panicking while asked");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    let seen = assert_final_exit_fate(scene, |r| r.failure().is_some_and(|f| f.is_panic())).await;
    assert_eq!(kinds(&seen), ["Failed", "Undelivered", "Stopped"]);
}

#[tokio::test(start_paused = true)]
async fn kill_drops_the_current_handler_and_its_asker_gets_killed() {
    let mut scene = scene(Then::Answer).await;
    scene.actor.kill();
    assert!(matches!(
        (&mut scene.current).await.unwrap(),
        Err(AskError::Killed)
    ));
    let journal = scene.journal.clone();
    let seen = assert_final_exit_fate(scene, |r| *r == ExitReason::Killed).await;
    assert_eq!(kinds(&seen), ["Undelivered", "Stopped"]);
    assert!(
        !journal.entries().iter().any(|e| e.starts_with("stopped")),
        "stopped must not run after kill: {:?}",
        journal.entries()
    );
}

#[tokio::test(start_paused = true)]
async fn stop_finishes_the_current_message_then_exits_normally() {
    let mut scene = scene(Then::Answer).await;
    scene.actor.stop();
    settle().await;
    assert!(scene.actor.is_alive(), "stop waits for the current message");
    scene.release.take().unwrap().send(()).unwrap();
    assert_eq!((&mut scene.current).await.unwrap().unwrap(), 10);
    let journal = scene.journal.clone();
    let seen = assert_final_exit_fate(scene, |r| *r == ExitReason::Normal).await;
    assert_eq!(kinds(&seen), ["Undelivered", "Stopped"]);
    assert!(
        journal.entries().contains(&"stopped normal".to_owned()),
        "{:?}",
        journal.entries()
    );
}

#[tokio::test(start_paused = true)]
async fn drain_refuses_new_messages_and_handles_the_queued_ones() {
    let scene = scene(Then::Answer).await;
    let Scene {
        system,
        actor,
        mut events,
        current,
        queued_ask,
        waiting,
        journal,
        release,
    } = scene;
    let release = release.unwrap();
    actor.drain();
    settle().await;
    // The waiting sender is refused at once, with its message.
    match waiting.await.unwrap() {
        Err(SendError::Closed(Msg::Record(4))) => {}
        other => panic!(
            "expected the message back, got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    assert!(matches!(
        actor.try_tell(Msg::Record(5)),
        Err(TrySendError::Closed(Msg::Record(5)))
    ));
    release.send(()).unwrap();
    assert_eq!(current.await.unwrap().unwrap(), 10);
    assert_eq!(queued_ask.await.unwrap().unwrap(), 20);
    assert_eq!(actor.wait().await, ExitReason::Normal);
    let seen = drain_events(&mut events);
    assert_eq!(
        kinds(&seen),
        ["Stopped"],
        "nothing undelivered after a drain"
    );
    assert!(journal.entries().contains(&"stopped normal".to_owned()));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_reply_dropped_unanswered_gives_no_reply_and_the_actor_carries_on() {
    let system = ActorSystem::new("fate").unwrap();
    let (actor, _) = common::probe(&system, 4);
    assert!(matches!(
        actor.ask(|reply| Msg::DropReply { reply }).await,
        Err(AskError::NoReply)
    ));
    assert_eq!(
        actor.ask(|reply| Msg::Echo { n: 5, reply }).await.unwrap(),
        5
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_reply_moved_out_of_the_actor_and_dropped_gives_no_reply() {
    let system = ActorSystem::new("fate").unwrap();
    let (actor, _) = common::probe(&system, 4);
    let (tx, rx) = oneshot::channel::<Reply<u32>>();
    let asker = tokio::spawn({
        let actor = actor.clone();
        async move {
            actor
                .ask(|reply| {
                    tx.send(reply).unwrap();
                    Msg::Record(1)
                })
                .await
        }
    });
    let reply = rx.await.unwrap();
    drop(reply); // outside any actor
    assert!(matches!(asker.await.unwrap(), Err(AskError::NoReply)));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn failing_in_started_is_a_final_exit_without_stopped() {
    let system = ActorSystem::new("fate").unwrap();
    let mut events = system.events();
    let journal = Journal::default();
    let actor = system
        .spawn(Probe::with_faults(
            &journal,
            Faults {
                fail_started: true,
                ..Faults::default()
            },
        ))
        .unwrap();
    let reason = actor.wait().await;
    let info = reason.failure().expect("a failure").clone();
    assert_eq!(info.hook(), actors::FailedIn::Started);
    assert_eq!(journal.entries(), ["started 1", "drop"]);
    assert_eq!(kinds(&drain_events(&mut events)), ["Failed", "Stopped"]);
    system.shutdown().await.unwrap();
}
