//! Ordered shutdown (OTP_BEHAVIOURS 7, 22-27, 46): children stop one at a time in reverse
//! start order under their `Shutdown` spec (`Timeout` then abort, `Brutal`, `Infinity`), a
//! stop the supervisor orders never causes a restart, a child exiting by itself meanwhile is
//! handled once, and nothing a child does in `stopped` or `Drop` wedges or crashes its
//! supervisor.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{
    ChildSpec, DEFAULT_WORKER_SHUTDOWN, EventKind, FailedIn, Shutdown, ShutdownCause, Strategy,
    Supervisor,
};
use common::sup::{
    Behaviour, Cmd, Stopping, events_of, labelled, ping, start, sub, take_events, until, worker,
    worker_with,
};
use common::{Journal, Then, quiet_panics};
use tokio::time::Instant;

const BY_SUPERVISOR: ExitReason = ExitReason::Shutdown(ShutdownCause::Supervisor);
const BY_SYSTEM: ExitReason = ExitReason::Shutdown(ShutdownCause::System);

fn slow(d: Duration) -> Behaviour {
    Behaviour::default().stopping(Stopping::Sleep(d))
}

/// OTP 7 and 27: `stop()` on a supervisor stops its children strictly one after the other
/// in reverse start order (each `stopped` finishes before the previous child is asked), with
/// `Shutdown(Supervisor)`, and none of them is restarted; then it exits `Normal`.
#[tokio::test(start_paused = true)]
async fn supervisor_stop_stops_children_strictly_in_reverse_start_order_without_restarts() {
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let second = Duration::from_secs(1);
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker_with("a", &journal, slow(second)))
            .child(worker_with("b", &journal, slow(second)))
            .child(worker_with("c", &journal, slow(second))),
    )
    .await;
    let mut events = system.events();
    let ws = ["a", "b", "c"].map(|l| labelled(&sup, l));
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);
    assert_eq!(
        &journal.entries()[3..],
        [
            "c:stopped shutdown:supervisor",
            "c:stopped-done",
            "b:stopped shutdown:supervisor",
            "b:stopped-done",
            "a:stopped shutdown:supervisor",
            "a:stopped-done",
        ]
    );
    let seen = take_events(&mut events);
    for w in &ws {
        assert_eq!(w.exit_reason(), Some(BY_SUPERVISOR));
        assert_eq!(
            events_of(&seen, w.id()),
            ["Stopped(shutdown:supervisor)@1"],
            "no restart"
        );
    }
    let stopped: Vec<&str> = seen
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Stopped(_)))
        .map(|e| e.path.name())
        .collect();
    assert_eq!(stopped, ["c", "b", "a", "sup"], "the supervisor exits last");
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// System shutdown stops the root's supervisors newest first, each subtree depth first in
/// reverse start order, with `Shutdown(System)` everywhere; no task is left.
#[tokio::test(start_paused = true)]
async fn system_shutdown_stops_each_tree_in_reverse_and_leaves_no_task() {
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let top = start(
        &system,
        "top",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(ChildSpec::supervisor(
                "mid",
                Supervisor::new(Strategy::RestForOne)
                    .child(worker("b", &journal))
                    .child(worker("c", &journal)),
            ))
            .child(worker("d", &journal)),
    )
    .await;
    let other = start(
        &system,
        "other",
        Supervisor::new(Strategy::OneForOne).child(worker("e", &journal)),
    )
    .await;
    let mid = sub(&top, "mid");
    let workers = [
        labelled(&top, "a"),
        labelled(&mid, "b"),
        labelled(&mid, "c"),
        labelled(&top, "d"),
        labelled(&other, "e"),
    ];
    assert!(system.task_count() >= 8);
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
    assert_eq!(
        &journal.entries()[5..],
        [
            "e:stopped shutdown:system",
            "d:stopped shutdown:system",
            "c:stopped shutdown:system",
            "b:stopped shutdown:system",
            "a:stopped shutdown:system",
        ]
    );
    for w in &workers {
        assert_eq!(w.exit_reason(), Some(BY_SYSTEM));
    }
    for s in [&top, &mid, &other] {
        assert_eq!(s.exit_reason(), Some(BY_SYSTEM));
        assert!(s.children().is_empty());
    }
}

