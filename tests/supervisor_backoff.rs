//! Backoff (OTP_BEHAVIOURS 41, 42): a child that keeps failing waits longer before each
//! restart; meanwhile it is Restarting, its mailbox keeps what is sent to it, and the
//! supervisor goes on answering.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{
    Backoff, ChildSpec, ChildState, EventKind, SpecError, StartError, Strategy, Supervisor,
};
use common::sup::{Cmd, Labelled, labelled, next_event, ping, start, worker};
use common::{Journal, quiet_panics};
use tokio::time::Instant;

const MIN: Duration = Duration::from_millis(100);
const MAX: Duration = Duration::from_secs(1);

fn backed_off(label: &str, journal: &Journal, backoff: Backoff) -> ChildSpec {
    let (label, journal) = (label.to_owned(), journal.clone());
    ChildSpec::worker(label.clone(), move || {
        Labelled::new(&label, &journal, Default::default())
    })
    .backoff(backoff)
}

/// Fails `w` and returns how long its restart took, on the paused clock, from the failure to
/// its new instance's `Restarted` event.
async fn restart_delay(w: &ActorRef<Labelled>, events: &mut actors::Events) -> Duration {
    let failed_at = Instant::now();
    w.tell(Cmd::Fail).await.unwrap();
    let restarted = next_event(events, w.id(), |k| matches!(k, EventKind::Restarted(_))).await;
    restarted.at - failed_at
}

#[tokio::test(start_paused = true)]
async fn delays_double_from_min_and_stop_at_max_without_jitter() {
    quiet_panics();
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(100, Duration::from_secs(60))
            .child(backed_off(
                "w",
                &journal,
                Backoff::new(MIN, MAX).reset_after(Duration::from_secs(60)),
            )),
    )
    .await;
    let w = labelled(&sup, "w");
    let mut events = system.events();
    let mut delays = Vec::new();
    for _ in 0..6 {
        delays.push(restart_delay(&w, &mut events).await.as_millis());
    }
    assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_scheduled_delay_is_reported_and_jitter_stays_within_bounds() {
    quiet_panics();
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(100, Duration::from_secs(60))
            .child(backed_off(
                "w",
                &journal,
                Backoff::new(MIN, Duration::from_secs(60))
                    .jitter(0.5)
                    .reset_after(Duration::from_secs(600))
                    .seed(42),
            )),
    )
    .await;
    let w = labelled(&sup, "w");
    let mut events = system.events();
    for n in 0..5u32 {
        w.tell(Cmd::Fail).await.unwrap();
        let scheduled = next_event(&mut events, w.id(), |k| {
            matches!(k, EventKind::RestartScheduled(_))
        })
        .await;
        let EventKind::RestartScheduled(delay) = scheduled.kind else {
            unreachable!()
        };
        let base = MIN * 2u32.pow(n);
        assert!(
            delay >= base && delay < base.mul_f64(1.5),
            "restart {n}: {delay:?}"
        );
        let restarted = next_event(&mut events, w.id(), |k| {
            matches!(k, EventKind::Restarted(_))
        })
        .await;
        // Tokio's timer fires on whole milliseconds: the restart comes within one of it.
        let waited = restarted.at - scheduled.at;
        assert!(
            waited >= delay && waited < delay + Duration::from_millis(1),
            "restarted when announced: {waited:?} for {delay:?}"
        );
    }
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_quiet_period_resets_the_delays() {
    quiet_panics();
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(100, Duration::from_secs(1))
            .child(backed_off(
                "w",
                &journal,
                Backoff::new(MIN, MAX).reset_after(Duration::from_secs(10)),
            )),
    )
    .await;
    let w = labelled(&sup, "w");
    let mut events = system.events();
    assert_eq!(restart_delay(&w, &mut events).await, MIN);
    assert_eq!(restart_delay(&w, &mut events).await, MIN * 2);
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(restart_delay(&w, &mut events).await, MIN, "started over");
    system.shutdown().await.unwrap();
}

