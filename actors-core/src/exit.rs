//! Why an actor or an instance ended: [`ExitReason`], [`ShutdownCause`] and the type-erased
//! failure report [`FailureInfo`].

use std::any::Any;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::ActorError;
use crate::events::{ActorId, ActorPath};

/// Why an actor (its final exit) or one of its instances ended.
///
/// `Normal` and `Shutdown` are normal exits; `Failed` and `Killed` are abnormal (see
/// [`ExitReason::is_abnormal`]): that is the distinction restart types and links use.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ExitReason {
    /// A graceful stop: `stop()`, `ctx.stop()`, or a finished `drain()`.
    Normal,
    /// Stopped from above: the system or a supervisor shut it down, or its token was cancelled.
    Shutdown(ShutdownCause),
    /// A hook returned an error or panicked.
    Failed(FailureInfo),
    /// `kill()`: the running future was dropped and `stopped` did not run.
    Killed,
}

impl ExitReason {
    /// True for `Failed` and `Killed`: the exits that restart Transient children and
    /// propagate through links.
    pub fn is_abnormal(&self) -> bool {
        matches!(self, Self::Failed(_) | Self::Killed)
    }

    /// The failure report, if the exit was a failure.
    pub fn failure(&self) -> Option<&FailureInfo> {
        match self {
            Self::Failed(info) => Some(info),
            _ => None,
        }
    }
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Normal => f.write_str("normal"),
            Self::Shutdown(cause) => write!(f, "shutdown ({cause})"),
            Self::Failed(info) => write!(f, "failed: {info}"),
            Self::Killed => f.write_str("killed"),
        }
    }
}

/// What shut an actor down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShutdownCause {
    /// `ActorSystem::shutdown` (or `shutdown_timeout`).
    System,
    /// The actor's parent cancelled its subtree (the emergency path, or a deadline).
    Cancelled,
    /// Its supervisor stopped it: a restart of its siblings, `terminate_child`, or the
    /// supervisor's own stop.
    Supervisor,
    /// A supervisor's restart intensity was exceeded: it stopped its children and exited
    /// with this reason (escalating to its own parent).
    IntensityExceeded,
    /// A supervisor shut itself down because its significant children ended (see
    /// `AutoShutdown`).
    AutoShutdown,
}

impl fmt::Display for ShutdownCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::System => "system shutdown",
            Self::Cancelled => "cancelled",
            Self::Supervisor => "stopped by its supervisor",
            Self::IntensityExceeded => "restart intensity exceeded",
            Self::AutoShutdown => "auto-shutdown after its significant children ended",
        })
    }
}

/// Where an instance failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailedIn {
    /// In `Actor::started`.
    Started,
    /// In `Actor::handle`.
    Handle,
    /// In `Actor::stopped`.
    Stopped,
    /// While dropping the instance (a panic in `Drop`).
    Drop,
    /// In `Actor::on_down`.
    OnDown,
    /// In `Actor::on_exit`.
    OnExit,
    /// Not in a hook: a linked actor's abnormal exit failed this one.
    Link,
}

impl fmt::Display for FailedIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Started => "started",
            Self::Handle => "handle",
            Self::Stopped => "stopped",
            Self::Drop => "drop",
            Self::OnDown => "on_down",
            Self::OnExit => "on_exit",
            Self::Link => "a link",
        })
    }
}

/// The report of one failed instance: what failed, where, and whether it was a panic.
///
/// This is the one type-erased error of the library: it crosses actor types (supervisors,
/// the event collector, askers), so the original error is flattened into its message and
/// `source()` chain. Cloning is cheap (one reference count).
#[derive(Clone)]
pub struct FailureInfo {
    inner: Arc<FailureInner>,
}

struct FailureInner {
    message: String,
    chain: Vec<String>,
    panic: bool,
    hook: FailedIn,
    path: ActorPath,
    id: ActorId,
    generation: u64,
}

