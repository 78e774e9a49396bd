//! Model-based property of supervision trees: a random tree (a root supervisor with 1-4
//! children, each a worker or, down to depth 3, a sub-supervisor; random strategies, restart
//! types and `max_restarts` from 0 to 3) takes a random sequence of 1-12 operations: a
//! worker's handler returns `Err`, panics or calls `ctx.stop()`; a worker is stopped or
//! killed through its handle; a supervisor is asked to `terminate_child` or `restart_child`,
//! or is stopped or killed; the paused clock moves on (to just before, at, or just after the
//! moment a restart leaves an intensity window, or by whole seconds). Each operation is
//! applied and the tree settled (the runtime idle) before the next. A reference model, plain
//! data written from DESIGN.md ("Failure and restart", "Supervisors", "What happens to
//! messages"), predicts after each one:
//!
//! - every child spec as `which_children` lists it (running, stopped, or gone: a Temporary
//!   child's spec is removed after any exit), in start order, and `count_children`;
//! - which actor each running child is (the same one across restarts; a new one, with a new
//!   id, after a termination, or after its supervisor's restart, which starts new children)
//!   and its generation; each supervisor's liveness and generation;
//! - `is_alive` of every handle ever seen (old handles stay dead, and sends to them hand the
//!   message back), and what every admin call answers;
//! - the journal of every worker's `started <gen>` / `stopped <reason>` hook calls, in order
//!   across the whole tree: each instance is accounted for, a group restart stops the others
//!   in reverse start order and starts each member once in start order, `stopped` does not run
//!   after a kill, and the stops a supervisor orders are graceful (`Shutdown(Supervisor)`).
//!
//! Decisions, in the model as in DESIGN.md: restart type first (Permanent: any exit it did not
//! order; Transient: errors, panics and kills only; Temporary: never), then intensity (at most
//! `max_restarts` restarts within a sliding window, exact on tokio's clock, counted once per
//! decision, also for a group restart, and afresh for each instance of a supervisor), then the
//! strategy. Past its intensity a supervisor stops all its children in reverse start order and
//! exits `Shutdown(IntensityExceeded)`; its parent applies its restart type (not abnormal:
//! only a Permanent one is restarted) and counts that restart against its own intensity; the
//! root's exit is final. Where DESIGN.md is silent the model follows OTP, as the code does:
//! a group restart (OneForAll, RestForOne) starts a new actor for a spec left without one
//! (terminated, or a Transient child that ended normally), removes Temporary bystanders, and
//! `restart_child` is not a restart (not counted).
//!
//! A failure prints the tree, the operations with their times, and every difference.
//! Runs under tokio's paused clock. `PROPTEST_CASES` sets the number of cases (default 1024).

mod common;

use std::collections::{HashMap, VecDeque};
use std::fmt::{self, Write as _};
use std::time::Duration;

use actors::prelude::*;
use actors::{
    ActorId, AdminError, ChildKind, ChildSpec, ChildState, Restart, Strategy as SupStrategy,
    Supervisor, SupervisorRef, TrySendError,
};
use common::sup::{Behaviour, Cmd, Labelled, worker_with};
use common::{Journal, quiet_panics};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

/// Every supervisor's intensity window. Cases wait on the paused clock (`Op::WaitUntil`), so
/// the window slides within a case; the model counts it exactly.
const WINDOW: Duration = Duration::from_secs(10);
/// How long an admin call or the final shutdown may take (on the paused clock) before the
/// case fails as hung.
const HUNG: Duration = Duration::from_secs(30);
/// The deepest level at which a sub-supervisor may sit (the root is level 0).
const MAX_SUP_DEPTH: u32 = 3;

// ---------------------------------------------------------------------------------------
// The generated input

/// A supervision tree as generated: a worker, or a supervisor with its restart type (ignored
/// for the root), strategy, `max_restarts` and children in start order.
#[derive(Clone, Debug)]
enum Tree {
    Worker(Restart),
    Sup(Restart, SupStrategy, u32, Vec<Tree>),
}

fn restart_type() -> impl Strategy<Value = Restart> {
    prop_oneof![
        Just(Restart::Permanent),
        Just(Restart::Transient),
        Just(Restart::Temporary),
    ]
}

fn sup_strategy() -> impl Strategy<Value = SupStrategy> {
    prop_oneof![
        Just(SupStrategy::OneForOne),
        Just(SupStrategy::OneForAll),
        Just(SupStrategy::RestForOne),
    ]
}

/// A supervisor's strategy, intensity and 1-4 children, the children at `depth`.
fn sup_body(depth: u32) -> impl Strategy<Value = (SupStrategy, u32, Vec<Tree>)> {
    (
        sup_strategy(),
        0u32..=3,
        proptest::collection::vec(child(depth), 1..=4),
    )
}

/// A child at `depth`: a worker, or (down to `MAX_SUP_DEPTH`) a sub-supervisor.
fn child(depth: u32) -> BoxedStrategy<Tree> {
    let worker = restart_type().prop_map(Tree::Worker);
    if depth > MAX_SUP_DEPTH {
        return worker.boxed();
    }
    let sup = (restart_type(), sup_body(depth + 1))
        .prop_map(|(r, (s, max, children))| Tree::Sup(r, s, max, children));
    prop_oneof![3 => worker, 1 => sup].boxed()
}

fn root_tree() -> impl Strategy<Value = Tree> {
    sup_body(1).prop_map(|(s, max, children)| Tree::Sup(Restart::Permanent, s, max, children))
}

/// What an operation does to a worker through its handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WorkerAct {
    /// Its handler returns `Err` (`try_tell(Cmd::Fail)`).
    Fail,
    /// Its handler panics (`try_tell(Cmd::Panic)`).
    Panic,
    /// Its handler calls `ctx.stop()` (`try_tell(Cmd::StopSelf)`).
    StopSelf,
    /// `ActorRef::stop()`.
    Stop,
    /// `ActorRef::kill()`.
    Kill,
}

/// Where an operation picks its target: among the live ones (falling back to all when none
/// is), or among all, dead ones included (their old handles must stay dead).
#[derive(Clone, Copy, Debug)]
enum Pick {
    Live,
    Any,
    /// The worker the previous worker operation picked, if it is alive (else a live one):
    /// failures pile up under one supervisor, as intensity needs.
    Again,
}

