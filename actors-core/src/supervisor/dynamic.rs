//! [`DynamicSupervisor`]: children started at run time from one template, with per-child
//! arguments, up to `max_children`, stopped all at once on shutdown.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::child_ref::ChildRef;
use super::spec::ChildSpec;
use super::static_sup::{Supervisor, SupervisorRef};
use super::strategy::Strategy;
use crate::{ActorSystem, AdminError, StartError};

type Template<Args> = Arc<dyn Fn(Args) -> ChildSpec + Send + Sync>;

/// The blueprint of a dynamic supervisor (OTP's `simple_one_for_one`, Elixir's
/// `DynamicSupervisor`): it starts with no children and adds them at run time, each built by
/// one template from the arguments of its [`start_child`](DynamicSupervisorRef::start_child).
///
/// Children restart one for one, within the supervisor's intensity. On shutdown they are all
/// asked to stop at once, each under its own `Shutdown` deadline, so the whole is bounded by
/// the longest deadline rather than their sum.
///
/// # Examples
///
/// ```
/// use actors_core::{Actor, ActorError, ActorSystem, ChildSpec, Context, DynamicSupervisor};
///
/// struct Session {
///     user: String,
/// }
///
/// impl Actor for Session {
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
/// let sessions = DynamicSupervisor::new(|user: String| {
///     ChildSpec::worker("session", move || Session { user: user.clone() })
/// })
/// .max_children(10_000)
/// .start(&system, "sessions")
/// .await?;
///
/// let ada = sessions.start_child("ada".to_owned()).await?;
/// assert_eq!(ada.id(), "session-1"); // the template's id, numbered
/// assert_eq!(sessions.count_children().active, 1);
/// system.shutdown().await?;
/// # Ok(())
/// # }
/// ```
pub struct DynamicSupervisor<Args> {
    blueprint: Supervisor,
    template: Template<Args>,
}

impl<Args: Send + 'static> DynamicSupervisor<Args> {
    /// A dynamic supervisor whose children `template` builds from their arguments. The
    /// spec's id is the base of each child's id (`{id}-{n}`, numbered from 1).
    pub fn new(template: impl Fn(Args) -> ChildSpec + Send + Sync + 'static) -> Self {
        let mut blueprint = Supervisor::new(Strategy::OneForOne);
        blueprint.dynamic = true;
        Self {
            blueprint,
            template: Arc::new(template),
        }
    }

    /// At most `max_restarts` restarts within `within` (default 3 in 5 s), as
    /// [`Supervisor::intensity`].
    pub fn intensity(mut self, max_restarts: u32, within: Duration) -> Self {
        self.blueprint = self.blueprint.intensity(max_restarts, within);
        self
    }

    /// The most children it holds at once, restarting ones included (unbounded unless set).
    pub fn max_children(mut self, max: usize) -> Self {
        self.blueprint.max_children = Some(max);
        self
    }

    /// Starts it on the system, with no children.
    ///
    /// # Errors
    ///
    /// As [`ActorSystem::start_supervisor`]: [`StartError::InvalidSpec`] for a zero window or
    /// a zero `max_children`, [`StartError::Spawn`].
    pub async fn start(
        self,
        system: &ActorSystem,
        name: impl Into<String>,
    ) -> Result<DynamicSupervisorRef<Args>, StartError> {
        let sup = system.start_supervisor(name, self.blueprint).await?;
        Ok(DynamicSupervisorRef {
            sup,
            template: self.template,
            numbered: Arc::new(AtomicU64::new(0)),
        })
    }
}

impl<Args> fmt::Debug for DynamicSupervisor<Args> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicSupervisor")
            .field("blueprint", &self.blueprint)
            .finish_non_exhaustive()
    }
}

/// A handle to a running [`DynamicSupervisor`]. It dereferences to its [`SupervisorRef`]
/// for the other admin calls (`which_children`, `terminate_child`, ...), `wait`, `stop`.
pub struct DynamicSupervisorRef<Args> {
    sup: SupervisorRef,
    template: Template<Args>,
    numbered: Arc<AtomicU64>,
}

impl<Args> DynamicSupervisorRef<Args> {
    /// Builds a child from the template and `args`, appends it and starts it; returns once
    /// it ran `started`.
    ///
    /// # Errors
    ///
    /// [`AdminError::MaxChildren`] at the cap, [`AdminError::InvalidSpec`],
    /// [`AdminError::StartFailed`], [`AdminError::SupervisorStopped`].
    pub async fn start_child(&self, args: Args) -> Result<ChildRef, AdminError> {
        let spec = (self.template)(args);
        let n = self.numbered.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("{}-{n}", spec.id());
        self.sup.start_child(spec.with_id(id)).await
    }

    /// Starts a child from a spec of its own, outside the template (its id must be free).
    ///
    /// # Errors
    ///
    /// As [`SupervisorRef::start_child`], and [`AdminError::MaxChildren`].
    pub async fn start_child_spec(&self, spec: ChildSpec) -> Result<ChildRef, AdminError> {
        self.sup.start_child(spec).await
    }

    /// The underlying supervisor handle.
    pub fn supervisor(&self) -> &SupervisorRef {
        &self.sup
    }
}

impl<Args> Deref for DynamicSupervisorRef<Args> {
    type Target = SupervisorRef;

    fn deref(&self) -> &SupervisorRef {
        &self.sup
    }
}

impl<Args> Clone for DynamicSupervisorRef<Args> {
    fn clone(&self) -> Self {
        Self {
            sup: self.sup.clone(),
            template: self.template.clone(),
            numbered: self.numbered.clone(),
        }
    }
}

impl<Args> fmt::Debug for DynamicSupervisorRef<Args> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicSupervisorRef")
            .field("sup", &self.sup)
            .finish_non_exhaustive()
    }
}
