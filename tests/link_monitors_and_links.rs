//! Links and monitors (issue 5): monitors of live and dead actors, demonitor, links with
//! abnormal and normal exits, trapped exits, links across supervisors, restarts invisible to
//! both, and nothing leaked after either side ends.

mod common;

use std::collections::HashMap;

use actors::prelude::*;
use actors::{
    AnyActorRef, ChildSpec, Down, EventKind, ExitReason, FailedIn, LinkExit, Restart, Strategy,
    Supervisor,
};
use common::sup::next_event;
use common::{Journal, quiet_panics};

enum W {
    Monitor {
        target: AnyActorRef,
        reply: Reply<u64>,
    },
    Demonitor(u64),
    Link(AnyActorRef),
    Unlink(AnyActorRef),
    Trap(bool),
    Fail,
    Stop,
    Ping {
        reply: Reply<u64>,
    },
    Hold(tokio::sync::oneshot::Receiver<()>),
    Note(&'static str),
}

/// An actor that monitors and links on request and journals what its hooks see.
struct Watcher {
    name: &'static str,
    journal: Journal,
    monitors: HashMap<u64, actors::MonitorRef>,
}

impl Watcher {
    fn new(name: &'static str, journal: &Journal) -> Self {
        Self {
            name,
            journal: journal.clone(),
            monitors: HashMap::new(),
        }
    }
}

fn short(reason: &ExitReason) -> &'static str {
    match reason {
        ExitReason::Normal => "normal",
        ExitReason::Failed(_) => "failed",
        ExitReason::Killed => "killed",
        _ => "shutdown",
    }
}

impl Actor for Watcher {
    type Msg = W;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        self.journal
            .push(format!("{}:started {}", self.name, ctx.generation()));
        Ok(())
    }

    async fn handle(&mut self, msg: W, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            W::Monitor { target, reply } => {
                let monitor = ctx.monitor(target);
                let _ = reply.send(monitor.id());
                self.monitors.insert(monitor.id(), monitor);
            }
            W::Demonitor(id) => {
                if let Some(monitor) = self.monitors.remove(&id) {
                    ctx.demonitor(monitor);
                }
            }
            W::Link(other) => ctx.link(other),
            W::Unlink(other) => ctx.unlink(other),
            W::Trap(trap) => ctx.trap_exit(trap),
            W::Fail => return Err(ActorError::msg("told to fail")),
            W::Stop => ctx.stop(),
            W::Ping { reply } => {
                let _ = reply.send(ctx.generation());
            }
            W::Hold(release) => {
                let _ = release.await;
            }
            W::Note(what) => self.journal.push(format!("{}:{what}", self.name)),
        }
        Ok(())
    }

    async fn on_down(&mut self, down: Down, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
        self.monitors.remove(&down.monitor);
        self.journal.push(format!(
            "{}:down {} {}",
            self.name,
            down.path.name(),
            short(&down.reason)
        ));
        Ok(())
    }

    async fn on_exit(
        &mut self,
        exit: LinkExit,
        _ctx: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        self.journal.push(format!(
            "{}:exit {} {}",
            self.name,
            exit.path.name(),
            short(&exit.reason)
        ));
        Ok(())
    }
}

fn spawn(system: &ActorSystem, name: &'static str, journal: &Journal) -> ActorRef<Watcher> {
    system
        .spawn_builder(Watcher::new(name, journal))
        .name(name)
        .spawn()
        .unwrap()
}

async fn ping(w: &ActorRef<Watcher>) -> u64 {
    w.ask(|reply| W::Ping { reply }).await.unwrap()
}

async fn monitor(watcher: &ActorRef<Watcher>, target: impl Into<AnyActorRef>) -> u64 {
    let target = target.into();
    watcher
        .ask(|reply| W::Monitor { target, reply })
        .await
        .unwrap()
}

