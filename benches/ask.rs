//! Workload B: one ask round trip (request in, answer out), beside a raw tokio mpsc carrying a
//! oneshot sender, in the same run. Criterion's median of per-sample means stands for the p50.

use std::time::Duration;

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
        b.to_async(&rt).iter(|| async {
            let (done, got) = tokio::sync::oneshot::channel();
            tx.send(RawCountMsg::Done(done)).await.unwrap();
            got.await.unwrap()
        });
    });

    let system = actors::ActorSystem::new("bench").unwrap();
    let counter = rt.block_on(async { system.spawn(Counter { total: 0 }).unwrap() });
    group.bench_function("actors", |b| {
        b.to_async(&rt)
            .iter(|| async { counter.ask(|reply| CountMsg::Done { reply }).await.unwrap() });
    });
    group.finish();
    rt.block_on(async { system.shutdown().await.unwrap() });
}

criterion_group!(benches, ask);
criterion_main!(benches);
