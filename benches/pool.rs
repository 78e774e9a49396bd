//! Issue 8: pool throughput. 200,000 CPU-light jobs (an addition each) submitted from one
//! task to a `Pool` of 1, 2 and 8 workers (round robin, mailbox 64), then one ask per worker
//! to know they are all handled; beside a raw tokio pool in the same run: N tasks each
//! draining its own bounded mpsc channel (capacity 64), jobs sent round robin with
//! `send().await`, then a oneshot per task.

use std::time::{Duration, Instant};

use actors::prelude::*;
use actors::{Pool, Routing};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::sync::{mpsc, oneshot};

#[path = "common/mod.rs"]
mod common;
use common::{CountMsg, Counter, RawCountMsg, raw_counter};

const JOBS: u64 = 200_000;
const CAPACITY: usize = 64;
const SUM: u64 = JOBS * (JOBS - 1) / 2;

async fn raw_rounds(iters: u64, workers: usize) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let mut senders = Vec::new();
        let mut tasks = Vec::new();
        for _ in 0..workers {
            let (tx, rx) = mpsc::channel(CAPACITY);
            senders.push(tx);
            tasks.push(tokio::spawn(raw_counter(rx)));
        }
        let start = Instant::now();
        for i in 0..JOBS {
            let worker = &senders[i as usize % workers];
            worker.send(RawCountMsg::Inc(i)).await.unwrap();
        }
        let mut sum = 0;
        for tx in &senders {
            let (done, got) = oneshot::channel();
            tx.send(RawCountMsg::Done(done)).await.unwrap();
            sum += got.await.unwrap();
        }
        total += start.elapsed();
        assert_eq!(sum, SUM);
        drop(senders);
        for task in tasks {
            task.await.unwrap();
        }
    }
    total
}

async fn pool_rounds(system: ActorSystem, iters: u64, workers: usize) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let pool = Pool::builder(|| Counter { total: 0 })
            .size(workers)
            .routing(Routing::RoundRobin)
            .mailbox(CAPACITY)
            .start(&system, "pool")
            .await
            .unwrap();
        let start = Instant::now();
        for i in 0..JOBS {
            pool.submit(CountMsg::Inc(i))
                .await
                .unwrap_or_else(|_| panic!("submitted"));
        }
        let mut sum = 0;
        for worker in pool.worker_refs() {
            sum += worker.ask(|reply| CountMsg::Done { reply }).await.unwrap();
        }
        total += start.elapsed();
        assert_eq!(sum, SUM);
        pool.shutdown().await;
    }
    total
}

fn pool(c: &mut Criterion) {
    let rt = common::runtime();
    let system = ActorSystem::new("bench").unwrap();
    let mut group = c.benchmark_group("P_pool_200k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    for workers in [1, 2, 8] {
        group.bench_function(format!("raw/{workers}"), |b| {
            b.iter_custom(|iters| common::on_worker(&rt, raw_rounds(iters, workers)));
        });
        group.bench_function(format!("pool/{workers}"), |b| {
            b.iter_custom(|iters| {
                common::on_worker(&rt, pool_rounds(system.clone(), iters, workers))
            });
        });
    }
    group.finish();
    rt.block_on(async { system.shutdown().await.unwrap() });
}

criterion_group!(benches, pool);
criterion_main!(benches);
