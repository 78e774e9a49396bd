//! OTP_BEHAVIOURS 45: a supervisor with 100,000 children starts them all, restarts one,
//! lists them, and stops them all in reverse order. The cost per child is measured in
//! `benches/restart.rs` (group `S_supervisor_100k`), not asserted here.

mod common;

use actors::prelude::*;
use actors::{ChildSpec, ExitReason, ShutdownCause, Strategy, Supervisor};
use common::sup::{Cmd, Labelled, ping};
use common::{Journal, quiet_panics};

const CHILDREN: usize = 100_000;

#[tokio::test(start_paused = true)]
async fn a_hundred_thousand_children_start_restart_and_stop() {
    quiet_panics();
    let system = ActorSystem::new("scale").unwrap();
    let journal = Journal::default();
    let blueprint = Supervisor::new(Strategy::OneForOne).children((0..CHILDREN).map(|i| {
        let journal = journal.clone();
        ChildSpec::worker(format!("w{i}"), move || {
            Labelled::new("w", &journal, Default::default())
        })
    }));
    let sup = system.start_supervisor("big", blueprint).await.unwrap();

    let children = sup.children();
    assert_eq!(children.len(), CHILDREN);
    assert_eq!(children[0].id(), "w0");
    assert_eq!(children[CHILDREN - 1].id(), format!("w{}", CHILDREN - 1));

    let middle = sup
        .child("w50000")
        .and_then(|c| c.downcast::<Labelled>())
        .unwrap();
    middle.tell(Cmd::Fail).await.unwrap();
    assert_eq!(ping(&middle).await, 2, "restarted in place");

    system.shutdown().await.unwrap();
    assert_eq!(
        middle.wait().await,
        ExitReason::Shutdown(ShutdownCause::System)
    );
    assert_eq!(system.task_count(), 0);
}
