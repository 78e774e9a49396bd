use actors::prelude::*;

#[derive(Message)]
enum StoreMsg<T> {
    Push(T),
    Len { reply: Reply<usize> },
}

fn main() {}
