//! Regression tests: one per bug fixed, named for it, each asserting what a user of the
//! library observes. Every wait is bounded (`tokio::time::timeout` on the paused clock, or a
//! bounded number of yields where a busy loop would keep the paused clock from advancing), so
//! a regression fails instead of hanging.
//!
//! | # | Bug | Fix commit | Regression test | Fails on the fix's parent |
//! |---|-----|------------|-----------------|---------------------------|
//! | 1 | Pool whose workers are all gone (supervisor intensity exceeded): `submit` busy-looped, `try_submit` said `Full` | a3eda49 | `regression_pool_with_all_workers_gone_answers_closed_instead_of_spinning` | yes (af2ef2d) |
//! | 2 | Pool resize-down drained the removed worker: its failure lost the jobs queued behind it | a3eda49 | `regression_pool_resize_down_keeps_jobs_queued_behind_a_removed_workers_failure` | yes (af2ef2d) |
//! | 3 | A waiting `submit` (every mailbox full) waited on the routed worker only | a3eda49 | `regression_pool_waiting_submit_takes_room_on_any_worker_not_just_the_routed_one` | yes (af2ef2d) |
//! | 4 | `Pool::ask` from inside a pool worker routed to the caller: `SelfAsk` | a14a366 | `regression_pool_ask_from_inside_a_worker_goes_to_another_worker_not_self_ask` | yes (7869e03) |
//! | 5 | Topic: a `Wait` subscriber publishing to itself with a full mailbox: its copy was lost silently (the `WouldDeadlock` error was swallowed, counted nowhere); no deadlock | 6ce6d2f | `regression_topic_self_publish_with_a_full_mailbox_is_counted_as_dropped_not_lost` | yes (122a5ac) |
//! | 6 | `watch_exit`: exit hooks of dropped topics were never pruned (one per watch) | 6ce6d2f | `regression_exit_hooks_of_dropped_topics_are_pruned_not_leaked` | yes (122a5ac) |
//! | 7 | `__private::settle`: an `Err` for an asker that timed out failed the actor | a14a366 | `regression_err_for_an_asker_that_timed_out_does_not_fail_the_actor` | yes (7869e03) |
//! | 8a | `tree()` did not wake when an asked actor exited during the census | a14a366, completed in session 4 (`Census::active` was never set) | `regression_tree_wakes_when_an_asked_actor_exits_during_the_census` | yes (7869e03), and on main before the completion |
//! | 8b | `add_stream`: a panic in the stream unwound its forwarding task into the runtime, unreported | 4876ff8 | `regression_panicking_stream_ends_its_forwarding_and_the_actor_goes_on` | yes (784277e) |
//! | 9 | A message sent right after `kill()`/`stop()` was taken by the dying instance | fe84be6 | `regression_message_sent_right_after_kill_or_stop_goes_to_the_next_instance` | yes (570d9fc) |
//! | 10 | `event_capacity(usize::MAX)` and `Pool` `size(usize::MAX)` panicked | 84e52fb | `regression_huge_event_capacity_and_pool_size_are_typed_errors_not_panics` | yes (200561c, adapted: the typed variants did not exist) |
//!
//! Suite tests that already cover the same bugs (the regression tests here are the minimal,
//! named reproductions):
//! - 1: `pool.rs`: `submit_to_a_pool_whose_workers_are_gone_is_closed`,
//!   `try_submit_to_a_pool_whose_workers_are_gone_is_closed`,
//!   `asks_to_a_pool_whose_workers_are_gone_are_refused`,
//!   `submit_keyed_to_a_pool_whose_workers_are_gone_is_closed`.
//! - 2: none for a resize (`pool.rs`: `shutdown_still_handles_jobs_queued_behind_a_failing_one`
//!   covers the same drain problem for `shutdown`).
//! - 3: `pool.rs`: `a_waiting_submit_takes_whichever_worker_frees_up_first`.
//! - 4: none.
//! - 5: `topic_and_streams.rs`:
//!   `a_wait_subscriber_publishing_to_itself_with_a_full_mailbox_is_accounted_for` (looser: any
//!   of delivered, dropped or removed).
//! - 6: `topic_and_streams.rs`: `topics_dropped_while_their_subscriber_lives_leave_a_bounded_trace`.
//! - 7: `macro_actor.rs`: `an_err_for_an_asker_that_gave_up_does_not_fail_the_actor`.
//! - 8a: none. 8b: `topic_and_streams.rs`:
//!   `a_panicking_stream_ends_its_forwarding_and_the_actor_goes_on`.
//! - 9: `supervisor_messages.rs`: `a_message_sent_right_after_kill_is_handled_by_the_new_instance`,
//!   `a_message_sent_right_after_stop_is_handled_by_the_new_instance`,
//!   `a_tell_sent_right_after_kill_is_not_lost`.
//! - 10: `bad_input_table.rs`: `an_enormous_event_capacity_is_a_typed_error`,
//!   `a_pool_of_usize_max_workers_is_a_typed_error`.

