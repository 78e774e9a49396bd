//! Starting a supervisor (OTP_BEHAVIOURS 1, 2, 4, 5): children start one by one in spec
//! order and `start_supervisor` returns after the last ran `started`; a start failure stops
//! the started ones in reverse and names the child; invalid blueprints are rejected before
//! anything starts.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actors::prelude::*;
use actors::{
    ChildKind, ChildSpec, FailedIn, Shutdown, SpawnError, SpecError, StartError, Strategy,
    Supervisor,
};
use common::sup::{
    Behaviour, Labelled, events_of, labelled, ping, start, start_err, sub, take_events, worker,
    worker_with,
};
use common::{Journal, quiet_panics};
use tokio::time::Instant;

/// The `ChildFailed` parts of a start error.
fn child_failed(err: StartError) -> (String, String, ExitReason) {
    match err {
        StartError::ChildFailed {
            child,
            path,
            reason,
        } => (child, path.to_string(), reason),
        other => panic!("expected ChildFailed, got {other}"),
    }
}

/// OTP 1: each child starts only after the previous one finished `started` (slower earlier
/// children would otherwise finish last), and `start_supervisor` returns after all have.
#[tokio::test(start_paused = true)]
async fn children_start_one_by_one_in_spec_order_and_start_returns_after_all_started() {
    let system = ActorSystem::new("ss").unwrap();
    let mut events = system.events();
    let journal = Journal::default();
    let delay = |ms| Behaviour::default().start_delay(Duration::from_millis(ms));
    let t0 = Instant::now();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker_with("a", &journal, delay(30)))
            .child(worker_with("b", &journal, delay(20)))
            .child(worker_with("c", &journal, delay(10))),
    )
    .await;
    assert_eq!(
        journal.entries(),
        ["a:started 1", "b:started 1", "c:started 1"]
    );
    assert!(
        Instant::now() - t0 >= Duration::from_millis(60),
        "one after the other, not side by side"
    );
    let started: Vec<String> = take_events(&mut events)
        .iter()
        .map(|e| format!("{}:{:?}", e.path, e.kind))
        .collect();
    assert_eq!(
        started,
        [
            "/ss/sup/a:Started",
            "/ss/sup/b:Started",
            "/ss/sup/c:Started",
            "/ss/sup:Started"
        ]
    );
    assert_eq!(sup.generation(), 1);
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// `children()` lists the running children in start order with id, path and kind, and a
/// typed handle: `downcast` to the right actor type, `supervisor()` for a child supervisor.
#[tokio::test(start_paused = true)]
async fn children_are_listed_in_start_order_with_kind_path_and_typed_handle() {
    let system = ActorSystem::new("ss").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(ChildSpec::supervisor(
                "inner",
                Supervisor::new(Strategy::OneForAll).child(worker("x", &journal)),
            ))
            .child(worker("b", &journal)),
    )
    .await;
    let children = sup.children();
    let listed: Vec<(&str, String, ChildKind)> = children
        .iter()
        .map(|c| (c.id(), c.path().to_string(), c.kind()))
        .collect();
    assert_eq!(
        listed,
        [
            ("a", "/ss/sup/a".to_owned(), ChildKind::Worker),
            ("inner", "/ss/sup/inner".to_owned(), ChildKind::Supervisor),
            ("b", "/ss/sup/b".to_owned(), ChildKind::Worker),
        ]
    );
    let a = children[0].downcast::<Labelled>().unwrap();
    assert_eq!(a.id(), children[0].actor_id().unwrap());
    assert!(children[0].downcast::<common::Probe>().is_none());
    assert!(children[0].supervisor().is_none());
    let inner = children[1].supervisor().unwrap();
    assert!(children[1].downcast::<Labelled>().is_none());
    assert_eq!(inner.id(), children[1].actor_id().unwrap());
    assert_eq!(inner.path().to_string(), "/ss/sup/inner");
    assert_eq!(labelled(&inner, "x").path().to_string(), "/ss/sup/inner/x");
    assert!(sup.child("nope").is_none());
    assert_eq!(ping(&a).await, 1);
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// OTP 2: a child failing in `started` during the supervisor's start: the ones started
/// before it stop in reverse order, the later ones are never built, it is not retried, and
/// the error names it.
#[tokio::test(start_paused = true)]
async fn a_start_failure_stops_the_started_children_in_reverse_and_names_the_child() {
    quiet_panics();
    let system = ActorSystem::new("ss").unwrap();
    let mut events = system.events();
    let journal = Journal::default();
    let built_d = Arc::new(AtomicUsize::new(0));
    let count = built_d.clone();
    let (jd, jc) = (journal.clone(), journal.clone());
    let err = start_err(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(worker("b", &journal))
            .child(worker_with(
                "c",
                &jc,
                Behaviour::default().fail_start(|_| true),
            ))
            .child(ChildSpec::worker("d", move || {
                count.fetch_add(1, Ordering::SeqCst);
                Labelled::new("d", &jd, Behaviour::default())
            })),
    )
    .await;
    let (child, path, reason) = child_failed(err);
    assert_eq!(child, "c");
    assert_eq!(path, "/ss/sup/c");
    let failure = reason.failure().unwrap();
    assert_eq!(failure.message(), "probe fails in started");
    assert_eq!(failure.hook(), FailedIn::Started);
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "b:started 1",
            "c:start failed 1",
            "b:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
        ]
    );
    assert_eq!(built_d.load(Ordering::SeqCst), 0, "d was never built");

    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
    let seen = take_events(&mut events);
    let c = seen
        .iter()
        .find(|e| e.path.as_str() == "/ss/sup/c")
        .unwrap();
    assert_eq!(
        events_of(&seen, c.id),
        ["Failed@1", "StartFailed(failed)@1", "Stopped(failed)@1"],
        "no retry"
    );
    let sup = seen.iter().find(|e| e.path.as_str() == "/ss/sup").unwrap();
    assert_eq!(
        events_of(&seen, sup.id),
        ["Failed@1", "Stopped(failed)@1"],
        "the supervisor never started"
    );
}

