//! A scriptable test actor and helpers shared by the integration tests.

#![allow(dead_code, unreachable_pub)]

pub mod sup;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actors::prelude::*;
use actors::{Event, EventKind, Events};
use tokio::sync::oneshot;

/// What the probe actor can be told to do.
pub enum Msg {
    /// Record a number in the journal.
    Record(u32),
    /// Answer with every number recorded so far.
    Recorded { reply: Reply<Vec<u32>> },
    /// Answer `n`.
    Echo { n: u32, reply: Reply<u32> },
    /// Return an error from the handler.
    Fail,
    /// Return an error while holding an ask's reply.
    FailAsk { reply: Reply<u32> },
    /// Panic from the handler.
    Panic,
    /// Panic while holding an ask's reply.
    PanicAsk { reply: Reply<u32> },
    /// Wait until released (or forever if the sender is dropped... it then returns).
    Block {
        release: oneshot::Receiver<()>,
        entered: Option<oneshot::Sender<()>>,
    },
    /// Wait until released while holding an ask's reply, then do `then` (answer `n`, fail or
    /// panic).
    BlockAsk {
        release: oneshot::Receiver<()>,
        entered: Option<oneshot::Sender<()>>,
        n: u32,
        reply: Reply<u32>,
        then: Then,
    },
    /// Sleep on tokio's clock.
    Sleep(Duration),
    /// Return Ok without answering.
    DropReply { reply: Reply<u32> },
    /// Carry a value whose `Drop` panics.
    PanicOnDrop(PanicOnDrop),
    /// Ask oneself.
    AskSelf { reply: Reply<Result<u32, AskError>> },
    /// Tell oneself `count` times without waiting and report how it went.
    TellSelf {
        count: usize,
        reply: Reply<Vec<String>>,
    },
}

/// What a `BlockAsk` does once released.
#[derive(Clone, Copy, Debug)]
pub enum Then {
    Answer,
    Fail,
    Panic,
}

/// A value whose `Drop` panics.
pub struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("panic in Drop");
        }
    }
}

/// Where a probe fails besides its handler.
#[derive(Default, Clone, Copy)]
pub struct Faults {
    pub fail_started: bool,
    pub panic_started: bool,
    pub fail_stopped: bool,
    pub panic_stopped: bool,
    pub panic_on_drop: bool,
}

/// A shared journal of hook calls, as the test sees them.
#[derive(Clone, Default)]
pub struct Journal(Arc<Mutex<Vec<String>>>);

impl Journal {
    pub fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }

    pub fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// The scriptable actor.
pub struct Probe {
    pub journal: Journal,
    pub recorded: Vec<u32>,
    pub faults: Faults,
}

impl Probe {
    pub fn new(journal: &Journal) -> Self {
        Self {
            journal: journal.clone(),
            recorded: Vec::new(),
            faults: Faults::default(),
        }
    }

    pub fn with_faults(journal: &Journal, faults: Faults) -> Self {
        Self {
            journal: journal.clone(),
            recorded: Vec::new(),
            faults,
        }
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.journal.push("drop");
        if self.faults.panic_on_drop && !std::thread::panicking() {
            panic!("probe panics in Drop");
        }
    }
}

