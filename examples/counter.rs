//! A counter written by hand: the twin of `examples/counter_macro.rs`, spelling out what
//! `#[actor]` generates (the message enum, the dispatch in `handle`, the typed client). Both
//! print the same transcript (a test checks it).
//!
//! Run it with `cargo run --example counter`.

use std::future::Future;
use std::time::Duration;

use actors::prelude::*;
use actors::{ChildSpec, SendError, SendTimeoutError, Strategy, Supervisor};

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

impl Counter {
    fn add(&mut self, n: u64) {
        self.total += n;
    }

    fn get(&mut self) -> u64 {
        self.total
    }

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

    fn crash(&mut self) {
        panic!("the counter crashed");
    }
}

/// One variant per handler; a `reply` where the handler returns a value (an `Option` for a
/// `Result`: `None` when told).
enum CounterMsg {
    /// `add`.
    Add { n: u64 },
    /// `get`.
    Get { reply: Reply<u64> },
    /// `take`.
    Take {
        n: u64,
        reply: Option<Reply<Result<u64, Underflow>>>,
    },
    /// `crash`.
    Crash {},
}

impl Actor for Counter {
    type Msg = CounterMsg;

    async fn handle(
        &mut self,
        msg: CounterMsg,
        _ctx: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        match msg {
            CounterMsg::Add { n } => self.add(n),
            CounterMsg::Get { reply } => {
                let value = self.get();
                let _ = reply.send(value);
            }
            CounterMsg::Take { n, reply } => {
                let result = self.take(n).await;
                // The asker gets the `Result`; told (no reply), an `Err` fails the instance.
                match reply {
                    Some(reply) => drop(reply.send(result)),
                    None => drop(result.map_err(ActorError::from)?),
                }
            }
            CounterMsg::Crash {} => self.crash(),
        }
        Ok(())
    }
}

/// The typed client: an ask for handlers that return a value, a tell for the others.
trait CounterClient {
    /// Tells `add`.
    fn add(&self, n: u64) -> impl Future<Output = Result<(), SendError<CounterMsg>>> + Send;
    /// Tells `add` under a deadline.
    fn add_timeout(
        &self,
        n: u64,
        timeout: Duration,
    ) -> impl Future<Output = Result<(), SendTimeoutError<CounterMsg>>> + Send;
    /// Asks `get`.
    fn get(&self) -> impl Future<Output = Result<u64, AskError>> + Send;
    /// Asks `take`.
    fn take(&self, n: u64)
    -> impl Future<Output = Result<Result<u64, Underflow>, AskError>> + Send;
    /// Tells `crash`.
    fn crash(&self) -> impl Future<Output = Result<(), SendError<CounterMsg>>> + Send;
}

impl CounterClient for ActorRef<Counter> {
    fn add(&self, n: u64) -> impl Future<Output = Result<(), SendError<CounterMsg>>> + Send {
        self.tell(CounterMsg::Add { n })
    }

    fn add_timeout(
        &self,
        n: u64,
        timeout: Duration,
    ) -> impl Future<Output = Result<(), SendTimeoutError<CounterMsg>>> + Send {
        self.tell_timeout(CounterMsg::Add { n }, timeout)
    }

    fn get(&self) -> impl Future<Output = Result<u64, AskError>> + Send {
        self.ask(|reply| CounterMsg::Get { reply })
    }

    fn take(
        &self,
        n: u64,
    ) -> impl Future<Output = Result<Result<u64, Underflow>, AskError>> + Send {
        self.ask(move |reply| CounterMsg::Take {
            n,
            reply: Some(reply),
        })
    }

    fn crash(&self) -> impl Future<Output = Result<(), SendError<CounterMsg>>> + Send {
        self.tell(CounterMsg::Crash {})
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
