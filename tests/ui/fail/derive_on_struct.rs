use actors::prelude::*;

#[derive(Message)]
struct Add {
    n: u64,
}

fn main() {}
