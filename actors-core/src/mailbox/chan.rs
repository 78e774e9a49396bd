//! The bounded channel under every mailbox: one allocation, one lock.
//!
//! tokio's `mpsc` channel allocates its shared part (several cache-padded fields) and a first
//! block of 32 slots when it is created, so an idle mailbox cost 800 bytes (`u64` messages) to
//! more than a kilobyte (16-byte ones) before its first message. This channel is a queue, a
//! capacity and the wakers behind one mutex, in one allocation (160 bytes); the queue's buffer
//! is allocated by the first message and doubles as it fills, to the capacity rounded up to a
//! power of two at most. When the receiver finds the queue empty and waits, a buffer larger
//! than [`KEEP_BYTES`] is shrunk to that size: an actor that took one burst does not keep the
//! burst's memory while idle (tokio's channel likewise frees its blocks but a few), and a
//! queue that drains and refills keeps a kilobyte, so it does not reallocate from scratch.
//! The receiver takes up to [`BATCH`] messages per lock into a batch of its own, still counted
//! against the capacity until its next lock: with 100 producers the lock per message was
//! contended (fan-in 0.8–0.97× a tokio channel; 1.28× in batches), and one producer gains too.
//! It keeps tokio's semantics where the library relies on them:
//! - senders waiting for room are served in the order they began to wait, and a slot freed
//!   while someone waits goes to the first of them (no barging);
//! - a send, a reservation and a receive each spend one unit of tokio's cooperative budget
//!   when they complete with a slot or a message, as tokio's own channel does (a refusal by
//!   the close and a receive's final `None` spend none; tokio's spend one);
//! - [`Receiver::close`] refuses new messages and wakes the waiting senders (each gets its
//!   message back, also one granted a slot it had not yet filled) while the receiver drains
//!   what is queued, and what outstanding [`Permit`]s still send;
//! - the channel also closes when the last [`Sender`] goes (weak senders do not count);
//! - once the [`Receiver`] is dropped, what is queued, and what permits send later, is
//!   dropped at once (tokio keeps the latter until the last sender goes).
//!
//! The lock is held for a few instructions and never across user code: messages are dropped,
//! and wakers woken or dropped, after it is released.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker, ready};

use tokio::task::coop;
use tokio::time::Instant;

use crate::{SendError, SendTimeoutError, TrySendError};

/// What an idle queue's buffer keeps, in bytes (at least four messages): see the module doc.
const KEEP_BYTES: usize = 1024;

/// The buffer an idle queue of `T` keeps, in messages.
const fn keep<T>() -> usize {
    let per = if size_of::<T>() == 0 {
        1
    } else {
        size_of::<T>()
    };
    let keep = KEEP_BYTES / per;
    if keep < 4 { 4 } else { keep }
}

/// The most messages the receiver takes out of the queue under one lock. Taking them one at a
/// time cost a lock per message on both sides: with 100 producers on one mailbox the lock was
/// contended and the fan-in ran at 0.74–0.97× a tokio channel; in batches of 32, 1.28× (and
/// one producer 2.7× instead of 1.8×; `benches/README.md`). The batch's slots go back to the
/// senders at the receiver's next lock, when the batch is done: a sender waiting for room
/// waits for up to 31 messages more than it would one at a time.
const BATCH: usize = 32;

/// Why a receive found nothing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TryRecvError {
    /// Nothing queued now.
    Empty,
    /// Nothing queued, and nothing ever will be.
    Disconnected,
}

/// A reservation found the channel closed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Closed;

struct Chan<T> {
    state: Mutex<State<T>>,
    /// Strong senders; the channel closes for the receiver when the last one goes.
    senders: AtomicUsize,
    /// Mirrors `State::closed`, for `is_closed` without the lock.
    closed: AtomicBool,
    capacity: usize,
}

struct State<T> {
    queue: VecDeque<T>,
    /// Slots promised and not yet filled: permits, and waiting senders that were granted a
    /// slot but have not been polled since.
    reserved: usize,
    closed: bool,
    /// The receiver's waker, while it waits for a message.
    rx_waker: Option<Waker>,
    /// Senders waiting for room, by ticket (tickets only grow, so this is sorted).
    waiters: VecDeque<(u64, Waker)>,
    next_ticket: u64,
    /// Tickets below this one that are no longer in `waiters` were granted a slot (the others
    /// were cancelled by their own sender). `u64::MAX` until the channel closes; then the
    /// first ticket still waiting, whose holders were refused.
    granted_below: u64,
    /// The receiver is dropped: nothing will ever take a message out of `queue` again.
    rx_gone: bool,
    /// Messages in the receiver's batch (`Receiver::local`) at its last lock: they still
    /// count against the capacity until the receiver's next lock.
    held: usize,
}

impl<T> Chan<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // No user code runs under this lock, so it is never poisoned by us; if a waker's
        // `clone` panicked under it, the state is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T> State<T> {
    fn has_room(&self, capacity: usize) -> bool {
        self.queue.len() + self.reserved + self.held < capacity
    }

    /// A slot came free (a message taken, a reservation given back): the first waiting
    /// sender gets it. Returns the waker to wake once the lock is released.
    fn grant_next(&mut self, capacity: usize) -> Option<Waker> {
        if self.closed || !self.has_room(capacity) {
            return None;
        }
        let (_, waker) = self.waiters.pop_front()?;
        self.reserved += 1;
        Some(waker)
    }

    /// A reservation was given back unused.
    fn unreserve(&mut self, capacity: usize) -> Option<Waker> {
        self.reserved -= 1;
        if self.closed {
            // The receiver may be draining and waiting for the last permit.
            if self.reserved == 0 && self.queue.is_empty() {
                return self.rx_waker.take();
            }
            return None;
        }
        self.grant_next(capacity)
    }

    fn push(&mut self, msg: T) -> Option<Waker> {
        self.queue.push_back(msg);
        self.rx_waker.take()
    }

    fn waiting(&self, ticket: u64) -> Option<usize> {
        self.waiters.binary_search_by_key(&ticket, |(t, _)| *t).ok()
    }
}

/// What the receiver keeps between its locks, boxed on first need.
struct Batch<T> {
    /// Messages taken from the queue and not yet received (`State::held`).
    queue: VecDeque<T>,
    /// Senders granted a slot under the lock, woken once it is released.
    granted: Vec<Waker>,
}

impl<T> Default for Batch<T> {
    fn default() -> Self {
        Self {
            queue: VecDeque::new(),
            granted: Vec::new(),
        }
    }
}

/// Under the lock, with the receiver's last batch all received: gives its slots back, takes
/// the next batch (up to [`BATCH`] messages) into `local` and returns its first message; the
/// senders granted the freed slots wait in `local` to be woken once the lock is released
/// ([`wake_granted`]).
fn take_batch<T>(
    local: &mut Option<Box<Batch<T>>>,
    state: &mut State<T>,
    capacity: usize,
) -> Option<T> {
    debug_assert!(local.as_ref().is_none_or(|l| l.queue.is_empty()));
    state.held = 0;
    let first = state.queue.pop_front();
    if first.is_some() {
        let more = state.queue.len().min(BATCH - 1);
        if more > 0 {
            let local = local.get_or_insert_with(Default::default);
            local.queue.extend(state.queue.drain(..more));
            state.held = more;
        }
    }
    if !state.waiters.is_empty() {
        // What came free: the last batch (at most `BATCH - 1` held) and the message just
        // taken.
        let local = local.get_or_insert_with(Default::default);
        while let Some(waker) = state.grant_next(capacity) {
            local.granted.push(waker);
        }
    }
    first
}

