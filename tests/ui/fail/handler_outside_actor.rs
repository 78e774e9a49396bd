use actors::prelude::*;

struct Counter {
    total: u64,
}

impl Counter {
    #[handler]
    fn total(&mut self) -> u64 {
        self.total
    }
}

fn main() {}