/// A panic in `started` is a start failure too, reported as a panic.
#[tokio::test(start_paused = true)]
async fn a_panic_in_started_is_a_start_failure_naming_the_child() {
    quiet_panics();
    let system = ActorSystem::new("ss").unwrap();
    let journal = Journal::default();
    let err = start_err(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker("a", &journal))
            .child(worker_with(
                "p",
                &journal,
                Behaviour::default().panic_start(|_| true),
            )),
    )
    .await;
    let (child, _, reason) = child_failed(err);
    assert_eq!(child, "p");
    assert!(reason.failure().unwrap().is_panic());
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "p:start panicked 1",
            "a:stopped shutdown:supervisor"
        ]
    );
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// A factory that panics fails the start like a failing `started`.
#[tokio::test(start_paused = true)]
async fn a_panicking_factory_is_a_start_failure_naming_the_child() {
    quiet_panics();
    let system = ActorSystem::new("ss").unwrap();
    let journal = Journal::default();
    let err = start_err(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(ChildSpec::worker("f", || -> Labelled {
                panic!("probe panics in its factory")
            })),
    )
    .await;
    let (child, path, reason) = child_failed(err);
    assert_eq!((child.as_str(), path.as_str()), ("f", "/ss/sup/f"));
    let failure = reason.failure().unwrap();
    assert!(failure.is_panic());
    assert_eq!(failure.message(), "probe panics in its factory");
    assert_eq!(
        journal.entries(),
        ["a:started 1", "a:stopped shutdown:supervisor"]
    );
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// A start failure deep in a child supervisor stops everything started so far, across
/// levels, in reverse; the error names the direct child, whose reason names its own child.
#[tokio::test(start_paused = true)]
async fn a_start_failure_in_a_child_supervisor_stops_everything_in_reverse() {
    quiet_panics();
    let system = ActorSystem::new("ss").unwrap();
    let journal = Journal::default();
    let err = start_err(
        &system,
        "top",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(ChildSpec::supervisor(
                "mid",
                Supervisor::new(Strategy::OneForOne)
                    .child(worker("b", &journal))
                    .child(worker_with(
                        "c",
                        &journal,
                        Behaviour::default().fail_start(|_| true),
                    )),
            ))
            .child(worker("d", &journal)),
    )
    .await;
    let (child, path, reason) = child_failed(err);
    assert_eq!((child.as_str(), path.as_str()), ("mid", "/ss/top/mid"));
    let failure = reason.failure().unwrap();
    assert!(
        failure.message().contains("`c`"),
        "names the grandchild: {failure}"
    );
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "b:started 1",
            "c:start failed 1",
            "b:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
        ]
    );
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// A blueprint whose factories count how often they were called.
fn counted(specs: &[&str], built: &Arc<AtomicUsize>, journal: &Journal) -> Vec<ChildSpec> {
    specs
        .iter()
        .map(|id| {
            let built = built.clone();
            let journal = journal.clone();
            let label = id.to_string();
            ChildSpec::worker(*id, move || {
                built.fetch_add(1, Ordering::SeqCst);
                Labelled::new(&label, &journal, Behaviour::default())
            })
        })
        .collect()
}

