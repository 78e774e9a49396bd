use actors::prelude::*;

struct Greeter {
    last: String,
}

#[actor]
impl Greeter {
    #[handler]
    fn greet(&mut self, name: &str) {
        self.last = name.to_owned();
    }
}

fn main() {}