#[path = "common/recorder.rs"]
mod recorder;

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use actors::prelude::*;
use actors::{
    AnyActorRef, ChildSpec, MAX_EVENT_CAPACITY, MAX_POOL_SIZE, Overflow, Pool, PoolError,
    Published, Routing, SendError, Strategy, Supervisor, SystemError, Topic, TrySendError,
};
use recorder::Recorder;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

// ---------------------------------------------------------------------------------------
// Bounded waits
// ---------------------------------------------------------------------------------------

/// The bound on any wait on tokio's clock (virtual under `start_paused`: a wait that cannot
/// end makes the runtime idle, the clock jumps, and the test fails at once).
const GUARD: Duration = Duration::from_secs(60);

/// Awaits `fut` under [`GUARD`]; fails the test if it did not finish.
async fn bounded<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(GUARD, fut)
        .await
        .unwrap_or_else(|_| panic!("gave up waiting: {what}"))
}

/// Yields (without advancing the paused clock) until `cond` holds; fails the test after a
/// bounded number of yields.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..10_000 {
        if cond() {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("gave up waiting until {what}");
}

/// Lets the other tasks of a current-thread runtime run for a while.
async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
}

/// Runs `fut` in its own task and gives it a bounded number of turns; `None` (the task
/// aborted) if it did not finish. A busy loop that yields keeps the paused clock from ever
/// advancing, so a `timeout` would never fire: counting turns catches it.
async fn within_turns<T: Send + 'static>(
    fut: impl Future<Output = T> + Send + 'static,
) -> Option<T> {
    let task: JoinHandle<T> = tokio::spawn(fut);
    for _ in 0..10_000 {
        if task.is_finished() {
            return Some(task.await.expect("the task panicked"));
        }
        tokio::task::yield_now().await;
    }
    task.abort();
    None
}

// ---------------------------------------------------------------------------------------
// A pool worker
// ---------------------------------------------------------------------------------------

/// The jobs the workers handled, as (worker path, job), in order.
#[derive(Clone, Default)]
struct Jobs(Arc<Mutex<Vec<(String, u32)>>>);

impl Jobs {
    fn numbers(&self) -> Vec<u32> {
        let mut jobs: Vec<u32> = self.0.lock().unwrap().iter().map(|(_, n)| *n).collect();
        jobs.sort_unstable();
        jobs
    }

    fn handled_by(&self, job: u32) -> Option<String> {
        let jobs = self.0.lock().unwrap();
        jobs.iter().find(|(_, n)| *n == job).map(|(w, _)| w.clone())
    }
}

enum Job {
    /// Record the job.
    Work(u32),
    /// Fail the handler.
    Fail,
    /// Signal `entered`, then wait for `release`.
    Block {
        entered: oneshot::Sender<()>,
        release: oneshot::Receiver<()>,
    },
    /// Answer the worker's path.
    Whoami { reply: Reply<String> },
    /// Ask `pool` who it is, from inside this worker's handler; answer the outcome.
    AskPool {
        pool: Pool<PoolWorker>,
        reply: Reply<Result<String, AskError>>,
    },
}

/// What `job` was, for assertions on a job handed back.
fn number(job: Job) -> Option<u32> {
    match job {
        Job::Work(n) => Some(n),
        _ => None,
    }
}

struct PoolWorker {
    jobs: Jobs,
}

impl Actor for PoolWorker {
    type Msg = Job;

    async fn handle(&mut self, job: Job, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match job {
            Job::Work(n) => self
                .jobs
                .0
                .lock()
                .unwrap()
                .push((ctx.path().to_string(), n)),
            Job::Fail => return Err(ActorError::msg("job failed")),
            Job::Block { entered, release } => {
                let _ = entered.send(());
                let _ = release.await;
            }
            Job::Whoami { reply } => {
                let _ = reply.send(ctx.path().to_string());
            }
            Job::AskPool { pool, reply } => {
                let answer = pool.ask(|reply| Job::Whoami { reply }).await;
                let _ = reply.send(answer);
            }
        }
        Ok(())
    }
}

