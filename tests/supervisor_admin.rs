//! Supervisor administration (OTP_BEHAVIOURS 20, 28-33, and the start timeout of 19-20):
//! `which_children` and `count_children` as a user reads them, `start_child`,
//! `terminate_child`, `restart_child` and `delete_child` with their errors, admin calls
//! answered while a child is being retried, a per-child start timeout that turns a hung
//! `started` into a start failure, and `SupervisorStopped` once the supervisor is gone.
//!
//! The retry loop itself (19) and retries after a partial group failure (21) are pinned in
//! `supervisor_intensity.rs` and `supervisor_strategies.rs`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actors::prelude::*;
use actors::{
    AdminError, ChildKind, ChildSpec, ChildState, EventKind, Restart, Shutdown, ShutdownCause,
    SpecError, StartError, Strategy, Supervisor, SupervisorRef,
};
use common::sup::{
    Behaviour, Cmd, Labelled, Stopping, events_of, labelled, next_event, of, ping, start,
    start_err, take_events, until, worker, worker_with,
};
use common::{Journal, quiet_panics};

const STOPPED_BY_SUPERVISOR: ExitReason = ExitReason::Shutdown(ShutdownCause::Supervisor);
const INTENSITY_EXCEEDED: ExitReason = ExitReason::Shutdown(ShutdownCause::IntensityExceeded);

fn system() -> (ActorSystem, Journal) {
    quiet_panics();
    (ActorSystem::new("adm").unwrap(), Journal::default())
}

/// Every child as `"<id> <path> <kind> <state>"`, in the order `which_children` lists them.
fn rows(sup: &SupervisorRef) -> Vec<String> {
    sup.which_children()
        .iter()
        .map(|c| format!("{} {} {:?} {:?}", c.id(), c.path(), c.kind(), c.state()))
        .collect()
}

/// The ids `which_children` lists, in its order.
fn ids(sup: &SupervisorRef) -> Vec<String> {
    sup.which_children()
        .iter()
        .map(|c| c.id().to_owned())
        .collect()
}

/// The state of child `id`, if the supervisor has a spec for it.
fn state(sup: &SupervisorRef, id: &str) -> Option<ChildState> {
    sup.child(id).map(|c| c.state())
}

/// `count_children` as `[specs, active, supervisors, workers]`.
fn counts(sup: &SupervisorRef) -> [usize; 4] {
    let c = sup.count_children();
    [c.specs, c.active, c.supervisors, c.workers]
}

/// A worker spec whose instances fail in `started` while `failing` is set.
fn switchable(label: &str, journal: &Journal, failing: &Arc<AtomicBool>) -> ChildSpec {
    let (label_owned, journal, failing) = (label.to_owned(), journal.clone(), failing.clone());
    ChildSpec::worker(label, move || {
        let behaviour = if failing.load(Ordering::SeqCst) {
            Behaviour::default().fail_start(|_| true)
        } else {
            Behaviour::default()
        };
        Labelled::new(&label_owned, &journal, behaviour)
    })
}

/// How many times `label`'s `started` was entered (whatever came of it).
fn attempts(journal: &Journal, label: &str) -> usize {
    of(journal, label)
        .iter()
        .filter(|e| e.contains(":start"))
        .count()
}

async fn finish(system: ActorSystem) {
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

// ---------------------------------------------------------------------------------------
// which_children and count_children (32, 33)
// ---------------------------------------------------------------------------------------

/// OTP 32: `which_children` lists every spec in start order with its id, path, kind and
/// state: running, restarting (a restart in progress, here one held up in `started` under a
/// start timeout) and stopped (terminated); its handles downcast to the child's type.
#[tokio::test(start_paused = true)]
async fn which_children_lists_id_path_kind_and_state_in_start_order() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(ChildSpec::supervisor(
                "mid",
                Supervisor::new(Strategy::OneForOne).child(worker("m", &journal)),
            ))
            .child(worker("b", &journal))
            .child(
                worker_with("c", &journal, Behaviour::default().hang_start(|g| g >= 2))
                    .start_timeout(Duration::from_secs(10))
                    .shutdown(Shutdown::Brutal),
            ),
    )
    .await;
    assert_eq!(
        rows(&sup),
        [
            "a /adm/sup/a Worker Running",
            "mid /adm/sup/mid Supervisor Running",
            "b /adm/sup/b Worker Running",
            "c /adm/sup/c Worker Running",
        ]
    );
    let a = sup.child("a").unwrap();
    let a_ref = a.downcast::<Labelled>().expect("a is a Labelled worker");
    assert_eq!(a.actor_id(), Some(a_ref.id()));
    assert!(a.supervisor().is_none());
    let mid = sup.child("mid").unwrap();
    assert_eq!(mid.supervisor().map(|s| s.id()), mid.actor_id());
    assert!(mid.downcast::<Labelled>().is_none());

    sup.terminate_child("b").await.unwrap();
    let c = labelled(&sup, "c");
    c.tell(Cmd::Fail).await.unwrap();
    until("c shows as restarting", || {
        state(&sup, "c") == Some(ChildState::Restarting)
    })
    .await;
    assert_eq!(
        rows(&sup),
        [
            "a /adm/sup/a Worker Running",
            "mid /adm/sup/mid Supervisor Running",
            "b /adm/sup/b Worker Stopped",
            "c /adm/sup/c Worker Restarting",
        ],
        "each keeps its place in start order"
    );
    let b = sup.child("b").unwrap();
    assert_eq!(
        (b.actor_id(), b.downcast::<Labelled>().is_none()),
        (None, true)
    );
    let restarting = sup.child("c").unwrap();
    assert_eq!(
        restarting.downcast::<Labelled>().map(|r| r.id()),
        Some(c.id()),
        "a restarting child keeps its actor"
    );
    let with_actor: Vec<_> = sup.children().iter().map(|c| c.id().to_owned()).collect();
    assert_eq!(with_actor, ["a", "mid", "c"]);
    assert_eq!(
        of(&journal, "c"),
        ["c:started 1", "c:stopped failed", "c:start hangs 2"]
    );
    finish(system).await;
}

