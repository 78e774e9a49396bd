use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add<N: Into<u64>>(&mut self, n: N) {
        self.total += n.into();
    }
}

fn main() {}
