//! Observability: a small tree with injected failures, seen three ways. It prints the event
//! stream as it happens, then the failures journal, then the live tree as text and as
//! Mermaid, and checks what it printed (exiting non-zero if anything is off).
//!
//! The tree:
//!
//! ```text
//! /observe
//! └── app (one_for_one)
//!     ├── cache          a key-value actor that never fails
//!     ├── flaky          fails every third request (an `Err`), restarted each time
//!     └── ingest (rest_for_one)
//!         ├── reader     counts lines
//!         └── parser     panics on a malformed line, restarted alone (it is last)
//! ```
//!
//! Run it with `cargo run --example observe`.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actors::prelude::*;
use actors::{ChildSpec, Event, EventKind, NodeState, Sink, Strategy, Supervisor, SupervisorRef};

enum CacheMsg {
    Put(String, u64),
    Get {
        key: String,
        reply: Reply<Option<u64>>,
    },
}

#[derive(Default)]
struct Cache(HashMap<String, u64>);

impl Actor for Cache {
    type Msg = CacheMsg;

    async fn handle(&mut self, msg: CacheMsg, _: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            CacheMsg::Put(key, value) => drop(self.0.insert(key, value)),
            CacheMsg::Get { key, reply } => drop(reply.send(self.0.get(&key).copied())),
        }
        Ok(())
    }
}

/// Answers requests; every third request (counted across its instances) fails with an error.
struct Flaky {
    requests: Arc<AtomicU64>,
}

impl Actor for Flaky {
    type Msg = Reply<u64>;

    async fn handle(&mut self, reply: Reply<u64>, _: &mut Context<Self>) -> Result<(), ActorError> {
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        if n % 3 == 0 {
            // The asker gets `AskError::Failed` with this error; the supervisor restarts us.
            return Err(ActorError::msg("backend refused the request"));
        }
        let _ = reply.send(n);
        Ok(())
    }
}

/// Parses `key=value` lines; a malformed line is a bug it panics on.
struct Parser;

impl Actor for Parser {
    type Msg = String;

    async fn handle(&mut self, line: String, _: &mut Context<Self>) -> Result<(), ActorError> {
        let (_key, value) = line.split_once('=').expect("a line has the form key=value");
        let _: u64 = value.parse()?;
        Ok(())
    }
}

#[derive(Default)]
struct Reader(u64);

impl Actor for Reader {
    type Msg = String;

    async fn handle(&mut self, _line: String, _: &mut Context<Self>) -> Result<(), ActorError> {
        self.0 += 1;
        Ok(())
    }
}

