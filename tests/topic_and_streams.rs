//! `Topic` (fan-out to subscribers with a per-subscriber overflow policy, removal at the final
//! exit, restarts invisible) and `Context::add_stream` (a stream forwarded into the mailbox,
//! backpressured, ended with the instance), as a user observes them.

mod common;

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use actors::prelude::*;
use actors::{
    AnyActorRef, ChildSpec, Overflow, Published, Strategy, SubscriberStats, Supervisor, Topic,
};
use common::settle;
use common::sup::{in_flight, start, until};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

// ---------------------------------------------------------------------------------------
// A subscriber / stream reader
// ---------------------------------------------------------------------------------------

/// What a [`Sub`] saw, in handling order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    /// An item (from a topic or a stream), with the generation of the instance that handled
    /// it.
    Item { n: u32, generation: u64 },
    /// The stream's `end` message.
    End { generation: u64 },
}

/// The shared journal of one [`Sub`], kept across its restarts.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<(Seen, Instant)>>>);

impl Log {
    fn seen(&self) -> Vec<Seen> {
        self.0.lock().unwrap().iter().map(|(s, _)| *s).collect()
    }

    /// The items handled, in order, whatever the generation.
    fn items(&self) -> Vec<u32> {
        self.seen()
            .into_iter()
            .filter_map(|s| match s {
                Seen::Item { n, .. } => Some(n),
                Seen::End { .. } => None,
            })
            .collect()
    }

    /// When item `n` was handled.
    fn handled_at(&self, n: u32) -> Option<Instant> {
        self.0.lock().unwrap().iter().find_map(|(s, at)| match s {
            Seen::Item { n: m, .. } if *m == n => Some(*at),
            _ => None,
        })
    }

    fn ended(&self) -> bool {
        self.seen().iter().any(|s| matches!(s, Seen::End { .. }))
    }
}

enum In {
    Item(u32),
    /// The end of a stream.
    End,
    /// Signal `entered`, wait for `release`, then fail if `fail`.
    Block {
        entered: oneshot::Sender<()>,
        release: oneshot::Receiver<()>,
        fail: bool,
    },
    /// Answered after everything queued before it.
    Flush {
        reply: Reply<()>,
    },
    /// Signal `entered`, wait for `release`, then publish `n` on `topic` from this handler
    /// and answer what the publish did.
    PublishInside {
        topic: Topic<u32>,
        n: u32,
        entered: oneshot::Sender<()>,
        release: oneshot::Receiver<()>,
        reply: Reply<Published>,
    },
}

/// A topic of `u32` reaches a [`Sub`] through this conversion (its `Msg` is not `u32`).
impl From<u32> for In {
    fn from(n: u32) -> Self {
        In::Item(n)
    }
}

/// Streams each instance of a [`Sub`] adds in its `started`: the first instance takes the
/// first, a restarted one the next.
type Streams = Arc<Mutex<VecDeque<Items>>>;

/// A subscriber and stream reader: journals what it handles into a [`Log`].
struct Sub {
    log: Log,
    streams: Option<Streams>,
    /// Add the streams with an `end` message.
    with_end: bool,
}

impl Sub {
    fn new(log: &Log) -> Self {
        Self {
            log: log.clone(),
            streams: None,
            with_end: false,
        }
    }

    fn reading(log: &Log, streams: &Streams, with_end: bool) -> Self {
        Self {
            log: log.clone(),
            streams: Some(streams.clone()),
            with_end,
        }
    }
}

impl Actor for Sub {
    type Msg = In;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        let next = self
            .streams
            .as_ref()
            .and_then(|s| s.lock().unwrap().pop_front());
        if let Some(items) = next {
            let end = self.with_end.then_some(In::End);
            ctx.add_stream(items, end);
        }
        Ok(())
    }

    async fn handle(&mut self, msg: In, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        let generation = ctx.generation();
        match msg {
            In::Item(n) => self
                .log
                .0
                .lock()
                .unwrap()
                .push((Seen::Item { n, generation }, Instant::now())),
            In::End => self
                .log
                .0
                .lock()
                .unwrap()
                .push((Seen::End { generation }, Instant::now())),
            In::Block {
                entered,
                release,
                fail,
            } => {
                let _ = entered.send(());
                let _ = release.await;
                if fail {
                    return Err(ActorError::msg("told to fail after the block"));
                }
            }
            In::Flush { reply } => {
                let _ = reply.send(());
            }
            In::PublishInside {
                topic,
                n,
                entered,
                release,
                reply,
            } => {
                let _ = entered.send(());
                let _ = release.await;
                let _ = reply.send(topic.publish(n).await);
            }
        }
        Ok(())
    }
}

