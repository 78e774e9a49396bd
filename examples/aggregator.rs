//! Fan-out aggregation: one request asks four backends at once under one deadline. Three
//! answer (after 40, 90 and 150 ms); one is stuck (2 s) and times out at the 250 ms deadline.
//! The request takes as long as the slowest answer within the deadline, not the sum of all;
//! the stuck backend's answer is a typed `AskError::Timeout`, and the others still count.
//! Checks what it printed; exits non-zero if anything is off.
//!
//! Run it with `cargo run --example aggregator`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use actors::fan_out;
use actors::prelude::*;

/// A backend that answers a quote after its latency.
struct Backend {
    name: &'static str,
    latency: Duration,
    price: u64,
}

#[actor]
impl Backend {
    #[handler]
    async fn quote(&mut self, item: String) -> (String, u64) {
        tokio::time::sleep(self.latency).await;
        (format!("{} quotes {item}", self.name), self.price)
    }
}

const DEADLINE: Duration = Duration::from_millis(250);

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => {
            println!("aggregator: ok");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("aggregator: FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let system = ActorSystem::new("aggregator").map_err(|e| e.to_string())?;
    let specs = [
        ("fast", 40, 12),
        ("medium", 90, 10),
        ("slow", 150, 11),
        ("stuck", 2_000, 1),
    ];
    let mut backends = Vec::new();
    for (name, ms, price) in specs {
        let backend = Backend {
            name,
            latency: Duration::from_millis(ms),
            price,
        };
        backends.push(system.spawn(backend).map_err(|e| e.to_string())?);
    }

    let started = Instant::now();
    let answers = fan_out(
        backends.iter().map(|b| b.quote("a kettle".to_owned())),
        DEADLINE,
    )
    .await;
    let took = started.elapsed();

    let mut best = None;
    for ((name, ms, _), answer) in specs.iter().zip(&answers) {
        match answer {
            Ok((text, price)) => {
                println!("  {name:<7} ({ms:>4} ms): {text} at {price}");
                best = Some(best.map_or(*price, |b: u64| b.min(*price)));
            }
            Err(e) => println!("  {name:<7} ({ms:>4} ms): {e}"),
        }
    }
    let sequential: u64 = specs
        .iter()
        .map(|(_, ms, _)| (*ms).min(DEADLINE.as_millis() as u64))
        .sum();
    println!(
        "fanned out: {took:.0?} for all four (the deadline cut the stuck one short); asked one \
         after another it would take at least {sequential} ms"
    );
    println!("best price: {best:?}");

    let ok = answers.iter().filter(|a| a.is_ok()).count();
    if ok != 3 {
        return Err(format!("three backends answer, not {ok}"));
    }
    if !matches!(answers[3], Err(AskError::Timeout(_))) {
        return Err(format!(
            "the stuck backend times out: {:?}",
            answers[3].as_ref().err()
        ));
    }
    if best != Some(10) {
        return Err(format!("the best price is 10, not {best:?}"));
    }
    // Bounds, not timings: at least the slowest answer, well under the sequential sum.
    if took < Duration::from_millis(150) || took.as_millis() as u64 >= sequential {
        return Err(format!(
            "took {took:?}: not between the slowest answer and the sum"
        ));
    }
    system.shutdown().await.map_err(|e| e.to_string())?;
    Ok(())
}
