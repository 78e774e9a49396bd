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
