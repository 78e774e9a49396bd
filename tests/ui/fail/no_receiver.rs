use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn zero() -> u64 {
        0
    }

    #[handler]
    fn total(&mut self) -> u64 {
        self.total
    }
}

fn main() {}
