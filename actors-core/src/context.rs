//! [`Context<A>`]: what a running instance knows about itself.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Poll;

use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::link::{self, AnyActorRef, MonitorRef};
use crate::scope;
use crate::{Actor, ActorId, ActorPath, ActorRef, ActorSystem, EventKind};

/// The context handed to every hook of an instance: its own handle, identity, generation,
/// cancellation token and system.
///
/// One context lives exactly as long as one instance; a restart builds a new one.
pub struct Context<A: Actor> {
    myself: ActorRef<A>,
    system: ActorSystem,
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(myself: ActorRef<A>, system: ActorSystem) -> Self {
        Self { myself, system }
    }

    /// A handle to this actor, to give to others or to tell oneself.
    ///
    /// Telling oneself while one's own mailbox is full returns
    /// [`SendError::WouldDeadlock`](crate::SendError::WouldDeadlock) instead of waiting, and
    /// asking oneself returns [`AskError::SelfAsk`](crate::AskError::SelfAsk).
    pub fn actor_ref(&self) -> &ActorRef<A> {
        &self.myself
    }

    /// This actor's id.
    pub fn id(&self) -> ActorId {
        self.myself.id()
    }

    /// This actor's path.
    pub fn path(&self) -> &ActorPath {
        self.myself.path()
    }

    /// This instance's generation: 1 for the first, incremented by each restart.
    pub fn generation(&self) -> u64 {
        // Read back from the actor (it changes only between instances): a copy here would
        // add a word to every idle actor's task.
        self.myself.shared.generation()
    }

    /// The system this actor belongs to.
    pub fn system(&self) -> &ActorSystem {
        &self.system
    }