/// An operation as generated: its targets are picked when it is applied, from what the model
/// says is there then (so that most operations hit something alive, and `restart_child` a
/// stopped child).
#[derive(Clone, Debug)]
enum GenOp {
    Worker(WorkerAct, Pick, Index),
    /// A live supervisor (else any), any of its children.
    Terminate(Index, Index),
    /// A live supervisor (else any), one of its stopped children (else any).
    RestartChild(Index, Index),
    /// A live sub-supervisor (else any, else the root).
    StopSup(Index),
    /// A live sub-supervisor (else any, else the root).
    KillSup(Index),
    /// Drives a supervisor to its intensity's edge: if a live one has counted all the
    /// restarts it may, waits until its oldest leaves the window, give or take a millisecond
    /// (the `i8`, from -1 to 1), when the next operation comes (and points `Pick::Again` at
    /// one of its workers); else a worker fails (the last one picked if it is alive).
    Intensity(Index, i8),
    /// Waits on the paused clock until this many whole seconds after the current one.
    Wait(u8),
    /// Not generated: an operation with its targets, for the fixed cases below.
    Exact(Op),
}

fn gen_op() -> impl Strategy<Value = GenOp> {
    let pick = prop_oneof![3 => Just(Pick::Live), 1 => Just(Pick::Any), 3 => Just(Pick::Again)];
    let act = move |a: WorkerAct| {
        (pick.clone(), any::<Index>()).prop_map(move |(p, i)| GenOp::Worker(a, p, i))
    };
    prop_oneof![
        3 => act(WorkerAct::Fail),
        2 => act(WorkerAct::Panic),
        2 => act(WorkerAct::StopSelf),
        2 => act(WorkerAct::Stop),
        2 => act(WorkerAct::Kill),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(s, c)| GenOp::Terminate(s, c)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(s, c)| GenOp::RestartChild(s, c)),
        1 => any::<Index>().prop_map(GenOp::StopSup),
        1 => any::<Index>().prop_map(GenOp::KillSup),
        1 => (1u8..=12).prop_map(GenOp::Wait),
        3 => (any::<Index>(), -1i8..=1).prop_map(|(s, d)| GenOp::Intensity(s, d)),
    ]
}

/// An operation on the tree's nodes (indices into the flattened tree, see [`flatten`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Worker(WorkerAct, usize),
    /// `terminate_child` on the supervisor (first) for the child (second).
    Terminate(usize, usize),
    /// `restart_child` on the supervisor (first) for the child (second).
    RestartChild(usize, usize),
    /// `SupervisorRef::stop()`.
    StopSup(usize),
    /// `SupervisorRef::kill()`.
    KillSup(usize),
    /// Sleeps on the paused clock until this time since the case began.
    WaitUntil(Duration),
}

/// Picks with `index` among `preferred`, or among `fallback` when `preferred` is empty.
fn pick_among(index: &Index, preferred: &[usize], fallback: &[usize]) -> usize {
    let from = if preferred.is_empty() {
        fallback
    } else {
        preferred
    };
    from[index.index(from.len())]
}

/// The operation's targets, picked from what the model says is there now.
fn resolve(model: &mut Model<'_>, op: &GenOp) -> Op {
    let nodes = model.nodes;
    let all = |sup: bool| -> Vec<usize> {
        (0..nodes.len())
            .filter(|&i| nodes[i].sup.is_some() == sup)
            .collect()
    };
    let live = |among: &[usize]| -> Vec<usize> {
        among
            .iter()
            .copied()
            .filter(|&i| model.actor[i].is_some())
            .collect()
    };
    let (workers, sups) = (all(false), all(true));
    let subs = &sups[1..];
    let sub = |s: &Index| {
        if subs.is_empty() {
            0
        } else {
            pick_among(s, &live(subs), subs)
        }
    };
    match op {
        GenOp::Worker(act, Pick::Live, w) => {
            Op::Worker(*act, pick_among(w, &live(&workers), &workers))
        }
        GenOp::Worker(act, Pick::Any, w) => Op::Worker(*act, pick_among(w, &workers, &workers)),
        GenOp::Worker(act, Pick::Again, w) => match model.last_worker {
            Some(last) if model.actor[last].is_some() => Op::Worker(*act, last),
            _ => Op::Worker(*act, pick_among(w, &live(&workers), &workers)),
        },
        GenOp::Terminate(s, c) => {
            let s = pick_among(s, &live(&sups), &sups);
            Op::Terminate(s, pick_among(c, model.children(s), model.children(s)))
        }
        GenOp::RestartChild(s, c) => {
            let s = pick_among(s, &live(&sups), &sups);
            let stopped: Vec<usize> = (model.children(s).iter().copied())
                .filter(|&c| matches!(model.expected(c), Expected::Stopped))
                .collect();
            Op::RestartChild(s, pick_among(c, &stopped, model.children(s)))
        }
        GenOp::StopSup(s) => Op::StopSup(sub(s)),
        GenOp::KillSup(s) => Op::KillSup(sub(s)),
        GenOp::Intensity(s, delta) => {
            // The live supervisors whose next restart would be one too many, but for the
            // window's slide.
            let full: Vec<usize> = (sups.iter().copied())
                .filter(|&s| model.actor[s].is_some() && model.max_restarts(s) > 0)
                .filter(|&s| model.recent[s].len() == model.max_restarts(s))
                .collect();
            if full.is_empty() {
                // Fill them: a failure, where the last worker operation was if it can.
                let again = model.last_worker.filter(|&w| model.actor[w].is_some());
                let w = again.unwrap_or_else(|| pick_among(s, &live(&workers), &workers));
                return Op::Worker(WorkerAct::Fail, w);
            }
            let s = pick_among(s, &full, &full);
            // A worker operation with `Pick::Again` next hits this supervisor's first live
            // worker, so that the slide matters.
            if let Some(&w) = (model.children(s).iter())
                .find(|&&c| nodes[c].sup.is_none() && model.actor[c].is_some())
            {
                model.last_worker = Some(w);
            }
            // The next operation comes `SETTLE_ADVANCE` after the wait.
            let next = (model.recent[s][0] + WINDOW).saturating_sub(SETTLE_ADVANCE);
            let next = match delta {
                ..0 => next.saturating_sub(Duration::from_millis(1)),
                0 => next,
                1.. => next + Duration::from_millis(1),
            };
            Op::WaitUntil(next.max(model.now))
        }
        GenOp::Wait(secs) => {
            let whole = model.now.as_secs();
            Op::WaitUntil(Duration::from_secs(whole + u64::from(*secs)))
        }
        GenOp::Exact(op) => *op,
    }
}