/// OTP 32 (and 8): a Transient child that ended normally is not restarted; its spec stays,
/// listed as stopped, with no actor to downcast to.
#[tokio::test(start_paused = true)]
async fn a_transient_child_that_ended_normally_shows_stopped_without_an_actor() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("p", &journal))
            .child(worker("t", &journal).restart(Restart::Transient)),
    )
    .await;
    let t = labelled(&sup, "t");
    t.tell(Cmd::StopSelf).await.unwrap();
    assert_eq!(t.wait().await, ExitReason::Normal);
    until("t shows as stopped", || {
        state(&sup, "t") == Some(ChildState::Stopped)
    })
    .await;
    let child = sup.child("t").unwrap();
    assert!(child.downcast::<Labelled>().is_none());
    assert_eq!(child.actor_id(), None);
    assert_eq!(ids(&sup), ["p", "t"]);
    let with_actor: Vec<_> = sup.children().iter().map(|c| c.id().to_owned()).collect();
    assert_eq!(with_actor, ["p"]);
    assert_eq!(counts(&sup), [2, 1, 0, 2]);
    assert_eq!(of(&journal, "t"), ["t:started 1", "t:stopped normal"]);
    finish(system).await;
}

/// OTP 20, 32 and 33: while the supervisor keeps retrying a child whose every restart fails
/// in `started` (no start timeout, so each restart is not waited for), the child shows as
/// restarting and is not active: none of its new instances ever ran.
#[tokio::test(start_paused = true)]
async fn a_child_whose_restart_keeps_failing_shows_restarting_while_the_supervisor_retries() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(100_000, Duration::from_secs(60))
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
    next_event(&mut events, w.id(), |k| {
        matches!(k, EventKind::StartFailed(_))
    })
    .await;
    until("w shows as restarting", || {
        state(&sup, "w") == Some(ChildState::Restarting)
    })
    .await;
    assert!(sup.is_alive(), "the supervisor is retrying");
    assert_eq!(
        rows(&sup),
        [
            "a /adm/sup/a Worker Running",
            "w /adm/sup/w Worker Restarting",
        ]
    );
    assert_eq!(
        counts(&sup),
        [2, 1, 0, 2],
        "a restarting child is not active"
    );
    sup.terminate_child("w").await.unwrap();
    finish(system).await;
}

/// OTP 33: specs, active children, supervisors and workers; a terminated child keeps its
/// spec but is not active; a Temporary child's exit takes its spec away.
#[tokio::test(start_paused = true)]
async fn count_children_counts_specs_active_supervisors_and_workers() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(ChildSpec::supervisor(
                "mid",
                Supervisor::new(Strategy::OneForOne)
                    .child(worker("m1", &journal))
                    .child(worker("m2", &journal)),
            ))
            .child(worker("b", &journal))
            .child(worker("tmp", &journal).restart(Restart::Temporary)),
    )
    .await;
    assert_eq!(counts(&sup), [4, 4, 1, 3], "grandchildren are not counted");
    sup.terminate_child("mid").await.unwrap();
    assert_eq!(counts(&sup), [4, 3, 1, 3]);
    sup.terminate_child("b").await.unwrap();
    assert_eq!(counts(&sup), [4, 2, 1, 3]);
    let tmp = labelled(&sup, "tmp");
    tmp.tell(Cmd::Fail).await.unwrap();
    tmp.wait().await;
    until("tmp's spec is gone", || sup.child("tmp").is_none()).await;
    assert_eq!(counts(&sup), [3, 1, 1, 2]);
    sup.start_child(worker("c", &journal)).await.unwrap();
    assert_eq!(counts(&sup), [4, 2, 1, 3]);
    finish(system).await;
}

/// OTP 33: a child being restarted is counted as a spec and a worker, not as active. Here the
/// restart is held up in `started` under a start timeout, so the supervisor waits for it.
#[tokio::test(start_paused = true)]
async fn a_restarting_child_is_not_counted_as_active() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(
                worker_with("w", &journal, Behaviour::default().hang_start(|g| g == 2))
                    .start_timeout(Duration::from_secs(1)),
            ),
    )
    .await;
    assert_eq!(counts(&sup), [2, 2, 0, 2]);
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    until("w shows as restarting", || {
        state(&sup, "w") == Some(ChildState::Restarting)
    })
    .await;
    assert_eq!(counts(&sup), [2, 1, 0, 2]);
    // The restart times out; the next one starts, and the child is active again.
    assert_eq!(ping(&w).await, 3);
    assert_eq!(state(&sup, "w"), Some(ChildState::Running));
    assert_eq!(counts(&sup), [2, 2, 0, 2]);
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// start_child (28, 29)
// ---------------------------------------------------------------------------------------

