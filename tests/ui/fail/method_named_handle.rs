use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    fn handle(&mut self, n: u64) {
        self.total += n;
    }

    #[handler]
    fn total(&mut self) -> u64 {
        self.total
    }
}

fn main() {}
