//! A small tour: tell, ask, a contained panic, the same panic under a supervisor (a restart
//! that keeps the actor and its queued messages), the event stream, and a graceful shutdown.
//! It checks what it observes and exits non-zero if anything is off.
//!
//! Run it with `cargo run --release --example demo`.

use std::process::ExitCode;
use std::time::Duration;

use actors::prelude::*;
use actors::{ChildSpec, EventKind, Strategy, Supervisor, TrySendError};

/// The counter's messages: one per thing it can do.
enum CounterMsg {
    Add(u64),
    Get { reply: Reply<u64> },
    Crash,
}

struct Counter {
    total: u64,
}

impl Actor for Counter {
    type Msg = CounterMsg;

    async fn handle(
        &mut self,
        msg: CounterMsg,
        _ctx: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        match msg {
            CounterMsg::Add(n) => self.total += n,
            CounterMsg::Get { reply } => {
                let _ = reply.send(self.total);
            }
            CounterMsg::Crash => panic!("asked to crash"),
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => {
            println!("demo: ok");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("demo: FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    // Panics inside actors are contained and reported as events; keep the output tidy.
    std::panic::set_hook(Box::new(|_| {}));

    let system = ActorSystem::builder("demo")
        .ask_timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| e.to_string())?;
    let mut events = system.events();

    let counter = system
        .spawn_builder(Counter { total: 0 })
        .name("counter")
        .mailbox(16)
        .spawn()
        .map_err(|e| e.to_string())?;

    for n in 1..=100 {
        counter
            .tell(CounterMsg::Add(n))
            .await
            .map_err(|e| e.to_string())?;
    }
    let total = counter
        .ask(|reply| CounterMsg::Get { reply })
        .await
        .map_err(|e| e.to_string())?;
    println!("counter {} holds {total}", counter.path());
    if total != 5050 {
        return Err(format!("expected 5050, got {total}"));
    }

    // A panic fails the actor; a lone actor's failure is its final exit.
    counter
        .tell(CounterMsg::Crash)
        .await
        .map_err(|e| e.to_string())?;
    let reason = counter.wait().await;
    println!("counter exited: {reason}");
    if !reason.is_abnormal() {
        return Err(format!("expected an abnormal exit, got {reason}"));
    }
    match counter.try_tell(CounterMsg::Add(1)) {
        Err(TrySendError::Closed(CounterMsg::Add(1))) => {
            println!("a send to it hands the message back")
        }
        other => {
            return Err(format!(
                "expected the message back, got {:?}",
                other.map_err(|e| e.to_string())
            ));
        }
    }

    let mut seen = Vec::new();
    while let Ok(Some(event)) = events.try_recv() {
        println!("event: {} {:?}", event.path, event.kind);
        seen.push(event.kind);
    }
    let expected = [
        matches!(seen.first(), Some(EventKind::Started)),
        matches!(seen.get(1), Some(EventKind::Failed(info)) if info.is_panic()),
        matches!(seen.get(2), Some(EventKind::Stopped(reason)) if reason.is_abnormal()),
    ];
    if seen.len() != 3 || expected.contains(&false) {
        return Err(format!("unexpected events: {seen:?}"));
    }

    // Under a supervisor the same crash is a restart: the actor (its ref, its mailbox and the
    // messages queued behind the crash) survives; only the instance, and its state, is new.
    let sup = system
        .start_supervisor(
            "counters",
            Supervisor::new(Strategy::OneForOne)
                .child(ChildSpec::worker("counter", || Counter { total: 0 })),
        )
        .await
        .map_err(|e| e.to_string())?;
    let supervised = sup
        .child("counter")
        .and_then(|child| child.downcast::<Counter>())
        .ok_or("the supervisor has no counter child")?;
    for msg in [CounterMsg::Add(1), CounterMsg::Crash, CounterMsg::Add(41)] {
        supervised.tell(msg).await.map_err(|e| e.to_string())?;
    }
    let total = supervised
        .ask(|reply| CounterMsg::Get { reply })
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{} restarted: generation {}, holds {total}",
        supervised.path(),
        supervised.generation()
    );
    if total != 41 || supervised.generation() != 2 {
        return Err(format!(
            "expected generation 2 holding 41, got generation {} holding {total}",
            supervised.generation()
        ));
    }
    let mut seen = Vec::new();
    while let Ok(Some(event)) = events.try_recv() {
        println!("event: {} {:?}", event.path, event.kind);
        seen.push(event.kind);
    }
    let restarted = seen
        .iter()
        .any(|kind| matches!(kind, EventKind::Restarted(2)));
    if !restarted {
        return Err(format!("no Restarted event among {seen:?}"));
    }

    system.shutdown().await.map_err(|e| e.to_string())?;
    if system.task_count() != 0 {
        return Err(format!("{} tasks left after shutdown", system.task_count()));
    }
    Ok(())
}
