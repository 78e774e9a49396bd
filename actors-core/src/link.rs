//! Links and monitors between actors: [`AnyActorRef`], [`MonitorRef`], [`Down`], [`LinkExit`].
//!
//! They belong to the actor, not to an instance: restarts do not fire them, and linking again
//! from `started` is idempotent. Notices travel on the control lane (a signal bit plus a queue
//! kept with the actor's other control state), so a full mailbox never delays them.
//!
//! Every entry is removed when either side makes its final exit, and the references between
//! actors are weak, so nothing here keeps a finished actor alive.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use crate::cell::Shared;
use crate::mailbox::signal;
use crate::{Actor, ActorId, ActorPath, ActorRef, ExitReason, SupervisorRef};

/// A type-erased handle to any actor or supervisor: what `monitor` and `link` take.
#[derive(Clone)]
pub struct AnyActorRef {
    pub(crate) shared: Arc<Shared>,
}

impl AnyActorRef {
    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.shared.id
    }

    /// The actor's path.
    pub fn path(&self) -> &ActorPath {
        self.shared.path()
    }

    /// True until the actor's final exit.
    pub fn is_alive(&self) -> bool {
        self.shared.exit_reason().is_none()
    }

    /// How many link and monitor entries the actor holds, both directions, and notices not
    /// yet handled. For tests that check nothing leaks.
    #[doc(hidden)]
    pub fn relation_count(&self) -> usize {
        self.shared.control.relation_count()
    }
}

impl fmt::Debug for AnyActorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyActorRef")
            .field("id", &self.id())
            .field("path", self.path())
            .finish()
    }
}

impl<A: Actor> From<&ActorRef<A>> for AnyActorRef {
    fn from(actor: &ActorRef<A>) -> Self {
        Self {
            shared: actor.shared.clone(),
        }
    }
}

impl<A: Actor> From<ActorRef<A>> for AnyActorRef {
    fn from(actor: ActorRef<A>) -> Self {
        Self {
            shared: actor.shared,
        }
    }
}

impl From<&SupervisorRef> for AnyActorRef {
    fn from(sup: &SupervisorRef) -> Self {
        Self {
            shared: sup.shared().clone(),
        }
    }
}

/// A monitor set with `Context::monitor`; give it back to `Context::demonitor` to cancel it.
pub struct MonitorRef {
    id: u64,
    target: Weak<Shared>,
    target_id: ActorId,
}

impl MonitorRef {
    /// The monitored actor's id.
    pub fn target(&self) -> ActorId {
        self.target_id
    }

    /// This monitor's number, as [`Down::monitor`] reports it.
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl fmt::Debug for MonitorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MonitorRef")
            .field("id", &self.id)
            .field("target", &self.target_id)
            .finish()
    }
}

/// A monitored actor made its final exit (or was already dead when the monitor was set).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Down {
    /// The monitor's number ([`MonitorRef::id`]).
    pub monitor: u64,
    /// The monitored actor.
    pub id: ActorId,
    /// Its path.
    pub path: ActorPath,
    /// Why it ended.
    pub reason: ExitReason,
}

/// A linked actor made an abnormal final exit, delivered to an actor that traps exits.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LinkExit {
    /// The linked actor.
    pub id: ActorId,
    /// Its path.
    pub path: ActorPath,
    /// Why it ended (always abnormal).
    pub reason: ExitReason,
}

/// A notice for an actor's `on_down` or `on_exit` hook.
#[derive(Debug)]
pub(crate) enum Notice {
    Down(Down),
    Exit(LinkExit),
}

/// One actor's links and monitors, created on first use.
#[derive(Default)]
pub(crate) struct Relations {
    /// Monitors set on this actor: (monitor id, watcher).
    monitored_by: Vec<(u64, ActorId, Weak<Shared>)>,
    /// Monitors this actor set on others: (monitor id, target).
    watching: Vec<(u64, ActorId, Weak<Shared>)>,
    links: Vec<(ActorId, Weak<Shared>)>,
    /// Notices for the hooks, in arrival order.
    pub(crate) inbox: VecDeque<Notice>,
    /// A linked actor's abnormal exit that fails this actor (it does not trap exits).
    pub(crate) link_failure: Option<LinkExit>,
    pub(crate) trap_exit: bool,
    /// Library parts (a `Topic`) told of the final exit, without an actor of their own.
    exit_hooks: Vec<Weak<dyn ExitHook>>,
}

/// Told of a watched actor's final exit (from the exiting actor's task; keep it short).
pub(crate) trait ExitHook: Send + Sync {
    fn exited(&self, id: ActorId);
}

/// Tells `hook` of `target`'s final exit; returns false (and registers nothing) if it has
/// exited already. Registering the same hook twice keeps one.
pub(crate) fn watch_exit(target: &Shared, hook: Weak<dyn ExitHook>) -> bool {
    target.relations(|r, exited| {
        if exited {
            return false;
        }
        // Hooks of parts that are gone (a dropped topic) go now, so that an actor outliving
        // many of them holds only the live ones.
        r.exit_hooks.retain(|h| h.strong_count() > 0);
        if !r.exit_hooks.iter().any(|h| h.ptr_eq(&hook)) {
            r.exit_hooks.push(hook);
        }
        true
    })
}

