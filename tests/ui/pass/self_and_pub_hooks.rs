//! `Self` in a handler's argument or return type means the actor (not the message enum or the
//! client), and a hook written `pub` in the block still becomes the trait's hook.

use actors::prelude::*;

#[derive(Clone)]
struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    pub async fn started(&mut self, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
        self.total += 100;
        Ok(())
    }

    #[handler]
    fn merge(&mut self, other: Self) {
        self.total += other.total;
    }

    #[handler]
    fn snapshot(&mut self) -> Self {
        self.clone()
    }

    #[handler]
    fn many(&mut self) -> Vec<Self> {
        vec![self.clone(), self.clone()]
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let system = ActorSystem::new("pass").unwrap();
        let counter = system.spawn(Counter { total: 0 }).unwrap();
        counter.merge(Counter { total: 5 }).await.unwrap();
        assert_eq!(counter.snapshot().await.unwrap().total, 105);
        assert_eq!(counter.many().await.unwrap().len(), 2);
        system.shutdown().await.unwrap();
    });
}
