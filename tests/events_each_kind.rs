//! Every kind of lifecycle event, provoked once: a subscriber sees it exactly once for the
//! actor concerned, with that actor's path, id, generation and parent (the system's root for
//! an actor spawned on the system or a root supervisor, the supervisor for a supervised
//! child). And subscribers that never read, or go away, never hold the system up: a lagging
//! one is told how many events it missed and then gets the newest.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actors::prelude::*;
use actors::{
    ActorId, AdminError, Backoff, ChildSpec, Event, EventKind, EventsError, FailedIn, Shutdown,
    ShutdownCause, Sink, Strategy, Supervisor, SupervisorRef,
};
use common::sup::{
    Behaviour, Cmd, Labelled, Stopping, block, labelled, next_event, ping, start, sub, take_events,
    worker, worker_with,
};
use common::{Journal, Msg, Probe, Then, quiet_panics};
use tokio::time::Instant;

const BY_SUPERVISOR: ExitReason = ExitReason::Shutdown(ShutdownCause::Supervisor);
const INTENSITY_EXCEEDED: ExitReason = ExitReason::Shutdown(ShutdownCause::IntensityExceeded);

/// The system's root id, as a user sees it: the root node of `system.tree()`.
async fn root_id(system: &ActorSystem) -> ActorId {
    system.tree().await.root().id.expect("the root has an id")
}

/// The events of actor `id` among `seen`, as `"<kind>@<generation>"`, for failure messages.
fn trail(seen: &[Event], id: ActorId) -> Vec<String> {
    seen.iter()
        .filter(|e| e.id == id)
        .map(|e| format!("{:?}@{}", e.kind, e.generation))
        .collect()
}

/// The one event of actor `id` whose kind matches `pred`: fails the test unless there is
/// exactly one.
fn once(seen: &[Event], id: ActorId, what: &str, pred: impl Fn(&EventKind) -> bool) -> Event {
    let found: Vec<&Event> = seen
        .iter()
        .filter(|e| e.id == id && pred(&e.kind))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{what} of actor {id} exactly once; its events: {:?}",
        trail(seen, id)
    );
    found[0].clone()
}

/// How many events among `seen`, of any actor, match `pred`.
fn count(seen: &[Event], pred: impl Fn(&EventKind) -> bool) -> usize {
    seen.iter().filter(|e| pred(&e.kind)).count()
}

/// Checks the event's identity fields.
#[track_caller]
fn assert_about(event: &Event, path: &str, id: ActorId, generation: u64, parent: ActorId) {
    assert_eq!(event.path.as_str(), path, "path of {:?}", event.kind);
    assert_eq!(event.id, id, "id of {:?}", event.kind);
    assert_eq!(
        event.generation, generation,
        "generation of {:?}",
        event.kind
    );
    assert_eq!(event.parent, Some(parent), "parent of {:?}", event.kind);
}

fn is_started(k: &EventKind) -> bool {
    matches!(k, EventKind::Started)
}
fn is_failed(k: &EventKind) -> bool {
    matches!(k, EventKind::Failed(_))
}
fn is_undelivered(k: &EventKind) -> bool {
    matches!(k, EventKind::Undelivered(_))
}
fn is_timed_out(k: &EventKind) -> bool {
    matches!(k, EventKind::ShutdownTimedOut)
}
fn is_stopped(k: &EventKind) -> bool {
    matches!(k, EventKind::Stopped(_))
}
fn is_scheduled(k: &EventKind) -> bool {
    matches!(k, EventKind::RestartScheduled(_))
}
fn is_restarted(k: &EventKind) -> bool {
    matches!(k, EventKind::Restarted(_))
}
fn is_start_failed(k: &EventKind) -> bool {
    matches!(k, EventKind::StartFailed(_))
}
fn is_exceeded(k: &EventKind) -> bool {
    matches!(k, EventKind::IntensityExceeded)
}

/// A probe spawned on the system with a name.
fn named_probe(system: &ActorSystem, name: &str) -> ActorRef<Probe> {
    system
        .spawn_builder(Probe::new(&Journal::default()))
        .name(name)
        .mailbox(8)
        .spawn()
        .unwrap()
}

