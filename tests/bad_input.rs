//! Every bad input gets its typed error, never a panic or a hang.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{MAX_MAILBOX_CAPACITY, SendError, SpawnError, SystemError, TrySendError};
use common::{Msg, Probe, probe};

#[test]
fn invalid_system_settings_are_rejected() {
    assert_eq!(
        ActorSystem::new("").unwrap_err(),
        SystemError::InvalidName(String::new())
    );
    assert_eq!(
        ActorSystem::new("a/b").unwrap_err(),
        SystemError::InvalidName("a/b".into())
    );
    assert_eq!(
        ActorSystem::builder("s")
            .ask_timeout(Duration::ZERO)
            .build()
            .unwrap_err(),
        SystemError::ZeroAskTimeout
    );
    assert_eq!(
        ActorSystem::builder("s")
            .shutdown_timeout(Duration::ZERO)
            .build()
            .unwrap_err(),
        SystemError::ZeroShutdownTimeout
    );
    assert_eq!(
        ActorSystem::builder("s")
            .event_capacity(0)
            .build()
            .unwrap_err(),
        SystemError::ZeroEventCapacity
    );
}

#[test]
fn spawning_without_a_runtime_is_an_error() {
    let system = ActorSystem::new("s").unwrap();
    let err = system.spawn(Probe::new(&Default::default())).unwrap_err();
    assert_eq!(err, SpawnError::NoRuntime);
    assert_eq!(system.actor_count(), 0);
}

#[tokio::test]
async fn invalid_spawn_settings_are_rejected() {
    let system = ActorSystem::new("s").unwrap();
    let p = || Probe::new(&Default::default());
    assert_eq!(
        system.spawn_builder(p()).mailbox(0).spawn().unwrap_err(),
        SpawnError::ZeroCapacity
    );
    assert_eq!(
        system
            .spawn_builder(p())
            .mailbox(MAX_MAILBOX_CAPACITY + 1)
            .spawn()
            .unwrap_err(),
        SpawnError::CapacityTooLarge {
            requested: MAX_MAILBOX_CAPACITY + 1,
            max: MAX_MAILBOX_CAPACITY
        }
    );
    assert_eq!(
        system
            .spawn_builder(p())
            .mailbox(usize::MAX)
            .spawn()
            .unwrap_err(),
        SpawnError::CapacityTooLarge {
            requested: usize::MAX,
            max: MAX_MAILBOX_CAPACITY
        }
    );
    assert_eq!(
        system.spawn_builder(p()).name("").spawn().unwrap_err(),
        SpawnError::InvalidName(String::new())
    );
    assert_eq!(
        system.spawn_builder(p()).name("x/y").spawn().unwrap_err(),
        SpawnError::InvalidName("x/y".into())
    );
    assert_eq!(
        system.actor_count(),
        0,
        "a refused spawn leaves nothing behind"
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_actor_asking_itself_gets_an_immediate_error() {
    let system = ActorSystem::new("s").unwrap();
    let (actor, _) = probe(&system, 4);
    let answer = actor.ask(|reply| Msg::AskSelf { reply }).await.unwrap();
    assert!(matches!(answer, Err(AskError::SelfAsk)), "{answer:?}");
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_actor_telling_itself_into_a_full_mailbox_gets_the_message_back() {
    let system = ActorSystem::new("s").unwrap();
    let (actor, _) = probe(&system, 3);
    let outcomes = actor
        .ask(|reply| Msg::TellSelf { count: 5, reply })
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        ["ok", "ok", "ok", "WouldDeadlock(..)", "WouldDeadlock(..)"]
    );
    // The three that fitted are handled afterwards.
    let recorded = actor.ask(|reply| Msg::Recorded { reply }).await.unwrap();
    assert_eq!(recorded, [0, 1, 2]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn sends_to_a_stopped_actor_hand_the_message_back() {
    let system = ActorSystem::new("s").unwrap();
    let (actor, _) = probe(&system, 4);
    actor.stop();
    actor.wait().await;
    assert!(matches!(
        actor.tell(Msg::Record(1)).await,
        Err(SendError::Closed(Msg::Record(1)))
    ));
    assert!(matches!(
        actor.try_tell(Msg::Record(2)),
        Err(TrySendError::Closed(Msg::Record(2)))
    ));
    assert!(matches!(
        actor
            .tell_timeout(Msg::Record(3), Duration::from_secs(1))
            .await,
        Err(actors::SendTimeoutError::Closed(Msg::Record(3)))
    ));
    assert!(matches!(
        actor.ask(|reply| Msg::Echo { n: 1, reply }).await,
        Err(AskError::Stopped)
    ));
    // Control signals to a dead actor are no-ops.
    actor.stop();
    actor.kill();
    actor.drain();
    assert_eq!(actor.wait().await, ExitReason::Normal);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_ask_with_an_enormous_timeout_does_not_overflow() {
    let system = ActorSystem::new("s").unwrap();
    let (actor, _) = probe(&system, 4);
    let n = actor
        .ask_timeout(|reply| Msg::Echo { n: 4, reply }, Duration::MAX)
        .await
        .unwrap();
    assert_eq!(n, 4);
    assert!(system.shutdown_timeout(Duration::MAX).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_zero_ask_timeout_never_waits() {
    let system = ActorSystem::new("s").unwrap();
    let (actor, _) = probe(&system, 4);
    // An actor that answers within its first turn still answers (as `tokio::time::timeout`
    // polls its future once before looking at the clock).
    let n = actor
        .ask_timeout(|reply| Msg::Echo { n: 4, reply }, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(n, 4);
    // A busy actor: the ask times out at once.
    let _release = common::block(&actor).await;
    let started = tokio::time::Instant::now();
    let err = actor
        .ask_timeout(|reply| Msg::Echo { n: 4, reply }, Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(err, AskError::Timeout(_)));
    assert_eq!(started.elapsed(), Duration::ZERO);
    actor.kill();
    system.shutdown().await.unwrap();
}
