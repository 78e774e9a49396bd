//! `#[actor(msg = Requests, mailbox = 8)]`: the enum is renamed, the client trait follows it
//! (`RequestsClient`), and the mailbox capacity is set.

use actors::prelude::*;

#[derive(Default)]
struct Counter {
    total: u64,
}

#[actor(msg = Requests, mailbox = 8)]
impl Counter {
    #[handler]
    fn add(&mut self, n: u64) {
        self.total += n;
    }

    #[handler]
    fn total(&mut self) -> u64 {
        self.total
    }
}

fn main() {
    const _: () = assert!(<Counter as Actor>::MAILBOX_CAPACITY == 8);
    assert_eq!(<Counter as Actor>::MAILBOX_CAPACITY, 8);
    let _: Requests = Requests::Add { n: 1 };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = ActorSystem::new("ui").unwrap();
        let counter = system.spawn(Counter::default()).unwrap();
        assert_eq!(counter.capacity(), 8);
        RequestsClient::add(&counter, 4).await.unwrap();
        assert_eq!(<ActorRef<Counter> as RequestsClient>::total(&counter).await.unwrap(), 4);
        system.shutdown().await.unwrap();
    });
}
