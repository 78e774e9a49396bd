use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, reply: u64) {
        self.total += reply;
    }
}

fn main() {}
