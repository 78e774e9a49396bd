use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn total(&mut self) -> impl std::fmt::Display {
        self.total
    }
}

fn main() {}
