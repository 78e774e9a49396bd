//! Invariants under concurrency, on the multi-thread runtime: 8 senders × 2,000 messages (every
//! fourth an ask) to one supervised actor that fails on some of them (every 97th message returns
//! `Err`, every 193rd panics, chosen by content), so it is restarted about 250 times while the
//! senders keep going. Checked from what a user observes:
//!
//! - (a) every ask ends, with its answer or a typed error that fits its message;
//! - (b) every tell is handled, handed back, or counted in an `Undelivered` event, exactly;
//! - (c) each sender's messages reach the actor in the order sent, across restarts;
//! - (d) after `system.shutdown()` no task is left, and `started` and `stopped` ran exactly
//!   once per instance;
//! - (e) the event stream agrees: one `Failed`, one `RestartScheduled` and one `Restarted` per
//!   failure, and the final generation is one more than the restarts.
//!
//! Two runs: one where every message is sent before the actor is stopped for good, one where
//! it is stopped for good half way through, its senders blocked on it (on its full mailbox of
//! 8, or waiting for their asks).
//!
//! Nothing waits on the clock for synchronisation: the senders are joined, the half-way point
//! is a channel from the actor, and every wait is bounded only to turn a hang into a failure.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actors::{
    Actor, ActorError, ActorRef, ActorSystem, AskError, ChildSpec, Context, Event, EventKind,
    ExitReason, Reply, SendError, ShutdownCause, Strategy, Supervisor,
};
use tokio::sync::oneshot;

const SENDERS: usize = 8;
const PER_SENDER: u32 = 2_000;
const MAILBOX: usize = 8;
/// Far above anything a healthy run needs: only a hang reaches it.
const BOUND: Duration = Duration::from_secs(60);
/// Generations the books have room for (about 250 are used).
const GENERATIONS: usize = 4_096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Fine,
    Fail,
    Panic,
}

/// What message `seq` of `sender` does, by content alone.
fn fate(sender: usize, seq: u32) -> Fate {
    let k = sender as u32 * PER_SENDER + seq;
    if k % 193 == 192 {
        Fate::Panic
    } else if k % 97 == 96 {
        Fate::Fail
    } else {
        Fate::Fine
    }
}

fn is_ask(seq: u32) -> bool {
    seq % 4 == 1
}

enum Msg {
    Tell {
        sender: usize,
        seq: u32,
    },
    Ask {
        sender: usize,
        seq: u32,
        reply: Reply<u32>,
    },
    /// Answers the running instance's generation.
    Ping(Reply<u64>),
}

/// What the actor saw, shared by all its instances.
struct Books {
    /// Tells whose handler began.
    tells_began: AtomicUsize,
    /// Tells and asks whose handler began.
    began: AtomicUsize,
    /// Messages whose handler began and then failed (`Err` or panic).
    failures_began: AtomicUsize,
    /// Per sender, the sequence numbers whose handler began, in the order they began.
    seen: Vec<Mutex<Vec<u32>>>,
    /// `started` and `stopped` calls, per generation.
    started: Vec<AtomicUsize>,
    stopped: Vec<AtomicUsize>,
    /// Once this many messages began, the next fine message holds the actor (until its
    /// instance is shut down) and tells the test through `gate`.
    gate_at: Option<usize>,
    gate: Mutex<Option<oneshot::Sender<()>>>,
}

impl Books {
    fn new(gate_at: Option<usize>) -> (Arc<Self>, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        let books = Self {
            tells_began: AtomicUsize::new(0),
            began: AtomicUsize::new(0),
            failures_began: AtomicUsize::new(0),
            seen: (0..SENDERS).map(|_| Mutex::new(Vec::new())).collect(),
            started: (0..GENERATIONS).map(|_| AtomicUsize::new(0)).collect(),
            stopped: (0..GENERATIONS).map(|_| AtomicUsize::new(0)).collect(),
            gate_at,
            gate: Mutex::new(Some(tx)),
        };
        (Arc::new(books), rx)
    }

    fn count(slots: &[AtomicUsize], generation: u64) {
        let slot = usize::try_from(generation).expect("a generation fits a usize");
        assert!(
            slot < GENERATIONS,
            "generation {generation} beyond the books"
        );
        slots[slot].fetch_add(1, Ordering::SeqCst);
    }
}

