//! Restart intensity and escalation (OTP_BEHAVIOURS 13-19): `max_restarts` within a sliding
//! window that is exact on tokio's (paused) clock, escalation by stopping every child in
//! reverse and exiting `Shutdown(IntensityExceeded)`, a parent that restarts such a child
//! supervisor only if it is Permanent, and restart failures that are retried and counted.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{
    ActorId, ChildSpec, EventKind, Events, Restart, ShutdownCause, Strategy, Supervisor,
    SupervisorRef,
};
use common::sup::{
    Behaviour, Cmd, Labelled, events_of, labelled, ping, start, sub, take_events, worker,
    worker_with,
};
use common::{Journal, quiet_panics};
use tokio::time::Instant;

const INTENSITY_EXCEEDED: ExitReason = ExitReason::Shutdown(ShutdownCause::IntensityExceeded);

/// `/in/sup` (one_for_one, `max` within `within`) with workers `a`, `w`, `c` in this order.
async fn three(max: u32, within: Duration) -> (ActorSystem, SupervisorRef, Journal, Events) {
    quiet_panics();
    let system = ActorSystem::new("in").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(max, within)
            .child(worker("a", &journal))
            .child(worker("w", &journal))
            .child(worker("c", &journal)),
    )
    .await;
    let events = system.events();
    (system, sup, journal, events)
}

/// Fails `w`'s instance and waits until the new one answers; returns its generation.
async fn fail_and_restart(w: &ActorRef<Labelled>) -> u64 {
    w.tell(Cmd::Fail).await.unwrap();
    ping(w).await
}