/// OTP 22 and 25: `Shutdown::Timeout(d)` waits `d` for a child whose `stopped` never
/// returns (ignoring cancellation), then aborts it, reports `ShutdownTimedOut` once, and goes
/// on with the next child.
#[tokio::test(start_paused = true)]
async fn shutdown_timeout_aborts_a_child_that_does_not_stop_and_reports_it() {
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let d = Duration::from_secs(2);
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(
                worker_with("h", &journal, Behaviour::default().stopping(Stopping::Hang))
                    .shutdown(Shutdown::Timeout(d)),
            )
            .child(worker("c", &journal)),
    )
    .await;
    let mut events = system.events();
    let a = labelled(&sup, "a");
    let h = labelled(&sup, "h");
    let t0 = Instant::now();
    sup.stop();

    tokio::time::advance(d - Duration::from_millis(1)).await;
    assert!(h.is_alive(), "not aborted before its deadline");
    assert!(a.is_alive(), "the next child waits for it");
    assert_eq!(
        &journal.entries()[3..],
        [
            "c:stopped shutdown:supervisor",
            "h:stopped shutdown:supervisor"
        ]
    );

    assert_eq!(sup.wait().await, ExitReason::Normal);
    assert_eq!(h.exit_reason(), Some(ExitReason::Killed));
    assert_eq!(a.exit_reason(), Some(BY_SUPERVISOR));
    assert_eq!(&journal.entries()[5..], ["a:stopped shutdown:supervisor"]);
    let seen = take_events(&mut events);
    assert_eq!(
        events_of(&seen, h.id()),
        ["ShutdownTimedOut@1", "Stopped(killed)@1"]
    );
    let timed_out = seen
        .iter()
        .find(|e| e.kind == EventKind::ShutdownTimedOut)
        .unwrap();
    assert!(timed_out.at - t0 >= d);
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// A worker's default shutdown is `DEFAULT_WORKER_SHUTDOWN` (5 s): a `stopped` that takes an
/// hour is aborted, where `Shutdown::Infinity` waits for it (see below).
#[tokio::test(start_paused = true)]
async fn default_worker_shutdown_aborts_a_slow_stop() {
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let hour = Duration::from_secs(3600);
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker_with("s", &journal, slow(hour))),
    )
    .await;
    let mut events = system.events();
    let s = labelled(&sup, "s");
    let t0 = Instant::now();
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);
    assert!(Instant::now() - t0 < hour);
    assert!(Instant::now() - t0 >= DEFAULT_WORKER_SHUTDOWN);
    assert_eq!(
        events_of(&take_events(&mut events), s.id()),
        ["ShutdownTimedOut@1", "Stopped(killed)@1"]
    );
    assert!(!journal.entries().contains(&"s:stopped-done".to_owned()));
    system.shutdown().await.unwrap();
}

/// OTP 23: `Shutdown::Brutal` aborts at once, even in the middle of a long handler, and
/// `stopped` does not run.
#[tokio::test(start_paused = true)]
async fn brutal_shutdown_aborts_at_once_and_stopped_does_not_run() {
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker("b", &journal).shutdown(Shutdown::Brutal))
            .child(worker("c", &journal)),
    )
    .await;
    let mut events = system.events();
    let b = labelled(&sup, "b");
    b.tell(Cmd::SleepThen(Duration::from_secs(3600), Then::Answer))
        .await
        .unwrap();
    tokio::task::yield_now().await;
    let t0 = Instant::now();
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);
    assert_eq!(Instant::now(), t0, "no time passed: nothing was waited for");
    assert_eq!(b.exit_reason(), Some(ExitReason::Killed));
    assert_eq!(
        &journal.entries()[3..],
        [
            "c:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor"
        ]
    );
    assert_eq!(
        events_of(&take_events(&mut events), b.id()),
        ["Stopped(killed)@1"],
        "an abort the spec asks for is not a timeout"
    );
    system.shutdown().await.unwrap();
}

/// OTP 24: `Shutdown::Infinity` waits as long as the child takes, and reports no timeout.
#[tokio::test(start_paused = true)]
async fn infinity_shutdown_waits_as_long_as_it_takes() {
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let hour = Duration::from_secs(3600);
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker_with("s", &journal, slow(hour)).shutdown(Shutdown::Infinity)),
    )
    .await;
    let mut events = system.events();
    let s = labelled(&sup, "s");
    let t0 = Instant::now();
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);
    assert!(Instant::now() - t0 >= hour, "it waited for the whole stop");
    assert_eq!(s.exit_reason(), Some(BY_SUPERVISOR));
    assert_eq!(
        &journal.entries()[2..],
        [
            "s:stopped shutdown:supervisor",
            "s:stopped-done",
            "a:stopped shutdown:supervisor",
        ]
    );
    assert_eq!(
        events_of(&take_events(&mut events), s.id()),
        ["Stopped(shutdown:supervisor)@1"]
    );
    system.shutdown().await.unwrap();
}

