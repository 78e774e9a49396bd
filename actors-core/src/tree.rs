//! [`Tree`]: a snapshot of a system's live tree, from [`ActorSystem::tree`].
//!
//! The structure comes from what already exists: the root's children, and the table each
//! supervisor publishes for `which_children`. The counters are read through the control lane:
//! a census raises a signal on every actor's control lane, and each actor answers at its next
//! turn (between messages, while a hook waits, or while it waits for its supervisor) with its
//! mailbox depth and its message count. The only per-message cost is that count: a relaxed
//! load and store in the actor's `Shared` (in the task it cost cross-core throughput, see
//! `Shared::received`).

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::cell::Shared;
use crate::mailbox::signal;
use crate::{ActorId, ActorPath, ActorSystem, ChildKind, ChildRef, ChildState};

/// How long [`ActorSystem::tree`] waits for the actors' answers.
pub const DEFAULT_TREE_WAIT: Duration = Duration::from_millis(100);

/// A snapshot of a system's tree: from [`ActorSystem::tree`].
///
/// Prints as an indented tree (`Display`) and exports as a Mermaid flowchart
/// ([`to_mermaid`](Tree::to_mermaid)).
///
/// ```text
/// /app [system]
/// ├── pool [supervisor] running
/// │   ├── worker-1 [actor] running, generation 3 (2 restarts), mailbox 0/64, handled 120
/// │   └── worker-2 [actor] restarting, generation 1, mailbox 4/64, handled 7
/// └── logger [actor] running, generation 1, mailbox 0/64, handled 5
/// ```
#[derive(Debug, Clone)]
pub struct Tree {
    root: TreeNode,
}

/// One node of a [`Tree`]: the system's root, a supervisor, an actor, or a supervisor's
/// child spec that has no actor (stopped).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TreeNode {
    /// Its path.
    pub path: ActorPath,
    /// Its actor's id; `None` for a stopped child spec.
    pub id: Option<ActorId>,
    /// System root, supervisor or actor.
    pub kind: NodeKind,
    /// What it was doing when it answered.
    pub state: NodeState,
    /// The generation of its current (or last) instance; 0 for a stopped child spec.
    pub generation: u64,
    /// How many times it was restarted (its generation less one).
    pub restarts: u64,
    /// Its mailbox, for an actor that answered.
    pub mailbox: Option<MailboxStats>,
    /// Messages its instances took from the mailbox, for an actor that answered.
    pub handled: Option<u64>,
    /// Its children, in start (or spawn) order.
    pub children: Vec<TreeNode>,
}

/// What kind of node a [`TreeNode`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NodeKind {
    /// The system's root.
    System,
    /// A supervisor.
    Supervisor,
    /// An actor (a worker).
    Actor,
}

/// What a [`TreeNode`] was doing at the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NodeState {
    /// Running `started`.
    Starting,
    /// Handling messages or waiting for one.
    Running,
    /// Running `stopped`.
    Stopping,
    /// Between instances: its supervisor is restarting it (or waits out a backoff).
    Restarting,
    /// A supervisor's child spec with no actor, or an actor that exited during the snapshot.
    Stopped,
    /// Alive but did not answer in time: a handler that blocks its thread, or a very slow
    /// poll. Its counters are unknown.
    Unresponsive,
}

/// An actor's mailbox at a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MailboxStats {
    /// Messages waiting.
    pub depth: usize,
    /// Its capacity.
    pub capacity: usize,
}

impl MailboxStats {
    pub(crate) fn new(depth: usize, capacity: usize) -> Self {
        Self { depth, capacity }
    }
}

impl Tree {
    /// The system's root node; every other node is below it.
    pub fn root(&self) -> &TreeNode {
        &self.root
    }

    /// Every node, depth first, the root first.
    pub fn iter(&self) -> impl Iterator<Item = &TreeNode> {
        let mut stack = vec![&self.root];
        std::iter::from_fn(move || {
            let node = stack.pop()?;
            stack.extend(node.children.iter().rev());
            Some(node)
        })
    }

