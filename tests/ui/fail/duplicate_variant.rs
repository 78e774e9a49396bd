use actors::prelude::*;

struct Point {
    x: i64,
}

#[actor]
impl Point {
    #[handler]
    fn get_x(&mut self) -> i64 {
        self.x
    }

    #[allow(non_snake_case)]
    #[handler]
    fn getX(&mut self) -> i64 {
        self.x
    }
}

fn main() {}
