//! [`Context<A>`]: what a running instance knows about itself.

use std::fmt;

use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::{Actor, ActorId, ActorPath, ActorRef, ActorSystem};

/// The context handed to every hook of an instance: its own handle, identity, generation,
/// cancellation token and system.
///
/// One context lives exactly as long as one instance; a restart builds a new one.
pub struct Context<A: Actor> {
    myself: ActorRef<A>,
    generation: u64,
    system: ActorSystem,
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(myself: ActorRef<A>, generation: u64, system: ActorSystem) -> Self {
        Self {
            myself,
            generation,
            system,
        }
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
        self.generation
    }

    /// The system this actor belongs to.
    pub fn system(&self) -> &ActorSystem {
        &self.system
    }

    /// Stops this actor gracefully once the current hook returns (as [`ActorRef::stop`]).
    pub fn stop(&self) {
        self.myself.stop();
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
            .instance_token(&self.myself.shared.parent_token)
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
            .field("generation", &self.generation)
            .finish()
    }
}
