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

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
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

/// The actor running on this thread and how many replies are parked. Plain `Cell`s without a
/// destructor: the cheapest kind of thread-local, read on every message and every send.
struct Current {
    actor: Cell<u64>,
    parked: Cell<usize>,
    /// Replies dropped unanswered inside a scope on this thread, ever (wrapping).
    unanswered: Cell<usize>,
    /// How many replies were parked when the innermost scope was entered: the ones above
    /// belong to it.
    mark: Cell<usize>,
}

thread_local! {
    static CURRENT: Current = const {
        Current {
            actor: Cell::new(0),
            parked: Cell::new(0),
            unanswered: Cell::new(0),
            mark: Cell::new(0),
        }
    };
    /// The parked replies; touched only when a reply is dropped unanswered.
    static PARKED: RefCell<Vec<Orphan>> = const { RefCell::new(Vec::new()) };
    /// The panic of a hook future's `Drop` while a panic of its poll unwound (the message
    /// loop reports both).
    static DROP_PANIC: RefCell<Option<Box<dyn Any + Send>>> = const { RefCell::new(None) };
}

/// Keeps the panic of a future's `Drop` that happened while unwinding from its poll, for
/// [`take_drop_panic`]; a second one is dropped (contained).
#[cold]
pub(crate) fn keep_drop_panic(payload: Box<dyn Any + Send>) {
    let mut payload = Some(payload);
    let _ = DROP_PANIC.try_with(|kept| {
        if let Ok(mut kept) = kept.try_borrow_mut() {
            if kept.is_none() {
                *kept = payload.take();
            }
        }
    });
    if let Some(payload) = payload {
        drop_contained(payload);
    }
}

/// The panic kept by [`keep_drop_panic`] on this thread, if any.
#[cold]
pub(crate) fn take_drop_panic() -> Option<Box<dyn Any + Send>> {
    DROP_PANIC
        .try_with(|kept| kept.try_borrow_mut().ok().and_then(|mut kept| kept.take()))
        .ok()
        .flatten()
}

/// Marks `actor` as running on this thread until [`Entered::exit`] (or, on an unwinding path
/// that skipped it, until the guard is dropped: a scope is never left entered).
pub(crate) struct Entered {
    previous: u64,
    previous_mark: usize,
}

impl Drop for Entered {
    fn drop(&mut self) {
        // Only reached when `exit` was skipped; replies parked inside are answered `NoReply`.
        let mut dropped = Orphans::default();
        let _ = CURRENT.try_with(|c| self.leave(c, &mut dropped));
    }
}

#[inline]
pub(crate) fn enter(actor: ActorId) -> Entered {
    CURRENT.with(|c| Entered {
        previous: c.actor.replace(actor.as_u64()),
        previous_mark: c.mark.replace(c.parked.get()),
    })
}

/// Moves the replies parked so far in the innermost scope into `into`, leaving the scope
/// entered: for the message loop, whose one scope spans many hooks.
#[inline]
pub(crate) fn collect(into: &mut Orphans) {
    CURRENT.with(|c| {
        let mark = c.mark.get();
        if c.parked.get() > mark {
            c.parked.set(mark);
            take_parked(mark, into);
        }
    });
}

impl Entered {
    /// Leaves the scope, moving the replies parked inside it into `into`.
    ///
    /// Callers run user code under `catch_unwind` between `enter` and `exit`, so `exit` is
    /// always reached.
    #[inline]
    pub(crate) fn exit(self, into: &mut Orphans) {
        let this = std::mem::ManuallyDrop::new(self);
        CURRENT.with(|c| this.leave(c, into));
    }

    #[inline]
    fn leave(&self, c: &Current, into: &mut Orphans) {
        c.actor.set(self.previous);
        let mark = c.mark.replace(self.previous_mark);
        if c.parked.get() > mark {
            c.parked.set(mark);
            take_parked(mark, into);
        }
    }
}

#[cold]
fn take_parked(mark: usize, into: &mut Orphans) {
    let _ = PARKED.try_with(|list| {
        if let Ok(mut list) = list.try_borrow_mut() {
            let start = mark.min(list.len());
            into.0
                .get_or_insert_with(Box::default)
                .extend(list.drain(start..));
        }
    });
}

/// Replies dropped unanswered by a hook, waiting for their error. One word while empty (the
/// list is allocated the first time a reply is dropped): every idle actor's task holds it.
#[derive(Default)]
#[allow(clippy::box_collection)] // on purpose: one word instead of three while empty
pub(crate) struct Orphans(Option<Box<Vec<Orphan>>>);

impl Orphans {
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|list| list.is_empty())
    }

    /// Takes the orphans out, leaving the (allocated) list empty.
    pub(crate) fn take(&mut self) -> Vec<Orphan> {
        self.0
            .as_mut()
            .map(|list| std::mem::take(&mut **list))
            .unwrap_or_default()
    }
}

/// The actor whose code is running on this thread, if any.
pub(crate) fn current() -> Option<ActorId> {
    CURRENT
        .try_with(|c| c.actor.get())
        .ok()
        .and_then(ActorId::from_raw)
}

/// Drops `value` with a panic in its `Drop` contained; a panic payload whose own `Drop`
/// panics is leaked rather than allowed to unwind further.
pub(crate) fn drop_contained<T>(value: T) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        if catch_unwind(AssertUnwindSafe(move || drop(payload))).is_err() {
            // Leaking is the only safe thing left to do with it.
        }
    }
}

/// Drops a message `actor` will never handle (its final exit, or a closed mailbox), in its
/// scope with a panic in `Drop` contained, so that a reply inside is answered `Stopped`.
/// True when it held no reply: a tell, to be counted as undelivered.
pub(crate) fn drop_undelivered<M>(actor: ActorId, msg: M) -> bool {
    let entered = enter(actor);
    let before = unanswered();
    drop_contained(msg);
    // Counted even when the asker already gave up, whose reply is not parked.
    let asks = unanswered().wrapping_sub(before);
    let mut orphans = Orphans::default();
    entered.exit(&mut orphans);
    for orphan in orphans.take() {
        orphan.resolve(AskError::Stopped);
    }
    asks == 0
}

/// True when `actor` is the one running on this thread.
#[inline]
pub(crate) fn is_current(actor: ActorId) -> bool {
    CURRENT
        .try_with(|c| c.actor.get() == actor.as_u64())
        .unwrap_or(false)
}

/// Notes that a reply was dropped unanswered (whether or not its asker still waits).
pub(crate) fn note_unanswered() {
    let _ = CURRENT.try_with(|c| {
        if c.actor.get() != 0 {
            c.unanswered.set(c.unanswered.get().wrapping_add(1));
        }
    });
}

/// The running count of [`note_unanswered`] on this thread; compare two readings taken within
/// one synchronous section.
pub(crate) fn unanswered() -> usize {
    CURRENT.try_with(|c| c.unanswered.get()).unwrap_or(0)
}

/// Parks an unanswered reply in the current scope; hands it back when there is none.
pub(crate) fn park(orphan: Orphan) -> Result<(), Orphan> {
    let mut orphan = Some(orphan);
    let _ = CURRENT.try_with(|c| {
        if c.actor.get() == 0 {
            return;
        }
        let _ = PARKED.try_with(|list| {
            // The loop never holds this borrow across user code; if it were held, answering
            // at once (the fallback below) is still correct.
            if let Ok(mut list) = list.try_borrow_mut() {
                list.extend(orphan.take());
                c.parked.set(list.len());
            }
        });
    });
    match orphan {
        None => Ok(()),
        Some(o) => Err(o),
    }
}