impl Actor for Probe {
    type Msg = Msg;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        self.journal.push(format!("started {}", ctx.generation()));
        if self.faults.panic_started {
            panic!("probe panics in started");
        }
        if self.faults.fail_started {
            return Err(ActorError::msg("probe fails in started"));
        }
        Ok(())
    }

    async fn handle(&mut self, msg: Msg, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            Msg::Record(n) => self.recorded.push(n),
            Msg::Recorded { reply } => {
                let _ = reply.send(self.recorded.clone());
            }
            Msg::Echo { n, reply } => {
                let _ = reply.send(n);
            }
            Msg::Fail => return Err(ActorError::msg("told to fail")),
            Msg::FailAsk { reply } => {
                let _keep = reply;
                return Err(ActorError::msg("failing while asked"));
            }
            Msg::Panic => panic!("told to panic"),
            Msg::PanicAsk { reply } => {
                let _keep = reply;
                panic!("panicking while asked");
            }
            Msg::Block { release, entered } => {
                if let Some(entered) = entered {
                    let _ = entered.send(());
                }
                let _ = release.await;
            }
            Msg::BlockAsk {
                release,
                entered,
                n,
                reply,
                then,
            } => {
                if let Some(entered) = entered {
                    let _ = entered.send(());
                }
                let _ = release.await;
                match then {
                    Then::Answer => {
                        let _ = reply.send(n);
                    }
                    Then::Fail => return Err(ActorError::msg("failing while asked")),
                    Then::Panic => panic!("panicking while asked"),
                }
            }
            Msg::Sleep(d) => tokio::time::sleep(d).await,
            Msg::DropReply { reply } => drop(reply),
            Msg::PanicOnDrop(value) => drop(value),
            Msg::AskSelf { reply } => {
                let me = ctx.actor_ref().clone();
                let answer = me.ask(|reply| Msg::Echo { n: 1, reply }).await;
                let _ = reply.send(answer);
            }
            Msg::TellSelf { count, reply } => {
                let me = ctx.actor_ref().clone();
                let mut outcomes = Vec::new();
                for i in 0..count {
                    match me.tell(Msg::Record(i as u32)).await {
                        Ok(()) => outcomes.push("ok".to_owned()),
                        Err(e) => outcomes.push(format!("{e:?}")),
                    }
                }
                let _ = reply.send(outcomes);
            }
        }
        Ok(())
    }

    async fn stopped(
        &mut self,
        reason: &ExitReason,
        _ctx: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        self.journal.push(format!("stopped {reason}"));
        if self.faults.panic_stopped {
            panic!("probe panics in stopped");
        }
        if self.faults.fail_stopped {
            return Err(ActorError::msg("probe fails in stopped"));
        }
        Ok(())
    }
}

/// Silences the default panic hook's output for panics the tests provoke on purpose.
/// Other panics (a failing assertion) still print.
pub fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let provoked = [
                "told to panic",
                "panicking while asked",
                "probe panics",
                "panic in Drop",
            ];
            if !provoked.iter().any(|p| payload.contains(p)) {
                default(info);
            }
        }));
    });
}

/// Every event buffered right now.
pub fn drain_events(events: &mut Events) -> Vec<Event> {
    let mut out = Vec::new();
    while let Ok(Some(event)) = events.try_recv() {
        out.push(event);
    }
    out
}

/// The counts of the `Undelivered` events among `events`, in order.
pub fn undelivered_counts(events: &[Event]) -> Vec<usize> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Undelivered(n) => Some(n),
            _ => None,
        })
        .collect()
}

/// The kinds of `events`, as short names, for compact assertions.
pub fn kinds(events: &[Event]) -> Vec<&'static str> {
    events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Started => "Started",
            EventKind::Failed(_) => "Failed",
            EventKind::Undelivered(_) => "Undelivered",
            EventKind::ShutdownTimedOut => "ShutdownTimedOut",
            EventKind::Stopped(_) => "Stopped",
            _ => "other",
        })
        .collect()
}

/// Spawns a probe and returns it with its journal.
pub fn probe(system: &ActorSystem, capacity: usize) -> (ActorRef<Probe>, Journal) {
    let journal = Journal::default();
    let actor = system
        .spawn_builder(Probe::new(&journal))
        .mailbox(capacity)
        .spawn()
        .expect("spawn");
    (actor, journal)
}

/// Sends a `Block` and waits until the handler is inside it; returns the release switch.
pub async fn block(actor: &ActorRef<Probe>) -> oneshot::Sender<()> {
    let (release, rx) = oneshot::channel();
    let (entered_tx, entered) = oneshot::channel();
    actor
        .tell(Msg::Block {
            release: rx,
            entered: Some(entered_tx),
        })
        .await
        .expect("tell");
    entered.await.expect("handler entered the block");
    release
}

/// A probe with a one-slot mailbox, busy in a handler and with that slot taken: the next send
/// must wait. Returns the probe and the switch that ends the busy handler.
pub async fn busy_and_full(system: &ActorSystem) -> (ActorRef<Probe>, oneshot::Sender<()>) {
    let (actor, _) = probe(system, 1);
    let release = block(&actor).await;
    actor.tell(Msg::Record(1)).await.expect("tell");
    (actor, release)
}

/// Yields long enough for other tasks on a current-thread runtime to make progress.
pub async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}