/// OTP 28 and 29: `start_child` returns once the new child ran `started` (here a slow one),
/// with a running handle; the child goes last in start order, so it is stopped first.
#[tokio::test(start_paused = true)]
async fn start_child_appends_the_child_last_and_returns_once_it_started() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker("b", &journal)),
    )
    .await;
    let slow = Behaviour::default().start_delay(Duration::from_secs(1));
    let added = sup
        .start_child(worker_with("d", &journal, slow))
        .await
        .unwrap();
    assert_eq!(
        journal.entries().last().map(String::as_str),
        Some("d:started 1"),
        "`started` ran before start_child returned"
    );
    assert_eq!(
        (
            added.id(),
            added.path().to_string(),
            added.kind(),
            added.state()
        ),
        (
            "d",
            "/adm/sup/d".to_owned(),
            ChildKind::Worker,
            ChildState::Running
        )
    );
    let d = added.downcast::<Labelled>().expect("a Labelled worker");
    assert_eq!(ping(&d).await, 1);
    assert_eq!(ids(&sup), ["a", "b", "d"]);
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);
    assert_eq!(
        &journal.entries()[3..],
        [
            "d:stopped shutdown:supervisor",
            "b:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
        ]
    );
    finish(system).await;
}

/// OTP 29: a child started with `start_child` is supervised like the others: restarted in
/// place when it fails, and, last in start order, restarted with those after a failed one
/// under rest_for_one.
#[tokio::test(start_paused = true)]
async fn a_child_added_with_start_child_is_restarted_like_the_others() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::RestForOne)
            .child(worker("a", &journal))
            .child(worker("b", &journal)),
    )
    .await;
    let mut waiter = system.events();
    let c = sup
        .start_child(worker("c", &journal))
        .await
        .unwrap()
        .downcast::<Labelled>()
        .unwrap();
    c.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&c).await, 2, "the same actor, a new instance");
    assert_eq!(sup.child("c").unwrap().actor_id(), Some(c.id()));

    let a = labelled(&sup, "a");
    a.tell(Cmd::Fail).await.unwrap();
    next_event(&mut waiter, c.id(), |k| *k == EventKind::Restarted(3)).await;
    assert_eq!(
        (
            ping(&a).await,
            ping(&labelled(&sup, "b")).await,
            ping(&c).await
        ),
        (2, 2, 3)
    );
    assert_eq!(
        &journal.entries()[5..],
        [
            "a:stopped failed",
            "c:stopped shutdown:supervisor",
            "b:stopped shutdown:supervisor",
            "a:started 2",
            "b:started 2",
            "c:started 3",
        ]
    );
    finish(system).await;
}

/// OTP 29: `start_child` with the id of a running child is `AlreadyStarted`, and the child
/// is left alone.
#[tokio::test(start_paused = true)]
async fn start_child_with_the_id_of_a_running_child_is_already_started() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
    )
    .await;
    let a = labelled(&sup, "a");
    assert_eq!(
        sup.start_child(worker("a", &journal)).await.unwrap_err(),
        AdminError::AlreadyStarted("a".to_owned())
    );
    assert_eq!(sup.child("a").unwrap().actor_id(), Some(a.id()));
    assert_eq!(ping(&a).await, 1);
    assert_eq!(journal.entries(), ["a:started 1"]);
    finish(system).await;
}

/// OTP 29: `start_child` with the id of a spec kept without an actor (a terminated Permanent
/// child) is `AlreadyPresent`; `restart_child` is the way to start it again.
#[tokio::test(start_paused = true)]
async fn start_child_with_the_id_of_a_terminated_child_is_already_present() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("p", &journal)),
    )
    .await;
    sup.terminate_child("p").await.unwrap();
    assert_eq!(
        sup.start_child(worker("p", &journal)).await.unwrap_err(),
        AdminError::AlreadyPresent("p".to_owned())
    );
    assert_eq!(state(&sup, "p"), Some(ChildState::Stopped));
    assert_eq!(
        of(&journal, "p"),
        ["p:started 1", "p:stopped shutdown:supervisor"]
    );
    sup.restart_child("p").await.unwrap();
    assert_eq!(state(&sup, "p"), Some(ChildState::Running));
    finish(system).await;
}

/// OTP 29: an invalid spec is refused before anything starts, and nothing changes.
#[tokio::test(start_paused = true)]
async fn start_child_with_an_invalid_spec_is_refused_before_anything_starts() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
    )
    .await;
    assert_eq!(
        sup.start_child(worker("x/y", &journal)).await.unwrap_err(),
        AdminError::InvalidSpec(SpecError::InvalidChildId("x/y".to_owned()))
    );
    assert_eq!(
        sup.start_child(worker("z", &journal).start_timeout(Duration::ZERO))
            .await
            .unwrap_err(),
        AdminError::InvalidSpec(SpecError::ZeroStartTimeout {
            child: "z".to_owned()
        })
    );
    let err = sup
        .start_child(worker("m", &journal).mailbox(0))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AdminError::InvalidSpec(SpecError::InvalidCapacity { child, .. }) if child == "m"),
        "{err:?}"
    );
    let twins = Supervisor::new(Strategy::OneForOne)
        .child(worker("t", &journal))
        .child(worker("t", &journal));
    assert_eq!(
        sup.start_child(ChildSpec::supervisor("s", twins))
            .await
            .unwrap_err(),
        AdminError::InvalidSpec(SpecError::DuplicateChildId("t".to_owned()))
    );
    assert_eq!(ids(&sup), ["a"]);
    assert_eq!(journal.entries(), ["a:started 1"]);
    finish(system).await;
}

