//! Actors written with `#[actor]` and `#[derive(Message)]`, observed through their generated
//! clients: asks, tells, the `Result` rule, context access, hooks in the block, options, a
//! `Recipient` through `From`, the `_timeout` twins, and restarts under a supervisor.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actors::prelude::*;
use actors::{ChildSpec, EventKind, Strategy, Supervisor};
use common::sup::next_event;

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("only {0} left")]
struct Short(u64);

/// A bank account: every kind of handler.
#[derive(Default)]
struct Account {
    balance: u64,
    log: Arc<Mutex<Vec<String>>>,
}

#[actor(mailbox = 16)]
impl Account {
    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        self.note(format!("started {}", ctx.generation()));
        Ok(())
    }

    async fn stopped(
        &mut self,
        reason: &ExitReason,
        _: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        self.note(format!("stopped {reason}"));
        Ok(())
    }

    fn note(&self, line: String) {
        self.log.lock().unwrap().push(line);
    }

    /// Puts money in.
    #[handler]
    fn deposit(&mut self, amount: u64) {
        self.balance += amount;
    }

    #[handler]
    async fn balance(&mut self) -> u64 {
        tokio::task::yield_now().await;
        self.balance
    }

    #[handler]
    fn withdraw(&mut self, amount: u64) -> Result<u64, Short> {
        self.balance = self
            .balance
            .checked_sub(amount)
            .ok_or(Short(self.balance))?;
        Ok(self.balance)
    }

    #[handler]
    async fn slow_withdraw(&mut self, amount: u64, after: Duration) -> Result<u64, Short> {
        tokio::time::sleep(after).await;
        self.withdraw(amount)
    }

    #[handler]
    fn whoami(&mut self, ctx: &mut Context<Self>, suffix: String) -> String {
        format!("{}{suffix}", ctx.path())
    }

    #[handler]
    fn transfer(
        &mut self,
        to: String,
        amount: u64,
        memo: Option<String>,
    ) -> (String, u64, Option<String>) {
        (to, amount, memo)
    }

    #[handler]
    async fn sleep(&mut self, d: Duration) {
        tokio::time::sleep(d).await;
    }

    #[handler]
    fn crash(&mut self) {
        panic!("asked to crash");
    }
}

fn account(log: &Arc<Mutex<Vec<String>>>) -> Account {
    Account {
        balance: 0,
        log: log.clone(),
    }
}

#[tokio::test(start_paused = true)]
async fn the_client_tells_and_asks() {
    let system = ActorSystem::new("m").unwrap();
    let log = Arc::default();
    let acc = system.spawn(account(&log)).unwrap();
    acc.deposit(10).await.unwrap();
    acc.deposit(5).await.unwrap();
    assert_eq!(acc.balance().await.unwrap(), 15);
    assert_eq!(
        acc.transfer("bob".into(), 3, Some("rent".into()))
            .await
            .unwrap(),
        ("bob".to_owned(), 3, Some("rent".to_owned()))
    );
    assert_eq!(acc.capacity(), 16, "mailbox = 16");
    assert_eq!(<Account as Actor>::MAILBOX_CAPACITY, 16);
    // The message enum is there by its documented name, and usable by hand.
    acc.tell(AccountMsg::Deposit { amount: 1 }).await.unwrap();
    assert_eq!(
        acc.ask(|reply| AccountMsg::Balance { reply })
            .await
            .unwrap(),
        16
    );
    system.shutdown().await.unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        ["started 1", "stopped shutdown (system shutdown)"]
    );
}