/// OTP_BEHAVIOURS 41: while a restart waits out its backoff, the child is Restarting (not
/// active), messages sent to it wait in its mailbox and reach the new instance in order, and
/// a sender facing the full mailbox waits.
#[tokio::test(start_paused = true)]
async fn messages_wait_in_the_mailbox_while_the_child_is_in_backoff() {
    quiet_panics();
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(
            backed_off(
                "w",
                &journal,
                Backoff::new(Duration::from_secs(3), MAX * 10),
            )
            .mailbox(2),
        ),
    )
    .await;
    let w = labelled(&sup, "w");
    let mut events = system.events();
    w.tell(Cmd::Fail).await.unwrap();
    next_event(&mut events, w.id(), |k| {
        matches!(k, EventKind::RestartScheduled(_))
    })
    .await;
    assert_eq!(sup.child("w").unwrap().state(), ChildState::Restarting);
    assert_eq!(sup.count_children().active, 0);

    w.tell(Cmd::Record(1)).await.unwrap();
    w.tell(Cmd::Record(2)).await.unwrap();
    let before = Instant::now();
    w.tell(Cmd::Record(3)).await.unwrap(); // waits for room: the new instance takes one
    assert_eq!(
        Instant::now() - before,
        Duration::from_secs(3),
        "backpressure until restart"
    );
    let (generation, recorded) = w.ask(|reply| Cmd::Recorded { reply }).await.unwrap();
    assert_eq!((generation, recorded), (2, vec![1, 2, 3]));
    assert_eq!(sup.child("w").unwrap().state(), ChildState::Running);
    system.shutdown().await.unwrap();
}

/// Under one_for_all the failed child's backoff applies to the group: the siblings stop at
/// once, and all start again, in order, after the delay.
#[tokio::test(start_paused = true)]
async fn a_group_restart_waits_out_the_failed_childs_backoff() {
    quiet_panics();
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker("a", &journal))
            .child(backed_off(
                "b",
                &journal,
                Backoff::new(Duration::from_secs(2), MAX * 10),
            ))
            .child(worker("c", &journal)),
    )
    .await;
    let (a, b, c) = (
        labelled(&sup, "a"),
        labelled(&sup, "b"),
        labelled(&sup, "c"),
    );
    let mut events = system.events();
    let failed_at = Instant::now();
    b.tell(Cmd::Fail).await.unwrap();
    let restarted = next_event(&mut events, c.id(), |k| {
        matches!(k, EventKind::Restarted(_))
    })
    .await;
    assert_eq!(restarted.at - failed_at, Duration::from_secs(2));
    assert_eq!((ping(&a).await, ping(&b).await, ping(&c).await), (2, 2, 2));
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "b:started 1",
            "c:started 1",
            "b:stopped failed",
            "c:stopped shutdown:supervisor",
            "a:stopped shutdown:supervisor",
            "a:started 2",
            "b:started 2",
            "c:started 2",
        ]
    );
    system.shutdown().await.unwrap();
}

