//! [`ChildRef`]: a supervisor's view of one of its children, with a typed downcast.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::spec::ChildKind;
use super::static_sup::SupervisorRef;
use crate::{Actor, ActorId, ActorPath, ActorRef};

/// One running child of a supervisor, from [`SupervisorRef::children`] or
/// [`SupervisorRef::child`].
///
/// The handle stays valid across the child's restarts (they keep the actor); after a
/// termination the supervisor starts a new actor, with a new id, and old handles stay dead.
#[derive(Clone)]
pub struct ChildRef {
    pub(crate) id: Arc<str>,
    pub(crate) path: ActorPath,
    pub(crate) actor: ActorId,
    pub(crate) kind: ChildKind,
    pub(crate) handle: Arc<dyn Any + Send + Sync>,
}

impl ChildRef {
    /// The child's id in its supervisor's spec.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The child's path.
    pub fn path(&self) -> &ActorPath {
        &self.path
    }

    /// The id of the child's actor.
    pub fn actor_id(&self) -> ActorId {
        self.actor
    }

    /// Worker or supervisor.
    pub fn kind(&self) -> ChildKind {
        self.kind
    }

    /// The child's typed handle, if it is an actor of type `A`.
    pub fn downcast<A: Actor>(&self) -> Option<ActorRef<A>> {
        self.handle.downcast_ref::<ActorRef<A>>().cloned()
    }

    /// The child's handle, if it is a supervisor.
    pub fn supervisor(&self) -> Option<SupervisorRef> {
        self.handle.downcast_ref::<SupervisorRef>().cloned()
    }
}

impl fmt::Debug for ChildRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildRef")
            .field("id", &self.id)
            .field("path", &self.path)
            .field("actor", &self.actor)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}