async fn finish(system: ActorSystem) {
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

fn exceeded(events: &[actors::Event]) -> Vec<ActorId> {
    events
        .iter()
        .filter(|e| e.kind == EventKind::IntensityExceeded)
        .map(|e| e.id)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn max_restarts_within_the_window_are_tolerated() {
    let (system, sup, _journal, mut events) = three(3, Duration::from_secs(5)).await;
    let w = labelled(&sup, "w");
    for expected in 2..=4 {
        assert_eq!(fail_and_restart(&w).await, expected);
    }
    assert!(sup.is_alive());
    assert_eq!(sup.generation(), 1);
    assert!(exceeded(&take_events(&mut events)).is_empty());
    finish(system).await;
}

/// OTP 13 and 17: one restart more than allowed stops every child in reverse start order,
/// and the supervisor exits with a shutdown reason, not a failure of its own.
#[tokio::test(start_paused = true)]
async fn one_restart_more_than_max_restarts_stops_the_children_in_reverse_and_exits_shutdown() {
    let (system, sup, journal, mut events) = three(3, Duration::from_secs(5)).await;
    let a = labelled(&sup, "a");
    let w = labelled(&sup, "w");
    let c = labelled(&sup, "c");
    for _ in 0..3 {
        fail_and_restart(&w).await;
    }
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(sup.wait().await, INTENSITY_EXCEEDED);

    assert_eq!(
        &journal.entries()[9..],
        [
            "w:stopped failed",
            "c:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
        ]
    );
    assert_eq!(
        a.exit_reason(),
        Some(ExitReason::Shutdown(ShutdownCause::Supervisor))
    );
    assert_eq!(
        c.exit_reason(),
        Some(ExitReason::Shutdown(ShutdownCause::Supervisor))
    );
    let w_reason = w.exit_reason().unwrap();
    assert_eq!(w_reason.failure().map(|f| f.generation()), Some(4));
    assert!(sup.children().is_empty());

    let seen = take_events(&mut events);
    assert_eq!(
        events_of(&seen, sup.id()),
        ["IntensityExceeded@1", "Stopped(shutdown:intensity)@1"],
        "no failure of its own"
    );
    assert_eq!(
        &events_of(&seen, w.id())[9..],
        ["Failed@4", "Stopped(failed)@4"],
        "the fourth failure is not followed by a restart"
    );
    assert_eq!(events_of(&seen, a.id()), ["Stopped(shutdown:supervisor)@1"]);
    finish(system).await;
}

/// OTP 14: restarts further apart than the window never accumulate, however many.
#[tokio::test(start_paused = true)]
async fn restarts_spaced_wider_than_the_window_never_trip_the_limit() {
    let (system, sup, _journal, _events) = three(1, Duration::from_secs(1)).await;
    let w = labelled(&sup, "w");
    for expected in 2..=26 {
        assert_eq!(fail_and_restart(&w).await, expected);
        tokio::time::advance(Duration::from_millis(1500)).await;
    }
    assert!(sup.is_alive());
    finish(system).await;
}

/// OTP 14: the window slides (it is not a fixed interval that resets): with 2 in 1 s,
/// failures 0.6 s apart go on forever, but two at once after one 0.6 s earlier trip it.
#[tokio::test(start_paused = true)]
async fn the_window_slides_rather_than_resetting() {
    let (system, sup, _journal, _events) = three(2, Duration::from_secs(1)).await;
    let w = labelled(&sup, "w");
    for expected in 2..=21 {
        assert_eq!(fail_and_restart(&w).await, expected);
        tokio::time::advance(Duration::from_millis(600)).await;
    }
    assert!(sup.is_alive());
    // 0.6 s after the last restart: one more is the second in the window...
    assert_eq!(fail_and_restart(&w).await, 22);
    // ...and another at the same instant is the third.
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(sup.wait().await, INTENSITY_EXCEEDED);
    finish(system).await;
}

/// OTP 15 (ours): a restart at `t` no longer counts at exactly `t + within`.
#[tokio::test(start_paused = true)]
async fn a_restart_exactly_one_window_ago_no_longer_counts() {
    let within = Duration::from_secs(10);
    let (system, sup, _journal, mut events) = three(1, within).await;
    let w = labelled(&sup, "w");
    let t0 = Instant::now();
    assert_eq!(fail_and_restart(&w).await, 2);
    tokio::time::advance(within).await;
    assert_eq!(fail_and_restart(&w).await, 3);
    assert!(sup.is_alive());

    let scheduled: Vec<Duration> = take_events(&mut events)
        .iter()
        .filter(|e| matches!(e.kind, EventKind::RestartScheduled(_)))
        .map(|e| e.at - t0)
        .collect();
    assert_eq!(
        scheduled,
        [Duration::ZERO, within],
        "the restarts were exactly `within` apart"
    );
    finish(system).await;
}

/// OTP 15 (ours): a restart at `t` still counts at `t + within - 1 ms`.
#[tokio::test(start_paused = true)]
async fn a_restart_just_inside_the_window_still_counts() {
    let within = Duration::from_secs(10);
    let (system, sup, _journal, mut events) = three(1, within).await;
    let w = labelled(&sup, "w");
    let t0 = Instant::now();
    assert_eq!(fail_and_restart(&w).await, 2);
    tokio::time::advance(within - Duration::from_millis(1)).await;
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(sup.wait().await, INTENSITY_EXCEEDED);
    assert_eq!(w.generation(), 2);

    let seen = take_events(&mut events);
    let at = |kind: &EventKind| {
        seen.iter()
            .find(|e| e.kind == *kind)
            .map(|e| e.at - t0)
            .unwrap()
    };
    assert_eq!(
        at(&EventKind::RestartScheduled(Duration::ZERO)),
        Duration::ZERO
    );
    assert_eq!(
        at(&EventKind::IntensityExceeded),
        within - Duration::from_millis(1)
    );
    finish(system).await;
}

/// OTP 16: with `max_restarts = 0` the first restart stops the supervisor.
#[tokio::test(start_paused = true)]
async fn intensity_zero_escalates_the_first_restart() {
    let (system, sup, journal, mut events) = three(0, Duration::from_secs(5)).await;
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(sup.wait().await, INTENSITY_EXCEEDED);
    assert_eq!(w.generation(), 1, "never restarted");
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "w:started 1",
            "c:started 1",
            "w:stopped failed",
            "c:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
        ]
    );
    let seen = take_events(&mut events);
    assert_eq!(exceeded(&seen), [sup.id()]);
    assert_eq!(events_of(&seen, w.id()), ["Failed@1", "Stopped(failed)@1"]);
    finish(system).await;
}

