//! [`fan_out`]: many asks at once, under one deadline.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
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
/// dropped). Each future is boxed once. Shared by `fan_out` and `Topic::publish`.
pub(crate) async fn join_within<F: Future>(
    futures: impl IntoIterator<Item = F>,
    within: Option<Duration>,
) -> Vec<Option<F::Output>> {
    let mut pending: Vec<Option<Pin<Box<F>>>> =
        futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut outcomes: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    let all = poll_fn(|cx| {
        let mut done = true;
        for (slot, outcome) in pending.iter_mut().zip(outcomes.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(output) => {
                        *outcome = Some(output);
                        *slot = None;
                    }
                    Poll::Pending => done = false,
                }
            }
        }
        if done { Poll::Ready(()) } else { Poll::Pending }
    });
    match within {
        Some(within) => drop(tokio::time::timeout(within, all).await),
        None => all.await,
    }
    outcomes
}
