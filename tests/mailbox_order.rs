//! Messages from one sender are handled in the order they were sent.

mod common;

use actors::prelude::*;
use common::{Msg, probe};

#[tokio::test(start_paused = true)]
async fn one_sender_is_handled_in_send_order() {
    let system = ActorSystem::new("order").unwrap();
    let (actor, _) = probe(&system, 4);
    for n in 0..500 {
        actor.tell(Msg::Record(n)).await.unwrap();
    }
    let recorded = actor.ask(|reply| Msg::Recorded { reply }).await.unwrap();
    assert_eq!(recorded, (0..500).collect::<Vec<_>>());
    system.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_of_many_senders_keeps_its_order() {
    let system = ActorSystem::new("order").unwrap();
    let (actor, _) = probe(&system, 8);
    let senders: Vec<_> = (0..8u32)
        .map(|s| {
            let actor = actor.clone();
            tokio::spawn(async move {
                for i in 0..1000u32 {
                    actor.tell(Msg::Record(s * 10_000 + i)).await.unwrap();
                }
            })
        })
        .collect();
    for s in senders {
        s.await.unwrap();
    }
    let recorded = actor.ask(|reply| Msg::Recorded { reply }).await.unwrap();
    assert_eq!(recorded.len(), 8000);
    for s in 0..8u32 {
        let own: Vec<u32> = recorded
            .iter()
            .copied()
            .filter(|n| n / 10_000 == s)
            .collect();
        assert_eq!(
            own,
            (0..1000).map(|i| s * 10_000 + i).collect::<Vec<_>>(),
            "sender {s}"
        );
    }
    system.shutdown().await.unwrap();
}