/// Wakes the senders [`take_batch`] granted a slot; called with the lock released.
fn wake_granted<T>(local: &mut Option<Box<Batch<T>>>) {
    if let Some(local) = local {
        for waker in local.granted.drain(..) {
            waker.wake();
        }
    }
}

/// Fills a reserved slot (a permit's, or one a waiting sender acquired) and wakes the
/// receiver; once the receiver is gone the message is dropped at once, outside the lock.
fn fill<T>(mut state: MutexGuard<'_, State<T>>, msg: T) {
    state.reserved -= 1;
    if state.rx_gone {
        drop(state);
        drop(msg);
        return;
    }
    let waker = state.push(msg);
    drop(state);
    wake(waker);
}

fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// Creates a channel of `capacity` slots (at least one).
pub(crate) fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    debug_assert!(capacity > 0);
    let chan = Arc::new(Chan {
        state: Mutex::new(State {
            queue: VecDeque::new(),
            reserved: 0,
            closed: false,
            rx_waker: None,
            waiters: VecDeque::new(),
            next_ticket: 0,
            granted_below: u64::MAX,
            rx_gone: false,
            held: 0,
        }),
        senders: AtomicUsize::new(1),
        closed: AtomicBool::new(false),
        capacity,
    });
    (
        Sender { chan: chan.clone() },
        Receiver { chan, local: None },
    )
}

/// The sending half; cloning it adds a sender.
pub(crate) struct Sender<T> {
    chan: Arc<Chan<T>>,
}

/// A sender that does not keep the channel open.
pub(crate) struct WeakSender<T> {
    chan: Arc<Chan<T>>,
}

/// The receiving half.
pub(crate) struct Receiver<T> {
    chan: Arc<Chan<T>>,
    /// Messages taken from the queue in one batch and not yet received: still counted as
    /// `State::held`, so the capacity bound holds (see [`BATCH`]); and the senders granted a
    /// slot under the last lock. Boxed on the first batch of more than one message or the first
    /// grant: one word in every idle actor's task (a `VecDeque` inline took tokio's
    /// task for a small actor from 384 to 512 bytes).
    local: Option<Box<Batch<T>>>,
}

/// One slot, reserved: sending through it cannot fail or wait.
pub(crate) struct Permit<'a, T> {
    chan: &'a Chan<T>,
}

impl<T> Sender<T> {
    /// Sends if there is room now (and nobody waits for room before us).
    pub(crate) fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        let chan = &*self.chan;
        let mut state = chan.lock();
        if state.closed {
            return Err(TrySendError::Closed(msg));
        }
        if !state.waiters.is_empty() || !state.has_room(chan.capacity) {
            return Err(TrySendError::Full(msg));
        }
        let waker = state.push(msg);
        drop(state);
        wake(waker);
        Ok(())
    }

    /// Sends, waiting for room. Cancel safe: dropped while waiting, it gives up its place
    /// (or the slot it was granted) and the message is dropped with the future.
    pub(crate) async fn send(&self, msg: T) -> Result<(), SendError<T>> {
        let mut slot = Slot::new(&self.chan);
        match poll_fn(|cx| slot.poll_acquire(cx)).await {
            Ok(state) => {
                fill(state, msg);
                Ok(())
            }
            Err(()) => Err(SendError::Closed(msg)),
        }
    }

    /// Sends, waiting for room until `deadline` (`None`: no deadline); the message comes
    /// back on a timeout as on a close.
    pub(crate) async fn send_until(
        &self,
        msg: T,
        deadline: Option<Instant>,
    ) -> Result<(), SendTimeoutError<T>> {
        let Some(deadline) = deadline else {
            return self.send(msg).await.map_err(SendTimeoutError::from);
        };
        let mut slot = Slot::new(&self.chan);
        let mut sleep = std::pin::pin!(tokio::time::sleep_until(deadline));
        let acquired = poll_fn(|cx| match slot.poll_acquire(cx) {
            Poll::Ready(acquired) => Poll::Ready(Some(acquired)),
            Poll::Pending => sleep.as_mut().poll(cx).map(|()| None),
        })
        .await;
        match acquired {
            Some(Ok(state)) => {
                fill(state, msg);
                Ok(())
            }
            Some(Err(())) => Err(SendTimeoutError::Closed(msg)),
            None => Err(SendTimeoutError::Timeout(msg)),
        }
    }

    /// Reserves a slot if one is free now.
    pub(crate) fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        let chan = &*self.chan;
        let mut state = chan.lock();
        if state.closed {
            return Err(TrySendError::Closed(()));
        }
        if !state.waiters.is_empty() || !state.has_room(chan.capacity) {
            return Err(TrySendError::Full(()));
        }
        state.reserved += 1;
        Ok(Permit { chan })
    }

    /// Reserves a slot, waiting for room. Cancel safe as [`send`](Self::send).
    pub(crate) async fn reserve(&self) -> Result<Permit<'_, T>, Closed> {
        let mut slot = Slot::new(&self.chan);
        let acquired = poll_fn(|cx| slot.poll_acquire(cx).map(|r| r.map(drop))).await;
        acquired.map_err(|()| Closed)?;
        Ok(Permit { chan: &self.chan })
    }

    /// True once the receiver closed the channel or is gone.
    pub(crate) fn is_closed(&self) -> bool {
        self.chan.closed.load(Ordering::Acquire)
    }

    /// Free slots now.
    pub(crate) fn capacity(&self) -> usize {
        let state = self.chan.lock();
        self.chan.capacity - state.queue.len() - state.reserved - state.held
    }

    /// The capacity the channel was made with.
    pub(crate) fn max_capacity(&self) -> usize {
        self.chan.capacity
    }

    /// A sender that does not keep the channel open.
    pub(crate) fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.senders.fetch_add(1, Ordering::Relaxed);
        Self {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.chan.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            // The last sender: a receiver waiting on an empty queue learns it is over.
            let waker = self.chan.lock().rx_waker.take();
            wake(waker);
        }
    }
}

impl<T> WeakSender<T> {
    /// A sender again, unless every sender is gone.
    pub(crate) fn upgrade(&self) -> Option<Sender<T>> {
        let mut n = self.chan.senders.load(Ordering::Relaxed);
        loop {
            if n == 0 {
                return None;
            }
            match self.chan.senders.compare_exchange_weak(
                n,
                n + 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    return Some(Sender {
                        chan: self.chan.clone(),
                    });
                }
                Err(now) => n = now,
            }
        }
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        Self {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Permit<'_, T> {
    /// Sends through the reserved slot. After a close the message is still queued, for the
    /// receiver's drain; once the receiver is gone it is dropped here and now, as the queue
    /// was (it may hold a reply someone waits for).
    pub(crate) fn send(self, msg: T) {
        let state = self.chan.lock();
        std::mem::forget(self);
        fill(state, msg);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        let waker = self.chan.lock().unreserve(self.chan.capacity);
        wake(waker);
    }
}

/// A sender's claim on a slot, while it waits for one.
struct Slot<'a, T> {
    chan: &'a Chan<T>,
    /// The ticket while in line (or granted and not yet polled).
    ticket: Option<u64>,
}

impl<'a, T> Slot<'a, T> {
    fn new(chan: &'a Chan<T>) -> Self {
        Self { chan, ticket: None }
    }

