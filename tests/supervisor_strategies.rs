//! Restart strategies (OTP_BEHAVIOURS 10-12, 21): which children a failure restarts, in
//! which order they are stopped and started, and which instances are new. A worker's restart
//! keeps its actor (same id, next generation); a child supervisor's restart starts new actors
//! for its own children.

mod common;

use actors::prelude::*;
use actors::{ChildSpec, Event, EventKind, Events, Strategy, Supervisor, SupervisorRef};
use common::sup::{
    Behaviour, Cmd, Labelled, child_ids, describe, labelled, next_event, ping, start, sub,
    take_events, worker, worker_with,
};
use common::{Journal, quiet_panics};

/// Every event as `"<name>:<Kind>@<generation>"`, in the order the collector saw them.
fn named(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| format!("{}:{}", e.path.name(), describe(e)))
        .collect()
}

/// A supervisor `/st/sup` with the workers `labels` in this order, a subscription taken once
/// it started, and a second one to wait on.
async fn four(
    strategy: Strategy,
    labels: &[&str],
) -> (ActorSystem, SupervisorRef, Journal, Events, Events) {
    quiet_panics();
    let system = ActorSystem::new("st").unwrap();
    let journal = Journal::default();
    let blueprint = labels.iter().fold(Supervisor::new(strategy), |s, l| {
        s.child(worker(l, &journal))
    });
    let sup = start(&system, "sup", blueprint).await;
    let events = system.events();
    let waiter = system.events();
    (system, sup, journal, events, waiter)
}

fn refs(sup: &SupervisorRef, labels: &[&str]) -> Vec<ActorRef<Labelled>> {
    labels.iter().map(|l| labelled(sup, l)).collect()
}

async fn generations(workers: &[ActorRef<Labelled>]) -> Vec<u64> {
    let mut out = Vec::new();
    for w in workers {
        out.push(ping(w).await);
    }
    out
}

/// Waits (on a subscription kept for waiting) until worker `w` finished restarting into
/// instance `generation`.
async fn restarted(waiter: &mut Events, w: &ActorRef<Labelled>, generation: u64) {
    next_event(waiter, w.id(), |k| *k == EventKind::Restarted(generation)).await;
}

