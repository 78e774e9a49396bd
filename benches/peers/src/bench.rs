//! What every system shares: the workloads and their sizes, the runtimes, the clocks and
//! counters the measurements read, and the outcome a child process prints.

use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::sync::Notify;

/// Messages told in workload A.
pub const MESSAGES: u64 = 1_000_000;
/// The sum a counter reaches after workload A's messages `0..MESSAGES`.
pub const MESSAGES_SUM: u64 = MESSAGES * (MESSAGES - 1) / 2;
/// Asks timed one by one in workload B, after `ASK_WARMUP` untimed ones.
pub const ASKS: usize = 20_000;
pub const ASK_WARMUP: usize = 1_000;
/// Idle actors of workload C.
pub const IDLE: usize = 100_000;
/// Idle actors of workload H.
pub const MILLION: usize = 1_000_000;
/// Workload D: producers, messages each, the mailbox capacity.
pub const PRODUCERS: u64 = 100;
pub const EACH: u64 = 10_000;
pub const FAN_IN_CAPACITY: usize = 1024;
/// Restarts timed one by one in workloads E and F, after `RESTART_WARMUP` untimed ones.
pub const RESTARTS: usize = 3_000;
pub const RESTART_WARMUP: usize = 200;
/// Workload G: children of the one_for_all supervisor, group restarts timed.
pub const GROUP: usize = 10;
pub const GROUP_RESTARTS: usize = 1_000;
pub const GROUP_WARMUP: usize = 100;

/// The payload of every provoked panic (the panic hook keeps these off the terminal).
pub const PANIC_MSG: &str = "bench panic";

/// The systems compared, in the order of the table's columns.
pub const SYSTEMS: [&str; 5] = ["raw", "actors", "kameo", "ractor", "actix"];

/// One measurement: a workload on one runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Workload {
    /// Tell 1M messages to one actor with a mailbox of 64, then one ask.
    A64,
    /// The same with a mailbox of 1024.
    A1024,
    /// Sequential asks, each timed.
    B,
    /// Spawn 100k idle actors, then stop them all: time, and RSS per actor.
    C,
    /// 100 producers tell 10k messages each to one actor (capacity 1024), then one ask.
    D,
    /// A supervised child panics; time until an ask to its new instance is answered.
    E,
    /// The same with a failure that is not a panic (an `Err`, or the peer's own way).
    F,
    /// One of 10 children under one_for_all fails; time until all 10 new instances answered.
    G,
    /// Spawn 1M idle actors: time until all started, and RSS per actor.
    H,
    /// A64 on a current-thread runtime.
    A64Ct,
    /// B on a current-thread runtime.
    BCt,
    /// E on a current-thread runtime.
    ECt,
    /// F on a current-thread runtime.
    FCt,
}

impl Workload {
    /// Every workload, in the order they run and are reported.
    pub const ALL: [Workload; 13] = [
        Workload::A64,
        Workload::A1024,
        Workload::B,
        Workload::C,
        Workload::D,
        Workload::E,
        Workload::F,
        Workload::G,
        Workload::H,
        Workload::A64Ct,
        Workload::BCt,
        Workload::ECt,
        Workload::FCt,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::A64 => "a64",
            Workload::A1024 => "a1024",
            Workload::B => "b",
            Workload::C => "c",
            Workload::D => "d",
            Workload::E => "e",
            Workload::F => "f",
            Workload::G => "g",
            Workload::H => "h",
            Workload::A64Ct => "a64-ct",
            Workload::BCt => "b-ct",
            Workload::ECt => "e-ct",
            Workload::FCt => "f-ct",
        }
    }

    pub fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// On a current-thread runtime (the second table)?
    pub fn current_thread(self) -> bool {
        matches!(
            self,
            Workload::A64Ct | Workload::BCt | Workload::ECt | Workload::FCt
        )
    }

    /// The systems this workload runs for.
    pub fn systems(self) -> &'static [&'static str] {
        match self {
            Workload::H => &["raw", "actors"],
            w if w.current_thread() => &["raw", "actors", "actix"],
            _ => &SYSTEMS,
        }
    }
}

/// Why a system has no figure for a workload: one line for the table's notes.
pub fn not_applicable(system: &str, workload: Workload) -> Option<&'static str> {
    match (system, workload) {
        ("raw", Workload::G) => Some("no raw baseline for a one_for_all group (as in DESIGN.md)"),
        ("actix", Workload::E | Workload::ECt) => Some(
            "actix does not catch a panic in a handler: it unwinds out of the actor's task, \
             its Supervisor ends with it and the mailbox closes (the next `send` gets \
             `MailboxError::Closed`), so nothing restarts",
        ),
        ("actix", Workload::G) => Some(
            "actix's Supervisor restarts one actor in place; it has no supervisor of several \
             children, so no one_for_all",
        ),
        _ => None,
    }
}

