use actors::prelude::*;

struct Counter;

#[actor]
impl Counter {
    #[handler]
    fn get(&mut self) -> u64 {
        1
    }

    #[handler]
    fn get_timeout(&mut self) -> u64 {
        2
    }
}

fn main() {}
