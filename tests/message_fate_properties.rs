//! Property: whatever one sender does to a lone actor (tells, asks, failures, panics, stop,
//! kill, drain, in any order), every ask ends with its answer or one typed error, every tell is
//! handled, handed back, or counted as undelivered (exactly one of the three), the handled
//! tells keep the send order, and the actor's task is gone after its final exit.
//!
//! Runs under tokio's paused clock. `PROPTEST_CASES` raises the number of cases.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actors::prelude::*;
use actors::{EventKind, TrySendError};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Tell,
    TryTell,
    Ask,
    Fail,
    Panic,
    Sleep(u8),
    Stop,
    Kill,
    Drain,
    Yield,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => Just(Op::Tell),
        3 => Just(Op::TryTell),
        4 => Just(Op::Ask),
        1 => Just(Op::Fail),
        1 => Just(Op::Panic),
        2 => (1u8..20).prop_map(Op::Sleep),
        1 => Just(Op::Stop),
        1 => Just(Op::Kill),
        1 => Just(Op::Drain),
        3 => Just(Op::Yield),
    ]
}

enum M {
    Seq(u32),
    Echo(u32, Reply<u32>),
    Fail(u32),
    Panic(u32),
    Sleep(u32, Duration),
}

/// Records the number of every tell whose handler began, then does what the tell says.
struct Recorder(Arc<Mutex<Vec<u32>>>);

impl Actor for Recorder {
    type Msg = M;

    async fn handle(&mut self, msg: M, _: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            M::Seq(n) => self.0.lock().unwrap().push(n),
            M::Echo(n, reply) => {
                let _ = reply.send(n);
            }
            M::Fail(n) => {
                self.0.lock().unwrap().push(n);
                return Err(ActorError::msg("scripted failure"));
            }
            M::Panic(n) => {
                self.0.lock().unwrap().push(n);
                panic!("scripted panic");
            }
            M::Sleep(n, d) => {
                self.0.lock().unwrap().push(n);
                tokio::time::sleep(d).await;
            }
        }
        Ok(())
    }
}

fn quiet_scripted_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let scripted = info.payload().downcast_ref::<&str>() == Some(&"scripted panic");
            if !scripted {
                default(info);
            }
        }));
    });
}

fn run(ops: Vec<Op>, capacity: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async move {
        let system = ActorSystem::new("prop").unwrap();
        let mut events = system.events();
        let handled = Arc::new(Mutex::new(Vec::new()));
        let actor = system
            .spawn_builder(Recorder(handled.clone()))
            .mailbox(capacity)
            .spawn()
            .unwrap();

        let mut next = 0u32;
        let mut sent_tells = Vec::new();
        let mut handed_back = Vec::new();
        let mut tells = Vec::new();
        let mut asks = Vec::new();
        for op in ops {
            match op {
                Op::Tell => {
                    let n = next;
                    next += 1;
                    sent_tells.push(n);
                    let actor = actor.clone();
                    // Sequential sends from one task keep their order.
                    tells.push(tokio::spawn(async move {
                        actor.tell(M::Seq(n)).await.err().map(|e| match e.into_inner() {
                            M::Seq(back) => back,
                            _ => unreachable!("the message handed back is the one sent"),
                        })
                    }));
                    // Let it enqueue before the next op, so "one sender" order is meaningful.
                    tokio::task::yield_now().await;
                }
                Op::TryTell => {
                    let n = next;
                    next += 1;
                    sent_tells.push(n);
                    match actor.try_tell(M::Seq(n)) {
                        Ok(()) => {}
                        Err(TrySendError::Full(M::Seq(b)) | TrySendError::Closed(M::Seq(b))) => {
                            handed_back.push(b)
                        }
                        Err(_) => unreachable!("the message handed back is the one sent"),
                    }
                }
                Op::Ask => {
                    let actor = actor.clone();
                    let n = next;
                    next += 1;
                    asks.push((
                        n,
                        tokio::spawn(async move {
                            actor
                                .ask_timeout(|reply| M::Echo(n, reply), Duration::from_secs(3600))
                                .await
                        }),
                    ));
                    tokio::task::yield_now().await;
                }
                Op::Fail | Op::Panic | Op::Sleep(_) => {
                    let n = next;
                    next += 1;
                    sent_tells.push(n);
                    let msg = match op {
                        Op::Fail => M::Fail(n),
                        Op::Panic => M::Panic(n),
                        Op::Sleep(ms) => M::Sleep(n, Duration::from_millis(ms.into())),
                        _ => unreachable!(),
                    };
                    if actor.try_tell(msg).is_err() {
                        handed_back.push(n);
                    }
                }
                Op::Stop => actor.stop(),
                Op::Kill => actor.kill(),
                Op::Drain => actor.drain(),
                Op::Yield => tokio::task::yield_now().await,
            }
        }
        // Whatever happened, end it, then check the books.
        actor.stop();
        let reason = actor.wait().await;
        for t in tells {
            if let Some(back) = t.await.unwrap() {
                handed_back.push(back);
            }
        }
        for (n, a) in asks {
            match a.await.unwrap() {
                Ok(answer) => assert_eq!(answer, n),
                Err(AskError::Failed(_) | AskError::Killed | AskError::Stopped) => {}
                Err(other) => panic!("ask {n} ended with {other:?}"),
            }
        }
        let mut undelivered = 0;
        while let Ok(Some(event)) = events.try_recv() {
            if let EventKind::Undelivered(k) = event.kind {
                undelivered += k;
            }
        }
        let began = handled.lock().unwrap().clone();
        assert!(began.windows(2).all(|w| w[0] < w[1]), "send order kept: {began:?}");
        for n in &began {
            assert!(!handed_back.contains(n), "tell {n} both handled and handed back");
        }
        // Every tell: its handler began, or it was handed back, or it is counted undelivered.
        assert_eq!(
            began.len() + handed_back.len() + undelivered,
            sent_tells.len(),
            "began {began:?}, handed back {handed_back:?}, undelivered {undelivered} (exit {reason:?})"
        );
        system.shutdown().await.unwrap();
        assert_eq!(system.task_count(), 0);
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn every_message_is_accounted_for(ops in proptest::collection::vec(op(), 1..60), capacity in 1usize..6) {
        quiet_scripted_panics();
        run(ops, capacity);
    }
}
