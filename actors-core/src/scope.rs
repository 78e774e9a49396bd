//! The thread-local "which actor is running right now" scope.
//!
//! The actor loop enters a scope around every synchronous poll of an instance's hooks (and
//! around dropping messages and instances). Two things read it:
//! - sends, to turn a self-ask or a self-tell into a full mailbox into an immediate typed
//!   error instead of a deadlock;
//! - [`Reply`](crate::Reply)'s `Drop`: an unanswered reply dropped inside a scope is parked as
//!   an orphan, and the loop answers it once it knows why it was dropped (the handler failed,
//!   was killed, returned without answering, or the actor made its final exit). Outside any
//!   scope the asker is told at once that nobody answered.
//!
//! A scope never spans an `.await`: it is entered and left within one poll, so it is correct on
//! the multi-thread runtime where a task moves between threads.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use crate::AskError;
use crate::events::ActorId;

/// The asker's side of a dropped reply, answered with an error once the reason is known.
pub(crate) trait Resolve: Send + Sync {
    fn resolve(&self, error: AskError);
}

/// An unanswered reply waiting for its error. Dropping it unresolved answers `NoReply`, so no
/// path can leave an asker waiting.
pub(crate) struct Orphan(Option<Arc<dyn Resolve>>);

impl Orphan {
    pub(crate) fn new(slot: Arc<dyn Resolve>) -> Self {
        Self(Some(slot))
    }

    pub(crate) fn resolve(mut self, error: AskError) {
        if let Some(slot) = self.0.take() {
            slot.resolve(error);
        }
    }
}

impl Drop for Orphan {
    fn drop(&mut self) {
        if let Some(slot) = self.0.take() {
            slot.resolve(AskError::NoReply);
        }
    }
}

struct Scope {
    actor: Cell<u64>,
    orphans: RefCell<Vec<Orphan>>,
}

thread_local! {
    static SCOPE: Scope = const {
        Scope { actor: Cell::new(0), orphans: RefCell::new(Vec::new()) }
    };
}

/// Marks `actor` as running on this thread until the guard is dropped.
pub(crate) struct Entered {
    previous: u64,
    mark: usize,
}

pub(crate) fn enter(actor: ActorId) -> Entered {
    SCOPE.with(|s| Entered {
        previous: s.actor.replace(actor.as_u64()),
        mark: s.orphans.borrow().len(),
    })
}

impl Entered {
    /// Leaves the scope, moving the replies orphaned inside it into `into`.
    pub(crate) fn exit(self, into: &mut Vec<Orphan>) {
        let this = std::mem::ManuallyDrop::new(self);
        SCOPE.with(|s| {
            s.actor.set(this.previous);
            let mut orphans = s.orphans.borrow_mut();
            if orphans.len() > this.mark {
                into.extend(orphans.drain(this.mark..));
            }
        });
    }
}

impl Drop for Entered {
    // Only reached on unwinding paths that skipped `exit`; orphans then resolve as `NoReply`.
    fn drop(&mut self) {
        let _ = SCOPE.try_with(|s| {
            s.actor.set(self.previous);
            let drained: Vec<Orphan> = s.orphans.borrow_mut().drain(self.mark..).collect();
            drop(drained);
        });
    }
}

/// True when `actor` is the one running on this thread.
pub(crate) fn is_current(actor: ActorId) -> bool {
    SCOPE
        .try_with(|s| s.actor.get() == actor.as_u64())
        .unwrap_or(false)
}

/// Parks an unanswered reply in the current scope; hands it back when there is none.
pub(crate) fn park(orphan: Orphan) -> Result<(), Orphan> {
    let mut orphan = Some(orphan);
    let _ = SCOPE.try_with(|s| {
        if s.actor.get() == 0 {
            return;
        }
        // The loop never holds this borrow across user code; if it were held, answering at
        // once (the fallback below) is still correct.
        if let Ok(mut list) = s.orphans.try_borrow_mut() {
            list.extend(orphan.take());
        }
    });
    match orphan {
        None => Ok(()),
        Some(o) => Err(o),
    }
}
