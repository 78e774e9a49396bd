//! [`Topic<M>`]: one message fanned out to many subscriber actors.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::link::{self, ExitHook};
use crate::{Actor, ActorId, ActorPath, ActorRef, Recipient, SendError, TrySendError};

/// What a [`Topic`] does with a message for a subscriber whose mailbox is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Overflow {
    /// Wait for room: the publish waits for this subscriber (for all such subscribers at once,
    /// so for the slowest of them, not their sum). Nothing is dropped, except the copy for a
    /// subscriber publishing from its own handler while its own mailbox is full (waiting would
    /// never end): that one is dropped and counted.
    Wait,
    /// Drop this message for this subscriber and count it.
    DropNewest,
    /// Unsubscribe it: it gets nothing more from this topic.
    Unsubscribe,
}

/// One subscriber's figures, from [`Topic::stats`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubscriberStats {
    /// The subscriber.
    pub id: ActorId,
    /// Its path.
    pub path: ActorPath,
    /// Its policy for a full mailbox.
    pub overflow: Overflow,
    /// Messages put in its mailbox.
    pub delivered: u64,
    /// Messages dropped for it: its mailbox was full under [`Overflow::DropNewest`], or it
    /// published to the topic from its own handler while its own mailbox was full under
    /// [`Overflow::Wait`] (waiting for itself would never end).
    pub dropped: u64,
}

/// What one [`Topic::publish`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Published {
    /// Subscribers whose mailbox got the message.
    pub delivered: usize,
    /// Subscribers for which it was dropped (full under [`Overflow::DropNewest`], or the
    /// publisher itself, full, under [`Overflow::Wait`]).
    pub dropped: usize,
    /// Subscribers removed by this publish: full with [`Overflow::Unsubscribe`], or gone.
    pub removed: usize,
}

/// Fans one message out to many subscriber actors: any actor whose `Msg` implements
/// `From<M>`, each with its own [`Overflow`] policy for a full mailbox.
///
/// A subscriber is removed when it makes its final exit (the topic is told at once; it does
/// not wait for the next publish). Restarts keep the subscription: it belongs to the actor,
/// and its mailbox survives them. Cloning is cheap; every clone is the same topic.
///
/// # Examples
///
/// ```
/// use actors_core::{Actor, ActorError, ActorSystem, Context, Overflow, Topic};
///
/// struct Screen(Vec<u64>);
///
/// impl Actor for Screen {
///     type Msg = u64;
///
///     async fn handle(&mut self, price: u64, _: &mut Context<Self>) -> Result<(), ActorError> {
///         self.0.push(price);
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::new("app")?;
/// let prices = Topic::<u64>::new();
/// for _ in 0..3 {
///     let screen = system.spawn(Screen(Vec::new()))?;
///     prices.subscribe(&screen, Overflow::Wait);
/// }
/// let published = prices.publish(42).await;
/// assert_eq!(published.delivered, 3);
/// # system.shutdown().await?;
/// # Ok(())
/// # }
/// ```
pub struct Topic<M> {
    inner: Arc<TopicInner<M>>,
}

impl<M> Clone for Topic<M> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<M> std::fmt::Debug for Topic<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Topic")
            .field("subscribers", &self.inner.lock().len())
            .finish_non_exhaustive()
    }
}

struct TopicInner<M> {
    subscribers: Mutex<Vec<Subscriber<M>>>,
}

struct Subscriber<M> {
    recipient: Recipient<M>,
    overflow: Overflow,
    delivered: AtomicU64,
    dropped: AtomicU64,
}

impl<M> TopicInner<M> {
    fn lock(&self) -> MutexGuard<'_, Vec<Subscriber<M>>> {
        // User code that runs under this lock: the message's `Clone` and the subscriber's
        // `From` conversion (see `publish`); neither can reach the topic.
        self.subscribers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<M: Send + 'static> ExitHook for TopicInner<M> {
    fn exited(&self, id: ActorId) {
        self.lock().retain(|s| s.recipient.id() != id);
    }
}

impl<M: Clone + Send + 'static> Default for Topic<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Clone + Send + 'static> Topic<M> {
    /// A topic with no subscribers.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(TopicInner {
                subscribers: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Subscribes `actor` with a policy for when its mailbox is full. Subscribing an actor
    /// again changes its policy. An actor that has already exited is not subscribed (returns
    /// false).
    pub fn subscribe<A>(&self, actor: &ActorRef<A>, overflow: Overflow) -> bool
    where
        A: Actor,
        A::Msg: From<M>,
    {
        let hook: Arc<dyn ExitHook> = self.inner.clone();
        if !link::watch_exit(&actor.shared, Arc::downgrade(&hook)) {
            return false;
        }
        let mut subscribers = self.inner.lock();
        match subscribers
            .iter_mut()
            .find(|s| s.recipient.id() == actor.id())
        {
            Some(existing) => existing.overflow = overflow,
            None => subscribers.push(Subscriber {
                recipient: actor.recipient(),
                overflow,
                delivered: AtomicU64::new(0),
                dropped: AtomicU64::new(0),
            }),
        }
        drop(subscribers);
        // It may have exited between the check and the push: the hook ran before the push.
        if !actor.is_alive() {
            self.unsubscribe(actor.id());
            return false;
        }
        true
    }

