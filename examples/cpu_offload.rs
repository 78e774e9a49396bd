//! CPU offload: an actor counts primes (CPU-heavy) on tokio's blocking pool with
//! `ctx.spawn_blocking_to_self`, and keeps answering pings meanwhile, because its handler
//! returns at once and the result comes back as a message. Checks that pings were answered
//! while the computation ran and that the result is right.
//!
//! Run it with `cargo run --release --example cpu_offload`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use actors::prelude::*;
use tokio::sync::oneshot;

/// Counts primes below `n` by trial division: deliberately CPU-bound.
fn count_primes(n: u64) -> u64 {
    (2..n)
        .filter(|&k| (2..).take_while(|d| d * d <= k).all(|d| k % d != 0))
        .count() as u64
}

struct Cruncher {
    /// Where the next result goes.
    waiting: Option<oneshot::Sender<u64>>,
    pings: u64,
}

#[actor]
impl Cruncher {
    /// Starts the computation off the runtime; the result arrives as `done`.
    #[handler]
    fn crunch(&mut self, n: u64, done: oneshot::Sender<u64>, ctx: &mut Context<Self>) {
        self.waiting = Some(done);
        ctx.spawn_blocking_to_self(
            move || count_primes(n),
            |primes| CruncherMsg::Done {
                primes: primes.ok(),
            },
        );
    }

    /// The computation's result, told by the blocking task.
    #[handler]
    fn done(&mut self, primes: Option<u64>) {
        if let (Some(waiting), Some(primes)) = (self.waiting.take(), primes) {
            let _ = waiting.send(primes);
        }
    }

    #[handler]
    fn ping(&mut self) -> u64 {
        self.pings += 1;
        self.pings
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => {
            println!("cpu_offload: ok");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("cpu_offload: FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let system = ActorSystem::new("offload").map_err(|e| e.to_string())?;
    let cruncher = system
        .spawn(Cruncher {
            waiting: None,
            pings: 0,
        })
        .map_err(|e| e.to_string())?;

    let started = Instant::now();
    let (done, mut result) = oneshot::channel();
    cruncher
        .crunch(2_000_000, done)
        .await
        .map_err(|e| e.to_string())?;
    let mut answered_meanwhile = 0;
    let mut slowest = Duration::ZERO;
    let primes = loop {
        if let Ok(primes) = result.try_recv() {
            break primes;
        }
        let asked = Instant::now();
        cruncher.ping().await.map_err(|e| e.to_string())?;
        slowest = slowest.max(asked.elapsed());
        answered_meanwhile += 1;
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    println!(
        "{primes} primes below 2,000,000 in {:.2?} on the blocking pool; meanwhile the actor \
         answered {answered_meanwhile} pings (slowest {slowest:.2?})",
        started.elapsed()
    );
    system.shutdown().await.map_err(|e| e.to_string())?;

    if primes != 148_933 {
        return Err(format!(
            "there are 148,933 primes below 2,000,000, not {primes}"
        ));
    }
    if answered_meanwhile < 5 {
        return Err(format!(
            "the actor answers pings while it computes: only {answered_meanwhile}"
        ));
    }
    Ok(())
}