async fn finish(system: ActorSystem) {
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// A one_for_one supervisor `sup` with two default workers, `w` and `other`.
async fn w_and_other(system: &ActorSystem) -> SupervisorRef {
    let journal = Journal::default();
    start(
        system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("w", &journal))
            .child(worker("other", &journal)),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Started
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn started_arrives_once_for_each_actor_spawned_on_the_system_with_the_root_as_parent() {
    let system = ActorSystem::new("ek").unwrap();
    let root = root_id(&system).await;
    let mut events = system.events();
    let a = named_probe(&system, "a");
    let b = named_probe(&system, "b");
    assert_eq!(a.ask(|reply| Msg::Echo { n: 1, reply }).await.unwrap(), 1);
    assert_eq!(b.ask(|reply| Msg::Echo { n: 2, reply }).await.unwrap(), 2);
    common::settle().await;

    let seen = take_events(&mut events);
    let started_a = once(&seen, a.id(), "Started", is_started);
    let started_b = once(&seen, b.id(), "Started", is_started);
    assert_about(&started_a, "/ek/a", a.id(), 1, root);
    assert_about(&started_b, "/ek/b", b.id(), 1, root);
    assert_ne!(a.id(), b.id());
    assert_eq!(count(&seen, is_started), 2, "no other actor started");
    assert_eq!(seen.len(), 2, "nothing but the two Started: {seen:?}");
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn started_arrives_once_at_each_level_of_a_tree_with_its_supervisor_as_parent() {
    let system = ActorSystem::new("ek").unwrap();
    let root = root_id(&system).await;
    let mut events = system.events();
    let journal = Journal::default();
    let top = start(
        &system,
        "top",
        Supervisor::new(Strategy::OneForOne)
            .child(ChildSpec::supervisor(
                "mid",
                Supervisor::new(Strategy::OneForOne).child(worker("w", &journal)),
            ))
            .child(worker("x", &journal)),
    )
    .await;
    let mid = sub(&top, "mid");
    let w = labelled(&mid, "w");
    let x = labelled(&top, "x");
    assert_eq!(ping(&w).await, 1);
    assert_eq!(ping(&x).await, 1);
    common::settle().await;

    let seen = take_events(&mut events);
    assert_about(
        &once(&seen, top.id(), "Started", is_started),
        "/ek/top",
        top.id(),
        1,
        root,
    );
    assert_about(
        &once(&seen, mid.id(), "Started", is_started),
        "/ek/top/mid",
        mid.id(),
        1,
        top.id(),
    );
    assert_about(
        &once(&seen, w.id(), "Started", is_started),
        "/ek/top/mid/w",
        w.id(),
        1,
        mid.id(),
    );
    assert_about(
        &once(&seen, x.id(), "Started", is_started),
        "/ek/top/x",
        x.id(),
        1,
        top.id(),
    );
    assert_eq!(count(&seen, is_started), 4, "{seen:?}");
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// Failed
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn failed_arrives_once_for_a_system_actor_whose_handler_returned_an_error() {
    let system = ActorSystem::new("ek").unwrap();
    let root = root_id(&system).await;
    let mut events = system.events();
    let f = named_probe(&system, "f");
    f.tell(Msg::Fail).await.unwrap();
    assert!(f.wait().await.is_abnormal());

    let seen = take_events(&mut events);
    let failed = once(&seen, f.id(), "Failed", is_failed);
    assert_about(&failed, "/ek/f", f.id(), 1, root);
    let EventKind::Failed(info) = &failed.kind else {
        unreachable!()
    };
    assert_eq!(info.message(), "told to fail");
    assert_eq!(info.hook(), FailedIn::Handle);
    assert!(!info.is_panic());
    assert_eq!((info.id(), info.generation()), (f.id(), 1));
    assert_eq!(count(&seen, is_failed), 1);
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn failed_arrives_once_for_a_supervised_child_that_panicked_and_was_restarted() {
    quiet_panics();
    let system = ActorSystem::new("ek").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("w", &journal)),
    )
    .await;
    let mut events = system.events();
    let w = labelled(&sup, "w");
    w.tell(Cmd::Panic).await.unwrap();
    assert_eq!(ping(&w).await, 2, "restarted once");
    common::settle().await;

    let seen = take_events(&mut events);
    let failed = once(&seen, w.id(), "Failed", is_failed);
    assert_about(&failed, "/ek/sup/w", w.id(), 1, sup.id());
    let EventKind::Failed(info) = &failed.kind else {
        unreachable!()
    };
    assert!(info.is_panic());
    assert_eq!(info.message(), "told to panic");
    assert_eq!(info.hook(), FailedIn::Handle);
    assert_eq!(info.generation(), 1);
    assert_eq!(count(&seen, is_failed), 1, "the supervisor did not fail");
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// Undelivered
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn undelivered_arrives_once_with_the_count_when_a_system_actor_stops_with_a_queue() {
    let system = ActorSystem::new("ek").unwrap();
    let root = root_id(&system).await;
    let mut events = system.events();
    let u = named_probe(&system, "u");
    let empty = named_probe(&system, "empty");
    let release = common::block(&u).await;
    for n in 1..=3 {
        u.tell(Msg::Record(n)).await.unwrap();
    }
    u.stop();
    release.send(()).unwrap();
    assert_eq!(u.wait().await, ExitReason::Normal);
    empty.stop();
    assert_eq!(empty.wait().await, ExitReason::Normal);

    let seen = take_events(&mut events);
    let undelivered = once(&seen, u.id(), "Undelivered", is_undelivered);
    assert_about(&undelivered, "/ek/u", u.id(), 1, root);
    assert_eq!(undelivered.kind, EventKind::Undelivered(3));
    once(&seen, u.id(), "Stopped", is_stopped);
    let position = |pred: fn(&EventKind) -> bool| {
        seen.iter()
            .position(|e| e.id == u.id() && pred(&e.kind))
            .unwrap()
    };
    assert!(
        position(is_undelivered) < position(is_stopped),
        "reported before the final Stopped: {:?}",
        trail(&seen, u.id())
    );
    assert_eq!(
        count(&seen, is_undelivered),
        1,
        "nothing undelivered for an empty mailbox: {:?}",
        trail(&seen, empty.id())
    );
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn undelivered_arrives_once_when_a_supervised_child_is_terminated_with_a_queue() {
    let system = ActorSystem::new("ek").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("u", &journal).shutdown(Shutdown::Brutal).mailbox(8)),
    )
    .await;
    let mut events = system.events();
    let u = labelled(&sup, "u");
    let _release = block(&u, Then::Answer).await;
    for n in 1..=3 {
        u.tell(Cmd::Record(n)).await.unwrap();
    }
    sup.terminate_child("u").await.unwrap();
    assert_eq!(u.wait().await, ExitReason::Killed);

    let seen = take_events(&mut events);
    let undelivered = once(&seen, u.id(), "Undelivered", is_undelivered);
    assert_about(&undelivered, "/ek/sup/u", u.id(), 1, sup.id());
    assert_eq!(undelivered.kind, EventKind::Undelivered(3));
    assert_eq!(count(&seen, is_undelivered), 1);
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// ShutdownTimedOut
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn shutdown_timed_out_arrives_once_for_a_system_actor_that_ignores_the_shutdown() {
    let system = ActorSystem::builder("ek")
        .shutdown_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let root = root_id(&system).await;
    let mut events = system.events();
    let stuck = named_probe(&system, "stuck");
    let fine = named_probe(&system, "fine");
    let _release = common::block(&stuck).await;
    system.shutdown().await.unwrap();
    assert_eq!(stuck.exit_reason(), Some(ExitReason::Killed));

    let seen = take_events(&mut events);
    let timed_out = once(&seen, stuck.id(), "ShutdownTimedOut", is_timed_out);
    assert_about(&timed_out, "/ek/stuck", stuck.id(), 1, root);
    assert_eq!(
        count(&seen, is_timed_out),
        1,
        "not for the actor that stopped: {:?}",
        trail(&seen, fine.id())
    );
    let stopped = once(&seen, stuck.id(), "Stopped", is_stopped);
    assert_eq!(stopped.kind, EventKind::Stopped(ExitReason::Killed));
    assert_eq!(system.task_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn shutdown_timed_out_arrives_once_for_a_supervised_child_that_hangs_in_stopped() {
    let system = ActorSystem::new("ek").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(
                worker_with("h", &journal, Behaviour::default().stopping(Stopping::Hang))
                    .shutdown(Shutdown::Timeout(Duration::from_secs(2))),
            ),
    )
    .await;
    let mut events = system.events();
    let h = labelled(&sup, "h");
    sup.terminate_child("h").await.unwrap();
    assert_eq!(h.wait().await, ExitReason::Killed);
    common::settle().await;

    let seen = take_events(&mut events);
    let timed_out = once(&seen, h.id(), "ShutdownTimedOut", is_timed_out);
    assert_about(&timed_out, "/ek/sup/h", h.id(), 1, sup.id());
    assert_eq!(count(&seen, is_timed_out), 1);
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// Stopped
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn stopped_arrives_once_for_a_system_actor_and_for_a_root_supervisor() {
    let system = ActorSystem::new("ek").unwrap();
    let root = root_id(&system).await;
    let mut events = system.events();
    let journal = Journal::default();
    let s = named_probe(&system, "s");
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("w", &journal)),
    )
    .await;
    let w = labelled(&sup, "w");
    s.stop();
    assert_eq!(s.wait().await, ExitReason::Normal);
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);

    let seen = take_events(&mut events);
    let s_stopped = once(&seen, s.id(), "Stopped", is_stopped);
    assert_about(&s_stopped, "/ek/s", s.id(), 1, root);
    assert_eq!(s_stopped.kind, EventKind::Stopped(ExitReason::Normal));
    let sup_stopped = once(&seen, sup.id(), "Stopped", is_stopped);
    assert_about(&sup_stopped, "/ek/sup", sup.id(), 1, root);
    assert_eq!(sup_stopped.kind, EventKind::Stopped(ExitReason::Normal));
    let w_stopped = once(&seen, w.id(), "Stopped", is_stopped);
    assert_about(&w_stopped, "/ek/sup/w", w.id(), 1, sup.id());
    assert_eq!(w_stopped.kind, EventKind::Stopped(BY_SUPERVISOR));
    assert_eq!(count(&seen, is_stopped), 3);
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn stopped_arrives_once_for_a_terminated_child_and_never_for_a_restart() {
    quiet_panics();
    let system = ActorSystem::new("ek").unwrap();
    let sup = w_and_other(&system).await;
    let mut events = system.events();
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&w).await, 2);
    sup.terminate_child("w").await.unwrap();
    assert_eq!(w.wait().await, BY_SUPERVISOR);

    let seen = take_events(&mut events);
    let stopped = once(&seen, w.id(), "Stopped", is_stopped);
    assert_about(&stopped, "/ek/sup/w", w.id(), 2, sup.id());
    assert_eq!(stopped.kind, EventKind::Stopped(BY_SUPERVISOR));
    assert_eq!(count(&seen, is_stopped), 1, "only w's final exit");
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// RestartScheduled
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn restart_scheduled_arrives_once_for_the_instance_that_ended_without_a_delay() {
    quiet_panics();
    let system = ActorSystem::new("ek").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("w", &journal)),
    )
    .await;
    let mut events = system.events();
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&w).await, 2);
    common::settle().await;

    let seen = take_events(&mut events);
    let scheduled = once(&seen, w.id(), "RestartScheduled", is_scheduled);
    assert_about(&scheduled, "/ek/sup/w", w.id(), 1, sup.id());
    assert_eq!(scheduled.kind, EventKind::RestartScheduled(Duration::ZERO));
    assert_eq!(count(&seen, is_scheduled), 1);
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn restart_scheduled_arrives_once_with_the_backoff_delay() {
    quiet_panics();
    let system = ActorSystem::new("ek").unwrap();
    let journal = Journal::default();
    let min = Duration::from_millis(250);
    let spec = {
        let journal = journal.clone();
        ChildSpec::worker("w", move || {
            Labelled::new("w", &journal, Behaviour::default())
        })
        .backoff(Backoff::new(min, Duration::from_secs(10)))
    };
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(spec),
    )
    .await;
    let mut events = system.events();
    let mut waiter = system.events();
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    next_event(&mut waiter, w.id(), is_restarted).await;
    assert_eq!(ping(&w).await, 2);

    let seen = take_events(&mut events);
    let scheduled = once(&seen, w.id(), "RestartScheduled", is_scheduled);
    assert_about(&scheduled, "/ek/sup/w", w.id(), 1, sup.id());
    assert_eq!(scheduled.kind, EventKind::RestartScheduled(min));
    let restarted = once(&seen, w.id(), "Restarted", is_restarted);
    assert!(
        restarted.at - scheduled.at >= min,
        "restarted after the delay"
    );
    assert_eq!(count(&seen, is_scheduled), 1);
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// Restarted
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn restarted_arrives_once_with_the_new_generation_and_no_second_started() {
    quiet_panics();
    let system = ActorSystem::new("ek").unwrap();
    let sup = w_and_other(&system).await;
    let mut events = system.events();
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&w).await, 2);
    common::settle().await;

    let seen = take_events(&mut events);
    let restarted = once(&seen, w.id(), "Restarted", is_restarted);
    assert_about(&restarted, "/ek/sup/w", w.id(), 2, sup.id());
    assert_eq!(restarted.kind, EventKind::Restarted(2));
    assert_eq!(
        count(&seen, is_restarted),
        1,
        "the sibling was not restarted"
    );
    assert_eq!(
        count(&seen, is_started),
        0,
        "a restart reports Restarted, not Started"
    );
    assert_eq!(w.generation(), 2);
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// StartFailed
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn start_failed_arrives_once_for_a_restart_whose_started_failed() {
    quiet_panics();
    let system = ActorSystem::new("ek").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker_with(
            "w",
            &journal,
            Behaviour::default().fail_start(|g| g == 2),
        )),
    )
    .await;
    let mut events = system.events();
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&w).await, 3, "the retry after the failed start runs");
    common::settle().await;

    let seen = take_events(&mut events);
    let start_failed = once(&seen, w.id(), "StartFailed", is_start_failed);
    assert_about(&start_failed, "/ek/sup/w", w.id(), 2, sup.id());
    let EventKind::StartFailed(reason) = &start_failed.kind else {
        unreachable!()
    };
    let info = reason.failure().expect("a failure");
    assert_eq!(info.message(), "probe fails in started");
    assert_eq!(info.hook(), FailedIn::Started);
    assert_eq!(info.generation(), 2);
    assert_eq!(count(&seen, is_start_failed), 1);
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn start_failed_arrives_once_for_a_child_added_with_start_child_that_panicked_in_started() {
    quiet_panics();
    let system = ActorSystem::new("ek").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
    )
    .await;
    let mut events = system.events();
    let err = sup
        .start_child(worker_with(
            "c",
            &journal,
            Behaviour::default().panic_start(|_| true),
        ))
        .await
        .unwrap_err();
    let AdminError::StartFailed { child, reason } = err else {
        panic!("expected StartFailed, got {err:?}")
    };
    assert_eq!(child, "c");
    let c_id = reason.failure().expect("a failure").id();
    common::settle().await;

    let seen = take_events(&mut events);
    let start_failed = once(&seen, c_id, "StartFailed", is_start_failed);
    assert_about(&start_failed, "/ek/sup/c", c_id, 1, sup.id());
    assert_eq!(start_failed.kind, EventKind::StartFailed(reason));
    assert_eq!(count(&seen, is_start_failed), 1);
    assert!(
        sup.is_alive(),
        "a failed start_child does not take the supervisor down"
    );
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// IntensityExceeded
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn intensity_exceeded_arrives_once_for_a_root_supervisor() {
    let system = ActorSystem::new("ek").unwrap();
    let root = root_id(&system).await;
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(0, Duration::from_secs(5))
            .child(worker("w", &journal)),
    )
    .await;
    let mut events = system.events();
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    assert_eq!(sup.wait().await, INTENSITY_EXCEEDED);

    let seen = take_events(&mut events);
    let exceeded = once(&seen, sup.id(), "IntensityExceeded", is_exceeded);
    assert_about(&exceeded, "/ek/sup", sup.id(), 1, root);
    assert_eq!(count(&seen, is_exceeded), 1);
    let stopped = once(&seen, sup.id(), "Stopped", is_stopped);
    assert_eq!(stopped.kind, EventKind::Stopped(INTENSITY_EXCEEDED));
    finish(system).await;
}

