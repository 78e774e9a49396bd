//! [`Reply<T>`]: the typed reply port carried inside an ask message.
//!
//! An ask builds its message around a `Reply<T>`; the handler answers through it. The reply is
//! one pointer wide, so an ask variant costs the message enum one word. Whatever else travels
//! with the reply lives behind that pointer.
//!
//! A reply that is dropped unanswered still answers: with the reason it was dropped for
//! ([`AskError::Failed`], [`Killed`](AskError::Killed), [`Stopped`](AskError::Stopped) or
//! [`NoReply`](AskError::NoReply)). An ask therefore never waits for an answer that cannot come.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::AskError;
use crate::scope::{self, Orphan, Resolve};

/// The port a handler answers an ask through.
///
/// Created by [`ActorRef::ask`](crate::ActorRef::ask) and carried inside the message. Answer
/// with [`send`](Reply::send); dropping it unanswered gives the asker an error that says why.
///
/// # Examples
///
/// ```
/// use actors_core::{Actor, ActorError, Context, Reply};
///
/// enum CounterMsg {
///     Add(u64),
///     Get { reply: Reply<u64> },
/// }
///
/// struct Counter(u64);
///
/// impl Actor for Counter {
///     type Msg = CounterMsg;
///
///     async fn handle(&mut self, msg: CounterMsg, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
///         match msg {
///             CounterMsg::Add(n) => self.0 += n,
///             CounterMsg::Get { reply } => {
///                 let _ = reply.send(self.0);
///             }
///         }
///         Ok(())
///     }
/// }
/// ```
#[must_use = "dropping a Reply answers the asker with an error"]
pub struct Reply<T: Send + 'static> {
    slot: Option<Arc<Slot<T>>>,
}

struct Slot<T> {
    state: Mutex<State<T>>,
    /// The asker's span, when `TRACE` is enabled and the asker was in one: the span that
    /// answers (the handler's) is marked as following from it.
    caller: Option<Box<tracing::Span>>,
}

struct State<T> {
    value: Option<Result<T, AskError>>,
    waker: Option<Waker>,
    answered: bool,
    asker_gone: bool,
}

impl<T> Slot<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // No user code runs under this lock, so poisoning cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores the answer unless one was given or the asker is gone; hands it back then.
    fn answer(&self, value: Result<T, AskError>) -> Result<Option<Waker>, Result<T, AskError>> {
        let waker = {
            let mut state = self.lock();
            if state.answered || state.asker_gone {
                return Err(value);
            }
            state.answered = true;
            state.value = Some(value);
            state.waker.take()
        };
        Ok(waker)
    }
}

impl<T> Slot<T> {
    /// Marks the span answering (the handler's, when the reply is sent or dropped inside it)
    /// as following from the asker's.
    fn trace_answer(&self) {
        if let Some(caller) = &self.caller {
            tracing::Span::current().follows_from(&**caller);
        }
    }
}

impl<T: Send> Resolve for Slot<T> {
    fn resolve(&self, error: AskError) {
        if let Ok(Some(waker)) = self.answer(Err(error)) {
            waker.wake();
        }
    }
}

impl<T: Send + 'static> Reply<T> {
    pub(crate) fn pair() -> (Self, ReplyReceiver<T>) {
        let slot = Arc::new(Slot {
            state: Mutex::new(State {
                value: None,
                waker: None,
                answered: false,
                asker_gone: false,
            }),
            caller: caller_span(),
        });
        (
            Self {
                slot: Some(slot.clone()),
            },
            ReplyReceiver { slot, done: false },
        )
    }

    /// Answers the ask.
    ///
    /// # Errors
    ///
    /// Hands the value back when the asker is no longer waiting (it timed out or was dropped).
    pub fn send(mut self, value: T) -> Result<(), T> {
        let Some(slot) = self.slot.take() else {
            // Unreachable: the slot is only taken by `send` (which consumes the reply) and `drop`.
            return Err(value);
        };
        slot.trace_answer();
        match slot.answer(Ok(value)) {
            Ok(waker) => {
                // Release our hold first, so that the woken asker owns the slot alone and takes
                // the answer without a lock.
                drop(slot);
                if let Some(waker) = waker {
                    waker.wake();
                }
                Ok(())
            }
            Err(Ok(value)) => Err(value),
            Err(Err(_)) => Ok(()),
        }
    }

    /// True when the asker stopped waiting (timed out or dropped its future), so the work of
    /// answering can be skipped.
    pub fn is_closed(&self) -> bool {
        self.slot.as_ref().is_none_or(|slot| slot.lock().asker_gone)
    }
}

