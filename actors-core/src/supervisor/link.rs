//! The protocol between a supervisor and each of its children, whatever their type.
//!
//! A child reports to its supervisor on a channel with no practical bound: when an instance
//! finished `started` (the first one, and a restarted one only when the supervisor asked: it
//! waits for that only to start a group in order), and when an instance ended. After an end it
//! waits, mailbox untouched, for the supervisor's decision on its control lane: `RESTART`
//! (build a new instance) or `FINAL` (make the final exit). (A worker whose failure its
//! supervisor's `Budget` lets it restart from itself neither reports nor waits: its next
//! report carries its new generation.) The channel's bound
//! (`MAX_MAILBOX_CAPACITY`) is never reached: it holds at most two reports per child, since a
//! child sends nothing more until it has its decision, and the admin calls waiting; a bound
//! that could be reached could make a child and its supervisor wait for each other. Its buffer
//! keeps its largest size (a burst of reports from many children) until the supervisor's task
//! ends.

use std::future::poll_fn;
use std::task::Poll;

use super::static_sup::Admin;
use crate::mailbox::{Control, MAX_MAILBOX_CAPACITY, chan, signal};
use crate::{ActorId, ExitReason};

/// What a supervisor's task receives on its one channel: its children's reports and the
/// admin calls of its `SupervisorRef`s (one channel, so that waiting for either costs one poll).
pub(crate) enum Inbox {
    Report(Report),
    Admin(Admin),
}

pub(crate) type Reports = chan::Sender<Inbox>;

/// A supervisor's inbox: the mailboxes' channel with no practical bound (see the module's doc
/// for why it must not have one). Sent to with `try_send`, which never finds it full.
pub(crate) fn inbox() -> (Reports, chan::Receiver<Inbox>) {
    chan::channel(MAX_MAILBOX_CAPACITY)
}

/// One report from a child to its supervisor.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) id: ActorId,
    pub(crate) generation: u64,
    pub(crate) kind: ReportKind,
}

#[derive(Debug)]
pub(crate) enum ReportKind {
    /// The instance of this generation finished `started`.
    Started,
    /// The instance of this generation ended, for `reason`; `began` is false when it never
    /// finished `started` (a start failure); `drained` when its mailbox is closed for good.
    Ended {
        reason: ExitReason,
        began: bool,
        drained: bool,
    },
}

/// The supervisor's decision about a child whose instance ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Restart,
    Final,
    /// Not a decision: a census asks how the waiting child is (it answers, then waits on).
    Census,
}

/// Waits on the child's own control lane for its supervisor's decision. `FINAL` wins over
/// `RESTART` (a supervisor that changed its mind on the way down).
///
/// With `census`, a census request is returned too (the child answers, then waits again).
pub(crate) async fn decision(control: &Control, census: bool) -> Decision {
    poll_fn(|cx| {
        let bits = control.register(cx.waker());
        if bits & signal::FINAL != 0 {
            Poll::Ready(Decision::Final)
        } else if bits & signal::RESTART != 0 {
            Poll::Ready(Decision::Restart)
        } else if census && bits & signal::CENSUS != 0 {
            Poll::Ready(Decision::Census)
        } else {
            Poll::Pending
        }
    })
    .await
}
