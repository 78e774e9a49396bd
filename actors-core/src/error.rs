//! Every public error type of the runtime.
//!
//! Send errors hand the message back (`into_inner`), and their `Debug` does not require the
//! message to be `Debug`, so a message type never needs extra derives just to be sent.
//!
//! The one type-erased error is [`ActorError`], the failure value an actor's hooks return: it
//! wraps any `std::error::Error + Send + Sync`, so `?` works inside handlers. Once an instance
//! has failed, the report that crosses actor types is a [`FailureInfo`](crate::FailureInfo).

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::events::ActorPath;
use crate::{ExitReason, FailureInfo};

/// The error an actor's hooks return to fail the current instance.
///
/// It wraps any error type that is `std::error::Error + Send + Sync + 'static`, so `?` converts
/// into it inside `started`, `handle` and `stopped`. Like `anyhow::Error`, it deliberately does
/// not implement `std::error::Error` itself: that is what makes the blanket `From` possible.
/// Use [`ActorError::as_error`] to reach the wrapped error and its `source()` chain.
///
/// # Examples
///
/// ```
/// use actors_core::ActorError;
///
/// fn parse(input: &str) -> Result<u32, ActorError> {
///     let n: u32 = input.parse()?; // ParseIntError converts into ActorError
///     if n == 0 {
///         return Err(ActorError::msg("zero is not allowed"));
///     }
///     Ok(n)
/// }
/// assert_eq!(parse("7").unwrap(), 7);
/// assert_eq!(parse("0").unwrap_err().to_string(), "zero is not allowed");
/// assert!(parse("x").is_err());
/// ```
pub struct ActorError {
    inner: Box<dyn StdError + Send + Sync + 'static>,
}

impl ActorError {
    /// Wraps an error value.
    pub fn new<E>(error: E) -> Self
    where
        E: StdError + Send + Sync + 'static,
    {
        Self {
            inner: Box::new(error),
        }
    }

    /// Creates an error from a message alone.
    pub fn msg(message: impl fmt::Display) -> Self {
        Self {
            inner: Box::new(MessageError(message.to_string())),
        }
    }

    /// The wrapped error, to inspect it or walk its `source()` chain.
    pub fn as_error(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.inner
    }

    /// Returns the wrapped error if it is of type `E`.
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.inner.downcast_ref::<E>()
    }

    /// Unwraps the boxed error.
    pub fn into_inner(self) -> Box<dyn StdError + Send + Sync + 'static> {
        self.inner
    }

    /// The message of an error made by [`msg`](Self::msg), moved out (no formatting, and no
    /// user code runs); any other error back.
    pub(crate) fn into_message(self) -> Result<String, Self> {
        match self.inner.downcast::<MessageError>() {
            Ok(message) => Ok(message.0),
            Err(inner) => Err(Self { inner }),
        }
    }
}

impl<E> From<E> for ActorError
where
    E: StdError + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        Self::new(error)
    }
}

impl fmt::Debug for ActorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for ActorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

#[derive(Debug)]
struct MessageError(String);

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for MessageError {}

macro_rules! debug_without_payload {
    ($ty:ident { $($variant:ident),* }) => {
        impl<M> fmt::Debug for $ty<M> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(Self::$variant(_) => f.write_str(concat!(stringify!($variant), "(..)")),)*
                }
            }
        }

        impl<M> $ty<M> {
            /// Returns the message that could not be sent.
            pub fn into_inner(self) -> M {
                match self {
                    $(Self::$variant(msg) => msg,)*
                }
            }
        }
    };
}

/// The error of an awaiting send (`tell`): the message is handed back.
#[derive(thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum SendError<M> {
    /// The actor has made its final exit (or is draining): nothing will ever handle the message.
    #[error("the actor is no longer accepting messages")]
    Closed(M),
    /// An actor told itself while its own mailbox was full; waiting would deadlock, since only
    /// the actor itself could make room.
    #[error("an actor's own mailbox is full: telling itself would wait forever")]
    WouldDeadlock(M),
}
debug_without_payload!(SendError {
    Closed,
    WouldDeadlock
});