/// OTP 29: a `start_child` whose start fails (an error, a panic, a start timeout) returns the
/// start error and discards the spec, so the id is free again. It is not a restart: even at
/// intensity 0 the supervisor carries on.
#[tokio::test(start_paused = true)]
async fn start_child_whose_start_fails_returns_start_failed_and_discards_the_spec() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(0, Duration::from_secs(5))
            .child(worker("a", &journal)),
    )
    .await;
    let failing = Behaviour::default().fail_start(|_| true);
    let panicking = Behaviour::default().panic_start(|_| true);
    let hanging = Behaviour::default().hang_start(|_| true);
    let cases = [
        worker_with("x", &journal, failing),
        worker_with("x", &journal, panicking),
        worker_with("x", &journal, hanging).start_timeout(Duration::from_secs(1)),
    ];
    let mut messages = Vec::new();
    for spec in cases {
        match sup.start_child(spec).await.unwrap_err() {
            AdminError::StartFailed { child, reason } => {
                assert_eq!(child, "x");
                let info = reason.failure().expect("a failure");
                messages.push((info.is_panic(), info.message().to_owned()));
            }
            other => panic!("expected StartFailed, got {other:?}"),
        }
        assert_eq!(ids(&sup), ["a"], "the spec is discarded");
        assert_eq!(counts(&sup), [1, 1, 0, 1]);
    }
    assert_eq!(messages[0], (false, "probe fails in started".to_owned()));
    assert!(messages[1].0, "{messages:?}");
    assert!(messages[2].1.contains("start timeout"), "{messages:?}");
    assert_eq!(
        of(&journal, "x"),
        ["x:start failed 1", "x:start panicked 1", "x:start hangs 1"]
    );
    assert!(sup.is_alive());
    let x = sup.start_child(worker("x", &journal)).await.unwrap();
    assert_eq!(x.state(), ChildState::Running);
    assert_eq!(ids(&sup), ["a", "x"]);
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// terminate_child (31, 20)
// ---------------------------------------------------------------------------------------

/// OTP 31: `terminate_child` stops a Permanent or Transient child for good (never restarted)
/// and keeps its spec, stopped; terminating it again succeeds and does nothing.
#[tokio::test(start_paused = true)]
async fn terminate_child_is_idempotent_and_keeps_permanent_and_transient_specs() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("p", &journal))
            .child(worker("t", &journal).restart(Restart::Transient))
            .child(worker("c", &journal)),
    )
    .await;
    let (p, t) = (labelled(&sup, "p"), labelled(&sup, "t"));
    for _ in 0..2 {
        sup.terminate_child("p").await.unwrap();
        sup.terminate_child("t").await.unwrap();
    }
    assert_eq!(
        (p.wait().await, t.wait().await),
        (STOPPED_BY_SUPERVISOR, STOPPED_BY_SUPERVISOR)
    );
    assert_eq!(
        rows(&sup),
        [
            "p /adm/sup/p Worker Stopped",
            "t /adm/sup/t Worker Stopped",
            "c /adm/sup/c Worker Running",
        ]
    );
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        journal.entries(),
        [
            "p:started 1",
            "t:started 1",
            "c:started 1",
            "p:stopped shutdown:supervisor",
            "t:stopped shutdown:supervisor",
        ],
        "stopped once each, never restarted"
    );
    assert!(sup.is_alive());
    finish(system).await;
}

/// OTP 31: `terminate_child` drops a Temporary child's spec with its actor; the id is then
/// unknown.
#[tokio::test(start_paused = true)]
async fn terminate_child_drops_a_temporary_spec() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker("tmp", &journal).restart(Restart::Temporary)),
    )
    .await;
    let tmp = labelled(&sup, "tmp");
    sup.terminate_child("tmp").await.unwrap();
    assert_eq!(tmp.wait().await, STOPPED_BY_SUPERVISOR);
    assert_eq!(ids(&sup), ["a"]);
    assert_eq!(counts(&sup), [1, 1, 0, 1]);
    let not_found = AdminError::NotFound("tmp".to_owned());
    assert_eq!(sup.terminate_child("tmp").await.unwrap_err(), not_found);
    assert_eq!(sup.restart_child("tmp").await.unwrap_err(), not_found);
    // The id is free for a new spec.
    sup.start_child(worker("tmp", &journal)).await.unwrap();
    assert_eq!(ids(&sup), ["a", "tmp"]);
    finish(system).await;
}

/// OTP 30-31: every admin call naming an id the supervisor has no spec for is `NotFound`.
#[tokio::test(start_paused = true)]
async fn admin_calls_with_an_unknown_id_are_not_found() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
    )
    .await;
    let not_found = AdminError::NotFound("nope".to_owned());
    assert_eq!(sup.terminate_child("nope").await.unwrap_err(), not_found);
    assert_eq!(sup.restart_child("nope").await.unwrap_err(), not_found);
    assert_eq!(sup.delete_child("nope").await.unwrap_err(), not_found);
    assert!(sup.child("nope").is_none());
    assert_eq!(ids(&sup), ["a"]);
    finish(system).await;
}