    /// The node at `path` (such as `"/app/pool/worker-1"`), if it was in the tree.
    pub fn find(&self, path: &str) -> Option<&TreeNode> {
        self.iter().find(|node| node.path.as_str() == path)
    }

    /// The tree's shape without its counters (which vary from run to run): one line per node,
    /// indented two spaces per level, with its name, kind, state and generation. Made for
    /// assertions in tests.
    ///
    /// ```text
    /// app system
    ///   pool supervisor running 1
    ///     worker-0 actor running 3
    /// ```
    pub fn outline(&self) -> String {
        let mut out = String::new();
        let mut stack = vec![(&self.root, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            let name = node.path.name();
            let _ = write!(
                out,
                "{:indent$}{name} {}",
                "",
                node.kind,
                indent = depth * 2
            );
            if node.kind != NodeKind::System {
                let _ = write!(out, " {} {}", node.state, node.generation);
            }
            out.push('\n');
            stack.extend(node.children.iter().rev().map(|child| (child, depth + 1)));
        }
        out
    }

    /// The tree as a Mermaid flowchart (`graph TD`), one node per line with its name, kind
    /// and state, and one edge per parent and child.
    pub fn to_mermaid(&self) -> String {
        let mut out = String::from("graph TD\n");
        let mut next = 0usize;
        mermaid_node(&self.root, &mut next, None, &mut out);
        out
    }
}

fn mermaid_node(node: &TreeNode, next: &mut usize, parent: Option<usize>, out: &mut String) {
    let me = *next;
    *next += 1;
    let name = match node.kind {
        NodeKind::System => node.path.as_str(),
        _ => node.path.name(),
    };
    let mut label = format!("{}<br/>{}", mermaid_text(name), node.kind);
    if node.kind != NodeKind::System {
        let _ = write!(label, " · {}", node.state);
    }
    match node.restarts {
        0 => {}
        1 => label.push_str(" · 1 restart"),
        n => {
            let _ = write!(label, " · {n} restarts");
        }
    }
    if let Some(mailbox) = node.mailbox {
        let _ = write!(label, " · mailbox {}/{}", mailbox.depth, mailbox.capacity);
    }
    let (open, close) = match node.kind {
        NodeKind::System => ("([", "])"),
        NodeKind::Supervisor => ("[[", "]]"),
        NodeKind::Actor => ("[", "]"),
    };
    let _ = writeln!(out, "    n{me}{open}\"{label}\"{close}");
    if let Some(parent) = parent {
        let _ = writeln!(out, "    n{parent} --> n{me}");
    }
    for child in &node.children {
        mermaid_node(child, next, Some(me), out);
    }
}

/// Text safe inside a quoted Mermaid label (quotes and markup as entities).
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

impl fmt::Display for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} [system]", self.root.path)?;
        display_children(&self.root, "", f)
    }
}

fn display_children(node: &TreeNode, prefix: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (i, child) in node.children.iter().enumerate() {
        let last = i + 1 == node.children.len();
        let (branch, below) = if last {
            ("└── ", "    ")
        } else {
            ("├── ", "│   ")
        };
        writeln!(f, "{prefix}{branch}{child}")?;
        display_children(child, &format!("{prefix}{below}"), f)?;
    }
    Ok(())
}

impl fmt::Display for TreeNode {
    /// One line: name, kind, state and the counters it has.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}] {}", self.path.name(), self.kind, self.state)?;
        if self.generation > 0 {
            write!(f, ", generation {}", self.generation)?;
        }
        match self.restarts {
            0 => {}
            1 => write!(f, " (1 restart)")?,
            n => write!(f, " ({n} restarts)")?,
        }
        if let Some(mailbox) = self.mailbox {
            write!(f, ", mailbox {}/{}", mailbox.depth, mailbox.capacity)?;
        }
        if let Some(handled) = self.handled {
            write!(f, ", handled {handled}")?;
        }
        Ok(())
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::System => "system",
            Self::Supervisor => "supervisor",
            Self::Actor => "actor",
        })
    }
}