    /// Ready with the lock held and one slot counted in `reserved`, or with `Err` once the
    /// channel is closed. Spends a unit of tokio's budget when ready.
    fn poll_acquire(&mut self, cx: &mut Context<'_>) -> Poll<Result<MutexGuard<'a, State<T>>, ()>> {
        let restore = ready!(coop::poll_proceed(cx));
        let chan = self.chan;
        let mut state = chan.lock();
        match self.ticket {
            None => {
                if state.closed {
                    return Poll::Ready(Err(()));
                }
                if state.waiters.is_empty() && state.has_room(chan.capacity) {
                    state.reserved += 1;
                    restore.made_progress();
                    return Poll::Ready(Ok(state));
                }
                let ticket = state.next_ticket;
                state.next_ticket += 1;
                state.waiters.push_back((ticket, cx.waker().clone()));
                self.ticket = Some(ticket);
                Poll::Pending
            }
            Some(ticket) => {
                if let Some(i) = state.waiting(ticket) {
                    let waker = &mut state.waiters[i].1;
                    if waker.will_wake(cx.waker()) {
                        return Poll::Pending;
                    }
                    let replaced = std::mem::replace(waker, cx.waker().clone());
                    drop(state);
                    drop(replaced);
                    return Poll::Pending;
                }
                self.ticket = None;
                if ticket >= state.granted_below {
                    // Refused by the close.
                    return Poll::Ready(Err(()));
                }
                if state.closed {
                    // Granted before the close: the message goes back to its sender all
                    // the same.
                    let waker = state.unreserve(chan.capacity);
                    drop(state);
                    wake(waker);
                    return Poll::Ready(Err(()));
                }
                restore.made_progress();
                Poll::Ready(Ok(state))
            }
        }
    }
}

impl<T> Drop for Slot<'_, T> {
    fn drop(&mut self) {
        let Some(ticket) = self.ticket else { return };
        let mut state = self.chan.lock();
        if let Some(i) = state.waiting(ticket) {
            let removed = state.waiters.remove(i);
            drop(state);
            drop(removed);
            return;
        }
        if ticket < state.granted_below {
            // Granted, never used: pass the slot on.
            let waker = state.unreserve(self.chan.capacity);
            drop(state);
            wake(waker);
        }
    }
}

