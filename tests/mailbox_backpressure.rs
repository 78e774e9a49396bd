//! A bounded mailbox: `tell` waits for room, `try_tell` and `tell_timeout` hand the message
//! back, `ask_timeout`'s one deadline covers the wait for room.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{SendTimeoutError, TrySendError};
use common::{Msg, block, probe, settle};

#[tokio::test(start_paused = true)]
async fn tell_waits_for_room_and_try_tell_returns_full() {
    let system = ActorSystem::new("bp").unwrap();
    let (actor, _) = probe(&system, 2);
    let release = block(&actor).await;
    actor.tell(Msg::Record(1)).await.unwrap();
    actor.tell(Msg::Record(2)).await.unwrap();
    assert_eq!(actor.mailbox_len(), 2);

    match actor.try_tell(Msg::Record(3)) {
        Err(TrySendError::Full(Msg::Record(3))) => {}
        other => panic!(
            "expected Full(Record(3)), got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }

    let waiting = tokio::spawn({
        let actor = actor.clone();
        async move { actor.tell(Msg::Record(3)).await }
    });
    settle().await;
    assert!(
        !waiting.is_finished(),
        "tell must wait while the mailbox is full"
    );

    release.send(()).unwrap();
    waiting.await.unwrap().unwrap();
    let recorded = actor.ask(|reply| Msg::Recorded { reply }).await.unwrap();
    assert_eq!(recorded, [1, 2, 3]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn tell_timeout_hands_the_message_back_when_the_mailbox_stays_full() {
    let system = ActorSystem::new("bp").unwrap();
    let (actor, _release) = common::busy_and_full(&system).await;
    let started = tokio::time::Instant::now();
    match actor
        .tell_timeout(Msg::Record(2), Duration::from_millis(250))
        .await
    {
        Err(SendTimeoutError::Timeout(Msg::Record(2))) => {}
        other => panic!(
            "expected Timeout(Record(2)), got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    assert_eq!(started.elapsed(), Duration::from_millis(250));
    actor.kill();
    actor.wait().await;
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn ask_timeout_expires_while_waiting_for_room() {
    let system = ActorSystem::new("bp").unwrap();
    let (actor, _release) = common::busy_and_full(&system).await;
    let started = tokio::time::Instant::now();
    let err = actor
        .ask_timeout(
            |reply| Msg::Echo { n: 7, reply },
            Duration::from_millis(300),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, AskError::Timeout(d) if d == Duration::from_millis(300)),
        "{err:?}"
    );
    assert_eq!(started.elapsed(), Duration::from_millis(300));
    actor.kill();
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn one_deadline_covers_room_and_reply() {
    let system = ActorSystem::new("bp").unwrap();
    let (actor, _) = probe(&system, 1);
    // The handler sleeps 200 ms, then the ask's message waits behind it; the reply comes at
    // 200 ms. A 150 ms deadline must expire at 150 ms, not at 150 ms after the room appeared.
    actor
        .tell(Msg::Sleep(Duration::from_millis(200)))
        .await
        .unwrap();
    actor.tell(Msg::Record(0)).await.unwrap();
    let started = tokio::time::Instant::now();
    let err = actor
        .ask_timeout(
            |reply| Msg::Echo { n: 1, reply },
            Duration::from_millis(150),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AskError::Timeout(_)), "{err:?}");
    assert_eq!(started.elapsed(), Duration::from_millis(150));
    // And one long enough succeeds.
    let n = actor
        .ask_timeout(|reply| Msg::Echo { n: 2, reply }, Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(n, 2);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn ask_without_a_timeout_ends_at_the_default_of_five_seconds() {
    let system = ActorSystem::new("bp").unwrap();
    let (actor, _) = probe(&system, 4);
    let _release = block(&actor).await;
    let started = tokio::time::Instant::now();
    let err = actor
        .ask(|reply| Msg::Echo { n: 1, reply })
        .await
        .unwrap_err();
    assert!(
        matches!(err, AskError::Timeout(d) if d == actors::DEFAULT_ASK_TIMEOUT),
        "{err:?}"
    );
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    actor.kill();
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_default_ask_timeout_is_configurable() {
    let system = ActorSystem::builder("bp")
        .ask_timeout(Duration::from_millis(40))
        .build()
        .unwrap();
    let (actor, _) = probe(&system, 4);
    let _release = block(&actor).await;
    let started = tokio::time::Instant::now();
    let err = actor
        .ask(|reply| Msg::Echo { n: 1, reply })
        .await
        .unwrap_err();
    assert!(matches!(err, AskError::Timeout(_)), "{err:?}");
    assert_eq!(started.elapsed(), Duration::from_millis(40));
    actor.kill();
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_late_answer_to_a_withdrawn_ask_is_discarded() {
    let system = ActorSystem::new("bp").unwrap();
    let (actor, _) = probe(&system, 4);
    let release = block(&actor).await;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (entered_tx, entered) = tokio::sync::oneshot::channel();
    let asker = tokio::spawn({
        let actor = actor.clone();
        async move {
            actor
                .ask_timeout(
                    |reply| Msg::BlockAsk {
                        release: rx,
                        entered: Some(entered_tx),
                        n: 9,
                        reply,
                        then: common::Then::Answer,
                    },
                    Duration::from_millis(10),
                )
                .await
        }
    });
    assert!(matches!(asker.await.unwrap(), Err(AskError::Timeout(_))));
    release.send(()).unwrap();
    entered.await.unwrap();
    tx.send(()).unwrap();
    // The late answer is discarded; the actor carries on.
    assert_eq!(
        actor.ask(|reply| Msg::Echo { n: 3, reply }).await.unwrap(),
        3
    );
    system.shutdown().await.unwrap();
}