/// Starts a round-robin pool `pool` of `size` workers with `mailbox` slots each, whose
/// supervisor allows `max_restarts` restarts in 5 s.
async fn start_pool(
    system: &ActorSystem,
    jobs: &Jobs,
    size: usize,
    mailbox: usize,
    max_restarts: u32,
) -> Pool<PoolWorker> {
    let jobs = jobs.clone();
    Pool::builder(move || PoolWorker { jobs: jobs.clone() })
        .size(size)
        .routing(Routing::RoundRobin)
        .mailbox(mailbox)
        .intensity(max_restarts, Duration::from_secs(5))
        .start(system, "pool")
        .await
        .expect("the pool starts")
}

/// Tells `worker` to block and waits until it is inside the handler; returns the release.
async fn block(worker: &ActorRef<PoolWorker>) -> oneshot::Sender<()> {
    let (release, rx) = oneshot::channel();
    let (entered_tx, entered) = oneshot::channel();
    worker
        .tell(Job::Block {
            entered: entered_tx,
            release: rx,
        })
        .await
        .unwrap_or_else(|e| panic!("tell Block: {e}"));
    bounded("the worker enters the block", entered)
        .await
        .expect("the worker entered the block");
    release
}

// ---------------------------------------------------------------------------------------
// 1. Pool: all workers gone
// ---------------------------------------------------------------------------------------

