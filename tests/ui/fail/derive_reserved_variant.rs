use actors::prelude::*;

#[derive(Message)]
enum MachineMsg {
    Start,
    Stop,
}

fn main() {}