/// The error of a non-waiting send (`try_tell`): the message is handed back.
#[derive(thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<M> {
    /// The mailbox is full right now.
    #[error("the mailbox is full")]
    Full(M),
    /// The actor has made its final exit (or is draining).
    #[error("the actor is no longer accepting messages")]
    Closed(M),
}
debug_without_payload!(TrySendError { Full, Closed });

/// The error of a send with a deadline (`tell_timeout`): the message is handed back.
#[derive(thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum SendTimeoutError<M> {
    /// The mailbox stayed full until the deadline.
    #[error("the mailbox stayed full until the deadline")]
    Timeout(M),
    /// The actor has made its final exit (or is draining).
    #[error("the actor is no longer accepting messages")]
    Closed(M),
    /// An actor told itself while its own mailbox was full.
    #[error("an actor's own mailbox is full: telling itself would wait forever")]
    WouldDeadlock(M),
}
debug_without_payload!(SendTimeoutError {
    Timeout,
    Closed,
    WouldDeadlock
});

impl<M> From<SendError<M>> for SendTimeoutError<M> {
    fn from(err: SendError<M>) -> Self {
        match err {
            SendError::Closed(m) => Self::Closed(m),
            SendError::WouldDeadlock(m) => Self::WouldDeadlock(m),
        }
    }
}

/// Why an ask did not produce a reply.
///
/// An ask always ends: with the reply, or with exactly one of these.
#[derive(thiserror::Error, Debug, Clone)]
#[non_exhaustive]
pub enum AskError {
    /// No reply arrived before the deadline (which covers both the wait for mailbox room and
    /// the wait for the reply).
    #[error("no reply within {0:?}")]
    Timeout(Duration),
    /// The actor made its final exit before handling the message, or was not alive when it was
    /// sent.
    #[error("the actor stopped before answering")]
    Stopped,
    /// The handler failed (returned an error or panicked) while handling the message.
    #[error("the actor failed while handling the ask: {0}")]
    Failed(FailureInfo),
    /// The actor was killed while handling the message.
    #[error("the actor was killed while handling the ask")]
    Killed,
    /// The handler finished without answering and dropped the [`Reply`](crate::Reply).
    #[error("the handler dropped the reply without answering")]
    NoReply,
    /// An actor asked itself from its own handler, which could never be answered.
    #[error("an actor cannot ask itself from its own handler")]
    SelfAsk,
}

/// Why an actor could not be spawned.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpawnError {
    /// A mailbox capacity of zero was requested.
    #[error("mailbox capacity must be at least 1")]
    ZeroCapacity,
    /// The requested mailbox capacity is beyond what the channel supports.
    #[error("mailbox capacity {requested} exceeds the maximum of {max}")]
    CapacityTooLarge {
        /// The capacity asked for.
        requested: usize,
        /// The largest accepted capacity.
        max: usize,
    },
    /// The actor name is empty or contains `/`.
    #[error("invalid actor name {0:?}: names are non-empty and contain no '/'")]
    InvalidName(String),
    /// The system is shutting down or has shut down.
    #[error("the actor system is shut down")]
    SystemStopped,
    /// Spawning needs a Tokio runtime and none is running on this thread.
    #[error("no Tokio runtime is running on this thread")]
    NoRuntime,
}