struct Flaky {
    books: Arc<Books>,
}

impl Actor for Flaky {
    type Msg = Msg;
    const MAILBOX_CAPACITY: usize = MAILBOX;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        Books::count(&self.books.started, ctx.generation());
        Ok(())
    }

    async fn handle(&mut self, msg: Msg, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        let books = &self.books;
        let (sender, seq, reply) = match msg {
            Msg::Tell { sender, seq } => {
                books.tells_began.fetch_add(1, Ordering::SeqCst);
                (sender, seq, None)
            }
            Msg::Ask { sender, seq, reply } => (sender, seq, Some(reply)),
            Msg::Ping(reply) => {
                let _ = reply.send(ctx.generation());
                return Ok(());
            }
        };
        let began = books.began.fetch_add(1, Ordering::SeqCst) + 1;
        books.seen[sender].lock().unwrap().push(seq);
        match fate(sender, seq) {
            Fate::Fail => {
                books.failures_began.fetch_add(1, Ordering::SeqCst);
                let _asker_gets_the_failure = reply;
                return Err(ActorError::msg("scripted failure"));
            }
            Fate::Panic => {
                books.failures_began.fetch_add(1, Ordering::SeqCst);
                let _asker_gets_the_failure = reply;
                panic!("scripted panic");
            }
            Fate::Fine => {}
        }
        if books.gate_at.is_some_and(|at| began >= at) {
            let gate = books.gate.lock().unwrap().take();
            if let Some(gate) = gate {
                // Hold the actor until its instance is shut down: the mailbox fills and the
                // senders block on it.
                let _ = gate.send(());
                ctx.cancelled().await;
            }
        }
        if let Some(reply) = reply {
            let _ = reply.send(seq);
        }
        Ok(())
    }

    async fn stopped(
        &mut self,
        _reason: &ExitReason,
        ctx: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        Books::count(&self.books.stopped, ctx.generation());
        Ok(())
    }
}

/// What one sender observed.
#[derive(Default, Debug)]
struct Sent {
    /// Tells sent (attempted).
    told: usize,
    /// Tells accepted into the mailbox.
    tells_ok: BTreeSet<u32>,
    /// Tells handed back (the actor had made its final exit).
    handed_back: BTreeSet<u32>,
    asks: usize,
    /// Asks answered (the answer is checked to be the sequence number).
    answered: BTreeSet<u32>,
    /// Asks whose handler failed.
    failed: BTreeSet<u32>,
    /// Asks the final exit answered `Stopped`.
    stopped: BTreeSet<u32>,
    /// Anything else: wrong answers, wrong errors, timeouts.
    wrong: Vec<String>,
}

async fn send_all(actor: ActorRef<Flaky>, sender: usize) -> Sent {
    let mut sent = Sent::default();
    for seq in 0..PER_SENDER {
        let fate = fate(sender, seq);
        if is_ask(seq) {
            sent.asks += 1;
            let answer = actor
                .ask_timeout(|reply| Msg::Ask { sender, seq, reply }, BOUND)
                .await;
            match answer {
                Ok(n) if n == seq && fate == Fate::Fine => {
                    sent.answered.insert(seq);
                }
                Err(AskError::Failed(info))
                    if fate != Fate::Fine && info.is_panic() == (fate == Fate::Panic) =>
                {
                    sent.failed.insert(seq);
                }
                Err(AskError::Stopped) => {
                    sent.stopped.insert(seq);
                }
                other => sent
                    .wrong
                    .push(format!("ask {sender}/{seq} ({fate:?}): {other:?}")),
            }
        } else {
            sent.told += 1;
            match actor.tell(Msg::Tell { sender, seq }).await {
                Ok(()) => {
                    sent.tells_ok.insert(seq);
                }
                Err(SendError::Closed(Msg::Tell { sender: s, seq: q }))
                    if (s, q) == (sender, seq) =>
                {
                    sent.handed_back.insert(seq);
                }
                Err(e) => sent.wrong.push(format!("tell {sender}/{seq}: {e:?}")),
            }
        }
    }
    sent
}

fn quiet_scripted_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() != Some(&"scripted panic") {
                default(info);
            }
        }));
    });
}

