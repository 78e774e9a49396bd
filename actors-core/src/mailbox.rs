//! The two lanes into an actor: the bounded message lane and the separate control lane.
//!
//! **Messages** travel in a bounded channel of the library's own ([`chan`]) whose element is
//! the actor's own message type, with no envelope around it. An idle mailbox is one small
//! allocation; its queue's buffer comes with the first message. (tokio's `mpsc` channel, used
//! before, cost about a kilobyte per idle mailbox and two locked or atomic steps more per
//! message: see the module's doc.)
//!
//! **Control** (stop, kill, drain, shutdown) never queues behind messages. It is a word of
//! signal bits plus one waker slot:
//! - a busy actor reads the word once per message (one relaxed load);
//! - an idle actor, or one whose handler is waiting on something, has registered its task's
//!   waker here, and the sender of a signal wakes it.
//!
//! So a full mailbox, or a handler stuck in an `.await`, never delays a signal; and the message
//! path pays neither a second channel nor a `Notify` per message.

use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::Waker;

use tokio_util::sync::CancellationToken;

use crate::SpawnError;
use crate::link::Relations;

pub(crate) mod chan;

/// The mailbox capacity an actor gets unless its spawn says otherwise.
///
/// Capacity is a performance knob as well as a memory bound: a small mailbox keeps a producer
/// and its actor on one core and makes producers yield early (on the measuring machine, 64 gave
/// twice the single-producer throughput of 1024).
pub const DEFAULT_MAILBOX_CAPACITY: usize = 64;

/// The largest mailbox capacity accepted.
///
/// A capacity is a bound, not an allocation: a mailbox's buffer grows with what it holds, and
/// shrinks back to a kilobyte when the actor finds it empty. The limit keeps the channel's counts of queued and promised slots far from overflow (it is the
/// limit tokio's bounded channel has, which the mailbox used before it had its own).
pub const MAX_MAILBOX_CAPACITY: usize = usize::MAX >> 3;

pub(crate) fn validate_capacity(capacity: usize) -> Result<usize, SpawnError> {
    match capacity {
        0 => Err(SpawnError::ZeroCapacity),
        c if c > MAX_MAILBOX_CAPACITY => Err(SpawnError::CapacityTooLarge {
            requested: c,
            max: MAX_MAILBOX_CAPACITY,
        }),
        c => Ok(c),
    }
}

/// A set of signal bits (see [`signal`]).
pub(crate) type Signals = u16;

/// Signal bits of the control word.
pub(crate) mod signal {
    use super::Signals;

    /// Graceful stop after the current message.
    pub(crate) const STOP: Signals = 1;
    /// Drop the running future now; `stopped` does not run.
    pub(crate) const KILL: Signals = 1 << 1;
    /// Refuse new messages, handle the queued ones, then stop.
    pub(crate) const DRAIN: Signals = 1 << 2;
    /// Shut down because the system is shutting down.
    pub(crate) const SHUTDOWN_SYSTEM: Signals = 1 << 3;
    /// Shut down because the parent cancelled the subtree.
    pub(crate) const SHUTDOWN_CANCELLED: Signals = 1 << 4;
    /// Shut down by its supervisor (a restart of siblings, a termination, the supervisor's
    /// own stop).
    pub(crate) const SHUTDOWN_SUPERVISOR: Signals = 1 << 5;
    /// A link or monitor notice waits for the `on_down` / `on_exit` hook.
    pub(crate) const NOTICE: Signals = 1 << 9;
    /// A linked actor's abnormal exit fails this one (it does not trap exits).
    pub(crate) const LINKED: Signals = 1 << 10;
    /// A census (`system.tree()`) asks the actor for its counters.
    pub(crate) const CENSUS: Signals = 1 << 11;
    /// The test kit: fail the instance on its next message.
    pub(crate) const INJECT_FAILURE: Signals = 1 << 12;
    /// Any shutdown.
    pub(crate) const SHUTDOWN: Signals = SHUTDOWN_SYSTEM | SHUTDOWN_CANCELLED | SHUTDOWN_SUPERVISOR;
    /// The supervisor's decision after an instance ended: start a new instance.
    pub(crate) const RESTART: Signals = 1 << 6;
    /// The supervisor's decision after an instance ended (or raised in advance): the actor
    /// makes its final exit.
    pub(crate) const FINAL: Signals = 1 << 7;
    /// Raised with `RESTART` when the supervisor waits for the new instance to report that
    /// it finished `started` (to start a group in order); a lone restart is not waited for.
    pub(crate) const REPORT_START: Signals = 1 << 8;
    /// The supervisor's decisions: read between instances, never by a running one.
    pub(crate) const DECISION: Signals = RESTART | FINAL | REPORT_START;
}

