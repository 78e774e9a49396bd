use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::cell::Shared;
use crate::mailbox::chan;
use crate::mailbox::signal;
use crate::reply::Reply;
use crate::{
    Actor, ActorId, ActorPath, AskError, ExitReason, Recipient, SendError, SendTimeoutError,
    TrySendError, WeakActorRef, scope,
};

/// A typed handle to an actor: send it messages, ask it questions, stop it, wait for it.
///
/// Cloning is cheap (two reference counts). A handle stays valid across restarts of the actor;
/// after its final exit, sends hand their message back and asks fail with
/// [`AskError::Stopped`].
///
/// `tell` and `try_tell` never allocate; an ask allocates its reply slot (one small `Arc`, as
/// a tokio oneshot does). Messages from one sender arrive in the order they were sent.
pub struct ActorRef<A: Actor> {
    pub(crate) tx: chan::Sender<A::Msg>,
    pub(crate) shared: Arc<Shared>,
}

impl<A: Actor> ActorRef<A> {
    /// Sends a message, waiting for room in the mailbox (backpressure).
    ///
    /// When there is room the message goes in at once; like an awaiting tokio send, `tell`
    /// still takes part in tokio's cooperative budget, so a producer that never finds the
    /// mailbox full yields its worker now and then.
    ///
    /// # Errors
    ///
    /// [`SendError::Closed`] when the actor made its final exit or is draining;
    /// [`SendError::WouldDeadlock`] when an actor tells itself while its own mailbox is full.
    /// Both hand the message back.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in the sense of tokio's `Sender::send`: if the future is dropped before it
    /// completes, the message was not sent (and is dropped with the future).
    ///
    /// # Examples
    ///
    /// ```
    /// # use actors_core::{Actor, ActorError, ActorSystem, Context};
    /// # struct Log(Vec<u32>);
    /// # impl Actor for Log {
    /// #     type Msg = u32;
    /// #     async fn handle(&mut self, n: u32, _: &mut Context<Self>) -> Result<(), ActorError> {
    /// #         self.0.push(n);
    /// #         Ok(())
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let system = ActorSystem::new("app")?;
    /// let log = system.spawn(Log(Vec::new()))?;
    /// log.tell(1).await?;
    /// log.stop();
    /// // Once the actor is gone, the message comes back.
    /// log.wait().await;
    /// assert_eq!(log.tell(2).await.unwrap_err().into_inner(), 2);
    /// # system.shutdown().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn tell(&self, msg: A::Msg) -> Result<(), SendError<A::Msg>> {
        // Take part in tokio's cooperative budget as an awaiting send does, so a producer that
        // always finds room still yields its worker now and then.
        tokio::task::consume_budget().await;
        match self.tx.try_send(msg) {
            Ok(()) => Ok(()),
            Err(TrySendError::Closed(m)) => Err(SendError::Closed(m)),
            Err(TrySendError::Full(m)) => self.tell_when_room(m).await,
        }
    }

    /// The slow path of `tell`: wait for room, unless that would be waiting on oneself.
    ///
    /// `tell` has already spent its unit of tokio's budget: the wait spends none (a second
    /// unit per blocked message ran a producer and its actor out of budget in the middle of
    /// their ping-pong, which made tokio wake the other worker thousands of times a second).
    async fn tell_when_room(&self, msg: A::Msg) -> Result<(), SendError<A::Msg>> {
        if scope::is_current(self.shared.id) {
            return Err(SendError::WouldDeadlock(msg));
        }
        tokio::task::unconstrained(self.tx.send(msg)).await
    }

    /// Sends a message if the mailbox has room right now; never waits.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] or [`TrySendError::Closed`], handing the message back.
    ///
    /// # Examples
    ///
    /// ```
    /// # use actors_core::TrySendError;
    /// # use actors_core::{Actor, ActorError, ActorSystem, Context};
    /// # struct Log(Vec<u32>);
    /// # impl Actor for Log {
    /// #     type Msg = u32;
    /// #     async fn handle(&mut self, n: u32, _: &mut Context<Self>) -> Result<(), ActorError> {
    /// #         self.0.push(n);
    /// #         Ok(())
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let system = ActorSystem::new("app")?;
    /// let log = system.spawn_builder(Log(Vec::new())).mailbox(1).spawn()?;
    /// log.try_tell(1)?; // the actor has not run yet: this fills its one slot
    /// match log.try_tell(2) {
    ///     Err(TrySendError::Full(n)) => assert_eq!(n, 2),
    ///     other => panic!("expected Full, got {other:?}"),
    /// }
    /// # system.shutdown().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_tell(&self, msg: A::Msg) -> Result<(), TrySendError<A::Msg>> {
        self.tx.try_send(msg)
    }

    /// Sends a message, waiting at most `timeout` for room in the mailbox.
    ///
    /// # Errors
    ///
    /// [`SendTimeoutError::Timeout`] when the mailbox stayed full, or the errors of
    /// [`tell`](Self::tell); each hands the message back.
    ///
    /// # Cancel safety
    ///
    /// As [`tell`](Self::tell).
    pub async fn tell_timeout(
        &self,
        msg: A::Msg,
        timeout: Duration,
    ) -> Result<(), SendTimeoutError<A::Msg>> {
        if scope::is_current(self.shared.id) {
            return self.tell(msg).await.map_err(SendTimeoutError::from);
        }
        // A deadline too far to represent: no deadline at all.
        self.tx
            .send_until(msg, Instant::now().checked_add(timeout))
            .await
    }

    /// Asks a question and waits for the answer, under the system's default ask timeout
    /// (5 seconds unless configured otherwise).
    ///
    /// `make` builds the message around the [`Reply`] the handler answers through.
    ///
    /// # Errors
    ///
    /// See [`ask_timeout`](Self::ask_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// # use actors_core::{Actor, ActorError, ActorSystem, Context, Reply};
    /// # enum Msg { Double { n: u32, reply: Reply<u32> } }
    /// # struct Doubler;
    /// # impl Actor for Doubler {
    /// #     type Msg = Msg;
    /// #     async fn handle(&mut self, msg: Msg, _: &mut Context<Self>) -> Result<(), ActorError> {
    /// #         let Msg::Double { n, reply } = msg;
    /// #         let _ = reply.send(n * 2);
    /// #         Ok(())
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let system = ActorSystem::new("app")?;
    /// let doubler = system.spawn(Doubler)?;
    /// let four = doubler.ask(|reply| Msg::Double { n: 2, reply }).await?;
    /// assert_eq!(four, 4);
    /// # system.shutdown().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn ask<T, F>(&self, make: F) -> Result<T, AskError>
    where
        T: Send + 'static,
        F: FnOnce(Reply<T>) -> A::Msg,
    {
        self.ask_timeout(make, self.shared.ask_timeout()).await
    }

    /// Asks a question with one deadline, `timeout`, covering both the wait for room in the
    /// mailbox and the wait for the answer, so an ask always ends.
    ///
    /// The deadline's clock starts when the ask first has to wait: at once if the mailbox is
    /// full, otherwise after the actor had one turn to answer (this task yields once). An ask
    /// answered within that turn, the common case for an actor on the same worker, neither
    /// reads the clock nor arms a timer. The price: on a busy runtime the deadline can fall
    /// later than `timeout` after the call by that one scheduling turn.
    ///
    /// # Errors
    ///
    /// - [`AskError::Timeout`]: no answer in time;
    /// - [`AskError::Stopped`]: the actor was not alive, or made its final exit first;
    /// - [`AskError::Failed`]: the handler failed while handling this message;
    /// - [`AskError::Killed`]: the actor was killed while handling it;
    /// - [`AskError::NoReply`]: the handler dropped the reply without answering;
    /// - [`AskError::SelfAsk`]: an actor asked itself from its own handler.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future withdraws the question: a handler that checks
    /// [`Reply::is_closed`] sees it, and a late answer is discarded.
    pub async fn ask_timeout<T, F>(&self, make: F, timeout: Duration) -> Result<T, AskError>
    where
        T: Send + 'static,
        F: FnOnce(Reply<T>) -> A::Msg,
    {
        if scope::is_current(self.shared.id) {
            return Err(AskError::SelfAsk);
        }
        let (reply, mut answer) = Reply::pair();
        let msg = make(reply);
        // The deadline's clock starts when the ask first has to wait. Reading the clock and
        // arming a timer cost more than a round trip to an actor on the same worker, so an ask
        // whose message fits and whose answer comes within the actor's first turn does neither.
        let deadline = match self.tx.try_send(msg) {
            Ok(()) => {
                if let Some(answered) = answer.ready_after_yield(self.shared.current_thread).await {
                    return answered;
                }
                Instant::now().checked_add(timeout)
            }
            Err(TrySendError::Closed(_)) => return Err(AskError::Stopped),
            Err(TrySendError::Full(msg)) => {
                // A deadline too far to represent: no timer at all.
                let deadline = Instant::now().checked_add(timeout);
                match self.tx.send_until(msg, deadline).await {
                    Ok(()) => {}
                    Err(SendTimeoutError::Timeout(_)) => return Err(AskError::Timeout(timeout)),
                    Err(_closed) => return Err(AskError::Stopped),
                }
                deadline
            }
        };
        match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, answer)
                .await
                .unwrap_or(Err(AskError::Timeout(timeout))),
            None => answer.await,
        }
    }

    /// Asks the actor to stop gracefully: it finishes the current message, runs `stopped`, and
    /// exits with [`ExitReason::Normal`]. Travels on the control lane, so a full mailbox does
    /// not delay it. Does nothing if the actor already stopped.
    ///
    /// For an actor spawned on the system, this is its final exit and the messages still queued
    /// are reported as undelivered (queued asks fail with [`AskError::Stopped`]).
    pub fn stop(&self) {
        self.shared.control.raise(signal::STOP);
    }

    /// Kills the actor: the running handler's future is dropped at its next `.await` and
    /// `stopped` does not run; the exit is [`ExitReason::Killed`]. An ask being handled fails
    /// with [`AskError::Killed`].
    ///
    /// A handler that never reaches an `.await` (CPU-bound) cannot be interrupted this way; it
    /// is killed when it returns. Work handed to `spawn_blocking` is only cancelled
    /// cooperatively.
    ///
    /// # Examples
    ///
    /// ```
    /// # use actors_core::ExitReason;
    /// # use actors_core::{Actor, ActorError, ActorSystem, Context};
    /// # struct Log(Vec<u32>);
    /// # impl Actor for Log {
    /// #     type Msg = u32;
    /// #     async fn handle(&mut self, n: u32, _: &mut Context<Self>) -> Result<(), ActorError> {
    /// #         self.0.push(n);
    /// #         Ok(())
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let system = ActorSystem::new("app")?;
    /// let log = system.spawn(Log(Vec::new()))?;
    /// log.kill();
    /// assert_eq!(log.wait().await, ExitReason::Killed);
    /// assert!(!log.is_alive());
    /// # system.shutdown().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn kill(&self) {
        self.shared.control.raise(signal::KILL);
    }

    /// Drains the actor: from now on sends are refused (senders get their message back,
    /// including those waiting for room), the queued messages are handled, then the actor
    /// stops with [`ExitReason::Normal`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use actors_core::ExitReason;
    /// # use actors_core::{Actor, ActorError, ActorSystem, Context};
    /// # struct Log(Vec<u32>);
    /// # impl Actor for Log {
    /// #     type Msg = u32;
    /// #     async fn handle(&mut self, n: u32, _: &mut Context<Self>) -> Result<(), ActorError> {
    /// #         self.0.push(n);
    /// #         Ok(())
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let system = ActorSystem::new("app")?;
    /// let log = system.spawn(Log(Vec::new()))?;
    /// log.tell(1).await?;
    /// log.tell(2).await?;
    /// log.drain(); // both queued messages are still handled
    /// assert_eq!(log.wait().await, ExitReason::Normal);
    /// # system.shutdown().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn drain(&self) {
        self.shared.control.raise(signal::DRAIN);
    }

    /// Waits for the actor's final exit and returns its reason. Returns at once if it already
    /// exited. Restarts are not exits.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn wait(&self) -> ExitReason {
        self.shared.wait().await
    }

    /// True until the actor's final exit.
    pub fn is_alive(&self) -> bool {
        self.shared.exit_reason().is_none()
    }

    /// The exit reason, once the actor has made its final exit.
    pub fn exit_reason(&self) -> Option<ExitReason> {
        self.shared.exit_reason().cloned()
    }

    /// The actor's path.
    pub fn path(&self) -> &ActorPath {
        self.shared.path()
    }

    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.shared.id
    }

    /// The generation of the current (or last) instance: 1 for the first, incremented by each
    /// restart.
    pub fn generation(&self) -> u64 {
        self.shared.generation()
    }

    /// The mailbox's capacity.
    pub fn capacity(&self) -> usize {
        self.tx.max_capacity()
    }

    /// The number of messages waiting in the mailbox right now.
    pub fn mailbox_len(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// A handle that does not keep this one's sender alive.
    pub fn downgrade(&self) -> WeakActorRef<A> {
        WeakActorRef::new(self)
    }

    /// A type-erased handle that accepts any `M` this actor's messages convert from.
    ///
    /// # Examples
    ///
    /// ```
    /// # use actors_core::Recipient;
    /// # use actors_core::{Actor, ActorError, ActorSystem, Context};
    /// # struct Log(Vec<u32>);
    /// # impl Actor for Log {
    /// #     type Msg = u32;
    /// #     async fn handle(&mut self, n: u32, _: &mut Context<Self>) -> Result<(), ActorError> {
    /// #         self.0.push(n);
    /// #         Ok(())
    /// #     }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let system = ActorSystem::new("app")?;
    /// let log = system.spawn(Log(Vec::new()))?;
    /// // Any actor whose messages convert from `u32` can stand behind this handle.
    /// let sink: Recipient<u32> = log.recipient();
    /// sink.tell(7).await?;
    /// # system.shutdown().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn recipient<M>(&self) -> Recipient<M>
    where
        M: Send + 'static,
        A::Msg: From<M>,
    {
        Recipient::new(self.clone())
    }
}

impl<A: Actor> Clone for ActorRef<A> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<A: Actor> fmt::Debug for ActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorRef")
            .field("id", &self.shared.id)
            .field("path", self.shared.path())
            .field("alive", &self.is_alive())
            .finish()
    }
}

impl<A: Actor> PartialEq for ActorRef<A> {
    fn eq(&self, other: &Self) -> bool {
        self.shared.id == other.shared.id
    }
}

impl<A: Actor> Eq for ActorRef<A> {}

impl<A: Actor> Hash for ActorRef<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.shared.id.hash(state);
    }
}