// ---------------------------------------------------------------------------------------
// The flattened tree

/// One node of the tree, in preorder (the root is node 0). Its label is its child id and its
/// journal prefix: `root`, `w<i>` for a worker, `s<i>` for a supervisor.
struct Node {
    label: String,
    parent: Option<usize>,
    restart: Restart,
    sup: Option<SupCfg>,
}

struct SupCfg {
    strategy: SupStrategy,
    max_restarts: u32,
    children: Vec<usize>,
}

fn flatten(tree: &Tree) -> Vec<Node> {
    fn go(tree: &Tree, parent: Option<usize>, out: &mut Vec<Node>) -> usize {
        let i = out.len();
        let (restart, label) = match tree {
            Tree::Worker(r) => (*r, format!("w{i}")),
            Tree::Sup(r, ..) if parent.is_none() => (*r, "root".to_owned()),
            Tree::Sup(r, ..) => (*r, format!("s{i}")),
        };
        out.push(Node {
            label,
            parent,
            restart,
            sup: None,
        });
        if let Tree::Sup(_, strategy, max_restarts, children) = tree {
            let children = children.iter().map(|c| go(c, Some(i), out)).collect();
            out[i].sup = Some(SupCfg {
                strategy: *strategy,
                max_restarts: *max_restarts,
                children,
            });
        }
        i
    }
    let mut out = Vec::new();
    go(tree, None, &mut out);
    out
}

/// The tree, one node a line, for failure reports.
fn render(nodes: &[Node]) -> String {
    fn go(nodes: &[Node], i: usize, depth: usize, out: &mut String) {
        let n = &nodes[i];
        let _ = write!(out, "    {}{}", "  ".repeat(depth), n.label);
        if n.parent.is_some() {
            let _ = write!(out, " {:?}", n.restart);
        }
        match &n.sup {
            None => out.push('\n'),
            Some(cfg) => {
                let _ = writeln!(out, " {:?} max_restarts={}", cfg.strategy, cfg.max_restarts);
                for &c in &cfg.children {
                    go(nodes, c, depth + 1, out);
                }
            }
        }
    }
    let mut out = String::new();
    go(nodes, 0, 0, &mut out);
    out
}

fn describe(nodes: &[Node], op: Op) -> String {
    let l = |i: usize| nodes[i].label.as_str();
    match op {
        Op::Worker(WorkerAct::Fail, w) => format!("{}: handler returns Err", l(w)),
        Op::Worker(WorkerAct::Panic, w) => format!("{}: handler panics", l(w)),
        Op::Worker(WorkerAct::StopSelf, w) => format!("{}: handler calls ctx.stop()", l(w)),
        Op::Worker(WorkerAct::Stop, w) => format!("{}.stop()", l(w)),
        Op::Worker(WorkerAct::Kill, w) => format!("{}.kill()", l(w)),
        Op::Terminate(s, c) => format!("{}.terminate_child({:?})", l(s), l(c)),
        Op::RestartChild(s, c) => format!("{}.restart_child({:?})", l(s), l(c)),
        Op::StopSup(s) => format!("{}.stop()", l(s)),
        Op::KillSup(s) => format!("{}.kill()", l(s)),
        Op::WaitUntil(t) => format!("wait until {t:?}"),
    }
}

/// The library's blueprint for supervisor node `i` (and its subtree).
fn blueprint(nodes: &[Node], i: usize, journal: &Journal) -> Supervisor {
    let cfg = nodes[i].sup.as_ref().expect("a supervisor");
    let mut sup = Supervisor::new(cfg.strategy).intensity(cfg.max_restarts, WINDOW);
    for &c in &cfg.children {
        let n = &nodes[c];
        let spec = match &n.sup {
            None => worker_with(&n.label, journal, Behaviour::default()),
            Some(_) => ChildSpec::supervisor(&n.label, blueprint(nodes, c, journal)),
        };
        sup = sup.child(spec.restart(n.restart));
    }
    sup
}

// ---------------------------------------------------------------------------------------
// The reference model

/// How an instance ended, as far as the model needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    /// `stop()`, `ctx.stop()`: a normal exit.
    Normal,
    /// Stopped by its supervisor: `Shutdown(Supervisor)`.
    ShutdownBySupervisor,
    /// A supervisor past its intensity: `Shutdown(IntensityExceeded)`.
    IntensityExceeded,
    /// The handler returned `Err`.
    Failed,
    /// The handler panicked.
    Panicked,
    /// `kill()`, or a supervisor's abort after its own kill.
    Killed,
}

impl Reason {
    /// Error, panic or kill: what restarts a Transient child.
    fn is_abnormal(self) -> bool {
        matches!(self, Self::Failed | Self::Panicked | Self::Killed)
    }

    /// As `common::sup::short` writes it in a journal.
    fn short(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::ShutdownBySupervisor => "shutdown:supervisor",
            Self::IntensityExceeded => "shutdown:intensity",
            Self::Failed => "failed",
            Self::Panicked => "failed:panic",
            Self::Killed => "killed",
        }
    }
}

/// A live actor in the model: a model-wide number (its identity) and its generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Inst {
    actor: u64,
    generation: u64,
}

/// What an admin call answers.
#[derive(Clone, Debug, PartialEq, Eq)]
enum AdminOutcome {
    Ok,
    NotFound,
    Running,
    SupervisorStopped,
    Other(String),
}

/// What the caller sees of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// `try_tell`: accepted (`true`) or handed back as `Closed` (`false`).
    Told(bool),
    Admin(AdminOutcome),
    /// `stop()` / `kill()`: nothing to see.
    Nothing,
}

/// The reference model: plain data, one decision at a time, as DESIGN.md states them.
struct Model<'a> {
    nodes: &'a [Node],
    /// Each node's live actor. A node has one only while every ancestor has one.
    actor: Vec<Option<Inst>>,
    /// A Temporary child's spec removed after its exit (until its supervisor's next instance).
    removed: Vec<bool>,
    /// The times (since the case began) of the restarts each supervisor's current instance
    /// counts against its intensity, oldest first.
    recent: Vec<VecDeque<Duration>>,
    /// The time of the operation being applied: every decision it causes is made then (the
    /// paused clock stands still while anything can run).
    now: Duration,
    /// The worker the last worker operation picked.
    last_worker: Option<usize>,
    /// Every worker's hook calls, as the journal should hold them.
    journal: Vec<String>,
    next_actor: u64,
    /// What the case exercised.
    coverage: Coverage,
}

