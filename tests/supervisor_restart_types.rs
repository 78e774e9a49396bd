//! Restart types (OTP_BEHAVIOURS 7-9, 44): which exits of a Permanent, Transient or Temporary
//! child its supervisor restarts, for workers (stop, error, panic, kill) and for child
//! supervisors (normal, shutdown by intensity, kill). A restart keeps the actor; a child
//! that is not restarted makes its final exit and leaves the running children.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{ChildSpec, EventKind, Events, Restart, ShutdownCause, Strategy, Supervisor};
use common::sup::{
    Labelled, child_ids, events_of, labelled, next_event, ping, start, sub, take_events, worker,
};
use common::{Journal, quiet_panics};

/// How a worker's instance is made to end.
#[derive(Clone, Copy, Debug)]
enum Exit {
    /// `stop()`: a normal exit.
    Stop,
    /// A handler error.
    Error,
    /// A handler panic.
    Panic,
    /// `kill()`.
    Kill,
}

impl Exit {
    async fn provoke(self, w: &ActorRef<Labelled>) {
        use common::sup::Cmd;
        match self {
            Exit::Stop => w.stop(),
            Exit::Error => assert!(w.tell(Cmd::Fail).await.is_ok()),
            Exit::Panic => assert!(w.tell(Cmd::Panic).await.is_ok()),
            Exit::Kill => w.kill(),
        }
    }

    /// The journal entry of the ended instance's `stopped` (none after a kill).
    fn stopped_entry(self) -> Option<&'static str> {
        match self {
            Exit::Stop => Some("w:stopped normal"),
            Exit::Error => Some("w:stopped failed"),
            Exit::Panic => Some("w:stopped failed:panic"),
            Exit::Kill => None,
        }
    }

    fn failed(self) -> bool {
        matches!(self, Exit::Error | Exit::Panic)
    }

    fn reason(self) -> &'static str {
        match self {
            Exit::Stop => "normal",
            Exit::Error => "failed",
            Exit::Panic => "failed:panic",
            Exit::Kill => "killed",
        }
    }
}

/// A one_for_one supervisor `/rt/sup` with the worker `w` of the restart type under test and
/// a Permanent bystander `x` started after it.
struct Case {
    system: ActorSystem,
    sup: actors::SupervisorRef,
    w: ActorRef<Labelled>,
    journal: Journal,
    events: Events,
    /// A second subscription, consumed while waiting, so `events` keeps everything.
    waiter: Events,
}

impl Case {
    async fn start(restart: Restart) -> Self {
        quiet_panics();
        let system = ActorSystem::new("rt").unwrap();
        let events = system.events();
        let waiter = system.events();
        let journal = Journal::default();
        let sup = start(
            &system,
            "sup",
            Supervisor::new(Strategy::OneForOne)
                .child(worker("w", &journal).restart(restart))
                .child(worker("x", &journal)),
        )
        .await;
        let w = labelled(&sup, "w");
        Self {
            system,
            sup,
            w,
            journal,
            events,
            waiter,
        }
    }

    /// The system shuts down cleanly, leaving no task.
    async fn finish(self) {
        self.system.shutdown().await.unwrap();
        assert_eq!(
            self.sup.wait().await,
            ExitReason::Shutdown(ShutdownCause::System)
        );
        assert_eq!(self.system.task_count(), 0);
    }
}

