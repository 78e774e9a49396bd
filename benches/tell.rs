//! Workload A: one producer tells 1M messages to one actor, beside a task draining a raw
//! tokio mpsc channel of the same capacity, in the same run.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common/mod.rs"]
mod common;
use common::{CountMsg, Counter, RawCountMsg, raw_counter};

const MESSAGES: u64 = 1_000_000;

fn tell(c: &mut Criterion) {
    let rt = common::runtime();
    let mut group = c.benchmark_group("A_tell_1M");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    for capacity in [64usize, 1024] {
        group.bench_function(format!("raw/cap{capacity}"), |b| {
            b.iter_custom(|iters| {
                common::on_worker(&rt, async move {
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
                        let sum = got.await.unwrap();
                        total += start.elapsed();
                        assert_eq!(sum, MESSAGES * (MESSAGES - 1) / 2);
                        drop(tx);
                        consumer.await.unwrap();
                    }
                    total
                })
            });
        });
        group.bench_function(format!("actors/cap{capacity}"), |b| {
            b.iter_custom(|iters| {
                common::on_worker(&rt, async move {
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
                        assert_eq!(sum, MESSAGES * (MESSAGES - 1) / 2);
                        counter.stop();
                        counter.wait().await;
                    }
                    system.shutdown().await.unwrap();
                    total
                })
            });
        });
    }
    group.finish();
}

/// The same workload on a current-thread runtime: no stealing, no cross-core wake-ups, so the
/// ratio shows the per-message CPU cost alone.
fn tell_current_thread(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("A_tell_1M_current_thread");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(6))
        .warm_up_time(Duration::from_secs(1));
    let capacity: usize = std::env::var("XP_CAP")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    group.bench_function("raw/cap64", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async move {
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
                    assert_eq!(got.await.unwrap(), MESSAGES * (MESSAGES - 1) / 2);
                    total += start.elapsed();
                    drop(tx);
                    consumer.await.unwrap();
                }
                total
            })
        });
    });
    group.bench_function("actors/cap64", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async move {
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
                    assert_eq!(sum, MESSAGES * (MESSAGES - 1) / 2);
                    total += start.elapsed();
                    counter.stop();
                    counter.wait().await;
                }
                system.shutdown().await.unwrap();
                total
            })
        });
    });
    group.finish();
}

criterion_group!(benches, tell, tell_current_thread);
criterion_main!(benches);