/// A subscriber whose `Msg` is the topic's message type itself.
struct Plain(Arc<Mutex<Vec<u32>>>);

impl Actor for Plain {
    type Msg = u32;

    async fn handle(&mut self, n: u32, _: &mut Context<Self>) -> Result<(), ActorError> {
        self.0.lock().unwrap().push(n);
        Ok(())
    }
}

fn spawn_sub(system: &ActorSystem, capacity: usize) -> (ActorRef<Sub>, Log) {
    let log = Log::default();
    let sub = system
        .spawn_builder(Sub::new(&log))
        .mailbox(capacity)
        .spawn()
        .expect("spawn");
    (sub, log)
}

/// Tells `sub` to block (failing afterwards if `fail`) and waits until it is inside the
/// handler; returns the release switch.
async fn block(sub: &ActorRef<Sub>, fail: bool) -> oneshot::Sender<()> {
    let (release, rx) = oneshot::channel();
    let (entered_tx, entered) = oneshot::channel();
    sub.tell(In::Block {
        entered: entered_tx,
        release: rx,
        fail,
    })
    .await
    .unwrap_or_else(|_| panic!("tell Block"));
    entered.await.expect("handler entered the block");
    release
}

/// Waits until `sub` handled everything queued before now.
async fn flush(sub: &ActorRef<Sub>) {
    sub.ask(|reply| In::Flush { reply })
        .await
        .expect("flush answered");
}

fn stats_of(topic: &Topic<u32>, sub: &ActorRef<Sub>) -> SubscriberStats {
    topic
        .stats()
        .into_iter()
        .find(|s| s.id == sub.id())
        .unwrap_or_else(|| panic!("{} is not subscribed", sub.path()))
}

/// What a publish did, as (delivered, dropped, removed).
fn counts(p: Published) -> (usize, usize, usize) {
    (p.delivered, p.dropped, p.removed)
}

// ---------------------------------------------------------------------------------------
// A stream the tests control
// ---------------------------------------------------------------------------------------

/// The items of an mpsc receiver as a `futures_core::Stream`, counting those taken from it.
struct Items {
    rx: mpsc::Receiver<u32>,
    taken: Arc<AtomicUsize>,
}

impl futures_core::Stream for Items {
    type Item = u32;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<u32>> {
        let next = self.rx.poll_recv(cx);
        if let Poll::Ready(Some(_)) = next {
            self.taken.fetch_add(1, Ordering::SeqCst);
        }
        next
    }
}

/// The sending side of an [`Items`] stream, and how many items were taken from it.
struct Source {
    tx: mpsc::Sender<u32>,
    taken: Arc<AtomicUsize>,
}

impl Source {
    fn taken(&self) -> usize {
        self.taken.load(Ordering::SeqCst)
    }
}

/// A stream buffering up to `buffer` items, and its source.
fn stream(buffer: usize) -> (Source, Items) {
    let (tx, rx) = mpsc::channel(buffer);
    let taken = Arc::new(AtomicUsize::new(0));
    (
        Source {
            tx,
            taken: taken.clone(),
        },
        Items { rx, taken },
    )
}

/// Spawns a [`Sub`] that reads `items` from its `started`.
fn spawn_reader(
    system: &ActorSystem,
    capacity: usize,
    items: Items,
    with_end: bool,
) -> (ActorRef<Sub>, Log) {
    let log = Log::default();
    let streams: Streams = Arc::new(Mutex::new(VecDeque::from([items])));
    let sub = system
        .spawn_builder(Sub::reading(&log, &streams, with_end))
        .mailbox(capacity)
        .spawn()
        .expect("spawn");
    (sub, log)
}

