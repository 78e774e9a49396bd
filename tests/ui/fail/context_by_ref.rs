use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn total(&mut self, ctx: &Context<Self>) -> u64 {
        self.total + ctx.generation()
    }
}

fn main() {}
