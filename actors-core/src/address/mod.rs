//! Handles to actors: [`ActorRef`] (typed, strong), [`WeakActorRef`] (typed, does not keep
//! the handle alive) and [`Recipient`] (type-erased over the message a caller sends).
//!
//! Every handle refers to the *actor*, not to an instance: it stays valid across restarts and
//! goes dead only at the actor's final exit, after which every send hands its message back.

mod actor_ref;
mod recipient;
mod weak;

pub use actor_ref::ActorRef;
pub use recipient::Recipient;
pub use weak::WeakActorRef;
