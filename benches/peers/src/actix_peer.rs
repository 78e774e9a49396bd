//! actix 0.13: `Actor` with `Context<Self>`, one `Handler<M>` per message, `do_send` for a
//! tell (it queues even past the mailbox capacity: unbounded) and `send(..).await` for an ask.
//! An actor runs on the thread of its arbiter. In the main table the actors run on actix
//! `Arbiter` threads (one, or two for C) and the callers on the same 2-worker tokio runtime as
//! the other systems; in the current-thread table everything runs inside `System::block_on`.
//! Restarts: `actix::Supervisor` restarts a `Supervised` actor in place (`restarting`, then a
//! new lifecycle on the same mailbox) after the handler stops its context with `ctx.stop()`,
//! actix's way to fail. A panic is not caught, and there is no one_for_all (see the notes).

use std::time::Instant;

use actix::prelude::*;
use tokio::sync::oneshot;

use crate::bench::{self, Latencies, Outcome, STARTED, STOPPED, Workload};

struct Counter {
    total: u64,
}

impl Actor for Counter {
    type Context = Context<Self>;

    fn started(&mut self, _ctx: &mut Context<Self>) {
        STARTED.tick();
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        STOPPED.tick();
    }
}

struct Inc(u64);

impl Message for Inc {
    type Result = ();
}

struct Get;

impl Message for Get {
    type Result = u64;
}

impl Handler<Inc> for Counter {
    type Result = ();

    fn handle(&mut self, Inc(n): Inc, _ctx: &mut Context<Self>) {
        self.total += n;
    }
}

impl Handler<Get> for Counter {
    type Result = u64;

    fn handle(&mut self, _: Get, _ctx: &mut Context<Self>) -> u64 {
        self.total
    }
}

async fn get(counter: &Addr<Counter>) -> u64 {
    counter.send(Get).await.expect("an answer")
}

pub fn run(workload: Workload) -> Outcome {
    match workload {
        Workload::A64 => on_arbiter(workload, |ctx| counter(ctx, 64), tell),
        Workload::A1024 => on_arbiter(workload, |ctx| counter(ctx, 1024), tell),
        Workload::B => on_arbiter(workload, |ctx| counter(ctx, 16), ask),
        Workload::C => idle(bench::IDLE),
        Workload::D => on_arbiter(workload, |ctx| counter(ctx, bench::FAN_IN_CAPACITY), fan_in),
        Workload::F => {
            let system = System::new();
            let arbiter = Arbiter::new();
            let worker = Supervisor::start_in_arbiter(&arbiter.handle(), |_| Worker::new());
            let outcome = bench::run(workload, restart(worker));
            drop(system);
            outcome
        }
        Workload::A64Ct => System::new().block_on(async { tell(counter_here(64)).await }),
        Workload::BCt => System::new().block_on(async { ask(counter_here(16)).await }),
        Workload::FCt => System::new().block_on(async {
            let worker = Supervisor::start(|_| Worker::new());
            restart(worker).await
        }),
        other => unreachable!("actix does not run {other:?}"),
    }
}

/// A counter with a mailbox of `capacity` (it bounds `send`; `do_send` ignores it).
fn counter(ctx: &mut Context<Counter>, capacity: usize) -> Counter {
    ctx.set_mailbox_capacity(capacity);
    Counter { total: 0 }
}

fn counter_here(capacity: usize) -> Addr<Counter> {
    Counter::create(|ctx| counter(ctx, capacity))
}

/// Starts a counter on an arbiter thread, then runs `body` with its address on a worker of the
/// 2-worker tokio runtime.
fn on_arbiter<F, Fut>(
    workload: Workload,
    make: fn(&mut Context<Counter>) -> Counter,
    body: F,
) -> Outcome
where
    F: FnOnce(Addr<Counter>) -> Fut,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let system = System::new();
    let arbiter = Arbiter::new();
    let counter = Counter::start_in_arbiter(&arbiter.handle(), make);
    let outcome = bench::run(workload, body(counter));
    drop(system);
    outcome
}

async fn tell(counter: Addr<Counter>) -> Outcome {
    let start = Instant::now();
    for i in 0..bench::MESSAGES {
        counter.do_send(Inc(i));
    }
    assert_eq!(get(&counter).await, bench::MESSAGES_SUM);
    Outcome::throughput(bench::MESSAGES, start.elapsed())
}

async fn ask(counter: Addr<Counter>) -> Outcome {
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

async fn fan_in(counter: Addr<Counter>) -> Outcome {
    let start = Instant::now();
    let producers: Vec<_> = (0..bench::PRODUCERS)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                for _ in 0..bench::EACH {
                    counter.do_send(Inc(1));
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

/// Half of the actors on each of two arbiters (one per core), each started with `start` (the
/// default mailbox of 16) by a task on that arbiter, which keeps their addresses; dropping the
/// addresses stops them (an actix actor stops once no address is left), and each `stopped`
/// ticks a counter.
fn idle(n: usize) -> Outcome {
    let system = System::new();
    let arbiters = [Arbiter::new(), Arbiter::new()];
    let handles: Vec<ArbiterHandle> = arbiters.iter().map(Arbiter::handle).collect();
    let outcome = bench::run(Workload::C, async move {
        STARTED.expect(n);
        STOPPED.expect(n);
        let before = bench::rss_bytes();
        let start = Instant::now();
        let mut stops = Vec::new();
        for (i, arbiter) in handles.iter().enumerate() {
            let share = n / handles.len() + usize::from(i < n % handles.len());
            let (stop, stopped) = oneshot::channel::<()>();
            arbiter.spawn(async move {
                let addrs: Vec<Addr<Counter>> =
                    (0..share).map(|_| Counter { total: 0 }.start()).collect();
                let _ = stopped.await;
                drop(addrs);
            });
            stops.push(stop);
        }
        STARTED.reached().await;
        let per_actor = (bench::rss_bytes() - before) as f64 / n as f64;
        for stop in stops {
            let _ = stop.send(());
        }
        STOPPED.reached().await;
        Outcome::time_and_memory(start.elapsed(), per_actor)
    });
    drop(system);
    outcome
}

/// Fails as told (stops its context); answers a ping with the number of its instance.
struct Worker {
    instance: u64,
}

impl Worker {
    fn new() -> Self {
        Worker {
            instance: bench::new_instance(),
        }
    }
}

impl Actor for Worker {
    type Context = Context<Self>;
}

impl Supervised for Worker {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        self.instance = bench::new_instance();
    }
}

struct Fail;

impl Message for Fail {
    type Result = ();
}

struct Ping;

impl Message for Ping {
    type Result = u64;
}

impl Handler<Fail> for Worker {
    type Result = ();

    fn handle(&mut self, _: Fail, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

impl Handler<Ping> for Worker {
    type Result = u64;

    fn handle(&mut self, _: Ping, _ctx: &mut Context<Self>) -> u64 {
        self.instance
    }
}

/// Asks `worker` until an instance later than `last` answers.
async fn answered_after(worker: &Addr<Worker>, last: u64) -> u64 {
    loop {
        if let Ok(instance) = worker.send(Ping).await
            && instance > last
        {
            return instance;
        }
        bench::retried();
    }
}

async fn restart(worker: Addr<Worker>) -> Outcome {
    let mut last = answered_after(&worker, 0).await;
    let mut lat = Latencies::with_capacity(bench::RESTARTS);
    for i in 0..bench::RESTART_WARMUP + bench::RESTARTS {
        let start = Instant::now();
        worker.do_send(Fail);
        last = answered_after(&worker, last).await;
        if i >= bench::RESTART_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}