impl<'a> Model<'a> {
    /// The tree right after `start_supervisor`: every node started in spec order.
    fn started(nodes: &'a [Node]) -> Self {
        let mut model = Self {
            nodes,
            actor: vec![None; nodes.len()],
            removed: vec![false; nodes.len()],
            recent: vec![VecDeque::new(); nodes.len()],
            now: Duration::ZERO,
            last_worker: None,
            journal: Vec::new(),
            next_actor: 0,
            coverage: Coverage::default(),
        };
        model.start_new(0);
        model
    }

    fn children(&self, s: usize) -> &'a [usize] {
        let nodes: &'a [Node] = self.nodes;
        &nodes[s].sup.as_ref().expect("a supervisor").children
    }

    fn note(&mut self, w: usize, what: String) {
        let entry = format!("{}:{what}", self.nodes[w].label);
        self.journal.push(entry);
    }

    /// A new actor (new identity, generation 1) for node `n`, and its first instance.
    fn start_new(&mut self, n: usize) {
        self.next_actor += 1;
        self.actor[n] = Some(Inst {
            actor: self.next_actor,
            generation: 1,
        });
        self.start_instance(n);
    }

    /// A new instance of node `n`'s actor (generation + 1).
    fn restart(&mut self, n: usize) {
        if self.nodes[n].sup.is_some() {
            self.coverage.sup_restarts += 1;
        }
        let inst = self.actor[n].as_mut().expect("restart of a live actor");
        inst.generation += 1;
        self.start_instance(n);
    }

    /// Runs the current instance's start: a worker journals `started <gen>`; a supervisor's
    /// instance starts every spec of its blueprint anew (new actors) with a fresh intensity.
    fn start_instance(&mut self, n: usize) {
        let generation = self.actor[n].expect("a live actor").generation;
        if self.nodes[n].sup.is_none() {
            self.note(n, format!("started {generation}"));
            return;
        }
        self.recent[n].clear();
        for &c in self.children(n) {
            self.removed[c] = false;
            self.start_new(c);
        }
    }

    /// Ends node `n`'s running instance (its actor lives on, waiting for a decision): a
    /// worker runs `stopped` unless killed; a supervisor stops all its children for good in
    /// reverse start order (killed if it was killed, else gracefully).
    fn end_instance(&mut self, n: usize, reason: Reason) {
        if self.nodes[n].sup.is_none() {
            if reason != Reason::Killed {
                self.note(n, format!("stopped {}", reason.short()));
            }
            return;
        }
        let how = if reason == Reason::Killed {
            Reason::Killed
        } else {
            Reason::ShutdownBySupervisor
        };
        for &c in self.children(n).iter().rev() {
            self.final_exit(c, how);
        }
    }

    /// Its supervisor stops node `n` for good (its spec is removed if Temporary).
    fn final_exit(&mut self, n: usize, how: Reason) {
        if self.actor[n].is_some() {
            self.end_instance(n, how);
            self.actor[n] = None;
        }
        self.forget(n);
    }

    /// Node `n` has no actor any more; a Temporary child's spec goes with it.
    fn forget(&mut self, n: usize) {
        self.actor[n] = None;
        if self.nodes[n].restart == Restart::Temporary && self.nodes[n].parent.is_some() {
            self.removed[n] = true;
        }
    }

    /// Node `n`'s instance ended by itself (already ended: `end_instance` ran) for `reason`;
    /// its supervisor decides: restart type, then intensity, then strategy.
    fn ended(&mut self, n: usize, reason: Reason) {
        let nodes = self.nodes;
        let Some(p) = nodes[n].parent else {
            // The root supervisor's exit is final.
            self.actor[n] = None;
            return;
        };
        let wanted = match nodes[n].restart {
            Restart::Permanent => true,
            Restart::Transient => reason.is_abnormal(),
            Restart::Temporary => false,
        };
        if !wanted {
            match nodes[n].restart {
                Restart::Transient => self.coverage.transient_ends += 1,
                _ => self.coverage.temporary_ends += 1,
            }
            self.forget(n);
            return;
        }
        let cfg = nodes[p].sup.as_ref().expect("a supervisor");
        if !self.allow_restart(p) {
            // Intensity exceeded: every child stops for good in reverse start order (the
            // ended one is down already), then the supervisor's instance exits and its
            // parent decides about it in turn.
            if nodes[p].parent.is_some() {
                self.coverage.escalations += 1;
            } else {
                self.coverage.root_gave_up += 1;
            }
            for &c in self.children(p).iter().rev() {
                if c == n {
                    self.forget(c);
                } else {
                    self.final_exit(c, Reason::ShutdownBySupervisor);
                }
            }
            self.ended(p, Reason::IntensityExceeded);
            return;
        }
        let children = self.children(p);
        let from = match cfg.strategy {
            SupStrategy::OneForOne => {
                self.restart(n);
                return;
            }
            SupStrategy::OneForAll => 0,
            SupStrategy::RestForOne => children.iter().position(|&c| c == n).expect("a child"),
        };
        self.coverage.group_restarts += 1;
        // The group: every spec still present from `from` on, stopped in reverse start
        // order (Temporary ones for good), then started in start order: a spec without an
        // actor (terminated, or a Transient child that ended normally) gets a new one.
        let group: Vec<usize> = children[from..]
            .iter()
            .copied()
            .filter(|&c| !self.removed[c])
            .collect();
        for &j in group.iter().rev() {
            if j == n {
                continue;
            }
            if nodes[j].restart == Restart::Temporary {
                self.final_exit(j, Reason::ShutdownBySupervisor);
            } else if self.actor[j].is_some() {
                self.end_instance(j, Reason::ShutdownBySupervisor);
            }
        }
        for &j in &group {
            if self.removed[j] {
                continue;
            }
            if self.actor[j].is_some() {
                self.restart(j);
            } else {
                self.coverage.group_new_actors += 1;
                self.start_new(j);
            }
        }
    }

    fn max_restarts(&self, s: usize) -> usize {
        self.nodes[s]
            .sup
            .as_ref()
            .expect("a supervisor")
            .max_restarts as usize
    }

    /// Intensity: at most `max_restarts` restarts within any `WINDOW`, which slides: a
    /// restart at `t` counts at `now` while `now - t < WINDOW`. Records the restart if allowed.
    fn allow_restart(&mut self, s: usize) -> bool {
        let max = self.max_restarts(s);
        let now = self.now;
        let recent = &mut self.recent[s];
        let before = recent.len();
        let edge = recent.iter().any(|&t| now - t == WINDOW);
        recent.retain(|&t| now - t < WINDOW);
        if recent.len() >= max {
            return false;
        }
        let slid = recent.len() < before && before >= max;
        self.coverage.window_slid += usize::from(slid);
        self.coverage.window_edge += usize::from(slid && edge);
        recent.push_back(now);
        true
    }

    /// Applies `op`, made at `now` (since the case began).
    fn apply(&mut self, op: Op, now: Duration) -> Outcome {
        self.now = now;
        match op {
            Op::Worker(act, w) => {
                self.last_worker = Some(w);
                let alive = self.actor[w].is_some();
                if alive {
                    let reason = match act {
                        WorkerAct::Fail => Reason::Failed,
                        WorkerAct::Panic => Reason::Panicked,
                        WorkerAct::StopSelf | WorkerAct::Stop => Reason::Normal,
                        WorkerAct::Kill => Reason::Killed,
                    };
                    self.end_instance(w, reason);
                    self.ended(w, reason);
                }
                self.coverage.dead_targets += usize::from(!alive);
                match act {
                    WorkerAct::Fail | WorkerAct::Panic | WorkerAct::StopSelf => {
                        Outcome::Told(alive)
                    }
                    WorkerAct::Stop | WorkerAct::Kill => Outcome::Nothing,
                }
            }
            Op::Terminate(s, c) => Outcome::Admin(if self.actor[s].is_none() {
                AdminOutcome::SupervisorStopped
            } else if self.removed[c] {
                AdminOutcome::NotFound
            } else {
                // Idempotent: a stopped child stays stopped.
                self.coverage.terminated += usize::from(self.actor[c].is_some());
                self.final_exit(c, Reason::ShutdownBySupervisor);
                AdminOutcome::Ok
            }),
            Op::RestartChild(s, c) => Outcome::Admin(if self.actor[s].is_none() {
                AdminOutcome::SupervisorStopped
            } else if self.removed[c] {
                AdminOutcome::NotFound
            } else if self.actor[c].is_some() {
                AdminOutcome::Running
            } else {
                // A new actor; not a restart, so not counted against intensity.
                self.coverage.restarted_by_admin += 1;
                self.start_new(c);
                AdminOutcome::Ok
            }),
            Op::StopSup(s) => {
                if self.actor[s].is_some() {
                    self.end_instance(s, Reason::ShutdownBySupervisor);
                    self.ended(s, Reason::Normal);
                }
                Outcome::Nothing
            }
            Op::KillSup(s) => {
                if self.actor[s].is_some() {
                    self.end_instance(s, Reason::Killed);
                    self.ended(s, Reason::Killed);
                }
                Outcome::Nothing
            }
            Op::WaitUntil(_) => Outcome::Nothing,
        }
    }

    /// What `which_children` should show for node `n` now.
    fn expected(&self, n: usize) -> Expected {
        match self.nodes[n].parent {
            None => match self.actor[n] {
                Some(inst) => Expected::Running(inst),
                None => Expected::Absent,
            },
            Some(p) if self.actor[p].is_none() => Expected::Absent,
            Some(_) if self.removed[n] => Expected::Removed,
            Some(_) => match self.actor[n] {
                Some(inst) => Expected::Running(inst),
                None => Expected::Stopped,
            },
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Expected {
    /// No live supervisor lists it (or, for the root, it exited).
    Absent,
    /// Its supervisor lists no spec for it (a Temporary child after its exit).
    Removed,
    /// Listed as stopped: a spec without an actor.
    Stopped,
    Running(Inst),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Absent => f.write_str("absent"),
            Self::Removed => f.write_str("spec removed"),
            Self::Stopped => f.write_str("stopped"),
            Self::Running(i) => write!(f, "running, actor a{} gen {}", i.actor, i.generation),
        }
    }
}

