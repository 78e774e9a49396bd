//! The macros of `actors-macros`, re-exported here with their documentation.

/// Turns an inherent `impl` block into an actor: each `#[handler]` method becomes a message.
///
/// For `impl Counter`, the macro generates:
/// - `enum CounterMsg` (`pub`; rename it with `msg = Name`): one variant per handler, named
///   after it in `UpperCamelCase` (`get_total` → `GetTotal`), with the handler's arguments as
///   named fields, and a `reply` field when the handler returns a value;
/// - `impl Actor for Counter`: `type Msg = CounterMsg` and a `handle` that is one exhaustive
///   `match`, calling each handler (and `.await`ing the async ones);
/// - `trait CounterClient`, implemented for `ActorRef<Counter>`: one method per handler with
///   the handler's arguments, an ask for handlers that return a value, a tell for those that
///   return `()`, each with a `_timeout` twin taking a `Duration` last. The client trait of a
///   message enum `XMsg` is `XClient` (of an enum without the `Msg` suffix, `{Name}Client`);
/// - `From<Arg>` for the message, for each handler told with one argument (unless two such
///   handlers take the same type), so that a `Recipient<Arg>` reaches the actor.
///
/// A handler takes `&mut self`, then its arguments by value (they travel in the message, so
/// they are owned and `Send`), optionally `ctx: &mut Context<Self>` anywhere among them. It may
/// be `async` or not. What it returns decides how it is sent:
///
/// | the handler returns | its variant carries | the client method | the asker gets |
/// |---|---|---|---|
/// | nothing or `()` | no reply | tells | `Result<(), SendError<Msg>>` |
/// | `T` | `reply: Reply<T>` | asks | `Result<T, AskError>` |
/// | `Result<T, E>` | `reply: Option<Reply<Result<T, E>>>` | asks | `Result<Result<T, E>, AskError>` |
///
/// **The `Result` rule.** An asker receives the handler's `Result`, and an `Err` is theirs to
/// handle: the actor does not fail (also when the asker gave up waiting: it chose not to see
/// the answer). When the message was told (through `From`, a `Recipient`, or the enum with
/// `reply: None`), an `Err` fails the instance, since no one else would ever see it; so `E` converts into [`ActorError`](crate::ActorError) (any
/// `std::error::Error + Send + Sync + 'static` does, and `ActorError` itself).
///
/// Lifecycle hooks (`started`, `stopped`, `on_down`, `on_exit`) may be written in the same
/// block, without `#[handler]`, with their `Actor` signatures: they go into the generated
/// `impl Actor`. Other methods stay where they are.
///
/// Options: `#[actor(msg = Name, mailbox = N, crate = path)]`. `mailbox` sets
/// [`Actor::MAILBOX_CAPACITY`](crate::Actor::MAILBOX_CAPACITY) (at least 1); `crate` is the
/// path to this crate when it is renamed (default `::actors`).
///
/// The macro refuses what it cannot turn into a message, with an error at the offending
/// token: `&self` or `self`, borrowed or `impl Trait` arguments, generic handlers, an argument
/// named `reply`, two handlers that would make the same variant, a handler named like one of
/// `ActorRef`'s own methods (`stop`, `tell`, ...), generic actors, trait impls.
///
/// # Examples
///
/// ```
/// use actors::prelude::*;
///
/// #[derive(Default)]
/// struct Counter {
///     total: u64,
/// }
///
/// #[derive(Debug, PartialEq, thiserror::Error)]
/// #[error("the total is only {0}")]
/// struct Underflow(u64);
///
/// #[actor]
/// impl Counter {
///     /// Adds `n` to the total.
///     #[handler]
///     fn add(&mut self, n: u64) {
///         self.total += n;
///     }
///
///     /// The total so far.
///     #[handler]
///     fn total(&mut self) -> u64 {
///         self.total
///     }
///
///     /// Takes `n` away, unless the total is smaller.
///     #[handler]
///     async fn take(&mut self, n: u64) -> Result<u64, Underflow> {
///         self.total = self.total.checked_sub(n).ok_or(Underflow(self.total))?;
///         Ok(self.total)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::new("app")?;
/// let counter = system.spawn(Counter::default())?;
/// counter.add(5).await?;
/// assert_eq!(counter.total().await?, 5);
/// assert_eq!(counter.take(2).await?, Ok(3));
/// // The asker handles the `Err`; the actor goes on.
/// assert!(counter.take(10).await?.is_err());
/// assert_eq!(counter.total().await?, 3);
/// system.shutdown().await?;
/// # Ok(())
/// # }
/// ```
///
/// What it expands to, written by hand (the generated code names every item by its absolute
/// path, and a `take` told without a reply fails the instance on `Err`):
///
/// ```
/// use actors::prelude::*;
/// use actors::{SendError, SendTimeoutError};
/// use std::future::Future;
/// use std::time::Duration;
/// # #[derive(Default)] struct Counter { total: u64 }
/// # #[derive(Debug, thiserror::Error)] #[error("the total is only {0}")] struct Underflow(u64);
///
/// impl Counter {
///     fn add(&mut self, n: u64) {
///         self.total += n;
///     }
///     fn total(&mut self) -> u64 {
///         self.total
///     }
///     async fn take(&mut self, n: u64) -> Result<u64, Underflow> {
///         self.total = self.total.checked_sub(n).ok_or(Underflow(self.total))?;
///         Ok(self.total)
///     }
/// }
///
/// pub enum CounterMsg {
///     Add { n: u64 },
///     Total { reply: Reply<u64> },
///     Take { n: u64, reply: Option<Reply<Result<u64, Underflow>>> },
/// }
///
/// impl Actor for Counter {
///     type Msg = CounterMsg;
///
///     async fn handle(&mut self, msg: CounterMsg, ctx: &mut Context<Self>) -> Result<(), ActorError> {
///         match msg {
///             CounterMsg::Add { n } => {
///                 self.add(n);
///             }
///             CounterMsg::Total { reply } => {
///                 let _ = reply.send(self.total());
///             }
///             CounterMsg::Take { n, reply } => {
///                 let result = self.take(n).await;
///                 match reply {
///                     Some(reply) => drop(reply.send(result)),
///                     None => drop(result.map_err(ActorError::from)?),
///                 }
///             }
///         }
///         Ok(())
///     }
/// }
///
/// pub trait CounterClient {
///     fn add(&self, n: u64) -> impl Future<Output = Result<(), SendError<CounterMsg>>> + Send;
///     fn add_timeout(&self, n: u64, timeout: Duration)
///         -> impl Future<Output = Result<(), SendTimeoutError<CounterMsg>>> + Send;
///     fn total(&self) -> impl Future<Output = Result<u64, AskError>> + Send;
///     // ... `total_timeout`, `take`, `take_timeout` alike.
/// }
///
/// impl CounterClient for ActorRef<Counter> {
///     fn add(&self, n: u64) -> impl Future<Output = Result<(), SendError<CounterMsg>>> + Send {
///         self.tell(CounterMsg::Add { n })
///     }
///     fn add_timeout(&self, n: u64, timeout: Duration)
///         -> impl Future<Output = Result<(), SendTimeoutError<CounterMsg>>> + Send {
///         self.tell_timeout(CounterMsg::Add { n }, timeout)
///     }
///     fn total(&self) -> impl Future<Output = Result<u64, AskError>> + Send {
///         self.ask(|reply| CounterMsg::Total { reply })
///     }
/// }
///
/// impl From<u64> for CounterMsg {
///     // `add` and `take` both take one `u64`: neither gets a `From` (which would it be?).
///     # fn from(n: u64) -> Self { CounterMsg::Add { n } }
/// }
/// ```
pub use actors_macros::actor;