    /// Runs `f` on tokio's blocking pool, so that CPU-heavy or blocking work never holds the
    /// runtime's worker thread; the returned future resolves to its result. The handler may
    /// `.await` it (the actor then waits, still answering signals) or keep other work going.
    /// The task is tracked by the system, so a shutdown waits for it.
    ///
    /// A panic in `f` comes back as an error (so `?` fails the instance with it). Cancellation
    /// is cooperative: a running closure cannot be interrupted; give it a token
    /// ([`token`](Self::token)) and check it in its loop if it must stop early.
    ///
    /// # Examples
    ///
    /// ```
    /// use actors_core::{Actor, ActorError, Context, Reply};
    ///
    /// struct Hasher;
    ///
    /// impl Actor for Hasher {
    ///     type Msg = (Vec<u8>, Reply<u64>);
    ///
    ///     async fn handle(&mut self, (data, reply): Self::Msg, ctx: &mut Context<Self>) -> Result<(), ActorError> {
    ///         let sum = ctx.spawn_blocking(move || data.iter().map(|&b| u64::from(b)).sum()).await?;
    ///         let _ = reply.send(sum);
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub fn spawn_blocking<R, F>(
        &self,
        f: F,
    ) -> impl std::future::Future<Output = Result<R, crate::ActorError>> + Send + 'static
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let handle = self.system.spawn_blocking_task(f);
        async move { handle.await.map_err(blocking_error) }
    }

    /// Runs `f` on tokio's blocking pool and tells this actor the message `into` makes of its
    /// result, so the handler returns at once and the actor handles other messages meanwhile.
    /// The message goes through the mailbox like any other (it waits for room). If the actor
    /// has made its final exit by then (or is draining), the message is dropped as the final
    /// exit drops what is left in a mailbox: a tell is counted in an
    /// [`Undelivered`](crate::EventKind::Undelivered) event, a [`Reply`](crate::Reply) inside
    /// it is answered [`AskError::Stopped`](crate::AskError::Stopped), and a panic in its `Drop` is contained.
    ///
    /// A panic in `f` reaches `into` as an error. A panic in `into` itself leaves no message
    /// to send: it is reported as a `tracing` error. Cancellation is cooperative, as for
    /// [`spawn_blocking`](Self::spawn_blocking).
    pub fn spawn_blocking_to_self<R, F, M>(&self, f: F, into: M)
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
        M: FnOnce(Result<R, crate::ActorError>) -> A::Msg + Send + 'static,
    {
        let handle = self.system.spawn_blocking_task(f);
        let myself = self.myself.clone();
        let system = self.system.clone();
        self.system.spawn_task(
            async move {
                let result = handle.await.map_err(blocking_error);
                match catch_unwind(AssertUnwindSafe(|| into(result))) {
                    Ok(msg) => {
                        // Only `Closed` can come back: this task never runs in the actor's
                        // scope, so its tell is never taken for a self-tell.
                        if let Err(refused) = myself.tell(msg).await {
                            undeliverable(&system, &myself, refused.into_inner());
                        }
                    }
                    Err(payload) => {
                        let message = crate::exit::panic_message(&*payload);
                        crate::scope::drop_contained(payload);
                        tracing::error!(
                            path = %myself.path(),
                            panic = %message,
                            "the conversion given to spawn_blocking_to_self panicked: no message"
                        );
                    }
                }
            },
            None,
        );
    }

    /// Forwards the items of `stream` into this actor's own mailbox, each converted with
    /// `From`, in order, from a task of their own: backpressured by the mailbox (the task waits
    /// for room), and ended with this instance (its token is cancelled), so an actor can own a
    /// socket or a subscription. With `end`, that message follows the last item when the
    /// stream ends by itself (not when the instance ends first).
    ///
    /// A restarted instance adds its streams again in its `started`; the mailbox, and the
    /// items already in it, survive the restart. A panic in the stream (or in the conversion)
    /// ends the forwarding and is reported as a `tracing` error; the actor goes on.
    ///
    /// # Examples
    ///
    /// ```
    /// use actors_core::{Actor, ActorError, Context};
    ///
    /// enum LineMsg {
    ///     Line(String),
    ///     Closed,
    /// }
    ///
    /// impl From<String> for LineMsg {
    ///     fn from(line: String) -> Self {
    ///         LineMsg::Line(line)
    ///     }
    /// }
    ///
    /// struct Reader<S>(Option<S>);
    ///
    /// impl<S> Actor for Reader<S>
    /// where
    ///     S: futures_core::Stream<Item = String> + Send + 'static,
    /// {
    ///     type Msg = LineMsg;
    ///
    ///     async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
    ///         if let Some(lines) = self.0.take() {
    ///             ctx.add_stream(lines, Some(LineMsg::Closed));
    ///         }
    ///         Ok(())
    ///     }
    ///
    ///     async fn handle(&mut self, msg: LineMsg, ctx: &mut Context<Self>) -> Result<(), ActorError> {
    ///         match msg {
    ///             LineMsg::Line(line) => println!("{line}"),
    ///             LineMsg::Closed => ctx.stop(),
    ///         }
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub fn add_stream<S>(&self, stream: S, end: Option<A::Msg>)
    where
        S: futures_core::Stream + Send + 'static,
        S::Item: Send,
        A::Msg: From<S::Item>,
    {
        let instance = self.token();
        let myself = self.myself.clone();
        self.system.spawn_task(
            async move {
                let mut stream = std::pin::pin!(stream);
                // One registration with the token for the whole forwarding, not one per item
                // (a token's waiter list takes a lock).
                let mut ended = std::pin::pin!(instance.cancelled_owned());
                loop {
                    // The stream's code and the conversion are the user's: a panic ends the
                    // forwarding, reported, and never reaches the runtime.
                    let next = std::future::poll_fn(|cx| {
                        match catch_unwind(AssertUnwindSafe(|| stream.as_mut().poll_next(cx))) {
                            Ok(Poll::Ready(Some(item))) => Poll::Ready(
                                catch_unwind(AssertUnwindSafe(|| A::Msg::from(item))).map(Some),
                            ),
                            Ok(Poll::Ready(None)) => Poll::Ready(Ok(None)),
                            Ok(Poll::Pending) => Poll::Pending,
                            Err(payload) => Poll::Ready(Err(payload)),
                        }
                    });
                    let msg = tokio::select! {
                        biased;
                        () = &mut ended => return,
                        item = next => item,
                    };
                    let msg = match msg {
                        Ok(Some(msg)) => msg,
                        Ok(None) => {
                            if let Some(end) = end {
                                // Not for a next instance: the end belongs to this one.
                                tokio::select! {
                                    biased;
                                    () = &mut ended => {}
                                    _ = myself.tell(end) => {}
                                }
                            }
                            return;
                        }
                        Err(payload) => {
                            let message = crate::exit::panic_message(&*payload);
                            crate::scope::drop_contained(payload);
                            tracing::error!(
                                path = %myself.path(),
                                panic = %message,
                                "a stream added with add_stream panicked: its forwarding ended"
                            );
                            return;
                        }
                    };
                    tokio::select! {
                        biased;
                        () = &mut ended => return,
                        sent = myself.tell(msg) => if sent.is_err() { return },
                    }
                }
            },
            None,
        );
    }

    /// Stops this actor gracefully once the current hook returns (as [`ActorRef::stop`]).
    pub fn stop(&self) {
        self.myself.stop();
    }

    /// Monitors `other`: when it makes its final exit, [`Actor::on_down`] runs once with its
    /// id and exit reason; at once if it is already dead. Restarts of either side are
    /// invisible: the monitor belongs to the actors.
    pub fn monitor(&mut self, other: impl Into<AnyActorRef>) -> MonitorRef {
        link::monitor(&self.myself.shared, &other.into().shared)
    }

    /// Cancels a monitor; a `Down` for it not yet handled is dropped too.
    pub fn demonitor(&mut self, monitor: MonitorRef) {
        link::demonitor(&self.myself.shared, monitor);
    }

    /// Links this actor with `other` (idempotent: linking again from `started` after a
    /// restart changes nothing). When either makes an abnormal final exit (failure, kill),
    /// the other fails too, unless it traps exits; normal exits do not propagate. A failure
    /// caused by a link is abnormal: a Transient child restarts, and it counts against its
    /// supervisor's intensity. It takes effect between messages.
    pub fn link(&mut self, other: impl Into<AnyActorRef>) {
        link::link(&self.myself.shared, &other.into().shared);
    }

    /// Removes the link with `other`, if any.
    pub fn unlink(&mut self, other: impl Into<AnyActorRef>) {
        link::unlink(&self.myself.shared, &other.into().shared);
    }

    /// With `true`, a linked actor's abnormal exit runs [`Actor::on_exit`] instead of failing
    /// this actor. The setting belongs to the actor (it survives restarts).
    pub fn trap_exit(&mut self, trap: bool) {
        self.myself.shared.relations(|r, _| r.trap_exit = trap);
    }

    /// A cancellation token that is cancelled when this instance ends or is shut down from
    /// above (the system or a supervisor shutting down its subtree).
    ///
    /// It is a *child* of the instance's own token, so cancelling it does not stop the actor;
    /// tie background work to it so that the work ends with the instance. The instance token is
    /// created on first use, so actors that never ask for one pay nothing for it.
    pub fn token(&self) -> CancellationToken {
        self.myself
            .shared
            .control
            .instance_token(&self.myself.shared.family.token)
            .child_token()
    }

    /// Completes when this instance is being shut down from above (or ends). A handler that
    /// waits on something long can race this to exit promptly on shutdown.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use actors_core::{Actor, ActorError, ActorSystem, Context};
    ///
    /// struct Poller;
    ///
    /// impl Actor for Poller {
    ///     type Msg = ();
    ///
    ///     async fn handle(&mut self, _: (), ctx: &mut Context<Self>) -> Result<(), ActorError> {
    ///         tokio::select! {
    ///             _ = tokio::time::sleep(Duration::from_secs(3600)) => { /* the long wait */ }
    ///             _ = ctx.cancelled() => { /* shutting down: give up now */ }
    ///         }
    ///         Ok(())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let system = ActorSystem::new("app")?;
    /// let poller = system.spawn(Poller)?;
    /// poller.tell(()).await?;
    /// tokio::task::yield_now().await; // let it start waiting
    /// system.shutdown().await?; // returns at once, not after an hour
    /// # Ok(())
    /// # }
    /// ```
    pub fn cancelled(&self) -> WaitForCancellationFutureOwned {
        self.token().cancelled_owned()
    }
}

impl<A: Actor> fmt::Debug for Context<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("id", &self.id())
            .field("path", self.path())
            .field("generation", &self.generation())
            .finish()
    }
}

/// A message told to `actor` from a task of the library that the actor will never take (it
/// made its final exit, or its mailbox is closed): dropped as the final exit drops its queue;
/// a tell (no reply inside) is reported as an `Undelivered` event.
fn undeliverable<A: Actor>(system: &ActorSystem, actor: &ActorRef<A>, msg: A::Msg) {
    let shared = &actor.shared;
    if scope::drop_undelivered(shared.id, msg) {
        system
            .collector()
            .emit(EventKind::Undelivered(1), shared, shared.generation());
    }
}

/// A blocking task that did not return: its panic, as an error.
fn blocking_error(err: tokio::task::JoinError) -> crate::ActorError {
    match err.try_into_panic() {
        Ok(payload) => {
            let message = crate::exit::panic_message(&*payload);
            crate::scope::drop_contained(payload);
            crate::ActorError::msg(format!("the blocking task panicked: {message}"))
        }
        Err(_) => crate::ActorError::msg("the blocking task was cancelled"),
    }
}