// ---------------------------------------------------------------------------------------
// What the library shows

#[derive(Clone, Debug)]
enum Seen {
    Absent,
    Removed,
    Stopped,
    Restarting,
    Running {
        id: ActorId,
        generation: u64,
    },
    /// Something no model state explains (wrong kind, a stopped entry with an actor...).
    Odd(String),
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Absent => f.write_str("absent"),
            Self::Removed => f.write_str("not listed"),
            Self::Stopped => f.write_str("stopped"),
            Self::Restarting => f.write_str("restarting"),
            Self::Running { id, generation } => write!(f, "running, actor {id} gen {generation}"),
            Self::Odd(what) => f.write_str(what),
        }
    }
}

/// A live supervisor's children as it lists them: ids in `which_children` order, and
/// `count_children` as `[specs, active, workers, supervisors]`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Listed {
    ids: Vec<String>,
    counts: [usize; 4],
}

/// The library side of a case: the root, the last handle seen for each node, every handle
/// ever seen, and the correspondence between the model's actors and the library's ids.
struct Lib {
    root: SupervisorRef,
    worker: Vec<Option<ActorRef<Labelled>>>,
    sup: Vec<Option<SupervisorRef>>,
    every_worker: HashMap<ActorId, (usize, ActorRef<Labelled>)>,
    every_sup: HashMap<ActorId, (usize, SupervisorRef)>,
    id_of: HashMap<u64, ActorId>,
    actor_of: HashMap<ActorId, u64>,
}

impl Lib {
    fn new(root: SupervisorRef, nodes: usize) -> Self {
        Self {
            root,
            worker: vec![None; nodes],
            sup: vec![None; nodes],
            every_worker: HashMap::new(),
            every_sup: HashMap::new(),
            id_of: HashMap::new(),
            actor_of: HashMap::new(),
        }
    }

