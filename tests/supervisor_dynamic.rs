//! Dynamic supervisors (OTP_BEHAVIOURS 27, 34, 35, 44): children started at run time from one
//! template with per-child arguments, `max_children`, and a shutdown that stops them all at
//! once under one deadline.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{
    AdminError, Backoff, ChildSpec, ChildState, DynamicSupervisor, DynamicSupervisorRef, EventKind,
    ExitReason, Restart, Shutdown, ShutdownCause, SpecError, StartError,
};
use common::sup::{Behaviour, Cmd, Labelled, Stopping, next_event, ping};
use common::{Journal, quiet_panics};
use tokio::time::Instant;

/// A dynamic supervisor whose template builds a `Labelled` worker named after its argument.
async fn sessions(
    system: &ActorSystem,
    journal: &Journal,
    behaviour: Behaviour,
    max: Option<usize>,
) -> DynamicSupervisorRef<u32> {
    let journal = journal.clone();
    let mut blueprint = DynamicSupervisor::new(move |n: u32| {
        let journal = journal.clone();
        ChildSpec::worker("w", move || {
            Labelled::new(&format!("w{n}"), &journal, behaviour)
        })
        .shutdown(Shutdown::Timeout(Duration::from_secs(5)))
    })
    .intensity(10, Duration::from_secs(5));
    if let Some(max) = max {
        blueprint = blueprint.max_children(max);
    }
    blueprint.start(system, "dyn").await.unwrap()
}

fn worker_of(child: &actors::ChildRef) -> ActorRef<Labelled> {
    child.downcast::<Labelled>().expect("a Labelled worker")
}

/// OTP 35: the arguments of `start_child` reach the child's factory through the template.
#[tokio::test(start_paused = true)]
async fn start_child_passes_its_arguments_to_the_template() {
    let system = ActorSystem::new("dyn").unwrap();
    let journal = Journal::default();
    let sup = sessions(&system, &journal, Behaviour::default(), None).await;
    assert_eq!(sup.count_children().specs, 0, "starts empty");
    let seven = sup.start_child(7).await.unwrap();
    let nine = sup.start_child(9).await.unwrap();
    assert_eq!((seven.id(), nine.id()), ("w-1", "w-2"));
    assert_eq!(seven.path().to_string(), "/dyn/dyn/w-1");
    assert_eq!(journal.entries(), ["w7:started 1", "w9:started 1"]);
    assert_eq!(ping(&worker_of(&nine)).await, 1);
    system.shutdown().await.unwrap();
}

/// OTP 34: `max_children` is an error at the cap, and a restarting child counts.
#[tokio::test(start_paused = true)]
async fn max_children_is_an_error_at_the_cap_and_restarting_children_count() {
    quiet_panics();
    let system = ActorSystem::new("dyn").unwrap();
    let journal = Journal::default();
    let template_journal = journal.clone();
    let sup = DynamicSupervisor::new(move |n: u32| {
        let journal = template_journal.clone();
        ChildSpec::worker("w", move || {
            Labelled::new(&format!("w{n}"), &journal, Default::default())
        })
        .backoff(Backoff::new(
            Duration::from_secs(60),
            Duration::from_secs(60),
        ))
    })
    .max_children(2)
    .start(&system, "dyn")
    .await
    .unwrap();
    let first = worker_of(&sup.start_child(1).await.unwrap());
    sup.start_child(2).await.unwrap();
    assert_eq!(
        sup.start_child(3).await.unwrap_err(),
        AdminError::MaxChildren(2)
    );

    let mut events = system.events();
    first.tell(Cmd::Fail).await.unwrap();
    next_event(&mut events, first.id(), |k| {
        matches!(k, EventKind::RestartScheduled(_))
    })
    .await;
    assert_eq!(sup.child("w-1").unwrap().state(), ChildState::Restarting);
    assert_eq!(
        sup.start_child(3).await.unwrap_err(),
        AdminError::MaxChildren(2)
    );

    sup.terminate_child("w-2").await.unwrap();
    sup.delete_child("w-2").await.unwrap();
    let third = sup.start_child(3).await.unwrap();
    assert_eq!(
        third.id(),
        "w-5",
        "numbers are never reused, refused calls included"
    );
    system.shutdown().await.unwrap();
}

