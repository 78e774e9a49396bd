//! A minimal `tracing` subscriber for tests: records spans (name and fields), the span each
//! event was emitted in, each event's level and fields, and `follows_from` relations.

#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

#[derive(Clone)]
pub struct Recorder {
    max: Level,
    inner: Arc<Mutex<State>>,
    next_id: Arc<AtomicU64>,
}

/// One recorded event.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub span: Option<u64>,
    pub level: Level,
    pub target: String,
    pub fields: String,
}

#[derive(Default)]
struct State {
    spans: Vec<(u64, String, String)>,
    stack: Vec<u64>,
    events: Vec<Recorded>,
    follows: Vec<(u64, u64)>,
    metadata: Vec<(u64, &'static Metadata<'static>)>,
}

struct Fields(String);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push_str(&format!("{}={} ", field.name(), value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl Recorder {
    pub fn new(max: Level) -> Self {
        Self {
            max,
            inner: Arc::default(),
            next_id: Arc::new(AtomicU64::new(1)),
        }
    }

    /// The fields of every span with this name.
    pub fn spans_named(&self, name: &str) -> Vec<String> {
        let state = self.inner.lock().unwrap();
        state
            .spans
            .iter()
            .filter(|s| s.1 == name)
            .map(|s| s.2.clone())
            .collect()
    }

    /// The id of the first span with this name whose fields contain `needle`.
    pub fn span_id(&self, name: &str, needle: &str) -> Option<u64> {
        let state = self.inner.lock().unwrap();
        let span = state
            .spans
            .iter()
            .find(|s| s.1 == name && s.2.contains(needle))?;
        Some(span.0)
    }

    /// The name and fields of the span with this id.
    pub fn span(&self, id: u64) -> Option<(String, String)> {
        let state = self.inner.lock().unwrap();
        let span = state.spans.iter().find(|s| s.0 == id)?;
        Some((span.1.clone(), span.2.clone()))
    }

    /// The fields of the span the first event containing `needle` was emitted in.
    pub fn span_of_event(&self, needle: &str) -> Option<(String, String)> {
        let span = {
            let state = self.inner.lock().unwrap();
            state
                .events
                .iter()
                .find(|e| e.fields.contains(needle))?
                .span?
        };
        self.span(span)
    }

    /// Every event's fields.
    pub fn events(&self) -> Vec<String> {
        self.recorded().into_iter().map(|e| e.fields).collect()
    }

    /// Every event.
    pub fn recorded(&self) -> Vec<Recorded> {
        self.inner.lock().unwrap().events.clone()
    }

    /// Every `(span, follows_from)` pair recorded.
    pub fn follows(&self) -> Vec<(u64, u64)> {
        self.inner.lock().unwrap().follows.clone()
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
        let mut state = self.inner.lock().unwrap();
        state
            .spans
            .push((id, span.metadata().name().to_owned(), fields.0));
        state.metadata.push((id, span.metadata()));
        Id::from_u64(id)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, span: &Id, follows: &Id) {
        self.inner
            .lock()
            .unwrap()
            .follows
            .push((span.into_u64(), follows.into_u64()));
    }

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let mut state = self.inner.lock().unwrap();
        let span = state.stack.last().copied();
        state.events.push(Recorded {
            span,
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields: fields.0,
        });
    }

    fn current_span(&self) -> tracing_core::span::Current {
        let state = self.inner.lock().unwrap();
        let current = state.stack.last().and_then(|id| {
            let meta = state.metadata.iter().find(|m| m.0 == *id)?;
            Some(tracing_core::span::Current::new(Id::from_u64(*id), meta.1))
        });
        current.unwrap_or_else(tracing_core::span::Current::none)
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
