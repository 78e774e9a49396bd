//! `Pool`: routing (round robin, least loaded, keyed), backpressure, failures mid-job,
//! resizing and graceful shutdown, as a user of the pool observes them.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actors::prelude::*;
use actors::{EventKind, Pool, PoolError, Routing, SendError, TrySendError};
use common::settle;
use common::sup::{in_flight, next_event, until};
use tokio::sync::oneshot;

/// One job as a worker handled it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Handled {
    worker: String,
    generation: u64,
    job: u32,
}

/// What every worker of a pool handled, in order.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Handled>>>);

impl Log {
    fn all(&self) -> Vec<Handled> {
        self.0.lock().unwrap().clone()
    }

    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// The jobs each worker (by path) handled, in order.
    fn by_worker(&self) -> BTreeMap<String, Vec<u32>> {
        let mut map: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for h in self.all() {
            map.entry(h.worker).or_default().push(h.job);
        }
        map
    }

    /// The jobs handled, sorted.
    fn jobs(&self) -> Vec<u32> {
        let mut jobs: Vec<u32> = self.all().into_iter().map(|h| h.job).collect();
        jobs.sort_unstable();
        jobs
    }
}

enum Job {
    /// Record the job.
    Work(u32),
    /// Fail the handler (told: no one to answer).
    Fail,
    /// Answer the worker's path and generation.
    Whoami { reply: Reply<(String, u64)> },
    /// Answer `2 * n`.
    Double { n: u32, reply: Reply<u32> },
    /// Signal `entered`, then wait for `release`.
    Block {
        entered: oneshot::Sender<()>,
        release: oneshot::Receiver<()>,
    },
    /// Signal `entered`, wait for `release`, then fail while holding the reply.
    BlockThenFail {
        entered: oneshot::Sender<()>,
        release: oneshot::Receiver<()>,
        reply: Reply<u32>,
    },
    /// Fail on the first attempt (noting the worker), answer the worker's path afterwards.
    FailFirst {
        attempts: Arc<Mutex<Vec<String>>>,
        reply: Reply<String>,
    },
}

struct Worker {
    log: Log,
}

impl Actor for Worker {
    type Msg = Job;

    async fn handle(&mut self, job: Job, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match job {
            Job::Work(n) => self.log.0.lock().unwrap().push(Handled {
                worker: ctx.path().to_string(),
                generation: ctx.generation(),
                job: n,
            }),
            Job::Fail => return Err(ActorError::msg("job failed")),
            Job::Whoami { reply } => {
                let _ = reply.send((ctx.path().to_string(), ctx.generation()));
            }
            Job::Double { n, reply } => {
                let _ = reply.send(2 * n);
            }
            Job::Block { entered, release } => {
                let _ = entered.send(());
                let _ = release.await;
            }
            Job::BlockThenFail {
                entered,
                release,
                reply,
            } => {
                let _keep = reply;
                let _ = entered.send(());
                let _ = release.await;
                return Err(ActorError::msg("job failed while asked"));
            }
            Job::FailFirst { attempts, reply } => {
                let first = {
                    let mut attempts = attempts.lock().unwrap();
                    attempts.push(ctx.path().to_string());
                    attempts.len() == 1
                };
                if first {
                    let _keep = reply;
                    return Err(ActorError::msg("first attempt failed"));
                }
                let _ = reply.send(ctx.path().to_string());
            }
        }
        Ok(())
    }
}

/// Starts a pool named `pool` of `size` workers that log into `log`.
async fn start_pool(
    system: &ActorSystem,
    log: &Log,
    size: usize,
    routing: Routing,
    mailbox: usize,
) -> Pool<Worker> {
    let log = log.clone();
    Pool::builder(move || Worker { log: log.clone() })
        .size(size)
        .routing(routing)
        .mailbox(mailbox)
        .intensity(100, Duration::from_secs(1))
        .start(system, "pool")
        .await
        .expect("pool starts")
}

