//! The baseline: plain tokio tasks owning an mpsc receiver, asked through a oneshot; a
//! watcher task that respawns a worker task after a panic or a stop.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::bench::{self, Latencies, Outcome, STARTED, Workload};

enum CountMsg {
    Inc(u64),
    Get(oneshot::Sender<u64>),
}

/// The counter: a task draining its channel.
async fn counter(mut rx: mpsc::Receiver<CountMsg>) {
    STARTED.tick();
    let mut total = 0u64;
    while let Some(msg) = rx.recv().await {
        match msg {
            CountMsg::Inc(n) => total += n,
            CountMsg::Get(reply) => {
                let _ = reply.send(total);
            }
        }
    }
}

async fn get(tx: &mpsc::Sender<CountMsg>) -> u64 {
    let (reply, answer) = oneshot::channel();
    tx.send(CountMsg::Get(reply)).await.expect("counter alive");
    answer.await.expect("an answer")
}

pub fn run(workload: Workload) -> Outcome {
    match workload {
        Workload::A64 | Workload::A64Ct => bench::run(workload, tell(64)),
        Workload::A1024 => bench::run(workload, tell(1024)),
        Workload::B | Workload::BCt => bench::run(workload, ask()),
        Workload::C => bench::run(workload, idle(bench::IDLE, true)),
        Workload::H => bench::run(workload, idle(bench::MILLION, false)),
        Workload::D => bench::run(workload, fan_in()),
        Workload::E | Workload::ECt => bench::run(workload, restart(RestartMsg::Panic)),
        Workload::F | Workload::FCt => bench::run(workload, restart(RestartMsg::Fail)),
        Workload::G => unreachable!("no raw one_for_all"),
    }
}

async fn tell(capacity: usize) -> Outcome {
    let (tx, rx) = mpsc::channel(capacity);
    let task = tokio::spawn(counter(rx));
    let start = Instant::now();
    for i in 0..bench::MESSAGES {
        tx.send(CountMsg::Inc(i)).await.expect("counter alive");
    }
    assert_eq!(get(&tx).await, bench::MESSAGES_SUM);
    let elapsed = start.elapsed();
    drop(tx);
    task.await.expect("counter task");
    Outcome::throughput(bench::MESSAGES, elapsed)
}

async fn ask() -> Outcome {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(counter(rx));
    let mut lat = Latencies::with_capacity(bench::ASKS);
    for i in 0..bench::ASK_WARMUP + bench::ASKS {
        let start = Instant::now();
        std::hint::black_box(get(&tx).await);
        if i >= bench::ASK_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}

/// Spawns `n` idle counters and waits until each has run; reads the memory; then, if `stop`,
/// stops them all (drops their senders) and joins them. The time covers all of it.
async fn idle(n: usize, stop: bool) -> Outcome {
    STARTED.expect(n);
    let before = bench::rss_bytes();
    let start = Instant::now();
    let mut senders = Vec::with_capacity(n);
    let mut tasks = Vec::with_capacity(n);
    for _ in 0..n {
        let (tx, rx) = mpsc::channel::<CountMsg>(64);
        tasks.push(tokio::spawn(counter(rx)));
        senders.push(tx);
    }
    STARTED.reached().await;
    let per_actor = (bench::rss_bytes() - before) as f64 / n as f64;
    if stop {
        drop(senders);
        for task in tasks {
            task.await.expect("counter task");
        }
    }
    Outcome::time_and_memory(start.elapsed(), per_actor)
}

async fn fan_in() -> Outcome {
    let (tx, rx) = mpsc::channel(bench::FAN_IN_CAPACITY);
    tokio::spawn(counter(rx));
    let start = Instant::now();
    let producers: Vec<_> = (0..bench::PRODUCERS)
        .map(|_| {
            let tx = tx.clone();
            tokio::spawn(async move {
                for _ in 0..bench::EACH {
                    tx.send(CountMsg::Inc(1)).await.expect("counter alive");
                }
            })
        })
        .collect();
    for p in producers {
        p.await.expect("producer");
    }
    assert_eq!(get(&tx).await, bench::PRODUCERS * bench::EACH);
    Outcome::throughput(bench::PRODUCERS * bench::EACH, start.elapsed())
}

#[derive(Clone, Copy)]
enum RestartMsg {
    Panic,
    Fail,
}

enum WorkMsg {
    Panic,
    Fail,
    Ping(oneshot::Sender<u64>),
}

/// One instance of the worker; true when it stopped to be restarted. The receiver outlives
/// the instance (behind a mutex), so queued messages survive a restart, as an actor's do.
async fn worker(rx: Arc<Mutex<mpsc::Receiver<WorkMsg>>>) -> bool {
    let instance = bench::new_instance();
    let mut rx = rx.lock().await;
    while let Some(msg) = rx.recv().await {
        match msg {
            WorkMsg::Panic => panic!("{}", bench::PANIC_MSG),
            WorkMsg::Fail => return true,
            WorkMsg::Ping(reply) => {
                let _ = reply.send(instance);
            }
        }
    }
    false
}

/// Respawns the worker after a panic (a `JoinError`) or a stop, until its channel closes.
async fn watcher(rx: mpsc::Receiver<WorkMsg>) {
    let rx = Arc::new(Mutex::new(rx));
    while !matches!(tokio::spawn(worker(rx.clone())).await, Ok(false)) {}
}

async fn ping(tx: &mpsc::Sender<WorkMsg>) -> Option<u64> {
    let (reply, answer) = oneshot::channel();
    tx.send(WorkMsg::Ping(reply)).await.ok()?;
    answer.await.ok()
}

async fn restart(how: RestartMsg) -> Outcome {
    bench::quiet_bench_panics();
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(watcher(rx));
    let mut last = ping(&tx).await.expect("first answer");
    let mut lat = Latencies::with_capacity(bench::RESTARTS);
    for i in 0..bench::RESTART_WARMUP + bench::RESTARTS {
        let start = Instant::now();
        let fail = match how {
            RestartMsg::Panic => WorkMsg::Panic,
            RestartMsg::Fail => WorkMsg::Fail,
        };
        tx.send(fail).await.expect("watcher alive");
        last = loop {
            match ping(&tx).await {
                Some(instance) if instance > last => break instance,
                _ => bench::retried(),
            }
        };
        if i >= bench::RESTART_WARMUP {
            lat.push(start.elapsed());
        }
    }
    lat.outcome()
}