/// The worker's instance ends by `exit`, and the supervisor starts a new instance of the
/// same actor: same ref and id, generation 2, queued work answered by the new instance.
async fn restarted_after(restart: Restart, exit: Exit) {
    let mut c = Case::start(restart).await;
    let x = labelled(&c.sup, "x");
    exit.provoke(&c.w).await;
    // (Waiting for the restart first: a message sent right after `stop()`/`kill()` races
    // the signal; see supervisor_messages.rs.)
    next_event(&mut c.waiter, c.w.id(), |k| {
        matches!(k, EventKind::Restarted(_))
    })
    .await;
    assert_eq!(
        ping(&c.w).await,
        2,
        "the same actor answers from instance 2"
    );

    let mut journal = vec!["w:started 1", "x:started 1"];
    journal.extend(exit.stopped_entry());
    journal.push("w:started 2");
    assert_eq!(c.journal.entries(), journal);

    let mut expected = vec!["Started@1"];
    if exit.failed() {
        expected.push("Failed@1");
    }
    expected.extend(["RestartScheduled@1", "Restarted(2)@2"]);
    let seen = take_events(&mut c.events);
    assert_eq!(events_of(&seen, c.w.id()), expected);
    assert_eq!(
        events_of(&seen, x.id()),
        ["Started@1"],
        "the bystander is untouched"
    );
    for e in seen.iter().filter(|e| e.id == c.w.id()) {
        assert_eq!(&e.path, c.w.path());
        assert_eq!(e.path.as_str(), "/rt/sup/w");
        assert_eq!(
            e.parent,
            Some(c.sup.id()),
            "reported as a child of its supervisor"
        );
    }

    assert!(c.w.is_alive());
    assert_eq!(c.w.generation(), 2);
    assert_eq!(c.sup.child("w").unwrap().actor_id(), Some(c.w.id()));
    assert_eq!(child_ids(&c.sup), ["w", "x"]);
    assert_eq!(ping(&x).await, 1);
    c.finish().await;
}

/// The worker's instance ends by `exit` and that is its final exit: it leaves the running
/// children, its siblings and the supervisor go on.
async fn not_restarted_after(restart: Restart, exit: Exit) {
    let mut c = Case::start(restart).await;
    let x = labelled(&c.sup, "x");
    exit.provoke(&c.w).await;
    let reason = c.w.wait().await;
    assert_eq!(common::sup::short(&reason), exit.reason());

    let mut journal = vec!["w:started 1", "x:started 1"];
    journal.extend(exit.stopped_entry());
    assert_eq!(c.journal.entries(), journal);

    let mut expected = vec!["Started@1".to_owned()];
    if exit.failed() {
        expected.push("Failed@1".to_owned());
    }
    expected.push(format!("Stopped({})@1", exit.reason()));
    let seen = take_events(&mut c.events);
    assert_eq!(events_of(&seen, c.w.id()), expected);

    assert!(!c.w.is_alive());
    assert_eq!(c.w.generation(), 1);
    assert!(
        c.sup.child("w").and_then(|c| c.actor_id()).is_none(),
        "no actor left"
    );
    assert_eq!(child_ids(&c.sup), ["x"]);
    assert!(c.sup.is_alive());
    assert_eq!(ping(&x).await, 1);
    c.finish().await;
}

#[tokio::test(start_paused = true)]
async fn permanent_restarts_after_normal_exit() {
    restarted_after(Restart::Permanent, Exit::Stop).await;
}

#[tokio::test(start_paused = true)]
async fn permanent_restarts_after_error() {
    restarted_after(Restart::Permanent, Exit::Error).await;
}

#[tokio::test(start_paused = true)]
async fn permanent_restarts_after_panic() {
    restarted_after(Restart::Permanent, Exit::Panic).await;
}

#[tokio::test(start_paused = true)]
async fn permanent_restarts_after_kill() {
    restarted_after(Restart::Permanent, Exit::Kill).await;
}

#[tokio::test(start_paused = true)]
async fn transient_not_restarted_after_normal_exit() {
    not_restarted_after(Restart::Transient, Exit::Stop).await;
}

#[tokio::test(start_paused = true)]
async fn transient_restarts_after_error() {
    restarted_after(Restart::Transient, Exit::Error).await;
}

#[tokio::test(start_paused = true)]
async fn transient_restarts_after_panic() {
    restarted_after(Restart::Transient, Exit::Panic).await;
}

#[tokio::test(start_paused = true)]
async fn transient_restarts_after_kill() {
    restarted_after(Restart::Transient, Exit::Kill).await;
}

#[tokio::test(start_paused = true)]
async fn temporary_not_restarted_after_normal_exit() {
    not_restarted_after(Restart::Temporary, Exit::Stop).await;
}

#[tokio::test(start_paused = true)]
async fn temporary_not_restarted_after_error() {
    not_restarted_after(Restart::Temporary, Exit::Error).await;
}

#[tokio::test(start_paused = true)]
async fn temporary_not_restarted_after_panic() {
    not_restarted_after(Restart::Temporary, Exit::Panic).await;
}

#[tokio::test(start_paused = true)]
async fn temporary_not_restarted_after_kill() {
    not_restarted_after(Restart::Temporary, Exit::Kill).await;
}