// ---------------------------------------------------------------------------------------
// Topic: delivery
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn every_subscriber_gets_each_message_once_in_publish_order() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    let subs: Vec<_> = (0..3).map(|_| spawn_sub(&system, 64)).collect();
    for (sub, _) in &subs {
        assert!(topic.subscribe(sub, Overflow::Wait));
    }
    assert_eq!(topic.subscriber_count(), 3);

    for n in 1..=10 {
        let published = topic.publish(n).await;
        assert_eq!(counts(published), (3, 0, 0), "publish {n}");
    }
    for (sub, log) in &subs {
        flush(sub).await;
        assert_eq!(log.items(), (1..=10).collect::<Vec<_>>(), "{}", sub.path());
    }

    // A clone is the same topic.
    let clone = topic.clone();
    assert_eq!(counts(clone.publish(11).await), (3, 0, 0));
    for (sub, log) in &subs {
        flush(sub).await;
        assert_eq!(log.items().last(), Some(&11));
        assert_eq!(log.items().len(), 11);
        let stats = stats_of(&topic, sub);
        assert_eq!((stats.delivered, stats.dropped), (11, 0));
        assert_eq!(stats.overflow, Overflow::Wait);
        assert_eq!(&stats.path, sub.path());
    }
    assert_eq!(topic.dropped(), 0);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_topic_without_subscribers_delivers_to_no_one() {
    let topic = Topic::<u32>::default();
    assert_eq!(topic.subscriber_count(), 0);
    assert_eq!(topic.publish(1).await, Published::default());
    assert!(topic.stats().is_empty());
}