/// OTP 22-24 through `terminate_child`: each child is stopped under its own `Shutdown` spec
/// (a timeout that aborts a slow `stopped` and reports it, brutal with no `stopped`, infinity
/// that waits), and the call returns once the child is gone.
#[tokio::test(start_paused = true)]
async fn terminate_child_stops_the_child_under_its_shutdown_spec() {
    let (system, journal) = system();
    let slow = Behaviour::default().stopping(Stopping::Sleep(Duration::from_secs(10)));
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(
                worker_with("timeout", &journal, slow)
                    .shutdown(Shutdown::Timeout(Duration::from_secs(1))),
            )
            .child(worker_with("brutal", &journal, slow).shutdown(Shutdown::Brutal))
            .child(worker_with("infinity", &journal, slow).shutdown(Shutdown::Infinity)),
    )
    .await;
    let mut events = system.events();
    let refs: Vec<_> = ["timeout", "brutal", "infinity"]
        .iter()
        .map(|id| labelled(&sup, id))
        .collect();
    for (id, child) in ["timeout", "brutal", "infinity"].iter().zip(&refs) {
        sup.terminate_child(id).await.unwrap();
        assert!(
            !child.is_alive(),
            "{id} is gone when terminate_child returns"
        );
    }
    assert_eq!(
        of(&journal, "timeout")[1..],
        ["timeout:stopped shutdown:supervisor"]
    );
    assert_eq!(of(&journal, "brutal")[1..], [] as [&str; 0]);
    assert_eq!(
        of(&journal, "infinity")[1..],
        [
            "infinity:stopped shutdown:supervisor",
            "infinity:stopped-done"
        ]
    );
    let seen = take_events(&mut events);
    let timed_out: Vec<_> = seen
        .iter()
        .filter(|e| e.kind == EventKind::ShutdownTimedOut)
        .map(|e| e.path.name().to_owned())
        .collect();
    assert_eq!(timed_out, ["timeout"]);
    assert_eq!(
        refs.iter().map(|r| r.exit_reason()).collect::<Vec<_>>(),
        [
            Some(ExitReason::Killed),
            Some(ExitReason::Killed),
            Some(STOPPED_BY_SUPERVISOR)
        ]
    );
    finish(system).await;
}

/// OTP 20: while the supervisor keeps failing to restart a child, it still answers admin
/// calls (`start_child` here), and `terminate_child` of that child ends the retry loop for
/// good, leaving the supervisor and the other children running.
#[tokio::test(start_paused = true)]
async fn terminate_child_during_a_retry_loop_ends_it_for_good() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(1_000, Duration::from_secs(60))
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
    next_event(&mut events, w.id(), |k| {
        matches!(k, EventKind::StartFailed(_))
    })
    .await;
    let n = sup.start_child(worker("n", &journal)).await.unwrap();
    assert_eq!(ping(&n.downcast::<Labelled>().unwrap()).await, 1);
    assert_eq!(ids(&sup), ["a", "w", "n"]);
    assert!(sup.is_alive(), "still retrying w");
    sup.terminate_child("w").await.unwrap();
    assert_eq!(state(&sup, "w"), Some(ChildState::Stopped));
    w.wait().await;
    let tried = attempts(&journal, "w");
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(
        attempts(&journal, "w"),
        tried,
        "no attempt after the termination"
    );
    assert_eq!(state(&sup, "w"), Some(ChildState::Stopped));
    assert!(sup.is_alive());
    assert_eq!(ping(&labelled(&sup, "a")).await, 1);
    assert_eq!(counts(&sup), [3, 2, 0, 3]);
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// restart_child and delete_child (30)
// ---------------------------------------------------------------------------------------

/// OTP 30: `restart_child` and `delete_child` of a running child (worker or supervisor) are
/// refused with `Running`, and the child is left alone.
#[tokio::test(start_paused = true)]
async fn restart_child_and_delete_child_of_a_running_child_are_running() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(ChildSpec::supervisor(
                "mid",
                Supervisor::new(Strategy::OneForOne).child(worker("m", &journal)),
            )),
    )
    .await;
    for id in ["a", "mid"] {
        let running = AdminError::Running(id.to_owned());
        assert_eq!(sup.restart_child(id).await.unwrap_err(), running);
        assert_eq!(sup.delete_child(id).await.unwrap_err(), running);
    }
    assert_eq!(ping(&labelled(&sup, "a")).await, 1);
    assert_eq!(ids(&sup), ["a", "mid"]);
    assert_eq!(journal.entries(), ["a:started 1", "m:started 1"]);
    finish(system).await;
}

/// OTP 30: while the supervisor keeps retrying a child (restarts failing in `started`, no
/// start timeout), `restart_child` and `delete_child` of it are refused with `Restarting`.
#[tokio::test(start_paused = true)]
async fn restart_child_and_delete_child_during_a_retry_loop_are_restarting() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(1_000, Duration::from_secs(60))
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
    next_event(&mut events, w.id(), |k| {
        matches!(k, EventKind::StartFailed(_))
    })
    .await;
    let restarting = AdminError::Restarting("w".to_owned());
    assert_eq!(sup.restart_child("w").await.unwrap_err(), restarting);
    assert_eq!(sup.delete_child("w").await.unwrap_err(), restarting);
    sup.terminate_child("w").await.unwrap();
    finish(system).await;
}

/// OTP 30 and DESIGN ("`restart_child` after `terminate_child` creates a new actor"): a new
/// id and mailbox at the same place in start order, starting at generation 1; the old refs
/// stay dead.
#[tokio::test(start_paused = true)]
async fn restart_child_after_terminate_child_starts_a_new_actor_and_old_refs_stay_dead() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker("w", &journal))
            .child(worker("c", &journal)),
    )
    .await;
    let old = labelled(&sup, "w");
    old.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&old).await, 2);
    sup.terminate_child("w").await.unwrap();
    let restarted = sup.restart_child("w").await.unwrap();
    assert_eq!(restarted.state(), ChildState::Running);
    let new = restarted.downcast::<Labelled>().unwrap();
    assert_ne!(new.id(), old.id(), "a new actor");
    assert_eq!(ping(&new).await, 1, "its first instance");
    assert_eq!(labelled(&sup, "w").id(), new.id());
    assert_eq!(ids(&sup), ["a", "w", "c"], "the same place in start order");
    assert!(!old.is_alive());
    assert_eq!(old.exit_reason(), Some(STOPPED_BY_SUPERVISOR));
    assert!(
        old.tell(Cmd::Record(1)).await.is_err(),
        "old refs stay dead"
    );
    assert!(old.ask(|reply| Cmd::Ping { reply }).await.is_err());
    assert_eq!(
        of(&journal, "w"),
        [
            "w:started 1",
            "w:stopped failed",
            "w:started 2",
            "w:stopped shutdown:supervisor",
            "w:started 1",
        ]
    );
    // The new actor is supervised like the old one.
    new.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&new).await, 2);
    finish(system).await;
}

