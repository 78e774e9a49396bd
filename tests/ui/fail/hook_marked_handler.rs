use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    #[handler]
    async fn started(&mut self, _ctx: &mut Context<Self>) -> Result<(), ActorError> {
        self.total = 0;
        Ok(())
    }

    #[handler]
    fn total(&mut self) -> u64 {
        self.total
    }
}

fn main() {}