/// Bug 1 (fixed in a3eda49): once the pool's supervisor gave up (restart intensity exceeded)
/// every worker is gone, but `submit` kept retrying the dead routed worker in a loop that
/// never returned, and `try_submit` answered `Full` (as if a worker could ever make room).
/// Suite: `pool.rs`, `submit_to_a_pool_whose_workers_are_gone_is_closed` and its neighbours.
#[tokio::test(start_paused = true)]
async fn regression_pool_with_all_workers_gone_answers_closed_instead_of_spinning() {
    let system = ActorSystem::new("r").unwrap();
    // No restart allowed: the first failure is one too many.
    let pool = start_pool(&system, &Jobs::default(), 2, 8, 0).await;
    let workers = pool.worker_refs();
    pool.submit(Job::Fail)
        .await
        .unwrap_or_else(|e| panic!("submit: {e}"));
    bounded("the supervisor gives up", pool.supervisor().wait()).await;
    assert!(
        workers.iter().all(|w| !w.is_alive()),
        "every worker is gone"
    );

    match pool.try_submit(Job::Work(1)) {
        Err(TrySendError::Closed(job)) => assert_eq!(number(job), Some(1), "the job back"),
        Err(TrySendError::Full(_)) => panic!("Full, though no worker will ever take a job"),
        Ok(()) => panic!("a pool without workers took a job"),
    }

    let submitted = within_turns({
        let pool = pool.clone();
        async move {
            match pool.submit(Job::Work(2)).await {
                Err(SendError::Closed(job)) => Ok(number(job)),
                Err(other) => Err(format!("{other:?}")),
                Ok(()) => Err("taken".to_owned()),
            }
        }
    })
    .await;
    assert_eq!(
        submitted,
        Some(Ok(Some(2))),
        "submit must answer Closed with the job (None: it never returned)"
    );

    let asked = within_turns({
        let pool = pool.clone();
        async move {
            pool.ask(|reply| Job::Whoami { reply })
                .await
                .map_err(|e| format!("{e:?}"))
        }
    })
    .await;
    assert_eq!(asked, Some(Err("Stopped".to_owned())));
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 2. Pool: resize-down and a failure of a removed worker
// ---------------------------------------------------------------------------------------

/// Bug 2 (fixed in a3eda49): a resize-down drained the removed worker (its mailbox closed for
/// good); when it failed on a queued job meanwhile, a drained child is never restarted, so
/// the jobs queued behind the failure were dropped. Now it is restarted and handles them
/// before it is stopped. No suite test for a resize (for `shutdown`:
/// `pool.rs`, `shutdown_still_handles_jobs_queued_behind_a_failing_one`).
#[tokio::test(start_paused = true)]
async fn regression_pool_resize_down_keeps_jobs_queued_behind_a_removed_workers_failure() {
    let system = ActorSystem::new("r").unwrap();
    let jobs = Jobs::default();
    let pool = start_pool(&system, &jobs, 2, 8, 10).await;
    // A resize removes the newest worker first.
    let removed = pool.worker_refs().pop().unwrap();
    let release = block(&removed).await;
    for job in [Job::Fail, Job::Work(1), Job::Work(2)] {
        removed
            .tell(job)
            .await
            .unwrap_or_else(|e| panic!("tell: {e}"));
    }

    let resizing = tokio::spawn({
        let pool = pool.clone();
        async move { pool.resize(1).await.map_err(|e| e.to_string()) }
    });
    // The removed worker is out of the routing (and being retired) before it goes on.
    until("the resize began", || pool.size() == 1).await;
    release.send(()).unwrap();
    let resized = bounded("resize(1)", resizing).await.unwrap();
    assert_eq!(resized, Ok(()));
    assert_eq!(pool.size(), 1);
    assert!(!removed.is_alive(), "the removed worker is gone");
    assert_eq!(
        jobs.numbers(),
        [1, 2],
        "the jobs queued behind the failure were handled, not lost"
    );
    assert_eq!(removed.generation(), 2, "the failure was restarted");
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 3. Pool: a waiting submit
// ---------------------------------------------------------------------------------------

/// Bug 3 (fixed in a3eda49): with every mailbox full, `submit` waited for room on the one
/// worker the routing picked, even when another worker freed up first and sat idle.
/// Suite: `pool.rs`, `a_waiting_submit_takes_whichever_worker_frees_up_first`.
#[tokio::test(start_paused = true)]
async fn regression_pool_waiting_submit_takes_room_on_any_worker_not_just_the_routed_one() {
    let system = ActorSystem::new("r").unwrap();
    let jobs = Jobs::default();
    let pool = start_pool(&system, &jobs, 2, 1, 10).await;
    let workers = pool.worker_refs();
    let release0 = block(&workers[0]).await;
    let release1 = block(&workers[1]).await;
    // One slot each: full after two jobs. The next turn of the routing is worker 0.
    for n in [1, 2] {
        pool.try_submit(Job::Work(n))
            .unwrap_or_else(|e| panic!("try_submit: {e}"));
    }
    let waiting = tokio::spawn({
        let pool = pool.clone();
        async move { pool.submit(Job::Work(3)).await.map_err(|e| e.to_string()) }
    });
    settle().await;
    assert!(
        !waiting.is_finished(),
        "every mailbox is full: submit waits"
    );

    // Only worker 1 frees up; worker 0 stays busy.
    release1.send(()).unwrap();
    let placed = bounded("the waiting submit, while worker 1 has room", waiting)
        .await
        .unwrap();
    assert_eq!(placed, Ok(()));
    until("job 3 is handled", || jobs.handled_by(3).is_some()).await;
    assert_eq!(jobs.handled_by(3), Some(workers[1].path().to_string()));
    release0.send(()).unwrap();
    pool.shutdown().await;
    assert_eq!(jobs.numbers(), [1, 2, 3]);
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 4. Pool: an ask from one of its own workers
// ---------------------------------------------------------------------------------------

/// Bug 4 (fixed in a14a366): `Pool::ask` called from inside one of the pool's workers was
/// routed to that worker itself when its turn came, and failed with `SelfAsk`; it must go to
/// another worker. No suite test.
#[tokio::test(start_paused = true)]
async fn regression_pool_ask_from_inside_a_worker_goes_to_another_worker_not_self_ask() {
    let system = ActorSystem::new("r").unwrap();
    let pool = start_pool(&system, &Jobs::default(), 2, 8, 10).await;
    let workers = pool.worker_refs();
    // The routing's turns go 0, 1, 0, 1: each worker asks once on its own turn.
    for asker in [0, 1, 0, 1] {
        let answer = bounded(
            "the worker asking its pool",
            workers[asker].ask(|reply| Job::AskPool {
                pool: pool.clone(),
                reply,
            }),
        )
        .await
        .expect("the asking worker answers");
        let other = workers[1 - asker].path().to_string();
        match answer {
            Ok(path) => assert_eq!(path, other, "answered by the other worker"),
            Err(e) => panic!("worker {asker} asking its pool got {e:?}"),
        }
    }
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// A topic subscriber
// ---------------------------------------------------------------------------------------

enum SubMsg {
    Item(u32),
    /// Signal `entered`, wait for `release`, then publish `n` on `topic` from this handler
    /// and answer what the publish did.
    PublishInside {
        topic: Topic<u32>,
        n: u32,
        entered: oneshot::Sender<()>,
        release: oneshot::Receiver<()>,
        reply: Reply<Published>,
    },
    /// Answer the items handled so far (after everything queued before).
    Items {
        reply: Reply<Vec<u32>>,
    },
}

impl From<u32> for SubMsg {
    fn from(n: u32) -> Self {
        SubMsg::Item(n)
    }
}

#[derive(Default)]
struct Sub {
    items: Vec<u32>,
}

impl Actor for Sub {
    type Msg = SubMsg;

    async fn handle(&mut self, msg: SubMsg, _: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            SubMsg::Item(n) => self.items.push(n),
            SubMsg::PublishInside {
                topic,
                n,
                entered,
                release,
                reply,
            } => {
                let _ = entered.send(());
                let _ = release.await;
                let _ = reply.send(topic.publish(n).await);
            }
            SubMsg::Items { reply } => {
                let _ = reply.send(self.items.clone());
            }
        }
        Ok(())
    }
}

fn spawn_sub(system: &ActorSystem, capacity: usize) -> ActorRef<Sub> {
    system
        .spawn_builder(Sub::default())
        .mailbox(capacity)
        .spawn()
        .expect("spawn")
}

async fn items(sub: &ActorRef<Sub>) -> Vec<u32> {
    bounded(
        "the subscriber's items",
        sub.ask(|reply| SubMsg::Items { reply }),
    )
    .await
    .expect("the subscriber answers")
}

// ---------------------------------------------------------------------------------------
// 5. Topic: a subscriber publishing to itself
// ---------------------------------------------------------------------------------------

/// Bug 5 (fixed in 6ce6d2f): a `Wait` subscriber publishing to its own topic from its
/// handler while its own mailbox was full. The wait for its own copy returned `WouldDeadlock`
/// (so there was no deadlock), but the publish swallowed the error: that copy was neither
/// delivered nor counted as dropped or removed (lost silently). Now it is dropped and
/// counted, for the publish and in the subscriber's stats. Suite (looser):
/// `topic_and_streams.rs`,
/// `a_wait_subscriber_publishing_to_itself_with_a_full_mailbox_is_accounted_for`.
#[tokio::test(start_paused = true)]
async fn regression_topic_self_publish_with_a_full_mailbox_is_counted_as_dropped_not_lost() {
    let system = ActorSystem::new("r").unwrap();
    let topic = Topic::<u32>::new();
    let me = spawn_sub(&system, 1);
    let other = spawn_sub(&system, 8);
    assert!(topic.subscribe(&me, Overflow::Wait));
    assert!(topic.subscribe(&other, Overflow::Wait));

    let (release, release_rx) = oneshot::channel();
    let (entered_tx, entered) = oneshot::channel();
    let asking = tokio::spawn({
        let me = me.clone();
        let topic = topic.clone();
        async move {
            me.ask(|reply| SubMsg::PublishInside {
                topic,
                n: 7,
                entered: entered_tx,
                release: release_rx,
                reply,
            })
            .await
        }
    });
    bounded("the publisher's handler begins", entered)
        .await
        .unwrap();
    // Its only slot is taken while it publishes from its handler.
    me.tell(SubMsg::Item(0))
        .await
        .unwrap_or_else(|e| panic!("tell: {e}"));
    release.send(()).unwrap();
    let published = bounded("the self-publish", asking)
        .await
        .unwrap()
        .expect("the publisher answers");

    assert_eq!(
        (published.delivered, published.dropped, published.removed),
        (1, 1, 0),
        "delivered to the other, dropped (and counted) for itself: {published:?}"
    );
    let mine = topic
        .stats()
        .into_iter()
        .find(|s| s.id == me.id())
        .expect("still subscribed");
    assert_eq!((mine.delivered, mine.dropped), (0, 1));
    assert_eq!(topic.dropped(), 1);
    assert_eq!(items(&other).await, [7]);
    assert_eq!(items(&me).await, [0]);
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 6. Exit hooks of dropped topics
// ---------------------------------------------------------------------------------------

/// Bug 6 (fixed in 6ce6d2f, `link::watch_exit`): each subscription registers an exit hook
/// with the subscriber; hooks of topics that were dropped were never pruned, so a long-lived
/// actor subscribed to many short-lived topics held one dead hook per topic for its whole
/// life. Suite: `topic_and_streams.rs`,
/// `topics_dropped_while_their_subscriber_lives_leave_a_bounded_trace`.
#[tokio::test(start_paused = true)]
async fn regression_exit_hooks_of_dropped_topics_are_pruned_not_leaked() {
    let system = ActorSystem::new("r").unwrap();
    let sub = spawn_sub(&system, 8);
    for n in 0..50 {
        let topic = Topic::<u32>::new();
        assert!(topic.subscribe(&sub, Overflow::Wait));
        assert_eq!(topic.publish(n).await.delivered, 1);
        // The topic is dropped here; the subscriber lives on.
    }
    assert_eq!(items(&sub).await, (0..50).collect::<Vec<_>>());
    let held = AnyActorRef::from(&sub).relation_count();
    assert!(
        held <= 1,
        "{held} exit hooks of dropped topics held by a live subscriber"
    );
    sub.stop();
    bounded("the subscriber stops", sub.wait()).await;
    assert_eq!(AnyActorRef::from(&sub).relation_count(), 0);
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 7. The Result rule of `#[actor]` (`__private::settle`)
// ---------------------------------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
#[error("refused")]
struct Refused;

#[derive(Default)]
struct Refuser;

#[actor]
impl Refuser {
    /// Refuses, after `after` on tokio's clock.
    #[handler]
    async fn refuse_after(&mut self, after: Duration) -> Result<u32, Refused> {
        tokio::time::sleep(after).await;
        Err(Refused)
    }
}

/// Bug 7 (fixed in a14a366, `__private::settle`): when the asker of a handler returning
/// `Result` had timed out, the handler's `Err` failed the actor as if it had been told. Only
/// a told `Err` (no reply at all) may fail the instance. Suite: `macro_actor.rs`,
/// `an_err_for_an_asker_that_gave_up_does_not_fail_the_actor`.
#[tokio::test(start_paused = true)]
async fn regression_err_for_an_asker_that_timed_out_does_not_fail_the_actor() {
    let system = ActorSystem::new("r").unwrap();
    let refuser = system.spawn(Refuser).unwrap();
    let gave_up = refuser
        .refuse_after_timeout(Duration::from_secs(10), Duration::from_secs(1))
        .await;
    assert!(matches!(gave_up, Err(AskError::Timeout(_))), "{gave_up:?}");
    // The handler returns its `Err` after the asker left.
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert!(refuser.is_alive(), "failed: {:?}", refuser.exit_reason());
    assert_eq!(refuser.generation(), 1);

    // The rule's other half is unchanged: an `Err` no one asked for fails the instance.
    refuser
        .tell(RefuserMsg::RefuseAfter {
            after: Duration::ZERO,
            reply: None,
        })
        .await
        .unwrap_or_else(|e| panic!("tell: {e}"));
    match bounded("the told Err", refuser.wait()).await {
        ExitReason::Failed(info) => assert_eq!(info.message(), "refused"),
        other => panic!("expected a failure, got {other:?}"),
    }
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 8a. tree(): an asked actor exiting during the census
// ---------------------------------------------------------------------------------------

/// Handles one message by blocking its thread until `unblock`, then awaiting forever: it can
/// answer no census, and a kill raised meanwhile ends it without one.
struct Stuck;

struct StuckMsg {
    entered: oneshot::Sender<()>,
    unblock: std::sync::mpsc::Receiver<()>,
}

impl Actor for Stuck {
    type Msg = StuckMsg;

    async fn handle(&mut self, msg: StuckMsg, _: &mut Context<Self>) -> Result<(), ActorError> {
        let _ = msg.entered.send(());
        let _ = msg.unblock.recv();
        std::future::pending::<()>().await;
        Ok(())
    }
}

/// Bug 8a: a census (`tree()`) waited its whole timeout for an actor that exited without
/// answering, instead of waking at the exit. The first fix (a14a366) added `Census::exited`,
/// but it only notifies while `Census::active` is set, and nothing set it (this test found
/// that); session 4 sets it when a census begins. A multi-thread
/// runtime and real time: the actor must block its thread to leave the census unanswered;
/// the tree's own timeout is an hour and the guard 10 s, so only a tree that wakes at the exit
/// passes. No suite test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_tree_wakes_when_an_asked_actor_exits_during_the_census() {
    let system = ActorSystem::new("r").unwrap();
    let stuck = system.spawn(Stuck).unwrap();
    let (entered_tx, entered) = oneshot::channel();
    let (unblock, unblock_rx) = std::sync::mpsc::channel();
    stuck
        .tell(StuckMsg {
            entered: entered_tx,
            unblock: unblock_rx,
        })
        .await
        .unwrap_or_else(|e| panic!("tell: {e}"));
    tokio::time::timeout(Duration::from_secs(10), entered)
        .await
        .expect("the handler begins")
        .unwrap();

    // The census asks the actor (its first poll raises the request), which cannot answer.
    let mut census = pin!(system.tree_within(Duration::from_secs(3600)));
    let first = poll_fn(|cx| Poll::Ready(census.as_mut().poll(cx))).await;
    assert!(first.is_pending(), "the blocked actor cannot have answered");

    // It is killed without answering and makes its final exit.
    stuck.kill();
    unblock.send(()).unwrap();
    let exit = tokio::time::timeout(Duration::from_secs(10), stuck.wait())
        .await
        .expect("the actor exits");
    assert_eq!(exit, ExitReason::Killed);

    let tree = tokio::time::timeout(Duration::from_secs(10), census)
        .await
        .expect("tree() still waits for an actor that exited during the census");
    assert!(tree.find("/r").is_some());
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 8b. add_stream: a panicking stream
// ---------------------------------------------------------------------------------------

/// A stream that yields 1, 2, then panics.
struct Breaking(u32);

impl futures_core::Stream for Breaking {
    type Item = u32;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<Option<u32>> {
        self.0 += 1;
        if self.0 > 2 {
            panic!("regression: the stream broke");
        }
        Poll::Ready(Some(self.0))
    }
}

enum OwnerMsg {
    Item(u32),
    /// The stream's end message (the stream never ends by itself here).
    End,
    Seen {
        reply: Reply<Vec<u32>>,
    },
}

impl From<u32> for OwnerMsg {
    fn from(n: u32) -> Self {
        OwnerMsg::Item(n)
    }
}

/// Adds a [`Breaking`] stream in `started`; records items, and the end as 99.
#[derive(Default)]
struct StreamOwner(Vec<u32>);

impl Actor for StreamOwner {
    type Msg = OwnerMsg;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        ctx.add_stream(Breaking(0), Some(OwnerMsg::End));
        Ok(())
    }

    async fn handle(&mut self, msg: OwnerMsg, _: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            OwnerMsg::Item(n) => self.0.push(n),
            OwnerMsg::End => self.0.push(99),
            OwnerMsg::Seen { reply } => {
                let _ = reply.send(self.0.clone());
            }
        }
        Ok(())
    }
}

/// Silences the default panic hook for this file's provoked stream panic only.
fn quiet_stream_panic() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let provoked = info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|p| p.contains("regression: the stream broke"));
            if !provoked {
                default(info);
            }
        }));
    });
}

