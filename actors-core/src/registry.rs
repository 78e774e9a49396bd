//! [`Registry`]: named actors, with typed lookup.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use dashmap::DashMap;

use crate::cell::Shared;
use crate::{Actor, ActorId, ActorRef, RegistryError};

/// Names for actors, one system-wide namespace (from [`ActorSystem::registry`]).
///
/// A name belongs to the actor, not to an instance: it stays through restarts and is freed at
/// the actor's final exit.
///
/// # Examples
///
/// ```
/// use actors_core::{Actor, ActorError, ActorSystem, Context, RegistryError};
///
/// struct Cache;
///
/// impl Actor for Cache {
///     type Msg = ();
///
///     async fn handle(&mut self, _: (), _: &mut Context<Self>) -> Result<(), ActorError> {
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::new("app")?;
/// let cache = system.spawn(Cache)?;
/// system.registry().register("cache", &cache)?;
/// let found = system.registry().lookup::<Cache>("cache")?;
/// assert_eq!(found.id(), cache.id());
///
/// cache.stop();
/// cache.wait().await;
/// assert!(matches!(
///     system.registry().lookup::<Cache>("cache"),
///     Err(RegistryError::NotFound(_))
/// ));
/// # Ok(())
/// # }
/// ```
///
/// [`ActorSystem::registry`]: crate::ActorSystem::registry
#[derive(Default)]
pub struct Registry {
    names: DashMap<Arc<str>, Entry>,
}

struct Entry {
    id: ActorId,
    type_name: &'static str,
    /// An `ActorRef<A>`, type-erased for `lookup::<A>`.
    handle: Box<dyn Any + Send + Sync>,
}

impl Registry {
    /// Gives `actor` the name `name`. Registering the same actor under the same name again
    /// (from `started`, after a restart) succeeds and changes nothing.
    ///
    /// # Errors
    ///
    /// [`RegistryError::InvalidName`] for an empty name, [`RegistryError::NameTaken`] when
    /// another actor has it, [`RegistryError::ActorStopped`] when the actor already made its
    /// final exit.
    pub fn register<A: Actor>(&self, name: &str, actor: &ActorRef<A>) -> Result<(), RegistryError> {
        if name.is_empty() {
            return Err(RegistryError::InvalidName(name.to_owned()));
        }
        let shared = &actor.shared;
        match self.names.entry(Arc::from(name)) {
            dashmap::Entry::Occupied(taken) => {
                return if taken.get().id == shared.id {
                    Ok(())
                } else {
                    Err(RegistryError::NameTaken(name.to_owned()))
                };
            }
            dashmap::Entry::Vacant(free) => {
                free.insert(Entry {
                    id: shared.id,
                    type_name: std::any::type_name::<A>(),
                    handle: Box::new(actor.clone()),
                });
            }
        }
        shared.registered.store(true, Ordering::Release);
        // A final exit that raced with this registration may have missed the flag.
        if shared.exit_reason().is_some() {
            self.forget(shared);
            return Err(RegistryError::ActorStopped(name.to_owned()));
        }
        Ok(())
    }

    /// The actor named `name`, typed.
    ///
    /// # Errors
    ///
    /// [`RegistryError::NotFound`], or [`RegistryError::WrongType`] when the actor there is
    /// not an `A` (never a panic).
    pub fn lookup<A: Actor>(&self, name: &str) -> Result<ActorRef<A>, RegistryError> {
        let entry = self
            .names
            .get(name)
            .ok_or_else(|| RegistryError::NotFound(name.to_owned()))?;
        entry
            .handle
            .downcast_ref::<ActorRef<A>>()
            .cloned()
            .ok_or_else(|| RegistryError::WrongType {
                name: name.to_owned(),
                expected: std::any::type_name::<A>(),
                found: entry.type_name,
            })
    }

    /// Frees a name; true if it was taken.
    pub fn unregister(&self, name: &str) -> bool {
        self.names.remove(name).is_some()
    }

    /// The registered names, in no particular order.
    pub fn names(&self) -> Vec<String> {
        self.names.iter().map(|e| e.key().to_string()).collect()
    }

    /// Frees every name of an actor at its final exit.
    pub(crate) fn forget(&self, actor: &Shared) {
        self.names.retain(|_, entry| entry.id != actor.id);
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("names", &self.names.len())
            .finish()
    }
}