/// Every event buffered now; a lagging subscription fails the test.
fn take_events(events: &mut actors::Events) -> Vec<Event> {
    let mut out = Vec::new();
    loop {
        match events.try_recv() {
            Ok(Some(event)) => out.push(event),
            Ok(None) => return out,
            Err(e) => panic!("the event subscription: {e}"),
        }
    }
}

/// One run; `stop_half_way` stops the actor for good once half the messages began.
async fn run(stop_half_way: bool) {
    quiet_scripted_panics();
    let total = SENDERS * PER_SENDER as usize;
    let system = ActorSystem::builder("inv")
        .event_capacity(1 << 16)
        .failure_journal(1 << 14)
        .build()
        .unwrap();
    let mut events = system.events();
    let (books, gate) = Books::new(stop_half_way.then_some(total / 2));
    let factory = {
        let books = books.clone();
        move || Flaky {
            books: books.clone(),
        }
    };
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne)
                .intensity(u32::MAX, Duration::from_secs(3600))
                .child(ChildSpec::worker("flaky", factory)),
        )
        .await
        .unwrap();
    let actor = sup
        .child("flaky")
        .and_then(|c| c.downcast::<Flaky>())
        .unwrap();

    let senders: Vec<_> = (0..SENDERS)
        .map(|s| tokio::spawn(send_all(actor.clone(), s)))
        .collect();

    if stop_half_way {
        tokio::time::timeout(BOUND, gate)
            .await
            .expect("half the messages began within the bound")
            .expect("the gate was passed");
        // Stopped for good while the senders wait on it (for room, or for answers).
        tokio::time::timeout(BOUND, sup.terminate_child("flaky"))
            .await
            .expect("terminate_child ended within the bound")
            .unwrap();
    }
    let mut sent = Vec::new();
    for s in senders {
        sent.push(
            tokio::time::timeout(BOUND, s)
                .await
                .expect("a sender finished within the bound")
                .unwrap(),
        );
    }
    let live_generation = if stop_half_way {
        None
    } else {
        // Everything sent is handled before this ping; then stop for good.
        let generation = actor.ask_timeout(Msg::Ping, BOUND).await.unwrap();
        tokio::time::timeout(BOUND, sup.terminate_child("flaky"))
            .await
            .expect("terminate_child ended within the bound")
            .unwrap();
        Some(generation)
    };
    let exit = tokio::time::timeout(BOUND, actor.wait())
        .await
        .expect("the final exit within the bound");
    assert_eq!(exit, ExitReason::Shutdown(ShutdownCause::Supervisor));

    tokio::time::timeout(BOUND, system.shutdown())
        .await
        .expect("the shutdown ended within the bound")
        .unwrap();
    let events = take_events(&mut events);
    let of_actor: Vec<&Event> = events.iter().filter(|e| e.id == actor.id()).collect();

    // (a) Every ask ended with an outcome that fits its message; none timed out.
    let wrong: Vec<&String> = sent.iter().flat_map(|s| &s.wrong).collect();
    assert!(
        wrong.is_empty(),
        "{} wrong outcomes: {wrong:?}",
        wrong.len()
    );
    for (s, sent) in sent.iter().enumerate() {
        assert_eq!(
            sent.answered.len() + sent.failed.len() + sent.stopped.len(),
            sent.asks,
            "sender {s}: every ask ended"
        );
    }

    // (c) Per-sender order, and which messages began is consistent with what each sender saw.
    let mut tells_seen = 0;
    for (s, sent) in sent.iter().enumerate() {
        let seen = books.seen[s].lock().unwrap().clone();
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "sender {s}: its messages began out of order: {seen:?}"
        );
        let seen: BTreeSet<u32> = seen.into_iter().collect();
        for seq in sent.answered.iter().chain(&sent.failed) {
            assert!(
                seen.contains(seq),
                "sender {s}: ask {seq} answered but never began"
            );
        }
        for seq in sent.stopped.iter().chain(&sent.handed_back) {
            assert!(
                !seen.contains(seq),
                "sender {s}: message {seq} began, yet was answered Stopped or handed back"
            );
        }
        let tells: Vec<&u32> = seen.iter().filter(|q| !is_ask(**q)).collect();
        for seq in &tells {
            assert!(
                sent.tells_ok.contains(seq),
                "sender {s}: tell {seq} began but was not sent"
            );
        }
        tells_seen += tells.len();
        assert_eq!(
            sent.tells_ok.len() + sent.handed_back.len(),
            sent.told,
            "sender {s}: every tell was accepted or handed back"
        );
    }

    // (b) Every tell handled, handed back, or counted undelivered: exactly one of the three.
    let told: usize = sent.iter().map(|s| s.told).sum();
    let handed_back: usize = sent.iter().map(|s| s.handed_back.len()).sum();
    let undelivered: usize = of_actor
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Undelivered(n) => Some(n),
            _ => None,
        })
        .sum();
    let handled = books.tells_began.load(Ordering::SeqCst);
    assert_eq!(
        handled, tells_seen,
        "the actor's count of tells agrees with its log"
    );
    assert_eq!(
        handled + undelivered + handed_back,
        told,
        "handled {handled} + undelivered {undelivered} + handed back {handed_back} == told"
    );
    if stop_half_way {
        assert!(
            undelivered + handed_back > 0,
            "stopped half way with the mailbox full, some tells were never handled"
        );
        assert!(
            sent.iter().any(|s| !s.stopped.is_empty()),
            "stopped half way, some asks were answered Stopped"
        );
    } else {
        assert_eq!((undelivered, handed_back), (0, 0), "everything was handled");
        assert_eq!(handled, told);
    }

    // (d) No task left; `started` and `stopped` once per instance.
    assert_eq!(system.task_count(), 0, "no task left after the shutdown");
    let generations = actor.generation();
    let per_generation = |slots: &[AtomicUsize]| -> Vec<usize> {
        slots.iter().map(|c| c.load(Ordering::SeqCst)).collect()
    };
    let started = per_generation(&books.started);
    let stopped = per_generation(&books.stopped);
    for g in 0..GENERATIONS {
        let expected = usize::from(g >= 1 && g as u64 <= generations);
        assert_eq!(started[g], expected, "started calls of generation {g}");
        assert_eq!(stopped[g], expected, "stopped calls of generation {g}");
    }

    // (e) The event stream agrees with the actor's own count of failures.
    let failures = books.failures_began.load(Ordering::SeqCst);
    let count = |pred: fn(&EventKind) -> bool| of_actor.iter().filter(|e| pred(&e.kind)).count();
    let failed_events = count(|k| matches!(k, EventKind::Failed(_)));
    let scheduled = count(|k| *k == EventKind::RestartScheduled(Duration::ZERO));
    let restarted = count(|k| matches!(k, EventKind::Restarted(_)));
    assert!(
        failures > 100,
        "the run failed often enough to mean something: {failures}"
    );
    assert_eq!(failed_events, failures, "one Failed event per failure");
    assert_eq!(
        scheduled, failures,
        "every failure was restarted (RestartScheduled)"
    );
    assert_eq!(restarted, failures, "one Restarted event per restart");
    assert_eq!(
        generations,
        1 + restarted as u64,
        "the final generation counts the restarts"
    );
    if let Some(live) = live_generation {
        assert_eq!(
            live, generations,
            "the ping was answered by the last instance"
        );
    }
    let restarted_generations: Vec<u64> = of_actor
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Restarted(g) => Some(g),
            _ => None,
        })
        .collect();
    assert_eq!(
        restarted_generations,
        (2..=generations).collect::<Vec<_>>(),
        "each restart once, in order"
    );
    let journal_failed = system
        .failures()
        .iter()
        .filter(|e| e.id == actor.id() && matches!(e.kind, EventKind::Failed(_)))
        .count();
    assert_eq!(journal_failed, failures, "the failures journal agrees");
    let final_exits: Vec<&EventKind> = of_actor
        .iter()
        .map(|e| &e.kind)
        .filter(|k| matches!(k, EventKind::Stopped(_)))
        .collect();
    assert_eq!(
        final_exits,
        [&EventKind::Stopped(ExitReason::Shutdown(
            ShutdownCause::Supervisor
        ))],
        "one final exit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_is_accounted_for_when_all_are_sent() {
    tokio::time::timeout(Duration::from_secs(120), run(false))
        .await
        .expect("the run ended within the bound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_is_accounted_for_when_stopped_half_way() {
    tokio::time::timeout(Duration::from_secs(120), run(true))
        .await
        .expect("the run ended within the bound");
}