/// OTP 30: `delete_child` removes a stopped spec; the id is then unknown, and free for a new
/// spec, which goes last in start order (28).
#[tokio::test(start_paused = true)]
async fn delete_child_removes_a_stopped_spec() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker("b", &journal))
            .child(worker("c", &journal)),
    )
    .await;
    sup.terminate_child("b").await.unwrap();
    sup.delete_child("b").await.unwrap();
    assert_eq!(ids(&sup), ["a", "c"]);
    assert_eq!(counts(&sup), [2, 2, 0, 2]);
    let not_found = AdminError::NotFound("b".to_owned());
    assert_eq!(sup.restart_child("b").await.unwrap_err(), not_found);
    assert_eq!(sup.delete_child("b").await.unwrap_err(), not_found);
    assert_eq!(sup.terminate_child("b").await.unwrap_err(), not_found);
    sup.start_child(worker("b", &journal)).await.unwrap();
    assert_eq!(ids(&sup), ["a", "c", "b"]);
    sup.stop();
    sup.wait().await;
    assert_eq!(
        &journal.entries()[5..],
        [
            "b:stopped shutdown:supervisor",
            "c:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
        ]
    );
    finish(system).await;
}

/// OTP 30 (as `restart_child` documents): a `restart_child` whose start fails returns the
/// start error and keeps the spec, stopped, for a later attempt.
#[tokio::test(start_paused = true)]
async fn restart_child_whose_start_fails_returns_start_failed_and_keeps_the_spec_stopped() {
    let (system, journal) = system();
    let failing = Arc::new(AtomicBool::new(false));
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(0, Duration::from_secs(5))
            .child(worker("a", &journal))
            .child(switchable("w", &journal, &failing)),
    )
    .await;
    sup.terminate_child("w").await.unwrap();
    failing.store(true, Ordering::SeqCst);
    match sup.restart_child("w").await.unwrap_err() {
        AdminError::StartFailed { child, reason } => {
            assert_eq!(child, "w");
            assert_eq!(
                reason.failure().map(|f| f.message()),
                Some("probe fails in started")
            );
        }
        other => panic!("expected StartFailed, got {other:?}"),
    }
    let w = sup.child("w").expect("the spec is kept");
    assert_eq!((w.state(), w.actor_id()), (ChildState::Stopped, None));
    assert_eq!(counts(&sup), [2, 1, 0, 2]);
    assert!(sup.is_alive(), "not a restart: intensity 0 is not exceeded");
    failing.store(false, Ordering::SeqCst);
    let w = sup.restart_child("w").await.unwrap();
    assert_eq!(w.state(), ChildState::Running);
    assert_eq!(ids(&sup), ["a", "w"]);
    assert_eq!(
        of(&journal, "w"),
        [
            "w:started 1",
            "w:stopped shutdown:supervisor",
            "w:start failed 1",
            "w:started 1",
        ]
    );
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// Start timeout (19, 20)
// ---------------------------------------------------------------------------------------

/// OTP 2 with a start timeout: a `started` that hangs fails the supervisor's start once the
/// timeout passes; the error names the child, and the child started before it is stopped.
#[tokio::test(start_paused = true)]
async fn a_hung_started_fails_the_supervisor_start_after_the_start_timeout() {
    let (system, journal) = system();
    let err = start_err(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(
                worker_with("hung", &journal, Behaviour::default().hang_start(|_| true))
                    .start_timeout(Duration::from_secs(1)),
            )
            .child(worker("c", &journal)),
    )
    .await;
    match err {
        StartError::ChildFailed {
            child,
            path,
            reason,
        } => {
            assert_eq!(
                (child.as_str(), path.to_string()),
                ("hung", "/adm/sup/hung".to_owned())
            );
            let message = reason.failure().map(|f| f.message().to_owned());
            assert!(
                message
                    .as_deref()
                    .is_some_and(|m| m.contains("start timeout")),
                "{message:?}"
            );
        }
        other => panic!("expected ChildFailed, got {other}"),
    }
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "hung:start hangs 1",
            "a:stopped shutdown:supervisor"
        ]
    );
    finish(system).await;
}

/// OTP 2 with a start timeout: a `started` that would finish, but later than the timeout, is
/// cut short as a start failure too; one that finishes within it starts normally.
#[tokio::test(start_paused = true)]
async fn a_started_slower_than_the_start_timeout_fails_the_supervisor_start() {
    let (system, journal) = system();
    let within = Behaviour::default().start_delay(Duration::from_millis(900));
    let slower = Behaviour::default().start_delay(Duration::from_secs(2));
    let err = start_err(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker_with("quick", &journal, within).start_timeout(Duration::from_secs(1)))
            .child(worker_with("slow", &journal, slower).start_timeout(Duration::from_secs(1))),
    )
    .await;
    assert!(
        matches!(&err, StartError::ChildFailed { child, .. } if child == "slow"),
        "{err}"
    );
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(
        journal.entries(),
        ["quick:started 1", "quick:stopped shutdown:supervisor"],
        "the slow `started` never finished"
    );
    finish(system).await;
}