/// OTP 27: a dynamic supervisor stops its children concurrently, so children that all use
/// their whole shutdown deadline take one deadline in all, not one each.
#[tokio::test(start_paused = true)]
async fn shutdown_stops_every_child_at_once_under_one_deadline() {
    let system = ActorSystem::new("dyn").unwrap();
    let journal = Journal::default();
    let hang = Behaviour::default().stopping(Stopping::Hang);
    let sup = sessions(&system, &journal, hang, None).await;
    let mut workers = Vec::new();
    for n in 0..100 {
        workers.push(worker_of(&sup.start_child(n).await.unwrap()));
    }
    let mut events = system.events();
    let before = Instant::now();
    sup.stop();
    assert_eq!(sup.wait().await, ExitReason::Normal);
    assert_eq!(
        Instant::now() - before,
        Duration::from_secs(5),
        "one deadline, not 100"
    );
    for w in &workers {
        assert_eq!(
            w.exit_reason(),
            Some(ExitReason::Killed),
            "aborted at the deadline"
        );
    }
    let timed_out = std::iter::from_fn(|| events.try_recv().ok().flatten())
        .filter(|e| matches!(e.kind, EventKind::ShutdownTimedOut))
        .count();
    assert_eq!(timed_out, 100, "each abort reported once");
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// 10,000 dynamic children: started, counted, restarted one for one, and shut down.
#[tokio::test(start_paused = true)]
async fn ten_thousand_children_start_restart_and_stop() {
    quiet_panics();
    let system = ActorSystem::new("dyn").unwrap();
    let journal = Journal::default();
    let sup = sessions(&system, &journal, Behaviour::default(), Some(10_000)).await;
    let mut last = None;
    for n in 0..10_000 {
        last = Some(sup.start_child(n).await.unwrap());
    }
    let counts = sup.count_children();
    assert_eq!(
        (counts.specs, counts.active, counts.workers),
        (10_000, 10_000, 10_000)
    );
    assert!(matches!(
        sup.start_child(0).await,
        Err(AdminError::MaxChildren(10_000))
    ));

    let last = worker_of(&last.unwrap());
    last.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&last).await, 2, "restarted in place");

    system.shutdown().await.unwrap();
    assert_eq!(
        last.wait().await,
        ExitReason::Shutdown(ShutdownCause::System)
    );
    assert_eq!(system.task_count(), 0);
}

/// OTP 44: Temporary dynamic children leave no spec behind when they end, and
/// `terminate_child` of one removes it.
#[tokio::test(start_paused = true)]
async fn temporary_dynamic_children_leave_nothing_behind() {
    let system = ActorSystem::new("dyn").unwrap();
    let journal = Journal::default();
    let template_journal = journal.clone();
    let sup = DynamicSupervisor::new(move |n: u32| {
        let journal = template_journal.clone();
        ChildSpec::worker("t", move || {
            Labelled::new(&format!("t{n}"), &journal, Default::default())
        })
        .restart(Restart::Temporary)
    })
    .start(&system, "dyn")
    .await
    .unwrap();
    let a = worker_of(&sup.start_child(1).await.unwrap());
    sup.start_child(2).await.unwrap();
    a.tell(Cmd::StopSelf).await.unwrap();
    a.wait().await;
    sup.terminate_child("t-2").await.unwrap();
    common::settle().await;
    assert!(sup.which_children().is_empty());
    assert_eq!(
        sup.terminate_child("t-2").await.unwrap_err(),
        AdminError::NotFound("t-2".into())
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_zero_max_children_is_rejected() {
    let system = ActorSystem::new("dyn").unwrap();
    let err =
        DynamicSupervisor::new(|(): ()| ChildSpec::worker("w", || -> Labelled { unreachable!() }))
            .max_children(0)
            .start(&system, "dyn")
            .await
            .unwrap_err();
    assert_eq!(err, StartError::InvalidSpec(SpecError::ZeroMaxChildren));
}
