use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    #[handler(foo)]
    fn total(&mut self) -> u64 {
        self.total
    }
}

fn main() {}