/// Tells `worker` to block and waits until it is inside the handler; returns the release.
async fn block(worker: &ActorRef<Worker>) -> oneshot::Sender<()> {
    let (release, rx) = oneshot::channel();
    let (entered_tx, entered) = oneshot::channel();
    worker
        .tell(Job::Block {
            entered: entered_tx,
            release: rx,
        })
        .await
        .unwrap_or_else(|_| panic!("tell Block"));
    entered.await.expect("worker entered the block");
    release
}

/// Asks every worker who it is: each answers after everything queued before.
async fn flush(pool: &Pool<Worker>) {
    for worker in pool.worker_refs() {
        worker
            .ask(|reply| Job::Whoami { reply })
            .await
            .expect("worker answers");
    }
}

fn paths(workers: &[ActorRef<Worker>]) -> Vec<String> {
    workers.iter().map(|w| w.path().to_string()).collect()
}

fn job_of(job: Job) -> Option<u32> {
    match job {
        Job::Work(n) => Some(n),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn round_robin_spreads_jobs_evenly_in_turn() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 4, Routing::RoundRobin, 64).await;
    assert_eq!(pool.size(), 4);
    assert_eq!(
        paths(&pool.worker_refs()),
        [
            "/p/pool/worker-0",
            "/p/pool/worker-1",
            "/p/pool/worker-2",
            "/p/pool/worker-3"
        ]
    );

    for n in 0..40 {
        pool.submit(Job::Work(n)).await.unwrap_or_else(|_| panic!());
    }
    flush(&pool).await;

    let by_worker = log.by_worker();
    assert_eq!(by_worker.len(), 4, "every worker got jobs: {by_worker:?}");
    for (worker, jobs) in &by_worker {
        assert_eq!(jobs.len(), 10, "{worker} got {jobs:?}");
        // In turn: a worker's consecutive jobs are one full round apart.
        assert!(
            jobs.windows(2).all(|w| w[1] == w[0] + 4),
            "{worker} got {jobs:?}"
        );
    }
    assert_eq!(log.jobs(), (0..40).collect::<Vec<_>>());
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn round_robin_asks_spread_too() {
    let system = ActorSystem::new("p").unwrap();
    let pool = start_pool(&system, &Log::default(), 3, Routing::RoundRobin, 64).await;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..9 {
        let (path, _) = pool.ask(|reply| Job::Whoami { reply }).await.unwrap();
        *counts.entry(path).or_default() += 1;
    }
    assert_eq!(counts.len(), 3, "{counts:?}");
    assert!(counts.values().all(|&c| c == 3), "{counts:?}");
    assert!(matches!(
        pool.ask(|reply| Job::Double { n: 21, reply }).await,
        Ok(42)
    ));
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn least_loaded_sends_new_jobs_to_the_emptier_mailboxes() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 3, Routing::LeastLoaded, 16).await;
    let workers = pool.worker_refs();
    let busy = &workers[0];

    // Worker 0 is stuck in a job with three more waiting behind it.
    let release = block(busy).await;
    for n in 100..103 {
        busy.tell(Job::Work(n)).await.unwrap_or_else(|_| panic!());
    }
    assert_eq!(busy.mailbox_len(), 3);

    // New jobs all go to the two idle workers, whether they pile up or not.
    for n in 0..4 {
        pool.submit(Job::Work(n)).await.unwrap_or_else(|_| panic!());
    }
    assert_eq!(
        busy.mailbox_len(),
        3,
        "nothing more queued on the busy worker"
    );
    settle().await;
    for n in 4..8 {
        pool.submit(Job::Work(n)).await.unwrap_or_else(|_| panic!());
        settle().await;
    }
    flush_except(&workers[1..]).await;
    assert_eq!(
        busy.mailbox_len(),
        3,
        "nothing more queued on the busy worker"
    );
    let by_worker = log.by_worker();
    assert_eq!(
        by_worker.keys().cloned().collect::<Vec<_>>(),
        ["/p/pool/worker-1", "/p/pool/worker-2"],
        "{by_worker:?}"
    );
    assert_eq!(log.jobs(), (0..8).collect::<Vec<_>>());

    // Once released, the busy worker handles its own queue, and only that.
    release.send(()).unwrap();
    flush(&pool).await;
    assert_eq!(log.by_worker()["/p/pool/worker-0"], [100, 101, 102]);
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

async fn flush_except(workers: &[ActorRef<Worker>]) {
    for worker in workers {
        worker.ask(|reply| Job::Whoami { reply }).await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_key_always_reaches_the_same_worker() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 4, Routing::RoundRobin, 64).await;
    let keys: Vec<String> = (0..20).map(|k| format!("user-{k}")).collect();

    let mut slot_paths = BTreeMap::new();
    for key in &keys {
        let worker = pool.keyed(key.as_str()).expect("a worker for the key");
        for _ in 0..3 {
            assert_eq!(pool.keyed(key.as_str()).unwrap().id(), worker.id());
            let (path, _) = pool
                .ask_keyed(key.as_str(), |reply| Job::Whoami { reply })
                .await
                .unwrap();
            assert_eq!(path, worker.path().to_string(), "key {key}");
        }
        slot_paths.insert(key.clone(), worker.path().to_string());
    }
    let distinct: std::collections::BTreeSet<_> = slot_paths.values().collect();
    assert!(
        distinct.len() > 1,
        "20 keys all on one worker: {slot_paths:?}"
    );

    // Told jobs with a key land on the key's worker.
    for (k, key) in keys.iter().enumerate() {
        pool.submit_keyed(key.as_str(), Job::Work(k as u32))
            .await
            .unwrap_or_else(|_| panic!());
    }
    flush(&pool).await;
    for h in log.all() {
        assert_eq!(h.worker, slot_paths[&keys[h.job as usize]], "{h:?}");
    }
    assert_eq!(log.count(), 20);
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_key_reaches_the_same_worker_after_it_restarts() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 4, Routing::RoundRobin, 64).await;
    let key = "account-42";
    let worker = pool.keyed(key).unwrap();
    let (path, generation) = pool
        .ask_keyed(key, |reply| Job::Whoami { reply })
        .await
        .unwrap();
    assert_eq!(
        (path.as_str(), generation),
        (&*worker.path().to_string(), 1)
    );

    let mut events = system.events();
    pool.submit_keyed(key, Job::Fail)
        .await
        .unwrap_or_else(|_| panic!());
    next_event(&mut events, worker.id(), |k| {
        matches!(k, EventKind::Restarted(2))
    })
    .await;

    let again = pool.keyed(key).unwrap();
    assert_eq!(again.id(), worker.id(), "the same actor handles the key");
    assert_eq!(again.path(), worker.path());
    let (path_after, generation_after) = pool
        .ask_keyed(key, |reply| Job::Whoami { reply })
        .await
        .unwrap();
    assert_eq!(path_after, path);
    assert_eq!(generation_after, 2, "answered by the restarted instance");
    pool.submit_keyed(key, Job::Work(7))
        .await
        .unwrap_or_else(|_| panic!());
    flush(&pool).await;
    assert_eq!(
        log.all(),
        [Handled {
            worker: path,
            generation: 2,
            job: 7
        }]
    );
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Backpressure
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn with_every_worker_busy_and_full_try_submit_hands_the_job_back_and_submit_waits() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 2, Routing::RoundRobin, 1).await;
    let workers = pool.worker_refs();
    let release0 = block(&workers[0]).await;
    let release1 = block(&workers[1]).await;

    // One slot per worker: two jobs fit, whatever the turn.
    pool.try_submit(Job::Work(1)).unwrap_or_else(|_| panic!());
    pool.try_submit(Job::Work(2)).unwrap_or_else(|_| panic!());
    assert_eq!(pool.queued(), 2);
    match pool.try_submit(Job::Work(3)) {
        Err(TrySendError::Full(job)) => assert_eq!(job_of(job), Some(3), "the same job back"),
        Err(TrySendError::Closed(_)) => panic!("Closed, expected Full"),
        Ok(()) => panic!("a full pool took a job"),
    }

    let waiting = in_flight({
        let pool = pool.clone();
        async move { pool.submit(Job::Work(3)).await.map_err(|e| e.to_string()) }
    });
    settle().await;
    assert!(!waiting.is_finished(), "submit waits for room");
    assert_eq!(pool.queued(), 2);

    release0.send(()).unwrap();
    release1.send(()).unwrap();
    assert_eq!(waiting.await.unwrap(), Ok(()));
    flush(&pool).await;
    assert_eq!(log.jobs(), [1, 2, 3]);
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

