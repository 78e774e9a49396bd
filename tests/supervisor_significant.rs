//! Significant children and auto-shutdown (OTP_BEHAVIOURS 6, 36-39).

mod common;

use actors::prelude::*;
use actors::{
    AutoShutdown, ChildSpec, EventKind, ExitReason, Restart, ShutdownCause, SpecError, StartError,
    Strategy, Supervisor,
};
use common::sup::{Cmd, labelled, next_event, ping, start, sub, worker};
use common::{Journal, quiet_panics};

const AUTO: ExitReason = ExitReason::Shutdown(ShutdownCause::AutoShutdown);

fn significant(label: &str, journal: &Journal, restart: Restart) -> ChildSpec {
    worker(label, journal).restart(restart).significant(true)
}

/// OTP 36: under `AnySignificant`, a Transient significant child that stops normally shuts
/// the supervisor down; its other children stop in reverse order first.
#[tokio::test(start_paused = true)]
async fn any_significant_shuts_down_when_a_transient_significant_child_ends_normally() {
    let system = ActorSystem::new("sig").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .auto_shutdown(AutoShutdown::AnySignificant)
            .child(worker("a", &journal))
            .child(significant("s", &journal, Restart::Transient))
            .child(worker("c", &journal)),
    )
    .await;
    labelled(&sup, "s").tell(Cmd::StopSelf).await.unwrap();
    assert_eq!(sup.wait().await, AUTO);
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "s:started 1",
            "c:started 1",
            "s:stopped normal",
            "c:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
        ]
    );
    system.shutdown().await.unwrap();
}

/// OTP 36: a Temporary significant child's any exit (here a failure) counts.
#[tokio::test(start_paused = true)]
async fn any_significant_counts_a_temporary_significant_childs_failure() {
    quiet_panics();
    let system = ActorSystem::new("sig").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .auto_shutdown(AutoShutdown::AnySignificant)
            .child(significant("t", &journal, Restart::Temporary))
            .child(worker("w", &journal)),
    )
    .await;
    labelled(&sup, "t").tell(Cmd::Fail).await.unwrap();
    assert_eq!(sup.wait().await, AUTO);
    system.shutdown().await.unwrap();
}

/// OTP 37: under `AllSignificant`, only the last significant child's end shuts it down.
#[tokio::test(start_paused = true)]
async fn all_significant_waits_for_the_last_significant_child() {
    let system = ActorSystem::new("sig").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .auto_shutdown(AutoShutdown::AllSignificant)
            .child(significant("s1", &journal, Restart::Transient))
            .child(significant("s2", &journal, Restart::Temporary))
            .child(worker("w", &journal)),
    )
    .await;
    let w = labelled(&sup, "w");
    labelled(&sup, "s1").tell(Cmd::StopSelf).await.unwrap();
    assert_eq!(ping(&w).await, 1);
    assert!(sup.is_alive(), "one significant child is left");
    labelled(&sup, "s2").tell(Cmd::StopSelf).await.unwrap();
    assert_eq!(sup.wait().await, AUTO);
    system.shutdown().await.unwrap();
}

/// OTP 38: not triggered by `terminate_child`, by a bystander's stop in a group restart, or
/// by a Transient child's abnormal exit (which restarts it).
#[tokio::test(start_paused = true)]
async fn auto_shutdown_ignores_terminations_bystander_stops_and_restarts() {
    quiet_panics();
    let system = ActorSystem::new("sig").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .auto_shutdown(AutoShutdown::AnySignificant)
            .child(significant("s", &journal, Restart::Transient))
            .child(worker("w", &journal))
            .child(significant("k", &journal, Restart::Transient)),
    )
    .await;
    let (s, w) = (labelled(&sup, "s"), labelled(&sup, "w"));
    let mut events = system.events();
    let restarted = |k: &EventKind| matches!(k, EventKind::Restarted(_));
    w.tell(Cmd::Fail).await.unwrap(); // s and k stopped as bystanders, then restarted
    next_event(&mut events, s.id(), restarted).await;
    assert_eq!(ping(&s).await, 2);
    s.tell(Cmd::Fail).await.unwrap(); // abnormal: restarted (with its group)
    next_event(&mut events, s.id(), restarted).await;
    assert_eq!(ping(&s).await, 3);
    sup.terminate_child("k").await.unwrap();
    assert_eq!(ping(&w).await, 3);
    assert!(sup.is_alive());
    system.shutdown().await.unwrap();
}

/// OTP 39: an auto-shutdown reaches the grandparent only where the sub-supervisor is
/// significant in its own parent.
#[tokio::test(start_paused = true)]
async fn an_auto_shutdown_propagates_only_through_significant_supervisors() {
    for significant_mid in [true, false] {
        let system = ActorSystem::new("sig").unwrap();
        let journal = Journal::default();
        let mid = Supervisor::new(Strategy::OneForOne)
            .auto_shutdown(AutoShutdown::AnySignificant)
            .child(significant("leaf", &journal, Restart::Transient));
        let top = start(
            &system,
            "top",
            Supervisor::new(Strategy::OneForOne)
                .auto_shutdown(AutoShutdown::AnySignificant)
                .child(
                    ChildSpec::supervisor("mid", mid)
                        .restart(Restart::Transient)
                        .significant(significant_mid),
                )
                .child(worker("w", &journal)),
        )
        .await;
        let mid = sub(&top, "mid");
        labelled(&mid, "leaf").tell(Cmd::StopSelf).await.unwrap();
        assert_eq!(mid.wait().await, AUTO);
        if significant_mid {
            assert_eq!(top.wait().await, AUTO);
        } else {
            assert_eq!(ping(&labelled(&top, "w")).await, 1);
            assert!(top.is_alive(), "mid is not significant in top");
        }
        system.shutdown().await.unwrap();
    }
}

/// OTP 6: `significant` is rejected with `AutoShutdown::Never` and with a Permanent child,
/// before anything starts, also through `start_child`.
#[tokio::test(start_paused = true)]
async fn invalid_significant_children_are_rejected() {
    let system = ActorSystem::new("sig").unwrap();
    let journal = Journal::default();
    let never =
        Supervisor::new(Strategy::OneForOne).child(significant("s", &journal, Restart::Transient));
    assert_eq!(
        system.start_supervisor("a", never).await.unwrap_err(),
        StartError::InvalidSpec(SpecError::SignificantWithoutAutoShutdown { child: "s".into() })
    );
    let permanent = Supervisor::new(Strategy::OneForOne)
        .auto_shutdown(AutoShutdown::AnySignificant)
        .child(significant("p", &journal, Restart::Permanent));
    assert_eq!(
        system.start_supervisor("b", permanent).await.unwrap_err(),
        StartError::InvalidSpec(SpecError::SignificantPermanent { child: "p".into() })
    );
    let sup = start(&system, "c", Supervisor::new(Strategy::OneForOne)).await;
    assert_eq!(
        sup.start_child(significant("s", &journal, Restart::Temporary))
            .await
            .unwrap_err(),
        actors::AdminError::InvalidSpec(SpecError::SignificantWithoutAutoShutdown {
            child: "s".into()
        })
    );
    assert!(journal.entries().is_empty(), "nothing started");
    system.shutdown().await.unwrap();
}
