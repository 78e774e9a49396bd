//! Stress on the multi-thread runtime (no timing assertions): control signals racing with
//! senders, asks racing with kills. Every ask resolves, every tell is handled or handed back or
//! counted, every actor exits.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actors::EventKind;
use actors::prelude::*;
use common::{Msg, probe};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signals_race_with_many_senders_and_nothing_is_lost() {
    let system = ActorSystem::builder("stress")
        .event_capacity(1 << 16)
        .build()
        .unwrap();
    let mut events = system.events();
    let handed_back = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(AtomicUsize::new(0));
    let mut actors = Vec::new();
    for round in 0..60usize {
        let (actor, _) = probe(&system, 4);
        let senders: Vec<_> = (0..4)
            .map(|_| {
                let actor = actor.clone();
                let handed_back = handed_back.clone();
                let sent = sent.clone();
                tokio::spawn(async move {
                    for i in 0..200 {
                        match actor.tell(Msg::Record(i)).await {
                            Ok(()) => sent.fetch_add(1, Ordering::Relaxed),
                            Err(_) => handed_back.fetch_add(1, Ordering::Relaxed),
                        };
                    }
                })
            })
            .collect();
        tokio::task::yield_now().await;
        match round % 3 {
            0 => actor.stop(),
            1 => actor.kill(),
            _ => actor.drain(),
        }
        for s in senders {
            s.await.unwrap();
        }
        actor.wait().await;
        actors.push(actor);
    }
    // Everything accepted was either handled or reported undelivered.
    let mut undelivered = 0;
    let mut stopped = 0;
    while let Ok(Some(event)) = events.try_recv() {
        match event.kind {
            EventKind::Undelivered(n) => undelivered += n,
            EventKind::Stopped(_) => stopped += 1,
            _ => {}
        }
    }
    assert_eq!(stopped, 60);
    assert_eq!(
        sent.load(Ordering::Relaxed) + handed_back.load(Ordering::Relaxed),
        60 * 4 * 200
    );
    assert!(undelivered <= sent.load(Ordering::Relaxed));
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ask_resolves_when_actors_are_killed_mid_flight() {
    let system = ActorSystem::new("stress").unwrap();
    for _ in 0..40 {
        let (actor, _) = probe(&system, 8);
        let askers: Vec<_> = (0..16)
            .map(|i| {
                let actor = actor.clone();
                tokio::spawn(async move {
                    actor
                        .ask_timeout(|reply| Msg::Echo { n: i, reply }, Duration::from_secs(30))
                        .await
                })
            })
            .collect();
        actor.tell(Msg::Sleep(Duration::from_micros(50))).await.ok();
        actor.kill();
        for a in askers {
            match a.await.unwrap() {
                Ok(_) | Err(AskError::Killed) | Err(AskError::Stopped) => {}
                Err(other) => panic!("unexpected ask error {other:?}"),
            }
        }
        assert_eq!(actor.wait().await, ExitReason::Killed);
    }
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_races_with_spawns() {
    for _ in 0..20 {
        let system = ActorSystem::new("stress").unwrap();
        let spawner = tokio::spawn({
            let system = system.clone();
            async move {
                let mut ok = 0;
                for _ in 0..200 {
                    if system
                        .spawn(common::Probe::new(&Default::default()))
                        .is_ok()
                    {
                        ok += 1;
                    }
                    tokio::task::yield_now().await;
                }
                ok
            }
        });
        tokio::task::yield_now().await;
        system.shutdown().await.unwrap();
        spawner.await.unwrap();
        assert_eq!(system.actor_count(), 0);
        assert_eq!(system.task_count(), 0);
    }
}
