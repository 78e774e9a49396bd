//! Cancellation tokens mirror the tree: each instance gets a fresh token, and cancelling a
//! supervisor (the emergency path) reaches every child at once.

mod common;

use std::sync::{Arc, Mutex};

use actors::prelude::*;
use actors::{ChildSpec, ExitReason, ShutdownCause, Strategy, Supervisor};
use common::quiet_panics;
use tokio_util::sync::CancellationToken;

enum Msg {
    Fail,
    /// Waits until the instance's token is cancelled.
    AwaitCancel,
    Ping {
        reply: Reply<u64>,
    },
}

/// Keeps each instance's token where the test can see it.
struct Holder {
    tokens: Arc<Mutex<Vec<CancellationToken>>>,
}

impl Actor for Holder {
    type Msg = Msg;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        self.tokens.lock().unwrap().push(ctx.token());
        Ok(())
    }

    async fn handle(&mut self, msg: Msg, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            Msg::Fail => return Err(ActorError::msg("told to fail")),
            Msg::AwaitCancel => ctx.cancelled().await,
            Msg::Ping { reply } => {
                let _ = reply.send(ctx.generation());
            }
        }
        Ok(())
    }
}

fn holder(id: &str, tokens: &Arc<Mutex<Vec<CancellationToken>>>) -> ChildSpec {
    let tokens = tokens.clone();
    ChildSpec::worker(id, move || Holder {
        tokens: tokens.clone(),
    })
}

#[tokio::test(start_paused = true)]
async fn each_instance_gets_a_fresh_token_and_the_old_one_ends_with_it() {
    quiet_panics();
    let system = ActorSystem::new("tokens").unwrap();
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne).child(holder("h", &tokens)),
        )
        .await
        .unwrap();
    let h = sup.child("h").unwrap().downcast::<Holder>().unwrap();
    h.tell(Msg::Fail).await.unwrap();
    assert_eq!(h.ask(|reply| Msg::Ping { reply }).await.unwrap(), 2);

    let tokens = tokens.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2);
    assert!(
        tokens[0].is_cancelled(),
        "the failed instance's token ended with it"
    );
    assert!(
        !tokens[1].is_cancelled(),
        "the new instance has a live token of its own"
    );
    system.shutdown().await.unwrap();
    assert!(tokens[1].is_cancelled());
}

/// `SupervisorRef::cancel` is the emergency path: every child's token is cancelled at once,
/// not one child per shutdown deadline, and all exit `Shutdown(Cancelled)`.
#[tokio::test(start_paused = true)]
async fn cancelling_a_supervisor_cancels_every_child_at_once() {
    quiet_panics();
    let system = ActorSystem::new("tokens").unwrap();
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne)
                .child(holder("a", &tokens))
                .child(holder("b", &tokens))
                .child(holder("c", &tokens)),
        )
        .await
        .unwrap();
    let children: Vec<_> = sup
        .children()
        .iter()
        .map(|c| c.downcast::<Holder>().unwrap())
        .collect();
    for child in &children {
        child.tell(Msg::AwaitCancel).await.unwrap();
    }
    tokio::task::yield_now().await;

    let before = tokio::time::Instant::now();
    sup.cancel();
    assert_eq!(
        sup.wait().await,
        ExitReason::Shutdown(ShutdownCause::Cancelled)
    );
    assert_eq!(
        tokio::time::Instant::now(),
        before,
        "no deadline was waited out"
    );
    for child in &children {
        assert_eq!(
            child.wait().await,
            ExitReason::Shutdown(ShutdownCause::Cancelled)
        );
    }
    assert!(
        tokens
            .lock()
            .unwrap()
            .iter()
            .all(CancellationToken::is_cancelled)
    );
    system.shutdown().await.unwrap();
    assert_eq!(system.task_count(), 0);
}