async fn finish(system: ActorSystem) {
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn one_for_one_restarts_only_the_failed_child() {
    let labels = ["a", "b", "c"];
    let (system, sup, journal, mut events, _) = four(Strategy::OneForOne, &labels).await;
    let ws = refs(&sup, &labels);
    ws[1].tell(Cmd::Fail).await.unwrap();
    assert_eq!(generations(&ws).await, [1, 2, 1]);
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "b:started 1",
            "c:started 1",
            "b:stopped failed",
            "b:started 2",
        ]
    );
    assert_eq!(
        named(&take_events(&mut events)),
        ["b:Failed@1", "b:RestartScheduled@1", "b:Restarted(2)@2"]
    );
    let ids: Vec<_> = sup.children().iter().map(|c| c.actor_id()).collect();
    assert_eq!(ids, ws.iter().map(|w| Some(w.id())).collect::<Vec<_>>());
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn one_for_all_stops_siblings_in_reverse_then_starts_all_in_order() {
    let labels = ["a", "b", "c", "d"];
    let (system, sup, journal, mut events, mut waiter) = four(Strategy::OneForAll, &labels).await;
    let ws = refs(&sup, &labels);
    ws[1].tell(Cmd::Fail).await.unwrap();
    restarted(&mut waiter, &ws[3], 2).await;
    assert_eq!(
        generations(&ws).await,
        [2, 2, 2, 2],
        "every instance is new"
    );
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "b:started 1",
            "c:started 1",
            "d:started 1",
            "b:stopped failed",
            "d:stopped shutdown:supervisor",
            "c:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
            "a:started 2",
            "b:started 2",
            "c:started 2",
            "d:started 2",
        ]
    );
    assert_eq!(
        named(&take_events(&mut events)),
        [
            "b:Failed@1",
            "a:RestartScheduled@1",
            "a:Restarted(2)@2",
            "b:RestartScheduled@1",
            "b:Restarted(2)@2",
            "c:RestartScheduled@1",
            "c:Restarted(2)@2",
            "d:RestartScheduled@1",
            "d:Restarted(2)@2",
        ]
    );
    // New instances of the same actors: every ref taken before still works.
    for (w, c) in ws.iter().zip(sup.children()) {
        assert_eq!(c.actor_id(), Some(w.id()));
        assert!(w.is_alive());
    }
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_restarts_the_failed_child_and_those_started_after_it() {
    let labels = ["a", "b", "c", "d"];
    let (system, sup, journal, mut events, mut waiter) = four(Strategy::RestForOne, &labels).await;
    let ws = refs(&sup, &labels);
    ws[1].tell(Cmd::Panic).await.unwrap();
    restarted(&mut waiter, &ws[3], 2).await;
    assert_eq!(
        generations(&ws).await,
        [1, 2, 2, 2],
        "the earlier child keeps its instance"
    );
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "b:started 1",
            "c:started 1",
            "d:started 1",
            "b:stopped failed:panic",
            "d:stopped shutdown:supervisor",
            "c:stopped shutdown:supervisor",
            "b:started 2",
            "c:started 2",
            "d:started 2",
        ]
    );
    assert_eq!(
        named(&take_events(&mut events)),
        [
            "b:Failed@1",
            "b:RestartScheduled@1",
            "b:Restarted(2)@2",
            "c:RestartScheduled@1",
            "c:Restarted(2)@2",
            "d:RestartScheduled@1",
            "d:Restarted(2)@2",
        ]
    );
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_failure_of_the_last_child_restarts_only_it() {
    let labels = ["a", "b", "c"];
    let (system, sup, journal, _, _) = four(Strategy::RestForOne, &labels).await;
    let ws = refs(&sup, &labels);
    ws[2].tell(Cmd::Fail).await.unwrap();
    assert_eq!(generations(&ws).await, [1, 1, 2]);
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "b:started 1",
            "c:started 1",
            "c:stopped failed",
            "c:started 2",
        ]
    );
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn rest_for_one_failure_of_the_first_child_restarts_all() {
    let labels = ["a", "b", "c"];
    let (system, sup, journal, _, mut waiter) = four(Strategy::RestForOne, &labels).await;
    let ws = refs(&sup, &labels);
    ws[0].kill();
    restarted(&mut waiter, &ws[2], 2).await;
    assert_eq!(generations(&ws).await, [2, 2, 2]);
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "b:started 1",
            "c:started 1",
            "c:stopped shutdown:supervisor",
            "b:stopped shutdown:supervisor",
            "a:started 2",
            "b:started 2",
            "c:started 2",
        ],
        "a killed instance runs no `stopped`"
    );
    finish(system).await;
}

/// A child supervisor in a one_for_all group is stopped with its whole subtree (its own
/// children in reverse) and started again with new actors for its children.
#[tokio::test(start_paused = true)]
async fn one_for_all_restarts_a_child_supervisor_with_new_grandchildren() {
    quiet_panics();
    let system = ActorSystem::new("st").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker("a", &journal))
            .child(ChildSpec::supervisor(
                "mid",
                Supervisor::new(Strategy::OneForOne)
                    .child(worker("m1", &journal))
                    .child(worker("m2", &journal)),
            ))
            .child(worker("c", &journal)),
    )
    .await;
    let mid = sub(&sup, "mid");
    let old_m1 = labelled(&mid, "m1");
    let old_m2 = labelled(&mid, "m2");
    let c = labelled(&sup, "c");
    c.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&c).await, 2);
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "m1:started 1",
            "m2:started 1",
            "c:started 1",
            "c:stopped failed",
            "m2:stopped shutdown:supervisor",
            "m1:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
            "a:started 2",
            "m1:started 1",
            "m2:started 1",
            "c:started 2",
        ]
    );
    assert_eq!(mid.generation(), 2);
    assert_eq!(sub(&sup, "mid").id(), mid.id(), "the same supervisor");
    let new_m1 = labelled(&mid, "m1");
    assert_ne!(new_m1.id(), old_m1.id(), "new grandchildren");
    assert!(
        !old_m1.is_alive() && !old_m2.is_alive(),
        "old refs stay dead"
    );
    assert_eq!(ping(&new_m1).await, 1);
    assert_eq!(child_ids(&mid), ["m1", "m2"]);
    finish(system).await;
}