/// `terminate_child` during a backoff cancels the pending restart; shutdown during one does
/// not wait for it.
#[tokio::test(start_paused = true)]
async fn terminate_child_and_shutdown_do_not_wait_for_a_backoff() {
    quiet_panics();
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    let long = Backoff::new(Duration::from_secs(3600), Duration::from_secs(7200));
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(backed_off("w", &journal, long))
            .child(backed_off("v", &journal, long)),
    )
    .await;
    let (w, v) = (labelled(&sup, "w"), labelled(&sup, "v"));
    let mut events = system.events();
    w.tell(Cmd::Fail).await.unwrap();
    v.tell(Cmd::Fail).await.unwrap();
    next_event(&mut events, v.id(), |k| {
        matches!(k, EventKind::RestartScheduled(_))
    })
    .await;

    let before = Instant::now();
    sup.terminate_child("w").await.unwrap();
    assert!(!w.is_alive());
    assert_eq!(sup.child("w").unwrap().state(), ChildState::Stopped);
    system.shutdown().await.unwrap();
    assert_eq!(Instant::now(), before, "nothing waited out the hour");
    assert!(!v.is_alive());
    assert_eq!(w.generation(), 1);
    assert_eq!(system.task_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn invalid_backoffs_are_rejected_naming_the_child() {
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    for (backoff, problem) in [
        (Backoff::new(Duration::ZERO, MAX), "minimum"),
        (Backoff::new(MAX, MIN), "maximum"),
        (Backoff::new(MIN, MAX).jitter(2.0), "jitter"),
        (Backoff::new(MIN, MAX).jitter(f64::NAN), "jitter"),
        (Backoff::new(MIN, MAX).reset_after(Duration::ZERO), "quiet"),
    ] {
        let err = system
            .start_supervisor(
                "sup",
                Supervisor::new(Strategy::OneForOne).child(backed_off("w", &journal, backoff)),
            )
            .await
            .unwrap_err();
        match err {
            StartError::InvalidSpec(SpecError::InvalidBackoff { child, problem: p }) => {
                assert_eq!(child, "w");
                assert!(p.contains(problem), "{p}");
            }
            other => panic!("expected InvalidBackoff, got {other:?}"),
        }
    }
    assert_eq!(journal.entries(), Vec::<String>::new(), "nothing started");
}

/// OTP_BEHAVIOURS 29: a child waiting out its backoff is restarting, so `start_child` with its
/// id answers `AlreadyPresent` (OTP's `already_present`), not `AlreadyStarted`.
#[tokio::test(start_paused = true)]
async fn start_child_with_the_id_of_a_child_in_backoff_is_already_present() {
    quiet_panics();
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    let long = Backoff::new(Duration::from_secs(60), Duration::from_secs(60));
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne).child(backed_off("w", &journal, long)),
    )
    .await;
    let w = labelled(&sup, "w");
    let mut events = system.events();
    w.tell(Cmd::Fail).await.unwrap();
    next_event(&mut events, w.id(), |k| {
        matches!(k, EventKind::RestartScheduled(_))
    })
    .await;
    let err = sup.start_child(worker("w", &journal)).await.unwrap_err();
    assert_eq!(err, actors::AdminError::AlreadyPresent("w".into()));
    system.shutdown().await.unwrap();
}

/// A child terminated while its group waits out a backoff stays terminated; the rest of the
/// group starts again after the delay.
#[tokio::test(start_paused = true)]
async fn a_child_terminated_during_a_group_backoff_stays_terminated() {
    quiet_panics();
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(backed_off(
                "a",
                &journal,
                Backoff::new(Duration::from_secs(5), MAX * 10),
            ))
            .child(worker("b", &journal))
            .child(worker("c", &journal)),
    )
    .await;
    let (a, c) = (labelled(&sup, "a"), labelled(&sup, "c"));
    let mut events = system.events();
    a.tell(Cmd::Fail).await.unwrap();
    next_event(&mut events, a.id(), |k| {
        matches!(k, EventKind::RestartScheduled(_))
    })
    .await;
    sup.terminate_child("b").await.unwrap();
    next_event(&mut events, c.id(), |k| {
        matches!(k, EventKind::Restarted(_))
    })
    .await;
    assert_eq!((ping(&a).await, ping(&c).await), (2, 2));
    let states: Vec<_> = sup
        .which_children()
        .iter()
        .map(|child| (child.id().to_owned(), child.state()))
        .collect();
    assert_eq!(
        states,
        [
            ("a".to_owned(), ChildState::Running),
            ("b".to_owned(), ChildState::Stopped),
            ("c".to_owned(), ChildState::Running),
        ]
    );
    system.shutdown().await.unwrap();
}