/// OTP 19 with a start timeout: a restart whose `started` hangs is cut short, retried, and
/// each retry counts against intensity, so a child that always hangs escalates.
#[tokio::test(start_paused = true)]
async fn a_restart_that_hangs_is_retried_after_the_start_timeout_until_the_intensity_escalates() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(3, Duration::from_secs(10))
            .child(worker("a", &journal))
            .child(
                worker_with("w", &journal, Behaviour::default().hang_start(|g| g >= 2))
                    .start_timeout(Duration::from_secs(1)),
            ),
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
            "w:start hangs 2",
            "w:start hangs 3",
            "w:start hangs 4",
            "a:stopped shutdown:supervisor",
        ]
    );
    let seen = take_events(&mut events);
    assert_eq!(
        events_of(&seen, w.id()),
        [
            "Failed@1",
            "RestartScheduled@1",
            "StartFailed(failed)@2",
            "RestartScheduled@2",
            "StartFailed(failed)@3",
            "RestartScheduled@3",
            "StartFailed(failed)@4",
            "Stopped(killed)@4",
        ]
    );
    assert_eq!(
        events_of(&seen, sup.id()),
        ["IntensityExceeded@1", "Stopped(shutdown:intensity)@1"]
    );
    finish(system).await;
}

/// OTP 19 with a start timeout: a restart that hangs once is retried, and the next instance
/// starts; messages queued meanwhile reach it.
#[tokio::test(start_paused = true)]
async fn a_restart_that_hangs_once_is_retried_and_the_child_recovers() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(3, Duration::from_secs(10))
            .child(
                worker_with("w", &journal, Behaviour::default().hang_start(|g| g == 2))
                    .start_timeout(Duration::from_secs(1)),
            ),
    )
    .await;
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    w.tell(Cmd::Record(7)).await.unwrap();
    assert_eq!(
        w.ask(|reply| Cmd::Recorded { reply }).await.unwrap(),
        (3, vec![7])
    );
    assert_eq!(
        journal.entries(),
        [
            "w:started 1",
            "w:stopped failed",
            "w:start hangs 2",
            "w:started 3"
        ]
    );
    assert!(sup.is_alive());
    assert_eq!(state(&sup, "w"), Some(ChildState::Running));
    finish(system).await;
}

/// OTP 20 with a start timeout: while a child's restarts keep hanging, the supervisor shows
/// it as restarting, refuses `restart_child` and `delete_child` with `Restarting`, still
/// starts new children, and `terminate_child` ends the loop for good.
#[tokio::test(start_paused = true)]
async fn admin_calls_are_answered_while_a_child_retries_after_start_timeouts() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(100, Duration::from_secs(600))
            .child(worker("a", &journal))
            .child(
                worker_with("w", &journal, Behaviour::default().hang_start(|g| g >= 2))
                    .start_timeout(Duration::from_secs(1)),
            ),
    )
    .await;
    let w = labelled(&sup, "w");
    w.tell(Cmd::Fail).await.unwrap();
    until("w shows as restarting", || {
        state(&sup, "w") == Some(ChildState::Restarting)
    })
    .await;
    assert_eq!(
        rows(&sup),
        [
            "a /adm/sup/a Worker Running",
            "w /adm/sup/w Worker Restarting",
        ]
    );
    assert_eq!(counts(&sup), [2, 1, 0, 2]);
    let restarting = AdminError::Restarting("w".to_owned());
    assert_eq!(sup.restart_child("w").await.unwrap_err(), restarting);
    assert_eq!(sup.delete_child("w").await.unwrap_err(), restarting);
    let n = sup.start_child(worker("n", &journal)).await.unwrap();
    assert_eq!(ping(&n.downcast::<Labelled>().unwrap()).await, 1);
    assert!(
        attempts(&journal, "w") >= 3,
        "still retrying: {:?}",
        of(&journal, "w")
    );
    sup.terminate_child("w").await.unwrap();
    assert_eq!(state(&sup, "w"), Some(ChildState::Stopped));
    let tried = attempts(&journal, "w");
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        attempts(&journal, "w"),
        tried,
        "no attempt after the termination"
    );
    assert!(sup.is_alive());
    assert_eq!(ids(&sup), ["a", "w", "n"]);
    assert_eq!(counts(&sup), [3, 2, 0, 3]);
    finish(system).await;
}

/// OTP 29 and DESIGN ("admin calls travel on the supervisor's control lane"): an admin call
/// made while `start_child` waits for a slow `started` is answered after it; neither call
/// harms the supervisor.
#[tokio::test(start_paused = true)]
async fn an_admin_call_made_while_start_child_waits_for_started_is_answered_after_it() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker("b", &journal)),
    )
    .await;
    let slow = Behaviour::default().start_delay(Duration::from_secs(1));
    let (added, terminated) = tokio::join!(
        sup.start_child(worker_with("d", &journal, slow)),
        sup.terminate_child("b"),
    );
    assert_eq!(added.map(|c| c.state()), Ok(ChildState::Running));
    assert_eq!(terminated, Ok(()));
    assert!(sup.is_alive());
    assert_eq!(
        rows(&sup),
        [
            "a /adm/sup/a Worker Running",
            "b /adm/sup/b Worker Stopped",
            "d /adm/sup/d Worker Running",
        ]
    );
    finish(system).await;
}

