use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Actor for Counter {
    type Msg = u64;

    async fn handle(&mut self, n: u64, _: &mut Context<Self>) -> Result<(), ActorError> {
        self.total += n;
        Ok(())
    }
}

fn main() {}
