//! `#[derive(Message)]` on a hand-written enum: tuple, named and unit variants, `Reply`
//! fields (named and positional), and `From` for the variants told with one field.

use actors::prelude::*;

#[derive(Message)]
enum CounterMsg {
    /// Tuple, told: `add(arg0)`, and `From<u64>`.
    Add(u64),
    /// Named, told: `set_label(label)`, and `From<String>`.
    SetLabel { label: String },
    /// Unit, told: `reset()`.
    Reset,
    /// Named, asked: `total()`.
    Total { reply: Reply<u64> },
    /// Tuple, asked with an argument: `describe(arg0)`.
    Describe(char, Reply<String>),
}

#[derive(Default)]
struct Counter {
    total: u64,
    label: String,
}

impl Actor for Counter {
    type Msg = CounterMsg;

    async fn handle(&mut self, msg: CounterMsg, _: &mut Context<Self>) -> Result<(), ActorError> {
        match msg {
            CounterMsg::Add(n) => self.total += n,
            CounterMsg::SetLabel { label } => self.label = label,
            CounterMsg::Reset => self.total = 0,
            CounterMsg::Total { reply } => drop(reply.send(self.total)),
            CounterMsg::Describe(c, reply) => {
                drop(reply.send(format!("{c}{}={}", self.label, self.total)))
            }
        }
        Ok(())
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let system = ActorSystem::new("ui").unwrap();
        let counter = system.spawn(Counter::default()).unwrap();
        counter.add(2).await.unwrap();
        counter.recipient::<u64>().tell(3).await.unwrap();
        assert_eq!(counter.total().await.unwrap(), 5);
        counter.set_label("n".to_owned()).await.unwrap();
        counter.recipient::<String>().tell("m".to_owned()).await.unwrap();
        assert_eq!(counter.describe('#').await.unwrap(), "#m=5");
        counter.reset().await.unwrap();
        assert_eq!(
            counter
                .total_timeout(std::time::Duration::from_secs(5))
                .await
                .unwrap(),
            0
        );
        system.shutdown().await.unwrap();
    });
}
