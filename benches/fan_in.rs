//! Workload D: 100 producers tell 10k messages each to one actor (capacity 1024), beside 100
//! producers sending into one raw tokio mpsc channel, in the same run.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common/mod.rs"]
mod common;
use common::{CountMsg, Counter, RawCountMsg, raw_counter};

const PRODUCERS: u64 = 100;
const EACH: u64 = 10_000;
const CAPACITY: usize = 1024;
const EXPECTED: u64 = PRODUCERS * EACH;

fn fan_in(c: &mut Criterion) {
    let rt = common::runtime();
    let mut group = c.benchmark_group("D_fan_in_100x10k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| {
            common::on_worker(&rt, async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (tx, rx) = tokio::sync::mpsc::channel(CAPACITY);
                    let consumer = tokio::spawn(raw_counter(rx));
                    let start = Instant::now();
                    let producers: Vec<_> = (0..PRODUCERS)
                        .map(|_| {
                            let tx = tx.clone();
                            tokio::spawn(async move {
                                for _ in 0..EACH {
                                    tx.send(RawCountMsg::Inc(1)).await.unwrap();
                                }
                            })
                        })
                        .collect();
                    for p in producers {
                        p.await.unwrap();
                    }
                    let (done, got) = tokio::sync::oneshot::channel();
                    tx.send(RawCountMsg::Done(done)).await.unwrap();
                    assert_eq!(got.await.unwrap(), EXPECTED);
                    total += start.elapsed();
                    drop(tx);
                    consumer.await.unwrap();
                }
                total
            })
        });
    });
    group.bench_function("actors", |b| {
        b.iter_custom(|iters| {
            common::on_worker(&rt, async move {
                let system = actors::ActorSystem::new("bench").unwrap();
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let counter = system
                        .spawn_builder(Counter { total: 0 })
                        .mailbox(CAPACITY)
                        .spawn()
                        .unwrap();
                    let start = Instant::now();
                    let producers: Vec<_> = (0..PRODUCERS)
                        .map(|_| {
                            let counter = counter.clone();
                            tokio::spawn(async move {
                                for _ in 0..EACH {
                                    counter.tell(CountMsg::Inc(1)).await.unwrap();
                                }
                            })
                        })
                        .collect();
                    for p in producers {
                        p.await.unwrap();
                    }
                    let sum = counter.ask(|reply| CountMsg::Done { reply }).await.unwrap();
                    assert_eq!(sum, EXPECTED);
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

criterion_group!(benches, fan_in);
criterion_main!(benches);
