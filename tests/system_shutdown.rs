//! System shutdown: reverse spawn order, per-actor deadline then abort, one overall deadline,
//! no task left behind, and a clear error for a second shutdown.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actors::prelude::*;
use actors::{EventKind, ShutdownCause, ShutdownError, SpawnError};
use common::{Msg, drain_events, probe};

struct Named {
    name: u32,
    order: Arc<Mutex<Vec<u32>>>,
}

impl Actor for Named {
    type Msg = ();
    async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
        Ok(())
    }
    async fn stopped(
        &mut self,
        reason: &ExitReason,
        _: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        assert_eq!(*reason, ExitReason::Shutdown(ShutdownCause::System));
        self.order.lock().unwrap().push(self.name);
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn actors_stop_in_reverse_spawn_order_and_no_task_is_left() {
    let system = ActorSystem::new("down").unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    let refs: Vec<_> = (1..=5)
        .map(|name| {
            system
                .spawn(Named {
                    name,
                    order: order.clone(),
                })
                .unwrap()
        })
        .collect();
    assert_eq!(system.task_count(), 5);
    system.shutdown().await.unwrap();
    assert_eq!(*order.lock().unwrap(), [5, 4, 3, 2, 1]);
    assert_eq!(system.task_count(), 0);
    assert_eq!(system.actor_count(), 0);
    for r in refs {
        assert_eq!(
            r.exit_reason(),
            Some(ExitReason::Shutdown(ShutdownCause::System))
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_handler_waiting_on_its_token_ends_promptly_on_shutdown() {
    struct Waiter;
    impl Actor for Waiter {
        type Msg = ();
        async fn handle(&mut self, _: (), ctx: &mut Context<Self>) -> Result<(), ActorError> {
            ctx.cancelled().await;
            Ok(())
        }
    }
    let system = ActorSystem::new("down").unwrap();
    let actor = system.spawn(Waiter).unwrap();
    actor.tell(()).await.unwrap();
    common::settle().await;
    let started = tokio::time::Instant::now();
    system.shutdown().await.unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO, "no deadline had to pass");
    assert_eq!(
        actor.exit_reason(),
        Some(ExitReason::Shutdown(ShutdownCause::System))
    );
}

#[tokio::test(start_paused = true)]
async fn an_actor_that_ignores_shutdown_is_aborted_after_its_timeout_and_reported() {
    let system = ActorSystem::builder("down")
        .shutdown_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let mut events = system.events();
    let (stuck, _) = probe(&system, 4);
    let (fine, _) = probe(&system, 4);
    let _release = common::block(&stuck).await;
    let started = tokio::time::Instant::now();
    system.shutdown().await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    assert_eq!(stuck.exit_reason(), Some(ExitReason::Killed));
    assert_eq!(
        fine.exit_reason(),
        Some(ExitReason::Shutdown(ShutdownCause::System))
    );
    let seen = drain_events(&mut events);
    let timed_out: Vec<_> = seen
        .iter()
        .filter(|e| e.kind == EventKind::ShutdownTimedOut)
        .collect();
    assert_eq!(timed_out.len(), 1);
    assert_eq!(timed_out[0].id, stuck.id());
    assert_eq!(system.task_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn shutdown_timeout_bounds_the_whole_shutdown_and_names_the_late_actors() {
    let system = ActorSystem::builder("down")
        .shutdown_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let (stuck, _) = probe(&system, 4);
    let _release = common::block(&stuck).await;
    let (fine, _) = probe(&system, 4);
    let started = tokio::time::Instant::now();
    let err = system
        .shutdown_timeout(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_secs(1));
    match &err {
        ShutdownError::TimedOut { actors } => assert_eq!(actors, &[stuck.path().clone()]),
        other => panic!("expected TimedOut, got {other:?}"),
    }
    assert!(err.to_string().contains(stuck.path().as_str()));
    assert_eq!(
        fine.exit_reason(),
        Some(ExitReason::Shutdown(ShutdownCause::System))
    );
    // The late actor was aborted at the deadline.
    assert_eq!(stuck.wait().await, ExitReason::Killed);
}

#[tokio::test(start_paused = true)]
async fn a_second_shutdown_is_a_typed_error_and_spawning_after_is_refused() {
    let system = ActorSystem::new("down").unwrap();
    system.shutdown().await.unwrap();
    assert_eq!(system.shutdown().await, Err(ShutdownError::AlreadyStopped));
    assert_eq!(
        system.shutdown_timeout(Duration::from_secs(1)).await,
        Err(ShutdownError::AlreadyStopped)
    );
    assert!(!system.is_running());
    let err = system
        .spawn(common::Probe::new(&Default::default()))
        .unwrap_err();
    assert_eq!(err, SpawnError::SystemStopped);
}

#[tokio::test(start_paused = true)]
async fn concurrent_shutdowns_both_return_after_the_system_stopped() {
    let system = ActorSystem::new("down").unwrap();
    let (actor, _) = probe(&system, 4);
    actor
        .tell(Msg::Sleep(Duration::from_secs(1)))
        .await
        .unwrap();
    common::settle().await;
    let (a, b) = tokio::join!(system.shutdown(), system.shutdown());
    assert!(
        a.is_ok() ^ b.is_ok(),
        "exactly one performs the shutdown: {a:?} {b:?}"
    );
    assert_eq!(system.task_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_system_token_is_cancelled_by_shutdown() {
    let system = ActorSystem::new("down").unwrap();
    let token = system.token();
    assert!(!token.is_cancelled());
    system.shutdown().await.unwrap();
    assert!(token.is_cancelled());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_with_many_busy_actors_leaves_no_task() {
    let system = ActorSystem::new("down").unwrap();
    let actors: Vec<_> = (0..500).map(|_| probe(&system, 8).0).collect();
    let producers: Vec<_> = actors
        .iter()
        .cloned()
        .map(|a| {
            tokio::spawn(async move {
                for i in 0..100 {
                    if a.tell(Msg::Record(i)).await.is_err() {
                        break;
                    }
                }
            })
        })
        .collect();
    system.shutdown().await.unwrap();
    for p in producers {
        p.await.unwrap();
    }
    assert_eq!(system.task_count(), 0);
    assert!(actors.iter().all(|a| !a.is_alive()));
}
