//! Workloads E, F and G: the time from a failing message to an answered ask after the restart.
//!
//! - E: the handler panics; the supervisor restarts the actor; an ask queued behind the panic
//!   is answered by the new instance. Raw baseline: a task that panics and a watcher that
//!   respawns it on the `JoinError`, the receiver kept in an `Arc<Mutex<_>>` so queued messages
//!   survive (the same guarantee).
//! - F: the same with a handler that returns `Err`. Raw baseline: a task that returns and is
//!   respawned by its watcher.
//! - G: ten children under one_for_all; one fails; time until the last child's new instance
//!   answers (every instance new, stopped in reverse and started in order). No raw baseline.
//!
//! Criterion's median of the per-sample means stands for the p50.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actors::prelude::*;
use actors::{ChildSpec, Strategy, Supervisor};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::sync::{Mutex, mpsc, oneshot};

#[path = "common/mod.rs"]
mod common;
use common::{WorkMsg, Worker};

enum RawMsg {
    Panic,
    Fail,
    Ping(oneshot::Sender<u64>),
}

/// One instance of the raw worker: true when it stopped to be restarted.
async fn raw_worker(rx: Arc<Mutex<mpsc::Receiver<RawMsg>>>) -> bool {
    let mut rx = rx.lock().await;
    while let Some(msg) = rx.recv().await {
        match msg {
            RawMsg::Panic => panic!("bench panic"),
            RawMsg::Fail => return true,
            RawMsg::Ping(tx) => {
                let _ = tx.send(1);
            }
        }
    }
    false
}

/// The raw watcher: respawns the worker after a panic or a stop, until its channel closes.
async fn raw_watcher(rx: mpsc::Receiver<RawMsg>) {
    let rx = Arc::new(Mutex::new(rx));
    loop {
        // `Ok(true)`: it stopped to be restarted; `Err`: it panicked. Either way, respawn.
        if let Ok(false) = tokio::spawn(raw_worker(rx.clone())).await {
            return;
        }
    }
}

fn restart(c: &mut Criterion) {
    // The panics are provoked: keep them off the terminal.
    std::panic::set_hook(Box::new(|_| {}));
    let rt = common::runtime();
    let system = actors::ActorSystem::new("bench").unwrap();
    let one = rt.block_on(async {
        system
            .start_supervisor(
                "one",
                Supervisor::new(Strategy::OneForOne)
                    .intensity(u32::MAX, Duration::from_millis(1))
                    .child(ChildSpec::worker("worker", || Worker)),
            )
            .await
            .unwrap()
    });
    let worker = one.child("worker").unwrap().downcast::<Worker>().unwrap();

    for (group_name, fail, raw_fail) in [
        (
            "E_restart_after_panic",
            (|| WorkMsg::Panic) as fn() -> WorkMsg,
            (|| RawMsg::Panic) as fn() -> RawMsg,
        ),
        ("F_restart_after_err", || WorkMsg::Fail, || RawMsg::Fail),
    ] {
        let mut group = c.benchmark_group(group_name);
        group
            .sample_size(30)
            .measurement_time(Duration::from_secs(4))
            .warm_up_time(Duration::from_secs(1));

        let (tx, rx) = mpsc::channel(64);
        rt.spawn(raw_watcher(rx));
        group.bench_function("raw", |b| {
            b.iter_custom(|iters| {
                let tx = tx.clone();
                common::on_worker(&rt, async move {
                    let start = Instant::now();
                    for _ in 0..iters {
                        tx.send(raw_fail()).await.unwrap();
                        let (done, got) = oneshot::channel();
                        tx.send(RawMsg::Ping(done)).await.unwrap();
                        std::hint::black_box(got.await.unwrap());
                    }
                    start.elapsed()
                })
            });
        });

        group.bench_function("actors", |b| {
            b.iter_custom(|iters| {
                let worker = worker.clone();
                common::on_worker(&rt, async move {
                    let start = Instant::now();
                    for _ in 0..iters {
                        worker.tell(fail()).await.unwrap();
                        std::hint::black_box(
                            worker.ask(|reply| WorkMsg::Ping { reply }).await.unwrap(),
                        );
                    }
                    start.elapsed()
                })
            });
        });
        group.finish();
    }

    let mut group = c.benchmark_group("G_one_for_all_of_10");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    let all = rt.block_on(async {
        system
            .start_supervisor(
                "all",
                Supervisor::new(Strategy::OneForAll)
                    .intensity(u32::MAX, Duration::from_millis(1))
                    .children((0..10).map(|i| ChildSpec::worker(format!("w{i}"), || Worker))),
            )
            .await
            .unwrap()
    });
    let children: Vec<ActorRef<Worker>> = all
        .children()
        .iter()
        .map(|c| c.downcast::<Worker>().unwrap())
        .collect();
    group.bench_function("actors", |b| {
        b.iter_custom(|iters| {
            let first = children[0].clone();
            let last = children[9].clone();
            common::on_worker(&rt, async move {
                let start = Instant::now();
                for _ in 0..iters {
                    let generation = last.generation();
                    first.tell(WorkMsg::Fail).await.unwrap();
                    // The last child's new instance exists once the whole group restarted
                    // up to it; its ask is answered after its `started`.
                    while last.generation() == generation {
                        tokio::task::yield_now().await;
                    }
                    std::hint::black_box(last.ask(|reply| WorkMsg::Ping { reply }).await.unwrap());
                }
                start.elapsed()
            })
        });
    });
    group.finish();
    rt.block_on(async { system.shutdown().await.unwrap() });
    start_stop_100k(c, &rt);
    dynamic_children(c, &rt);
}

