//! A supervised worker pool under fire: 50,000 jobs across 4 workers, of which some return an
//! error (the asker gets it; the worker goes on) and some panic (the asker gets
//! `AskError::Failed`; the supervisor restarts the worker, and the jobs queued behind the panic
//! are handled by the new instance). A progress line while it runs, the restarts as they
//! happen, the final tree; then it checks that every job was answered, none lost, and that
//! each panic cost exactly one restart. Exits non-zero if anything is off.
//!
//! Run it with `cargo run --release --example supervised_pool`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actors::prelude::*;
use actors::{AskError, EventKind, EventsError, Pool, Routing};
use tokio::task::JoinSet;

const JOBS: u64 = 50_000;
const WORKERS: usize = 4;
/// Jobs in flight at once (the rest wait their turn in this program, not in a queue).
const CONCURRENCY: usize = 64;

/// A job the worker refuses: the asker handles it, the worker is fine.
#[derive(Debug, thiserror::Error)]
#[error("job {0} is invalid")]
struct Invalid(u64);

/// Processes jobs: every 13th is invalid, every 97th hits a bug and panics.
#[derive(Default)]
struct Worker {
    processed: u64,
}

#[actor(mailbox = 16)]
impl Worker {
    #[handler]
    async fn process(&mut self, job: u64) -> Result<u64, Invalid> {
        // A little asynchronous work, as a real job would do I/O.
        tokio::task::yield_now().await;
        if job % 97 == 0 {
            panic!("bug while processing job {job}");
        }
        if job % 13 == 0 {
            return Err(Invalid(job));
        }
        self.processed += 1;
        Ok(job * 2)
    }
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    invalid: AtomicU64,
    failed: AtomicU64,
    other: AtomicU64,
}

impl Tally {
    fn answered(&self) -> u64 {
        self.ok.load(Ordering::Relaxed)
            + self.invalid.load(Ordering::Relaxed)
            + self.failed.load(Ordering::Relaxed)
            + self.other.load(Ordering::Relaxed)
    }

    fn line(&self, restarts: u64) -> String {
        format!(
            "{}/{JOBS} answered: ok {}, invalid {}, failed (panicked) {}; restarts {restarts}",
            self.answered(),
            self.ok.load(Ordering::Relaxed),
            self.invalid.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
        )
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => {
            println!("supervised_pool: ok");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("supervised_pool: FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn check(ok: bool, what: impl Into<String>) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what.into()) }
}

async fn run() -> Result<(), String> {
    // The panics are provoked: they are contained and reported as events, not printed.
    std::panic::set_hook(Box::new(|_| {}));
    let system = ActorSystem::new("jobs").map_err(|e| e.to_string())?;

    // Restarts, counted (and the first few printed) as they happen.
    let restarts = Arc::new(AtomicU64::new(0));
    let mut events = system.events();
    let counted = restarts.clone();
    let watcher = tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let EventKind::Restarted(generation) = event.kind {
                        let n = counted.fetch_add(1, Ordering::Relaxed) + 1;
                        if n <= 3 {
                            println!("  restarted {} (generation {generation})", event.path);
                        } else if n == 4 {
                            println!("  ...");
                        }
                    }
                }
                Err(EventsError::Lagged(_)) => {}
                Err(EventsError::Closed) => break,
            }
        }
    });

    let pool = Pool::builder(Worker::default)
        .size(WORKERS)
        .routing(Routing::LeastLoaded)
        .intensity(1_000, Duration::from_secs(1))
        .start(&system, "pool")
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{WORKERS} workers under {}, {JOBS} jobs",
        pool.supervisor().path()
    );

    let started = Instant::now();
    let tally = Arc::new(Tally::default());
    let next = Arc::new(AtomicU64::new(1));
    let mut clients = JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (pool, tally, next) = (pool.clone(), tally.clone(), next.clone());
        clients.spawn(async move {
            loop {
                let job = next.fetch_add(1, Ordering::Relaxed);
                if job > JOBS {
                    break;
                }
                let counter = match pool
                    .ask(|reply| WorkerMsg::Process {
                        job,
                        reply: Some(reply),
                    })
                    .await
                {
                    Ok(Ok(doubled)) if doubled == job * 2 => &tally.ok,
                    Ok(Err(Invalid(_))) => &tally.invalid,
                    Err(AskError::Failed(_)) => &tally.failed,
                    _ => &tally.other,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    let mut progress = tokio::time::interval(Duration::from_millis(20));
    progress.tick().await;
    while !clients.is_empty() {
        tokio::select! {
            joined = clients.join_next() => {
                if let Some(Err(e)) = joined {
                    return Err(format!("a client task failed: {e}"));
                }
            }
            _ = progress.tick() => {
                println!("progress: {}", tally.line(restarts.load(Ordering::Relaxed)));
            }
        }
    }
    let elapsed = started.elapsed();
    // The asker of the last panicking job has its answer before that worker's restart is
    // over: wait (bounded) until the workers' generations account for every panic.
    let expected_panics = (1..=JOBS).filter(|j| j % 97 == 0).count() as u64;
    for _ in 0..1_000 {
        let restarted: u64 = pool.worker_refs().iter().map(|w| w.generation() - 1).sum();
        if restarted >= expected_panics && restarts.load(Ordering::Relaxed) >= expected_panics {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    println!(
        "done in {elapsed:.2?}: {}",
        tally.line(restarts.load(Ordering::Relaxed))
    );

    println!("\n{}", system.tree().await);

    pool.shutdown().await;
    system.shutdown().await.map_err(|e| e.to_string())?;
    drop(system);
    watcher.await.map_err(|e| e.to_string())?;

    let expected_invalid = (1..=JOBS).filter(|j| j % 13 == 0 && j % 97 != 0).count() as u64;
    check(
        tally.answered() == JOBS,
        format!("every job answered: {}", tally.line(0)),
    )?;
    check(
        tally.other.load(Ordering::Relaxed) == 0,
        "no job got an unexpected answer",
    )?;
    check(
        tally.failed.load(Ordering::Relaxed) == expected_panics,
        format!("{expected_panics} jobs panicked"),
    )?;
    check(
        tally.invalid.load(Ordering::Relaxed) == expected_invalid,
        format!("{expected_invalid} jobs were invalid"),
    )?;
    check(
        restarts.load(Ordering::Relaxed) == expected_panics,
        format!(
            "one restart per panic: {} restarts for {expected_panics} panics",
            restarts.load(Ordering::Relaxed)
        ),
    )?;
    Ok(())
}