    /// Walks the live tree from the root; records every handle found; returns each node's
    /// state and, for each live supervisor, its listed child ids (in `which_children` order)
    /// and its `count_children`.
    fn observe(&mut self, nodes: &[Node]) -> (Vec<Seen>, Vec<Option<Listed>>) {
        let mut seen = vec![Seen::Absent; nodes.len()];
        let mut listed = vec![None; nodes.len()];
        let root = self.root.clone();
        if root.is_alive() {
            seen[0] = self.note_sup(0, root.clone());
            self.walk(nodes, 0, &root, &mut seen, &mut listed);
        }
        (seen, listed)
    }

    fn note_sup(&mut self, n: usize, sup: SupervisorRef) -> Seen {
        let seen = Seen::Running {
            id: sup.id(),
            generation: sup.generation(),
        };
        self.every_sup.insert(sup.id(), (n, sup.clone()));
        self.sup[n] = Some(sup);
        seen
    }

    fn walk(
        &mut self,
        nodes: &[Node],
        s: usize,
        sup: &SupervisorRef,
        seen: &mut [Seen],
        listed: &mut [Option<Listed>],
    ) {
        let table = sup.which_children();
        let counts = sup.count_children();
        listed[s] = Some(Listed {
            ids: table.iter().map(|c| c.id().to_owned()).collect(),
            counts: [
                counts.specs,
                counts.active,
                counts.workers,
                counts.supervisors,
            ],
        });
        for &c in &nodes[s].sup.as_ref().expect("a supervisor").children {
            let Some(entry) = table.iter().find(|e| e.id() == nodes[c].label) else {
                seen[c] = Seen::Removed;
                continue;
            };
            let kind = match nodes[c].sup {
                None => ChildKind::Worker,
                Some(_) => ChildKind::Supervisor,
            };
            seen[c] = match entry.state() {
                _ if entry.kind() != kind => Seen::Odd(format!("listed as {:?}", entry.kind())),
                ChildState::Stopped if entry.actor_id().is_some() => {
                    Seen::Odd("stopped, with an actor".to_owned())
                }
                ChildState::Stopped => Seen::Stopped,
                ChildState::Restarting => Seen::Restarting,
                ChildState::Running => match kind {
                    ChildKind::Worker => match entry.downcast::<Labelled>() {
                        None => Seen::Odd("running, without a worker handle".to_owned()),
                        Some(worker) => {
                            let s = Seen::Running {
                                id: worker.id(),
                                generation: worker.generation(),
                            };
                            self.every_worker.insert(worker.id(), (c, worker.clone()));
                            self.worker[c] = Some(worker);
                            s
                        }
                    },
                    ChildKind::Supervisor => match entry.supervisor() {
                        None => Seen::Odd("running, without a supervisor handle".to_owned()),
                        Some(child) => {
                            let s = self.note_sup(c, child.clone());
                            self.walk(nodes, c, &child, seen, listed);
                            s
                        }
                    },
                },
            };
        }
    }

    /// Whether `seen` is what the model expects, binding a new model actor to a new id.
    fn matches(&mut self, expected: Expected, seen: &Seen) -> Result<(), &'static str> {
        match (expected, seen) {
            (Expected::Absent, Seen::Absent)
            | (Expected::Removed, Seen::Removed)
            | (Expected::Stopped, Seen::Stopped) => Ok(()),
            (Expected::Running(inst), Seen::Running { id, generation }) => {
                if inst.generation != *generation {
                    return Err("wrong generation");
                }
                match self.id_of.get(&inst.actor) {
                    Some(bound) if bound == id => Ok(()),
                    Some(_) => Err("a different actor"),
                    None if self.actor_of.contains_key(id) => {
                        Err("an old actor where a new one was expected")
                    }
                    None => {
                        self.id_of.insert(inst.actor, *id);
                        self.actor_of.insert(*id, inst.actor);
                        Ok(())
                    }
                }
            }
            _ => Err("wrong state"),
        }
    }

    /// Applies `op` (`began`: when the case began).
    async fn apply(&self, nodes: &[Node], op: Op, began: tokio::time::Instant) -> Outcome {
        match op {
            Op::Worker(act, w) => {
                let worker = self.worker[w]
                    .as_ref()
                    .expect("every worker was seen at start");
                let msg = match act {
                    WorkerAct::Fail => Cmd::Fail,
                    WorkerAct::Panic => Cmd::Panic,
                    WorkerAct::StopSelf => Cmd::StopSelf,
                    WorkerAct::Stop => {
                        worker.stop();
                        return Outcome::Nothing;
                    }
                    WorkerAct::Kill => {
                        worker.kill();
                        return Outcome::Nothing;
                    }
                };
                match worker.try_tell(msg) {
                    Ok(()) => Outcome::Told(true),
                    Err(TrySendError::Closed(_)) => Outcome::Told(false),
                    Err(TrySendError::Full(_)) => panic!("an idle worker's mailbox is full"),
                }
            }
            Op::Terminate(s, c) => {
                let sup = self.sup[s]
                    .as_ref()
                    .expect("every supervisor was seen at start");
                let call = sup.terminate_child(&nodes[c].label);
                Outcome::Admin(match tokio::time::timeout(HUNG, call).await {
                    Err(_) => AdminOutcome::Other("hung".to_owned()),
                    Ok(result) => admin_outcome(result),
                })
            }
            Op::RestartChild(s, c) => {
                let sup = self.sup[s]
                    .as_ref()
                    .expect("every supervisor was seen at start");
                let call = sup.restart_child(&nodes[c].label);
                Outcome::Admin(match tokio::time::timeout(HUNG, call).await {
                    Err(_) => AdminOutcome::Other("hung".to_owned()),
                    Ok(result) => admin_outcome(result.map(drop)),
                })
            }
            Op::StopSup(s) => {
                self.sup[s].as_ref().expect("seen at start").stop();
                Outcome::Nothing
            }
            Op::KillSup(s) => {
                self.sup[s].as_ref().expect("seen at start").kill();
                Outcome::Nothing
            }
            Op::WaitUntil(t) => {
                tokio::time::sleep_until(began + t).await;
                Outcome::Nothing
            }
        }
    }
}

fn admin_outcome(result: Result<(), AdminError>) -> AdminOutcome {
    match result {
        Ok(()) => AdminOutcome::Ok,
        Err(AdminError::NotFound(_)) => AdminOutcome::NotFound,
        Err(AdminError::Running(_)) => AdminOutcome::Running,
        Err(AdminError::SupervisorStopped) => AdminOutcome::SupervisorStopped,
        Err(other) => AdminOutcome::Other(format!("{other:?}")),
    }
}