/// Marks a method of an [`#[actor]`](macro@actor) block as a message handler. It means nothing
/// elsewhere, and is an error there.
pub use actors_macros::handler;

/// Generates the typed client and `From` impls of a hand-written message enum, for those who
/// prefer to write the enum (and `handle`) themselves.
///
/// From each variant: a client method named after it in `snake_case`, taking its fields (named
/// after them, or `arg0`, `arg1`, ... in a tuple variant) except a `Reply<T>` field, which makes
/// the variant an ask answering `T`; without one it is a tell. The client trait is named after
/// the enum as for [`#[actor]`](macro@actor) (`CounterMsg` → `CounterClient`) and implemented
/// for every `ActorRef<A>` whose `A::Msg` is the enum. Variants told with one field get a
/// `From` impl (unless two take the same type). Option: `#[message(crate = path)]`.
///
/// # Examples
///
/// ```
/// use actors::prelude::*;
///
/// #[derive(Message)]
/// enum CounterMsg {
///     Add(u64),
///     Total { reply: Reply<u64> },
/// }
///
/// struct Counter(u64);
///
/// impl Actor for Counter {
///     type Msg = CounterMsg;
///
///     async fn handle(&mut self, msg: CounterMsg, _: &mut Context<Self>) -> Result<(), ActorError> {
///         match msg {
///             CounterMsg::Add(n) => self.0 += n,
///             CounterMsg::Total { reply } => drop(reply.send(self.0)),
///         }
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let system = ActorSystem::new("app")?;
/// let counter = system.spawn(Counter(0))?;
/// counter.add(2).await?; // from `Add(u64)`
/// counter.recipient::<u64>().tell(3).await?; // through `From<u64>`
/// assert_eq!(counter.total().await?, 5);
/// system.shutdown().await?;
/// # Ok(())
/// # }
/// ```
pub use actors_macros::Message;
