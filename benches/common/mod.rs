//! Shared pieces of the benches: the runtime every workload runs on, and the two actors.

#![allow(dead_code, unreachable_pub)]

use actors::prelude::*;
use tokio::runtime::Runtime;

/// The multi-thread runtime with 2 workers that DESIGN.md's table is measured on.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Runs `body` as a task on a worker of `rt` (not on the thread calling `block_on`), as an
/// application's code would run, and returns its output.
pub fn on_worker<F>(rt: &Runtime, body: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    rt.block_on(async move { tokio::spawn(body).await.expect("bench task") })
}

/// A 16-byte message: a counter increment, or the final ask that returns the count.
pub enum CountMsg {
    Inc(u64),
    Done { reply: Reply<u64> },
}

/// The raw baseline's message: the same shape with a tokio oneshot.
pub enum RawCountMsg {
    Inc(u64),
    Done(tokio::sync::oneshot::Sender<u64>),
}

/// Counts what it receives.
pub struct Counter {
    pub total: u64,
}

impl Actor for Counter {
    type Msg = CountMsg;

    async fn handle(&mut self, msg: CountMsg, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            CountMsg::Inc(n) => self.total += n,
            CountMsg::Done { reply } => {
                let _ = reply.send(self.total);
            }
        }
        Ok(())
    }
}

/// The raw baseline of `Counter`: a task draining an mpsc channel.
pub async fn raw_counter(mut rx: tokio::sync::mpsc::Receiver<RawCountMsg>) {
    let mut total = 0u64;
    while let Some(msg) = rx.recv().await {
        match msg {
            RawCountMsg::Inc(n) => total += n,
            RawCountMsg::Done(tx) => {
                let _ = tx.send(total);
            }
        }
    }
}

/// The restart benches' message: fail one way or the other, or answer.
pub enum WorkMsg {
    Panic,
    Fail,
    Ping { reply: Reply<u64> },
}

/// Fails as told; answers pings.
pub struct Worker;

impl Actor for Worker {
    type Msg = WorkMsg;

    async fn handle(&mut self, msg: WorkMsg, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            WorkMsg::Panic => panic!("bench panic"),
            WorkMsg::Fail => Err(ActorError::msg("bench failure")),
            WorkMsg::Ping { reply } => {
                let _ = reply.send(1);
                Ok(())
            }
        }
    }
}

/// `iters` rounds of `tells` tells and a final ask to a new `Counter` spawned on `system`;
/// the time of the sends and the ask.
pub async fn counter_rounds(system: ActorSystem, iters: u64, tells: u64) -> std::time::Duration {
    let mut total = std::time::Duration::ZERO;
    for _ in 0..iters {
        let counter = system.spawn(Counter { total: 0 }).unwrap();
        let start = std::time::Instant::now();
        for i in 0..tells {
            counter.tell(CountMsg::Inc(i)).await.unwrap();
        }
        let sum = counter.ask(|reply| CountMsg::Done { reply }).await.unwrap();
        total += start.elapsed();
        assert_eq!(sum, tells * (tells - 1) / 2);
        counter.stop();
        counter.wait().await;
    }
    total
}
