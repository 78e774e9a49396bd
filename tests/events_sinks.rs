//! Sinks: every event reaches each sink in order, filtered by `enabled`; a panicking sink is
//! contained; the tracing sink can be turned off.

mod common;

#[path = "common/recorder.rs"]
mod recorder;

use std::sync::{Arc, Mutex};

use actors::prelude::*;
use actors::{Event, EventKind, Sink};
use common::{Msg, kinds};
use recorder::Recorder;
use tracing::Level;

/// Keeps every event it is given, optionally only failures.
#[derive(Clone, Default)]
struct Keep {
    events: Arc<Mutex<Vec<Event>>>,
    failures_only: bool,
}

impl Sink for Keep {
    fn enabled(&self, kind: &EventKind) -> bool {
        !self.failures_only || matches!(kind, EventKind::Failed(_))
    }

    fn event(&self, event: &Event) {
        self.events.lock().unwrap().push(event.clone());
    }
}

impl Keep {
    fn taken(&self) -> Vec<Event> {
        self.events.lock().unwrap().clone()
    }
}

struct Panicky;

impl Sink for Panicky {
    fn event(&self, _: &Event) {
        panic!("a sink that panics");
    }
}

async fn fail_once(system: &ActorSystem) -> ActorRef<common::Probe> {
    let (actor, _) = common::probe(system, 4);
    actor.ask(|reply| Msg::Echo { n: 1, reply }).await.unwrap();
    actor.tell(Msg::Fail).await.unwrap();
    actor.wait().await;
    actor
}

#[tokio::test(start_paused = true)]
async fn a_sink_receives_every_event_in_order_with_its_fields() {
    let all = Keep::default();
    let failures = Keep {
        failures_only: true,
        ..Keep::default()
    };
    let system = ActorSystem::builder("sinks")
        .sink(all.clone())
        .sink(failures.clone())
        .build()
        .unwrap();
    let actor = fail_once(&system).await;

    let seen = all.taken();
    assert_eq!(kinds(&seen), ["Started", "Failed", "Stopped"]);
    for event in &seen {
        assert_eq!(event.id, actor.id());
        assert_eq!(event.path, *actor.path());
        assert_eq!(event.generation, 1);
        assert!(event.parent.is_some());
    }
    assert_eq!(kinds(&failures.taken()), ["Failed"]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_panicking_sink_never_reaches_the_actor_or_the_other_sinks() {
    let after = Keep::default();
    let system = ActorSystem::builder("sinks")
        .sink(Panicky)
        .sink(after.clone())
        .build()
        .unwrap();
    let mut events = system.events();
    let actor = fail_once(&system).await;
    assert!(matches!(actor.wait().await, ExitReason::Failed(_)));
    assert_eq!(kinds(&after.taken()), ["Started", "Failed", "Stopped"]);
    assert_eq!(
        kinds(&common::drain_events(&mut events)),
        ["Started", "Failed", "Stopped"]
    );
    assert_eq!(kinds(&system.failures()), ["Failed", "Stopped"]);
    system.shutdown().await.unwrap();
}

fn traced(tracing_sink: bool) -> Vec<recorder::Recorded> {
    let recorder = Recorder::new(Level::DEBUG);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    tracing::subscriber::with_default(recorder.clone(), || {
        rt.block_on(async {
            let system = ActorSystem::builder("sinks")
                .tracing_sink(tracing_sink)
                .build()
                .unwrap();
            fail_once(&system).await;
            system.shutdown().await.unwrap();
        });
    });
    recorder
        .recorded()
        .into_iter()
        .filter(|e| e.target == "actors::events")
        .collect()
}

#[test]
fn the_tracing_sink_is_on_by_default_and_can_be_turned_off() {
    let on = traced(true);
    assert!(
        on.iter().any(|e| e.fields.contains("event=Failed")),
        "{on:?}"
    );
    let off = traced(false);
    assert!(off.is_empty(), "{off:?}");
}

#[tokio::test(start_paused = true)]
async fn a_system_without_any_sink_still_journals_failures() {
    let system = ActorSystem::builder("sinks")
        .tracing_sink(false)
        .build()
        .unwrap();
    fail_once(&system).await;
    assert_eq!(kinds(&system.failures()), ["Failed", "Stopped"]);
    system.shutdown().await.unwrap();
}
