//! Bounded concurrency: 10,000 concurrent requests against 4 "connection" actors in a pool,
//! each with a mailbox of 8. Backpressure keeps what is queued at most 4 × 8 = 32 requests,
//! however many callers wait: the others wait in their own `submit`/`ask`, taking no queue
//! memory. Checks that every request was answered and the queue stayed bounded.
//!
//! Run it with `cargo run --release --example bounded_db`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actors::Pool;
use actors::prelude::*;
use tokio::task::JoinSet;

const REQUESTS: usize = 10_000;
const CONNECTIONS: usize = 4;
const MAILBOX: usize = 8;

/// A database connection: one query at a time.
struct Connection {
    queries: u64,
}

#[actor]
impl Connection {
    #[handler]
    async fn query(&mut self, id: usize) -> usize {
        // The round trip to the database: a few turns of the runtime.
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
        self.queries += 1;
        id
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => {
            println!("bounded_db: ok");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("bounded_db: FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let system = ActorSystem::new("db").map_err(|e| e.to_string())?;
    let pool = Pool::builder(|| Connection { queries: 0 })
        .size(CONNECTIONS)
        .mailbox(MAILBOX)
        .start(&system, "connections")
        .await
        .map_err(|e| e.to_string())?;

    let started = Instant::now();
    let answered = Arc::new(AtomicUsize::new(0));
    let mut callers = JoinSet::new();
    for id in 0..REQUESTS {
        let (pool, answered) = (pool.clone(), answered.clone());
        callers.spawn(async move {
            if matches!(pool.ask(|reply| ConnectionMsg::Query { id, reply }).await, Ok(got) if got == id) {
                answered.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    // Sample the queue while the callers wait.
    let mut most_queued = 0;
    let mut samples = 0;
    while answered.load(Ordering::Relaxed) < REQUESTS && samples < 100_000 {
        most_queued = most_queued.max(pool.queued());
        samples += 1;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    while let Some(joined) = callers.join_next().await {
        joined.map_err(|e| e.to_string())?;
    }
    let took = started.elapsed();
    println!(
        "{REQUESTS} concurrent requests, {CONNECTIONS} connections with a mailbox of {MAILBOX}: \
         answered {} in {took:.2?}; at most {most_queued} queued at once (bound {})",
        answered.load(Ordering::Relaxed),
        CONNECTIONS * MAILBOX
    );
    let per_connection: Vec<String> = pool
        .worker_refs()
        .iter()
        .map(|w| w.path().name().to_owned())
        .collect();
    println!("connections: {}", per_connection.join(", "));
    pool.shutdown().await;
    system.shutdown().await.map_err(|e| e.to_string())?;

    if answered.load(Ordering::Relaxed) != REQUESTS {
        return Err("every request is answered".into());
    }
    if most_queued > CONNECTIONS * MAILBOX {
        return Err(format!("the queue stays bounded: saw {most_queued}"));
    }
    Ok(())
}