/// Issue 4's benchmark: start N dynamic children one `start_child` at a time, then end each
/// with `terminate_child`, for N = 1k, 10k and 100k. Criterion reports the time per child
/// (throughput in elements), which should stay flat as N grows.
fn dynamic_children(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let mut group = c.benchmark_group("T_dynamic_start_terminate");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    for n in [1_000u64, 10_000, 100_000] {
        group.throughput(criterion::Throughput::Elements(n));
        group.bench_function(format!("actors_{}k", n / 1000), |b| {
            b.iter_custom(|iters| {
                common::on_worker(rt, async move {
                    let system = actors::ActorSystem::new("dynamic").unwrap();
                    let sup =
                        actors::DynamicSupervisor::new(|(): ()| ChildSpec::worker("w", || Worker))
                            .start(&system, "dyn")
                            .await
                            .unwrap();
                    let start = Instant::now();
                    for _ in 0..iters {
                        let mut ids = Vec::with_capacity(n as usize);
                        for _ in 0..n {
                            ids.push(sup.start_child(()).await.unwrap().id().to_owned());
                        }
                        for id in &ids {
                            sup.terminate_child(id).await.unwrap();
                        }
                        for id in &ids {
                            sup.delete_child(id).await.unwrap();
                        }
                    }
                    let elapsed = start.elapsed();
                    system.shutdown().await.unwrap();
                    elapsed
                })
            });
        });
    }
    group.finish();
}

const CHILDREN: usize = 100_000;

/// OTP_BEHAVIOURS 45: start 100,000 children one by one (each after the previous finished
/// `started`), then stop them one by one in reverse order. Raw baseline: tasks owning an mpsc,
/// each spawned after the previous one reported itself started, then each stopped (its sender
/// dropped) and joined in reverse order.
fn start_stop_100k(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let mut group = c.benchmark_group("S_supervisor_100k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| {
            common::on_worker(rt, async move {
                let start = Instant::now();
                for _ in 0..iters {
                    let mut children = Vec::with_capacity(CHILDREN);
                    for _ in 0..CHILDREN {
                        let (tx, mut rx) = mpsc::channel::<RawMsg>(64);
                        let (started, up) = oneshot::channel::<()>();
                        let task = tokio::spawn(async move {
                            let _ = started.send(());
                            while rx.recv().await.is_some() {}
                        });
                        up.await.unwrap();
                        children.push((tx, task));
                    }
                    while let Some((tx, task)) = children.pop() {
                        drop(tx);
                        task.await.unwrap();
                    }
                }
                start.elapsed()
            })
        });
    });
    group.bench_function("actors", |b| {
        b.iter_custom(|iters| {
            common::on_worker(rt, async move {
                let system = actors::ActorSystem::new("scale").unwrap();
                let blueprint = Supervisor::new(Strategy::OneForOne)
                    .children((0..CHILDREN).map(|i| ChildSpec::worker(format!("w{i}"), || Worker)));
                let start = Instant::now();
                for _ in 0..iters {
                    let sup = system
                        .start_supervisor("big", blueprint.clone())
                        .await
                        .unwrap();
                    sup.stop();
                    sup.wait().await;
                }
                let elapsed = start.elapsed();
                system.shutdown().await.unwrap();
                elapsed
            })
        });
    });
    group.finish();
}

criterion_group!(benches, restart);
criterion_main!(benches);
