//! Supervisors: restart strategies, restart types, intensity and ordered shutdown, after
//! Erlang/OTP's `supervisor`.

pub(crate) mod backoff;
mod child_ref;
mod dynamic;
pub(crate) mod intensity;
pub(crate) mod link;
mod spec;
mod static_sup;
mod strategy;

pub use backoff::Backoff;
pub use child_ref::{ChildCounts, ChildRef, ChildState};
pub use dynamic::{DynamicSupervisor, DynamicSupervisorRef};
pub use intensity::{DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW};
pub(crate) use spec::Placement;
pub use spec::{ChildKind, ChildSpec, DEFAULT_WORKER_SHUTDOWN, Restart, Shutdown};
pub(crate) use static_sup::spawn_root;
pub use static_sup::{Supervisor, SupervisorRef};
pub use strategy::{AutoShutdown, Strategy};