/// A sink that counts events by kind: what an exporter (metrics, a log shipper) looks like.
#[derive(Clone, Default)]
struct CountByKind(Arc<Mutex<HashMap<&'static str, usize>>>);

impl Sink for CountByKind {
    fn event(&self, event: &Event) {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *counts.entry(event.kind.name()).or_default() += 1;
    }
}

fn describe(event: &Event) -> String {
    let what = match &event.kind {
        EventKind::Failed(info) => format!("Failed in {}: {}", info.hook(), info.message()),
        EventKind::Stopped(reason) => format!("Stopped ({reason})"),
        EventKind::RestartScheduled(delay) => format!("RestartScheduled (after {delay:?})"),
        other => format!("{other:?}"),
    };
    format!(
        "{:<26} gen {}  {what}",
        event.path.to_string(),
        event.generation
    )
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => {
            println!("observe: ok");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("observe: FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn check(ok: bool, what: impl Into<String>) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what.into()) }
}

async fn run() -> Result<(), String> {
    // Panics inside actors are contained and reported as events; keep the output tidy.
    std::panic::set_hook(Box::new(|_| {}));
    let counts = CountByKind::default();
    let system = ActorSystem::builder("observe")
        .sink(counts.clone())
        .build()
        .map_err(|e| e.to_string())?;

    // The event stream, printed as it happens by a task of its own.
    let mut events = system.events();
    let printer = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Ok(event) = events.recv().await {
            println!("  event  {}", describe(&event));
            seen.push(event);
        }
        seen
    });

    println!("== events");
    let requests = Arc::new(AtomicU64::new(0));
    let ingest = Supervisor::new(Strategy::RestForOne)
        .child(ChildSpec::worker("reader", Reader::default))
        .child(ChildSpec::worker("parser", || Parser));
    let app = system
        .start_supervisor(
            "app",
            Supervisor::new(Strategy::OneForOne)
                .intensity(10, Duration::from_secs(5))
                .child(ChildSpec::worker("cache", Cache::default))
                .child(ChildSpec::worker("flaky", move || Flaky {
                    requests: requests.clone(),
                }))
                .child(ChildSpec::supervisor("ingest", ingest)),
        )
        .await
        .map_err(|e| e.to_string())?;
    let child = |sup: &SupervisorRef, id: &str| {
        sup.child(id)
            .ok_or_else(|| format!("no child {id} under {}", sup.path()))
    };
    let cache = child(&app, "cache")?
        .downcast::<Cache>()
        .ok_or("cache type")?;
    let flaky = child(&app, "flaky")?
        .downcast::<Flaky>()
        .ok_or("flaky type")?;
    let ingest = child(&app, "ingest")?
        .supervisor()
        .ok_or("ingest is a supervisor")?;
    let parser = child(&ingest, "parser")?
        .downcast::<Parser>()
        .ok_or("parser type")?;
    let reader = child(&ingest, "reader")?
        .downcast::<Reader>()
        .ok_or("reader type")?;

    cache
        .tell(CacheMsg::Put("answer".into(), 42))
        .await
        .map_err(|e| e.to_string())?;
    let answer = cache
        .ask(|reply| CacheMsg::Get {
            key: "answer".into(),
            reply,
        })
        .await
        .map_err(|e| e.to_string())?;
    check(answer == Some(42), "the cache answers")?;

    // Nine requests: every third fails, so three failures and three restarts.
    let mut failed = 0;
    for _ in 0..9 {
        if flaky.ask(|reply| reply).await.is_err() {
            failed += 1;
        }
    }
    check(failed == 3, format!("3 of 9 requests failed, not {failed}"))?;

    for line in ["a=1", "b=2", "this line is malformed", "c=3"] {
        reader
            .tell(line.to_owned())
            .await
            .map_err(|e| e.to_string())?;
        parser
            .tell(line.to_owned())
            .await
            .map_err(|e| e.to_string())?;
    }
    settle(&system, 4 + 9).await?;

    println!("\n== failures journal (system.failures())");
    let failures = system.failures();
    for event in &failures {
        println!("  {}", describe(event));
    }
    let failed_events = failures
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Failed(_)));
    check(
        failed_events.count() == 4,
        "4 failures journaled (3 flaky, 1 parser)",
    )?;
    check(
        failures.iter().any(|e| {
            e.path.as_str() == "/observe/app/ingest/parser"
                && matches!(&e.kind, EventKind::Failed(info) if info.is_panic())
        }),
        "the parser's panic is journaled with its path",
    )?;

    println!("\n== tree (system.tree())");
    let tree = system.tree().await;
    print!("{tree}");
    let node = |path: &str| tree.find(path).ok_or_else(|| format!("{path} in the tree"));
    let flaky_node = node("/observe/app/flaky")?;
    check(
        flaky_node.restarts == 3 && flaky_node.handled == Some(9),
        format!("flaky: 3 restarts, 9 handled: {flaky_node}"),
    )?;
    let parser_node = node("/observe/app/ingest/parser")?;
    check(
        parser_node.restarts == 1 && parser_node.handled == Some(4),
        format!("parser: 1 restart, 4 handled: {parser_node}"),
    )?;
    check(
        node("/observe/app/ingest/reader")?.restarts == 0,
        "rest_for_one left the reader (before the parser) alone",
    )?;
    check(
        tree.iter().all(|n| n.state == NodeState::Running),
        "every node is running",
    )?;

    println!("\n== tree as Mermaid (tree.to_mermaid())");
    let mermaid = tree.to_mermaid();
    print!("{mermaid}");
    check(
        mermaid.matches(" --> ").count() == tree.iter().count() - 1,
        "one Mermaid edge per child",
    )?;

    println!("\n== shutdown");
    system.shutdown().await.map_err(|e| e.to_string())?;
    // The subscription ends (`Closed`) once the system is gone.
    drop(system);
    let seen = printer.await.map_err(|e| e.to_string())?;
    let counted = counts.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
    println!("\n== events by kind (a custom Sink)");
    let mut by_kind: Vec<_> = counted.iter().collect();
    by_kind.sort();
    for (kind, n) in &by_kind {
        println!("  {kind:<18} {n}");
    }
    check(counted.get("Failed") == Some(&4), "the sink saw 4 failures")?;
    check(
        counted.get("Restarted") == Some(&4),
        "the sink saw 4 restarts",
    )?;
    check(
        seen.len() == counted.values().sum::<usize>(),
        format!(
            "the subscription and the sink saw the same {} events",
            seen.len()
        ),
    )?;
    Ok(())
}

/// Waits until the parser and the flaky actor handled everything sent to them and every
/// actor is running: the tree itself says so (bounded; an example may use the real clock).
async fn settle(system: &ActorSystem, expected: u64) -> Result<(), String> {
    for _ in 0..1_000 {
        let tree = system.tree().await;
        let handled = |path: &str| tree.find(path).and_then(|n| n.handled).unwrap_or(0);
        let all_running = tree.iter().all(|n| n.state == NodeState::Running);
        let queued: usize = tree.iter().filter_map(|n| n.mailbox).map(|m| m.depth).sum();
        let done = handled("/observe/app/ingest/parser") + handled("/observe/app/flaky");
        if all_running && queued == 0 && done == expected {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Err(format!(
        "the tree never settled with {expected} messages handled"
    ))
}
