use actors::prelude::*;

struct Store<T> {
    items: Vec<T>,
}

#[actor]
impl<T: Send + 'static> Store<T> {
    #[handler]
    fn push(&mut self, item: T) {
        self.items.push(item);
    }
}

fn main() {}
