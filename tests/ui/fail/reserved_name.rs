use actors::prelude::*;

struct Machine {
    running: bool,
}

#[actor]
impl Machine {
    #[handler]
    fn stop(&mut self) {
        self.running = false;
    }
}

fn main() {}
