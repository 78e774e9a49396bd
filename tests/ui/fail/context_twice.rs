use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, _a: &mut Context<Self>, n: u64, _b: &mut Context<Self>) {
        self.total += n;
    }
}

fn main() {}