/// Bug 8b (fixed in 4876ff8, `Context::add_stream`): a panic in the stream's code unwound
/// through the forwarding task into the runtime, unreported by the library. Now it ends the
/// forwarding only (no end message, since the stream did not end), is reported as a
/// `tracing` error, and the actor goes on. Suite: `topic_and_streams.rs`,
/// `a_panicking_stream_ends_its_forwarding_and_the_actor_goes_on`.
#[tokio::test(start_paused = true)]
async fn regression_panicking_stream_ends_its_forwarding_and_the_actor_goes_on() {
    quiet_stream_panic();
    let recorder = Recorder::new(tracing::Level::ERROR);
    let _traced = tracing::subscriber::set_default(recorder.clone());
    let system = ActorSystem::new("r").unwrap();
    let owner = system.spawn(StreamOwner::default()).unwrap();
    let seen = || async {
        bounded("the owner", owner.ask(|reply| OwnerMsg::Seen { reply }))
            .await
            .expect("the owner answers")
    };
    for _ in 0..1_000 {
        if seen().await.len() >= 2 {
            break;
        }
        tokio::task::yield_now().await;
    }
    until("the forwarding task ended", || system.task_count() == 1).await;
    settle().await;
    assert_eq!(
        seen().await,
        [1, 2],
        "the items before the panic, and no end message (the stream did not end)"
    );
    assert!(owner.is_alive());
    owner
        .tell(OwnerMsg::Item(7))
        .await
        .unwrap_or_else(|e| panic!("tell: {e}"));
    assert_eq!(seen().await, [1, 2, 7], "the actor goes on");
    let reported = recorder.events();
    assert!(
        reported
            .iter()
            .any(|e| e.contains("add_stream panicked") && e.contains(&owner.path().to_string())),
        "the panic is reported as an error: {reported:?}"
    );
    assert_eq!(owner.generation(), 1);
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 9. A message sent right after kill() or stop()
// ---------------------------------------------------------------------------------------

enum CounterMsg {
    Record(u32),
    /// Answer the instance's generation and what it recorded.
    Recorded {
        reply: Reply<(u64, Vec<u32>)>,
    },
}

#[derive(Default)]
struct Counter {
    generation: u64,
    recorded: Vec<u32>,
}

impl Actor for Counter {
    type Msg = CounterMsg;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        self.generation = ctx.generation();
        Ok(())
    }

    async fn handle(&mut self, msg: CounterMsg, _: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            CounterMsg::Record(n) => self.recorded.push(n),
            CounterMsg::Recorded { reply } => {
                let _ = reply.send((self.generation, self.recorded.clone()));
            }
        }
        Ok(())
    }
}

