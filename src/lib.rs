#![doc = include_str!("../README.md")]

pub use actors_core::*;

/// The names most programs need: `use actors::prelude::*;`.
pub mod prelude {
    pub use actors_core::{
        Actor, ActorError, ActorRef, ActorSystem, AskError, Context, ExitReason, Recipient, Reply,
    };
}
