//! Edge cases of the lifecycle: shutdown called from an actor or abandoned half way, hooks that
//! panic before their first `.await`, kills racing with wake-ups, and replies dropped early.

mod common;

use std::future::Future;
use std::time::Duration;

use actors::prelude::*;
use actors::{EventKind, FailedIn, ShutdownCause, ShutdownError};
use common::{Journal, Msg, Probe, block, drain_events, probe, quiet_panics, settle};
use tokio::sync::oneshot;

struct Quitter;

impl Actor for Quitter {
    type Msg = Reply<Result<(), ShutdownError>>;

    async fn handle(
        &mut self,
        reply: Self::Msg,
        ctx: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        let outcome = ctx.system().shutdown().await;
        let _ = reply.send(outcome);
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_called_from_an_actor_returns_at_once_and_stops_everything() {
    let system = ActorSystem::new("edge").unwrap();
    let (other, _) = probe(&system, 4);
    let quitter = system.spawn(Quitter).unwrap();
    let started = tokio::time::Instant::now();
    let outcome = quitter.ask(|reply| reply).await.unwrap();
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        quitter.wait().await,
        ExitReason::Shutdown(ShutdownCause::System)
    );
    assert_eq!(
        other.wait().await,
        ExitReason::Shutdown(ShutdownCause::System)
    );
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "no shutdown timeout had to pass"
    );
    // A later call waits for the shutdown under way, then reports it.
    assert_eq!(system.shutdown().await, Err(ShutdownError::AlreadyStopped));
    assert_eq!(system.task_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_shutdown_still_completes() {
    let system = ActorSystem::builder("edge")
        .shutdown_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let (stuck, _) = probe(&system, 4);
    let _release = block(&stuck).await;
    // The caller gives up after 10 ms; the shutdown goes on without it.
    let gave_up = tokio::time::timeout(Duration::from_millis(10), system.shutdown()).await;
    assert!(gave_up.is_err());
    assert_eq!(system.shutdown().await, Err(ShutdownError::AlreadyStopped));
    assert_eq!(stuck.exit_reason(), Some(ExitReason::Killed));
    assert_eq!(system.task_count(), 0);
}

/// An actor whose `handle` does work (and may panic) before its future is first polled.
struct Eager;

impl Actor for Eager {
    type Msg = (u32, Reply<u32>);

    fn handle(
        &mut self,
        (n, reply): Self::Msg,
        _ctx: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), ActorError>> + Send {
        assert!(n != 0, "zero before the first await");
        async move {
            let _ = reply.send(n);
            Ok(())
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_panic_before_the_first_await_of_a_hook_is_contained() {
    quiet_panics();
    let system = ActorSystem::new("edge").unwrap();
    let mut events = system.events();
    let eager = system.spawn(Eager).unwrap();
    assert_eq!(eager.ask(|reply| (1, reply)).await.unwrap(), 1);
    match eager.ask(|reply| (0, reply)).await {
        Err(AskError::Failed(info)) => {
            assert!(info.is_panic());
            assert_eq!(info.hook(), FailedIn::Handle);
            assert!(info.message().contains("zero before the first await"));
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    assert!(eager.wait().await.is_abnormal());
    let failed = drain_events(&mut events)
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::Failed(_)))
        .count();
    assert_eq!(failed, 1);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_kill_raised_before_the_handler_is_polled_again_wins() {
    struct TwoSteps(Journal);
    impl Actor for TwoSteps {
        type Msg = oneshot::Receiver<()>;
        async fn handle(&mut self, go: Self::Msg, _: &mut Context<Self>) -> Result<(), ActorError> {
            self.0.push("before");
            let _ = go.await;
            self.0.push("after");
            Ok(())
        }
    }
    let system = ActorSystem::new("edge").unwrap();
    let journal = Journal::default();
    let actor = system.spawn(TwoSteps(journal.clone())).unwrap();
    let (go, rx) = oneshot::channel();
    actor.tell(rx).await.unwrap();
    settle().await;
    // Wake the handler and kill it before it runs again (one thread: nothing runs in between).
    go.send(()).unwrap();
    actor.kill();
    assert_eq!(actor.wait().await, ExitReason::Killed);
    assert_eq!(journal.entries(), ["before"]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_kill_during_stopped_keeps_the_original_failure() {
    struct SlowStop;
    impl Actor for SlowStop {
        type Msg = ();
        async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
            Err(ActorError::msg("boom"))
        }
        async fn stopped(
            &mut self,
            _: &ExitReason,
            _: &mut Context<Self>,
        ) -> Result<(), ActorError> {
            std::future::pending::<()>().await;
            Ok(())
        }
    }
    let system = ActorSystem::new("edge").unwrap();
    let actor = system.spawn(SlowStop).unwrap();
    actor.tell(()).await.unwrap();
    settle().await;
    actor.kill();
    let reason = actor.wait().await;
    assert_eq!(
        reason.failure().map(|f| f.message().to_owned()),
        Some("boom".to_owned())
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_ask_whose_asker_gave_up_is_not_counted_as_an_undelivered_tell() {
    let system = ActorSystem::new("edge").unwrap();
    let mut events = system.events();
    let (actor, _) = probe(&system, 4);
    let _release = block(&actor).await;
    let gave_up = actor
        .ask_timeout(|reply| Msg::Echo { n: 1, reply }, Duration::from_millis(5))
        .await;
    assert!(matches!(gave_up, Err(AskError::Timeout(_))));
    actor.tell(Msg::Record(1)).await.unwrap();
    actor.kill();
    actor.wait().await;
    let undelivered = common::undelivered_counts(&drain_events(&mut events));
    assert_eq!(undelivered, [1]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_reply_dropped_while_the_handler_goes_on_is_answered_at_once() {
    struct DropsEarly;
    impl Actor for DropsEarly {
        type Msg = Reply<u32>;
        async fn handle(
            &mut self,
            reply: Self::Msg,
            _: &mut Context<Self>,
        ) -> Result<(), ActorError> {
            drop(reply);
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        }
    }
    let system = ActorSystem::new("edge").unwrap();
    let actor = system.spawn(DropsEarly).unwrap();
    let started = tokio::time::Instant::now();
    assert!(matches!(
        actor.ask(|reply| reply).await,
        Err(AskError::NoReply)
    ));
    assert_eq!(started.elapsed(), Duration::ZERO);
    actor.kill();
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_probe_is_unaffected_by_the_edge_cases() {
    // Guards the helpers above: a plain probe answers and stops normally.
    let system = ActorSystem::new("edge").unwrap();
    let journal = Journal::default();
    let actor = system.spawn(Probe::new(&journal)).unwrap();
    assert_eq!(
        actor.ask(|reply| Msg::Echo { n: 2, reply }).await.unwrap(),
        2
    );
    actor.stop();
    assert_eq!(actor.wait().await, ExitReason::Normal);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_tell_taken_from_the_mailbox_as_a_kill_arrives_is_reported_undelivered() {
    // Found by the message-fate property test: the actor wakes with both a message and a kill
    // pending; the message never reaches its handler and must not vanish silently.
    let system = ActorSystem::new("edge").unwrap();
    let mut events = system.events();
    let (actor, _) = probe(&system, 1);
    settle().await; // idle, waiting for mail
    actor.try_tell(Msg::Record(1)).unwrap();
    actor.kill();
    assert_eq!(actor.wait().await, ExitReason::Killed);
    let undelivered = common::undelivered_counts(&drain_events(&mut events));
    assert_eq!(undelivered, [1]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_error_whose_display_panics_is_still_a_contained_failure() {
    #[derive(Debug)]
    struct Nasty;
    impl std::fmt::Display for Nasty {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            panic!("panic in Drop"); // a message the quiet hook silences
        }
    }
    impl std::error::Error for Nasty {}

    struct Failing;
    impl Actor for Failing {
        type Msg = ();
        async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
            Err(Nasty.into())
        }
    }
    quiet_panics();
    let system = ActorSystem::new("edge").unwrap();
    let mut events = system.events();
    let actor = system.spawn(Failing).unwrap();
    actor.tell(()).await.unwrap();
    let reason = actor.wait().await;
    let info = reason.failure().expect("reported as a failure, not lost");
    assert_eq!(info.message(), "an error whose Display or source panicked");
    assert!(
        drain_events(&mut events)
            .iter()
            .any(|e| matches!(e.kind, EventKind::Failed(_)))
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_actor_of_another_system_waits_for_the_shutdown_it_asks_for() {
    struct Closer(ActorSystem);
    impl Actor for Closer {
        type Msg = Reply<usize>;
        async fn handle(
            &mut self,
            reply: Self::Msg,
            _: &mut Context<Self>,
        ) -> Result<(), ActorError> {
            self.0.shutdown().await.unwrap();
            // Waited: nothing of the other system is left.
            let _ = reply.send(self.0.task_count());
            Ok(())
        }
    }
    let other = ActorSystem::new("other").unwrap();
    let (slow, _) = probe(&other, 4);
    slow.tell(Msg::Sleep(Duration::from_secs(1))).await.unwrap();
    let system = ActorSystem::new("edge").unwrap();
    let closer = system.spawn(Closer(other.clone())).unwrap();
    assert_eq!(closer.ask(|reply| reply).await.unwrap(), 0);
    assert!(!slow.is_alive());
    system.shutdown().await.unwrap();
}

#[test]
fn shutdown_awaited_outside_any_runtime_completes_on_the_actors_runtime() {
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    /// A minimal executor that is not tokio: park the thread until woken.
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    fn block_on<F: std::future::Future>(fut: F) -> F::Output {
        let mut fut = std::pin::pin!(fut);
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = std::task::Context::from_waker(&waker);
        loop {
            if let std::task::Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                return out;
            }
            std::thread::park();
        }
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let system = ActorSystem::new("edge").unwrap();
    let actor = rt.block_on(async { probe(&system, 4).0 });
    let outcome = std::thread::spawn({
        let system = system.clone();
        move || block_on(system.shutdown())
    })
    .join()
    .unwrap();
    assert_eq!(outcome, Ok(()));
    assert!(!actor.is_alive());
    assert_eq!(system.task_count(), 0);
}