#[tokio::test(start_paused = true)]
async fn intensity_exceeded_arrives_once_for_a_child_supervisor_with_its_parent() {
    let system = ActorSystem::new("ek").unwrap();
    let journal = Journal::default();
    let top = start(
        &system,
        "top",
        Supervisor::new(Strategy::OneForOne)
            .intensity(5, Duration::from_secs(5))
            .child(ChildSpec::supervisor(
                "mid",
                Supervisor::new(Strategy::OneForOne)
                    .intensity(0, Duration::from_secs(5))
                    .child(worker("w", &journal)),
            )),
    )
    .await;
    let mut events = system.events();
    let mut waiter = system.events();
    let mid = sub(&top, "mid");
    let w = labelled(&mid, "w");
    w.tell(Cmd::Fail).await.unwrap();
    next_event(&mut waiter, mid.id(), is_restarted).await;
    let new_w = labelled(&sub(&top, "mid"), "w");
    assert_ne!(new_w.id(), w.id(), "the new instance started a new worker");
    assert_eq!(ping(&new_w).await, 1);

    let seen = take_events(&mut events);
    let exceeded = once(&seen, mid.id(), "IntensityExceeded", is_exceeded);
    assert_about(&exceeded, "/ek/top/mid", mid.id(), 1, top.id());
    assert_eq!(count(&seen, is_exceeded), 1, "the top tolerated it");
    let restarted = once(&seen, mid.id(), "Restarted", is_restarted);
    assert_about(&restarted, "/ek/top/mid", mid.id(), 2, top.id());
    assert!(top.is_alive());
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// Slow, idle and dropped subscribers
// ---------------------------------------------------------------------------------------

/// A sink that keeps every event, to compare a lagging subscription with the full record.
#[derive(Default)]
struct Everything(Mutex<Vec<Event>>);

impl Everything {
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    fn since(&self, from: usize) -> Vec<Event> {
        self.0.lock().unwrap()[from..].to_vec()
    }
}

impl Sink for Everything {
    fn event(&self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }
}

fn same(a: &Event, b: &Event) -> bool {
    a.kind == b.kind && a.id == b.id && a.generation == b.generation && a.at == b.at
}

#[tokio::test(start_paused = true)]
async fn subscribers_that_never_read_or_are_dropped_never_stall_restarts_or_asks() {
    quiet_panics();
    let everything = Arc::new(Everything::default());
    let system = ActorSystem::builder("ek")
        .event_capacity(4)
        .sink(everything.clone())
        .build()
        .unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(1_000, Duration::from_secs(60))
            .child(worker("w", &journal)),
    )
    .await;
    let w = labelled(&sup, "w");
    let from = everything.len();
    let mut slow = system.events();
    let mut idle = system.events();
    let mut dropped = Some(system.events());
    let t0 = Instant::now();

    for round in 0..100u64 {
        if round == 50 {
            let mut gone = dropped.take().unwrap();
            assert!(
                matches!(gone.try_recv(), Err(EventsError::Lagged(_))),
                "it fell behind before going away"
            );
            drop(gone);
        }
        w.tell(Cmd::Fail).await.unwrap();
        for _ in 0..10 {
            assert_eq!(ping(&w).await, round + 2);
        }
    }
    assert_eq!(
        Instant::now() - t0,
        Duration::ZERO,
        "nothing waited on a deadline"
    );
    assert!(sup.is_alive());
    assert_eq!(w.generation(), 101);
    common::settle().await;

    let all = everything.since(from);
    assert_eq!(
        all.len(),
        300,
        "Failed, RestartScheduled and Restarted once per restart"
    );
    assert_eq!(count(&all, is_failed), 100);
    assert_eq!(count(&all, is_scheduled), 100);
    assert_eq!(count(&all, is_restarted), 100);

    assert_eq!(slow.recv().await.unwrap_err(), EventsError::Lagged(296));
    let kept = common::drain_events(&mut slow);
    assert_eq!(kept.len(), 4, "the ring keeps the newest four: {kept:?}");
    for (got, want) in kept.iter().zip(&all[all.len() - 4..]) {
        assert!(
            same(got, want),
            "newest events in order: {got:?} vs {want:?}"
        );
    }
    assert_eq!(kept.last().unwrap().kind, EventKind::Restarted(101));
    assert!(matches!(slow.try_recv(), Ok(None)));

    // After catching up, it misses nothing more.
    sup.terminate_child("w").await.unwrap();
    let next = slow.recv().await.unwrap();
    assert_about(&next, "/ek/sup/w", w.id(), 101, sup.id());
    assert_eq!(next.kind, EventKind::Stopped(BY_SUPERVISOR));

    // The subscriber that never read is told it missed all but the newest four.
    assert_eq!(idle.recv().await.unwrap_err(), EventsError::Lagged(297));
    let idle_kept = common::drain_events(&mut idle);
    assert_eq!(idle_kept.len(), 4);
    assert!(same(idle_kept.last().unwrap(), &next));
    finish(system).await;
}
