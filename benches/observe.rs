//! Issue 6: what observability costs, each pair measured in the same run.
//!
//! - `O_restart_after_err/*`: workload F (a handler `Err`, the supervisor's restart, an ask
//!   answered by the new instance; three events: `Failed`, `RestartScheduled`, `Restarted`).
//!   `off`: the tracing sink turned off and no subscription. `tracing_sink`: the default
//!   tracing sink, with a `tracing` subscriber at INFO that counts the events it gets (the
//!   failure, at WARN): the library's cost. `tracing_sink_formatting`: the same subscriber
//!   also formats each event's fields, as a log line would (the subscriber's cost on top).
//!   `subscribed`: no tracing sink, a live `events()` subscription drained by a task (every
//!   event wakes it). The failures journal is on in all (it cannot be turned off).
//! - `O_tell_200k/{off,tracing_sink}`: 200,000 tells and a final ask to one actor.
//! - `O_ask/{info,trace}`: ask round trips from inside a caller span, with the subscriber at
//!   INFO (no span kept) and at TRACE (the caller's span behind the `Reply` pointer, the
//!   handler's per-hook span following from it).
//!
//! Criterion's median of the per-sample means stands for the p50.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actors::prelude::*;
use actors::{ChildSpec, Strategy, Supervisor};
use criterion::{Criterion, criterion_group, criterion_main};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

#[path = "common/mod.rs"]
mod common;
use common::{CountMsg, Counter, WorkMsg, Worker};

/// A subscriber that formats each event's fields into a buffer (what a fmt layer does before
/// writing), at INFO or, when switched, at TRACE.
struct Formatting {
    trace: AtomicBool,
    /// Whether events are formatted, or only counted.
    format: AtomicBool,
    next_id: AtomicU64,
    events: AtomicU64,
    formatted: AtomicU64,
}

static SUBSCRIBER: Formatting = Formatting {
    trace: AtomicBool::new(false),
    format: AtomicBool::new(false),
    next_id: AtomicU64::new(1),
    events: AtomicU64::new(0),
    formatted: AtomicU64::new(0),
};

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl Formatting {
    fn max(&self) -> Level {
        if self.trace.load(Ordering::Relaxed) {
            Level::TRACE
        } else {
            Level::INFO
        }
    }

    fn set_trace(&self, on: bool) {
        self.trace.store(on, Ordering::Relaxed);
        tracing::callsite::rebuild_interest_cache();
    }
}

impl Subscriber for &'static Formatting {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.max()
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::from_level(self.max()))
    }

    fn register_callsite(&self, _: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        // Asked again at every call, so that switching the level takes effect.
        tracing::subscriber::Interest::sometimes()
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        self.events.fetch_add(1, Ordering::Relaxed);
        if !self.format.load(Ordering::Relaxed) {
            return;
        }
        let mut line = Line(String::new());
        event.record(&mut line);
        self.formatted
            .fetch_add(line.0.len() as u64, Ordering::Relaxed);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// The set-ups: observability off; the tracing sink on, with a subscriber that counts the
/// events it gets or one that also formats them; a subscription drained by a task.
#[derive(Clone, Copy)]
struct Setup {
    name: &'static str,
    tracing: bool,
    format: bool,
    subscribed: bool,
}

const OFF: Setup = Setup {
    name: "off",
    tracing: false,
    format: false,
    subscribed: false,
};
const SETUPS: [Setup; 4] = [
    OFF,
    Setup {
        name: "tracing_sink",
        tracing: true,
        format: false,
        subscribed: false,
    },
    Setup {
        name: "tracing_sink_formatting",
        tracing: true,
        format: true,
        subscribed: false,
    },
    Setup {
        name: "subscribed",
        tracing: false,
        format: false,
        subscribed: true,
    },
];

fn system(rt: &tokio::runtime::Runtime, setup: Setup) -> ActorSystem {
    let system = ActorSystem::builder(setup.name)
        .tracing_sink(setup.tracing)
        .build()
        .unwrap();
    if setup.subscribed {
        let mut events = system.events();
        // Drained until the system is gone; a lag is not an end.
        rt.spawn(async move {
            while !matches!(events.recv().await, Err(actors::EventsError::Closed)) {}
        });
    }
    system
}

fn restart(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let mut group = c.benchmark_group("O_restart_after_err");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    let mut systems = Vec::new();
    for setup in SETUPS {
        let system = system(rt, setup);
        let sup = rt.block_on(async {
            system
                .start_supervisor(
                    "sup",
                    Supervisor::new(Strategy::OneForOne)
                        .intensity(u32::MAX, Duration::from_millis(1))
                        .child(ChildSpec::worker("worker", || Worker)),
                )
                .await
                .unwrap()
        });
        let worker = sup.child("worker").unwrap().downcast::<Worker>().unwrap();
        SUBSCRIBER.format.store(setup.format, Ordering::Relaxed);
        group.bench_function(setup.name, |b| {
            b.iter_custom(|iters| {
                let worker = worker.clone();
                common::on_worker(rt, async move {
                    let start = Instant::now();
                    for _ in 0..iters {
                        worker.tell(WorkMsg::Fail).await.unwrap();
                        std::hint::black_box(
                            worker.ask(|reply| WorkMsg::Ping { reply }).await.unwrap(),
                        );
                    }
                    start.elapsed()
                })
            });
        });
        systems.push(system);
    }
    group.finish();
    for system in systems {
        rt.block_on(async { system.shutdown().await.unwrap() });
    }
}

const TELLS: u64 = 200_000;

fn tell(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let mut group = c.benchmark_group("O_tell_200k");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    for setup in [OFF, SETUPS[1]] {
        let system = system(rt, setup);
        group.bench_function(setup.name, |b| {
            b.iter_custom(|iters| {
                common::on_worker(rt, common::counter_rounds(system.clone(), iters, TELLS))
            });
        });
        rt.block_on(async { system.shutdown().await.unwrap() });
    }
    group.finish();
}

fn ask(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let mut group = c.benchmark_group("O_ask");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    let system = ActorSystem::new("ask").unwrap();
    let counter = rt.block_on(async { system.spawn(Counter { total: 0 }).unwrap() });
    for trace in [false, true] {
        SUBSCRIBER.set_trace(trace);
        group.bench_function(if trace { "trace" } else { "info" }, |b| {
            b.iter_custom(|iters| {
                let counter = counter.clone();
                common::on_worker(rt, async move {
                    let request = tracing::info_span!("request");
                    let _entered = request.enter();
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
    }
    SUBSCRIBER.set_trace(false);
    group.finish();
    rt.block_on(async { system.shutdown().await.unwrap() });
}

fn observe(c: &mut Criterion) {
    tracing::subscriber::set_global_default(&SUBSCRIBER).unwrap();
    let rt = common::runtime();
    restart(c, &rt);
    tell(c, &rt);
    ask(c, &rt);
    assert!(
        SUBSCRIBER.formatted.load(Ordering::Relaxed) > 0
            && SUBSCRIBER.events.load(Ordering::Relaxed) > 0,
        "the subscriber saw the failures"
    );
}

criterion_group!(benches, observe);
criterion_main!(benches);