impl FailureInfo {
    /// Describes `err` and drops it (a panic in its `Display`, `source` or `Drop` contained).
    pub(crate) fn from_error(
        err: ActorError,
        hook: FailedIn,
        path: &ActorPath,
        id: ActorId,
        generation: u64,
    ) -> Self {
        let err = match err.into_message() {
            // `ActorError::msg`: the message is already a string, and nothing of the user's
            // is left to run.
            Ok(message) => {
                return Self::build(message, Vec::new(), false, hook, path, id, generation);
            }
            Err(err) => err,
        };
        let error = err.as_error();
        // User code (`Display`, `source`) runs here: a panic in it must not escape the loop.
        let described = catch_unwind(AssertUnwindSafe(|| {
            let mut chain = Vec::new();
            let mut source = error.source();
            while let Some(s) = source {
                chain.push(s.to_string());
                source = s.source();
            }
            (error.to_string(), chain)
        }));
        let (message, chain) = match described {
            Ok(described) => described,
            Err(payload) => {
                crate::scope::drop_contained(payload);
                (
                    "an error whose Display or source panicked".to_owned(),
                    Vec::new(),
                )
            }
        };
        crate::scope::drop_contained(err);
        Self::build(message, chain, false, hook, path, id, generation)
    }

    pub(crate) fn from_panic(
        payload: &(dyn Any + Send),
        hook: FailedIn,
        path: &ActorPath,
        id: ActorId,
        generation: u64,
    ) -> Self {
        let message = panic_message(payload);
        Self::build(message, Vec::new(), true, hook, path, id, generation)
    }

    /// A failure caused by a linked actor's abnormal exit.
    pub(crate) fn linked(
        exit: &crate::LinkExit,
        path: &ActorPath,
        id: ActorId,
        generation: u64,
    ) -> Self {
        Self::build(
            format!("linked actor {} exited: {}", exit.path, exit.reason),
            Vec::new(),
            false,
            FailedIn::Link,
            path,
            id,
            generation,
        )
    }

    /// A failure of the library's own making (a supervisor that could not start a child).
    pub(crate) fn supervision(
        message: String,
        chain: Vec<String>,
        path: &ActorPath,
        id: ActorId,
        generation: u64,
    ) -> Self {
        Self::build(
            message,
            chain,
            false,
            FailedIn::Started,
            path,
            id,
            generation,
        )
    }

    fn build(
        message: String,
        chain: Vec<String>,
        panic: bool,
        hook: FailedIn,
        path: &ActorPath,
        id: ActorId,
        generation: u64,
    ) -> Self {
        Self {
            inner: Arc::new(FailureInner {
                message,
                chain,
                panic,
                hook,
                path: path.clone(),
                id,
                generation,
            }),
        }
    }

    /// The error's message, or the panic's payload when it was a string.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The messages of the error's `source()` chain, outermost first.
    pub fn chain(&self) -> &[String] {
        &self.inner.chain
    }

    /// True when the instance panicked (the panic was contained).
    pub fn is_panic(&self) -> bool {
        self.inner.panic
    }

    /// The hook that failed.
    pub fn hook(&self) -> FailedIn {
        self.inner.hook
    }

    /// The path of the actor whose instance failed.
    pub fn path(&self) -> &ActorPath {
        &self.inner.path
    }

    /// The id of the actor whose instance failed.
    pub fn id(&self) -> ActorId {
        self.inner.id
    }

    /// The generation of the failed instance (1 for the first).
    pub fn generation(&self) -> u64 {
        self.inner.generation
    }
}

impl PartialEq for FailureInfo {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for FailureInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FailureInfo")
            .field("message", &self.inner.message)
            .field("chain", &self.inner.chain)
            .field("panic", &self.inner.panic)
            .field("hook", &self.inner.hook)
            .field("path", &self.inner.path)
            .field("id", &self.inner.id)
            .field("generation", &self.inner.generation)
            .finish()
    }
}

impl fmt::Display for FailureInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.inner.panic {
            "panicked"
        } else {
            "error"
        };
        write!(
            f,
            "{} (generation {}) {what} in {}: {}",
            self.inner.path, self.inner.generation, self.inner.hook, self.inner.message
        )?;
        for cause in &self.inner.chain {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

/// The text of a panic payload (`&str` or `String`), or a placeholder.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}
