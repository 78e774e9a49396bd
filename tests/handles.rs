//! Handles: `WeakActorRef`, `Recipient`, identity, and the stop/kill/drain signals acting while
//! the mailbox is full and senders are blocked.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{SendError, TrySendError};
use common::{Msg, block, probe, settle};

#[tokio::test(start_paused = true)]
async fn weak_refs_upgrade_only_while_the_actor_lives() {
    let system = ActorSystem::new("h").unwrap();
    let (actor, _) = probe(&system, 4);
    let weak = actor.downgrade();
    assert_eq!(weak.upgrade().as_ref(), Some(&actor));
    assert_eq!(weak.id(), actor.id());
    actor.stop();
    actor.wait().await;
    assert!(weak.upgrade().is_none());
    system.shutdown().await.unwrap();
}

struct Sum(u64);

enum SumMsg {
    Add(u64),
    Get(Reply<u64>),
}

impl From<u64> for SumMsg {
    fn from(n: u64) -> Self {
        SumMsg::Add(n)
    }
}

impl Actor for Sum {
    type Msg = SumMsg;
    async fn handle(&mut self, msg: SumMsg, _: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            SumMsg::Add(n) => self.0 += n,
            SumMsg::Get(reply) => {
                let _ = reply.send(self.0);
            }
        }
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_recipient_feeds_any_actor_whose_messages_convert() {
    let system = ActorSystem::new("h").unwrap();
    let sum = system.spawn_builder(Sum(0)).mailbox(2).spawn().unwrap();
    let recipient: Recipient<u64> = sum.recipient();
    assert_eq!(recipient.id(), sum.id());
    assert_eq!(recipient.path(), sum.path());
    recipient.tell(5).await.unwrap();
    recipient.try_tell(6).unwrap();
    assert_eq!(sum.ask(SumMsg::Get).await.unwrap(), 11);

    // Errors hand back the original `u64`, not the converted message.
    sum.stop();
    sum.wait().await;
    assert!(matches!(
        recipient.try_tell(7),
        Err(TrySendError::Closed(7))
    ));
    assert!(matches!(recipient.tell(8).await, Err(SendError::Closed(8))));
    assert!(!recipient.is_alive());
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_recipient_reports_full_with_the_original_message() {
    let system = ActorSystem::new("h").unwrap();
    let (actor, _release) = common::busy_and_full(&system).await;

    let recipient: Recipient<u32> = actor.recipient();
    assert!(matches!(recipient.try_tell(2), Err(TrySendError::Full(2))));
    actor.kill();
    system.shutdown().await.unwrap();
}

impl From<u32> for Msg {
    fn from(n: u32) -> Self {
        Msg::Record(n)
    }
}

async fn full_with_blocked_senders(
    actor: &ActorRef<common::Probe>,
) -> Vec<tokio::task::JoinHandle<Result<(), SendError<Msg>>>> {
    for i in 0..2 {
        actor.tell(Msg::Record(i)).await.unwrap();
    }
    let blocked: Vec<_> = (10..13)
        .map(|i| {
            let actor = actor.clone();
            tokio::spawn(async move { actor.tell(Msg::Record(i)).await })
        })
        .collect();
    settle().await;
    assert!(blocked.iter().all(|b| !b.is_finished()));
    blocked
}

#[tokio::test(start_paused = true)]
async fn stop_acts_while_the_mailbox_is_full_and_senders_are_blocked() {
    let system = ActorSystem::new("h").unwrap();
    let (actor, journal) = probe(&system, 2);
    let release = block(&actor).await;
    let blocked = full_with_blocked_senders(&actor).await;
    actor.stop();
    release.send(()).unwrap(); // the current message finishes, then the actor stops
    assert_eq!(actor.wait().await, ExitReason::Normal);
    for b in blocked {
        assert!(matches!(
            b.await.unwrap(),
            Err(SendError::Closed(Msg::Record(_)))
        ));
    }
    assert!(journal.entries().contains(&"stopped normal".to_owned()));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn kill_acts_while_the_mailbox_is_full_and_the_handler_is_stuck() {
    let system = ActorSystem::new("h").unwrap();
    let (actor, journal) = probe(&system, 2);
    let _release = block(&actor).await;
    let blocked = full_with_blocked_senders(&actor).await;
    actor.kill();
    assert_eq!(actor.wait().await, ExitReason::Killed);
    for b in blocked {
        assert!(matches!(
            b.await.unwrap(),
            Err(SendError::Closed(Msg::Record(_)))
        ));
    }
    assert!(!journal.entries().iter().any(|e| e.starts_with("stopped")));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn drain_acts_while_the_mailbox_is_full_and_the_handler_is_stuck() {
    let system = ActorSystem::new("h").unwrap();
    let (actor, _) = probe(&system, 2);
    let release = block(&actor).await;
    let blocked = full_with_blocked_senders(&actor).await;
    actor.drain();
    settle().await;
    // Refused at once, though the handler has not returned yet.
    for b in blocked {
        assert!(matches!(
            b.await.unwrap(),
            Err(SendError::Closed(Msg::Record(_)))
        ));
    }
    assert!(actor.is_alive());
    release.send(()).unwrap();
    assert_eq!(actor.wait().await, ExitReason::Normal);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn kill_interrupts_a_sleeping_handler_without_waiting_for_the_sleep() {
    let system = ActorSystem::new("h").unwrap();
    let (actor, _) = probe(&system, 2);
    actor
        .tell(Msg::Sleep(Duration::from_secs(3600)))
        .await
        .unwrap();
    settle().await;
    let started = tokio::time::Instant::now();
    actor.kill();
    assert_eq!(actor.wait().await, ExitReason::Killed);
    assert_eq!(started.elapsed(), Duration::ZERO);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn context_reports_identity_and_generation() {
    struct Who;
    impl Actor for Who {
        type Msg = Reply<(String, u64, bool)>;
        async fn handle(
            &mut self,
            reply: Self::Msg,
            ctx: &mut Context<Self>,
        ) -> Result<(), ActorError> {
            let same = ctx.actor_ref().id() == ctx.id();
            let _ = reply.send((ctx.path().to_string(), ctx.generation(), same));
            Ok(())
        }
    }
    let system = ActorSystem::new("h").unwrap();
    let who = system.spawn_builder(Who).name("who").spawn().unwrap();
    let (path, generation, same) = who.ask(|reply| reply).await.unwrap();
    assert_eq!(path, "/h/who");
    assert_eq!(generation, 1);
    assert_eq!(who.generation(), 1);
    assert!(same);
    let unnamed = system.spawn(Who).unwrap();
    assert_eq!(
        unnamed.path().name(),
        format!("Who-{}", unnamed.id().as_u64())
    );
    system.shutdown().await.unwrap();
}
