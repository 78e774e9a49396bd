//! kameo 0.22: an `Actor` (its `on_start` builds the state) with one `Message<T>` impl per
//! message type; `spawn_with_mailbox(.., mailbox::bounded(cap))`, `tell(..).await` (waits
//! for room in a bounded mailbox) and `ask(..).await`. Supervision is kameo's own:
//! `Worker::supervise(&supervisor, args)` children of a supervisor actor whose
//! `supervision_strategy()` is OneForOne or OneForAll; a restarted child keeps its `ActorRef`
//! and its mailbox. A failure is a panic (E) or a told message whose handler returns `Err` (F),
//! which kameo hands to `on_panic`, whose default stops the actor for its supervisor.

use std::time::{Duration, Instant};

use kameo::error::Infallible;
use kameo::prelude::*;
use kameo::supervision::SupervisionStrategy;

use crate::bench::{self, Latencies, Outcome, STARTED, Workload};

struct Counter {
    total: u64,
}

impl Actor for Counter {
    type Args = Self;
    type Error = Infallible;

    async fn on_start(state: Self, _actor_ref: ActorRef<Self>) -> Result<Self, Infallible> {
        STARTED.tick();
        Ok(state)
    }
}

struct Inc(u64);
struct Get;

impl Message<Inc> for Counter {
    type Reply = ();

    async fn handle(&mut self, Inc(n): Inc, _ctx: &mut Context<Self, ()>) {
        self.total += n;
    }
}

impl Message<Get> for Counter {
    type Reply = u64;

    async fn handle(&mut self, _: Get, _ctx: &mut Context<Self, u64>) -> u64 {
        self.total
    }
}

async fn get(counter: &ActorRef<Counter>) -> u64 {
    counter.ask(Get).await.expect("an answer")
}

pub fn run(workload: Workload) -> Outcome {
    match workload {
        Workload::A64 => bench::run(workload, tell(64)),
        Workload::A1024 => bench::run(workload, tell(1024)),
        Workload::B => bench::run(workload, ask()),
        Workload::C => bench::run(workload, idle(bench::IDLE)),
        Workload::D => bench::run(workload, fan_in()),
        Workload::E => bench::run(workload, restart(Failure::Panic)),
        Workload::F => bench::run(workload, restart(Failure::Err)),
        Workload::G => bench::run(workload, one_for_all()),
        other => unreachable!("kameo does not run {other:?}"),
    }
}

async fn tell(capacity: usize) -> Outcome {
    let counter = Counter::spawn_with_mailbox(Counter { total: 0 }, mailbox::bounded(capacity));
    let start = Instant::now();
    for i in 0..bench::MESSAGES {
        counter.tell(Inc(i)).await.expect("counter alive");
    }
    assert_eq!(get(&counter).await, bench::MESSAGES_SUM);
    Outcome::throughput(bench::MESSAGES, start.elapsed())
}

async fn ask() -> Outcome {
    let counter = Counter::spawn(Counter { total: 0 });
    let mut lat = Latencies::with_capacity(bench::ASKS);
    for i in 0..bench::ASK_WARMUP + bench::ASKS {
        let start = Instant::now();
        std::hint::black_box(get(&counter).await);
        if i >= bench::ASK_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}

/// `spawn` (the default bounded mailbox of 64) for each; `stop_gracefully` then
/// `wait_for_shutdown` for each.
async fn idle(n: usize) -> Outcome {
    STARTED.expect(n);
    let before = bench::rss_bytes();
    let start = Instant::now();
    let refs: Vec<_> = (0..n)
        .map(|_| Counter::spawn(Counter { total: 0 }))
        .collect();
    STARTED.reached().await;
    let per_actor = (bench::rss_bytes() - before) as f64 / n as f64;
    for r in &refs {
        r.stop_gracefully().await.expect("actor alive");
    }
    for r in &refs {
        r.wait_for_shutdown().await;
    }
    Outcome::time_and_memory(start.elapsed(), per_actor)
}

async fn fan_in() -> Outcome {
    let counter = Counter::spawn_with_mailbox(
        Counter { total: 0 },
        mailbox::bounded(bench::FAN_IN_CAPACITY),
    );
    let start = Instant::now();
    let producers: Vec<_> = (0..bench::PRODUCERS)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                for _ in 0..bench::EACH {
                    counter.tell(Inc(1)).await.expect("counter alive");
                }
            })
        })
        .collect();
    for p in producers {
        p.await.expect("producer");
    }
    assert_eq!(get(&counter).await, bench::PRODUCERS * bench::EACH);
    Outcome::throughput(bench::PRODUCERS * bench::EACH, start.elapsed())
}