impl Relations {
    /// Entries held (for tests of leaks).
    pub(crate) fn len(&self) -> usize {
        self.monitored_by.len()
            + self.watching.len()
            + self.links.len()
            + self.inbox.len()
            + self.exit_hooks.len()
    }
}

static MONITOR_IDS: AtomicU64 = AtomicU64::new(1);

/// `watcher` monitors `target`.
pub(crate) fn monitor(watcher: &Arc<Shared>, target: &Arc<Shared>) -> MonitorRef {
    let id = MONITOR_IDS.fetch_add(1, Ordering::Relaxed);
    let monitor = MonitorRef {
        id,
        target: Arc::downgrade(target),
        target_id: target.id,
    };
    let registered = target.relations(|r, exited| {
        if exited {
            return false;
        }
        r.monitored_by
            .push((id, watcher.id, Arc::downgrade(watcher)));
        true
    });
    if registered {
        watcher.relations(|r, _| {
            r.watching.push((id, target.id, Arc::downgrade(target)));
        });
    } else if let Some(reason) = target.exit_reason() {
        // Already dead: the notice comes at once.
        deliver(
            watcher,
            Notice::Down(Down {
                monitor: id,
                id: target.id,
                path: target.path().clone(),
                reason: reason.clone(),
            }),
        );
    }
    monitor
}

/// Cancels a monitor, and a `Down` for it not yet handled.
pub(crate) fn demonitor(watcher: &Shared, monitor: MonitorRef) {
    if let Some(target) = monitor.target.upgrade() {
        target.relations(|r, _| {
            r.monitored_by.retain(|(id, _, _)| *id != monitor.id);
        });
    }
    watcher.relations(|r, _| {
        r.watching.retain(|(id, _, _)| *id != monitor.id);
        r.inbox
            .retain(|notice| !matches!(notice, Notice::Down(down) if down.monitor == monitor.id));
    });
}

/// Links `a` and `b` (idempotent). Linking to an actor already dead of an abnormal exit fails
/// `a` (or notifies it, if it traps exits) as if it died now.
pub(crate) fn link(a: &Arc<Shared>, b: &Arc<Shared>) {
    if a.id == b.id {
        return;
    }
    let linked = b.relations(|r, exited| {
        if exited {
            return false;
        }
        if !r.links.iter().any(|(id, _)| *id == a.id) {
            r.links.push((a.id, Arc::downgrade(a)));
        }
        true
    });
    if linked {
        a.relations(|r, _| {
            if !r.links.iter().any(|(id, _)| *id == b.id) {
                r.links.push((b.id, Arc::downgrade(b)));
            }
        });
    } else if let Some(reason) = b.exit_reason() {
        if reason.is_abnormal() {
            exit_signal(a, b.id, b.path(), reason);
        }
    }
}

/// Removes the link between `a` and `b`, if any.
pub(crate) fn unlink(a: &Shared, b: &Shared) {
    a.relations(|r, _| r.links.retain(|(id, _)| *id != b.id));
    b.relations(|r, _| r.links.retain(|(id, _)| *id != a.id));
}

/// At `me`'s final exit (its reason is set): notifies its monitors and links, and removes
/// every entry that refers to it.
pub(crate) fn final_exit(me: &Shared, reason: &ExitReason) {
    let Some(relations) = me.control.take_relations() else {
        return;
    };
    for hook in relations.exit_hooks {
        if let Some(hook) = hook.upgrade() {
            hook.exited(me.id);
        }
    }
    for (monitor, _, watcher) in relations.monitored_by {
        let Some(watcher) = watcher.upgrade() else {
            continue;
        };
        watcher.relations(|r, _| {
            r.watching.retain(|(id, _, _)| *id != monitor);
        });
        deliver(
            &watcher,
            Notice::Down(Down {
                monitor,
                id: me.id,
                path: me.path().clone(),
                reason: reason.clone(),
            }),
        );
    }
    for (monitor, _, target) in relations.watching {
        if let Some(target) = target.upgrade() {
            target.relations(|r, _| {
                r.monitored_by.retain(|(id, _, _)| *id != monitor);
            });
        }
    }
    for (_, partner) in relations.links {
        let Some(partner) = partner.upgrade() else {
            continue;
        };
        partner.relations(|r, _| r.links.retain(|(id, _)| *id != me.id));
        if reason.is_abnormal() {
            exit_signal(&partner, me.id, me.path(), reason);
        }
    }
}

/// A linked actor's abnormal exit reaches `partner`: a notice if it traps exits, else its
/// failure.
fn exit_signal(partner: &Shared, id: ActorId, path: &ActorPath, reason: &ExitReason) {
    let exit = LinkExit {
        id,
        path: path.clone(),
        reason: reason.clone(),
    };
    let bit = partner.relations(|r, _| {
        if r.trap_exit {
            r.inbox.push_back(Notice::Exit(exit));
            signal::NOTICE
        } else {
            r.link_failure.get_or_insert(exit);
            signal::LINKED
        }
    });
    partner.control.raise(bit);
}

fn deliver(watcher: &Shared, notice: Notice) {
    watcher.relations(|r, _| r.inbox.push_back(notice));
    watcher.control.raise(signal::NOTICE);
}
