//! Workload B: ask round trips, one after another from a task on a worker, beside a raw tokio
//! mpsc carrying a oneshot sender, in the same run. Criterion's median of the per-sample means
//! stands for the p50.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common/mod.rs"]
mod common;
use common::{CountMsg, Counter, RawCountMsg, raw_counter};

fn ask(c: &mut Criterion) {
    let rt = common::runtime();
    let mut group = c.benchmark_group("B_ask_round_trip");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));

    let (tx, rx) = tokio::sync::mpsc::channel(64);
    rt.spawn(raw_counter(rx));
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| {
            let tx = tx.clone();
            common::on_worker(&rt, async move {
                let start = Instant::now();
                for _ in 0..iters {
                    let (done, got) = tokio::sync::oneshot::channel();
                    tx.send(RawCountMsg::Done(done)).await.unwrap();
                    std::hint::black_box(got.await.unwrap());
                }
                start.elapsed()
            })
        });
    });

    let system = actors::ActorSystem::new("bench").unwrap();
    let counter = rt.block_on(async { system.spawn(Counter { total: 0 }).unwrap() });
    group.bench_function("actors", |b| {
        b.iter_custom(|iters| {
            let counter = counter.clone();
            common::on_worker(&rt, async move {
                let start = Instant::now();
                for _ in 0..iters {
                    std::hint::black_box(
                        counter.ask(|reply| CountMsg::Done { reply }).await.unwrap(),
                    );
                }
                start.elapsed()
            })
        });
    });
    group.finish();
    rt.block_on(async { system.shutdown().await.unwrap() });
}

criterion_group!(benches, ask);
criterion_main!(benches);