/// Fails as told; answers a ping with the number of its instance (each `on_start` is a new one).
struct Worker {
    instance: u64,
}

impl Actor for Worker {
    type Args = ();
    type Error = Infallible;

    async fn on_start(_: (), _actor_ref: ActorRef<Self>) -> Result<Self, Infallible> {
        Ok(Worker {
            instance: bench::new_instance(),
        })
    }
}

struct Panic;
struct Fail;
struct Ping;

/// The error a failing handler returns.
#[derive(Debug)]
struct BenchFailure;

impl Message<Panic> for Worker {
    type Reply = ();

    async fn handle(&mut self, _: Panic, _ctx: &mut Context<Self, ()>) {
        panic!("{}", bench::PANIC_MSG);
    }
}

impl Message<Fail> for Worker {
    type Reply = Result<(), BenchFailure>;

    async fn handle(
        &mut self,
        _: Fail,
        _ctx: &mut Context<Self, Self::Reply>,
    ) -> Result<(), BenchFailure> {
        Err(BenchFailure)
    }
}

impl Message<Ping> for Worker {
    type Reply = u64;

    async fn handle(&mut self, _: Ping, _ctx: &mut Context<Self, u64>) -> u64 {
        self.instance
    }
}

#[derive(Clone, Copy)]
enum Failure {
    Panic,
    Err,
}

async fn fail(worker: &ActorRef<Worker>, how: Failure) {
    match how {
        Failure::Panic => worker.tell(Panic).await.expect("worker alive"),
        Failure::Err => worker.tell(Fail).await.expect("worker alive"),
    }
}

/// Asks `worker` until an instance later than `last` answers.
async fn answered_after(worker: &ActorRef<Worker>, last: u64) -> u64 {
    loop {
        if let Ok(instance) = worker.ask(Ping).await
            && instance > last
        {
            return instance;
        }
        bench::retried();
    }
}

/// A supervisor with no behaviour of its own.
struct OneForOne;

impl Actor for OneForOne {
    type Args = ();
    type Error = Infallible;

    async fn on_start(_: (), _actor_ref: ActorRef<Self>) -> Result<Self, Infallible> {
        Ok(OneForOne)
    }
}

struct OneForAll;

impl Actor for OneForAll {
    type Args = ();
    type Error = Infallible;

    fn supervision_strategy() -> SupervisionStrategy {
        SupervisionStrategy::OneForAll
    }

    async fn on_start(_: (), _actor_ref: ActorRef<Self>) -> Result<Self, Infallible> {
        Ok(OneForAll)
    }
}

/// A child of `supervisor` that may restart without limit (the default is 5 in 5 s).
async fn supervised<S: Actor>(supervisor: &ActorRef<S>) -> ActorRef<Worker> {
    Worker::supervise(supervisor, ())
        .restart_limit(u32::MAX, Duration::from_secs(1))
        .spawn()
        .await
}

async fn restart(how: Failure) -> Outcome {
    bench::quiet_bench_panics();
    let supervisor = OneForOne::spawn(());
    let worker = supervised(&supervisor).await;
    let mut last = answered_after(&worker, 0).await;
    let mut lat = Latencies::with_capacity(bench::RESTARTS);
    for i in 0..bench::RESTART_WARMUP + bench::RESTARTS {
        let start = Instant::now();
        fail(&worker, how).await;
        last = answered_after(&worker, last).await;
        if i >= bench::RESTART_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}

async fn one_for_all() -> Outcome {
    let supervisor = OneForAll::spawn(());
    let mut children = Vec::with_capacity(bench::GROUP);
    for _ in 0..bench::GROUP {
        children.push(supervised(&supervisor).await);
    }
    let mut last = Vec::with_capacity(bench::GROUP);
    for child in &children {
        last.push(answered_after(child, 0).await);
    }
    let mut lat = Latencies::with_capacity(bench::GROUP_RESTARTS);
    for i in 0..bench::GROUP_WARMUP + bench::GROUP_RESTARTS {
        let start = Instant::now();
        fail(&children[0], Failure::Err).await;
        for (child, last) in children.iter().zip(&mut last) {
            *last = answered_after(child, *last).await;
        }
        if i >= bench::GROUP_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}
