use actors::prelude::*;

#[derive(Message)]
enum CounterMsg {
    Add(u64),
    Total { first: Reply<u64>, second: Reply<u64> },
}

fn main() {}