fn downs(journal: &Journal) -> Vec<String> {
    journal
        .entries()
        .into_iter()
        .filter(|e| e.contains(":down ") || e.contains(":exit "))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_monitor_of_a_live_actor_reports_its_final_exit_once() {
    let system = ActorSystem::new("lm").unwrap();
    let journal = Journal::default();
    let (w, t) = (spawn(&system, "w", &journal), spawn(&system, "t", &journal));
    monitor(&w, &t).await;
    t.tell(W::Stop).await.unwrap();
    t.wait().await;
    ping(&w).await;
    assert_eq!(downs(&journal), ["w:down t normal"]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_monitor_of_a_dead_actor_reports_at_once() {
    quiet_panics();
    let system = ActorSystem::new("lm").unwrap();
    let journal = Journal::default();
    let (w, t) = (spawn(&system, "w", &journal), spawn(&system, "t", &journal));
    t.tell(W::Fail).await.unwrap();
    t.wait().await;
    monitor(&w, &t).await;
    ping(&w).await;
    assert_eq!(downs(&journal), ["w:down t failed"]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn demonitor_before_the_exit_means_no_down() {
    let system = ActorSystem::new("lm").unwrap();
    let journal = Journal::default();
    let (w, t) = (spawn(&system, "w", &journal), spawn(&system, "t", &journal));
    let id = monitor(&w, &t).await;
    w.tell(W::Demonitor(id)).await.unwrap();
    ping(&w).await;
    t.tell(W::Stop).await.unwrap();
    t.wait().await;
    ping(&w).await;
    assert!(downs(&journal).is_empty());
    assert_eq!(AnyActorRef::from(&w).relation_count(), 0);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_abnormal_exit_fails_the_linked_actor_and_a_normal_one_does_not() {
    quiet_panics();
    let system = ActorSystem::new("lm").unwrap();
    let journal = Journal::default();
    let (a, b) = (spawn(&system, "a", &journal), spawn(&system, "b", &journal));
    let (c, d) = (spawn(&system, "c", &journal), spawn(&system, "d", &journal));
    a.tell(W::Link((&b).into())).await.unwrap();
    c.tell(W::Link((&d).into())).await.unwrap();
    ping(&a).await;
    ping(&c).await;

    a.tell(W::Fail).await.unwrap();
    match b.wait().await {
        ExitReason::Failed(info) => {
            assert_eq!(info.hook(), FailedIn::Link);
            assert!(info.message().contains("/lm/a"), "{}", info.message());
        }
        other => panic!("b should fail through the link, got {other:?}"),
    }

    c.tell(W::Stop).await.unwrap();
    c.wait().await;
    assert_eq!(ping(&d).await, 1, "a normal exit does not propagate");
    assert_eq!(
        AnyActorRef::from(&d).relation_count(),
        0,
        "the link is gone"
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_trapping_actor_gets_on_exit_instead_of_failing() {
    quiet_panics();
    let system = ActorSystem::new("lm").unwrap();
    let journal = Journal::default();
    let (a, b) = (spawn(&system, "a", &journal), spawn(&system, "b", &journal));
    b.tell(W::Trap(true)).await.unwrap();
    b.tell(W::Link((&a).into())).await.unwrap();
    ping(&b).await;
    a.tell(W::Fail).await.unwrap();
    a.wait().await;
    assert_eq!(ping(&b).await, 1, "b lives");
    assert_eq!(downs(&journal), ["b:exit a failed"]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn unlink_removes_the_link_both_ways() {
    quiet_panics();
    let system = ActorSystem::new("lm").unwrap();
    let journal = Journal::default();
    let (a, b) = (spawn(&system, "a", &journal), spawn(&system, "b", &journal));
    a.tell(W::Link((&b).into())).await.unwrap();
    a.tell(W::Unlink((&b).into())).await.unwrap();
    ping(&a).await;
    assert_eq!(AnyActorRef::from(&b).relation_count(), 0);
    a.tell(W::Fail).await.unwrap();
    a.wait().await;
    assert_eq!(ping(&b).await, 1);
    system.shutdown().await.unwrap();
}

/// A restart keeps the actor: links and monitors do not fire; linking again from `started`
/// (here: again by message) is idempotent.
#[tokio::test(start_paused = true)]
async fn a_restart_of_a_linked_or_monitored_actor_fires_nothing() {
    quiet_panics();
    let system = ActorSystem::new("lm").unwrap();
    let journal = Journal::default();
    let j = journal.clone();
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne)
                .child(ChildSpec::worker("t", move || Watcher::new("t", &j))),
        )
        .await
        .unwrap();
    let t = sup.child("t").unwrap().downcast::<Watcher>().unwrap();
    let w = spawn(&system, "w", &journal);
    monitor(&w, &t).await;
    w.tell(W::Link((&t).into())).await.unwrap();
    w.tell(W::Link((&t).into())).await.unwrap();
    ping(&w).await;
    let mut events = system.events();
    t.tell(W::Fail).await.unwrap();
    next_event(&mut events, t.id(), |k| {
        matches!(k, EventKind::Restarted(_))
    })
    .await;
    assert_eq!(ping(&t).await, 2);
    assert_eq!(ping(&w).await, 1, "w did not fail with t's instance");
    assert!(downs(&journal).is_empty());
    assert_eq!(
        AnyActorRef::from(&t).relation_count(),
        2,
        "one monitor, one link"
    );
    system.shutdown().await.unwrap();
}

/// A linked pair under two supervisors: the Temporary one's failure is its final exit; it
/// fails its Transient partner, which its own supervisor restarts (an abnormal exit).
#[tokio::test(start_paused = true)]
async fn a_link_across_two_supervisors_restarts_the_transient_partner() {
    quiet_panics();
    let system = ActorSystem::new("lm").unwrap();
    let journal = Journal::default();
    let (ja, jb) = (journal.clone(), journal.clone());
    let one = system
        .start_supervisor(
            "one",
            Supervisor::new(Strategy::OneForOne).child(
                ChildSpec::worker("a", move || Watcher::new("a", &ja)).restart(Restart::Temporary),
            ),
        )
        .await
        .unwrap();
    let two = system
        .start_supervisor(
            "two",
            Supervisor::new(Strategy::OneForOne).child(
                ChildSpec::worker("b", move || Watcher::new("b", &jb)).restart(Restart::Transient),
            ),
        )
        .await
        .unwrap();
    let a = one.child("a").unwrap().downcast::<Watcher>().unwrap();
    let b = two.child("b").unwrap().downcast::<Watcher>().unwrap();
    a.tell(W::Link((&b).into())).await.unwrap();
    ping(&a).await;
    let mut events = system.events();
    a.tell(W::Fail).await.unwrap();
    let failed = next_event(&mut events, b.id(), |k| matches!(k, EventKind::Failed(_))).await;
    let EventKind::Failed(info) = failed.kind else {
        unreachable!()
    };
    assert_eq!(info.hook(), FailedIn::Link);
    next_event(&mut events, b.id(), |k| {
        matches!(k, EventKind::Restarted(_))
    })
    .await;
    assert_eq!(ping(&b).await, 2, "restarted by its own supervisor");
    assert!(!a.is_alive());
    assert_eq!(AnyActorRef::from(&b).relation_count(), 0);
    system.shutdown().await.unwrap();
}

/// 10,000 monitors set and cleared (half by demonitor, half by the targets' exits) leave no
/// entry on either side.
#[tokio::test(start_paused = true)]
async fn ten_thousand_monitors_leave_no_entries() {
    let system = ActorSystem::new("lm").unwrap();
    let journal = Journal::default();
    let w = spawn(&system, "w", &journal);
    let t = spawn(&system, "t", &journal);
    let mut ids = Vec::new();
    for _ in 0..10_000 {
        ids.push(monitor(&w, &t).await);
    }
    assert_eq!(AnyActorRef::from(&t).relation_count(), 10_000);
    for id in ids.drain(..5_000) {
        w.tell(W::Demonitor(id)).await.unwrap();
    }
    ping(&w).await;
    assert_eq!(AnyActorRef::from(&t).relation_count(), 5_000);
    t.tell(W::Stop).await.unwrap();
    t.wait().await;
    ping(&w).await;
    assert_eq!(downs(&journal).len(), 5_000);
    assert_eq!(AnyActorRef::from(&w).relation_count(), 0);
    assert_eq!(AnyActorRef::from(&t).relation_count(), 0);
    system.shutdown().await.unwrap();
}

/// Notices travel on the control lane: a `Down` arriving while the watcher's mailbox is full
/// is handled before the queued messages.
#[tokio::test(start_paused = true)]
async fn a_down_overtakes_a_full_mailbox() {
    let system = ActorSystem::new("lm").unwrap();
    let journal = Journal::default();
    let w = system
        .spawn_builder(Watcher::new("w", &journal))
        .name("w")
        .mailbox(1)
        .spawn()
        .unwrap();
    let t = spawn(&system, "t", &journal);
    monitor(&w, &t).await;
    let (release, hold) = tokio::sync::oneshot::channel();
    w.tell(W::Hold(hold)).await.unwrap();
    tokio::task::yield_now().await;
    w.tell(W::Note("queued")).await.unwrap();
    assert!(
        w.try_tell(W::Note("no room")).is_err(),
        "the mailbox is full"
    );
    t.tell(W::Stop).await.unwrap();
    t.wait().await;
    release.send(()).unwrap();
    ping(&w).await;
    let seen: Vec<String> = journal
        .entries()
        .into_iter()
        .filter(|e| e.starts_with("w:") && !e.contains("started"))
        .collect();
    assert_eq!(seen, ["w:down t normal", "w:queued"]);
    system.shutdown().await.unwrap();
}