/// How a child supervisor's instance is made to end.
#[derive(Clone, Copy, Debug)]
enum SupExit {
    /// `stop()`: a normal exit.
    Stop,
    /// Its restart intensity (0) is exceeded by its worker's failure: a shutdown exit.
    Intensity,
    /// `kill()`: an abnormal exit.
    Kill,
}

/// `/rs/top` (one_for_one, default intensity) with a child supervisor `mid` of the restart
/// type under test (intensity 0, one worker `w`) and a Permanent worker `x` after it. `mid`'s
/// instance ends by `exit`; returns whether the parent restarted it.
async fn child_supervisor_exit(restart: Restart, exit: SupExit) -> bool {
    quiet_panics();
    let system = ActorSystem::new("rs").unwrap();
    let mut events = system.events();
    let mut waiter = system.events();
    let journal = Journal::default();
    let top = start(
        &system,
        "top",
        Supervisor::new(Strategy::OneForOne)
            .child(
                ChildSpec::supervisor(
                    "mid",
                    Supervisor::new(Strategy::OneForOne)
                        .intensity(0, Duration::from_secs(5))
                        .child(worker("w", &journal)),
                )
                .restart(restart),
            )
            .child(worker("x", &journal)),
    )
    .await;
    let mid = sub(&top, "mid");
    let old_w = labelled(&mid, "w");
    let x = labelled(&top, "x");

    let (mid_reason, w_reason) = match exit {
        SupExit::Stop => {
            mid.stop();
            ("normal", ExitReason::Shutdown(ShutdownCause::Supervisor))
        }
        SupExit::Intensity => {
            assert!(old_w.tell(common::sup::Cmd::Fail).await.is_ok());
            ("shutdown:intensity", old_w.wait().await)
        }
        SupExit::Kill => {
            mid.kill();
            ("killed", ExitReason::Killed)
        }
    };
    assert_eq!(old_w.wait().await, w_reason);
    assert!(!old_w.is_alive());
    let w_stopped = match exit {
        SupExit::Stop => Some("w:stopped shutdown:supervisor"),
        SupExit::Intensity => Some("w:stopped failed"),
        SupExit::Kill => None,
    };

    let restart_expected = match restart {
        Restart::Permanent => true,
        Restart::Transient => matches!(exit, SupExit::Kill),
        _ => false,
    };
    let mut mid_events = vec!["Started@1".to_owned()];
    if matches!(exit, SupExit::Intensity) {
        mid_events.push("IntensityExceeded@1".to_owned());
    }
    let mut journal_expected = vec!["w:started 1", "x:started 1"];
    journal_expected.extend(w_stopped);

    if restart_expected {
        next_event(&mut waiter, mid.id(), |k| {
            matches!(k, EventKind::Restarted(_))
        })
        .await;
        assert!(mid.is_alive());
        assert_eq!(mid.generation(), 2, "the same supervisor, a new instance");
        assert_eq!(sub(&top, "mid").id(), mid.id());
        let new_w = labelled(&mid, "w");
        assert_ne!(
            new_w.id(),
            old_w.id(),
            "a restarted supervisor starts new children"
        );
        assert_eq!(ping(&new_w).await, 1);
        journal_expected.push("w:started 1");
        mid_events.extend(["RestartScheduled@1".to_owned(), "Restarted(2)@2".to_owned()]);
        assert_eq!(child_ids(&top), ["mid", "x"]);
    } else {
        assert_eq!(common::sup::short(&mid.wait().await), mid_reason);
        assert!(top.child("mid").and_then(|c| c.actor_id()).is_none());
        assert_eq!(child_ids(&top), ["x"]);
        mid_events.push(format!("Stopped({mid_reason})@1"));
    }
    assert_eq!(journal.entries(), journal_expected);
    let seen = take_events(&mut events);
    assert_eq!(events_of(&seen, mid.id()), mid_events);
    assert_eq!(events_of(&seen, x.id()), ["Started@1"]);
    assert_eq!(ping(&x).await, 1, "the sibling keeps its instance");
    assert!(top.is_alive());

    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
    restart_expected
}

#[tokio::test(start_paused = true)]
async fn permanent_child_supervisor_restarts_after_normal_exit() {
    assert!(child_supervisor_exit(Restart::Permanent, SupExit::Stop).await);
}

