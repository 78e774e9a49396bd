//! `tracing`: every actor's code runs inside a span named `actor` carrying its path; a span per
//! hook exists only when TRACE is enabled; lifecycle events are emitted as tracing events.

use actors::prelude::*;
use tracing::Level;

#[path = "common/recorder.rs"]
mod recorder;

use recorder::Recorder;

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
            .any(|e| e.contains("event=Stopped") && e.contains("message=stopped: normal")),
        "{events:?}"
    );
}

#[test]
fn the_tracing_sink_reports_each_event_at_its_level_with_its_fields() {
    let recorder = Recorder::new(Level::DEBUG);
    run_with(&recorder);
    let ours: Vec<_> = recorder
        .recorded()
        .into_iter()
        .filter(|e| e.target == "actors::events" && e.fields.contains("path=/traced/logger"))
        .collect();
    let started = ours
        .iter()
        .find(|e| e.fields.contains("event=Started"))
        .expect("a Started event");
    assert_eq!(started.level, Level::DEBUG);
    for field in ["path=/traced/logger", "id=#", "generation=1", "parent="] {
        assert!(
            started.fields.contains(field),
            "{field} in {}",
            started.fields
        );
    }
}

/// An actor that fails its first message, to see failures at WARN.
struct Fragile;

impl Actor for Fragile {
    type Msg = ();

    async fn handle(&mut self, (): (), _: &mut Context<Self>) -> Result<(), ActorError> {
        Err(ActorError::msg("boom"))
    }
}

#[test]
fn failures_are_warnings_and_escalations_errors() {
    use actors::{ChildSpec, Restart, Supervisor};
    let recorder = Recorder::new(Level::WARN);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(recorder.clone(), || {
        rt.block_on(async {
            let system = ActorSystem::new("traced").unwrap();
            let sup = system
                .start_supervisor(
                    "sup",
                    Supervisor::new(actors::Strategy::OneForOne)
                        .intensity(0, std::time::Duration::from_secs(5))
                        .child(
                            ChildSpec::worker("fragile", || Fragile).restart(Restart::Permanent),
                        ),
                )
                .await
                .unwrap();
            let fragile = sup.child("fragile").unwrap().downcast::<Fragile>().unwrap();
            fragile.tell(()).await.unwrap();
            sup.wait().await;
            system.shutdown().await.unwrap();
        });
    });
    let events: Vec<_> = recorder
        .recorded()
        .into_iter()
        .filter(|e| e.target == "actors::events")
        .collect();
    let failed = events
        .iter()
        .find(|e| e.fields.contains("event=Failed"))
        .expect("the failure");
    assert_eq!(failed.level, Level::WARN);
    assert!(
        failed.fields.contains("message=failed in handle: boom"),
        "{failed:?}"
    );
    assert!(
        failed.fields.contains("path=/traced/sup/fragile"),
        "{failed:?}"
    );
    let escalation = events
        .iter()
        .find(|e| e.fields.contains("event=IntensityExceeded"))
        .expect("the escalation");
    assert_eq!(escalation.level, Level::ERROR);
    assert!(
        escalation.fields.contains("path=/traced/sup "),
        "{escalation:?}"
    );
    assert!(
        events.iter().all(|e| e.level <= Level::WARN),
        "nothing below WARN reaches a WARN subscriber: {events:?}"
    );
}

#[test]
fn a_handler_span_follows_from_the_asker_span_at_trace() {
    let recorder = Recorder::new(Level::TRACE);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(recorder.clone(), || {
        rt.block_on(async {
            let system = ActorSystem::new("traced").unwrap();
            let logger = system.spawn_builder(Logger).name("logger").spawn().unwrap();
            let request = tracing::info_span!("request", user = "ada");
            let _entered = request.enter();
            logger.ask(|reply| reply).await.unwrap();
            drop(_entered);
            system.shutdown().await.unwrap();
        });
    });
    let request = recorder.span_id("request", "ada").expect("the caller span");
    let handler = recorder
        .span_id("hook", "hook=handle")
        .expect("the handler span");
    assert!(
        recorder.follows().contains(&(handler, request)),
        "handler {handler} follows from request {request}: {:?}",
        recorder.follows()
    );
}

#[test]
fn no_span_is_kept_for_an_ask_below_trace() {
    let recorder = Recorder::new(Level::DEBUG);
    run_with(&recorder);
    assert!(recorder.follows().is_empty(), "{:?}", recorder.follows());
}