/// The control lane of one actor.
pub(crate) struct Control {
    signals: AtomicU16,
    /// Messages taken from the mailbox, over every instance, modulo 2^32 (the task counts the
    /// wraps). Written only by the actor's task (a load and a store, no read-modify-write),
    /// read by it for a census; in room the lock's alignment leaves here anyway. Not in the
    /// task: a write per message next to the task's header, which the sender's wake-up
    /// writes, cost 12% of the tell throughput across cores (false sharing).
    received: AtomicU32,
    /// True while `slots.waker` holds the actor task's waker. A task's waker is stable, so
    /// once registered it stays valid until a signal takes it: going idle again then costs one
    /// atomic load instead of a lock.
    armed: AtomicBool,
    /// Set at the final exit, under the `slots` lock, when `rare` is freed: from then on
    /// nothing is stored in the lane (a late `wait()`, link or monitor is answered at once by
    /// its caller), so nothing is allocated again for an actor that is gone. Read under the
    /// lock; in room the lock's alignment leaves here anyway.
    exited: AtomicBool,
    slots: Mutex<Slots>,
}

struct Slots {
    waker: Option<Waker>,
    /// Tasks in `wait()` for the final exit: the first inline (most actors have none or one),
    /// the others in a list. A `Notify` cost several times more per actor.
    exit_waiter: Option<Waker>,
    /// What few actors use, boxed on first use: one word in every idle actor for all of it.
    /// Freed at the final exit ([`Control::wake_exit_waiters`]) and never made again.
    rare: Option<Box<Rare>>,
}

/// The parts of an actor's control lane that most actors never use.
#[derive(Default)]
struct Rare {
    /// Exit waiters after the first.
    more_exit_waiters: Vec<Waker>,
    /// The running instance's cancellation token, created on first use (each costs a few
    /// hundred bytes).
    token: Option<CancellationToken>,
    /// Links and monitors, boxed apart: an actor that only asks for its token (a stream it
    /// owns, say) does not pay for them.
    relations: Option<Box<Relations>>,
}

impl Control {
    pub(crate) fn new() -> Self {
        Self {
            signals: AtomicU16::new(0),
            received: AtomicU32::new(0),
            armed: AtomicBool::new(false),
            exited: AtomicBool::new(false),
            slots: Mutex::new(Slots {
                waker: None,
                exit_waiter: None,
                rare: None,
            }),
        }
    }