#[tokio::test(start_paused = true)]
async fn permanent_child_supervisor_restarts_after_shutdown_exit() {
    assert!(child_supervisor_exit(Restart::Permanent, SupExit::Intensity).await);
}

#[tokio::test(start_paused = true)]
async fn permanent_child_supervisor_restarts_after_kill() {
    assert!(child_supervisor_exit(Restart::Permanent, SupExit::Kill).await);
}

#[tokio::test(start_paused = true)]
async fn transient_child_supervisor_not_restarted_after_normal_exit() {
    assert!(!child_supervisor_exit(Restart::Transient, SupExit::Stop).await);
}

#[tokio::test(start_paused = true)]
async fn transient_child_supervisor_not_restarted_after_shutdown_exit() {
    assert!(!child_supervisor_exit(Restart::Transient, SupExit::Intensity).await);
}

#[tokio::test(start_paused = true)]
async fn transient_child_supervisor_restarts_after_kill() {
    assert!(child_supervisor_exit(Restart::Transient, SupExit::Kill).await);
}

#[tokio::test(start_paused = true)]
async fn temporary_child_supervisor_not_restarted_after_normal_exit() {
    assert!(!child_supervisor_exit(Restart::Temporary, SupExit::Stop).await);
}

#[tokio::test(start_paused = true)]
async fn temporary_child_supervisor_not_restarted_after_shutdown_exit() {
    assert!(!child_supervisor_exit(Restart::Temporary, SupExit::Intensity).await);
}

#[tokio::test(start_paused = true)]
async fn temporary_child_supervisor_not_restarted_after_kill() {
    assert!(!child_supervisor_exit(Restart::Temporary, SupExit::Kill).await);
}

/// OTP 9: a Temporary child stopped as a bystander of a sibling's one_for_all restart is not
/// restarted and its spec is gone; a Transient bystander is restarted with the group.
#[tokio::test(start_paused = true)]
async fn temporary_bystander_of_a_one_for_all_restart_is_removed() {
    quiet_panics();
    let system = ActorSystem::new("rt").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker("a", &journal))
            .child(worker("t", &journal).restart(Restart::Temporary))
            .child(worker("tr", &journal).restart(Restart::Transient)),
    )
    .await;
    let a = labelled(&sup, "a");
    let t = labelled(&sup, "t");
    let tr = labelled(&sup, "tr");
    assert!(a.tell(common::sup::Cmd::Fail).await.is_ok());
    assert_eq!(ping(&a).await, 2);
    assert_eq!(
        ping(&tr).await,
        2,
        "a Transient bystander restarts with the group"
    );
    assert_eq!(
        t.wait().await,
        ExitReason::Shutdown(ShutdownCause::Supervisor)
    );
    assert_eq!(
        journal.entries(),
        [
            "a:started 1",
            "t:started 1",
            "tr:started 1",
            "a:stopped failed",
            "tr:stopped shutdown:supervisor",
            "t:stopped shutdown:supervisor",
            "a:started 2",
            "tr:started 2",
        ]
    );
    assert_eq!(child_ids(&sup), ["a", "tr"]);
    assert!(sup.child("t").is_none());

    // A later group restart does not bring it back either: nothing of it is left.
    assert!(tr.tell(common::sup::Cmd::Fail).await.is_ok());
    assert_eq!(ping(&tr).await, 3);
    assert_eq!(child_ids(&sup), ["a", "tr"]);
    assert!(!journal.entries().iter().any(|e| e == "t:started 2"));
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}

/// OTP 44: a Temporary child that exits leaves nothing behind: not listed, not found by id,
/// its ref dead, sends refused with the message handed back.
#[tokio::test(start_paused = true)]
async fn temporary_child_leaves_no_state_after_it_exits() {
    let system = ActorSystem::new("rt").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("t", &journal).restart(Restart::Temporary))
            .child(worker("x", &journal)),
    )
    .await;
    let t = labelled(&sup, "t");
    t.tell(common::sup::Cmd::StopSelf).await.unwrap();
    assert_eq!(t.wait().await, ExitReason::Normal);
    assert_eq!(child_ids(&sup), ["x"]);
    assert!(sup.child("t").is_none());
    match t.tell(common::sup::Cmd::Record(7)).await {
        Err(actors::SendError::Closed(common::sup::Cmd::Record(7))) => {}
        other => panic!("a send to a dead temporary child hands the message back: {other:?}"),
    }
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}
