//! A worker of a one_for_one supervisor that fails after `started` applies its supervisor's
//! restart decision itself (`Budget`): no round trip through the supervisor's task. What a
//! user sees must not change, except that such a restart no longer waits for a busy
//! supervisor; and a supervisor stopping children must never lose one to a restart racing it.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{ChildState, Shutdown, ShutdownCause, Strategy, Supervisor};
use common::sup::{
    Behaviour, Cmd, events_of, labelled, ping, start, take_events, worker, worker_with,
};
use common::{Journal, quiet_panics, settle};

/// The worker's restart does not wait for its supervisor, busy starting a child whose
/// `started` takes ten seconds: it is answered from the new instance at once.
#[tokio::test(start_paused = true)]
async fn a_failed_worker_restarts_while_its_supervisor_is_busy() {
    let system = ActorSystem::new("own").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
    )
    .await;
    let a = labelled(&sup, "a");
    let slow = worker_with(
        "slow",
        &journal,
        Behaviour::default().start_delay(Duration::from_secs(10)),
    );
    let starting = tokio::spawn({
        let sup = sup.clone();
        async move { sup.start_child(slow).await.map(|_| ()) }
    });
    settle().await;
    let begun = tokio::time::Instant::now();

    a.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&a).await, 2, "answered by the restarted instance");
    assert_eq!(begun.elapsed(), Duration::ZERO, "no time passed");
    assert!(!starting.is_finished(), "the supervisor is still busy");

    starting.await.unwrap().unwrap();
    system.shutdown().await.unwrap();
}

/// The events of a worker's own restart are those of one its supervisor decides, in the same
/// order, and the supervisor's table never shows it down.
#[tokio::test(start_paused = true)]
async fn an_own_restart_reports_the_same_events() {
    let system = ActorSystem::new("own").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
    )
    .await;
    let a = labelled(&sup, "a");
    let mut events = system.events();

    a.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&a).await, 2);
    assert_eq!(
        events_of(&take_events(&mut events), a.id()),
        ["Failed@1", "RestartScheduled@1", "Restarted(2)@2"]
    );
    assert_eq!(system.failures().len(), 1, "the failure is in the journal");
    assert!(
        sup.child("a")
            .is_some_and(|c| c.state() == ChildState::Running)
    );
    system.shutdown().await.unwrap();
}

/// After restarts its supervisor never saw, a worker's next report (a normal stop, which a
/// Permanent child is restarted for by its supervisor) is taken as current, not as stale.
#[tokio::test(start_paused = true)]
async fn a_report_after_own_restarts_is_current() {
    let system = ActorSystem::new("own").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(10, Duration::from_secs(1))
            .child(worker("a", &journal)),
    )
    .await;
    let a = labelled(&sup, "a");
    for generation in 2..=4 {
        a.tell(Cmd::Fail).await.unwrap();
        assert_eq!(ping(&a).await, generation);
    }
    a.tell(Cmd::StopSelf).await.unwrap();
    assert_eq!(ping(&a).await, 5, "the supervisor restarted it once more");
    assert!(sup.is_alive());
    system.shutdown().await.unwrap();
}

/// Own restarts count against the supervisor's intensity: one too many ends the supervisor,
/// as when it decides every restart itself.
#[tokio::test(start_paused = true)]
async fn own_restarts_count_against_intensity() {
    quiet_panics();
    let system = ActorSystem::new("own").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(2, Duration::from_secs(5))
            .child(worker("a", &journal)),
    )
    .await;
    let a = labelled(&sup, "a");
    a.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&a).await, 2);
    a.tell(Cmd::Panic).await.unwrap();
    assert_eq!(ping(&a).await, 3);
    a.tell(Cmd::Fail).await.unwrap();
    assert_eq!(
        sup.wait().await,
        ExitReason::Shutdown(ShutdownCause::IntensityExceeded)
    );
    assert!(!a.is_alive());
    system.shutdown().await.unwrap();
}

/// `terminate_child` racing a worker that fails over and over on another thread: whether the
/// worker restarted itself just before the stop or not, the stop reaches it (never a timed out
/// shutdown), and it is gone for good when `terminate_child` returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_child_racing_own_restarts_stops_the_worker() {
    quiet_panics();
    let system = ActorSystem::new("own").unwrap();
    let journal = Journal::default();
    for round in 0..100 {
        let name = format!("sup{round}");
        let sup = start(
            &system,
            &name,
            Supervisor::new(Strategy::OneForOne)
                .intensity(u32::MAX, Duration::from_secs(1))
                .child(worker("a", &journal).shutdown(Shutdown::Timeout(Duration::from_secs(10)))),
        )
        .await;
        let a = labelled(&sup, "a");
        let failing = tokio::spawn({
            let a = a.clone();
            async move { while a.tell(Cmd::Fail).await.is_ok() {} }
        });
        for _ in 0..round % 7 {
            tokio::task::yield_now().await;
        }
        sup.terminate_child("a").await.unwrap();
        // A stop that missed the worker would have it killed at the shutdown deadline.
        let reason = a.exit_reason().expect("stopped for good");
        assert_ne!(
            reason,
            ExitReason::Killed,
            "round {round}: the stop reached it"
        );
        assert_eq!(
            sup.child("a").map(|c| c.state()),
            Some(ChildState::Stopped),
            "round {round}"
        );
        failing.await.unwrap();
        sup.stop();
        sup.wait().await;
    }
    system.shutdown().await.unwrap();
}

/// A system shutdown while workers fail and restart themselves on both threads: it completes,
/// every worker makes its final exit, and no stop is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_amid_own_restarts_stops_every_worker() {
    quiet_panics();
    let system = ActorSystem::new("own").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(u32::MAX, Duration::from_secs(1))
            .children((0..4).map(|i| worker(&format!("w{i}"), &journal))),
    )
    .await;
    let workers: Vec<_> = (0..4).map(|i| labelled(&sup, &format!("w{i}"))).collect();
    let failing: Vec<_> = workers
        .iter()
        .map(|w| {
            let w = w.clone();
            tokio::spawn(async move { while w.tell(Cmd::Fail).await.is_ok() {} })
        })
        .collect();
    while workers.iter().any(|w| w.generation() < 10) {
        tokio::task::yield_now().await;
    }
    system.shutdown().await.unwrap();
    for w in &workers {
        // A stop that missed the worker would have it killed at the shutdown deadline.
        let reason = w.exit_reason().expect("made its final exit");
        assert_ne!(reason, ExitReason::Killed, "the stop reached it");
    }
    for f in failing {
        f.await.unwrap();
    }
}