/// Bug 9 (fixed in fe84be6): the instance read its mailbox before its control word, so a
/// message sent right after `kill()` or `stop()` of an idle supervised actor was taken by the
/// instance being ended (a tell after `kill()` was dropped with it; an ask after `stop()`
/// was answered by the old instance) instead of reaching the next instance. Suite:
/// `supervisor_messages.rs`, `a_message_sent_right_after_kill_is_handled_by_the_new_instance`
/// and its two neighbours.
#[tokio::test(start_paused = true)]
async fn regression_message_sent_right_after_kill_or_stop_goes_to_the_next_instance() {
    let system = ActorSystem::new("r").unwrap();
    let sup = bounded(
        "the supervisor starts",
        system.start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne)
                .intensity(10, Duration::from_secs(5))
                .child(ChildSpec::worker("w", Counter::default).mailbox(8)),
        ),
    )
    .await
    .expect("the supervisor starts");
    let w = sup
        .child("w")
        .and_then(|c| c.downcast::<Counter>())
        .expect("the worker");

    w.kill();
    w.tell(CounterMsg::Record(9))
        .await
        .unwrap_or_else(|e| panic!("tell: {e}"));
    let after_kill = bounded(
        "ask after kill",
        w.ask(|reply| CounterMsg::Recorded { reply }),
    )
    .await;
    assert_eq!(
        after_kill.ok(),
        Some((2, vec![9])),
        "the tell sent after kill() reached the next instance"
    );

    w.stop();
    let after_stop = bounded(
        "ask after stop",
        w.ask(|reply| CounterMsg::Recorded { reply }),
    )
    .await;
    assert_eq!(
        after_stop.ok(),
        Some((3, vec![])),
        "the ask sent after stop() was answered by the next instance"
    );
    sup.stop();
    bounded("the supervisor stops", sup.wait()).await;
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 10. Enormous sizes
// ---------------------------------------------------------------------------------------

