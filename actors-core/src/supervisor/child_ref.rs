//! [`ChildRef`]: a supervisor's view of one of its children, with a typed downcast.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::spec::ChildKind;
use super::static_sup::SupervisorRef;
use crate::cell::Shared;
use crate::{Actor, ActorId, ActorPath, ActorRef};

/// A child's state, as [`SupervisorRef::which_children`] saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChildState {
    /// Its instance is running (or starting for the first time).
    Running,
    /// Its instance ended and the supervisor is restarting it (or will, after a failed
    /// attempt): messages wait in its mailbox meanwhile. Not counted as active.
    Restarting,
    /// The spec is kept but there is no actor: terminated with `terminate_child`, or a
    /// Transient child that ended normally. `restart_child` starts a new actor for it.
    Stopped,
}

/// One child of a supervisor as the supervisor last published it: from
/// [`SupervisorRef::which_children`], [`SupervisorRef::children`] or
/// [`SupervisorRef::child`].
///
/// The handle stays valid across the child's restarts (they keep the actor); after a
/// termination the supervisor starts a new actor, with a new id, and old handles stay dead.
#[derive(Clone)]
pub struct ChildRef {
    pub(crate) id: Arc<str>,
    pub(crate) path: ActorPath,
    pub(crate) kind: ChildKind,
    pub(crate) state: ChildState,
    /// The actor and its typed handle; `None` for a stopped child.
    pub(crate) actor: Option<(Arc<Shared>, Arc<dyn Any + Send + Sync>)>,
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

    /// The id of the child's actor; `None` when it is stopped.
    pub fn actor_id(&self) -> Option<ActorId> {
        self.actor.as_ref().map(|(shared, _)| shared.id)
    }

    /// Worker or supervisor.
    pub fn kind(&self) -> ChildKind {
        self.kind
    }

    /// Running, restarting or stopped, when the supervisor published it.
    pub fn state(&self) -> ChildState {
        self.state
    }

    /// The child's typed handle, if it has an actor of type `A`.
    pub fn downcast<A: Actor>(&self) -> Option<ActorRef<A>> {
        let (_, handle) = self.actor.as_ref()?;
        handle.downcast_ref::<ActorRef<A>>().cloned()
    }

    /// The child's handle, if it is a supervisor with an actor.
    pub fn supervisor(&self) -> Option<SupervisorRef> {
        let (_, handle) = self.actor.as_ref()?;
        handle.downcast_ref::<SupervisorRef>().cloned()
    }
}

impl fmt::Debug for ChildRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildRef")
            .field("id", &self.id)
            .field("path", &self.path)
            .field("actor", &self.actor_id())
            .field("kind", &self.kind)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// How many children a supervisor has, from [`SupervisorRef::count_children`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ChildCounts {
    /// Every child spec, whatever its state.
    pub specs: usize,
    /// Children whose instance is running (restarting and stopped ones are not active).
    pub active: usize,
    /// Child specs of kind supervisor.
    pub supervisors: usize,
    /// Child specs of kind worker.
    pub workers: usize,
}