/// A group restart at once (its failed child has no backoff) that includes a child whose own
/// restart waits out a backoff leaves that child to it: the failed child starts at once, the
/// waiting one at its own time, after it, and once (session 4; the group restart used to
/// start it at once, before its backoff was due).
#[tokio::test(start_paused = true)]
async fn a_group_restart_at_once_leaves_a_member_to_its_own_backoff() {
    quiet_panics();
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::RestForOne)
            .intensity(10, Duration::from_secs(60))
            .child(worker("b", &journal))
            .child(backed_off(
                "c",
                &journal,
                Backoff::new(Duration::from_secs(5), MAX * 10),
            )),
    )
    .await;
    let (b, c) = (labelled(&sup, "b"), labelled(&sup, "c"));
    let mut events = system.events();
    c.tell(Cmd::Fail).await.unwrap();
    next_event(&mut events, c.id(), |k| {
        matches!(k, EventKind::RestartScheduled(_))
    })
    .await;
    b.tell(Cmd::Fail).await.unwrap(); // restarts b at once; c keeps its backoff
    assert_eq!(ping(&b).await, 2);
    assert_eq!(sup.child("c").unwrap().state(), ChildState::Restarting);
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        sup.child("c").unwrap().state(),
        ChildState::Restarting,
        "not started before its backoff was due"
    );
    tokio::time::sleep(Duration::from_secs(2)).await; // c's backoff ends meanwhile
    assert_eq!(sup.child("c").unwrap().state(), ChildState::Running);
    assert_eq!(ping(&c).await, 2, "restarted once, at its own time");
    assert_eq!(
        sup.count_children().active,
        2,
        "the supervisor still answers"
    );
    let starts: Vec<String> = journal
        .entries()
        .into_iter()
        .filter(|e| e.contains(":started 2"))
        .collect();
    assert_eq!(starts, ["b:started 2", "c:started 2"], "in start order");
    sup.terminate_child("b").await.unwrap();
    system.shutdown().await.unwrap();
}

/// RestForOne: `b` fails and its group `[b, c]` waits 3 s; then `a` fails with a backoff of
/// 1 s, and its group `[a, b, c]` takes the older one in and starts at the later time. Each
/// child's `RestartScheduled` is reported once, with the delay it really waits: `a` waits
/// 3 s, not the 1 s of its own backoff; `b` is not announced a second time when the merged
/// group starts; `c`, a bystander, is announced when it restarts.
#[tokio::test(start_paused = true)]
async fn a_folded_group_restart_announces_each_child_once_with_the_delay_it_waits() {
    quiet_panics();
    let system = ActorSystem::new("bo").unwrap();
    let journal = Journal::default();
    let backed = |label: &str, secs: u64| {
        let delay = Duration::from_secs(secs);
        backed_off(label, &journal, Backoff::new(delay, delay))
    };
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::RestForOne)
            .child(backed("a", 1))
            .child(backed("b", 3))
            .child(worker("c", &journal)),
    )
    .await;
    let (a, b, c) = (
        labelled(&sup, "a"),
        labelled(&sup, "b"),
        labelled(&sup, "c"),
    );
    let mut events = system.events();
    let began = Instant::now();
    b.tell(Cmd::Fail).await.unwrap();
    next_event(&mut events, b.id(), |k| {
        matches!(k, EventKind::RestartScheduled(_))
    })
    .await;
    a.tell(Cmd::Fail).await.unwrap();
    // All three answer once the merged group has started.
    for w in [&a, &b, &c] {
        ping(w).await;
    }
    assert_eq!(
        began.elapsed().as_secs(),
        3,
        "the merged group starts at the later time"
    );
    let seen = common::drain_events(&mut events);
    let scheduled = |w: &ActorRef<Labelled>| -> Vec<Duration> {
        let mut delays: Vec<Duration> = seen
            .iter()
            .filter(|e| e.id == w.id())
            .filter_map(|e| match e.kind {
                EventKind::RestartScheduled(d) => Some(d),
                _ => None,
            })
            .collect();
        // `b`'s own announcement was taken above.
        if w.id() == b.id() {
            delays.insert(0, Duration::from_secs(3));
        }
        delays
    };
    assert_eq!(scheduled(&a), [Duration::from_secs(3)], "a");
    assert_eq!(scheduled(&b), [Duration::from_secs(3)], "b");
    assert_eq!(scheduled(&c), [Duration::ZERO], "c");
    system.shutdown().await.unwrap();
}
