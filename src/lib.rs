#![doc = include_str!("../README.md")]

pub use actors_core::*;

mod macros;
pub use macros::*;

/// The names most programs need: `use actors::prelude::*;`.
pub mod prelude {
    pub use actors_core::{
        Actor, ActorError, ActorRef, ActorSystem, AskError, Context, ExitReason, Recipient, Reply,
    };
    pub use actors_macros::{Message, actor, handler};
}

/// What the macros' generated code names, by absolute path. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use actors_core::{
        Actor, ActorError, ActorRef, AskError, Context, Reply, SendError, SendTimeoutError,
    };
    pub use std::time::Duration;

    /// The end of a handler that returns a `Result`: the asker gets it (an asker that gave up
    /// waiting chose not to see it); when the message was told (no reply at all), an `Err`
    /// fails the instance, since no one else would ever see it.
    ///
    /// # Errors
    ///
    /// The handler's error, when no asker took it.
    pub fn settle<T, E>(
        result: Result<T, E>,
        reply: Option<Reply<Result<T, E>>>,
    ) -> Result<(), ActorError>
    where
        T: Send + 'static,
        E: Into<ActorError> + Send + 'static,
    {
        match reply {
            Some(reply) => {
                let _ = reply.send(result);
                Ok(())
            }
            None => result.map(drop).map_err(Into::into),
        }
    }
}