/// Only restarts count: exits that are not followed by one (a Temporary child, a Transient
/// one ending normally) leave the intensity alone, even at 0.
#[tokio::test(start_paused = true)]
async fn exits_that_need_no_restart_do_not_count_against_intensity() {
    quiet_panics();
    let system = ActorSystem::new("in").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(0, Duration::from_secs(5))
            .child(worker("p", &journal))
            .child(worker("tmp", &journal).restart(Restart::Temporary))
            .child(worker("tr", &journal).restart(Restart::Transient)),
    )
    .await;
    let p = labelled(&sup, "p");
    let tmp = labelled(&sup, "tmp");
    let tr = labelled(&sup, "tr");
    tmp.tell(Cmd::Panic).await.unwrap();
    assert!(tmp.wait().await.is_abnormal());
    tr.tell(Cmd::StopSelf).await.unwrap();
    assert_eq!(tr.wait().await, ExitReason::Normal);
    assert!(sup.is_alive());
    assert_eq!(ping(&p).await, 1);
    finish(system).await;
}

/// OTP 19: a child whose restarts keep failing in `started` is retried through the
/// supervisor's queue, each retry counting, until the intensity escalates.
#[tokio::test(start_paused = true)]
async fn a_child_that_never_restarts_is_retried_until_the_intensity_escalates() {
    quiet_panics();
    let system = ActorSystem::new("in").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(3, Duration::from_secs(5))
            .child(worker("a", &journal))
            .child(worker_with(
                "w",
                &journal,
                Behaviour::default().fail_start(|g| g >= 2),
            )),
    )
    .await;
    let mut events = system.events();
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(sup.wait().await, INTENSITY_EXCEEDED);
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "w:started 1",
            "w:stopped failed",
            "w:start failed 2",
            "w:start failed 3",
            "w:start failed 4",
            "a:stopped shutdown:supervisor",
        ]
    );
    let seen = take_events(&mut events);
    assert_eq!(
        events_of(&seen, w.id()),
        [
            "Failed@1",
            "RestartScheduled@1",
            "Failed@2",
            "StartFailed(failed)@2",
            "RestartScheduled@2",
            "Failed@3",
            "StartFailed(failed)@3",
            "RestartScheduled@3",
            "Failed@4",
            "StartFailed(failed)@4",
            "Stopped(failed)@4",
        ]
    );
    assert_eq!(
        events_of(&seen, sup.id()),
        ["IntensityExceeded@1", "Stopped(shutdown:intensity)@1"]
    );
    finish(system).await;
}

/// OTP 19: a child whose restart fails a few times, within the intensity, is kept retrying
/// until an instance starts; queued messages wait for it.
#[tokio::test(start_paused = true)]
async fn a_child_that_fails_to_restart_within_the_intensity_is_retried_until_it_starts() {
    quiet_panics();
    let system = ActorSystem::new("in").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(3, Duration::from_secs(5))
            .child(worker_with(
                "w",
                &journal,
                Behaviour::default().panic_start(|g| g == 2 || g == 3),
            )),
    )
    .await;
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    w.tell(Cmd::Record(7)).await.unwrap();
    let recorded = w.ask(|reply| Cmd::Recorded { reply }).await.unwrap();
    assert_eq!(recorded, (4, vec![7]));
    assert_eq!(
        journal.entries(),
        [
            "w:started 1",
            "w:stopped failed",
            "w:start panicked 2",
            "w:start panicked 3",
            "w:started 4",
        ]
    );
    assert!(sup.is_alive());
    finish(system).await;
}

