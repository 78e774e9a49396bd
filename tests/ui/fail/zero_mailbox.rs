use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor(mailbox = 0)]
impl Counter {
    #[handler]
    fn total(&mut self) -> u64 {
        self.total
    }
}

fn main() {}