impl fmt::Display for NodeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Starting => "starting",
            Self::Running => "running",
            Self::Stopping => "stopping",
            Self::Restarting => "restarting",
            Self::Stopped => "stopped",
            Self::Unresponsive => "unresponsive",
        })
    }
}

/// What an actor answers a census with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer {
    pub(crate) state: NodeState,
    pub(crate) generation: u64,
    pub(crate) handled: u64,
    pub(crate) mailbox: MailboxStats,
}

/// The system's side of a census: where actors leave their answers.
#[derive(Debug, Default)]
pub(crate) struct Census {
    /// A census is under way: an exiting actor wakes it (it will not answer).
    active: std::sync::atomic::AtomicBool,
    /// Answers of the census under way; `None` between censuses (a late answer is dropped).
    answers: Mutex<Option<HashMap<ActorId, Answer>>>,
    answered: Notify,
    /// One census at a time.
    serial: tokio::sync::Mutex<()>,
}

impl Census {
    /// An actor's answer; called from its own task.
    pub(crate) fn answer(&self, id: ActorId, answer: Answer) {
        let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(answers) = answers.as_mut() {
            answers.insert(id, answer);
            self.answered.notify_one();
        }
    }

    /// An actor made its final exit: a census waiting for it stops waiting. One relaxed load
    /// when no census is under way.
    pub(crate) fn exited(&self) {
        if self.active.load(std::sync::atomic::Ordering::Relaxed) {
            self.answered.notify_one();
        }
    }

    fn answered(&self, id: ActorId) -> bool {
        let answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        answers.as_ref().is_some_and(|a| a.contains_key(&id))
    }
}

/// A node found by walking the tree, before the answers are in.
struct Found {
    path: ActorPath,
    shared: Option<Arc<Shared>>,
    kind: NodeKind,
    /// The state its supervisor published, if it has one.
    published: Option<ChildState>,
    children: Vec<Found>,
}

impl ActorSystem {
    /// A snapshot of the live tree, waiting up to [`DEFAULT_TREE_WAIT`] for the actors'
    /// answers (see [`tree_within`](Self::tree_within)).
    ///
    /// # Examples
    ///
    /// ```
    /// use actors_core::{Actor, ActorError, ActorSystem, Context, NodeKind};
    ///
    /// struct Idle;
    /// impl Actor for Idle {
    ///     type Msg = ();
    ///     async fn handle(&mut self, (): (), _: &mut Context<Self>) -> Result<(), ActorError> {
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = ActorSystem::new("app").unwrap();
    /// system.spawn_builder(Idle).name("idle").spawn().unwrap();
    /// let tree = system.tree().await;
    /// let idle = tree.find("/app/idle").unwrap();
    /// assert_eq!(idle.kind, NodeKind::Actor);
    /// println!("{tree}");
    /// system.shutdown().await.unwrap();
    /// # }
    /// ```
    pub async fn tree(&self) -> Tree {
        self.tree_within(DEFAULT_TREE_WAIT).await
    }

