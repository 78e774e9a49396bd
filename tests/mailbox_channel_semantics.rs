//! What the callers rely on from the mailbox's channel (`actors-core/src/mailbox/chan.rs`),
//! seen through the public handles: deadlines at the edges (zero, too far to represent), a
//! drain's answer to every kind of waiting sender, and weak handles while the actor drains.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{SendError, SendTimeoutError, TrySendError};
use common::{Msg, probe, settle};

#[tokio::test(start_paused = true)]
async fn tell_timeout_at_the_edges_of_the_deadline() {
    let system = ActorSystem::new("edges").unwrap();
    let (actor, release) = common::busy_and_full(&system).await;

    // Full: a zero timeout hands the message back at once, without a tick of the clock.
    let started = tokio::time::Instant::now();
    match actor.tell_timeout(Msg::Record(2), Duration::ZERO).await {
        Err(SendTimeoutError::Timeout(Msg::Record(2))) => {}
        other => panic!(
            "expected Timeout(Record(2)), got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    assert_eq!(started.elapsed(), Duration::ZERO);

    // Full: a timeout too far to represent is no deadline at all; the send goes in once the
    // actor makes room.
    let waiting = tokio::spawn({
        let actor = actor.clone();
        async move { actor.tell_timeout(Msg::Record(3), Duration::MAX).await }
    });
    settle().await;
    assert!(!waiting.is_finished(), "the send must wait for room");
    release.send(()).unwrap();
    waiting.await.unwrap().unwrap();

    // Room: a zero timeout still sends (the room is looked at before the clock).
    actor
        .tell_timeout(Msg::Record(4), Duration::ZERO)
        .await
        .unwrap();
    let recorded = actor.ask(|reply| Msg::Recorded { reply }).await.unwrap();
    assert_eq!(recorded, [1, 3, 4]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_ask_with_no_representable_deadline_waits_for_room_then_answers() {
    let system = ActorSystem::new("edges").unwrap();
    let (actor, release) = common::busy_and_full(&system).await;
    let asking = tokio::spawn({
        let actor = actor.clone();
        async move {
            actor
                .ask_timeout(|reply| Msg::Echo { n: 9, reply }, Duration::MAX)
                .await
        }
    });
    settle().await;
    assert!(!asking.is_finished(), "the ask must wait for room");
    release.send(()).unwrap();
    assert_eq!(asking.await.unwrap().unwrap(), 9);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_drain_hands_every_waiting_sender_its_message_back() {
    let system = ActorSystem::new("drain").unwrap();
    let (actor, release) = common::busy_and_full(&system).await;
    let weak = actor.downgrade();

    // Three senders waiting for room, each through a different path into the channel.
    let tell = tokio::spawn({
        let actor = actor.clone();
        async move { actor.tell(Msg::Record(10)).await }
    });
    let timed = tokio::spawn({
        let actor = actor.clone();
        async move {
            actor
                .tell_timeout(Msg::Record(11), Duration::from_secs(60))
                .await
        }
    });
    let recipient = actor.recipient::<Msg>();
    let erased = tokio::spawn(async move { recipient.tell(Msg::Record(12)).await });
    settle().await;
    assert!(!tell.is_finished() && !timed.is_finished() && !erased.is_finished());

    // A drain closes the mailbox even while a handler is pending: every waiting sender is
    // answered before the handler ends.
    actor.drain();
    settle().await;
    assert!(tell.is_finished() && timed.is_finished() && erased.is_finished());
    match tell.await.unwrap() {
        Err(SendError::Closed(Msg::Record(10))) => {}
        other => panic!(
            "tell: expected Closed(Record(10)), got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    match timed.await.unwrap() {
        Err(SendTimeoutError::Closed(Msg::Record(11))) => {}
        other => panic!(
            "tell_timeout: expected Closed(Record(11)), got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    match erased.await.unwrap() {
        Err(SendError::Closed(Msg::Record(12))) => {}
        other => panic!(
            "Recipient::tell: expected Closed(Record(12)), got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    match actor.try_tell(Msg::Record(13)) {
        Err(TrySendError::Closed(Msg::Record(13))) => {}
        other => panic!(
            "try_tell: expected Closed(Record(13)), got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }

    release.send(()).unwrap();
    assert_eq!(actor.wait().await, ExitReason::Normal);
    // After the final exit the weak handle no longer upgrades, though strong ones exist.
    assert!(weak.upgrade().is_none());
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_weak_handle_upgrades_while_the_actor_drains_and_its_sends_are_refused() {
    let system = ActorSystem::new("drain").unwrap();
    let (actor, _) = probe(&system, 4);
    let release = common::block(&actor).await;
    actor.tell(Msg::Record(1)).await.unwrap();
    let weak = actor.downgrade();
    actor.drain();
    settle().await;
    // Draining, not exited: the weak handle upgrades (as a tokio `WeakSender` did), and the
    // upgraded handle is refused like any other.
    let upgraded = weak.upgrade().expect("alive while draining");
    match upgraded.try_tell(Msg::Record(2)) {
        Err(TrySendError::Closed(Msg::Record(2))) => {}
        other => panic!(
            "expected Closed(Record(2)), got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    release.send(()).unwrap();
    assert_eq!(actor.wait().await, ExitReason::Normal);
    assert!(weak.upgrade().is_none());
    system.shutdown().await.unwrap();
}
