//! [`fan_out`]: many asks at once, under one deadline.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use crate::AskError;

/// Awaits every ask concurrently and returns their outcomes in order, under one deadline for
/// all: an ask still pending when `timeout` has passed is given [`AskError::Timeout`] (its
/// future is dropped, which withdraws the question). The total time is that of the slowest
/// answer within the deadline, not the sum.
///
/// Each future is boxed once. Pass asks with a longer timeout of their own (or the system's
/// default) and let this deadline bound them all.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use actors_core::{Actor, ActorError, ActorSystem, AskError, Context, Reply, fan_out};
///
/// struct Backend(u64);
///
/// impl Actor for Backend {
///     type Msg = Reply<u64>;
///
///     async fn handle(&mut self, reply: Reply<u64>, _: &mut Context<Self>) -> Result<(), ActorError> {
///         tokio::time::sleep(Duration::from_millis(self.0)).await;
///         let _ = reply.send(self.0);
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::new("app")?;
/// let backends: Vec<_> = [10, 20, 500]
///     .into_iter()
///     .map(|ms| system.spawn(Backend(ms)))
///     .collect::<Result<_, _>>()?;
/// let answers = fan_out(backends.iter().map(|b| b.ask(|reply| reply)), Duration::from_millis(100)).await;
/// assert!(matches!(answers[0], Ok(10)));
/// assert!(matches!(answers[1], Ok(20)));
/// assert!(matches!(answers[2], Err(AskError::Timeout(_))));
/// # system.shutdown().await?;
/// # Ok(())
/// # }
/// ```
pub async fn fan_out<T, F>(
    asks: impl IntoIterator<Item = F>,
    timeout: Duration,
) -> Vec<Result<T, AskError>>
where
    F: Future<Output = Result<T, AskError>>,
{
    join_within(asks, Some(timeout))
        .await
        .into_iter()
        .map(|outcome| outcome.unwrap_or(Err(AskError::Timeout(timeout))))
        .collect()
}

/// Polls every future until all are done or `within` has passed (no limit with `None`);
/// the outcomes in order, `None` for the futures still pending at the deadline (they are
/// dropped). Each future is boxed once and gets a waker of its own, so a wake-up polls only
/// the futures that were woken: the work is proportional to the wake-ups, not to their number
/// times the number of futures. Shared by `fan_out` and `Topic::publish`.
pub(crate) async fn join_within<F: Future>(
    futures: impl IntoIterator<Item = F>,
    within: Option<Duration>,
) -> Vec<Option<F::Output>> {
    let mut pending: Vec<Option<Pin<Box<F>>>> =
        futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut outcomes: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    let ready = Arc::new(Ready {
        state: Mutex::new(ReadyState {
            // Every future is polled once to begin with.
            woken: (0..pending.len()).collect(),
            parent: None,
        }),
    });
    let wakers: Vec<Waker> = (0..pending.len())
        .map(|index| {
            Waker::from(Arc::new(Woken {
                ready: Arc::clone(&ready),
                index,
            }))
        })
        .collect();
    let mut left = pending.len();
    let mut batch = Vec::new();
    let all = poll_fn(|cx| {
        {
            let mut state = ready.lock();
            if !state
                .parent
                .as_ref()
                .is_some_and(|p| p.will_wake(cx.waker()))
            {
                state.parent = Some(cx.waker().clone());
            }
            std::mem::swap(&mut state.woken, &mut batch);
        }
        for index in batch.drain(..) {
            // A future woken twice before this poll is polled twice (harmless); one that
            // finished meanwhile is skipped.
            let Some(future) = &mut pending[index] else {
                continue;
            };
            let mut own = TaskContext::from_waker(&wakers[index]);
            if let Poll::Ready(output) = future.as_mut().poll(&mut own) {
                outcomes[index] = Some(output);
                pending[index] = None;
                left -= 1;
            }
        }
        if left == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    });
    match within {
        Some(within) => drop(tokio::time::timeout(within, all).await),
        None => all.await,
    }
    outcomes
}

/// The futures of a `join_within` woken since its last poll, and its task's waker.
struct Ready {
    state: Mutex<ReadyState>,
}

struct ReadyState {
    woken: Vec<usize>,
    parent: Option<Waker>,
}

impl Ready {
    fn lock(&self) -> MutexGuard<'_, ReadyState> {
        // No user code runs under this lock.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The waker of one future of a `join_within`: notes its index and wakes the task.
struct Woken {
    ready: Arc<Ready>,
    index: usize,
}

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let parent = {
            let mut state = self.ready.lock();
            state.woken.push(self.index);
            // Taken: one wake-up of the task is enough until its next poll registers again.
            state.parent.take()
        };
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A wake-up polls only the future it is for: `N` futures answered one at a time take
    /// about `2N` polls, not `N²/2`.
    #[tokio::test]
    async fn a_wake_up_polls_only_the_future_it_is_for() {
        const N: usize = 500;
        let polls = Arc::new(AtomicUsize::new(0));
        let mut senders = Vec::new();
        let mut futures = Vec::new();
        for i in 0..N {
            let (tx, mut rx) = tokio::sync::oneshot::channel::<usize>();
            senders.push(tx);
            let polls = Arc::clone(&polls);
            futures.push(poll_fn(move |cx| {
                polls.fetch_add(1, Ordering::Relaxed);
                Pin::new(&mut rx)
                    .poll(cx)
                    .map(|v| v.unwrap_or(usize::MAX) + i)
            }));
        }
        let driver = tokio::spawn(async move {
            for tx in senders {
                let _ = tx.send(0);
                tokio::task::yield_now().await;
            }
        });
        let outcomes = join_within(futures, None).await;
        driver.await.unwrap();
        let expected: Vec<Option<usize>> = (0..N).map(Some).collect();
        assert_eq!(outcomes, expected);
        let polls = polls.load(Ordering::Relaxed);
        assert!(polls <= 3 * N, "{polls} polls for {N} futures");
    }

    /// At the deadline, what is still pending is `None` (dropped), what finished is kept.
    #[tokio::test(start_paused = true)]
    async fn pending_futures_at_the_deadline_are_none() {
        let futures = (0..4u64).map(|i| async move {
            tokio::time::sleep(Duration::from_millis(10 * i)).await;
            i
        });
        let outcomes = join_within(futures, Some(Duration::from_millis(15))).await;
        assert_eq!(outcomes, [Some(0), Some(1), None, None]);
    }
}