/// OTP 26: a child that fails by itself while its supervisor is stopping another is neither
/// restarted nor reported twice, and the shutdown goes on.
#[tokio::test(start_paused = true)]
async fn a_child_exiting_by_itself_during_shutdown_is_not_reported_twice_nor_stalls_it() {
    quiet_panics();
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker("b", &journal))
            .child(
                worker_with("c", &journal, slow(Duration::from_secs(1)))
                    .shutdown(Shutdown::Timeout(Duration::from_secs(10))),
            ),
    )
    .await;
    let mut events = system.events();
    let b = labelled(&sup, "b");
    b.tell(Cmd::SleepThen(Duration::from_millis(500), Then::Fail))
        .await
        .unwrap();
    tokio::task::yield_now().await;
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);
    assert_eq!(
        &journal.entries()[3..],
        [
            "c:stopped shutdown:supervisor",
            "b:stopped failed",
            "c:stopped-done",
            "a:stopped shutdown:supervisor",
        ]
    );
    let reason = b.exit_reason().unwrap();
    assert!(
        reason.is_abnormal(),
        "its own exit, not a shutdown: {reason}"
    );
    let seen = take_events(&mut events);
    assert_eq!(events_of(&seen, b.id()), ["Failed@1", "Stopped(failed)@1"]);
    assert_eq!(
        seen.iter()
            .filter(|e| matches!(e.kind, EventKind::Stopped(_)))
            .count(),
        4,
        "one final exit each for a, b, c and the supervisor"
    );
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// A child that stops itself normally while its supervisor shuts down is not restarted.
#[tokio::test(start_paused = true)]
async fn a_permanent_child_stopping_itself_during_shutdown_is_not_restarted() {
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker("a", &journal))
            .child(worker_with("c", &journal, slow(Duration::from_secs(1)))),
    )
    .await;
    let a = labelled(&sup, "a");
    sup.stop();
    until("c is stopping", || journal.entries().len() == 3).await;
    a.tell(Cmd::StopSelf).await.unwrap();
    system.shutdown().await.unwrap();
    assert_eq!(sup.exit_reason(), Some(ExitReason::Normal));
    assert_eq!(a.exit_reason(), Some(ExitReason::Normal));
    assert_eq!(a.generation(), 1);
    assert_eq!(
        &journal.entries()[2..],
        [
            "c:stopped shutdown:supervisor",
            "a:stopped normal",
            "c:stopped-done",
        ]
    );
    assert_eq!(system.task_count(), 0);
}

/// OTP 46: a panic in the `Drop` of a child's state during its supervisor's shutdown is
/// contained: reported as that child's failure, and the siblings still stop in order.
#[tokio::test(start_paused = true)]
async fn a_panic_in_drop_of_state_during_shutdown_is_contained() {
    quiet_panics();
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker_with(
                "p",
                &journal,
                Behaviour::default().drop_panics(),
            ))
            .child(worker("c", &journal)),
    )
    .await;
    let mut events = system.events();
    let p = labelled(&sup, "p");
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);
    assert_eq!(
        &journal.entries()[3..],
        [
            "c:stopped shutdown:supervisor",
            "p:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
        ]
    );
    let failure = p.exit_reason().and_then(|r| r.failure().cloned()).unwrap();
    assert_eq!(failure.hook(), FailedIn::Drop);
    assert!(failure.is_panic());
    assert_eq!(
        events_of(&take_events(&mut events), p.id()),
        ["Failed@1", "Stopped(failed:panic)@1"]
    );
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// A panic in `Drop` of the state during a restart is contained too: the actor goes on with
/// its next instance.
#[tokio::test(start_paused = true)]
async fn a_panic_in_drop_of_state_during_a_restart_is_contained() {
    quiet_panics();
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker_with(
            "p",
            &journal,
            Behaviour::default().drop_panics(),
        )),
    )
    .await;
    let p = labelled(&sup, "p");
    p.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&p).await, 2);
    system.shutdown().await.unwrap();
    assert!(p.exit_reason().unwrap().failure().is_some());
    assert_eq!(system.task_count(), 0);
}

/// `kill()` on a supervisor kills every child at once (no `stopped` runs, no time passes)
/// and it exits `Killed`.
#[tokio::test(start_paused = true)]
async fn supervisor_kill_kills_every_child_at_once() {
    let system = ActorSystem::new("sd").unwrap();
    let journal = Journal::default();
    let hour = Duration::from_secs(3600);
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker_with("a", &journal, slow(hour)))
            .child(worker_with("b", &journal, slow(hour)).shutdown(Shutdown::Infinity)),
    )
    .await;
    let ws = ["a", "b"].map(|l| labelled(&sup, l));
    let t0 = Instant::now();
    sup.kill();
    assert_eq!(sup.wait().await, ExitReason::Killed);
    assert_eq!(Instant::now(), t0);
    for w in &ws {
        assert_eq!(w.exit_reason(), Some(ExitReason::Killed));
    }
    assert_eq!(journal.entries(), ["a:started 1", "b:started 1"]);
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}