#[tokio::test(start_paused = true)]
async fn subscribers_of_any_type_whose_msg_converts_from_the_topic_message() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    // `Plain::Msg` is `u32`; `Sub::Msg` is `In: From<u32>`.
    let plain_log = Arc::new(Mutex::new(Vec::new()));
    let plain = system.spawn(Plain(plain_log.clone())).unwrap();
    let (sub, log) = spawn_sub(&system, 8);
    assert!(topic.subscribe(&plain, Overflow::Wait));
    assert!(topic.subscribe(&sub, Overflow::DropNewest));

    for n in [7, 8, 9] {
        assert_eq!(counts(topic.publish(n).await), (2, 0, 0));
    }
    flush(&sub).await;
    until("plain handled everything", || {
        plain_log.lock().unwrap().len() == 3
    })
    .await;
    assert_eq!(*plain_log.lock().unwrap(), [7, 8, 9]);
    assert_eq!(
        log.seen(),
        [7, 8, 9].map(|n| Seen::Item { n, generation: 1 })
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn subscribing_twice_keeps_one_subscription_with_the_new_policy() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    let (sub, log) = spawn_sub(&system, 1);
    assert!(topic.subscribe(&sub, Overflow::Wait));
    assert!(topic.subscribe(&sub, Overflow::DropNewest));
    assert_eq!(topic.subscriber_count(), 1);
    assert_eq!(stats_of(&topic, &sub).overflow, Overflow::DropNewest);

    // Once, not twice.
    assert_eq!(counts(topic.publish(1).await), (1, 0, 0));
    flush(&sub).await;
    assert_eq!(log.items(), [1]);

    // The new policy applies: a full mailbox drops instead of waiting (this publish returns).
    let release = block(&sub, false).await;
    assert_eq!(counts(topic.publish(2).await), (1, 0, 0));
    assert_eq!(counts(topic.publish(3).await), (0, 1, 0));
    release.send(()).unwrap();
    flush(&sub).await;
    assert_eq!(log.items(), [1, 2]);

    // And back to Wait.
    assert!(topic.subscribe(&sub, Overflow::Wait));
    assert_eq!(topic.subscriber_count(), 1);
    assert_eq!(stats_of(&topic, &sub).overflow, Overflow::Wait);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn unsubscribe_stops_delivery_to_that_subscriber_only() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    let (a, log_a) = spawn_sub(&system, 8);
    let (b, log_b) = spawn_sub(&system, 8);
    assert!(topic.subscribe(&a, Overflow::Wait));
    assert!(topic.subscribe(&b, Overflow::Wait));
    assert_eq!(counts(topic.publish(1).await), (2, 0, 0));

    assert!(topic.unsubscribe(a.id()));
    assert!(!topic.unsubscribe(a.id()), "already unsubscribed");
    assert_eq!(topic.subscriber_count(), 1);
    assert_eq!(counts(topic.publish(2).await), (1, 0, 0));

    flush(&a).await;
    flush(&b).await;
    assert_eq!(log_a.items(), [1]);
    assert_eq!(log_b.items(), [1, 2]);
    assert!(a.is_alive(), "unsubscribing does not touch the actor");

    // Subscribing again works.
    assert!(topic.subscribe(&a, Overflow::Wait));
    assert_eq!(counts(topic.publish(3).await), (2, 0, 0));
    flush(&a).await;
    assert_eq!(log_a.items(), [1, 3]);
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Topic: overflow policies with a blocked subscriber
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn drop_newest_drops_and_counts_for_the_full_subscriber_only() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    let (slow, slow_log) = spawn_sub(&system, 1);
    let (fast, fast_log) = spawn_sub(&system, 16);
    assert!(topic.subscribe(&slow, Overflow::DropNewest));
    assert!(topic.subscribe(&fast, Overflow::DropNewest));
    let release = block(&slow, false).await;

    // The slow one's single slot takes 1; 2, 3 and 4 are dropped for it.
    assert_eq!(counts(topic.publish(1).await), (2, 0, 0));
    for n in 2..=4 {
        assert_eq!(counts(topic.publish(n).await), (1, 1, 0), "publish {n}");
    }
    let slow_stats = stats_of(&topic, &slow);
    assert_eq!((slow_stats.delivered, slow_stats.dropped), (1, 3));
    let fast_stats = stats_of(&topic, &fast);
    assert_eq!((fast_stats.delivered, fast_stats.dropped), (4, 0));
    assert_eq!(topic.dropped(), 3);
    assert_eq!(topic.subscriber_count(), 2, "dropping does not unsubscribe");

    release.send(()).unwrap();
    flush(&slow).await;
    // Room again: the next message reaches it.
    assert_eq!(counts(topic.publish(5).await), (2, 0, 0));
    flush(&slow).await;
    flush(&fast).await;
    assert_eq!(slow_log.items(), [1, 5]);
    assert_eq!(fast_log.items(), [1, 2, 3, 4, 5]);
    assert_eq!(topic.dropped(), 3);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn unsubscribe_policy_removes_the_subscriber_at_its_first_full_mailbox() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    let (slow, slow_log) = spawn_sub(&system, 1);
    let (fast, fast_log) = spawn_sub(&system, 16);
    assert!(topic.subscribe(&slow, Overflow::Unsubscribe));
    assert!(topic.subscribe(&fast, Overflow::Wait));
    let release = block(&slow, false).await;

    assert_eq!(counts(topic.publish(1).await), (2, 0, 0));
    assert_eq!(topic.subscriber_count(), 2);
    assert_eq!(counts(topic.publish(2).await), (1, 0, 1));
    assert_eq!(topic.subscriber_count(), 1);
    assert!(topic.stats().iter().all(|s| s.id != slow.id()));
    assert!(!topic.unsubscribe(slow.id()), "already removed");

    // Removed for good, even once it has room again.
    release.send(()).unwrap();
    flush(&slow).await;
    assert_eq!(counts(topic.publish(3).await), (1, 0, 0));
    flush(&slow).await;
    flush(&fast).await;
    assert_eq!(slow_log.items(), [1]);
    assert_eq!(fast_log.items(), [1, 2, 3]);
    assert!(slow.is_alive(), "removal does not touch the actor");
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn wait_policy_makes_publish_wait_for_room_and_loses_nothing() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    let (slow, slow_log) = spawn_sub(&system, 1);
    let (fast, fast_log) = spawn_sub(&system, 16);
    assert!(topic.subscribe(&slow, Overflow::Wait));
    assert!(topic.subscribe(&fast, Overflow::Wait));
    let release = block(&slow, false).await;
    assert_eq!(counts(topic.publish(1).await), (2, 0, 0));

    let publishing = in_flight({
        let topic = topic.clone();
        async move { topic.publish(2).await }
    });
    settle().await;
    assert!(
        !publishing.is_finished(),
        "publish waits for the full mailbox"
    );
    // The one with room already has it.
    flush(&fast).await;
    assert_eq!(fast_log.items(), [1, 2]);
    // Time passing changes nothing: it waits for room, not for a deadline.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    settle().await;
    assert!(!publishing.is_finished(), "publish still waits");

    release.send(()).unwrap();
    let published = publishing.await.unwrap();
    assert_eq!(counts(published), (2, 0, 0));
    for n in 3..=5 {
        topic.publish(n).await;
    }
    flush(&slow).await;
    flush(&fast).await;
    assert_eq!(slow_log.items(), [1, 2, 3, 4, 5]);
    assert_eq!(fast_log.items(), [1, 2, 3, 4, 5]);
    let slow_stats = stats_of(&topic, &slow);
    assert_eq!((slow_stats.delivered, slow_stats.dropped), (5, 0));
    assert_eq!(topic.dropped(), 0);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn publish_waits_for_all_full_wait_subscribers_at_once() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    // The slow one is subscribed first: a publish that waited for one subscriber after the
    // other would reach the quick one only after the slow one.
    let (slow, slow_log) = spawn_sub(&system, 1);
    let (quick, quick_log) = spawn_sub(&system, 1);
    assert!(topic.subscribe(&slow, Overflow::Wait));
    assert!(topic.subscribe(&quick, Overflow::Wait));
    let release_slow = block(&slow, false).await;
    let release_quick = block(&quick, false).await;
    assert_eq!(counts(topic.publish(1).await), (2, 0, 0));

    let t0 = Instant::now();
    in_flight(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        release_quick.send(()).unwrap();
    });
    in_flight(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        release_slow.send(()).unwrap();
    });
    let published = topic.publish(2).await;
    let took = t0.elapsed();
    assert_eq!(counts(published), (2, 0, 0));
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(4),
        "publish took {took:?}: the slowest (3 s), not the sum (4 s)"
    );
    flush(&slow).await;
    flush(&quick).await;
    assert_eq!(slow_log.items(), [1, 2]);
    assert_eq!(quick_log.items(), [1, 2]);
    let quick_got_it = quick_log.handled_at(2).unwrap() - t0;
    assert!(
        quick_got_it < Duration::from_secs(2),
        "the quick subscriber got the message after {quick_got_it:?}: not waited for at once"
    );
    assert!(slow_log.handled_at(2).unwrap() - t0 >= Duration::from_secs(3));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_wait_subscriber_publishing_to_itself_with_a_full_mailbox_is_accounted_for() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    let (me, my_log) = spawn_sub(&system, 1);
    let (other, other_log) = spawn_sub(&system, 8);
    assert!(topic.subscribe(&me, Overflow::Wait));
    assert!(topic.subscribe(&other, Overflow::Wait));

    let (release, release_rx) = oneshot::channel();
    let (entered_tx, entered) = oneshot::channel();
    let asking = in_flight({
        let me = me.clone();
        let topic = topic.clone();
        async move {
            me.ask(|reply| In::PublishInside {
                topic,
                n: 7,
                entered: entered_tx,
                release: release_rx,
                reply,
            })
            .await
        }
    });
    entered.await.unwrap();
    // Its single slot is taken: its own copy of the next publish cannot be waited for from
    // inside its handler (that would deadlock).
    me.tell(In::Item(0))
        .await
        .unwrap_or_else(|_| panic!("tell"));
    release.send(()).unwrap();
    let published = asking.await.unwrap().expect("answered");
    flush(&other).await;
    flush(&me).await;
    assert_eq!(other_log.items(), [7]);
    assert_eq!(published.delivered, 1, "{published:?}");
    // Its own copy must show somewhere: delivered, dropped and counted, or removed.
    assert_eq!(
        published.delivered + published.dropped + published.removed,
        2,
        "{published:?}; it got {:?}; topic dropped {}",
        my_log.items(),
        topic.dropped()
    );
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Topic: final exits and restarts
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_subscriber_is_removed_at_its_final_exit_before_any_publish() {
    common::quiet_panics();
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    let (stopped, _) = spawn_sub(&system, 8);
    let (killed, _) = spawn_sub(&system, 8);
    let (failed, _) = spawn_sub(&system, 8);
    let (stays, stays_log) = spawn_sub(&system, 8);
    for sub in [&stopped, &killed, &failed, &stays] {
        assert!(topic.subscribe(sub, Overflow::Wait));
    }
    assert_eq!(topic.subscriber_count(), 4);

    stopped.stop();
    stopped.wait().await;
    assert_eq!(
        topic.subscriber_count(),
        3,
        "removed at once, not at the next publish"
    );
    assert!(topic.stats().iter().all(|s| s.id != stopped.id()));

    killed.kill();
    killed.wait().await;
    assert_eq!(topic.subscriber_count(), 2);

    let release = block(&failed, true).await;
    release.send(()).unwrap();
    assert!(failed.wait().await.is_abnormal());
    assert_eq!(topic.subscriber_count(), 1);

    assert!(!topic.unsubscribe(stopped.id()), "no longer subscribed");
    assert_eq!(counts(topic.publish(1).await), (1, 0, 0));
    flush(&stays).await;
    assert_eq!(stays_log.items(), [1]);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_wait_subscriber_that_exits_while_waited_for_releases_the_publish() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    let (slow, _) = spawn_sub(&system, 1);
    assert!(topic.subscribe(&slow, Overflow::Wait));
    let _release = block(&slow, false).await;
    assert_eq!(counts(topic.publish(1).await), (1, 0, 0));

    let publishing = in_flight({
        let topic = topic.clone();
        async move { topic.publish(2).await }
    });
    settle().await;
    assert!(!publishing.is_finished());
    slow.kill();
    slow.wait().await;
    let published = publishing.await.unwrap();
    assert_eq!(published.delivered, 0);
    assert_eq!(topic.subscriber_count(), 0);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_actor_that_already_exited_is_not_subscribed() {
    let system = ActorSystem::new("t").unwrap();
    let topic = Topic::<u32>::new();
    let (sub, log) = spawn_sub(&system, 8);
    sub.stop();
    sub.wait().await;
    assert!(!topic.subscribe(&sub, Overflow::Wait));
    assert!(!topic.subscribe(&sub, Overflow::DropNewest));
    assert_eq!(topic.subscriber_count(), 0);
    assert_eq!(topic.publish(1).await, Published::default());
    assert!(log.items().is_empty());
    assert_eq!(AnyActorRef::from(&sub).relation_count(), 0);
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_restarted_subscriber_keeps_its_subscription() {
    common::quiet_panics();
    let system = ActorSystem::new("t").unwrap();
    let log = Log::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(10, Duration::from_secs(1))
            .child(
                ChildSpec::worker("sub", {
                    let log = log.clone();
                    move || Sub::new(&log)
                })
                .mailbox(8),
            ),
    )
    .await;
    let sub = sup
        .child("sub")
        .and_then(|c| c.downcast::<Sub>())
        .expect("the sub child");
    let topic = Topic::<u32>::new();
    assert!(topic.subscribe(&sub, Overflow::Wait));
    assert_eq!(counts(topic.publish(1).await), (1, 0, 0));
    flush(&sub).await;

    // It fails and restarts: the same actor, a new instance.
    let release = block(&sub, true).await;
    release.send(()).unwrap();
    until("restarted", || sub.generation() == 2).await;
    assert!(sub.is_alive());
    assert_eq!(topic.subscriber_count(), 1, "a restart is not an exit");

    assert_eq!(counts(topic.publish(2).await), (1, 0, 0));
    flush(&sub).await;
    assert_eq!(
        log.seen(),
        [
            Seen::Item {
                n: 1,
                generation: 1
            },
            Seen::Item {
                n: 2,
                generation: 2
            },
        ]
    );
    assert_eq!(stats_of(&topic, &sub).delivered, 2);

    // Its final exit (the supervisor shuts down) still removes it.
    sup.stop();
    sup.wait().await;
    assert!(!sub.is_alive());
    assert_eq!(topic.subscriber_count(), 0);
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// Topic: relations left behind
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn subscribers_of_a_dropped_topic_exit_cleanly() {
    let system = ActorSystem::new("t").unwrap();
    let dropped = Topic::<u32>::new();
    let kept = Topic::<u32>::new();
    let subs: Vec<_> = (0..3).map(|_| spawn_sub(&system, 8)).collect();
    for (sub, _) in &subs {
        // Subscribed to the dropped topic first: its dead hook comes first at the exit.
        assert!(dropped.subscribe(sub, Overflow::Wait));
        assert!(kept.subscribe(sub, Overflow::DropNewest));
    }
    assert_eq!(counts(dropped.publish(1).await), (3, 0, 0));
    drop(dropped);

    assert_eq!(counts(kept.publish(2).await), (3, 0, 0));
    for (sub, log) in &subs {
        flush(sub).await;
        assert_eq!(log.items(), [1, 2]);
    }
    for (i, (sub, _)) in subs.iter().enumerate() {
        sub.stop();
        assert_eq!(sub.wait().await, ExitReason::Normal);
        // The live topic still hears of it, past the dead one.
        assert_eq!(kept.subscriber_count(), 2 - i);
        assert_eq!(AnyActorRef::from(sub).relation_count(), 0);
    }
    assert_eq!(kept.publish(3).await, Published::default());
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn topics_dropped_while_their_subscriber_lives_leave_a_bounded_trace() {
    let system = ActorSystem::new("t").unwrap();
    let (sub, log) = spawn_sub(&system, 8);
    for n in 0..100 {
        let topic = Topic::<u32>::new();
        assert!(topic.subscribe(&sub, Overflow::Wait));
        assert_eq!(counts(topic.publish(n).await), (1, 0, 0));
        flush(&sub).await;
    }
    assert_eq!(log.items(), (0..100).collect::<Vec<_>>());
    // Only dead hooks remain: a long-lived actor subscribed to short-lived topics must not
    // accumulate one entry per topic for its whole life.
    let entries = AnyActorRef::from(&sub).relation_count();
    assert!(
        entries <= 1,
        "{entries} exit hooks of dropped topics are still held by a live subscriber"
    );
    sub.stop();
    sub.wait().await;
    assert_eq!(AnyActorRef::from(&sub).relation_count(), 0);
    system.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// add_stream
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn stream_items_arrive_in_order_and_the_end_message_follows_the_last() {
    let system = ActorSystem::new("t").unwrap();
    let (source, items) = stream(64);
    let (sub, log) = spawn_reader(&system, 4, items, true);
    for n in 1..=20 {
        source.tx.send(n).await.unwrap();
    }
    drop(source.tx);
    until("the end message", || log.ended()).await;
    flush(&sub).await;
    let mut expected: Vec<Seen> = (1..=20).map(|n| Seen::Item { n, generation: 1 }).collect();
    expected.push(Seen::End { generation: 1 });
    assert_eq!(log.seen(), expected);
    assert!(
        sub.is_alive(),
        "the end of a stream does not stop the actor"
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_stream_without_an_end_message_just_stops_forwarding() {
    let system = ActorSystem::new("t").unwrap();
    let (source, items) = stream(8);
    let (sub, log) = spawn_reader(&system, 4, items, false);
    for n in 1..=3 {
        source.tx.send(n).await.unwrap();
    }
    drop(source.tx);
    until("three items", || log.items().len() == 3).await;
    settle().await;
    flush(&sub).await;
    assert_eq!(
        log.seen(),
        [1, 2, 3].map(|n| Seen::Item { n, generation: 1 })
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_stream_faster_than_the_actor_is_backpressured_by_the_mailbox() {
    const CAPACITY: usize = 2;
    const ITEMS: u32 = 30;
    let system = ActorSystem::new("t").unwrap();
    let (source, items) = stream(64);
    let (sub, log) = spawn_reader(&system, CAPACITY, items, true);
    let release = block(&sub, false).await;

    for n in 1..=ITEMS {
        source.tx.try_send(n).unwrap();
    }
    // The stream ends after the last item (so the end message marks the end of the test).
    let Source {
        tx,
        taken: taken_count,
    } = source;
    drop(tx);
    let source_taken = move || taken_count.load(Ordering::SeqCst);
    settle().await;
    // The mailbox is full and the forwarder holds at most one item waiting for room: the
    // rest is still in the stream.
    assert_eq!(sub.mailbox_len(), CAPACITY);
    let taken = source_taken();
    assert!(
        (CAPACITY..=CAPACITY + 1).contains(&taken),
        "{taken} items taken from the stream with a mailbox of {CAPACITY}"
    );
    tokio::time::sleep(Duration::from_secs(60)).await;
    settle().await;
    assert_eq!(
        source_taken(),
        taken,
        "no more taken while the actor is busy"
    );

    release.send(()).unwrap();
    let mut steps = 0;
    while !log.ended() {
        assert!(sub.mailbox_len() <= CAPACITY);
        let handled = log.items().len();
        let taken = source_taken();
        assert!(
            taken <= handled + CAPACITY + 1,
            "{taken} taken, {handled} handled, mailbox of {CAPACITY}"
        );
        tokio::task::yield_now().await;
        steps += 1;
        assert!(steps < 100_000, "the stream never ended");
    }
    assert_eq!(log.items(), (1..=ITEMS).collect::<Vec<_>>());
    assert_eq!(log.seen().last(), Some(&Seen::End { generation: 1 }));
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn forwarding_ends_when_the_actor_stops() {
    let system = ActorSystem::new("t").unwrap();
    let (source, items) = stream(8);
    let (sub, log) = spawn_reader(&system, 4, items, true);
    source.tx.send(1).await.unwrap();
    until("item 1", || log.items() == [1]).await;

    // The stream is idle (pending) when the actor stops.
    sub.stop();
    assert_eq!(sub.wait().await, ExitReason::Normal);
    until("the stream is dropped", || source.tx.is_closed()).await;
    assert!(source.tx.send(2).await.is_err(), "no one reads the stream");
    assert_eq!(source.taken(), 1);
    assert_eq!(
        log.seen(),
        [Seen::Item {
            n: 1,
            generation: 1
        }]
    );
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn forwarding_waiting_for_room_ends_when_the_actor_is_killed() {
    let system = ActorSystem::new("t").unwrap();
    let (source, items) = stream(16);
    let (sub, log) = spawn_reader(&system, 1, items, true);
    let _release = block(&sub, false).await;
    for n in 1..=5 {
        source.tx.try_send(n).unwrap();
    }
    settle().await;
    assert_eq!(sub.mailbox_len(), 1);

    sub.kill();
    assert_eq!(sub.wait().await, ExitReason::Killed);
    until("the stream is dropped", || source.tx.is_closed()).await;
    let taken = source.taken();
    settle().await;
    assert_eq!(source.taken(), taken, "nothing taken after the exit");
    assert!(taken <= 2);
    assert!(log.seen().is_empty());
    system.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn stream_items_in_the_mailbox_survive_a_restart() {
    common::quiet_panics();
    let system = ActorSystem::new("t").unwrap();
    let (first, first_items) = stream(16);
    let (second, second_items) = stream(16);
    let streams: Streams = Arc::new(Mutex::new(VecDeque::from([first_items, second_items])));
    let log = Log::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForOne)
            .intensity(10, Duration::from_secs(1))
            .child(
                ChildSpec::worker("reader", {
                    let log = log.clone();
                    let streams = streams.clone();
                    move || Sub::reading(&log, &streams, true)
                })
                .mailbox(4),
            ),
    )
    .await;
    let sub = sup
        .child("reader")
        .and_then(|c| c.downcast::<Sub>())
        .expect("the reader child");

    // Generation 1 blocks (then fails) while its stream fills the mailbox.
    let release = block(&sub, true).await;
    for n in 1..=3 {
        first.tx.try_send(n).unwrap();
    }
    until("three items queued", || sub.mailbox_len() == 3).await;
    assert_eq!(first.taken(), 3);

    release.send(()).unwrap();
    until("restarted", || sub.generation() == 2).await;
    // The first instance's forwarding ended with it; the new one reads the next stream.
    until("the first stream is dropped", || first.tx.is_closed()).await;
    for n in 11..=12 {
        second.tx.send(n).await.unwrap();
    }
    drop(second.tx);
    until("the second stream's end", || log.ended()).await;
    flush(&sub).await;
    assert_eq!(
        log.seen(),
        [
            Seen::Item {
                n: 1,
                generation: 2
            },
            Seen::Item {
                n: 2,
                generation: 2
            },
            Seen::Item {
                n: 3,
                generation: 2
            },
            Seen::Item {
                n: 11,
                generation: 2
            },
            Seen::Item {
                n: 12,
                generation: 2
            },
            Seen::End { generation: 2 },
        ]
    );
    sup.stop();
    sup.wait().await;
    system.shutdown().await.unwrap();
}

/// A stream that yields 1, 2, then panics.
struct Panicking(u32);

impl futures_core::Stream for Panicking {
    type Item = u32;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<Option<u32>> {
        self.0 += 1;
        if self.0 > 2 {
            panic!("the stream broke");
        }
        Poll::Ready(Some(self.0))
    }
}

/// Adds a `Panicking` stream in `started`.
struct StreamOwner(Arc<Mutex<Vec<u32>>>);

impl Actor for StreamOwner {
    type Msg = u32;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        ctx.add_stream(Panicking(0), Some(99));
        Ok(())
    }

    async fn handle(&mut self, n: u32, _: &mut Context<Self>) -> Result<(), ActorError> {
        self.0.lock().unwrap().push(n);
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_panicking_stream_ends_its_forwarding_and_the_actor_goes_on() {
    common::quiet_panics();
    let system = ActorSystem::new("t").unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let owner = system.spawn(StreamOwner(seen.clone())).unwrap();
    settle().await;
    // The panic ended the forwarding: no `end` message (the stream did not end by itself).
    assert_eq!(*seen.lock().unwrap(), [1, 2]);
    assert!(owner.is_alive());
    owner.tell(7).await.unwrap();
    settle().await;
    assert_eq!(*seen.lock().unwrap(), [1, 2, 7]);
    assert_eq!(system.task_count(), 1, "only the actor's own task is left");
    system.shutdown().await.unwrap();
}