/// OTP 21: under one_for_all, a child that fails to restart makes the supervisor restart the
/// whole group again (the children it had already restarted included).
#[tokio::test(start_paused = true)]
async fn one_for_all_retry_after_a_partial_failure_restarts_everything_again() {
    quiet_panics();
    let system = ActorSystem::new("st").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker("a", &journal))
            .child(worker_with(
                "b",
                &journal,
                Behaviour::default().fail_start(|g| g == 2),
            ))
            .child(worker("c", &journal)),
    )
    .await;
    let mut events = system.events();
    let mut waiter = system.events();
    let ws = refs(&sup, &["a", "b", "c"]);
    ws[0].tell(Cmd::Fail).await.unwrap();
    restarted(&mut waiter, &ws[2], 2).await;
    assert_eq!(generations(&ws).await, [3, 3, 2]);
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "b:started 1",
            "c:started 1",
            "a:stopped failed",
            "c:stopped shutdown:supervisor",
            "b:stopped shutdown:supervisor",
            "a:started 2",
            "b:start failed 2",
            "a:stopped shutdown:supervisor",
            "a:started 3",
            "b:started 3",
            "c:started 2",
        ]
    );
    assert_eq!(
        named(&take_events(&mut events)),
        [
            "a:Failed@1",
            "a:RestartScheduled@1",
            "a:Restarted(2)@2",
            "b:RestartScheduled@1",
            "b:Failed@2",
            "b:StartFailed(failed)@2",
            "a:RestartScheduled@2",
            "a:Restarted(3)@3",
            "b:RestartScheduled@2",
            "b:Restarted(3)@3",
            "c:RestartScheduled@1",
            "c:Restarted(2)@2",
        ]
    );
    finish(system).await;
}

/// OTP 21: under rest_for_one, the retry restarts from the child that failed to start on;
/// the earlier children keep the instance they got.
#[tokio::test(start_paused = true)]
async fn rest_for_one_retry_after_a_partial_failure_restarts_from_the_failed_child() {
    quiet_panics();
    let system = ActorSystem::new("st").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::RestForOne)
            .child(worker("a", &journal))
            .child(worker_with(
                "b",
                &journal,
                Behaviour::default().fail_start(|g| g == 2),
            ))
            .child(worker("c", &journal)),
    )
    .await;
    let mut waiter = system.events();
    let ws = refs(&sup, &["a", "b", "c"]);
    ws[0].tell(Cmd::Fail).await.unwrap();
    restarted(&mut waiter, &ws[2], 2).await;
    assert_eq!(generations(&ws).await, [2, 3, 2]);
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "b:started 1",
            "c:started 1",
            "a:stopped failed",
            "c:stopped shutdown:supervisor",
            "b:stopped shutdown:supervisor",
            "a:started 2",
            "b:start failed 2",
            "b:started 3",
            "c:started 2",
        ]
    );
    finish(system).await;
}

/// OTP 11 ("then starts all"): in OTP a Transient child that ended normally keeps its spec,
/// and a later one_for_all restart of a sibling starts it again along with the others
/// (`restart_multiple_children` starts every spec). Here, a new actor for it.
#[tokio::test(start_paused = true)]
async fn one_for_all_restart_starts_a_transient_child_that_had_ended_normally() {
    quiet_panics();
    let system = ActorSystem::new("st").unwrap();
    let journal = Journal::default();
    let mut waiter = system.events();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker("a", &journal))
            .child(worker("tr", &journal).restart(actors::Restart::Transient))
            .child(worker("c", &journal)),
    )
    .await;
    let ws = refs(&sup, &["a", "tr", "c"]);
    ws[1].tell(Cmd::StopSelf).await.unwrap();
    assert_eq!(ws[1].wait().await, ExitReason::Normal);
    assert_eq!(child_ids(&sup), ["a", "c"]);
    ws[0].tell(Cmd::Fail).await.unwrap();
    restarted(&mut waiter, &ws[2], 2).await;
    assert_eq!(child_ids(&sup), ["a", "tr", "c"]);
    assert_eq!(
        &journal.entries()[3..],
        [
            "tr:stopped normal",
            "a:stopped failed",
            "c:stopped shutdown:supervisor",
            "a:started 2",
            "tr:started 1",
            "c:started 2",
        ]
    );
    finish(system).await;
}