impl<T> Receiver<T> {
    /// The next message; `None` once the channel is closed (or every sender gone), empty,
    /// and no permit is outstanding.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let restore = ready!(coop::poll_proceed(cx));
        if let Some(msg) = self.local.as_mut().and_then(|l| l.queue.pop_front()) {
            restore.made_progress();
            return Poll::Ready(Some(msg));
        }
        let chan = &*self.chan;
        let mut state = chan.lock();
        if let Some(msg) = take_batch(&mut self.local, &mut state, chan.capacity) {
            drop(state);
            wake_granted(&mut self.local);
            restore.made_progress();
            return Poll::Ready(Some(msg));
        }
        if state.reserved == 0 && (state.closed || chan.senders.load(Ordering::Acquire) == 0) {
            drop(state);
            wake_granted(&mut self.local);
            return Poll::Ready(None);
        }
        if state.queue.capacity() > keep::<T>() {
            // Idle after a burst: give most of the buffer back (no user code runs here).
            state.queue.shrink_to(keep::<T>());
        }
        let replaced = match &mut state.rx_waker {
            Some(waker) if waker.will_wake(cx.waker()) => None,
            slot => slot.replace(cx.waker().clone()),
        };
        drop(state);
        wake_granted(&mut self.local);
        // Outside the lock, as every waker this channel lets go of.
        drop(replaced);
        Poll::Pending
    }

    /// The next message, waiting for one; `None` as [`poll_recv`](Self::poll_recv).
    pub(crate) async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// The next message if one is queued.
    pub(crate) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        if let Some(msg) = self.local.as_mut().and_then(|l| l.queue.pop_front()) {
            return Ok(msg);
        }
        let chan = &*self.chan;
        let mut state = chan.lock();
        let first = take_batch(&mut self.local, &mut state, chan.capacity);
        let result = match first {
            Some(msg) => Ok(msg),
            None if state.reserved == 0
                && (state.closed || chan.senders.load(Ordering::Acquire) == 0) =>
            {
                Err(TryRecvError::Disconnected)
            }
            None => Err(TryRecvError::Empty),
        };
        drop(state);
        wake_granted(&mut self.local);
        result
    }

    /// Refuses new messages and reservations; waiting senders get their messages back. What
    /// is queued, and what outstanding permits send, can still be received.
    pub(crate) fn close(&mut self) {
        let mut state = self.chan.lock();
        if state.closed {
            return;
        }
        state.closed = true;
        self.chan.closed.store(true, Ordering::Release);
        state.granted_below = state.waiters.front().map_or(state.next_ticket, |(t, _)| *t);
        let waiters = std::mem::take(&mut state.waiters);
        drop(state);
        for (_, waker) in waiters {
            waker.wake();
        }
    }

    /// Messages queued now.
    pub(crate) fn len(&self) -> usize {
        self.chan.lock().queue.len() + self.local.as_ref().map_or(0, |l| l.queue.len())
    }

    /// The capacity the channel was made with.
    pub(crate) fn max_capacity(&self) -> usize {
        self.chan.capacity
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
        let mut state = self.chan.lock();
        // From now on a permit's message is dropped, not queued (see `Permit::send`).
        state.rx_gone = true;
        let queue = std::mem::take(&mut state.queue);
        // The senders may outlive the receiver's task by far: its waker goes too.
        let waker = state.rx_waker.take();
        drop(state);
        // Dropped outside the lock: a message's `Drop` is user code.
        drop(waker);
        drop(queue);
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("capacity", &self.chan.capacity)
            .field("closed", &self.is_closed())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::time::Duration;

    use super::*;

    /// A future polled by hand, with a waker that records whether it was woken (what
    /// `tokio_test::task` does, in a few lines).
    struct Polled<F> {
        future: Pin<Box<F>>,
        woken: Arc<Woken>,
    }

    #[derive(Default)]
    struct Woken(AtomicBool);

    impl std::task::Wake for Woken {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    impl<F: Future> Polled<F> {
        fn poll(&mut self) -> Poll<F::Output> {
            self.woken.0.store(false, Ordering::SeqCst);
            let waker = Waker::from(self.woken.clone());
            self.future.as_mut().poll(&mut Context::from_waker(&waker))
        }

        fn is_woken(&self) -> bool {
            self.woken.0.load(Ordering::SeqCst)
        }
    }

    mod task {
        pub(super) fn spawn<F>(future: F) -> super::Polled<F> {
            super::Polled {
                future: Box::pin(future),
                woken: Default::default(),
            }
        }
    }

    macro_rules! assert_pending {
        ($poll:expr) => {
            assert!($poll.is_pending())
        };
    }

    macro_rules! assert_ready {
        ($poll:expr) => {
            match $poll {
                Poll::Ready(output) => output,
                Poll::Pending => panic!("pending"),
            }
        };
    }

    #[test]
    fn an_idle_queue_gives_back_the_buffer_a_burst_grew() {
        let (tx, mut rx) = channel::<[u64; 2]>(1024);
        for i in 0..1024 {
            tx.try_send([i, i]).unwrap();
        }
        let grown = rx.chan.lock().queue.capacity();
        assert!(grown >= 1024, "{grown}");
        let mut recv = task::spawn(poll_fn(|cx| rx.poll_recv(cx)));
        for i in 0..1024 {
            assert_eq!(assert_ready!(recv.poll()), Some([i, i]));
        }
        // Empty: the receiver waits, and the buffer shrinks to a kilobyte (64 messages).
        assert_pending!(recv.poll());
        drop(recv);
        let kept = rx.chan.lock().queue.capacity();
        assert!((64..grown).contains(&kept), "kept {kept} of {grown}");
        // A queue that never grew past that is left alone.
        tx.try_send([7, 7]).unwrap();
        assert_eq!(rx.try_recv(), Ok([7, 7]));
        assert_eq!(rx.chan.lock().queue.capacity(), kept);
    }

    #[test]
    fn senders_waiting_for_room_are_served_in_order_and_nobody_barges() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        let mut first = task::spawn(tx.send(1));
        let mut second = task::spawn(tx.send(2));
        assert_pending!(first.poll());
        assert_pending!(second.poll());
        assert_eq!(rx.try_recv(), Ok(0));
        // The freed slot went to the first waiter: a newcomer finds no room.
        assert_eq!(tx.try_send(9), Err(TrySendError::Full(9)));
        assert!(first.is_woken());
        assert_pending!(second.poll());
        assert_eq!(assert_ready!(first.poll()), Ok(()));
        assert_eq!(rx.try_recv(), Ok(1));
        assert!(second.is_woken());
        assert_eq!(assert_ready!(second.poll()), Ok(()));
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    }

    #[test]
    fn a_cancelled_waiter_passes_its_granted_slot_on() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        let mut first = task::spawn(tx.send(1));
        let mut second = task::spawn(tx.send(2));
        assert_pending!(first.poll());
        assert_pending!(second.poll());
        assert_eq!(rx.try_recv(), Ok(0));
        // Granted, then dropped before it could use the slot.
        drop(first);
        assert!(second.is_woken());
        assert_eq!(assert_ready!(second.poll()), Ok(()));
        assert_eq!(rx.try_recv(), Ok(2));
        // A waiter dropped while still in line leaves no trace either.
        tx.try_send(3).unwrap();
        let mut third = task::spawn(tx.send(4));
        assert_pending!(third.poll());
        drop(third);
        assert_eq!(rx.try_recv(), Ok(3));
        assert_eq!(tx.capacity(), 1);
        tx.try_send(5).unwrap();
    }

    #[test]
    fn close_gives_waiting_senders_their_messages_back_and_the_queue_drains() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        let mut waiting = task::spawn(tx.send(1));
        assert_pending!(waiting.poll());
        rx.close();
        assert!(tx.is_closed());
        assert!(waiting.is_woken());
        assert_eq!(assert_ready!(waiting.poll()), Err(SendError::Closed(1)));
        assert_eq!(tx.try_send(2), Err(TrySendError::Closed(2)));
        assert_eq!(rx.try_recv(), Ok(0));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    }

    #[test]
    fn a_slot_granted_before_the_close_still_hands_the_message_back() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        let mut waiting = task::spawn(tx.send(1));
        assert_pending!(waiting.poll());
        assert_eq!(rx.try_recv(), Ok(0));
        rx.close();
        assert_eq!(assert_ready!(waiting.poll()), Err(SendError::Closed(1)));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    }

    #[test]
    fn the_drain_waits_for_an_outstanding_permit() {
        let (tx, mut rx) = channel::<u32>(2);
        let permit = tx.try_reserve().unwrap();
        rx.close();
        assert_eq!(tx.try_reserve().err(), Some(TrySendError::Closed(())));
        let mut drain = task::spawn(rx.recv());
        assert_pending!(drain.poll());
        permit.send(7);
        assert!(drain.is_woken());
        assert_eq!(assert_ready!(drain.poll()), Some(7));
        drop(drain);
        let mut end = task::spawn(rx.recv());
        assert_eq!(assert_ready!(end.poll()), None);
    }

    #[test]
    fn an_unused_permit_frees_its_slot_for_the_next_waiter() {
        let (tx, _rx) = channel::<u32>(1);
        let permit = tx.try_reserve().unwrap();
        let mut waiting = task::spawn(tx.send(1));
        assert_pending!(waiting.poll());
        drop(permit);
        assert!(waiting.is_woken());
        assert_eq!(assert_ready!(waiting.poll()), Ok(()));
        assert_eq!(tx.capacity(), 0);
    }

    #[test]
    fn the_last_sender_ends_the_receiver_and_weak_senders_do_not_count() {
        let (tx, mut rx) = channel::<u32>(4);
        let weak = tx.downgrade();
        let again = weak.upgrade().unwrap();
        drop(tx);
        again.try_send(1).unwrap();
        let mut recv = task::spawn(rx.recv());
        assert_eq!(assert_ready!(recv.poll()), Some(1));
        drop(recv);
        let mut recv = task::spawn(rx.recv());
        assert_pending!(recv.poll());
        drop(again);
        assert!(recv.is_woken());
        assert_eq!(assert_ready!(recv.poll()), None);
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn dropping_the_receiver_closes_the_channel_and_drops_the_queue() {
        let (tx, rx) = channel::<Arc<()>>(2);
        let msg = Arc::new(());
        tx.try_send(msg.clone()).unwrap();
        drop(rx);
        assert!(tx.is_closed());
        assert_eq!(Arc::strong_count(&msg), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn send_until_hands_the_message_back_at_the_deadline() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        let deadline = Instant::now() + Duration::from_millis(10);
        assert_eq!(
            tx.send_until(1, Some(deadline)).await,
            Err(SendTimeoutError::Timeout(1))
        );
        // The timed-out sender left the line: the next slot is free for anyone.
        assert_eq!(rx.recv().await, Some(0));
        assert_eq!(tx.send_until(2, Some(deadline)).await, Ok(()));
        assert_eq!(rx.recv().await, Some(2));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_senders_on_a_small_channel_lose_nothing_and_keep_their_order() {
        let (tx, mut rx) = channel::<(u32, u32)>(3);
        let senders: Vec<_> = (0..8)
            .map(|s| {
                let tx = tx.clone();
                tokio::spawn(async move {
                    for i in 0..2_000 {
                        tx.send((s, i)).await.unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let mut next = [0u32; 8];
        while let Some((s, i)) = rx.recv().await {
            assert_eq!(next[s as usize], i);
            next[s as usize] += 1;
        }
        for sender in senders {
            sender.await.unwrap();
        }
        assert_eq!(next, [2_000; 8]);
    }

    // ---- Review tests: cancellation at every point, close, permits, coop, races. ----

    /// A message that counts its own drops, to see where it goes.
    #[derive(Debug)]
    struct Counted(Arc<AtomicUsize>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_permit_sent_after_the_receiver_is_gone_drops_its_message_at_once() {
        // A message may carry the answer channel of an `ask`: held in a dead mailbox, it would
        // leave the asker waiting for its timeout instead of learning the actor is gone.
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = channel::<Counted>(2);
        let permit = tx.try_reserve().unwrap();
        drop(rx);
        permit.send(Counted(drops.clone()));
        assert_eq!(
            drops.load(Ordering::SeqCst),
            1,
            "held by a channel nobody reads"
        );
        assert_eq!(tx.capacity(), 2);
    }

    #[test]
    fn a_dropped_receiver_lets_go_of_its_waker() {
        let (tx, mut rx) = channel::<u32>(1);
        let woken = Arc::new(Woken::default());
        let waker = Waker::from(woken.clone());
        assert_pending!(rx.poll_recv(&mut Context::from_waker(&waker)));
        drop(waker);
        drop(rx);
        // The receiver's task may be long gone; the channel lives on in every sender.
        assert_eq!(Arc::strong_count(&woken), 1);
        drop(tx);
    }

    #[test]
    fn futures_dropped_before_their_first_poll_leave_no_trace() {
        let (tx, mut rx) = channel::<u32>(1);
        drop(tx.send(1));
        drop(tx.reserve());
        assert_eq!(tx.capacity(), 1);
        tx.try_send(0).unwrap();
        let mut waiting = task::spawn(tx.send(2));
        assert_pending!(waiting.poll());
        drop(tx.send(3));
        drop(tx.reserve());
        assert_eq!(rx.try_recv(), Ok(0));
        assert!(waiting.is_woken());
        assert_eq!(assert_ready!(waiting.poll()), Ok(()));
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(tx.capacity(), 1);
    }

    #[test]
    fn a_reservation_granted_then_dropped_passes_the_slot_on() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        let mut first = task::spawn(tx.reserve());
        let mut second = task::spawn(tx.reserve());
        assert_pending!(first.poll());
        assert_pending!(second.poll());
        assert_eq!(rx.try_recv(), Ok(0));
        assert!(first.is_woken());
        assert!(!second.is_woken());
        assert_eq!(tx.capacity(), 0);
        drop(first);
        assert!(second.is_woken());
        let permit = assert_ready!(second.poll()).unwrap();
        assert_eq!(tx.try_send(9), Err(TrySendError::Full(9)));
        permit.send(2);
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(tx.capacity(), 1);
    }

    #[test]
    fn a_granted_reservation_refused_by_the_close_ends_the_drain() {
        for poll_it in [true, false] {
            let (tx, mut rx) = channel::<u32>(1);
            tx.try_send(0).unwrap();
            let mut waiting = task::spawn(tx.reserve());
            assert_pending!(waiting.poll());
            assert_eq!(rx.try_recv(), Ok(0));
            rx.close();
            // The granted slot is still counted: the drain cannot say "over" yet.
            assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
            let woken = Arc::new(Woken::default());
            let waker = Waker::from(woken.clone());
            assert_pending!(rx.poll_recv(&mut Context::from_waker(&waker)));
            if poll_it {
                assert!(matches!(assert_ready!(waiting.poll()), Err(Closed)));
            } else {
                drop(waiting);
            }
            assert!(woken.0.load(Ordering::SeqCst), "the drain was never told");
            assert_eq!(
                rx.poll_recv(&mut Context::from_waker(&waker)),
                Poll::Ready(None)
            );
            assert_eq!(tx.capacity(), 1);
        }
    }

    #[test]
    fn the_close_refuses_the_line_behind_a_grant_and_a_cancellation() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        let mut a = task::spawn(tx.send(1));
        let mut b = task::spawn(tx.send(2));
        let mut c = task::spawn(tx.reserve());
        let mut d = task::spawn(tx.send(4));
        assert_pending!(a.poll());
        assert_pending!(b.poll());
        assert_pending!(c.poll());
        assert_pending!(d.poll());
        // b leaves the middle of the line; a is granted; then the close.
        drop(b);
        assert_eq!(rx.try_recv(), Ok(0));
        assert!(a.is_woken());
        assert!(!c.is_woken());
        rx.close();
        assert!(c.is_woken());
        assert!(d.is_woken());
        assert!(matches!(assert_ready!(c.poll()), Err(Closed)));
        assert_eq!(assert_ready!(d.poll()), Err(SendError::Closed(4)));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(assert_ready!(a.poll()), Err(SendError::Closed(1)));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        assert_eq!(tx.capacity(), 1);
    }

    #[test]
    fn a_waiter_repolled_with_a_new_waker_is_woken_through_it() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        let mut fut = Box::pin(tx.send(1));
        let old = Arc::new(Woken::default());
        let new = Arc::new(Woken::default());
        let old_waker = Waker::from(old.clone());
        let new_waker = Waker::from(new.clone());
        assert_pending!(fut.as_mut().poll(&mut Context::from_waker(&old_waker)));
        assert_pending!(fut.as_mut().poll(&mut Context::from_waker(&new_waker)));
        assert_eq!(rx.try_recv(), Ok(0));
        assert!(new.0.load(Ordering::SeqCst));
        assert!(!old.0.load(Ordering::SeqCst));
        assert_eq!(
            fut.as_mut().poll(&mut Context::from_waker(&new_waker)),
            Poll::Ready(Ok(()))
        );
    }

    #[test]
    fn permits_keep_the_drain_open_and_the_count_never_underflows() {
        let (tx, mut rx) = channel::<u32>(2);
        let a = tx.try_reserve().unwrap();
        let b = tx.try_reserve().unwrap();
        assert_eq!(tx.capacity(), 0);
        assert_eq!(tx.try_reserve().err(), Some(TrySendError::Full(())));
        rx.close();
        assert_eq!(tx.capacity(), 0);
        a.send(1);
        assert_eq!(tx.capacity(), 0);
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(tx.capacity(), 1);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        drop(b);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        assert_eq!(tx.capacity(), 2);
        // And after the receiver is gone too.
        let (tx, rx) = channel::<u32>(1);
        let permit = tx.try_reserve().unwrap();
        drop(rx);
        assert_eq!(tx.capacity(), 0);
        permit.send(1);
        assert_eq!(tx.capacity(), 1);
        assert_eq!(tx.try_send(2), Err(TrySendError::Closed(2)));
    }

    #[test]
    fn a_receiver_waiting_on_permits_is_woken_by_the_last_senders_drop() {
        let (tx, mut rx) = channel::<u32>(2);
        let tx2 = tx.clone();
        let permit = tx.try_reserve().unwrap();
        let woken = Arc::new(Woken::default());
        let waker = Waker::from(woken.clone());
        let mut cx = Context::from_waker(&waker);
        drop(tx2);
        assert_pending!(rx.poll_recv(&mut cx));
        permit.send(5);
        assert!(woken.0.load(Ordering::SeqCst));
        assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(5)));
        woken.0.store(false, Ordering::SeqCst);
        assert_pending!(rx.poll_recv(&mut cx));
        drop(tx);
        assert!(woken.0.load(Ordering::SeqCst));
        assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(None));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    }

    #[tokio::test(start_paused = true)]
    async fn send_until_takes_a_slot_granted_before_its_deadline_even_if_polled_after() {
        let (tx, mut rx) = channel::<u32>(1);
        tx.try_send(0).unwrap();
        let deadline = Instant::now() + Duration::from_millis(10);
        let mut first = task::spawn(tx.send_until(1, Some(deadline)));
        let mut second = task::spawn(tx.send_until(2, Some(deadline)));
        let mut third = task::spawn(tx.send(3));
        assert_pending!(first.poll());
        assert_pending!(second.poll());
        assert_pending!(third.poll());
        assert_eq!(rx.try_recv(), Ok(0));
        assert!(first.is_woken());
        tokio::time::advance(Duration::from_millis(20)).await;
        // Granted in time: the message goes, late poll or not.
        assert_eq!(assert_ready!(first.poll()), Ok(()));
        // Still in line at the deadline: the message comes back, and the line moves on.
        assert!(second.is_woken());
        assert_eq!(
            assert_ready!(second.poll()),
            Err(SendTimeoutError::Timeout(2))
        );
        assert_eq!(rx.try_recv(), Ok(1));
        assert!(third.is_woken());
        assert_eq!(assert_ready!(third.poll()), Ok(()));
        assert_eq!(rx.try_recv(), Ok(3));
        // A send_until granted and then dropped passes its slot on.
        tx.try_send(4).unwrap();
        let deadline = Instant::now() + Duration::from_millis(10);
        let mut granted = task::spawn(tx.send_until(5, Some(deadline)));
        let mut next = task::spawn(tx.send(6));
        assert_pending!(granted.poll());
        assert_pending!(next.poll());
        assert_eq!(rx.try_recv(), Ok(4));
        drop(granted);
        assert!(next.is_woken());
        assert_eq!(assert_ready!(next.poll()), Ok(()));
        assert_eq!(rx.try_recv(), Ok(6));
        assert_eq!(tx.capacity(), 1);
    }

    #[tokio::test]
    async fn sends_and_receives_spend_the_budget_and_waiting_does_not() {
        // Each in a task of its own, with a fresh budget.
        tokio::spawn(async {
            let (tx, mut rx) = channel::<u32>(1024);
            let mut sent = 0;
            while tokio::task::coop::has_budget_remaining() {
                tx.send(sent).await.unwrap();
                sent += 1;
            }
            assert_eq!(sent, 128);
            tokio::task::yield_now().await;
            let mut received = 0;
            while tokio::task::coop::has_budget_remaining() {
                assert_eq!(rx.recv().await, Some(received));
                received += 1;
            }
            assert_eq!(received, 128);
            // try_send and try_recv spend nothing.
            tokio::task::yield_now().await;
            for i in 0..500 {
                let _ = tx.try_send(i);
                let _ = rx.try_recv();
            }
            assert!(tokio::task::coop::has_budget_remaining());
        })
        .await
        .unwrap();
        tokio::spawn(async {
            let (tx, mut rx) = channel::<u32>(1);
            tx.try_send(0).unwrap();
            let mut waiting = task::spawn(tx.send(1));
            for _ in 0..500 {
                assert_pending!(waiting.poll());
            }
            let mut waiting_reserve = task::spawn(tx.reserve());
            for _ in 0..500 {
                assert_pending!(waiting_reserve.poll());
            }
            assert_eq!(rx.try_recv(), Ok(0));
            let mut empty = task::spawn(async {});
            let _ = empty.poll();
            assert!(tokio::task::coop::has_budget_remaining());
            // Granted, but polled without budget: the grant waits, nobody barges.
            while tokio::task::coop::has_budget_remaining() {
                let mut spend = task::spawn(tokio::task::coop::consume_budget());
                assert_ready!(spend.poll());
            }
            assert_pending!(waiting.poll());
            assert_eq!(tx.try_send(9), Err(TrySendError::Full(9)));
            // tokio defers the budget's wake-up to the task's yield.
            tokio::task::yield_now().await;
            assert!(waiting.is_woken(), "the budget's wake-up");
            // A fresh budget of 128: the granted send takes the last unit.
            for _ in 0..127 {
                let mut spend = task::spawn(tokio::task::coop::consume_budget());
                assert_ready!(spend.poll());
            }
            assert!(tokio::task::coop::has_budget_remaining());
            assert_eq!(assert_ready!(waiting.poll()), Ok(()));
            assert!(!tokio::task::coop::has_budget_remaining());
            assert_eq!(rx.try_recv(), Ok(1));
            drop(waiting_reserve);
            assert_eq!(tx.capacity(), 1);
        })
        .await
        .unwrap();
    }

    #[test]
    fn a_weak_upgrade_racing_the_last_drop_never_strands_the_receiver() {
        for _ in 0..300 {
            let (tx, mut rx) = channel::<u32>(1);
            let weak = tx.downgrade();
            let woken = Arc::new(Woken::default());
            let waker = Waker::from(woken.clone());
            let mut cx = Context::from_waker(&waker);
            assert_pending!(rx.poll_recv(&mut cx));
            let upgraded = std::thread::scope(|s| {
                s.spawn(move || drop(tx));
                s.spawn(|| weak.upgrade().map(|tx| tx.try_send(1).is_ok()))
                    .join()
                    .unwrap()
            });
            assert!(woken.0.load(Ordering::SeqCst), "the receiver slept on");
            if let Some(sent) = upgraded {
                assert!(sent);
                assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
            }
            assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(None));
            assert!(weak.upgrade().is_none());
        }
    }

    /// A small xorshift, for interleavings that are random but the same on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// What a hand-polled send or reservation ends with.
    enum Out<'a> {
        Sent,
        Permit(Permit<'a, u32>),
        /// Refused by the close: the message back for a send, `None` for a reservation.
        Refused(Option<u32>),
    }

    type Fut<'a> = Pin<Box<dyn Future<Output = Out<'a>> + 'a>>;

    struct InFlight<'a> {
        id: usize,
        /// The message of a send; `None` for a reservation.
        msg: Option<u32>,
        fut: Polled<Fut<'a>>,
    }

    /// What the channel should look like: the reference the real one is held to.
    #[derive(Default)]
    struct Model {
        cap: usize,
        queue: VecDeque<u32>,
        permits: usize,
        /// Ids of the futures waiting for room, in order.
        line: VecDeque<usize>,
        /// Ids granted a slot and not yet polled.
        granted: Vec<usize>,
        /// Ids refused by the close and not yet polled.
        refused: Vec<usize>,
        closed: bool,
        rx_waiting: bool,
        /// How many of `queue`'s first messages are in the receiver's batch.
        local: usize,
        /// The batch's messages at the receiver's last lock (`State::held`).
        held: usize,
    }

    impl Model {
        fn reserved(&self) -> usize {
            self.permits + self.granted.len()
        }

        /// Slots taken: queued outside the batch, held by the batch, reserved.
        fn taken(&self) -> usize {
            self.queue.len() - self.local + self.held + self.reserved()
        }

        fn room(&self) -> bool {
            self.taken() < self.cap
        }

        /// A receive: from the batch without the lock; else, under the lock, the last batch's
        /// slots come back, a new batch is taken, and every slot freed is granted.
        fn receive(&mut self, in_flight: &[InFlight<'_>]) -> Option<u32> {
            if self.local > 0 {
                self.local -= 1;
                return self.queue.pop_front();
            }
            self.held = 0;
            let first = self.queue.pop_front();
            if first.is_some() {
                self.local = self.queue.len().min(BATCH - 1);
                self.held = self.local;
            }
            loop {
                let before = self.granted.len();
                self.freed(in_flight);
                if self.granted.len() == before {
                    break first;
                }
            }
        }

        fn ended(&self) -> bool {
            self.closed && self.queue.is_empty() && self.reserved() == 0
        }

        /// A slot came free: the first in line must have been granted it, and woken.
        fn freed(&mut self, in_flight: &[InFlight<'_>]) {
            if self.closed || !self.room() {
                return;
            }
            if let Some(id) = self.line.pop_front() {
                self.granted.push(id);
                let f = in_flight.iter().find(|f| f.id == id).unwrap();
                assert!(f.fut.is_woken(), "waiter {id} granted a slot but not woken");
            }
        }

        /// A message was queued, or a reservation given back: a waiting receiver must know.
        fn check_rx(&mut self, rx_woken: &Woken, pushed: bool) {
            if self.rx_waiting && (pushed || self.ended()) {
                assert!(rx_woken.0.load(Ordering::SeqCst), "receiver not woken");
                self.rx_waiting = false;
            }
        }
    }

    fn send_fut(tx: &Sender<u32>, msg: u32) -> Fut<'_> {
        Box::pin(async move {
            match tx.send(msg).await {
                Ok(()) => Out::Sent,
                Err(SendError::Closed(msg)) => Out::Refused(Some(msg)),
                Err(SendError::WouldDeadlock(_)) => unreachable!(),
            }
        })
    }

    fn reserve_fut(tx: &Sender<u32>) -> Fut<'_> {
        Box::pin(async move {
            match tx.reserve().await {
                Ok(permit) => Out::Permit(permit),
                Err(Closed) => Out::Refused(None),
            }
        })
    }

    fn run_model(seed: u64, steps: usize) {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let cap = 1 + rng.below(4);
        let (tx, mut rx) = channel::<u32>(cap);
        let mut m = Model {
            cap,
            ..Model::default()
        };
        let rx_woken = Arc::new(Woken::default());
        let rx_waker = Waker::from(rx_woken.clone());
        let mut in_flight: Vec<InFlight<'_>> = Vec::new();
        let mut permits: Vec<Permit<'_, u32>> = Vec::new();
        let (mut next_msg, mut next_id) = (0u32, 0usize);
        let (mut accepted, mut received, mut returned) = (Vec::new(), Vec::new(), Vec::new());
        let mut cancelled = Vec::new();

        for step in 0..steps {
            let op = rng.below(100);
            let ctx = || format!("seed {seed} step {step} op {op}");
            match op {
                // try_send
                0..=9 => {
                    let msg = next_msg;
                    next_msg += 1;
                    let got = tx.try_send(msg);
                    if m.closed {
                        assert_eq!(got, Err(TrySendError::Closed(msg)), "{}", ctx());
                        returned.push(msg);
                    } else if !m.line.is_empty() || !m.room() {
                        assert_eq!(got, Err(TrySendError::Full(msg)), "{}", ctx());
                        returned.push(msg);
                    } else {
                        assert_eq!(got, Ok(()), "{}", ctx());
                        m.queue.push_back(msg);
                        accepted.push(msg);
                        m.check_rx(&rx_woken, true);
                    }
                }
                // try_reserve
                10..=14 => {
                    let got = tx.try_reserve();
                    if m.closed {
                        assert_eq!(got.err(), Some(TrySendError::Closed(())), "{}", ctx());
                    } else if !m.line.is_empty() || !m.room() {
                        assert_eq!(got.err(), Some(TrySendError::Full(())), "{}", ctx());
                    } else {
                        permits.push(got.expect("a permit"));
                        m.permits += 1;
                    }
                }
                // a new send or reservation, polled once
                15..=34 => {
                    let (msg, fut) = if op < 28 {
                        let msg = next_msg;
                        next_msg += 1;
                        (Some(msg), send_fut(&tx, msg))
                    } else {
                        (None, reserve_fut(&tx))
                    };
                    let id = next_id;
                    next_id += 1;
                    let mut fut = task::spawn(fut);
                    match fut.poll() {
                        Poll::Pending => {
                            assert!(!m.closed && (!m.line.is_empty() || !m.room()), "{}", ctx());
                            m.line.push_back(id);
                            in_flight.push(InFlight { id, msg, fut });
                        }
                        Poll::Ready(out) => {
                            if m.closed {
                                assert!(matches!(out, Out::Refused(r) if r == msg), "{}", ctx());
                                returned.extend(msg);
                            } else {
                                assert!(m.line.is_empty() && m.room(), "{}", ctx());
                                match out {
                                    Out::Sent => {
                                        let msg = msg.unwrap();
                                        m.queue.push_back(msg);
                                        accepted.push(msg);
                                        m.check_rx(&rx_woken, true);
                                    }
                                    Out::Permit(permit) => {
                                        assert!(msg.is_none());
                                        permits.push(permit);
                                        m.permits += 1;
                                    }
                                    Out::Refused(_) => panic!("refused, open: {}", ctx()),
                                }
                            }
                        }
                    }
                }
                // poll one in flight
                35..=49 if !in_flight.is_empty() => {
                    let i = rng.below(in_flight.len());
                    let id = in_flight[i].id;
                    let msg = in_flight[i].msg;
                    let polled = in_flight[i].fut.poll();
                    if m.line.contains(&id) {
                        assert!(polled.is_pending(), "{}", ctx());
                        continue;
                    }
                    let Poll::Ready(out) = polled else {
                        panic!("granted or refused, still pending: {}", ctx());
                    };
                    in_flight.swap_remove(i);
                    if let Some(at) = m.refused.iter().position(|r| *r == id) {
                        m.refused.swap_remove(at);
                        assert!(matches!(out, Out::Refused(r) if r == msg), "{}", ctx());
                        returned.extend(msg);
                        continue;
                    }
                    let at = m.granted.iter().position(|g| *g == id).unwrap();
                    m.granted.swap_remove(at);
                    if m.closed {
                        // Granted before the close, handed back after it.
                        assert!(matches!(out, Out::Refused(r) if r == msg), "{}", ctx());
                        returned.extend(msg);
                        m.check_rx(&rx_woken, false);
                    } else {
                        match out {
                            Out::Sent => {
                                let msg = msg.unwrap();
                                m.queue.push_back(msg);
                                accepted.push(msg);
                                m.check_rx(&rx_woken, true);
                            }
                            Out::Permit(permit) => {
                                permits.push(permit);
                                m.permits += 1;
                            }
                            Out::Refused(_) => panic!("refused, open: {}", ctx()),
                        }
                    }
                }
                // drop one in flight
                50..=59 if !in_flight.is_empty() => {
                    let i = rng.below(in_flight.len());
                    let f = in_flight.swap_remove(i);
                    let id = f.id;
                    cancelled.extend(f.msg);
                    drop(f);
                    if let Some(at) = m.line.iter().position(|w| *w == id) {
                        m.line.remove(at);
                    } else if let Some(at) = m.refused.iter().position(|r| *r == id) {
                        m.refused.swap_remove(at);
                    } else {
                        let at = m.granted.iter().position(|g| *g == id).unwrap();
                        m.granted.swap_remove(at);
                        m.freed(&in_flight);
                        m.check_rx(&rx_woken, false);
                    }
                }
                // send through a permit
                60..=65 if !permits.is_empty() => {
                    let permit = permits.swap_remove(rng.below(permits.len()));
                    let msg = next_msg;
                    next_msg += 1;
                    permit.send(msg);
                    m.permits -= 1;
                    m.queue.push_back(msg);
                    accepted.push(msg);
                    m.check_rx(&rx_woken, true);
                }
                // give a permit back
                66..=69 if !permits.is_empty() => {
                    drop(permits.swap_remove(rng.below(permits.len())));
                    m.permits -= 1;
                    m.freed(&in_flight);
                    m.check_rx(&rx_woken, false);
                }
                // try_recv
                70..=84 => {
                    let got = rx.try_recv();
                    if let Some(msg) = m.receive(&in_flight) {
                        assert_eq!(got, Ok(msg), "{}", ctx());
                        received.push(msg);
                    } else if m.ended() {
                        assert_eq!(got, Err(TryRecvError::Disconnected), "{}", ctx());
                    } else {
                        assert_eq!(got, Err(TryRecvError::Empty), "{}", ctx());
                    }
                }
                // poll_recv
                85..=97 => {
                    rx_woken.0.store(false, Ordering::SeqCst);
                    let got = rx.poll_recv(&mut Context::from_waker(&rx_waker));
                    if let Some(msg) = m.receive(&in_flight) {
                        assert_eq!(got, Poll::Ready(Some(msg)), "{}", ctx());
                        received.push(msg);
                    } else if m.ended() {
                        assert_eq!(got, Poll::Ready(None), "{}", ctx());
                    } else {
                        assert_eq!(got, Poll::Pending, "{}", ctx());
                        m.rx_waiting = true;
                    }
                }
                // close, now and then
                98..=99 if rng.below(4) == 0 => {
                    rx.close();
                    if !m.closed {
                        m.closed = true;
                        for id in std::mem::take(&mut m.line) {
                            let f = in_flight.iter().find(|f| f.id == id).unwrap();
                            assert!(f.fut.is_woken(), "refused waiter not woken: {}", ctx());
                            m.refused.push(id);
                        }
                    }
                    // The receiver closed it: it polls again rather than waits.
                    m.rx_waiting = false;
                }
                _ => {}
            }
            // Nobody waits while there is room: a newcomer could not take a slot ahead of them.
            assert!(m.line.is_empty() || !m.room(), "{}", ctx());
            assert_eq!(tx.is_closed(), m.closed, "{}", ctx());
            assert_eq!(rx.len(), m.queue.len(), "{}", ctx());
            assert_eq!(tx.capacity(), cap - m.taken(), "{}", ctx());
        }

        // The end: everyone gives up, and the channel is whole again.
        while !in_flight.is_empty() {
            let f = in_flight.swap_remove(rng.below(in_flight.len()));
            let id = f.id;
            cancelled.extend(f.msg);
            drop(f);
            if let Some(at) = m.line.iter().position(|w| *w == id) {
                m.line.remove(at);
            } else if let Some(at) = m.granted.iter().position(|g| *g == id) {
                m.granted.swap_remove(at);
                m.freed(&in_flight);
            }
        }
        m.permits -= permits.len();
        drop(permits);
        assert_eq!(tx.capacity(), cap - m.taken(), "seed {seed}");
        rx.close();
        while let Ok(msg) = rx.try_recv() {
            assert_eq!(Some(msg), m.queue.pop_front(), "seed {seed}");
            received.push(msg);
        }
        assert_eq!(
            rx.try_recv(),
            Err(TryRecvError::Disconnected),
            "seed {seed}"
        );
        assert_eq!(tx.capacity(), cap, "seed {seed}");
        assert_eq!(received, accepted, "seed {seed}");
        let mut all: Vec<u32> = accepted
            .into_iter()
            .chain(returned)
            .chain(cancelled)
            .collect();
        all.sort_unstable();
        assert_eq!(all.len(), next_msg as usize, "seed {seed}");
        assert!(
            all.iter().enumerate().all(|(i, m)| i as u32 == *m),
            "seed {seed}"
        );
    }

    #[test]
    fn random_interleavings_match_the_model() {
        for seed in 0..400 {
            run_model(seed, 400);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn senders_that_give_up_at_random_lose_and_duplicate_nothing() {
        for round in 0..6u64 {
            tokio::time::timeout(Duration::from_secs(20), stress_round(round))
                .await
                .expect("a message was lost or someone hangs");
        }
    }

    async fn stress_round(round: u64) {
        const SENDERS: u32 = 6;
        const EACH: u32 = 600;
        let cap = 1 + (round as usize % 3);
        let close_after = (round % 2 == 1).then_some(SENDERS * EACH / 3);
        let (tx, mut rx) = channel::<u32>(cap);
        let mut senders = tokio::task::JoinSet::new();
        for s in 0..SENDERS {
            let tx = tx.clone();
            let mut rng = Rng((round << 8 | u64::from(s)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            senders.spawn(async move {
                let mut accepted = Vec::new();
                for i in 0..EACH {
                    let msg = s * 1_000_000 + i;
                    let closed = match rng.below(7) {
                        0 => match tx.send(msg).await {
                            Ok(()) => {
                                accepted.push(msg);
                                false
                            }
                            Err(e) => matches!(e, SendError::Closed(m) if m == msg),
                        },
                        1 => match tokio::time::timeout(Duration::ZERO, tx.send(msg)).await {
                            Ok(Ok(())) => {
                                accepted.push(msg);
                                false
                            }
                            Ok(Err(_)) => true,
                            Err(_elapsed) => false,
                        },
                        2 => {
                            tokio::select! {
                                biased;
                                sent = tx.send(msg) => match sent {
                                    Ok(()) => {
                                        accepted.push(msg);
                                        false
                                    }
                                    Err(_) => true,
                                },
                                () = tokio::task::yield_now() => false,
                            }
                        }
                        3 => {
                            let deadline =
                                Instant::now() + Duration::from_micros(rng.below(50) as u64);
                            match tx.send_until(msg, Some(deadline)).await {
                                Ok(()) => {
                                    accepted.push(msg);
                                    false
                                }
                                Err(SendTimeoutError::Timeout(m)) => {
                                    assert_eq!(m, msg);
                                    false
                                }
                                Err(_) => true,
                            }
                        }
                        4 => match tx.reserve().await {
                            Ok(permit) => {
                                // Held across a turn of the scheduler.
                                tokio::task::yield_now().await;
                                if rng.below(4) != 0 {
                                    permit.send(msg);
                                    accepted.push(msg);
                                }
                                false
                            }
                            Err(Closed) => true,
                        },
                        5 => match tokio::time::timeout(Duration::ZERO, tx.reserve()).await {
                            Ok(Ok(permit)) => {
                                permit.send(msg);
                                accepted.push(msg);
                                false
                            }
                            Ok(Err(Closed)) => true,
                            Err(_elapsed) => false,
                        },
                        _ => match tx.try_send(msg) {
                            Ok(()) => {
                                accepted.push(msg);
                                false
                            }
                            Err(TrySendError::Full(_)) => {
                                tokio::task::yield_now().await;
                                false
                            }
                            Err(TrySendError::Closed(_)) => true,
                        },
                    };
                    if closed {
                        assert!(tx.is_closed());
                        break;
                    }
                }
                accepted
            });
        }
        let mut accepted = Vec::new();
        let mut received = std::collections::HashSet::new();
        let mut last = [None::<u32>; SENDERS as usize];
        let mut over = false;
        loop {
            if senders.is_empty() && received.len() == accepted.len() {
                break;
            }
            tokio::select! {
                msg = rx.recv(), if !over => {
                    let Some(msg) = msg else {
                        over = true;
                        continue;
                    };
                    assert!(received.insert(msg), "{msg} received twice");
                    let (s, i) = ((msg / 1_000_000) as usize, msg % 1_000_000);
                    assert!(last[s].is_none_or(|l| l < i), "sender {s} out of order");
                    last[s] = Some(i);
                    if close_after == Some(received.len() as u32) {
                        rx.close();
                    }
                }
                Some(done) = senders.join_next(), if !senders.is_empty() => {
                    accepted.extend(done.unwrap());
                }
            }
        }
        let accepted: std::collections::HashSet<u32> = accepted.into_iter().collect();
        assert_eq!(received, accepted);
        let expected = if rx.chan.lock().closed {
            TryRecvError::Disconnected
        } else {
            TryRecvError::Empty
        };
        // The receiver's next lock gives its last batch's slots back: every slot came back.
        assert_eq!(rx.try_recv(), Err(expected));
        assert_eq!(tx.capacity(), cap);
        drop(tx);
        assert_eq!(rx.recv().await, None);
    }
}
