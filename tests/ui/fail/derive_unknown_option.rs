use actors::prelude::*;

#[derive(Message)]
#[message(foo = 1)]
enum CounterMsg {
    Add(u64),
    Total { reply: Reply<u64> },
}

fn main() {}
