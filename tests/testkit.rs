//! The test kit (`testkit` feature): the probe records what it receives across restarts,
//! waits end at their deadline on the paused clock, failure injection fails exactly the next
//! message, and the tree's outline is stable for assertions.

use std::time::Duration;

use actors::prelude::*;
use actors::testkit::{self, Probe, TestkitError};
use actors::{ChildSpec, EventKind, ExitReason, Strategy, Supervisor};

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test(start_paused = true)]
async fn a_probe_records_in_order_and_a_wait_ends_at_its_deadline() {
    let system = ActorSystem::new("kit").unwrap();
    let (probe, log) = Probe::<&'static str>::new();
    let probe = system.spawn(probe).unwrap();
    for word in ["a", "b", "c"] {
        probe.tell(word).await.unwrap();
    }
    assert_eq!(log.received(3, SECOND).await.unwrap(), ["a", "b", "c"]);
    let before = tokio::time::Instant::now();
    assert_eq!(
        log.received(4, SECOND).await,
        Err(TestkitError::TimedOut(SECOND))
    );
    assert_eq!(
        before.elapsed(),
        SECOND,
        "the wait ends exactly at its deadline"
    );
    assert_eq!(log.snapshot(), ["a", "b", "c"]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_injected_failure_fails_the_next_message_only_and_the_supervisor_restarts() {
    let system = ActorSystem::new("kit").unwrap();
    let (probes, log) = Probe::<u32>::factory();
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne).child(ChildSpec::worker("probe", probes)),
        )
        .await
        .unwrap();
    let probe = sup
        .child("probe")
        .unwrap()
        .downcast::<Probe<u32>>()
        .unwrap();
    let mut events = system.events();
    probe.tell(1).await.unwrap();
    log.received(1, SECOND).await.unwrap();

    testkit::fail_next(&probe);
    probe.tell(2).await.unwrap();
    let restarted = testkit::until_restarted(&mut events, &probe, 2, SECOND)
        .await
        .unwrap();
    assert_eq!(restarted.kind, EventKind::Restarted(2));
    probe.tell(3).await.unwrap();
    assert_eq!(
        log.received(2, SECOND).await.unwrap(),
        [1, 3],
        "2 was the failing one"
    );
    let failure = system
        .failures()
        .into_iter()
        .find_map(|e| match e.kind {
            EventKind::Failed(info) => Some(info),
            _ => None,
        })
        .expect("the injected failure is journaled");
    assert_eq!(failure.message(), "failure injected by the test kit");
    assert_eq!(failure.generation(), 1);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_injected_failure_answers_the_failing_ask() {
    struct Echo;
    impl Actor for Echo {
        type Msg = Reply<u32>;
        async fn handle(
            &mut self,
            reply: Reply<u32>,
            _: &mut Context<Self>,
        ) -> Result<(), ActorError> {
            let _ = reply.send(7);
            Ok(())
        }
    }
    let system = ActorSystem::new("kit").unwrap();
    let echo = system.spawn(Echo).unwrap();
    assert_eq!(echo.ask(|reply| reply).await.unwrap(), 7);
    let mut events = system.events();
    testkit::fail_next(&echo);
    assert!(matches!(
        echo.ask(|reply| reply).await,
        Err(AskError::Failed(_))
    ));
    let reason = testkit::until_stopped(&mut events, echo.id(), SECOND)
        .await
        .unwrap();
    assert!(matches!(reason, ExitReason::Failed(_)), "{reason:?}");
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn until_event_reports_a_deadline_and_a_closed_system() {
    let system = ActorSystem::new("kit").unwrap();
    let mut events = system.events();
    assert_eq!(
        testkit::until_event(&mut events, SECOND, |_| true)
            .await
            .err(),
        Some(TestkitError::TimedOut(SECOND))
    );
    system.shutdown().await.unwrap();
    drop(system);
    assert_eq!(
        testkit::until_event(&mut events, SECOND, |_| true)
            .await
            .err(),
        Some(TestkitError::Closed)
    );
}

#[tokio::test(start_paused = true)]
async fn the_outline_is_the_tree_without_its_counters() {
    let system = ActorSystem::new("kit").unwrap();
    let (a_probes, _) = Probe::<u32>::factory();
    let (b_probes, _) = Probe::<u32>::factory();
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne)
                .child(ChildSpec::worker("a", a_probes))
                .child(ChildSpec::worker("b", b_probes)),
        )
        .await;
    let sup = sup.unwrap();
    let a = sup.child("a").unwrap().downcast::<Probe<u32>>().unwrap();
    a.tell(1).await.unwrap();
    assert_eq!(
        system.tree().await.outline(),
        "kit system\n  sup supervisor running 1\n    a actor running 1\n    b actor running 1\n"
    );
    system.shutdown().await.unwrap();
}
