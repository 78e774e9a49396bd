//! `actors`: actors written by hand (`type Msg` and `async fn handle`), spawned on an
//! `ActorSystem`, told with `tell().await` (waits for room) and asked with `ask`; restarts
//! by a `Supervisor` (OneForOne or OneForAll) whose children keep their `ActorRef` and
//! mailbox across a restart.

use std::time::{Duration, Instant};

use actors::prelude::*;
use actors::{ChildSpec, Strategy, Supervisor};

use crate::bench::{self, Latencies, Outcome, STARTED, Workload};

enum CountMsg {
    Inc(u64),
    Get { reply: Reply<u64> },
}

struct Counter {
    total: u64,
}

impl Actor for Counter {
    type Msg = CountMsg;

    async fn started(&mut self, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
        STARTED.tick();
        Ok(())
    }

    async fn handle(&mut self, msg: CountMsg, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            CountMsg::Inc(n) => self.total += n,
            CountMsg::Get { reply } => {
                let _ = reply.send(self.total);
            }
        }
        Ok(())
    }
}

async fn get(counter: &ActorRef<Counter>) -> u64 {
    counter
        .ask(|reply| CountMsg::Get { reply })
        .await
        .expect("an answer")
}

pub fn run(workload: Workload) -> Outcome {
    match workload {
        Workload::A64 | Workload::A64Ct => bench::run(workload, tell(64)),
        Workload::A1024 => bench::run(workload, tell(1024)),
        Workload::B | Workload::BCt => bench::run(workload, ask()),
        Workload::C => bench::run(workload, idle(bench::IDLE, true)),
        Workload::H => bench::run(workload, idle(bench::MILLION, false)),
        Workload::D => bench::run(workload, fan_in()),
        Workload::E | Workload::ECt => bench::run(workload, restart(|| WorkMsg::Panic)),
        Workload::F | Workload::FCt => bench::run(workload, restart(|| WorkMsg::Fail)),
        Workload::G => bench::run(workload, one_for_all()),
    }
}

fn system() -> ActorSystem {
    ActorSystem::new("peers").expect("an actor system")
}

async fn tell(capacity: usize) -> Outcome {
    let system = system();
    let counter = system
        .spawn_builder(Counter { total: 0 })
        .mailbox(capacity)
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    for i in 0..bench::MESSAGES {
        counter.tell(CountMsg::Inc(i)).await.expect("counter alive");
    }
    assert_eq!(get(&counter).await, bench::MESSAGES_SUM);
    Outcome::throughput(bench::MESSAGES, start.elapsed())
}

async fn ask() -> Outcome {
    let system = system();
    let counter = system.spawn(Counter { total: 0 }).expect("spawn");
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

async fn idle(n: usize, stop: bool) -> Outcome {
    let system = system();
    STARTED.expect(n);
    let before = bench::rss_bytes();
    let start = Instant::now();
    let refs: Vec<_> = (0..n)
        .map(|_| system.spawn(Counter { total: 0 }).expect("spawn"))
        .collect();
    STARTED.reached().await;
    let per_actor = (bench::rss_bytes() - before) as f64 / n as f64;
    if stop {
        for r in &refs {
            r.stop();
        }
        for r in &refs {
            r.wait().await;
        }
    } else {
        std::mem::forget(refs);
    }
    Outcome::time_and_memory(start.elapsed(), per_actor)
}

async fn fan_in() -> Outcome {
    let system = system();
    let counter = system
        .spawn_builder(Counter { total: 0 })
        .mailbox(bench::FAN_IN_CAPACITY)
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    let producers: Vec<_> = (0..bench::PRODUCERS)
        .map(|_| {
            let counter = counter.clone();
            tokio::spawn(async move {
                for _ in 0..bench::EACH {
                    counter.tell(CountMsg::Inc(1)).await.expect("counter alive");
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

enum WorkMsg {
    Panic,
    Fail,
    Ping { reply: Reply<u64> },
}

/// Fails as told; answers a ping with the number of its instance.
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
    type Msg = WorkMsg;

    async fn handle(&mut self, msg: WorkMsg, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            WorkMsg::Panic => panic!("{}", bench::PANIC_MSG),
            WorkMsg::Fail => Err(ActorError::msg("bench failure")),
            WorkMsg::Ping { reply } => {
                let _ = reply.send(self.instance);
                Ok(())
            }
        }
    }
}

/// Asks `worker` until an instance later than `last` answers (an ask that reaches the failing
/// instance is answered with an error, or by the old instance, and is asked again).
async fn answered_after(worker: &ActorRef<Worker>, last: u64) -> u64 {
    loop {
        if let Ok(instance) = worker.ask(|reply| WorkMsg::Ping { reply }).await
            && instance > last
        {
            return instance;
        }
        bench::retried();
    }
}

fn unlimited(strategy: Strategy) -> Supervisor {
    Supervisor::new(strategy).intensity(u32::MAX, Duration::from_millis(1))
}

async fn restart(fail: fn() -> WorkMsg) -> Outcome {
    bench::quiet_bench_panics();
    let system = system();
    let sup = system
        .start_supervisor(
            "one",
            unlimited(Strategy::OneForOne).child(ChildSpec::worker("worker", Worker::new)),
        )
        .await
        .expect("supervisor");
    let worker = sup
        .child("worker")
        .and_then(|c| c.downcast::<Worker>())
        .expect("the worker");
    let mut last = answered_after(&worker, 0).await;
    let mut lat = Latencies::with_capacity(bench::RESTARTS);
    for i in 0..bench::RESTART_WARMUP + bench::RESTARTS {
        let start = Instant::now();
        worker.tell(fail()).await.expect("worker alive");
        last = answered_after(&worker, last).await;
        if i >= bench::RESTART_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}

async fn one_for_all() -> Outcome {
    let system = system();
    let sup = system
        .start_supervisor(
            "all",
            unlimited(Strategy::OneForAll).children(
                (0..bench::GROUP).map(|i| ChildSpec::worker(format!("w{i}"), Worker::new)),
            ),
        )
        .await
        .expect("supervisor");
    let children: Vec<ActorRef<Worker>> = sup
        .children()
        .iter()
        .map(|c| c.downcast::<Worker>().expect("a worker"))
        .collect();
    let mut last = Vec::with_capacity(bench::GROUP);
    for child in &children {
        last.push(answered_after(child, 0).await);
    }
    let mut lat = Latencies::with_capacity(bench::GROUP_RESTARTS);
    for i in 0..bench::GROUP_WARMUP + bench::GROUP_RESTARTS {
        let start = Instant::now();
        children[0].tell(WorkMsg::Fail).await.expect("worker alive");
        for (child, last) in children.iter().zip(&mut last) {
            *last = answered_after(child, *last).await;
        }
        if i >= bench::GROUP_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}
