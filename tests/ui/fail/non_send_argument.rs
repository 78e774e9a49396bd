use actors::prelude::*;

struct Counter {
    total: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, n: std::rc::Rc<u32>) {
        self.total += u64::from(*n);
    }
}

fn main() {}
