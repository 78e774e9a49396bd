//! The event collector: each lifecycle event once, with the right path, id, generation and
//! parent; a slow subscriber is told what it missed and never blocks the system.

mod common;

use actors::prelude::*;
use actors::{EventKind, EventsError};
use common::{Msg, drain_events, kinds, probe};

#[tokio::test(start_paused = true)]
async fn each_event_arrives_once_with_path_id_and_generation() {
    let system = ActorSystem::new("ev").unwrap();
    let mut events = system.events();
    let a = system
        .spawn_builder(common::Probe::new(&Default::default()))
        .name("a")
        .spawn()
        .unwrap();
    let b = system
        .spawn_builder(common::Probe::new(&Default::default()))
        .name("b")
        .spawn()
        .unwrap();
    a.ask(|reply| Msg::Echo { n: 1, reply }).await.unwrap();
    b.ask(|reply| Msg::Echo { n: 1, reply }).await.unwrap();
    b.tell(Msg::Fail).await.unwrap();
    b.wait().await;
    a.stop();
    a.wait().await;

    let seen = drain_events(&mut events);
    let of = |name: &str| {
        seen.iter()
            .filter(|e| e.path.name() == name)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(&of("a")), ["Started", "Stopped"]);
    assert_eq!(kinds(&of("b")), ["Started", "Failed", "Stopped"]);
    for e in &seen {
        let expected = if e.path.name() == "a" { &a } else { &b };
        assert_eq!(e.id, expected.id());
        assert_eq!(e.path, *expected.path());
        assert_eq!(e.generation, 1);
        assert!(e.parent.is_some());
    }
    assert_eq!(of("a")[1].kind, EventKind::Stopped(ExitReason::Normal));
    assert_eq!(
        of("a")[0].parent,
        of("b")[0].parent,
        "both are children of the root"
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn stopped_is_emitted_before_wait_returns() {
    let system = ActorSystem::new("ev").unwrap();
    let mut events = system.events();
    let (actor, _) = probe(&system, 4);
    actor.stop();
    actor.wait().await;
    let seen = drain_events(&mut events);
    assert_eq!(kinds(&seen).last(), Some(&"Stopped"));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_slow_subscriber_is_told_how_many_it_missed_and_never_blocks() {
    let system = ActorSystem::builder("ev")
        .event_capacity(4)
        .build()
        .unwrap();
    let mut slow = system.events();
    for _ in 0..5 {
        let (actor, _) = probe(&system, 4);
        actor.stop();
        actor.wait().await; // 2 events each: 10 in all, into a ring of 4
    }
    assert_eq!(slow.recv().await.unwrap_err(), EventsError::Lagged(6));
    let rest = drain_events(&mut slow);
    assert_eq!(rest.len(), 4, "the newest four are kept");
    // A subscriber that is never read, and one that was dropped, hold nothing up.
    let _never_read = system.events();
    drop(system.events());
    let (actor, _) = probe(&system, 4);
    assert_eq!(
        actor.ask(|reply| Msg::Echo { n: 1, reply }).await.unwrap(),
        1
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_subscription_closes_when_the_system_is_gone() {
    let system = ActorSystem::new("ev").unwrap();
    let mut events = system.events();
    system.shutdown().await.unwrap();
    drop(system);
    assert_eq!(events.recv().await.unwrap_err(), EventsError::Closed);
}