/// How many rounds `settle` runs, each advancing the paused clock by a millisecond.
const SETTLE_ROUNDS: u32 = 3;
/// How far `settle` advances the paused clock.
const SETTLE_ADVANCE: Duration = Duration::from_millis(SETTLE_ROUNDS as u64);

/// Lets every task run until the tree is quiescent: on the paused clock a sleep ends only
/// once no task can make progress (the clock then jumps to it), so each round waits for
/// the runtime to go idle. Bounded: a few rounds, a millisecond of paused time each.
async fn settle() {
    for _ in 0..SETTLE_ROUNDS {
        for _ in 0..16 {
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Compares the model's prediction with what the library shows; `Err` is a report of every
/// difference.
fn compare(model: &Model<'_>, lib: &mut Lib, journal: &Journal) -> Result<(), String> {
    let nodes = model.nodes;
    let (seen, listed) = lib.observe(nodes);
    let mut table = String::new();
    let mut wrong = 0;
    for n in 0..nodes.len() {
        let expected = model.expected(n);
        let verdict = lib.matches(expected, &seen[n]);
        let mark = if verdict.is_err() { "!!" } else { "  " };
        wrong += usize::from(verdict.is_err());
        let _ = writeln!(
            table,
            "  {mark} {:<6} model: {:<30} library: {}{}",
            nodes[n].label,
            expected.to_string(),
            seen[n],
            verdict
                .err()
                .map(|e| format!("  <- {e}"))
                .unwrap_or_default(),
        );
    }
    // `which_children` lists the specs present, in start order, and `count_children` counts
    // them.
    for (s, listed) in listed.iter().enumerate() {
        let Some(listed) = listed else { continue };
        if model.actor[s].is_none() {
            // Reported on the node's own line already.
            continue;
        }
        let present: Vec<usize> = (model.children(s).iter().copied())
            .filter(|&c| !model.removed[c])
            .collect();
        let running = present.iter().filter(|&&c| model.actor[c].is_some());
        let supervisors = present.iter().filter(|&&c| nodes[c].sup.is_some()).count();
        let want = Listed {
            ids: present.iter().map(|&c| nodes[c].label.clone()).collect(),
            counts: [
                present.len(),
                running.count(),
                present.len() - supervisors,
                supervisors,
            ],
        };
        if *listed != want {
            wrong += 1;
            let _ = writeln!(
                table,
                "  !! {}: model lists {:?}, counts [specs, active, workers, supervisors] {:?}; \
                 library lists {:?}, counts {:?}",
                nodes[s].label, want.ids, want.counts, listed.ids, listed.counts
            );
        }
    }
    // Every handle ever seen: alive exactly while the model's actor it stands for is; a dead
    // supervisor lists no children.
    let alive_now = |n: usize, id: ActorId, lib: &Lib| {
        let actor = lib.actor_of.get(&id);
        model.actor[n].is_some_and(|inst| Some(&inst.actor) == actor)
    };
    let mut handles: Vec<(usize, ActorId, bool, usize)> = Vec::new();
    for (id, (n, w)) in &lib.every_worker {
        handles.push((*n, *id, w.is_alive(), 0));
    }
    for (id, (n, s)) in &lib.every_sup {
        handles.push((*n, *id, s.is_alive(), s.which_children().len()));
    }
    handles.sort_by_key(|h| (h.0, h.1.to_string()));
    for (n, id, is_alive, listed) in handles {
        let want = alive_now(n, id, lib);
        if is_alive != want || (!is_alive && listed != 0) {
            wrong += 1;
            let _ = writeln!(
                table,
                "  !! handle {id} of {}: is_alive() = {is_alive}, model says {want}{}",
                nodes[n].label,
                if listed != 0 && !is_alive {
                    format!(", and a dead supervisor lists {listed} children")
                } else {
                    String::new()
                }
            );
        }
    }
    // Every worker's hook calls, in order across the tree: each supervisor stops and starts
    // its children one at a time, so the order is the contract's (stops in reverse start
    // order, starts in start order, an instance's `stopped` before the next one's `started`).
    let got = journal.entries();
    if got != model.journal {
        wrong += 1;
        let same = (got.iter().zip(&model.journal))
            .take_while(|(a, b)| a == b)
            .count();
        let _ = writeln!(
            table,
            "  !! the journals differ after {same} entries in common ({:?}):\n       model:   {:?}\n       library: {:?}",
            &got[same.saturating_sub(2)..same],
            &model.journal[same..],
            &got[same..],
        );
    }
    if wrong == 0 { Ok(()) } else { Err(table) }
}

/// What a case exercised (counted by the model).
#[derive(Default, Debug, Clone, Copy)]
struct Coverage {
    /// A sub-supervisor past its intensity, escalated to its parent.
    escalations: usize,
    /// The root past its intensity (its final exit).
    root_gave_up: usize,
    /// A sub-supervisor restarted by its parent (a new instance: new children).
    sup_restarts: usize,
    /// OneForAll / RestForOne restarts.
    group_restarts: usize,
    /// Specs without an actor started anew by a group restart.
    group_new_actors: usize,
    /// Transient children not restarted after a normal (or shutdown) exit.
    transient_ends: usize,
    /// Temporary children removed after their exit.
    temporary_ends: usize,
    /// Running children stopped by `terminate_child`.
    terminated: usize,
    /// Stopped children started by `restart_child`.
    restarted_by_admin: usize,
    /// Worker operations through the handle of an actor that is gone.
    dead_targets: usize,
    /// Restarts allowed only because older ones had left the window.
    window_slid: usize,
    /// ...one of which had left it exactly then.
    window_edge: usize,
}

impl Coverage {
    fn add(&mut self, other: Self) {
        self.escalations += other.escalations;
        self.root_gave_up += other.root_gave_up;
        self.sup_restarts += other.sup_restarts;
        self.group_restarts += other.group_restarts;
        self.group_new_actors += other.group_new_actors;
        self.transient_ends += other.transient_ends;
        self.temporary_ends += other.temporary_ends;
        self.terminated += other.terminated;
        self.restarted_by_admin += other.restarted_by_admin;
        self.dead_targets += other.dead_targets;
        self.window_slid += other.window_slid;
        self.window_edge += other.window_edge;
    }
}

/// Runs one case; `Err` is the report of the first operation after which the model and the
/// library disagree.
fn run(tree: &Tree, ops: &[GenOp]) -> Result<Coverage, String> {
    let nodes = flatten(tree);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let began = tokio::time::Instant::now();
        let system = ActorSystem::new("sm").unwrap();
        let journal = Journal::default();
        let root = system
            .start_supervisor("root", blueprint(&nodes, 0, &journal))
            .await
            .map_err(|e| format!("the tree did not start: {e}"))?;
        settle().await;
        let mut model = Model::started(&nodes);
        let mut lib = Lib::new(root, nodes.len());
        let mut log = Vec::new();
        let report = |log: &[String], what: String| {
            let mut out = format!("tree:\n{}operations:\n", render(&nodes));
            for (k, line) in log.iter().enumerate() {
                let _ = writeln!(out, "    {}. {line}", k + 1);
            }
            let _ = write!(out, "{what}");
            out
        };
        if let Err(diff) = compare(&model, &mut lib, &journal) {
            return Err(report(&log, format!("after the start:\n{diff}")));
        }
        for op in ops {
            let now = began.elapsed();
            model.now = now;
            let op = resolve(&mut model, op);
            log.push(format!("at {now:?}: {}", describe(&nodes, op)));
            let want = model.apply(op, now);
            let got = lib.apply(&nodes, op, began).await;
            settle().await;
            if want != got {
                return Err(report(
                    &log,
                    format!("the last operation answered {got:?}, the model says {want:?}\n"),
                ));
            }
            if let Err(diff) = compare(&model, &mut lib, &journal) {
                return Err(report(&log, format!("after the last operation:\n{diff}")));
            }
        }
        // Whatever is left shuts down, and every handle ever seen ends dead.
        match tokio::time::timeout(HUNG, system.shutdown()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(report(&log, format!("shutdown failed: {e}\n"))),
            Err(_) => return Err(report(&log, "shutdown hung\n".to_owned())),
        }
        let alive: Vec<String> = (lib.every_worker.values().filter(|(_, w)| w.is_alive()))
            .map(|(n, w)| format!("{} {}", nodes[*n].label, w.id()))
            .chain(
                (lib.every_sup.values().filter(|(_, s)| s.is_alive()))
                    .map(|(n, s)| format!("{} {}", nodes[*n].label, s.id())),
            )
            .collect();
        if !alive.is_empty() || system.task_count() != 0 {
            return Err(report(
                &log,
                format!(
                    "after shutdown: alive {alive:?}, {} tasks left\n",
                    system.task_count()
                ),
            ));
        }
        Ok(model.coverage)
    })
}

fn check(tree: &Tree, ops: &[GenOp]) -> Coverage {
    quiet_panics();
    match run(tree, ops) {
        Ok(coverage) => coverage,
        Err(report) => panic!("the library disagrees with the model\n{report}"),
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1024)
}

proptest! {
    #![proptest_config(Config {
        cases: cases(),
        // Shrunk failures become named regression tests in this file instead.
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn supervision_tree_follows_the_model(
        tree in root_tree(),
        ops in proptest::collection::vec(gen_op(), 1..=12),
    ) {
        check(&tree, &ops);
    }
}

/// The generator reaches every path the model knows (from a fixed seed, so this is
/// deterministic): a property that never escalates or never restarts a group would pass
/// without saying much.
#[test]
fn the_generated_cases_reach_every_path() {
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let config = Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let total = std::sync::Mutex::new(Coverage::default());
    let input = (root_tree(), proptest::collection::vec(gen_op(), 1..=12));
    runner
        .run(&input, |(tree, ops)| {
            total.lock().unwrap().add(check(&tree, &ops));
            Ok(())
        })
        .unwrap();
    let total = total.into_inner().unwrap();
    let counts = [
        total.escalations,
        total.root_gave_up,
        total.sup_restarts,
        total.group_restarts,
        total.group_new_actors,
        total.transient_ends,
        total.temporary_ends,
        total.terminated,
        total.restarted_by_admin,
        total.dead_targets,
        total.window_slid,
        total.window_edge,
    ];
    assert!(counts.iter().all(|&n| n > 0), "{total:?}");
}

// ---------------------------------------------------------------------------------------
// Fixed cases: the paths above, pinned (they also show how to write a shrunk case by hand).

fn worker(restart: Restart) -> Tree {
    Tree::Worker(restart)
}

fn sup(restart: Restart, strategy: SupStrategy, max: u32, children: Vec<Tree>) -> Tree {
    Tree::Sup(restart, strategy, max, children)
}

/// A worker fails under a sub-supervisor that allows no restart: it escalates, and the root,
/// which allows none either, gives up.
#[test]
fn an_escalation_reaches_the_root() {
    use Restart::*;
    // root 0, s1 1, w2 2, w3 3.
    let tree = sup(
        Permanent,
        SupStrategy::OneForOne,
        0,
        vec![sup(
            Permanent,
            SupStrategy::OneForAll,
            0,
            vec![worker(Permanent), worker(Transient)],
        )],
    );
    let coverage = check(&tree, &[GenOp::Exact(Op::Worker(WorkerAct::Fail, 2))]);
    assert_eq!((coverage.escalations, coverage.root_gave_up), (1, 1));
}

/// OTP_BEHAVIOURS 15, both sides: a restart exactly one window after the one it would
/// exceed the intensity with is allowed; a millisecond earlier it is not.
#[test]
fn the_window_is_exact() {
    // root 0 (one restart allowed), w1 1. The first operation comes at 3 ms (after the
    // start settled), the one after a wait `SETTLE_ADVANCE` after it.
    let tree = sup(
        Restart::Permanent,
        SupStrategy::OneForOne,
        1,
        vec![worker(Restart::Permanent)],
    );
    let fail = GenOp::Exact(Op::Worker(WorkerAct::Fail, 1));
    let at = |t: Duration| GenOp::Exact(Op::WaitUntil(t - SETTLE_ADVANCE));
    let first = SETTLE_ADVANCE;
    let edge = check(&tree, &[fail.clone(), at(first + WINDOW), fail.clone()]);
    assert_eq!((edge.window_edge, edge.root_gave_up), (1, 0));
    let early = first + WINDOW - Duration::from_millis(1);
    let before = check(&tree, &[fail.clone(), at(early), fail]);
    assert_eq!((before.window_slid, before.root_gave_up), (0, 1));
}
