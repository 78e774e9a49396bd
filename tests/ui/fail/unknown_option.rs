use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor(mailbx = 4)]
impl Counter {
    #[handler]
    fn total(&mut self) -> u64 {
        self.total
    }
}

fn main() {}
