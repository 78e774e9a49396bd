use actors::prelude::*;

struct Counter;

#[actor]
impl Counter {
    #[handler]
    fn wait_for(&mut self, timeout: u64) {
        let _ = timeout;
    }
}

fn main() {}
