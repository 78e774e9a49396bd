//! Issue 9: fan-out. One publisher sends 100 messages through a `Topic` to 1,000 and 10,000
//! subscriber actors (`Overflow::Wait`, mailbox 64), until every subscriber has every message;
//! beside a raw `tokio::sync::broadcast` channel (capacity 128) with the same number of
//! receiving tasks, in the same run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actors::prelude::*;
use actors::{Overflow, Topic};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::sync::{Notify, broadcast};

#[path = "common/mod.rs"]
mod common;

const MESSAGES: usize = 100;

/// Counts down the deliveries left; the last one wakes the publisher.
struct Countdown {
    left: AtomicUsize,
    done: Notify,
}

impl Countdown {
    fn new(n: usize) -> Arc<Self> {
        Arc::new(Self {
            left: AtomicUsize::new(n),
            done: Notify::new(),
        })
    }

    fn one(&self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.done.notify_one();
        }
    }
}

struct Subscriber(Arc<Countdown>);

impl Actor for Subscriber {
    type Msg = u64;

    async fn handle(&mut self, _: u64, _: &mut Context<Self>) -> Result<(), ActorError> {
        self.0.one();
        Ok(())
    }
}

async fn topic_round(system: &ActorSystem, subscribers: usize) -> Duration {
    let countdown = Countdown::new(subscribers * MESSAGES);
    let topic = Topic::<u64>::new();
    let mut actors = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        let actor = system.spawn(Subscriber(countdown.clone())).unwrap();
        topic.subscribe(&actor, Overflow::Wait);
        actors.push(actor);
    }
    let start = Instant::now();
    for n in 0..MESSAGES as u64 {
        topic.publish(n).await;
    }
    countdown.done.notified().await;
    let took = start.elapsed();
    for actor in &actors {
        actor.stop();
    }
    for actor in &actors {
        actor.wait().await;
    }
    took
}

async fn raw_round(subscribers: usize) -> Duration {
    let countdown = Countdown::new(subscribers * MESSAGES);
    let (tx, _) = broadcast::channel::<u64>(128);
    let mut tasks = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        let mut rx = tx.subscribe();
        let countdown = countdown.clone();
        tasks.push(tokio::spawn(async move {
            while rx.recv().await.is_ok() {
                countdown.one();
            }
        }));
    }
    let start = Instant::now();
    for n in 0..MESSAGES as u64 {
        tx.send(n).unwrap();
    }
    countdown.done.notified().await;
    let took = start.elapsed();
    drop(tx);
    for task in tasks {
        task.await.unwrap();
    }
    took
}

fn topic(c: &mut Criterion) {
    let rt = common::runtime();
    let system = ActorSystem::new("bench").unwrap();
    let mut group = c.benchmark_group("F_fan_out_100");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    for subscribers in [1_000, 10_000] {
        group.bench_function(format!("raw_broadcast/{subscribers}"), |b| {
            b.iter_custom(|iters| {
                common::on_worker(&rt, async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += raw_round(subscribers).await;
                    }
                    total
                })
            });
        });
        group.bench_function(format!("topic/{subscribers}"), |b| {
            b.iter_custom(|iters| {
                let system = system.clone();
                common::on_worker(&rt, async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += topic_round(&system, subscribers).await;
                    }
                    total
                })
            });
        });
    }
    group.finish();
    rt.block_on(async { system.shutdown().await.unwrap() });
}

criterion_group!(benches, topic);
criterion_main!(benches);