/// A waiting `submit` waits on the one worker the routing picked: when the *other* worker
/// frees up first, the job keeps waiting although a worker is idle with an empty mailbox.
#[tokio::test(start_paused = true)]
async fn a_waiting_submit_takes_whichever_worker_frees_up_first() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 2, Routing::RoundRobin, 1).await;
    let workers = pool.worker_refs();
    let release0 = block(&workers[0]).await;
    let release1 = block(&workers[1]).await;
    pool.try_submit(Job::Work(1)).unwrap_or_else(|_| panic!());
    pool.try_submit(Job::Work(2)).unwrap_or_else(|_| panic!());
    let waiting = in_flight({
        let pool = pool.clone();
        async move { pool.submit(Job::Work(3)).await.is_ok() }
    });
    settle().await;
    assert!(!waiting.is_finished());

    // Free worker 1 only (round robin picked worker 0 for the waiting job): it handles its
    // queued job and is then idle with room.
    release1.send(()).unwrap();
    until("worker 1 handled its queued job", || {
        log.jobs().contains(&2)
    })
    .await;
    settle().await;
    let finished = waiting.is_finished();
    release0.send(()).unwrap();
    assert!(waiting.await.unwrap());
    assert!(
        finished,
        "submit still waiting while worker 1 is idle and empty"
    );
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_worker_failing_mid_job_fails_the_ask_and_its_queue_goes_to_the_restarted_worker() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 1, Routing::RoundRobin, 8).await;
    let worker = pool.worker_refs().remove(0);

    let (release, rx) = oneshot::channel();
    let (entered_tx, entered) = oneshot::channel();
    let asked = in_flight({
        let pool = pool.clone();
        async move {
            pool.ask(|reply| Job::BlockThenFail {
                entered: entered_tx,
                release: rx,
                reply,
            })
            .await
        }
    });
    entered.await.unwrap();
    for n in 1..=3 {
        pool.submit(Job::Work(n)).await.unwrap_or_else(|_| panic!());
    }
    release.send(()).unwrap();

    match asked.await.unwrap() {
        Err(AskError::Failed(info)) => {
            assert_eq!(info.message(), "job failed while asked");
        }
        other => panic!("expected AskError::Failed, got {other:?}"),
    }
    flush(&pool).await;
    let path = worker.path().to_string();
    assert_eq!(
        log.all(),
        (1..=3)
            .map(|job| Handled {
                worker: path.clone(),
                generation: 2,
                job
            })
            .collect::<Vec<_>>(),
        "the queued jobs were handled by the restarted worker"
    );
    assert_eq!(worker.generation(), 2);
    assert!(worker.is_alive());
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn ask_retrying_succeeds_when_only_the_first_attempt_fails() {
    let system = ActorSystem::new("p").unwrap();
    let pool = start_pool(&system, &Log::default(), 2, Routing::RoundRobin, 8).await;
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let answer = pool
        .ask_retrying(|reply| Job::FailFirst {
            attempts: attempts.clone(),
            reply,
        })
        .await;
    let attempts = attempts.lock().unwrap().clone();
    assert_eq!(attempts.len(), 2, "asked twice: {attempts:?}");
    assert_eq!(
        answer.ok().as_ref(),
        Some(&attempts[1]),
        "the retry's answer"
    );
    assert_ne!(
        attempts[0], attempts[1],
        "the retry went to the next worker"
    );
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn ask_retrying_gives_up_after_one_retry() {
    let system = ActorSystem::new("p").unwrap();
    let pool = start_pool(&system, &Log::default(), 2, Routing::RoundRobin, 8).await;
    // Each attempt gets a fresh journal, so each is a "first" attempt and fails.
    let tries = Arc::new(Mutex::new(0));
    let answer = pool
        .ask_retrying(|reply| {
            *tries.lock().unwrap() += 1;
            Job::FailFirst {
                attempts: Arc::default(),
                reply,
            }
        })
        .await;
    assert!(matches!(answer, Err(AskError::Failed(_))), "{answer:?}");
    assert_eq!(*tries.lock().unwrap(), 2);
    // A non-failure error is not retried.
    let tries = Arc::new(Mutex::new(0));
    let answer: Result<u32, AskError> = pool
        .ask_retrying(|reply| {
            *tries.lock().unwrap() += 1;
            drop(reply);
            Job::Work(0)
        })
        .await;
    assert!(matches!(answer, Err(AskError::NoReply)), "{answer:?}");
    assert_eq!(*tries.lock().unwrap(), 1);
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_told_job_that_fails_is_in_the_failures_journal() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 2, Routing::RoundRobin, 8).await;
    let worker = pool.keyed("k").unwrap();
    let mut events = system.events();
    assert!(system.failures().is_empty());
    pool.submit_keyed("k", Job::Fail)
        .await
        .unwrap_or_else(|_| panic!());
    pool.submit_keyed("k", Job::Work(1))
        .await
        .unwrap_or_else(|_| panic!());
    next_event(&mut events, worker.id(), |k| {
        matches!(k, EventKind::Restarted(2))
    })
    .await;
    let failures = system.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].path, *worker.path());
    assert_eq!(failures[0].generation, 1);
    match &failures[0].kind {
        EventKind::Failed(info) => assert_eq!(info.message(), "job failed"),
        other => panic!("expected Failed, got {other:?}"),
    }
    flush(&pool).await;
    assert_eq!(
        log.all(),
        [Handled {
            worker: worker.path().to_string(),
            generation: 2,
            job: 1
        }]
    );
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Resizing
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn resizing_up_adds_workers_that_take_jobs() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 2, Routing::RoundRobin, 64).await;
    pool.resize(4).await.unwrap();
    assert_eq!(pool.size(), 4);
    assert_eq!(pool.supervisor().count_children().specs, 4);
    assert_eq!(pool.supervisor().count_children().active, 4);
    assert_eq!(
        paths(&pool.worker_refs()),
        [
            "/p/pool/worker-0",
            "/p/pool/worker-1",
            "/p/pool/worker-2",
            "/p/pool/worker-3"
        ]
    );
    for n in 0..8 {
        pool.submit(Job::Work(n)).await.unwrap_or_else(|_| panic!());
    }
    flush(&pool).await;
    let by_worker = log.by_worker();
    assert_eq!(by_worker.len(), 4, "{by_worker:?}");
    assert!(
        by_worker.values().all(|jobs| jobs.len() == 2),
        "{by_worker:?}"
    );
    // Resizing to the same size changes nothing.
    pool.resize(4).await.unwrap();
    assert_eq!(pool.size(), 4);
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn resizing_down_handles_the_removed_workers_queues_before_they_go() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 4, Routing::RoundRobin, 16).await;
    let workers = pool.worker_refs();
    let mut releases = Vec::new();
    for w in &workers {
        releases.push(block(w).await);
    }
    for n in 0..20 {
        pool.submit(Job::Work(n)).await.unwrap_or_else(|_| panic!());
    }
    assert_eq!(pool.queued(), 20);
    assert!(workers.iter().all(|w| w.mailbox_len() == 5));

    let resizing = in_flight({
        let pool = pool.clone();
        async move { pool.resize(2).await.map_err(|e| e.to_string()) }
    });
    settle().await;
    assert!(
        !resizing.is_finished(),
        "resize waits for the removed workers' queues"
    );
    assert!(pool.size() < 4, "removed workers stop taking jobs at once");

    for release in releases {
        release.send(()).unwrap();
    }
    assert_eq!(resizing.await.unwrap(), Ok(()));
    assert_eq!(pool.size(), 2);
    assert_eq!(
        paths(&pool.worker_refs()),
        ["/p/pool/worker-0", "/p/pool/worker-1"]
    );
    for removed in &workers[2..] {
        // Stopped by the supervisor once its queue was handled.
        assert_eq!(
            removed.exit_reason(),
            Some(ExitReason::Shutdown(actors::ShutdownCause::Supervisor))
        );
    }
    let counts = pool.supervisor().count_children();
    assert_eq!((counts.specs, counts.active), (2, 2));
    assert!(system.failures().is_empty(), "{:?}", system.failures());
    // Every job was handled; the removed workers handled theirs.
    flush(&pool).await;
    assert_eq!(log.jobs(), (0..20).collect::<Vec<_>>());
    let by_worker = log.by_worker();
    assert_eq!(by_worker["/p/pool/worker-2"].len(), 5);
    assert_eq!(by_worker["/p/pool/worker-3"].len(), 5);

    // New jobs only go to the workers left.
    for n in 100..104 {
        pool.submit(Job::Work(n)).await.unwrap_or_else(|_| panic!());
    }
    flush(&pool).await;
    let late: Vec<_> = log.all().into_iter().filter(|h| h.job >= 100).collect();
    assert_eq!(late.len(), 4);
    assert!(
        late.iter()
            .all(|h| h.worker == "/p/pool/worker-0" || h.worker == "/p/pool/worker-1"),
        "{late:?}"
    );

    // Growing again gives fresh names: ids are never reused.
    pool.resize(3).await.unwrap();
    assert_eq!(
        paths(&pool.worker_refs()),
        ["/p/pool/worker-0", "/p/pool/worker-1", "/p/pool/worker-4"]
    );
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_submit_waiting_on_a_removed_worker_is_routed_again() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 2, Routing::RoundRobin, 1).await;
    let workers = pool.worker_refs();
    let release0 = block(&workers[0]).await;
    let release1 = block(&workers[1]).await;
    pool.try_submit(Job::Work(1)).unwrap_or_else(|_| panic!());
    pool.try_submit(Job::Work(2)).unwrap_or_else(|_| panic!());
    let mut waiting = Vec::new();
    for n in 3..=4 {
        waiting.push(in_flight({
            let pool = pool.clone();
            async move { pool.submit(Job::Work(n)).await.is_ok() }
        }));
    }
    settle().await;
    assert!(waiting.iter().all(|w| !w.is_finished()));
    let resizing = in_flight({
        let pool = pool.clone();
        async move { pool.resize(1).await.is_ok() }
    });
    settle().await;
    release1.send(()).unwrap();
    release0.send(()).unwrap();
    assert!(resizing.await.unwrap());
    for w in waiting {
        assert!(w.await.unwrap(), "the waiting job was placed");
    }
    flush(&pool).await;
    assert_eq!(log.jobs(), [1, 2, 3, 4], "nothing lost");
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_pool_has_at_least_one_worker() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let factory_log = log.clone();
    let zero = Pool::builder(move || Worker {
        log: factory_log.clone(),
    })
    .size(0)
    .start(&system, "empty")
    .await;
    assert!(matches!(zero, Err(PoolError::ZeroSize)), "{zero:?}");
    assert!(system.tree().await.to_string().find("empty").is_none());

    let pool = start_pool(&system, &log, 2, Routing::RoundRobin, 8).await;
    assert!(matches!(pool.resize(0).await, Err(PoolError::ZeroSize)));
    assert_eq!(pool.size(), 2, "a refused resize changes nothing");
    assert_eq!(pool.supervisor().count_children().specs, 2);
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Shutdown
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn shutdown_handles_every_queued_job_then_refuses_everything() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 2, Routing::RoundRobin, 8).await;
    let workers = pool.worker_refs();
    let release0 = block(&workers[0]).await;
    let release1 = block(&workers[1]).await;
    for n in 0..10 {
        pool.submit(Job::Work(n)).await.unwrap_or_else(|_| panic!());
    }
    assert_eq!(pool.queued(), 10);

    let shutting = in_flight({
        let pool = pool.clone();
        async move { pool.shutdown().await }
    });
    settle().await;
    assert!(!shutting.is_finished(), "waits for the queued jobs");
    // No new job is taken meanwhile.
    match pool.try_submit(Job::Work(99)) {
        Err(TrySendError::Closed(job)) => assert_eq!(job_of(job), Some(99)),
        other => panic!(
            "expected Closed, got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    release0.send(()).unwrap();
    release1.send(()).unwrap();
    shutting.await.unwrap();
    assert_eq!(log.jobs(), (0..10).collect::<Vec<_>>(), "every queued job");
    assert!(workers.iter().all(|w| !w.is_alive()));
    assert_eq!(pool.supervisor().wait().await, ExitReason::Normal);
    // A shut-down pool lists no workers (although it was never resized).
    assert_eq!(pool.size(), 0);
    assert!(pool.worker_refs().is_empty());
    assert_eq!(pool.queued(), 0);

    match pool.submit(Job::Work(100)).await {
        Err(SendError::Closed(job)) => assert_eq!(job_of(job), Some(100)),
        other => panic!(
            "expected Closed, got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    assert!(matches!(
        pool.try_submit(Job::Work(101)),
        Err(TrySendError::Closed(_))
    ));
    assert!(matches!(
        pool.ask(|reply| Job::Double { n: 1, reply }).await,
        Err(AskError::Stopped)
    ));
    assert!(matches!(pool.resize(3).await, Err(PoolError::Closed)));
    assert!(pool.keyed("k").is_none());
    assert!(matches!(
        pool.submit_keyed("k", Job::Work(102)).await,
        Err(SendError::Closed(_))
    ));
    assert!(matches!(
        pool.ask_keyed("k", |reply| Job::Double { n: 1, reply })
            .await,
        Err(AskError::Stopped)
    ));
    // A second shutdown returns at once.
    pool.shutdown().await;
    assert_eq!(log.count(), 10);
    system.shutdown().await.unwrap();
}

/// A worker stuck in a handler: `shutdown` would wait for its queue forever;
/// `shutdown_timeout` gives up at its deadline, kills the workers, and what was queued is
/// accounted for (the queued ask is answered with an error, the tells counted undelivered).
#[tokio::test(start_paused = true)]
async fn shutdown_timeout_kills_a_stuck_pool_and_accounts_for_its_queue() {
    let system = ActorSystem::new("p").unwrap();
    let mut events = system.events();
    let log = Log::default();
    let pool = start_pool(&system, &log, 1, Routing::RoundRobin, 8).await;
    let worker = pool.worker_refs().remove(0);
    let _never_released = block(&worker).await;
    for n in 0..2 {
        pool.submit(Job::Work(n)).await.unwrap_or_else(|_| panic!());
    }
    let asked = in_flight({
        let pool = pool.clone();
        async move { pool.ask(|reply| Job::Double { n: 1, reply }).await }
    });
    settle().await;
    assert_eq!(pool.queued(), 3);

    let began = tokio::time::Instant::now();
    match pool.shutdown_timeout(Duration::from_secs(2)).await {
        Err(PoolError::ShutdownTimedOut(d)) => assert_eq!(d, Duration::from_secs(2)),
        other => panic!("expected ShutdownTimedOut, got {other:?}"),
    }
    assert_eq!(
        began.elapsed(),
        Duration::from_secs(2),
        "gave up at the deadline"
    );
    assert!(!worker.is_alive());
    assert!(matches!(
        asked.await.unwrap(),
        Err(AskError::Stopped | AskError::Killed)
    ));
    let undelivered = next_event(&mut events, worker.id(), |k| {
        matches!(k, EventKind::Undelivered(_))
    })
    .await;
    assert!(
        matches!(undelivered.kind, EventKind::Undelivered(2)),
        "{undelivered:?}"
    );
    assert!(log.jobs().is_empty(), "nothing was handled");
    assert!(matches!(
        pool.try_submit(Job::Work(9)),
        Err(TrySendError::Closed(_))
    ));
    assert_eq!(pool.size(), 0);
    system.shutdown().await.unwrap();
}

/// A told job failing while the pool shuts down: the jobs queued behind it on that worker
/// are still handled (`shutdown` promises every queued job is).
#[tokio::test(start_paused = true)]
async fn shutdown_still_handles_jobs_queued_behind_a_failing_one() {
    let system = ActorSystem::new("p").unwrap();
    let log = Log::default();
    let pool = start_pool(&system, &log, 1, Routing::RoundRobin, 8).await;
    let worker = pool.worker_refs().remove(0);
    let release = block(&worker).await;
    pool.submit(Job::Fail).await.unwrap_or_else(|_| panic!());
    for n in 0..3 {
        pool.submit(Job::Work(n)).await.unwrap_or_else(|_| panic!());
    }
    let mut events = system.events();
    let shutting = in_flight({
        let pool = pool.clone();
        async move { pool.shutdown().await }
    });
    settle().await;
    release.send(()).unwrap();
    shutting.await.unwrap();
    let seen = common::sup::take_events(&mut events);
    let undelivered: usize = common::undelivered_counts(&seen).iter().sum();
    assert_eq!(
        log.jobs(),
        [0, 1, 2],
        "jobs queued behind the failure during shutdown (undelivered: {undelivered})"
    );
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Workers gone without `Pool::shutdown`
// ---------------------------------------------------------------------------------------

/// Polls `task` for a bounded number of yields; true if it finished.
async fn finishes<T>(task: &tokio::task::JoinHandle<T>) -> bool {
    for _ in 0..10_000 {
        if task.is_finished() {
            return true;
        }
        tokio::task::yield_now().await;
    }
    false
}

/// A pool whose supervisor gave up (restart intensity exceeded): every worker is gone,
/// though `Pool::shutdown` was never called.
async fn pool_whose_supervisor_gave_up(system: &ActorSystem) -> Pool<Worker> {
    let log = Log::default();
    let pool = Pool::builder(move || Worker { log: log.clone() })
        .size(2)
        .mailbox(8)
        .intensity(0, Duration::from_secs(1))
        .start(system, "pool")
        .await
        .unwrap();
    let workers = pool.worker_refs();
    pool.submit(Job::Fail).await.unwrap_or_else(|_| panic!());
    assert!(matches!(
        pool.supervisor().wait().await,
        ExitReason::Shutdown(_)
    ));
    assert!(workers.iter().all(|w| !w.is_alive()));
    assert_eq!(pool.size(), 2, "the pool still lists its dead workers");
    pool
}

#[tokio::test(start_paused = true)]
async fn asks_to_a_pool_whose_workers_are_gone_are_refused() {
    let system = ActorSystem::new("p").unwrap();
    let pool = pool_whose_supervisor_gave_up(&system).await;
    assert!(matches!(
        pool.ask(|reply| Job::Double { n: 1, reply }).await,
        Err(AskError::Stopped)
    ));
    assert!(matches!(
        pool.ask_keyed("k", |reply| Job::Double { n: 1, reply })
            .await,
        Err(AskError::Stopped)
    ));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn try_submit_to_a_pool_whose_workers_are_gone_is_closed() {
    let system = ActorSystem::new("p").unwrap();
    let pool = pool_whose_supervisor_gave_up(&system).await;
    match pool.try_submit(Job::Work(1)) {
        Err(TrySendError::Closed(job)) => assert_eq!(job_of(job), Some(1)),
        Err(TrySendError::Full(_)) => panic!("Full, though no worker will ever take a job"),
        Ok(()) => panic!("a dead pool took a job"),
    }
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn submit_to_a_pool_whose_workers_are_gone_is_closed() {
    let system = ActorSystem::new("p").unwrap();
    let pool = pool_whose_supervisor_gave_up(&system).await;
    let submit = in_flight({
        let pool = pool.clone();
        async move { pool.submit(Job::Work(2)).await.map_err(|e| e.to_string()) }
    });
    let done = finishes(&submit).await;
    submit.abort();
    assert!(done, "submit never returned");
    assert_eq!(
        submit.await.unwrap(),
        Err("the actor is no longer accepting messages".to_owned())
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn submit_keyed_to_a_pool_whose_workers_are_gone_is_closed() {
    let system = ActorSystem::new("p").unwrap();
    let pool = pool_whose_supervisor_gave_up(&system).await;
    let submit = in_flight({
        let pool = pool.clone();
        async move {
            pool.submit_keyed("k", Job::Work(3))
                .await
                .map_err(|e| e.to_string())
        }
    });
    let done = finishes(&submit).await;
    submit.abort();
    assert!(done, "submit_keyed never returned");
    assert_eq!(
        submit.await.unwrap(),
        Err("the actor is no longer accepting messages".to_owned())
    );
    system.shutdown().await.unwrap();
}