    fn slots(&self) -> MutexGuard<'_, Slots> {
        // No user code runs under this lock.
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One more message taken from the mailbox (by the actor's own task only); true when the
    /// count wrapped to zero.
    #[inline]
    pub(crate) fn count_received(&self) -> bool {
        let received = self.received.load(Ordering::Relaxed).wrapping_add(1);
        self.received.store(received, Ordering::Relaxed);
        received == 0
    }

    /// Messages taken from the mailbox so far, modulo 2^32.
    pub(crate) fn received_low(&self) -> u32 {
        self.received.load(Ordering::Relaxed)
    }

    /// The pending signal bits. Relaxed: the per-message check; a missed bit is seen at the
    /// next message or through the waker.
    #[inline]
    pub(crate) fn peek(&self) -> Signals {
        self.signals.load(Ordering::Relaxed)
    }

    /// Raises `bits`, cancels the instance's token for a shutdown, and wakes the actor.
    pub(crate) fn raise(&self, bits: Signals) {
        let (waker, token) = {
            let mut slots = self.slots();
            self.signals.fetch_or(bits, Ordering::AcqRel);
            let token = if bits & signal::SHUTDOWN != 0 {
                slots.rare.as_ref().and_then(|rare| rare.token.clone())
            } else {
                None
            };
            self.armed.store(false, Ordering::Release);
            (slots.waker.take(), token)
        };
        if let Some(token) = token {
            token.cancel();
        }
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The supervisor's `RESTART` decision: first clears the shutdown bits (only the
    /// supervisor knows that none of them is meant for the next instance: it may have asked
    /// a group member to shut down just as it ended by itself), then raises `RESTART`. A stop
    /// or kill is not cleared here: the ended instance cleared the ones it took
    /// ([`end_instance`](Self::end_instance)), so one raised since, while the actor waited
    /// for this decision (a backoff), is for the next instance. `DRAIN` stays: the mailbox is
    /// closed for good. With `report_start`, the new instance reports when it finished
    /// `started`.
    pub(crate) fn restart(&self, report_start: bool) {
        self.signals.fetch_and(!signal::SHUTDOWN, Ordering::AcqRel);
        let report = if report_start {
            signal::REPORT_START
        } else {
            0
        };
        self.raise(signal::RESTART | report);
    }

    /// Clears the `RESTART` decision once the new instance is on its way; returns whether the
    /// supervisor wants to hear when it finished `started`.
    pub(crate) fn restarting(&self) -> bool {
        let bits = self
            .signals
            .fetch_and(!(signal::RESTART | signal::REPORT_START), Ordering::AcqRel);
        bits & signal::REPORT_START != 0
    }

    /// Clears `bits` (a notice about to be handled: a later one raises it again).
    pub(crate) fn take_bits(&self, bits: Signals) {
        self.signals.fetch_and(!bits, Ordering::AcqRel);
    }

    /// Runs `f` on the actor's links and monitors, created on first use. After the final exit
    /// (`f` is told so by `Shared::relations`, and registers nothing then), `f` runs on an
    /// empty set that is dropped afterwards: a notice for an actor that is gone has no one to
    /// handle it.
    pub(crate) fn relations<R>(&self, f: impl FnOnce(&mut Relations) -> R) -> R {
        let mut slots = self.slots();
        if self.exited.load(Ordering::Relaxed) {
            drop(slots);
            return f(&mut Relations::default());
        }
        let rare = slots.rare.get_or_insert_with(Box::default);
        f(rare.relations.get_or_insert_with(Box::default))
    }

    /// Takes the links and monitors away at the final exit.
    pub(crate) fn take_relations(&self) -> Option<Box<Relations>> {
        let mut slots = self.slots();
        let rare = slots.rare.as_mut()?;
        rare.relations.take()
    }

    /// How many link and monitor entries the actor holds (for leak tests).
    pub(crate) fn relation_count(&self) -> usize {
        (self.slots().rare.as_ref())
            .and_then(|r| r.relations.as_ref())
            .map_or(0, |r| r.len())
    }

    /// Registers the actor task's waker, then returns the signals raised so far: a signal
    /// raised after this call finds the waker; one raised before is in the returned bits.
    ///
    /// Only the actor's own task registers, always with that task's waker.
    pub(crate) fn register(&self, waker: &Waker) -> Signals {
        if self.armed.load(Ordering::Acquire) {
            // The slot still holds this task's waker (a signal would have taken it and
            // disarmed first): nothing to store.
            return self.signals.load(Ordering::Acquire);
        }
        let mut slots = self.slots();
        match &mut slots.waker {
            Some(w) if w.will_wake(waker) => {}
            slot => *slot = Some(waker.clone()),
        }
        self.armed.store(true, Ordering::Release);
        self.signals.load(Ordering::Acquire)
    }

    /// Registers a task waiting for the final exit; after it, registers nothing (the exit
    /// reason is set by then: the caller, reading it again, is done).
    pub(crate) fn await_exit(&self, waker: &Waker) {
        let mut slots = self.slots();
        if self.exited.load(Ordering::Relaxed) {
            return;
        }
        let slots = &mut *slots;
        match &slots.exit_waiter {
            None => slots.exit_waiter = Some(waker.clone()),
            Some(first) if first.will_wake(waker) => {}
            Some(_) => {
                let more = &mut slots
                    .rare
                    .get_or_insert_with(Box::default)
                    .more_exit_waiters;
                if !more.iter().any(|w| w.will_wake(waker)) {
                    more.push(waker.clone());
                }
            }
        }
    }

    /// The control lane's part of the final exit, its last step (the exit reason is set, the
    /// links and monitors notified): wakes every task waiting for it, and frees the rarely
    /// used parts, which nothing reads any more (the instance token was cancelled when the
    /// instance ended; one made since is cancelled here). From now on the lane stores nothing:
    /// a later `wait()`, link or monitor sees the exit and is answered at once.
    pub(crate) fn wake_exit_waiters(&self) {
        let (first, rare) = {
            let mut slots = self.slots();
            self.exited.store(true, Ordering::Relaxed);
            (slots.exit_waiter.take(), slots.rare.take())
        };
        let (more, token) = match rare {
            Some(rare) => {
                let Rare {
                    more_exit_waiters,
                    token,
                    relations,
                } = *rare;
                // Taken by `link::final_exit` before this; anything there since is for an
                // actor that is gone.
                drop(relations);
                (more_exit_waiters, token)
            }
            None => (Vec::new(), None),
        };
        if let Some(token) = token {
            token.cancel();
        }
        for waker in first.into_iter().chain(more) {
            waker.wake();
        }
    }

    /// Forgets the actor task's waker at its final exit, so handles that outlive the actor do
    /// not keep the finished task's memory alive.
    pub(crate) fn disarm(&self) {
        let waker = {
            let mut slots = self.slots();
            self.armed.store(false, Ordering::Release);
            slots.waker.take()
        };
        drop(waker);
    }

    /// The running instance's token, created on first use as a child of `parent`; already
    /// cancelled if a shutdown was signalled, or after the final exit (then not kept).
    pub(crate) fn instance_token(&self, parent: &CancellationToken) -> CancellationToken {
        let mut slots = self.slots();
        if self.exited.load(Ordering::Relaxed) {
            drop(slots);
            let token = CancellationToken::new();
            token.cancel();
            return token;
        }
        let rare = slots.rare.get_or_insert_with(Box::default);
        let token = rare.token.get_or_insert_with(|| parent.child_token());
        if self.signals.load(Ordering::Acquire) & signal::SHUTDOWN != 0 {
            token.cancel();
        }
        token.clone()
    }

    /// An instance ended: the stop or kill it was given is spent (one raised from now on is
    /// for the next instance), and its token (if one was created) is cancelled, so tasks tied
    /// to it stop.
    pub(crate) fn end_instance(&self) {
        self.take_bits(signal::STOP | signal::KILL);
        let token = self
            .slots()
            .rare
            .as_mut()
            .and_then(|rare| rare.token.take());
        if let Some(token) = token {
            token.cancel();
        }
    }
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("signals", &self.peek())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use super::*;
    use crate::link::{self, AnyActorRef};
    use crate::{Actor, ActorError, ActorSystem, Context, ExitReason, Reply};

    /// In `started`, asks for its token and monitors and links `other`.
    struct Busy {
        other: Option<AnyActorRef>,
    }

    impl Actor for Busy {
        type Msg = Reply<()>;

        async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
            let _ = ctx.token();
            if let Some(other) = self.other.take() {
                ctx.monitor(other.clone());
                ctx.link(other);
            }
            Ok(())
        }

        async fn handle(
            &mut self,
            reply: Reply<()>,
            _: &mut Context<Self>,
        ) -> Result<(), ActorError> {
            let _ = reply.send(());
            Ok(())
        }
    }

    fn has_rare(control: &Control) -> bool {
        control.slots().rare.is_some()
    }

    #[tokio::test(start_paused = true)]
    async fn the_rarely_used_parts_are_freed_at_the_final_exit_and_not_made_again() {
        let system = ActorSystem::new("rare").unwrap();
        let other = system.spawn(Busy { other: None }).unwrap();
        let busy = system
            .spawn(Busy {
                other: Some((&other).into()),
            })
            .unwrap();
        busy.ask(|reply| reply).await.unwrap();
        // Three waiters: the first inline, the others in the box.
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                tokio::spawn({
                    let busy = busy.clone();
                    async move { busy.wait().await }
                })
            })
            .collect();
        tokio::task::yield_now().await;
        {
            let slots = busy.shared.control.slots();
            let rare = slots.rare.as_ref().expect("used: boxed");
            assert_eq!(rare.more_exit_waiters.len(), 2);
            assert!(rare.token.is_some());
            assert!(rare.relations.is_some());
        }

