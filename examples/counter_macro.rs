//! A counter written with `#[actor]`: the twin of `examples/counter.rs`, which writes by hand
//! what this expands to. Both print the same transcript (a test checks it).
//!
//! Run it with `cargo run --example counter_macro`.

use std::time::Duration;

use actors::prelude::*;
use actors::{ChildSpec, Strategy, Supervisor};

/// Taking away more than the counter holds.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("cannot take {asked} from {total}")]
struct Underflow {
    asked: u64,
    total: u64,
}

/// Counts.
#[derive(Default)]
struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    /// Adds `n`.
    #[handler]
    fn add(&mut self, n: u64) {
        self.total += n;
    }

    /// The total.
    #[handler]
    fn get(&mut self) -> u64 {
        self.total
    }

    /// Takes `n` away, if there is that much.
    #[handler]
    async fn take(&mut self, n: u64) -> Result<u64, Underflow> {
        if n > self.total {
            return Err(Underflow {
                asked: n,
                total: self.total,
            });
        }
        self.total -= n;
        Ok(self.total)
    }

    /// A bug: panics.
    #[handler]
    fn crash(&mut self) {
        panic!("the counter crashed");
    }
}

/// The scenario both twins run; returns what it saw, line by line.
pub(crate) async fn transcript() -> Vec<String> {
    let mut out = Vec::new();
    let system = ActorSystem::new("counter").expect("a system");
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne)
                .child(ChildSpec::worker("counter", Counter::default)),
        )
        .await
        .expect("started");
    let counter = sup
        .child("counter")
        .and_then(|c| c.downcast::<Counter>())
        .expect("the counter");
    for n in [1, 2] {
        counter.add(n).await.expect("told");
    }
    // Every client method has a `_timeout` twin with one deadline for the whole send.
    counter
        .add_timeout(3, Duration::from_secs(1))
        .await
        .expect("told in time");
    out.push(format!("get = {:?}", counter.get().await));
    out.push(format!("take(4) = {:?}", counter.take(4).await));
    out.push(format!("take(9) = {:?}", counter.take(9).await));
    out.push(format!("get = {:?}", counter.get().await));
    counter.crash().await.expect("told");
    counter.add(10).await.expect("told");
    out.push(format!("after the crash: get = {:?}", counter.get().await));
    out.push(format!("generation = {}", counter.generation()));
    system.shutdown().await.expect("shut down");
    out
}

#[tokio::main]
async fn main() {
    // The crash is provoked: keep its panic message off the terminal.
    std::panic::set_hook(Box::new(|_| {}));
    for line in transcript().await {
        println!("{line}");
    }
}
