//! The failures journal (`system.failures()`): every failure, with its path and generation,
//! kept whether or not anyone subscribed; bounded, newest kept.

mod common;

use actors::prelude::*;
use actors::{ChildSpec, EventKind, Strategy, Supervisor, SystemError};
use common::sup::{Cmd, Labelled, labelled, next_event};
use common::{Journal, quiet_panics};

#[tokio::test(start_paused = true)]
async fn failures_are_journaled_without_a_subscriber() {
    quiet_panics();
    let system = ActorSystem::new("fj").unwrap();
    let journal = Journal::default();
    let j = journal.clone();
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne).child(ChildSpec::worker("w", move || {
                Labelled::new("w", &j, Default::default())
            })),
        )
        .await
        .unwrap();
    let w = labelled(&sup, "w");
    let mut events = system.events();
    w.tell(Cmd::Fail).await.unwrap();
    next_event(&mut events, w.id(), |k| {
        matches!(k, EventKind::Restarted(_))
    })
    .await;
    drop(events);
    w.tell(Cmd::Panic).await.unwrap();
    w.tell(Cmd::Record(1)).await.unwrap();
    w.ask(|reply| Cmd::Recorded { reply }).await.unwrap();

    let failures: Vec<(String, u64, bool)> = system
        .failures()
        .iter()
        .map(|e| match &e.kind {
            EventKind::Failed(info) => (e.path.to_string(), e.generation, info.is_panic()),
            other => panic!("only failures are journaled, got {other:?}"),
        })
        .collect();
    assert_eq!(
        failures,
        [
            ("/fj/sup/w".to_owned(), 1, false),
            ("/fj/sup/w".to_owned(), 2, true)
        ]
    );
    assert!(system.failures().iter().all(|e| e.parent == Some(sup.id())));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_journal_keeps_the_newest_failures() {
    quiet_panics();
    let system = ActorSystem::builder("fj")
        .failure_journal(3)
        .build()
        .unwrap();
    let journal = Journal::default();
    for n in 0..5 {
        let actor = system
            .spawn_builder(Labelled::new("x", &journal, Default::default()))
            .name(format!("x{n}"))
            .spawn()
            .unwrap();
        actor.tell(Cmd::Fail).await.unwrap();
        actor.wait().await;
    }
    // Each failing lone actor logs `Failed` and an abnormal `Stopped`: the newest three.
    let kept: Vec<String> = system
        .failures()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e.path.name(),
                matches!(e.kind, EventKind::Failed(_))
            )
        })
        .collect();
    assert_eq!(kept, ["x3 false", "x4 true", "x4 false"]);
    system.shutdown().await.unwrap();
}

#[test]
fn a_zero_journal_is_rejected() {
    let err = ActorSystem::builder("fj")
        .failure_journal(0)
        .build()
        .unwrap_err();
    assert_eq!(err, SystemError::ZeroFailureJournal);
}