        busy.stop();
        assert_eq!(busy.wait().await, ExitReason::Normal);
        for waiter in waiters {
            assert_eq!(
                waiter.await.unwrap(),
                ExitReason::Normal,
                "every waiter woken"
            );
        }
        assert!(!has_rare(&busy.shared.control), "freed at the final exit");
        assert_eq!(
            other.shared.control.relation_count(),
            0,
            "the other side forgot it"
        );

        // What comes after the exit is answered at once, and stores nothing.
        let control = &busy.shared.control;
        assert_eq!(busy.wait().await, ExitReason::Normal);
        control.await_exit(Waker::noop());
        assert!(
            control.slots().exit_waiter.is_none(),
            "a late waiter is not kept"
        );
        assert!(
            control
                .instance_token(&busy.shared.family.token)
                .is_cancelled()
        );
        let monitor = link::monitor(&other.shared, &busy.shared);
        assert_eq!(monitor.target(), busy.id());
        let down = other.shared.relations(|r, _| r.inbox.len());
        assert_eq!(
            down, 1,
            "a monitor set after the exit gets its Down at once"
        );
        link::link(&other.shared, &busy.shared);
        link::unlink(&other.shared, &busy.shared);
        busy.shared.relations(|r, exited| {
            assert!(exited);
            r.trap_exit = true;
        });
        assert_eq!(control.relation_count(), 0);
        assert!(!has_rare(control), "not made again after the exit");
        system.shutdown().await.unwrap();
    }
}