    /// Removes a subscriber; returns whether it was subscribed.
    pub fn unsubscribe(&self, id: ActorId) -> bool {
        let mut subscribers = self.inner.lock();
        let before = subscribers.len();
        subscribers.retain(|s| s.recipient.id() != id);
        subscribers.len() != before
    }

    /// How many subscribers the topic has.
    pub fn subscriber_count(&self) -> usize {
        self.inner.lock().len()
    }

    /// Each subscriber's figures: what it got and what was dropped for it.
    pub fn stats(&self) -> Vec<SubscriberStats> {
        self.inner
            .lock()
            .iter()
            .map(|s| SubscriberStats {
                id: s.recipient.id(),
                path: s.recipient.path().clone(),
                overflow: s.overflow,
                delivered: s.delivered.load(Ordering::Relaxed),
                dropped: s.dropped.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Messages dropped for full mailboxes, over every subscriber the topic has now.
    pub fn dropped(&self) -> u64 {
        (self.inner.lock().iter())
            .map(|s| s.dropped.load(Ordering::Relaxed))
            .sum()
    }

    /// Sends `msg` (a clone each) to every subscriber. Those with room get it at once; for
    /// full ones the policy decides. Returns when every subscriber that waits
    /// ([`Overflow::Wait`]) has it too, waiting for all of them at once.
    ///
    /// `M::clone` runs once per subscriber, under the topic's lock: keep it cheap (an `Arc`
    /// inside the message for a large payload).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future while it waits drops the message for the subscribers not reached
    /// yet (they were waited on); the others have it.
    pub async fn publish(&self, msg: M) -> Published {
        let mut published = Published::default();
        let mut waiting: Vec<(Recipient<M>, M)> = Vec::new();
        {
            let mut subscribers = self.inner.lock();
            subscribers.retain(|s| {
                match s.recipient.try_tell(msg.clone()) {
                    Ok(()) => {
                        s.delivered.fetch_add(1, Ordering::Relaxed);
                        published.delivered += 1;
                    }
                    Err(TrySendError::Full(copy)) => match s.overflow {
                        Overflow::Wait => waiting.push((s.recipient.clone(), copy)),
                        Overflow::DropNewest => {
                            s.dropped.fetch_add(1, Ordering::Relaxed);
                            published.dropped += 1;
                        }
                        Overflow::Unsubscribe => {
                            published.removed += 1;
                            return false;
                        }
                    },
                    Err(TrySendError::Closed(_)) => {
                        published.removed += 1;
                        return false;
                    }
                }
                true
            });
        }
        if waiting.is_empty() {
            return published;
        }
        let (recipients, copies): (Vec<_>, Vec<_>) = waiting.into_iter().unzip();
        let outcomes = wait_all(&recipients, copies).await;
        let subscribers = self.inner.lock();
        for (recipient, sent) in recipients.iter().zip(outcomes) {
            let subscriber = subscribers
                .iter()
                .find(|s| s.recipient.id() == recipient.id());
            match sent {
                Ok(()) => {
                    published.delivered += 1;
                    if let Some(s) = subscriber {
                        s.delivered.fetch_add(1, Ordering::Relaxed);
                    }
                }
                // The subscriber is the publisher, inside its own handler, with a full
                // mailbox: waiting would never end. Dropped, and counted.
                Err(SendError::WouldDeadlock(_)) => {
                    published.dropped += 1;
                    if let Some(s) = subscriber {
                        s.dropped.fetch_add(1, Ordering::Relaxed);
                    }
                }
                // It made its final exit meanwhile (its exit hook removed it).
                Err(SendError::Closed(_)) => published.removed += 1,
            }
        }
        published
    }
}

/// Sends each copy to its recipient, all at once; the outcome of each.
async fn wait_all<M: Send + 'static>(
    recipients: &[Recipient<M>],
    copies: Vec<M>,
) -> Vec<Result<(), SendError<M>>> {
    let sends = recipients.iter().zip(copies).map(|(r, copy)| r.tell(copy));
    // No deadline: every outcome is there.
    crate::fan_out::join_within(sends, None)
        .await
        .into_iter()
        .flatten()
        .collect()
}