impl<T: Send + 'static> Drop for Reply<T> {
    fn drop(&mut self) {
        let Some(slot) = self.slot.take() else { return };
        scope::note_unanswered();
        slot.trace_answer();
        if slot.lock().asker_gone {
            return;
        }
        if let Err(orphan) = scope::park(Orphan::new(slot)) {
            orphan.resolve(AskError::NoReply);
        }
    }
}

impl<T: Send + 'static> fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("answered", &self.slot.is_none())
            .finish()
    }
}

/// The asker's current span, kept only when `TRACE` is enabled (the level of the handler's
/// per-hook span) and the asker is in a span: otherwise nothing is looked up.
#[inline]
fn caller_span() -> Option<Box<tracing::Span>> {
    if !tracing::level_enabled!(tracing::Level::TRACE) {
        return None;
    }
    let span = tracing::Span::current();
    // Boxed: the slot of every ask stays small when tracing is off.
    (!span.is_none()).then(|| Box::new(span))
}

/// The asker's half: resolves to the answer or to the error that says why none came.
pub(crate) struct ReplyReceiver<T> {
    slot: Arc<Slot<T>>,
    /// The answer was taken: dropping needs no lock.
    done: bool,
}

impl<T> ReplyReceiver<T> {
    /// The answer if it is there once this task has yielded once; `None` if it is still
    /// pending (its waker is registered then).
    ///
    /// `actor_beside`: the actor runs on a current-thread runtime, so (when this task runs on
    /// the same one) it has its turn before this task's next. The waker is then not registered
    /// before the yield: the yield itself has this task polled again, so the answer wakes no
    /// one and is taken without a lock. Elsewhere the answer's wake is what brings this task
    /// back first (a multi-thread worker polls a yielded task only once it has nothing else).
    pub(crate) async fn ready_after_yield(
        &mut self,
        actor_beside: bool,
    ) -> Option<Result<T, AskError>> {
        if !actor_beside && let Some(answer) = self.ready_now().await {
            return Some(answer);
        }
        tokio::task::yield_now().await;
        self.ready_now().await
    }

    /// Polls once: the answer if it is there, or `None` with the waker registered.
    async fn ready_now(&mut self) -> Option<Result<T, AskError>> {
        match std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *self).poll(cx))).await {
            Poll::Ready(answer) => Some(answer),
            Poll::Pending => None,
        }
    }
}

impl<T> Future for ReplyReceiver<T> {
    type Output = Result<T, AskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(slot) = Arc::get_mut(&mut this.slot) {
            // The reply side is gone, so no one else can touch the state.
            let state = slot.state.get_mut().unwrap_or_else(PoisonError::into_inner);
            this.done = true;
            return Poll::Ready(state.value.take().unwrap_or(Err(AskError::NoReply)));
        }
        let mut state = this.slot.lock();
        if let Some(value) = state.value.take() {
            drop(state);
            this.done = true;
            return Poll::Ready(value);
        }
        if state.answered {
            // Already taken by an earlier poll; a finished future is not polled again.
            return Poll::Ready(Err(AskError::NoReply));
        }
        match &mut state.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> Drop for ReplyReceiver<T> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let (value, waker) = {
            let mut state = self.slot.lock();
            state.asker_gone = true;
            (state.value.take(), state.waker.take())
        };
        drop((value, waker));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_one_pointer_wide() {
        assert_eq!(size_of::<Reply<u64>>(), size_of::<usize>());
    }

    #[tokio::test]
    async fn an_answer_reaches_the_asker() {
        let (reply, answer) = Reply::pair();
        assert!(!reply.is_closed());
        reply.send(7u32).unwrap();
        assert_eq!(answer.await.unwrap(), 7);
    }

    #[test]
    fn a_withdrawn_ask_is_visible_and_the_answer_comes_back() {
        let (reply, answer) = Reply::<String>::pair();
        drop(answer);
        assert!(reply.is_closed());
        assert_eq!(reply.send("late".into()).unwrap_err(), "late");
    }

    #[tokio::test]
    async fn a_reply_dropped_outside_any_actor_answers_no_reply() {
        let (reply, answer) = Reply::<u8>::pair();
        drop(reply);
        assert!(matches!(answer.await, Err(AskError::NoReply)));
    }
}
