//! The runtime of `actors`: actors as Tokio tasks with bounded mailboxes, typed handles,
//! contained failures and one event collector per system.
//!
//! Most users depend on the `actors` facade crate, which re-exports everything here. See its
//! documentation and the repository's `ARCHITECTURE.md` for the design.

mod actor;
mod address;
mod cell;
mod context;
mod error;
mod events;
mod exit;
mod fan_out;
mod link;
mod mailbox;
mod pool;
mod registry;
mod reply;
mod scope;
mod supervisor;
mod system;
#[cfg(feature = "testkit")]
pub mod testkit;
mod topic;
mod tree;

pub use actor::Actor;
pub use address::{ActorRef, Recipient, WeakActorRef};
pub use context::Context;
pub use error::{
    ActorError, AdminError, AskError, RegistryError, SendError, SendTimeoutError, ShutdownError,
    SpawnError, SpecError, StartError, SystemError, TrySendError,
};
pub use events::{ActorId, ActorPath, Event, EventKind, Events, EventsError, Sink, TracingSink};
pub use exit::{ExitReason, FailedIn, FailureInfo, ShutdownCause};
pub use fan_out::fan_out;
pub use link::{AnyActorRef, Down, LinkExit, MonitorRef};
pub use mailbox::{DEFAULT_MAILBOX_CAPACITY, MAX_MAILBOX_CAPACITY};
pub use pool::{MAX_POOL_SIZE, Pool, PoolBuilder, PoolError, Routing};
pub use registry::Registry;
pub use reply::Reply;
pub use supervisor::{
    AutoShutdown, Backoff, ChildCounts, ChildKind, ChildRef, ChildSpec, ChildState,
    DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW, DEFAULT_WORKER_SHUTDOWN, DynamicSupervisor,
    DynamicSupervisorRef, Restart, Shutdown, Strategy, Supervisor, SupervisorRef,
};
pub use system::{
    ActorSystem, DEFAULT_ASK_TIMEOUT, DEFAULT_EVENT_CAPACITY, DEFAULT_FAILURE_JOURNAL,
    DEFAULT_SHUTDOWN_TIMEOUT, MAX_EVENT_CAPACITY, SpawnBuilder, SystemBuilder,
};
pub use topic::{Overflow, Published, SubscriberStats, Topic};
pub use tree::{DEFAULT_TREE_WAIT, MailboxStats, NodeKind, NodeState, Tree, TreeNode};