/// The handle of the worker at `/esc/top/mid/leaf/w` now, and the supervisors on the way.
fn tree(top: &SupervisorRef) -> (SupervisorRef, SupervisorRef, ActorRef<Labelled>) {
    let mid = sub(top, "mid");
    let leaf = sub(&mid, "leaf");
    let w = labelled(&leaf, "w");
    (mid, leaf, w)
}

/// Waits until a new worker (not `old`) has started at `/esc/top/mid/leaf/w`.
async fn new_worker_started(waiter: &mut Events, old: ActorId) {
    loop {
        let e = waiter.recv().await.unwrap();
        if e.path.as_str() == "/esc/top/mid/leaf/w" && e.id != old && e.kind == EventKind::Started {
            return;
        }
    }
}

/// OTP 17-18 over three levels of Permanent supervisors: each exceeded intensity is a
/// restart of that supervisor in its parent, which counts against the parent's own, until
/// the top gives up. A restarted supervisor starts new actors for its children.
#[tokio::test(start_paused = true)]
async fn escalation_through_three_levels_of_permanent_supervisors() {
    quiet_panics();
    let system = ActorSystem::new("esc").unwrap();
    let mut events = system.events();
    let mut waiter = system.events();
    let journal = Journal::default();
    let window = Duration::from_secs(5);
    let leaf = Supervisor::new(Strategy::OneForOne)
        .intensity(0, window)
        .child(worker("w", &journal));
    let mid = Supervisor::new(Strategy::OneForOne)
        .intensity(1, window)
        .child(ChildSpec::supervisor("leaf", leaf));
    let top = start(
        &system,
        "top",
        Supervisor::new(Strategy::OneForOne)
            .intensity(1, window)
            .child(ChildSpec::supervisor("mid", mid)),
    )
    .await;

    let mut workers = Vec::new();
    let mut leaves = Vec::new();
    let mut mids = Vec::new();
    for round in 0..4 {
        let (mid, leaf, w) = tree(&top);
        assert_eq!(ping(&w).await, 1, "every worker is a new actor");
        w.tell(Cmd::Fail).await.unwrap();
        assert!(w.wait().await.is_abnormal());
        workers.push(w.clone());
        leaves.push(leaf);
        mids.push(mid);
        if round < 3 {
            new_worker_started(&mut waiter, w.id()).await;
        }
    }
    assert_eq!(top.wait().await, INTENSITY_EXCEEDED);

    // Round 1: leaf restarted by mid. Round 2: mid restarted by top (a new leaf). Round 3:
    // the new leaf restarted by the new mid's instance. Round 4: the top gives up.
    assert_eq!(leaves[0].id(), leaves[1].id());
    assert_ne!(leaves[1].id(), leaves[2].id());
    assert_eq!(leaves[2].id(), leaves[3].id());
    assert!(mids.iter().all(|m| m.id() == mids[0].id()));
    let seen = take_events(&mut events);
    assert_eq!(
        exceeded(&seen),
        [
            leaves[0].id(),
            leaves[1].id(),
            mids[0].id(),
            leaves[2].id(),
            leaves[3].id(),
            mids[0].id(),
            top.id(),
        ]
    );
    assert_eq!(
        events_of(&seen, mids[0].id()),
        [
            "Started@1",
            "IntensityExceeded@1",
            "RestartScheduled@1",
            "Restarted(2)@2",
            "IntensityExceeded@2",
            "Stopped(shutdown:intensity)@2",
        ]
    );
    assert_eq!(
        events_of(&seen, top.id()),
        [
            "Started@1",
            "IntensityExceeded@1",
            "Stopped(shutdown:intensity)@1"
        ]
    );
    let mut ids: Vec<ActorId> = workers.iter().map(|w| w.id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    assert!(workers.iter().all(|w| !w.is_alive()), "old refs stay dead");
    assert_eq!(
        journal.entries(),
        ["w:started 1", "w:stopped failed"].repeat(4)
    );
    finish(system).await;
}

/// OTP 17 with intensity 0 everywhere: one failure takes the whole Permanent tree down,
/// each level stopping its remaining children in reverse start order.
#[tokio::test(start_paused = true)]
async fn escalation_with_intensity_zero_reaches_the_top_stopping_each_level_in_reverse() {
    quiet_panics();
    let system = ActorSystem::new("esc").unwrap();
    let mut events = system.events();
    let journal = Journal::default();
    let zero = |s: Supervisor| s.intensity(0, Duration::from_secs(5));
    let leaf = zero(Supervisor::new(Strategy::OneForOne)).child(worker("w", &journal));
    let mid = zero(Supervisor::new(Strategy::OneForOne))
        .child(worker("m1", &journal))
        .child(ChildSpec::supervisor("leaf", leaf))
        .child(worker("m2", &journal));
    let top = start(
        &system,
        "top",
        zero(Supervisor::new(Strategy::OneForOne))
            .child(worker("t1", &journal))
            .child(ChildSpec::supervisor("mid", mid))
            .child(worker("t2", &journal)),
    )
    .await;
    let (mid, leaf, w) = tree(&top);
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(top.wait().await, INTENSITY_EXCEEDED);
    assert_eq!(mid.exit_reason(), Some(INTENSITY_EXCEEDED));
    assert_eq!(leaf.exit_reason(), Some(INTENSITY_EXCEEDED));
    assert_eq!(
        journal.entries(),
        [
            "t1:started 1",
            "m1:started 1",
            "w:started 1",
            "m2:started 1",
            "t2:started 1",
            "w:stopped failed",
            "m2:stopped shutdown:supervisor",
            "m1:stopped shutdown:supervisor",
            "t2:stopped shutdown:supervisor",
            "t1:stopped shutdown:supervisor",
        ]
    );
    assert_eq!(
        exceeded(&take_events(&mut events)),
        [leaf.id(), mid.id(), top.id()],
        "once each, bottom up"
    );
    finish(system).await;
}

/// OTP 18: a Transient child supervisor whose intensity is exceeded exits with a shutdown
/// reason, which is not abnormal: its parent does not restart it and counts nothing, so the
/// escalation ends there even with intensity 0 above.
#[tokio::test(start_paused = true)]
async fn escalation_ends_at_a_transient_child_supervisor() {
    quiet_panics();
    let system = ActorSystem::new("esc").unwrap();
    let mut events = system.events();
    let journal = Journal::default();
    let zero = |s: Supervisor| s.intensity(0, Duration::from_secs(5));
    let leaf = zero(Supervisor::new(Strategy::OneForOne)).child(worker("w", &journal));
    let mid = zero(Supervisor::new(Strategy::OneForAll))
        .child(ChildSpec::supervisor("leaf", leaf).restart(Restart::Transient))
        .child(worker("m2", &journal));
    let top = start(
        &system,
        "top",
        zero(Supervisor::new(Strategy::OneForOne))
            .child(ChildSpec::supervisor("mid", mid).restart(Restart::Transient)),
    )
    .await;
    let (mid, leaf, w) = tree(&top);
    let m2 = labelled(&mid, "m2");
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(leaf.wait().await, INTENSITY_EXCEEDED);
    assert_eq!(ping(&m2).await, 1, "the sibling is not restarted either");
    assert!(mid.is_alive() && top.is_alive());
    assert_eq!(
        mid.child("leaf").map(|c| c.state()),
        Some(actors::ChildState::Stopped),
        "the spec is kept, stopped"
    );
    assert_eq!(
        journal.entries(),
        ["w:started 1", "m2:started 1", "w:stopped failed"]
    );
    assert_eq!(exceeded(&take_events(&mut events)), [leaf.id()]);
    system.shutdown().await.unwrap();
    assert_eq!(
        mid.wait().await,
        ExitReason::Shutdown(ShutdownCause::System)
    );
    assert_eq!(system.task_count(), 0);
}
