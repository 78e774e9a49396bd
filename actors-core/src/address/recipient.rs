use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{Actor, ActorId, ActorPath, ActorRef, SendError, TrySendError, scope};

type TellFuture<'a, M> = Pin<Box<dyn Future<Output = Result<(), SendError<M>>> + Send + 'a>>;

/// A type-erased handle to any actor whose messages convert from `M`.
///
/// Lets a producer feed actors of different types, or hold one without naming its type. The
/// message is converted only once room is reserved, so every error hands back the `M` that was
/// passed in.
///
/// [`try_tell`](Recipient::try_tell) never allocates; the awaiting [`tell`](Recipient::tell)
/// boxes one future per send (the price of erasing the actor type).
pub struct Recipient<M> {
    inner: Arc<dyn ErasedRecipient<M>>,
}

trait ErasedRecipient<M>: Send + Sync {
    fn try_tell(&self, msg: M) -> Result<(), TrySendError<M>>;
    fn tell(&self, msg: M) -> TellFuture<'_, M>;
    fn id(&self) -> ActorId;
    fn path(&self) -> &ActorPath;
    fn is_alive(&self) -> bool;
}

impl<A, M> ErasedRecipient<M> for ActorRef<A>
where
    A: Actor,
    A::Msg: From<M>,
    M: Send + 'static,
{
    fn try_tell(&self, msg: M) -> Result<(), TrySendError<M>> {
        match self.tx.try_reserve() {
            Ok(permit) => {
                permit.send(msg.into());
                Ok(())
            }
            Err(TrySendError::Full(())) => Err(TrySendError::Full(msg)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(msg)),
        }
    }

    fn tell(&self, msg: M) -> TellFuture<'_, M> {
        Box::pin(async move {
            if scope::is_current(self.shared.id) {
                return ErasedRecipient::try_tell(self, msg).map_err(|e| match e {
                    TrySendError::Full(m) => SendError::WouldDeadlock(m),
                    TrySendError::Closed(m) => SendError::Closed(m),
                });
            }
            match self.tx.reserve().await {
                Ok(permit) => {
                    permit.send(msg.into());
                    Ok(())
                }
                Err(_) => Err(SendError::Closed(msg)),
            }
        })
    }

    fn id(&self) -> ActorId {
        self.shared.id
    }

    fn path(&self) -> &ActorPath {
        self.shared.path()
    }

    fn is_alive(&self) -> bool {
        ActorRef::is_alive(self)
    }
}

impl<M: Send + 'static> Recipient<M> {
    pub(crate) fn new<A>(actor: ActorRef<A>) -> Self
    where
        A: Actor,
        A::Msg: From<M>,
    {
        Self {
            inner: Arc::new(actor),
        }
    }

    /// Sends a message, waiting for room in the mailbox.
    ///
    /// # Errors
    ///
    /// As [`ActorRef::tell`], handing the message back.
    ///
    /// # Cancel safety
    ///
    /// As [`ActorRef::tell`].
    pub async fn tell(&self, msg: M) -> Result<(), SendError<M>> {
        self.inner.tell(msg).await
    }

    /// Sends a message if there is room right now.
    ///
    /// # Errors
    ///
    /// As [`ActorRef::try_tell`], handing the message back.
    pub fn try_tell(&self, msg: M) -> Result<(), TrySendError<M>> {
        self.inner.try_tell(msg)
    }

    /// The id of the actor behind this handle.
    pub fn id(&self) -> ActorId {
        self.inner.id()
    }

    /// The path of the actor behind this handle.
    pub fn path(&self) -> &ActorPath {
        self.inner.path()
    }

    /// True until the actor's final exit.
    pub fn is_alive(&self) -> bool {
        self.inner.is_alive()
    }
}

impl<M> Clone for Recipient<M> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<M: Send + 'static> fmt::Debug for Recipient<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recipient")
            .field("id", &self.id())
            .field("path", self.path())
            .finish()
    }
}