/// OTP 20 under one_for_all: an admin call made while a group restart waits for a member's
/// `started` is answered once the group is up.
#[tokio::test(start_paused = true)]
async fn an_admin_call_made_during_a_group_restart_is_answered_after_it() {
    let (system, journal) = system();
    let slow = Behaviour::default().start_delay(Duration::from_secs(1));
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker_with("a", &journal, slow))
            .child(worker("b", &journal)),
    )
    .await;
    let mut events = system.events();
    let a = labelled(&sup, "a");
    a.tell(Cmd::Fail).await.unwrap();
    // The supervisor has stopped the group and is waiting for a's new `started`.
    next_event(&mut events, a.id(), |k| {
        *k == EventKind::RestartScheduled(Duration::ZERO)
    })
    .await;
    let added = sup.start_child(worker("n", &journal)).await;
    assert_eq!(added.map(|c| c.state()), Ok(ChildState::Running));
    assert!(sup.is_alive());
    assert_eq!(ids(&sup), ["a", "b", "n"]);
    assert_eq!(
        &journal.entries()[2..],
        [
            "a:stopped failed",
            "b:stopped shutdown:supervisor",
            "a:started 2",
            "b:started 2",
            "n:started 1",
        ]
    );
    finish(system).await;
}

// ---------------------------------------------------------------------------------------
// After the supervisor stopped
// ---------------------------------------------------------------------------------------

/// OTP 29-33 once the supervisor has exited (ours: where OTP's caller exits with `noproc`):
/// every admin call returns `SupervisorStopped`, and the readers see no children.
#[tokio::test(start_paused = true)]
async fn admin_calls_after_the_supervisor_stopped_return_supervisor_stopped() {
    let (system, journal) = system();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
    )
    .await;
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);
    let stopped = AdminError::SupervisorStopped;
    assert_eq!(
        sup.start_child(worker("n", &journal)).await.unwrap_err(),
        stopped
    );
    assert_eq!(sup.terminate_child("a").await.unwrap_err(), stopped);
    assert_eq!(sup.restart_child("a").await.unwrap_err(), stopped);
    assert_eq!(sup.delete_child("a").await.unwrap_err(), stopped);
    assert!(sup.which_children().is_empty());
    assert!(sup.child("a").is_none());
    assert_eq!(counts(&sup), [0, 0, 0, 0]);
    assert_eq!(
        journal.entries(),
        ["a:started 1", "a:stopped shutdown:supervisor"]
    );
    finish(system).await;
}

/// OTP 29-31 during the supervisor's own shutdown (ours: `SupervisorStopped`): admin calls
/// made while it stops its children are not carried out; they return `SupervisorStopped`
/// once it has exited, and start nothing.
#[tokio::test(start_paused = true)]
async fn admin_calls_while_the_supervisor_is_stopping_return_supervisor_stopped() {
    let (system, journal) = system();
    let slow = Behaviour::default().stopping(Stopping::Sleep(Duration::from_secs(2)));
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker_with("slow", &journal, slow)),
    )
    .await;
    sup.stop();
    until("slow is stopping", || {
        journal
            .entries()
            .contains(&"slow:stopped shutdown:supervisor".to_owned())
    })
    .await;
    let (started, terminated, restarted) = tokio::join!(
        sup.start_child(worker("n", &journal)),
        sup.terminate_child("a"),
        sup.restart_child("slow"),
    );
    let stopped = AdminError::SupervisorStopped;
    assert_eq!(started.unwrap_err(), stopped);
    assert_eq!(terminated.unwrap_err(), stopped);
    assert_eq!(restarted.unwrap_err(), stopped);
    assert_eq!(sup.exit_reason(), Some(ExitReason::Normal));
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "slow:started 1",
            "slow:stopped shutdown:supervisor",
            "slow:stopped-done",
            "a:stopped shutdown:supervisor",
        ]
    );
    finish(system).await;
}

/// OTP_BEHAVIOURS 44: Temporary children started and ended by the thousand leave nothing
/// behind in their supervisor.
#[tokio::test(start_paused = true)]
async fn temporary_children_leave_no_state_behind() {
    quiet_panics();
    let system = ActorSystem::new("adm").unwrap();
    let journal = Journal::default();
    let sup = start(&system, "sup", Supervisor::new(Strategy::OneForOne)).await;
    for i in 0..1_000 {
        let id = format!("t{i}");
        let child = sup
            .start_child(worker(&id, &journal).restart(Restart::Temporary))
            .await
            .unwrap();
        let t = child.downcast::<Labelled>().unwrap();
        t.tell(Cmd::StopSelf).await.unwrap();
        t.wait().await;
    }
    common::settle().await;
    assert_eq!(sup.count_children().specs, 0);
    assert!(sup.which_children().is_empty());
    system.shutdown().await.unwrap();
}

/// A `started` that finishes at the very instant of its start timeout: the start fails as a
/// timeout, once, and the child is not restarted. (On the multi-thread runtime a `Started`
/// report could race the kill raised at the deadline; the supervisor now waits for the
/// instance's end after its kill instead of taking that report for a successful start.)
#[tokio::test(start_paused = true)]
async fn a_started_that_ends_at_the_start_timeout_fails_the_start_once() {
    let (system, journal) = system();
    let exact = Behaviour::default().start_delay(Duration::from_secs(1));
    let err = start_err(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker_with("exact", &journal, exact).start_timeout(Duration::from_secs(1))),
    )
    .await;
    assert!(
        matches!(&err, StartError::ChildFailed { child, .. } if child == "exact"),
        "{err}"
    );
    tokio::time::sleep(Duration::from_secs(10)).await;
    let entries = journal.entries();
    assert!(
        entries
            .iter()
            .filter(|e| e.starts_with("exact:started"))
            .count()
            <= 1,
        "started once at most, never restarted: {entries:?}"
    );
    finish(system).await;
}
