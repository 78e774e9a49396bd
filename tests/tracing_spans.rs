//! `tracing`: every actor's code runs inside a span named `actor` carrying its path; a span per
//! hook exists only when TRACE is enabled; lifecycle events are emitted as tracing events.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use actors::prelude::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// A minimal subscriber that records spans (name and fields), which span each event was
/// emitted in, and the event fields.
#[derive(Clone)]
struct Recorder {
    max: Level,
    inner: Arc<Mutex<State>>,
    next_id: Arc<AtomicU64>,
}

#[derive(Default)]
struct State {
    spans: Vec<(u64, String, String)>,
    stack: Vec<u64>,
    events: Vec<(Option<u64>, String)>,
}

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl Recorder {
    fn new(max: Level) -> Self {
        Self {
            max,
            inner: Arc::default(),
            next_id: Arc::new(AtomicU64::new(1)),
        }
    }

    fn spans_named(&self, name: &str) -> Vec<String> {
        let state = self.inner.lock().unwrap();
        state
            .spans
            .iter()
            .filter(|s| s.1 == name)
            .map(|s| s.2.clone())
            .collect()
    }

    /// The fields of the span the first event containing `needle` was emitted in.
    fn span_of_event(&self, needle: &str) -> Option<(String, String)> {
        let state = self.inner.lock().unwrap();
        let (span, _) = state.events.iter().find(|e| e.1.contains(needle))?;
        let span = (*span)?;
        state
            .spans
            .iter()
            .find(|s| s.0 == span)
            .map(|s| (s.1.clone(), s.2.clone()))
    }

    fn events(&self) -> Vec<String> {
        self.inner
            .lock()
            .unwrap()
            .events
            .iter()
            .map(|e| e.1.clone())
            .collect()
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.max
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::from_level(self.max))
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut fields = Fields(String::new());
        span.record(&mut fields);
        self.inner
            .lock()
            .unwrap()
            .spans
            .push((id, span.metadata().name().to_owned(), fields.0));
        Id::from_u64(id)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let mut state = self.inner.lock().unwrap();
        let current = state.stack.last().copied();
        state.events.push((current, fields.0));
    }

    fn enter(&self, span: &Id) {
        self.inner.lock().unwrap().stack.push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut state = self.inner.lock().unwrap();
        if let Some(pos) = state.stack.iter().rposition(|s| *s == span.into_u64()) {
            state.stack.remove(pos);
        }
    }
}

struct Logger;

impl Actor for Logger {
    type Msg = Reply<()>;

    async fn handle(&mut self, reply: Reply<()>, _: &mut Context<Self>) -> Result<(), ActorError> {
        tracing::info!(note = "inside the handler");
        let _ = reply.send(());
        Ok(())
    }
}

fn run_with(recorder: &Recorder) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(recorder.clone(), || {
        rt.block_on(async {
            let system = ActorSystem::new("traced").unwrap();
            let logger = system.spawn_builder(Logger).name("logger").spawn().unwrap();
            logger.ask(|reply| reply).await.unwrap();
            logger.stop();
            logger.wait().await;
            system.shutdown().await.unwrap();
        });
    });
}

#[test]
fn handler_code_runs_inside_the_actor_span_with_its_path() {
    let recorder = Recorder::new(Level::INFO);
    run_with(&recorder);
    let (name, fields) = recorder
        .span_of_event("inside the handler")
        .expect("the event and its span");
    assert_eq!(name, "actor");
    assert!(fields.contains("path=/traced/logger"), "{fields}");
    assert_eq!(recorder.spans_named("actor").len(), 1);
    assert!(
        recorder.spans_named("hook").is_empty(),
        "no per-hook span below TRACE"
    );
}

#[test]
fn a_span_per_hook_only_when_trace_is_enabled() {
    let recorder = Recorder::new(Level::TRACE);
    run_with(&recorder);
    let hooks = recorder.spans_named("hook");
    // started, one handle, stopped.
    assert_eq!(hooks.len(), 3, "{hooks:?}");
    assert!(hooks.iter().any(|f| f.contains("hook=handle")));
}

#[test]
fn lifecycle_events_are_tracing_events_with_the_path() {
    let recorder = Recorder::new(Level::DEBUG);
    run_with(&recorder);
    let events = recorder.events();
    let lifecycle: Vec<_> = events
        .iter()
        .filter(|e| e.contains("path=/traced/logger"))
        .collect();
    assert!(
        lifecycle.iter().any(|e| e.contains("event=Started")),
        "{events:?}"
    );
    assert!(
        lifecycle
            .iter()
            .any(|e| e.contains("event=Stopped(Normal)")),
        "{events:?}"
    );
}
