use std::fmt;
use std::sync::{Arc, Weak};

use crate::cell::Shared;
use crate::mailbox::chan;
use crate::{Actor, ActorId, ActorRef};

/// A handle that does not keep the actor's sender side alive; upgrade it to send.
///
/// Useful to break reference cycles (an actor that keeps a handle to its parent).
pub struct WeakActorRef<A: Actor> {
    tx: chan::WeakSender<A::Msg>,
    shared: Weak<Shared>,
    id: ActorId,
}

impl<A: Actor> WeakActorRef<A> {
    pub(crate) fn new(strong: &ActorRef<A>) -> Self {
        Self {
            tx: strong.tx.downgrade(),
            shared: Arc::downgrade(&strong.shared),
            id: strong.shared.id,
        }
    }

    /// A strong handle, if the actor is still alive and some strong handle still exists.
    pub fn upgrade(&self) -> Option<ActorRef<A>> {
        let shared = self.shared.upgrade()?;
        if shared.exit_reason().is_some() {
            return None;
        }
        Some(ActorRef {
            tx: self.tx.upgrade()?,
            shared,
        })
    }

    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.id
    }
}

impl<A: Actor> Clone for WeakActorRef<A> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
            shared: self.shared.clone(),
            id: self.id,
        }
    }
}

impl<A: Actor> fmt::Debug for WeakActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakActorRef")
            .field("id", &self.id)
            .finish()
    }
}
