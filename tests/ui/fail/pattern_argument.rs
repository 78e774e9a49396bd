use actors::prelude::*;

struct Counter {
    total: u32,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, (a, b): (u32, u32)) {
        self.total += a + b;
    }
}

fn main() {}
