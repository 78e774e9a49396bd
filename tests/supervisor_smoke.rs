mod common;

use std::time::Duration;

use actors::prelude::*;
use actors::{ChildSpec, ExitReason, ShutdownCause, Strategy, Supervisor};
use common::{Journal, Msg, Probe, quiet_panics};

#[tokio::test(start_paused = true)]
async fn smoke() {
    quiet_panics();
    let system = ActorSystem::new("app").unwrap();
    let ja = Journal::default();
    let jb = Journal::default();
    let (a, b) = (ja.clone(), jb.clone());
    let sup = system
        .start_supervisor(
            "sup",
            Supervisor::new(Strategy::OneForAll)
                .child(ChildSpec::worker("a", move || Probe::new(&a)))
                .child(ChildSpec::worker("b", move || Probe::new(&b))),
        )
        .await
        .unwrap();
    println!("started");
    let a = sup.child("a").unwrap().downcast::<Probe>().unwrap();
    let b = sup.child("b").unwrap().downcast::<Probe>().unwrap();
    assert_eq!(a.path().to_string(), "/app/sup/a");
    a.tell(Msg::Record(1)).await.unwrap();
    println!("told a");
    b.tell(Msg::Fail).await.unwrap();
    println!("told fail");
    b.tell(Msg::Record(2)).await.unwrap();
    let got = b.ask(|reply| Msg::Recorded { reply }).await.unwrap();
    assert_eq!(got, [2]);
    assert_eq!(a.generation(), 2);
    assert_eq!(b.generation(), 2);
    println!("{:?}\n{:?}", ja.entries(), jb.entries());
    tokio::time::sleep(Duration::from_secs(1)).await;
    system.shutdown().await.unwrap();
    assert_eq!(a.wait().await, ExitReason::Shutdown(ShutdownCause::System));
    assert!(!sup.is_alive());
    assert_eq!(system.task_count(), 0);
}