/// What a child process prints: figures, or why there are none.
#[derive(Debug)]
pub enum Outcome {
    Figures(Vec<(&'static str, f64)>),
    NotApplicable(&'static str),
}

impl Outcome {
    /// Messages per second for `messages` handled in `elapsed`.
    pub fn throughput(messages: u64, elapsed: Duration) -> Outcome {
        Outcome::Figures(vec![("mps", messages as f64 / elapsed.as_secs_f64())])
    }

    /// The time of a whole run and the resident bytes per actor.
    pub fn time_and_memory(elapsed: Duration, bytes_per_actor: f64) -> Outcome {
        Outcome::Figures(vec![
            ("ms", elapsed.as_secs_f64() * 1e3),
            ("bytes", bytes_per_actor),
        ])
    }

    /// The line a child prints for its parent.
    pub fn line(&self) -> String {
        match self {
            Outcome::Figures(figures) => {
                let mut line = String::from("ok");
                for (key, value) in figures {
                    line.push_str(&format!(" {key}={value}"));
                }
                line
            }
            Outcome::NotApplicable(reason) => format!("n/a {reason}"),
        }
    }
}

/// Latencies recorded one by one; reported as p50 and p99 in microseconds.
#[derive(Debug, Default)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn with_capacity(n: usize) -> Self {
        Latencies(Vec::with_capacity(n))
    }

    pub fn push(&mut self, d: Duration) {
        self.0.push(d);
    }

    pub fn outcome(mut self) -> Outcome {
        assert!(!self.0.is_empty(), "no latency recorded");
        self.0.sort_unstable();
        let at = |q: usize| self.0[(self.0.len() * q / 100).min(self.0.len() - 1)];
        let mut figures = vec![
            ("p50_us", at(50).as_secs_f64() * 1e6),
            ("p99_us", at(99).as_secs_f64() * 1e6),
        ];
        let retries = RETRIES.load(Ordering::Relaxed);
        if retries > 0 {
            figures.push(("retries", retries as f64));
        }
        Outcome::Figures(figures)
    }
}

/// The multi-thread runtime with 2 workers of DESIGN.md's table.
pub fn multi_thread() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a multi-thread runtime")
}

/// A current-thread runtime (the second table).
pub fn current_thread() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
}

/// Runs `body` as a task on a worker of `rt` (not on the thread in `block_on`), as an
/// application's code would run.
pub fn on_worker<F>(rt: &Runtime, body: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    rt.block_on(async move { tokio::spawn(body).await.expect("the bench task") })
}

/// Runs `body` on a fresh runtime: on a worker of the 2-worker runtime, or on a current-thread
/// runtime for the workloads of the second table.
pub fn run<F>(workload: Workload, body: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = if workload.current_thread() {
        current_thread()
    } else {
        multi_thread()
    };
    let output = if workload.current_thread() {
        rt.block_on(body)
    } else {
        on_worker(&rt, body)
    };
    // The process ends once the figures are printed: tearing down a runtime that may hold a
    // million tasks would only delay that.
    std::mem::forget(rt);
    output
}

/// Resident memory of this process, from `/proc/self/statm` (4 KiB pages).
pub fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("resident pages in statm");
    pages * 4096
}

/// Counts events (actors started, actors stopped) and wakes one waiter when a target is met.
#[derive(Debug)]
pub struct Countdown {
    count: AtomicUsize,
    target: AtomicUsize,
    done: Notify,
}

impl Countdown {
    pub const fn new() -> Self {
        Countdown {
            count: AtomicUsize::new(0),
            target: AtomicUsize::new(usize::MAX),
            done: Notify::const_new(),
        }
    }

    /// From now on, count up to `n`.
    pub fn expect(&self, n: usize) {
        self.count.store(0, Ordering::SeqCst);
        self.target.store(n, Ordering::SeqCst);
    }

    pub fn tick(&self) {
        if self.count.fetch_add(1, Ordering::AcqRel) + 1 == self.target.load(Ordering::Acquire) {
            self.done.notify_one();
        }
    }

    /// Waits until the target of the last `expect` is met.
    pub async fn reached(&self) {
        self.done.notified().await;
    }
}

/// Every counter actor ticks this when it starts (its start hook, or a raw task's first poll):
/// workloads C and H wait for all to be running before they read the memory.
pub static STARTED: Countdown = Countdown::new();
/// Actors that have no join handle (actix) tick this when they stop.
pub static STOPPED: Countdown = Countdown::new();

static INSTANCES: AtomicU64 = AtomicU64::new(1);
static RETRIES: AtomicU64 = AtomicU64::new(0);

/// Counts an ask that had to be repeated because the old instance answered it (or the failure
/// dropped it): shown as `retries` beside the restart latencies, warm-up included.
pub fn retried() {
    RETRIES.fetch_add(1, Ordering::Relaxed);
}

/// A number for a new instance of a restartable worker: an answer from a higher number comes
/// from a later instance.
pub fn new_instance() -> u64 {
    INSTANCES.fetch_add(1, Ordering::Relaxed)
}

/// Keeps the provoked panics (payload `PANIC_MSG`) off the terminal; any other panic is
/// reported as usual.
pub fn quiet_bench_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let ours = payload.downcast_ref::<&str>() == Some(&PANIC_MSG)
            || payload
                .downcast_ref::<String>()
                .is_some_and(|s| s == PANIC_MSG);
        if !ours {
            default(info);
        }
    }));
}
