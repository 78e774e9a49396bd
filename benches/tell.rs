//! Workload A: one producer tells 1M messages to one actor, beside a task draining a raw
//! tokio mpsc channel of the same capacity, in the same run. Measured on the multi-thread
//! runtime (2 workers) at capacities 64 and 1024, and on a current-thread runtime at 64, where
//! there is no stealing or cross-core wake-up and the ratio shows the per-message CPU cost.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;

#[path = "common/mod.rs"]
mod common;
use common::{CountMsg, Counter, RawCountMsg, raw_counter};

const MESSAGES: u64 = 1_000_000;
const SUM: u64 = MESSAGES * (MESSAGES - 1) / 2;

/// `iters` rounds of the raw workload; the time of the sends and the final round trip.
async fn raw_rounds(iters: u64, capacity: usize) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let (tx, rx) = tokio::sync::mpsc::channel(capacity);
        let consumer = tokio::spawn(raw_counter(rx));
        let start = Instant::now();
        for i in 0..MESSAGES {
            tx.send(RawCountMsg::Inc(i)).await.unwrap();
        }
        let (done, got) = tokio::sync::oneshot::channel();
        tx.send(RawCountMsg::Done(done)).await.unwrap();
        assert_eq!(got.await.unwrap(), SUM);
        total += start.elapsed();
        drop(tx);
        consumer.await.unwrap();
    }
    total
}

/// `iters` rounds of the same workload through an actor.
async fn actor_rounds(iters: u64, capacity: usize) -> Duration {
    let system = actors::ActorSystem::new("bench").unwrap();
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let counter = system
            .spawn_builder(Counter { total: 0 })
            .mailbox(capacity)
            .spawn()
            .unwrap();
        let start = Instant::now();
        for i in 0..MESSAGES {
            counter.tell(CountMsg::Inc(i)).await.unwrap();
        }
        let sum = counter.ask(|reply| CountMsg::Done { reply }).await.unwrap();
        total += start.elapsed();
        assert_eq!(sum, SUM);
        counter.stop();
        counter.wait().await;
    }
    system.shutdown().await.unwrap();
    total
}

fn bench_on(c: &mut Criterion, group: &str, rt: &Runtime, on_worker: bool, capacities: &[usize]) {
    let mut group = c.benchmark_group(group);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    let run = |body: std::pin::Pin<Box<dyn std::future::Future<Output = Duration> + Send>>| {
        if on_worker {
            common::on_worker(rt, body)
        } else {
            rt.block_on(body)
        }
    };
    for &capacity in capacities {
        group.bench_function(format!("raw/cap{capacity}"), |b| {
            b.iter_custom(|iters| run(Box::pin(raw_rounds(iters, capacity))));
        });
        group.bench_function(format!("actors/cap{capacity}"), |b| {
            b.iter_custom(|iters| run(Box::pin(actor_rounds(iters, capacity))));
        });
    }
    group.finish();
}

fn tell(c: &mut Criterion) {
    bench_on(c, "A_tell_1M", &common::runtime(), true, &[64, 1024]);
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    bench_on(c, "A_tell_1M_current_thread", &current, false, &[64]);
}

criterion_group!(benches, tell);
criterion_main!(benches);
