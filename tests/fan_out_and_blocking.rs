//! `fan_out` (many asks under one deadline) and `Context::spawn_blocking` /
//! `Context::spawn_blocking_to_self` (work on tokio's blocking pool), as a user observes them.

mod common;
#[path = "common/recorder.rs"]
mod recorder;

use std::time::Duration;

use actors::prelude::*;
use actors::testkit::until_event;
use actors::{EventKind, fan_out};
use common::quiet_panics;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

// ---------------------------------------------------------------------------------------
// fan_out
// ---------------------------------------------------------------------------------------

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("backend {0} is unavailable")]
struct Unavailable(&'static str);

/// A backend that answers after `delay` (on tokio's clock), or fails with a typed error, or
/// crashes.
struct Backend {
    name: &'static str,
    delay: Duration,
    behaviour: Behaviour,
}

#[derive(Clone, Copy)]
enum Behaviour {
    Answers,
    Unavailable,
    Crashes,
}

#[actor]
impl Backend {
    #[handler]
    async fn lookup(&mut self, key: u32) -> Result<String, Unavailable> {
        tokio::time::sleep(self.delay).await;
        match self.behaviour {
            Behaviour::Answers => Ok(format!("{}:{key}", self.name)),
            Behaviour::Unavailable => Err(Unavailable(self.name)),
            Behaviour::Crashes => panic!("told to panic"),
        }
    }
}

fn backend(
    system: &ActorSystem,
    name: &'static str,
    delay_ms: u64,
    behaviour: Behaviour,
) -> ActorRef<Backend> {
    system
        .spawn(Backend {
            name,
            delay: Duration::from_millis(delay_ms),
            behaviour,
        })
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn fan_out_gives_each_outcome_in_order_under_one_deadline() {
    let system = ActorSystem::new("f").unwrap();
    let backends = [
        backend(&system, "a", 30, Behaviour::Answers),
        backend(&system, "b", 10, Behaviour::Answers),
        backend(&system, "c", 20, Behaviour::Unavailable),
        backend(&system, "d", 500, Behaviour::Answers),
    ];
    let deadline = Duration::from_millis(100);
    let before = Instant::now();
    let answers = fan_out(backends.iter().map(|b| b.lookup(7)), deadline).await;
    assert_eq!(
        Instant::now() - before,
        deadline,
        "one answer is late: the whole deadline"
    );

    assert_eq!(answers.len(), 4);
    assert!(
        matches!(&answers[0], Ok(Ok(s)) if s == "a:7"),
        "{:?}",
        answers[0]
    );
    assert!(
        matches!(&answers[1], Ok(Ok(s)) if s == "b:7"),
        "{:?}",
        answers[1]
    );
    assert!(
        matches!(&answers[2], Ok(Err(Unavailable("c")))),
        "the typed error: {:?}",
        answers[2]
    );
    assert!(
        matches!(&answers[3], Err(AskError::Timeout(d)) if *d == deadline),
        "{:?}",
        answers[3]
    );

    // The slow backend is unharmed and answers the next question.
    assert_eq!(backends[3].lookup(8).await.unwrap(), Ok("d:8".to_owned()));
    assert!(backends.iter().all(|b| b.is_alive()));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn fan_out_takes_as_long_as_the_slowest_answer_not_the_sum() {
    let system = ActorSystem::new("f").unwrap();
    let delays = [40, 10, 30, 20];
    let names = ["a", "b", "c", "d"];
    let backends: Vec<_> = names
        .iter()
        .zip(delays)
        .map(|(name, ms)| backend(&system, name, ms, Behaviour::Answers))
        .collect();
    // The sum (100 ms) is past the deadline: asked one after the other, some would time out.
    let before = Instant::now();
    let answers = fan_out(
        backends.iter().enumerate().map(|(k, b)| b.lookup(k as u32)),
        Duration::from_millis(60),
    )
    .await;
    assert_eq!(Instant::now() - before, Duration::from_millis(40));
    let answers: Vec<String> = answers
        .into_iter()
        .map(|a| a.expect("answered").expect("no error"))
        .collect();
    assert_eq!(answers, ["a:0", "b:1", "c:2", "d:3"], "in the order asked");
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn fan_out_reports_a_crash_and_a_dead_backend_while_the_others_answer() {
    quiet_panics();
    let system = ActorSystem::new("f").unwrap();
    let ok = backend(&system, "ok", 10, Behaviour::Answers);
    let crashing = backend(&system, "crash", 5, Behaviour::Crashes);
    let dead = backend(&system, "dead", 0, Behaviour::Answers);
    dead.stop();
    dead.wait().await;
    let before = Instant::now();
    let answers = fan_out(
        [ok.lookup(1), crashing.lookup(2), dead.lookup(3)],
        Duration::from_secs(1),
    )
    .await;
    assert_eq!(Instant::now() - before, Duration::from_millis(10));
    assert!(
        matches!(&answers[0], Ok(Ok(s)) if s == "ok:1"),
        "{:?}",
        answers[0]
    );
    assert!(
        matches!(&answers[1], Err(AskError::Failed(_))),
        "{:?}",
        answers[1]
    );
    assert!(
        matches!(&answers[2], Err(AskError::Stopped)),
        "{:?}",
        answers[2]
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn fan_out_of_nothing_is_empty_at_once() {
    let system = ActorSystem::new("f").unwrap();
    let none: Vec<ActorRef<Backend>> = Vec::new();
    let before = Instant::now();
    let answers = fan_out(none.iter().map(|b| b.lookup(0)), Duration::from_secs(1)).await;
    assert!(answers.is_empty());
    assert_eq!(Instant::now(), before);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_asks_own_shorter_timeout_still_applies_inside_fan_out() {
    let system = ActorSystem::new("f").unwrap();
    let slow = backend(&system, "slow", 500, Behaviour::Answers);
    let quick = backend(&system, "quick", 30, Behaviour::Answers);
    let before = Instant::now();
    let answers = fan_out(
        [
            slow.lookup_timeout(1, Duration::from_millis(20)),
            quick.lookup_timeout(2, Duration::from_secs(5)),
        ],
        Duration::from_millis(100),
    )
    .await;
    assert_eq!(Instant::now() - before, Duration::from_millis(30));
    assert!(
        matches!(&answers[0], Err(AskError::Timeout(d)) if *d == Duration::from_millis(20)),
        "{:?}",
        answers[0]
    );
    assert!(
        matches!(&answers[1], Ok(Ok(s)) if s == "quick:2"),
        "{:?}",
        answers[1]
    );
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// spawn_blocking / spawn_blocking_to_self
// ---------------------------------------------------------------------------------------

enum Crunch {
    /// Sum on the blocking pool (an empty list panics there); the outcome goes to the asker.
    Sum {
        data: Vec<u64>,
        reply: Reply<Result<u64, String>>,
    },
    /// Sum on the blocking pool with `?`: a panic there fails the instance.
    SumOrFail { data: Vec<u64>, reply: Reply<u64> },
    /// Answer at once.
    Ping { reply: Reply<&'static str> },
    /// Start blocking work that signals `entered`, waits for `gate`, then answers 42 (or
    /// panics), delivered back to the actor as `Offloaded`; returns at once.
    Offload {
        entered: oneshot::Sender<()>,
        gate: std::sync::mpsc::Receiver<()>,
        panics: bool,
    },
    /// The result of an `Offload`.
    Offloaded(Result<u64, ActorError>),
}

struct Cruncher {
    /// Where `Offloaded` results go, as the actor saw them.
    offloaded: mpsc::UnboundedSender<Result<u64, String>>,
}

fn sum_or_panic(data: &[u64]) -> u64 {
    assert!(!data.is_empty(), "told to panic: nothing to sum");
    data.iter().sum()
}

impl Actor for Cruncher {
    type Msg = Crunch;

    async fn handle(&mut self, msg: Crunch, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            Crunch::Sum { data, reply } => {
                let outcome = ctx.spawn_blocking(move || sum_or_panic(&data)).await;
                let _ = reply.send(outcome.map_err(|e| e.to_string()));
            }
            Crunch::SumOrFail { data, reply } => {
                let sum = ctx.spawn_blocking(move || sum_or_panic(&data)).await?;
                let _ = reply.send(sum);
            }
            Crunch::Ping { reply } => {
                let _ = reply.send("pong");
            }
            Crunch::Offload {
                entered,
                gate,
                panics,
            } => ctx.spawn_blocking_to_self(
                move || {
                    let _ = entered.send(());
                    let _ = gate.recv();
                    if panics {
                        panic!("told to panic in the blocking task");
                    }
                    42
                },
                Crunch::Offloaded,
            ),
            Crunch::Offloaded(result) => {
                let _ = self.offloaded.send(result.map_err(|e| e.to_string()));
            }
        }
        Ok(())
    }
}

fn cruncher(
    system: &ActorSystem,
) -> (
    ActorRef<Cruncher>,
    mpsc::UnboundedReceiver<Result<u64, String>>,
) {
    let (offloaded, rx) = mpsc::unbounded_channel();
    (system.spawn(Cruncher { offloaded }).unwrap(), rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawn_blocking_returns_the_result_to_the_handler() {
    let system = ActorSystem::new("b").unwrap();
    let (actor, _) = cruncher(&system);
    let answer = actor
        .ask(|reply| Crunch::Sum {
            data: (1..=100).collect(),
            reply,
        })
        .await
        .unwrap();
    assert_eq!(answer, Ok(5050));
    let answer = actor
        .ask(|reply| Crunch::SumOrFail {
            data: vec![2, 3],
            reply,
        })
        .await
        .unwrap();
    assert_eq!(answer, 5);
    system.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_spawn_blocking_comes_back_as_an_error() {
    quiet_panics();
    let system = ActorSystem::new("b").unwrap();
    let (actor, _) = cruncher(&system);
    let answer = actor
        .ask(|reply| Crunch::Sum {
            data: Vec::new(),
            reply,
        })
        .await
        .unwrap();
    let err = answer.expect_err("the panic is an error");
    assert!(
        err.contains("the blocking task panicked") && err.contains("nothing to sum"),
        "{err}"
    );
    // The handler saw an error value: the actor goes on.
    assert!(actor.is_alive());
    assert_eq!(
        actor.ask(|reply| Crunch::Ping { reply }).await.unwrap(),
        "pong"
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_spawn_blocking_with_question_mark_fails_the_instance() {
    quiet_panics();
    let system = ActorSystem::new("b").unwrap();
    let (actor, _) = cruncher(&system);
    let answer = actor
        .ask(|reply| Crunch::SumOrFail {
            data: Vec::new(),
            reply,
        })
        .await;
    match answer {
        Err(AskError::Failed(info)) => {
            assert!(!info.is_panic(), "an error returned by the handler");
            assert!(
                info.message().contains("the blocking task panicked")
                    && info.message().contains("nothing to sum"),
                "{}",
                info.message()
            );
        }
        other => panic!("expected AskError::Failed, got {other:?}"),
    }
    match actor.wait().await {
        ExitReason::Failed(info) => {
            assert!(
                info.message().contains("the blocking task panicked"),
                "{info}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    system.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawn_blocking_to_self_delivers_the_result_while_the_actor_keeps_answering() {
    let system = ActorSystem::new("b").unwrap();
    let (actor, mut offloaded) = cruncher(&system);
    let (entered_tx, entered) = oneshot::channel();
    let (gate, gate_rx) = std::sync::mpsc::channel();
    actor
        .tell(Crunch::Offload {
            entered: entered_tx,
            gate: gate_rx,
            panics: false,
        })
        .await
        .unwrap_or_else(|_| panic!("tell"));
    entered.await.expect("the blocking work began");

    // The blocking work is held at its gate; the actor answers meanwhile.
    for _ in 0..3 {
        assert_eq!(
            actor.ask(|reply| Crunch::Ping { reply }).await.unwrap(),
            "pong"
        );
    }
    assert!(
        matches!(offloaded.try_recv(), Err(mpsc::error::TryRecvError::Empty)),
        "nothing delivered before the work is done"
    );

    gate.send(()).unwrap();
    assert_eq!(
        offloaded.recv().await,
        Some(Ok(42)),
        "delivered to the actor"
    );
    assert_eq!(
        actor.ask(|reply| Crunch::Ping { reply }).await.unwrap(),
        "pong"
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_spawn_blocking_to_self_is_delivered_as_an_error() {
    quiet_panics();
    let system = ActorSystem::new("b").unwrap();
    let (actor, mut offloaded) = cruncher(&system);
    let (entered_tx, entered) = oneshot::channel();
    let (gate, gate_rx) = std::sync::mpsc::channel();
    actor
        .tell(Crunch::Offload {
            entered: entered_tx,
            gate: gate_rx,
            panics: true,
        })
        .await
        .unwrap_or_else(|_| panic!("tell"));
    entered.await.unwrap();
    gate.send(()).unwrap();
    let delivered = offloaded.recv().await.expect("delivered");
    let err = delivered.expect_err("the panic is an error");
    assert!(
        err.contains("the blocking task panicked")
            && err.contains("told to panic in the blocking task"),
        "{err}"
    );
    assert!(actor.is_alive(), "the actor decides what an error means");
    assert_eq!(
        actor.ask(|reply| Crunch::Ping { reply }).await.unwrap(),
        "pong"
    );
    system.shutdown().await.unwrap();
}

/// An actor whose conversion of a blocking result panics.
struct BadConversion;

enum BadConversionMsg {
    Offload,
    Ping { reply: Reply<&'static str> },
}

impl Actor for BadConversion {
    type Msg = BadConversionMsg;

    async fn handle(&mut self, msg: Self::Msg, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            BadConversionMsg::Offload => ctx.spawn_blocking_to_self(
                || 7,
                |_| -> BadConversionMsg { panic!("told to panic in the conversion") },
            ),
            BadConversionMsg::Ping { reply } => {
                let _ = reply.send("pong");
            }
        }
        Ok(())
    }
}

// The paused clock does not advance while a `spawn_blocking` task runs, so the deadlines
// below are on tokio's clock without racing the blocking pool.
#[tokio::test(start_paused = true)]
async fn a_panic_in_the_conversion_of_spawn_blocking_to_self_is_reported_and_the_actor_goes_on() {
    quiet_panics();
    let recorder = recorder::Recorder::new(tracing::Level::ERROR);
    let _traced = tracing::subscriber::set_default(recorder.clone());
    let system = ActorSystem::new("b").unwrap();
    let actor = system.spawn(BadConversion).unwrap();
    actor
        .tell(BadConversionMsg::Offload)
        .await
        .unwrap_or_else(|_| panic!("tell"));
    let reported = async {
        while !recorder
            .events()
            .iter()
            .any(|e| e.contains("spawn_blocking_to_self panicked"))
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), reported)
        .await
        .expect("the panic is reported as a tracing error");
    assert!(
        recorder
            .events()
            .iter()
            .any(|e| e.contains("told to panic in the conversion")),
        "{:?}",
        recorder.events()
    );
    assert_eq!(
        actor
            .ask(|reply| BadConversionMsg::Ping { reply })
            .await
            .unwrap(),
        "pong"
    );
    tokio::time::timeout(Duration::from_secs(10), system.shutdown())
        .await
        .expect("no task is left behind")
        .unwrap();
}

/// Panics in its `Drop` when told to (a message the actor never takes is dropped by the
/// library).
struct Loud(bool);

impl Drop for Loud {
    fn drop(&mut self) {
        if self.0 && !std::thread::panicking() {
            panic!("told to panic in Drop of a message");
        }
    }
}

/// An actor whose offloaded results may come back after its final exit.
struct Late;

enum LateMsg {
    /// Offload work that signals `entered`, then waits for `gate`; its result comes back as
    /// `Done` carrying `reply`, whose `Loud` panics in its `Drop` when `loud`.
    Offload {
        entered: oneshot::Sender<()>,
        gate: std::sync::mpsc::Receiver<()>,
        loud: bool,
        reply: Option<Reply<u64>>,
    },
    /// The result of an `Offload`.
    Done {
        value: Result<u64, ActorError>,
        _loud: Loud,
        reply: Option<Reply<u64>>,
    },
}

impl Actor for Late {
    type Msg = LateMsg;

    async fn handle(&mut self, msg: LateMsg, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            LateMsg::Offload {
                entered,
                gate,
                loud,
                reply,
            } => ctx.spawn_blocking_to_self(
                move || {
                    let _ = entered.send(());
                    let _ = gate.recv();
                    42
                },
                move |value| LateMsg::Done {
                    value,
                    _loud: Loud(loud),
                    reply,
                },
            ),
            LateMsg::Done { value, reply, .. } => {
                if let Some(reply) = reply {
                    let _ = reply.send(value?);
                }
            }
        }
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_result_spawn_blocking_to_self_cannot_deliver_is_reported_undelivered() {
    quiet_panics();
    let system = ActorSystem::new("b").unwrap();
    let mut events = system.events();
    // A quiet message, then one whose `Drop` panics: both are reported, and the panic is
    // contained (the next round, and the shutdown, still work).
    for loud in [false, true] {
        let actor = system.spawn(Late).unwrap();
        let (entered_tx, entered) = oneshot::channel();
        let (gate, gate_rx) = std::sync::mpsc::channel();
        actor
            .tell(LateMsg::Offload {
                entered: entered_tx,
                gate: gate_rx,
                loud,
                reply: None,
            })
            .await
            .unwrap_or_else(|_| panic!("tell"));
        entered.await.expect("the handler offloaded its work");
        actor.stop();
        assert_eq!(actor.wait().await, ExitReason::Normal);

        gate.send(()).unwrap();
        let id = actor.id();
        let undelivered = until_event(&mut events, Duration::from_secs(60), |e| {
            e.id == id && matches!(e.kind, EventKind::Undelivered(_))
        })
        .await
        .unwrap_or_else(|e| panic!("the lost result is reported (loud: {loud}): {e}"));
        assert_eq!(undelivered.kind, EventKind::Undelivered(1));
        assert_eq!(undelivered.path, *actor.path());
        assert_eq!(undelivered.generation, 1);
    }
    tokio::time::timeout(Duration::from_secs(60), system.shutdown())
        .await
        .expect("no task is left behind")
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_ask_inside_a_result_spawn_blocking_to_self_cannot_deliver_is_answered_stopped() {
    let system = ActorSystem::new("b").unwrap();
    let mut events = system.events();
    let actor = system.spawn(Late).unwrap();
    let (entered_tx, entered) = oneshot::channel();
    let (gate, gate_rx) = std::sync::mpsc::channel();
    let asker = tokio::spawn({
        let actor = actor.clone();
        async move {
            actor
                .ask_timeout(
                    |reply| LateMsg::Offload {
                        entered: entered_tx,
                        gate: gate_rx,
                        loud: false,
                        reply: Some(reply),
                    },
                    Duration::from_secs(3600),
                )
                .await
        }
    });
    entered.await.expect("the handler offloaded its work");
    actor.stop();
    assert_eq!(actor.wait().await, ExitReason::Normal);

    gate.send(()).unwrap();
    let answer = asker.await.unwrap();
    assert!(
        matches!(answer, Err(AskError::Stopped)),
        "as for an ask queued at the final exit: {answer:?}"
    );
    // An ask is answered, not counted undelivered (as at the final exit).
    while let Some(event) = events.try_recv().unwrap() {
        assert!(
            !(event.id == actor.id() && matches!(event.kind, EventKind::Undelivered(_))),
            "{event:?}"
        );
    }
    system.shutdown().await.unwrap();
}
