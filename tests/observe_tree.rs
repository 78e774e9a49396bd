//! `system.tree()`: the live tree with each node's kind, state, generation, restarts, mailbox
//! and messages handled, during a restart, after a dynamic child is added, with a stopped
//! child and with an actor that cannot answer; and its text and Mermaid forms.

mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{
    Backoff, ChildSpec, DynamicSupervisor, EventKind, NodeKind, NodeState, Strategy, Supervisor,
    Tree,
};
use common::sup::{Cmd, block, labelled, next_event, ping, start, worker};
use common::{Journal, Then, quiet_panics};

fn node<'a>(tree: &'a Tree, path: &str) -> &'a actors::TreeNode {
    tree.find(path)
        .unwrap_or_else(|| panic!("{path} in\n{tree}"))
}

fn names(tree: &Tree) -> Vec<String> {
    tree.iter().map(|n| n.path.to_string()).collect()
}

#[tokio::test(start_paused = true)]
async fn the_tree_lists_supervisors_and_actors_with_their_counters() {
    let system = ActorSystem::new("t").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "app",
        Supervisor::new(Strategy::OneForOne)
            .child(worker("a", &journal))
            .child(ChildSpec::supervisor(
                "sub",
                Supervisor::new(Strategy::OneForAll).child(worker("c", &journal)),
            ))
            .child(worker("b", &journal).mailbox(8)),
    )
    .await;
    let (logger, _) = common::probe(&system, 16);
    let a = labelled(&sup, "a");
    for _ in 0..3 {
        ping(&a).await;
    }

    let tree = system.tree().await;
    assert_eq!(
        names(&tree),
        [
            "/t",
            "/t/app",
            "/t/app/a",
            "/t/app/sub",
            "/t/app/sub/c",
            "/t/app/b",
            logger.path().as_str(),
        ]
    );
    let root = tree.root();
    assert_eq!(root.kind, NodeKind::System);
    let app = node(&tree, "/t/app");
    assert_eq!(
        (app.kind, app.state, app.id, app.mailbox, app.handled),
        (
            NodeKind::Supervisor,
            NodeState::Running,
            Some(sup.id()),
            None,
            None
        )
    );
    let a_node = node(&tree, "/t/app/a");
    assert_eq!(a_node.kind, NodeKind::Actor);
    assert_eq!(a_node.state, NodeState::Running);
    assert_eq!((a_node.generation, a_node.restarts), (1, 0));
    assert_eq!(a_node.handled, Some(3));
    assert_eq!(a_node.mailbox.map(|m| (m.depth, m.capacity)), Some((0, 64)));
    let b_node = node(&tree, "/t/app/b");
    assert_eq!(b_node.mailbox.map(|m| m.capacity), Some(8));
    assert_eq!(b_node.handled, Some(0));
    assert_eq!(node(&tree, "/t/app/sub").kind, NodeKind::Supervisor);
    assert_eq!(
        node(&tree, logger.path().as_str())
            .mailbox
            .map(|m| m.capacity),
        Some(16)
    );

    let text = tree.to_string();
    assert!(text.starts_with("/t [system]\n"), "{text}");
    assert!(
        text.contains("│   ├── a [actor] running, generation 1, mailbox 0/64, handled 3"),
        "{text}"
    );
    assert!(text.contains("│   │   └── c [actor] running"), "{text}");
    assert!(text.contains("└── "), "{text}");
    let mermaid = tree.to_mermaid();
    assert!(mermaid.starts_with("graph TD\n"), "{mermaid}");
    assert_eq!(
        mermaid.matches(" --> ").count(),
        tree.iter().count() - 1,
        "{mermaid}"
    );
    assert!(
        mermaid.contains("[[\"app<br/>supervisor · running\"]]"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("[\"a<br/>actor · running · mailbox 0/64\"]"),
        "{mermaid}"
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn during_a_restart_the_child_is_restarting_and_its_counters_carry_over() {
    quiet_panics();
    let system = ActorSystem::new("t").unwrap();
    let journal = Journal::default();
    let sup =
        start(
            &system,
            "app",
            Supervisor::new(Strategy::OneForOne).child(worker("a", &journal).backoff(
                Backoff::new(Duration::from_secs(10), Duration::from_secs(10)).jitter(0.0),
            )),
        )
        .await;
    let a = labelled(&sup, "a");
    let mut events = system.events();
    ping(&a).await;
    a.tell(Cmd::Fail).await.unwrap();
    next_event(&mut events, a.id(), |k| {
        matches!(k, EventKind::RestartScheduled(_))
    })
    .await;
    // Queued while it waits: kept for the next instance.
    a.tell(Cmd::Record(1)).await.unwrap();

    let tree = system.tree().await;
    let during = node(&tree, "/t/app/a");
    assert_eq!(during.state, NodeState::Restarting, "{tree}");
    assert_eq!((during.generation, during.restarts), (1, 0));
    assert_eq!(during.handled, Some(2));
    assert_eq!(during.mailbox.map(|m| (m.depth, m.capacity)), Some((1, 64)));

    next_event(&mut events, a.id(), |k| {
        matches!(k, EventKind::Restarted(2))
    })
    .await;
    let tree = system.tree().await;
    let after = node(&tree, "/t/app/a");
    assert_eq!(after.state, NodeState::Running);
    assert_eq!((after.generation, after.restarts), (2, 1));
    assert_eq!(
        after.handled,
        Some(3),
        "the queued message was handled by the new instance"
    );
    assert!(
        tree.to_string().contains("generation 2 (1 restart)"),
        "{tree}"
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_dynamic_child_appears_and_a_terminated_one_is_listed_stopped() {
    let system = ActorSystem::new("t").unwrap();
    let journal = Journal::default();
    let template_journal = journal.clone();
    let dynamic = DynamicSupervisor::new(move |n: u32| worker(&format!("s{n}"), &template_journal))
        .start(&system, "sessions")
        .await
        .unwrap();
    assert_eq!(
        system.tree().await.iter().count(),
        2,
        "the root and the supervisor"
    );
    let first = dynamic.start_child(1).await.unwrap();
    let tree = system.tree().await;
    let child = node(&tree, first.path().as_str());
    assert_eq!(
        (child.kind, child.state),
        (NodeKind::Actor, NodeState::Running)
    );
    assert_eq!(child.id, first.actor_id());

    let static_sup = start(
        &system,
        "app",
        Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
    )
    .await;
    static_sup.terminate_child("a").await.unwrap();
    let tree = system.tree().await;
    let a = node(&tree, "/t/app/a");
    assert_eq!((a.state, a.id, a.handled), (NodeState::Stopped, None, None));
    assert!(tree.to_string().contains("a [actor] stopped"), "{tree}");
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_actor_waiting_inside_a_handler_answers_with_its_queue() {
    let system = ActorSystem::new("t").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "app",
        Supervisor::new(Strategy::OneForOne).child(worker("a", &journal)),
    )
    .await;
    let a = labelled(&sup, "a");
    let release = block(&a, Then::Answer).await;
    for n in 0..5 {
        a.tell(Cmd::Record(n)).await.unwrap();
    }
    let tree = system.tree().await;
    let busy = node(&tree, "/t/app/a");
    assert_eq!(busy.state, NodeState::Running);
    assert_eq!(busy.mailbox.map(|m| m.depth), Some(5));
    assert_eq!(busy.handled, Some(1), "the message being handled counts");
    release.send(()).unwrap();
    system.shutdown().await.unwrap();
}

/// An actor that blocks its thread until told to go on.
struct Blocking {
    entered: Option<tokio::sync::oneshot::Sender<()>>,
    go: std::sync::mpsc::Receiver<()>,
}

impl Actor for Blocking {
    type Msg = ();

    async fn handle(&mut self, (): (), _: &mut Context<Self>) -> Result<(), ActorError> {
        if let Some(entered) = self.entered.take() {
            let _ = entered.send(());
        }
        let _ = self.go.recv();
        Ok(())
    }
}

/// A handler that blocks its thread cannot answer: the snapshot waits its bounded time and
/// lists it unresponsive (on the real clock: a blocked thread is the point).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actor_blocking_its_thread_is_listed_unresponsive_after_the_wait() {
    let system = ActorSystem::new("t").unwrap();
    let (go, wait) = std::sync::mpsc::channel();
    let (entered, blocked) = tokio::sync::oneshot::channel();
    let stuck = Blocking {
        entered: Some(entered),
        go: wait,
    };
    let stuck = system.spawn_builder(stuck).name("stuck").spawn().unwrap();
    let (idle, _) = common::probe(&system, 4);
    stuck.tell(()).await.unwrap();
    blocked.await.unwrap();

    let tree = system.tree_within(Duration::from_millis(50)).await;
    let node_of = node(&tree, "/t/stuck");
    assert_eq!(
        (node_of.state, node_of.handled, node_of.mailbox),
        (NodeState::Unresponsive, None, None)
    );
    assert_eq!(node(&tree, idle.path().as_str()).state, NodeState::Running);
    assert!(
        tree.to_string().contains("stuck [actor] unresponsive"),
        "{tree}"
    );
    go.send(()).unwrap();
    system.shutdown().await.unwrap();
}