/// Why an actor system could not be built.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SystemError {
    /// The system name is empty or contains `/`.
    #[error("invalid system name {0:?}: names are non-empty and contain no '/'")]
    InvalidName(String),
    /// A zero default ask timeout was configured.
    #[error("the default ask timeout must be greater than zero")]
    ZeroAskTimeout,
    /// A zero capacity was configured for the event subscription buffer.
    #[error("the event buffer capacity must be at least 1")]
    ZeroEventCapacity,
    /// The event buffer capacity is above [`MAX_EVENT_CAPACITY`](crate::MAX_EVENT_CAPACITY)
    /// (its slots are allocated up front).
    #[error("the event buffer capacity {requested} is above the maximum {max}")]
    EventCapacityTooLarge {
        /// The capacity asked for.
        requested: usize,
        /// The largest accepted.
        max: usize,
    },
    /// A zero capacity was configured for the failures journal.
    #[error("the failures journal capacity must be at least 1")]
    ZeroFailureJournal,
    /// A zero per-actor shutdown timeout was configured.
    #[error("the shutdown timeout must be greater than zero")]
    ZeroShutdownTimeout,
}

/// Why a system shutdown did not complete cleanly.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShutdownError {
    /// The system had already been shut down (or a shutdown was already under way; this call
    /// waited for it to finish).
    #[error("the actor system was already shut down")]
    AlreadyStopped,
    /// Some actors did not stop in time and were aborted.
    #[error("{} actor(s) did not stop in time and were aborted: {}", .actors.len(), PathList(.actors))]
    TimedOut {
        /// The actors that were still running at the deadline.
        actors: Vec<ActorPath>,
    },
}

/// Why a supervisor blueprint or a child spec is invalid. Found before anything starts.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpecError {
    /// Two children of one supervisor have the same id.
    #[error("duplicate child id {0:?}")]
    DuplicateChildId(String),
    /// A child id is empty or contains `/`.
    #[error("invalid child id {0:?}: ids are non-empty and contain no '/'")]
    InvalidChildId(String),
    /// A child is significant but its supervisor's auto-shutdown is `Never`.
    #[error("child {child:?} is significant, but its supervisor's auto-shutdown is Never")]
    SignificantWithoutAutoShutdown {
        /// The child's id.
        child: String,
    },
    /// A child is significant and Permanent: it never ends by itself, so it could never
    /// trigger an auto-shutdown.
    #[error(
        "child {child:?} is significant and Permanent (significant children are Transient or Temporary)"
    )]
    SignificantPermanent {
        /// The child's id.
        child: String,
    },
    /// A dynamic supervisor's `max_children` is zero.
    #[error("max_children must be at least 1")]
    ZeroMaxChildren,
    /// The restart intensity's window (`within`) is zero.
    #[error("the restart intensity window must be greater than zero")]
    ZeroPeriod,
    /// A child has `Shutdown::Timeout(0)`; use `Shutdown::Brutal` to abort at once.
    #[error("child {child:?} has a zero shutdown timeout (use Shutdown::Brutal to abort at once)")]
    ZeroShutdownTimeout {
        /// The child's id.
        child: String,
    },
    /// A child has a zero start timeout.
    #[error("child {child:?} has a zero start timeout")]
    ZeroStartTimeout {
        /// The child's id.
        child: String,
    },
    /// A child's backoff settings are invalid.
    #[error("child {child:?} has an invalid backoff: {problem}")]
    InvalidBackoff {
        /// The child's id.
        child: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A worker's mailbox capacity is zero or too large.
    #[error("child {child:?}: {source}")]
    InvalidCapacity {
        /// The child's id.
        child: String,
        /// What is wrong with the capacity.
        source: SpawnError,
    },
}

/// Why a supervisor could not be started.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StartError {
    /// The blueprint is invalid; nothing was started.
    #[error("invalid supervisor spec: {0}")]
    InvalidSpec(#[from] SpecError),
    /// The supervisor itself could not be spawned.
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    /// A child failed to start. The children started before it were stopped in reverse order,
    /// and the supervisor did not start.
    #[error("child {child:?} ({path}) failed to start: {reason}")]
    ChildFailed {
        /// The failing child's id.
        child: String,
        /// The failing child's path.
        path: ActorPath,
        /// How its start ended (for a child supervisor, the failure names its own child).
        reason: ExitReason,
    },
    /// The supervisor was stopped (killed, or shut down with the system) before all its
    /// children had started.
    #[error("the supervisor stopped before it finished starting: {0}")]
    Stopped(ExitReason),
}

