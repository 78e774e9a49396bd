//! Workload C (time): spawn 100k idle actors, then stop them all and wait for every exit,
//! beside 100k raw tasks each owning an mpsc receiver, in the same run.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common/mod.rs"]
mod common;
use common::{Counter, RawCountMsg, raw_counter};

const ACTORS: usize = 100_000;

fn spawn_stop(c: &mut Criterion) {
    let rt = common::runtime();
    let mut group = c.benchmark_group("C_spawn_stop_100k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| {
            common::on_worker(&rt, async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let mut handles = Vec::with_capacity(ACTORS);
                    let mut senders = Vec::with_capacity(ACTORS);
                    for _ in 0..ACTORS {
                        let (tx, rx) = tokio::sync::mpsc::channel::<RawCountMsg>(64);
                        handles.push(tokio::spawn(raw_counter(rx)));
                        senders.push(tx);
                    }
                    drop(senders);
                    for h in handles {
                        h.await.unwrap();
                    }
                    total += start.elapsed();
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
                    let start = Instant::now();
                    let refs: Vec<_> = (0..ACTORS)
                        .map(|_| system.spawn(Counter { total: 0 }).unwrap())
                        .collect();
                    for r in &refs {
                        r.stop();
                    }
                    for r in &refs {
                        r.wait().await;
                    }
                    total += start.elapsed();
                }
                system.shutdown().await.unwrap();
                total
            })
        });
    });
    group.finish();
}

criterion_group!(benches, spawn_stop);
criterion_main!(benches);
