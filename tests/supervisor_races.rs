//! Interleavings a supervisor must get right: failures that overlap a group restart, and a
//! drained child caught in one. Each pins what a user would observe.

mod common;

use actors::prelude::*;
use actors::{Strategy, Supervisor};
use common::sup::{Cmd, block, labelled, of, ping, start, worker};
use common::{Journal, Then, quiet_panics, settle};

/// Two children of a one_for_all fail before their supervisor runs: the first failure
/// restarts the group, and the second child, whose end the group restart absorbed, comes
/// back as one healthy new instance (a stop raised for its old instance does not leak into
/// the new one and trigger another round).
#[tokio::test(start_paused = true)]
async fn two_failures_at_once_restart_the_group_once() {
    quiet_panics();
    let system = ActorSystem::new("races").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker("a", &journal))
            .child(worker("b", &journal)),
    )
    .await;
    let a = labelled(&sup, "a");
    let b = labelled(&sup, "b");
    a.tell(Cmd::Fail).await.unwrap();
    b.tell(Cmd::Fail).await.unwrap();
    settle().await;

    assert_eq!(ping(&b).await, 2, "b answers from its second instance");
    assert_eq!(ping(&a).await, 2, "a answers from its second instance");
    assert_eq!(
        of(&journal, "b")
            .iter()
            .filter(|e| e.starts_with("b:started"))
            .count(),
        2,
        "{:?}",
        journal.entries()
    );
    assert!(sup.is_alive());
    system.shutdown().await.unwrap();
}

/// A Permanent child in the middle of a `drain()` (its mailbox closed for good) is a
/// bystander of a sibling's one_for_all restart: it is not restarted (a restart could never
/// receive another message), it makes its final exit, and the supervisor does not loop on it
/// until its intensity is exceeded.
#[tokio::test(start_paused = true)]
async fn a_draining_child_caught_in_a_group_restart_ends_for_good() {
    quiet_panics();
    let system = ActorSystem::new("races").unwrap();
    let journal = Journal::default();
    let sup = start(
        &system,
        "sup",
        Supervisor::new(Strategy::OneForAll)
            .child(worker("a", &journal))
            .child(worker("b", &journal)),
    )
    .await;
    let a = labelled(&sup, "a");
    let b = labelled(&sup, "b");
    let release = block(&b, Then::Answer).await;
    b.tell(Cmd::Record(1)).await.unwrap();
    b.drain();
    a.tell(Cmd::Fail).await.unwrap();
    settle().await;
    drop(release);

    b.wait().await;
    assert!(b.tell(Cmd::Record(2)).await.is_err(), "b is dead for good");
    assert_eq!(ping(&a).await, 2);
    assert!(sup.is_alive(), "no restart loop escalated");
    assert_eq!(
        sup.children()
            .iter()
            .map(|c| c.id().to_owned())
            .collect::<Vec<_>>(),
        ["a"],
        "b's spec is kept but it has no actor"
    );
    system.shutdown().await.unwrap();
}