/// OTP 4: duplicate child ids are rejected before anything starts, at any depth.
#[tokio::test(start_paused = true)]
async fn duplicate_child_ids_are_rejected_before_anything_starts() {
    let system = ActorSystem::new("ss").unwrap();
    let journal = Journal::default();
    let built = Arc::new(AtomicUsize::new(0));
    let flat =
        Supervisor::new(Strategy::OneForOne).children(counted(&["a", "b", "a"], &built, &journal));
    assert_eq!(
        flat.validate(),
        Err(SpecError::DuplicateChildId("a".to_owned()))
    );
    assert_eq!(
        start_err(&system, "flat", flat).await,
        StartError::InvalidSpec(SpecError::DuplicateChildId("a".to_owned()))
    );
    let nested = Supervisor::new(Strategy::OneForOne)
        .children(counted(&["x"], &built, &journal))
        .child(ChildSpec::supervisor(
            "inner",
            Supervisor::new(Strategy::OneForOne).children(counted(&["y", "y"], &built, &journal)),
        ));
    assert_eq!(
        start_err(&system, "nested", nested).await,
        StartError::InvalidSpec(SpecError::DuplicateChildId("y".to_owned()))
    );
    // The same id under different parents is fine.
    let ok = Supervisor::new(Strategy::OneForOne)
        .children(counted(&["y"], &built, &journal))
        .child(ChildSpec::supervisor(
            "inner",
            Supervisor::new(Strategy::OneForOne).children(counted(&["y"], &built, &journal)),
        ));
    assert_eq!(ok.validate(), Ok(()));

    assert_eq!(built.load(Ordering::SeqCst), 0, "nothing was built");
    assert!(journal.entries().is_empty());
    assert_eq!(system.task_count(), 0);
    assert_eq!(system.actor_count(), 0);
    system.shutdown().await.unwrap();
}

/// OTP 5: a zero intensity period is rejected, at any depth (a negative intensity cannot be
/// written: `max_restarts` is unsigned).
#[tokio::test(start_paused = true)]
async fn a_zero_period_is_rejected_before_anything_starts() {
    let system = ActorSystem::new("ss").unwrap();
    let journal = Journal::default();
    let built = Arc::new(AtomicUsize::new(0));
    let flat = Supervisor::new(Strategy::OneForOne)
        .intensity(3, Duration::ZERO)
        .children(counted(&["a"], &built, &journal));
    assert_eq!(flat.validate(), Err(SpecError::ZeroPeriod));
    assert_eq!(
        start_err(&system, "flat", flat).await,
        StartError::InvalidSpec(SpecError::ZeroPeriod)
    );
    let nested = Supervisor::new(Strategy::OneForOne)
        .children(counted(&["a"], &built, &journal))
        .child(ChildSpec::supervisor(
            "inner",
            Supervisor::new(Strategy::OneForOne).intensity(1, Duration::ZERO),
        ));
    assert_eq!(
        start_err(&system, "nested", nested).await,
        StartError::InvalidSpec(SpecError::ZeroPeriod)
    );
    assert_eq!(built.load(Ordering::SeqCst), 0);
    assert_eq!(system.task_count(), 0);
    system.shutdown().await.unwrap();
}

/// Invalid child specs are rejected before anything starts, naming the child.
#[tokio::test(start_paused = true)]
async fn invalid_child_specs_are_rejected_naming_the_child() {
    let system = ActorSystem::new("ss").unwrap();
    let journal = Journal::default();
    let cases = [
        (
            worker("", &journal),
            SpecError::InvalidChildId(String::new()),
        ),
        (
            worker("a/b", &journal),
            SpecError::InvalidChildId("a/b".to_owned()),
        ),
        (
            worker("z", &journal).shutdown(Shutdown::Timeout(Duration::ZERO)),
            SpecError::ZeroShutdownTimeout {
                child: "z".to_owned(),
            },
        ),
        (
            worker("m", &journal).mailbox(0),
            SpecError::InvalidCapacity {
                child: "m".to_owned(),
                source: SpawnError::ZeroCapacity,
            },
        ),
    ];
    for (spec, expected) in cases {
        let blueprint = Supervisor::new(Strategy::OneForOne)
            .child(worker("ok", &journal))
            .child(spec);
        assert_eq!(blueprint.validate(), Err(expected.clone()));
        assert_eq!(
            start_err(&system, "sup", blueprint).await,
            StartError::InvalidSpec(expected)
        );
    }
    assert!(journal.entries().is_empty(), "nothing started");
    assert_eq!(system.task_count(), 0);
    system.shutdown().await.unwrap();
}

/// A supervisor started on the system is a Temporary child of the root: its exit is final
/// and its children end with it.
#[tokio::test(start_paused = true)]
async fn a_supervisor_started_on_the_system_is_not_restarted() {
    let system = ActorSystem::new("ss").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
    )
    .await;
    let a = labelled(&sup, "a");
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);
    assert!(!sup.is_alive());
    assert_eq!(sup.generation(), 1);
    assert!(!a.is_alive());
    assert!(sup.children().is_empty());
    assert_eq!(system.actor_count(), 0);
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// After a system shutdown a supervisor cannot be started; nested supervisors' paths are
/// built from their ids.
#[tokio::test(start_paused = true)]
async fn start_supervisor_after_shutdown_is_refused() {
    let system = ActorSystem::new("ss").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(ChildSpec::supervisor(
            "inner",
            Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
        )),
    )
    .await;
    assert_eq!(sub(&sup, "inner").path().as_str(), "/ss/sup/inner");
    system.shutdown().await.unwrap();
    assert_eq!(
        start_err(
            &system,
            "late",
            Supervisor::new(Strategy::OneForOne).child(worker("a", &journal))
        )
        .await,
        StartError::Spawn(SpawnError::SystemStopped)
    );
    assert_eq!(
        journal.entries(),
        ["a:started 1", "a:stopped shutdown:system"]
    );
    assert_eq!(system.task_count(), 0);
}
