use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, n: impl Into<u64>) {
        self.total += n.into();
    }
}

fn main() {}
