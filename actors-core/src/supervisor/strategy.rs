//! [`Strategy`]: which children a supervisor restarts when one of them ends.

/// Which children a supervisor restarts when one of them is to be restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Only the child that ended. The default.
    #[default]
    OneForOne,
    /// Every child: the others are stopped in reverse start order, then all are started again
    /// in start order (every instance is new).
    OneForAll,
    /// The child that ended and those started after it: the later ones are stopped in reverse
    /// start order, then all of them are started again in start order; earlier children keep
    /// their instance.
    RestForOne,
}

/// When a supervisor shuts itself down because its significant children ended by themselves
/// (OTP 24's `auto_shutdown`). Stops ordered by the supervisor (`terminate_child`, a
/// bystander's stop in a group restart, its own shutdown) never count, nor does an exit that
/// is followed by a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AutoShutdown {
    /// Never: significant children are not allowed. The default.
    #[default]
    Never,
    /// When any significant child ends by itself.
    AnySignificant,
    /// When every significant child has ended by itself (the last one to end triggers it).
    AllSignificant,
}