/// Why a supervisor's admin call (`start_child`, `terminate_child`, `restart_child`,
/// `delete_child`) was refused. Each names the child.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AdminError {
    /// No child has this id.
    #[error("no child {0:?}")]
    NotFound(String),
    /// `start_child`: a child with this id is running.
    #[error("child {0:?} is already started")]
    AlreadyStarted(String),
    /// `start_child`: a spec with this id is kept, without an actor (use `restart_child`).
    #[error("a spec for child {0:?} is already present")]
    AlreadyPresent(String),
    /// `restart_child` or `delete_child`: the child is running (terminate it first).
    #[error("child {0:?} is running")]
    Running(String),
    /// `restart_child` or `delete_child`: the supervisor is restarting the child.
    #[error("child {0:?} is restarting")]
    Restarting(String),
    /// `start_child`: the spec is invalid; nothing was started.
    #[error("invalid child spec: {0}")]
    InvalidSpec(#[from] SpecError),
    /// The child failed to start. For `start_child` its spec was discarded; for
    /// `restart_child` it is kept, stopped.
    #[error("child {child:?} failed to start: {reason}")]
    StartFailed {
        /// The child's id.
        child: String,
        /// How its start ended.
        reason: ExitReason,
    },
    /// `start_child`: the dynamic supervisor already has `max_children` children (restarting
    /// ones included).
    #[error("the supervisor already has its maximum of {0} children")]
    MaxChildren(usize),
    /// The supervisor is stopped, or stopping, and takes no more calls.
    #[error("the supervisor is stopped")]
    SupervisorStopped,
}

/// Why a registry call failed.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryError {
    /// The name is empty.
    #[error("invalid actor name {0:?}: names are non-empty")]
    InvalidName(String),
    /// Another actor has this name.
    #[error("the name {0:?} is taken by another actor")]
    NameTaken(String),
    /// The actor made its final exit before it could be registered.
    #[error("the actor to register as {0:?} has stopped")]
    ActorStopped(String),
    /// No actor has this name.
    #[error("no actor is named {0:?}")]
    NotFound(String),
    /// The actor with this name is of another type.
    #[error("the actor named {name:?} is a {found}, not a {expected}")]
    WrongType {
        /// The name looked up.
        name: String,
        /// The type asked for.
        expected: &'static str,
        /// The registered actor's type.
        found: &'static str,
    },
}

struct PathList<'a>(&'a [ActorPath]);

impl fmt::Display for PathList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 8;
        for (i, path) in self.0.iter().take(SHOWN).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{path}")?;
        }
        if self.0.len() > SHOWN {
            write!(f, " and {} more", self.0.len() - SHOWN)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NotDebug;

    #[test]
    fn send_errors_hand_the_message_back_without_debug() {
        let err = TrySendError::Full(NotDebug);
        assert_eq!(format!("{err:?}"), "Full(..)");
        assert_eq!(err.to_string(), "the mailbox is full");
        let _msg: NotDebug = err.into_inner();
    }

    #[test]
    fn actor_error_keeps_the_source() {
        let err: ActorError = "x".parse::<u8>().unwrap_err().into();
        assert!(err.downcast_ref::<std::num::ParseIntError>().is_some());
        assert_eq!(err.to_string(), "invalid digit found in string");
    }

    #[test]
    fn timed_out_lists_at_most_eight_paths() {
        let actors = (0..10)
            .map(|i| ActorPath::from_string(format!("/sys/a{i}")))
            .collect();
        let msg = ShutdownError::TimedOut { actors }.to_string();
        assert!(msg.starts_with("10 actor(s) did not stop in time"), "{msg}");
        assert!(msg.ends_with("/sys/a7 and 2 more"), "{msg}");
    }
}
