//! The bounded channel under every mailbox: one allocation, one lock.
//!
//! tokio's `mpsc` channel allocates its shared part (several cache-padded fields) and a first
//! block of 32 slots when it is created, so an idle mailbox cost more than a kilobyte before
//! its first message. This channel is a queue, a capacity and the wakers behind one mutex, in
//! one allocation; the queue's buffer is allocated by the first message and grows to the
//! capacity at most. It keeps tokio's semantics where the library relies on them:
//! - senders waiting for room are served in the order they began to wait, and a slot freed
//!   while someone waits goes to the first of them (no barging);
//! - a send, a reservation and a receive each spend one unit of tokio's cooperative budget,
//!   as tokio's own channel does;
//! - [`Receiver::close`] refuses new messages and wakes the waiting senders (each gets its
//!   message back) while the receiver drains what is queued, and what outstanding
//!   [`Permit`]s still send;
//! - the channel also closes when the last [`Sender`] goes (weak senders do not count).
//!
//! The lock is held for a few instructions and never across user code: messages are dropped
//! and wakers woken after it is released.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker, ready};

use tokio::task::coop;
use tokio::time::Instant;

use crate::{SendError, SendTimeoutError, TrySendError};

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
        self.queue.len() + self.reserved < capacity
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
        }),
        senders: AtomicUsize::new(1),
        closed: AtomicBool::new(false),
        capacity,
    });
    (Sender { chan: chan.clone() }, Receiver { chan })
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
                slot.fill(state, msg);
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
                slot.fill(state, msg);
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
        self.chan.capacity - state.queue.len() - state.reserved
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
    /// receiver's drain.
    pub(crate) fn send(self, msg: T) {
        let mut state = self.chan.lock();
        state.reserved -= 1;
        let waker = state.push(msg);
        drop(state);
        std::mem::forget(self);
        wake(waker);
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
                    if !waker.will_wake(cx.waker()) {
                        waker.clone_from(cx.waker());
                    }
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

    /// Fills the slot `poll_acquire` counted in `state`, and wakes the receiver.
    fn fill(&self, mut state: MutexGuard<'a, State<T>>, msg: T) {
        state.reserved -= 1;
        let waker = state.push(msg);
        drop(state);
        wake(waker);
    }
}

impl<T> Drop for Slot<'_, T> {
    fn drop(&mut self) {
        let Some(ticket) = self.ticket else { return };
        let mut state = self.chan.lock();
        if let Some(i) = state.waiting(ticket) {
            state.waiters.remove(i);
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
        let chan = &*self.chan;
        let mut state = chan.lock();
        if let Some(msg) = state.queue.pop_front() {
            let waker = if state.waiters.is_empty() {
                None
            } else {
                state.grant_next(chan.capacity)
            };
            drop(state);
            wake(waker);
            restore.made_progress();
            return Poll::Ready(Some(msg));
        }
        if state.reserved == 0 && (state.closed || chan.senders.load(Ordering::Acquire) == 0) {
            return Poll::Ready(None);
        }
        match &mut state.rx_waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// The next message, waiting for one; `None` as [`poll_recv`](Self::poll_recv).
    pub(crate) async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// The next message if one is queued.
    pub(crate) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let chan = &*self.chan;
        let mut state = chan.lock();
        if let Some(msg) = state.queue.pop_front() {
            let waker = state.grant_next(chan.capacity);
            drop(state);
            wake(waker);
            return Ok(msg);
        }
        if state.reserved == 0 && (state.closed || chan.senders.load(Ordering::Acquire) == 0) {
            Err(TryRecvError::Disconnected)
        } else {
            Err(TryRecvError::Empty)
        }
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
        self.chan.lock().queue.len()
    }

    /// The capacity the channel was made with.
    pub(crate) fn max_capacity(&self) -> usize {
        self.chan.capacity
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
        // Dropped outside the lock: a message's `Drop` is user code.
        let queue = std::mem::take(&mut self.chan.lock().queue);
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
}
