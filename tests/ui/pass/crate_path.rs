//! `#[actor(crate = path)]`: `::actors` spelled out, and the crate under another name.

use actors::prelude::*;

#[derive(Default)]
struct Counter {
    total: u64,
}

#[actor(crate = ::actors)]
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

mod renamed {
    use ::actors as runtime;
    use runtime::prelude::actor;

    #[derive(Default)]
    pub struct Echo;

    #[actor(crate = runtime)]
    impl Echo {
        #[handler]
        fn echo(&mut self, text: String) -> String {
            text
        }
    }
}

use renamed::{Echo, EchoClient};

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = ActorSystem::new("ui").unwrap();
        let counter = system.spawn(Counter::default()).unwrap();
        counter.add(1).await.unwrap();
        assert_eq!(counter.total().await.unwrap(), 1);
        let echo = system.spawn(Echo).unwrap();
        assert_eq!(echo.echo("hi".to_owned()).await.unwrap(), "hi");
        system.shutdown().await.unwrap();
    });
}
