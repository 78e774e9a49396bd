//! Sync and async handlers, the context among the arguments, a `Result` handler, a hook in
//! the block, a plain method left alone, and `From` for a told one-argument handler.

use std::time::Duration;

use actors::prelude::*;

#[derive(Debug, PartialEq)]
struct Underflow(u64);

impl std::fmt::Display for Underflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the total is only {}", self.0)
    }
}

impl std::error::Error for Underflow {}

#[derive(Default)]
struct Counter {
    total: u64,
    started: bool,
    label: String,
}

#[actor]
impl Counter {
    async fn started(&mut self, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
        self.started = true;
        Ok(())
    }

    /// A plain method: it stays in the block.
    fn doubled(&self) -> u64 {
        self.total * 2
    }

    /// Adds `n` to the total.
    #[handler]
    fn add(&mut self, n: u64) {
        self.total += n;
    }

    #[handler]
    async fn add_later(&mut self, n: u64) {
        tokio::task::yield_now().await;
        self.total += n;
    }

    #[handler]
    fn total(&mut self) -> u64 {
        self.total
    }

    #[handler]
    async fn doubled_total(&mut self) -> u64 {
        self.doubled()
    }

    #[handler]
    fn was_started(&mut self) -> bool {
        self.started
    }

    #[handler]
    fn relabel(&mut self, label: String) {
        self.label = label;
    }

    #[handler]
    fn describe(&mut self, prefix: String, ctx: &mut Context<Self>, suffix: char) -> String {
        format!("{prefix}{}:{}{suffix}", self.label, ctx.generation())
    }

    #[handler]
    async fn take(&mut self, n: u64) -> Result<u64, Underflow> {
        self.total = self.total.checked_sub(n).ok_or(Underflow(self.total))?;
        Ok(self.total)
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = ActorSystem::new("ui").unwrap();
        let counter = system.spawn(Counter::default()).unwrap();
        assert!(counter.was_started().await.unwrap());
        counter.add(2).await.unwrap();
        counter.add_later(3).await.unwrap();
        counter.add_timeout(1, Duration::from_secs(5)).await.unwrap();
        assert_eq!(counter.total().await.unwrap(), 6);
        assert_eq!(counter.doubled_total().await.unwrap(), 12);
        assert_eq!(counter.take(4).await.unwrap(), Ok(2));
        assert_eq!(counter.take(10).await.unwrap(), Err(Underflow(2)));
        assert_eq!(
            counter.total_timeout(Duration::from_secs(5)).await.unwrap(),
            2
        );
        // `relabel` is the only handler told with one `String`: it gets a `From<String>`.
        counter.recipient::<String>().tell("c".to_owned()).await.unwrap();
        assert_eq!(
            counter.describe("<".to_owned(), '>').await.unwrap(),
            "<c:1>"
        );
        let _: CounterMsg = CounterMsg::Add { n: 1 };
        system.shutdown().await.unwrap();
    });
}