    /// A snapshot of the live tree: every supervisor and actor with its state, generation,
    /// restart count, and for actors the mailbox depth and capacity and the messages handled.
    ///
    /// Each actor answers at its next turn: between messages, while a hook waits on an
    /// `.await`, or between instances. One that has not answered within `wait` (a handler
    /// blocking its thread) is listed as [`NodeState::Unresponsive`], without counters.
    /// Snapshots taken at the same time run one after the other.
    pub async fn tree_within(&self, wait: Duration) -> Tree {
        let census = self.census();
        let _serial = census.serial.lock().await;
        *census
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(HashMap::new());
        // Before any actor is asked. An exiting actor sets its exit, then takes its control
        // lane's lock, then reads this flag; the census takes that lock to ask it. If the
        // census asked first, the actor sees `true` and wakes it; if the actor exited first,
        // the census sees the exit when it checks each asked actor.
        census
            .active
            .store(true, std::sync::atomic::Ordering::Relaxed);

        let mut asked = Vec::new();
        let children = self
            .root_children()
            .into_iter()
            .map(|shared| self.found(shared, None, &mut asked))
            .collect();

        let deadline = Instant::now().checked_add(wait);
        // Answered and exited actors stay so: the scan resumes where it stopped.
        let mut next = 0;
        loop {
            let answered = census.answered.notified();
            let mut answered = std::pin::pin!(answered);
            answered.as_mut().enable();
            while let Some(shared) = asked.get(next) {
                if shared.exit_reason().is_some() || census.answered(shared.id) {
                    next += 1;
                } else {
                    break;
                }
            }
            if next == asked.len() {
                break;
            }
            let timed_out = match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, answered).await.is_err(),
                None => {
                    answered.await;
                    false
                }
            };
            if timed_out {
                break;
            }
        }
        census
            .active
            .store(false, std::sync::atomic::Ordering::Relaxed);
        let answers = census
            .answers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or_default();

        Tree {
            root: TreeNode {
                path: self.path().clone(),
                id: Some(self.root_id()),
                kind: NodeKind::System,
                state: if self.is_running() {
                    NodeState::Running
                } else {
                    NodeState::Stopping
                },
                generation: 1,
                restarts: 0,
                mailbox: None,
                handled: None,
                children: assemble(children, &answers),
            },
        }
    }

    /// Walks down from one node: a supervisor's children from its published table; an actor
    /// is asked for its counters (and added to `asked`).
    fn found(
        &self,
        shared: Arc<Shared>,
        published: Option<ChildState>,
        asked: &mut Vec<Arc<Shared>>,
    ) -> Found {
        let path = shared.path().clone();
        if shared.supervisor {
            let table = self.supervisor_table(shared.id);
            let children = table
                .into_iter()
                .map(|child| self.found_child(child, asked))
                .collect();
            return Found {
                path,
                shared: Some(shared),
                kind: NodeKind::Supervisor,
                published,
                children,
            };
        }
        shared.control.raise(signal::CENSUS);
        asked.push(shared.clone());
        Found {
            path,
            shared: Some(shared),
            kind: NodeKind::Actor,
            published,
            children: Vec::new(),
        }
    }

    fn found_child(&self, child: ChildRef, asked: &mut Vec<Arc<Shared>>) -> Found {
        match child.actor {
            Some((shared, _)) => self.found(shared, Some(child.state), asked),
            None => Found {
                path: child.path,
                shared: None,
                kind: match child.kind {
                    ChildKind::Supervisor => NodeKind::Supervisor,
                    ChildKind::Worker => NodeKind::Actor,
                },
                published: Some(ChildState::Stopped),
                children: Vec::new(),
            },
        }
    }
}

fn assemble(found: Vec<Found>, answers: &HashMap<ActorId, Answer>) -> Vec<TreeNode> {
    found
        .into_iter()
        .map(|node| {
            let Found {
                path,
                shared,
                kind,
                published,
                children,
            } = node;
            let children = assemble(children, answers);
            let Some(shared) = shared else {
                return TreeNode {
                    path,
                    id: None,
                    kind,
                    state: NodeState::Stopped,
                    generation: 0,
                    restarts: 0,
                    mailbox: None,
                    handled: None,
                    children,
                };
            };
            let exited = shared.exit_reason().is_some();
            let generation = shared.generation();
            let mut node = TreeNode {
                path,
                id: Some(shared.id),
                kind,
                state: NodeState::Running,
                generation,
                restarts: generation.saturating_sub(1),
                mailbox: None,
                handled: None,
                children,
            };
            match (kind, answers.get(&shared.id)) {
                (NodeKind::Actor, Some(answer)) => {
                    node.state = answer.state;
                    node.generation = answer.generation;
                    node.restarts = answer.generation.saturating_sub(1);
                    node.mailbox = Some(answer.mailbox);
                    node.handled = Some(answer.handled);
                }
                (NodeKind::Actor, None) if !exited => node.state = NodeState::Unresponsive,
                _ if exited => node.state = NodeState::Stopped,
                _ => {
                    if published == Some(ChildState::Restarting) {
                        node.state = NodeState::Restarting;
                    }
                }
            }
            if exited {
                node.state = NodeState::Stopped;
            }
            node
        })
        .collect()
}