#[tokio::test(start_paused = true)]
async fn an_asked_err_goes_to_the_asker_and_the_actor_goes_on() {
    let system = ActorSystem::new("m").unwrap();
    let acc = system.spawn(account(&Arc::default())).unwrap();
    acc.deposit(5).await.unwrap();
    assert_eq!(acc.withdraw(2).await.unwrap(), Ok(3));
    assert_eq!(acc.withdraw(10).await.unwrap(), Err(Short(3)));
    assert!(acc.is_alive());
    assert_eq!(acc.balance().await.unwrap(), 3);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_told_err_fails_the_instance() {
    let system = ActorSystem::new("m").unwrap();
    let acc = system.spawn(account(&Arc::default())).unwrap();
    // `deposit` and `withdraw` both take one `u64`, so neither has a `From<u64>`: tell
    // `withdraw` by hand, without a reply. No one will see its `Err`, so it fails the instance.
    acc.tell(AccountMsg::Withdraw {
        amount: 1,
        reply: None,
    })
    .await
    .unwrap();
    match acc.wait().await {
        ExitReason::Failed(info) => assert_eq!(info.message(), "only 0 left"),
        other => panic!("expected a failure, got {other:?}"),
    }
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_err_for_an_asker_that_gave_up_does_not_fail_the_actor() {
    let system = ActorSystem::new("m").unwrap();
    let acc = system.spawn(account(&Arc::default())).unwrap();
    let gave_up = acc
        .slow_withdraw_timeout(5, Duration::from_secs(10), Duration::from_secs(1))
        .await;
    assert!(matches!(gave_up, Err(AskError::Timeout(_))), "{gave_up:?}");
    // The handler's `Err` comes after the asker left: it chose not to see it.
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert!(acc.is_alive());
    assert_eq!(acc.generation(), 1);
    assert_eq!(acc.balance().await.unwrap(), 0);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_context_is_passed_where_the_handler_asks_for_it() {
    let system = ActorSystem::new("m").unwrap();
    let acc = system
        .spawn_builder(account(&Arc::default()))
        .name("acc")
        .spawn()
        .unwrap();
    assert_eq!(acc.whoami("!".into()).await.unwrap(), "/m/acc!");
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_timeout_twins_bound_the_wait() {
    let system = ActorSystem::new("m").unwrap();
    let acc = system.spawn(account(&Arc::default())).unwrap();
    acc.sleep(Duration::from_secs(60)).await.unwrap();
    let answer = acc.balance_timeout(Duration::from_secs(1)).await;
    assert!(matches!(answer, Err(AskError::Timeout(_))), "{answer:?}");
    acc.deposit_timeout(1, Duration::from_secs(1))
        .await
        .unwrap();
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_generated_actor_restarts_under_a_supervisor_and_keeps_its_queue() {
    common::quiet_panics();
    let system = ActorSystem::new("m").unwrap();
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let factory_log = log.clone();
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForOne)
                .child(ChildSpec::worker("acc", move || account(&factory_log))),
        )
        .await
        .unwrap();
    let acc = sup.child("acc").unwrap().downcast::<Account>().unwrap();
    assert_eq!(
        acc.capacity(),
        16,
        "the child spec takes the actor's mailbox size"
    );
    let mut events = system.events();
    acc.deposit(7).await.unwrap();
    acc.crash().await.unwrap();
    acc.deposit(1).await.unwrap();
    next_event(&mut events, acc.id(), |k| {
        matches!(k, EventKind::Restarted(2))
    })
    .await;
    // A new instance (balance from zero) handled the deposit queued behind the crash.
    assert_eq!(acc.balance().await.unwrap(), 1);
    assert_eq!(acc.generation(), 2);
    system.shutdown().await.unwrap();
    let log = log.lock().unwrap();
    assert_eq!(log[0], "started 1");
    assert!(
        log[1].starts_with("stopped failed: /m/sup/acc (generation 1) panicked in handle"),
        "{log:?}"
    );
    assert_eq!(log[2], "started 2");
}

/// One-argument tells get `From`, so a `Recipient` reaches the actor.
#[derive(Default)]
struct Sink {
    lines: Vec<String>,
}

#[actor(msg = SinkRequest)]
impl Sink {
    #[handler]
    fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    #[handler]
    fn lines(&mut self) -> Vec<String> {
        self.lines.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn a_recipient_reaches_a_generated_actor_through_from() {
    let system = ActorSystem::new("m").unwrap();
    let sink = system.spawn(Sink::default()).unwrap();
    let recipient: Recipient<String> = sink.recipient();
    recipient.tell("one".to_owned()).await.unwrap();
    recipient.try_tell("two".to_owned()).unwrap();
    // `msg = SinkRequest` names the enum, and the client after it.
    assert_eq!(
        SinkRequestClient::lines(&sink).await.unwrap(),
        ["one", "two"]
    );
    let _: SinkRequest = SinkRequest::from("three".to_owned());
    system.shutdown().await.unwrap();
}

/// A hand-written enum with the derived client.
#[derive(Message)]
enum ShapeMsg {
    Scale(u32),
    Move { dx: i32, dy: i32 },
    Area { reply: Reply<u64> },
    Describe(String, Reply<String>),
    Reset,
}

struct Shape {
    side: u64,
    at: (i32, i32),
}

impl Actor for Shape {
    type Msg = ShapeMsg;

    async fn handle(&mut self, msg: ShapeMsg, _: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            ShapeMsg::Scale(k) => self.side *= u64::from(k),
            ShapeMsg::Move { dx, dy } => self.at = (self.at.0 + dx, self.at.1 + dy),
            ShapeMsg::Area { reply } => drop(reply.send(self.side * self.side)),
            ShapeMsg::Describe(name, reply) => {
                drop(reply.send(format!("{name} of side {} at {:?}", self.side, self.at)));
            }
            ShapeMsg::Reset => {
                *self = Shape {
                    side: 1,
                    at: (0, 0),
                }
            }
        }
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn the_derived_client_covers_tuple_named_and_unit_variants() {
    let system = ActorSystem::new("m").unwrap();
    let shape = system
        .spawn(Shape {
            side: 2,
            at: (0, 0),
        })
        .unwrap();
    shape.scale(3).await.unwrap();
    shape.r#move(1, -1).await.unwrap();
    assert_eq!(shape.area().await.unwrap(), 36);
    assert_eq!(
        shape.describe("square".into()).await.unwrap(),
        "square of side 6 at (1, -1)"
    );
    shape.recipient::<u32>().tell(2).await.unwrap();
    assert_eq!(
        shape.area_timeout(Duration::from_secs(1)).await.unwrap(),
        144
    );
    shape.reset().await.unwrap();
    assert_eq!(shape.area().await.unwrap(), 1);
    system.shutdown().await.unwrap();
}
