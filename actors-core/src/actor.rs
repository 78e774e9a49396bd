//! The [`Actor`] trait: an actor's message type and its lifecycle hooks.

use std::future::Future;

use crate::{ActorError, Context, Down, ExitReason, LinkExit};

/// An actor: state plus the code that handles its messages, one at a time.
///
/// An *actor* is an identity (an id, a path, one bounded mailbox); an *instance* is one value of
/// the type implementing this trait. [`started`](Actor::started) runs before the instance's first
/// message, [`handle`](Actor::handle) runs for each message in mailbox order, and
/// [`stopped`](Actor::stopped) runs once when the instance ends after an error, a contained
/// panic or a graceful stop (not after `kill()`, and not if `started` failed).
///
/// Hooks are `async` and may be written as `async fn`; their futures must be `Send`. A hook that
/// returns `Err` or panics fails the instance: the panic is contained and reported as a
/// [`FailureInfo`](crate::FailureInfo).
///
/// # Examples
///
/// ```
/// use actors_core::{Actor, ActorError, ActorSystem, Context, Reply};
///
/// enum GreeterMsg {
///     Greet { name: String, reply: Reply<String> },
/// }
///
/// struct Greeter;
///
/// impl Actor for Greeter {
///     type Msg = GreeterMsg;
///
///     async fn handle(&mut self, msg: GreeterMsg, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
///         match msg {
///             GreeterMsg::Greet { name, reply } => {
///                 let _ = reply.send(format!("hello, {name}"));
///             }
///         }
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::new("app")?;
/// let greeter = system.spawn(Greeter)?;
/// let answer = greeter
///     .ask(|reply| GreeterMsg::Greet { name: "ada".into(), reply })
///     .await?;
/// assert_eq!(answer, "hello, ada");
/// system.shutdown().await?;
/// # Ok(())
/// # }
/// ```
pub trait Actor: Sized + Send + 'static {
    /// The messages this actor handles: usually one enum per actor. Keep it small (box large
    /// payloads inside their variant): every mailbox slot is one `Msg`.
    type Msg: Send + 'static;

    /// The mailbox capacity this actor gets unless its spawn (or child spec) sets one:
    /// [`DEFAULT_MAILBOX_CAPACITY`](crate::DEFAULT_MAILBOX_CAPACITY) unless overridden
    /// (`#[actor(mailbox = N)]` sets it). Zero is rejected at spawn with
    /// [`SpawnError::ZeroCapacity`](crate::SpawnError::ZeroCapacity).
    const MAILBOX_CAPACITY: usize = crate::DEFAULT_MAILBOX_CAPACITY;

    /// Runs when an instance starts, before its first message. An error fails the instance
    /// (and `stopped` does not run, since it never started).
    fn started(
        &mut self,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), ActorError>> + Send {
        let _ = ctx;
        async { Ok(()) }
    }

    /// Handles one message. An error fails the instance; an ask whose reply is dropped by the
    /// failure is answered with [`AskError::Failed`](crate::AskError::Failed).
    fn handle(
        &mut self,
        msg: Self::Msg,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), ActorError>> + Send;

    /// Runs when an actor this one monitors (`Context::monitor`) made its final exit, once
    /// per monitor, between messages. An error fails the instance.
    fn on_down(
        &mut self,
        down: Down,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), ActorError>> + Send {
        let _ = (down, ctx);
        async { Ok(()) }
    }

    /// Runs when a linked actor made an abnormal final exit while this actor traps exits
    /// (`Context::trap_exit`), between messages. Without trapping, the link fails this actor
    /// instead. An error fails the instance.
    fn on_exit(
        &mut self,
        exit: LinkExit,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), ActorError>> + Send {
        let _ = (exit, ctx);
        async { Ok(()) }
    }

    /// Runs once when an instance ends, with the reason, unless it was killed or never started.
    /// An error here is reported as a failure of the instance.
    fn stopped(
        &mut self,
        reason: &ExitReason,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = Result<(), ActorError>> + Send {
        let _ = (reason, ctx);
        async { Ok(()) }
    }
}