/// Bug 10 (fixed in 84e52fb): `SystemBuilder::event_capacity(usize::MAX)` and a pool of
/// `usize::MAX` workers panicked; they are typed errors now, and nothing is started. Suite:
/// `bad_input_table.rs`, `an_enormous_event_capacity_is_a_typed_error` and
/// `a_pool_of_usize_max_workers_is_a_typed_error`.
#[tokio::test(start_paused = true)]
async fn regression_huge_event_capacity_and_pool_size_are_typed_errors_not_panics() {
    match ActorSystem::builder("huge")
        .event_capacity(usize::MAX)
        .build()
    {
        Err(SystemError::EventCapacityTooLarge { requested, max }) => {
            assert_eq!((requested, max), (usize::MAX, MAX_EVENT_CAPACITY));
        }
        Err(other) => panic!("expected EventCapacityTooLarge, got {other:?}"),
        Ok(system) => panic!("built {}", system.name()),
    }

    let system = ActorSystem::new("r").unwrap();
    let huge = bounded(
        "a pool of usize::MAX workers",
        Pool::builder(|| PoolWorker {
            jobs: Jobs::default(),
        })
        .size(usize::MAX)
        .start(&system, "huge"),
    )
    .await;
    match huge {
        Err(PoolError::TooLarge { requested, max }) => {
            assert_eq!((requested, max), (usize::MAX, MAX_POOL_SIZE));
        }
        Err(other) => panic!("expected TooLarge, got {other:?}"),
        Ok(pool) => panic!("started {pool:?}"),
    }
    assert_eq!(system.actor_count(), 0, "nothing was started");

    let pool = start_pool(&system, &Jobs::default(), 2, 8, 10).await;
    let resized = bounded("resize(usize::MAX)", pool.resize(usize::MAX)).await;
    assert!(
        matches!(resized, Err(PoolError::TooLarge { .. })),
        "{resized:?}"
    );
    assert_eq!(pool.size(), 2, "a refused resize changes nothing");
    pool.shutdown().await;
    system.shutdown().await.unwrap();
}

/// Session 4 review: the default ask timeout became 584 years when it was `Duration::MAX`
/// (stored in nanoseconds), and a 584-year timer still fires at once on a paused clock when
/// the runtime idles: an ask waiting on another thread failed with `Timeout`. No suite test.
#[tokio::test(start_paused = true)]
async fn regression_an_ask_timeout_of_duration_max_never_fires() {
    struct Waits;

    impl Actor for Waits {
        type Msg = Reply<u32>;

        async fn handle(
            &mut self,
            reply: Reply<u32>,
            _: &mut Context<Self>,
        ) -> Result<(), ActorError> {
            // Answered from a thread outside the runtime: the runtime idles meanwhile.
            let (tx, rx) = oneshot::channel();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                let _ = tx.send(7);
            });
            let _ = reply.send(rx.await.unwrap_or(0));
            Ok(())
        }
    }

    let system = ActorSystem::builder("r")
        .ask_timeout(Duration::MAX)
        .build()
        .unwrap();
    let waits = system.spawn(Waits).unwrap();
    assert_eq!(waits.ask(|reply| reply).await.unwrap(), 7);
    system.shutdown().await.unwrap();
}
