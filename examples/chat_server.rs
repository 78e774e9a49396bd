//! A WebSocket chat server built from actors: a listener actor that owns the TCP listener, one
//! actor per connection under a dynamic supervisor (Temporary children: a broken connection is
//! not restarted), one room actor per room owning a `Topic`, and the system's registry as the
//! room directory. A connection actor that panics on a malformed frame is contained and
//! reported; the others keep chatting.
//!
//! Protocol (text frames): a client first sends `JOIN <room>` and gets `JOINED <room>`; every
//! later text frame is a message to its room, which every member (the sender too) receives as
//! `<room> #<seq> <from>: <text>`, in one order per room. Any other frame (a binary one, or a
//! first frame that is not a `JOIN` of a known room) is malformed: the connection's actor
//! panics, and only that connection closes.
//!
//! `cargo run --example chat_server` runs a short self-check (20 clients on loopback, one
//! sending a malformed frame) and exits; `cargo run --example chat_server -- --serve
//! [--port 9000] [--rooms 10]` serves until Ctrl-C, then shuts the tree down.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use actors::prelude::*;
use actors::{
    ChildSpec, DynamicSupervisor, DynamicSupervisorRef, EventKind, Overflow, Restart, Strategy,
    Supervisor, SupervisorRef, Topic,
};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// A line said in a room, as every member receives it.
#[derive(Debug)]
pub(crate) struct ChatLine {
    room: String,
    seq: u64,
    from: String,
    text: String,
}

/// A room: a topic of its members, and the order of its lines.
pub(crate) struct Room {
    name: String,
    members: Topic<Arc<ChatLine>>,
    seq: u64,
}

#[actor]
impl Room {
    /// A connection joins: it gets every line posted after this.
    #[handler]
    fn join(&mut self, member: ActorRef<Connection>) -> bool {
        self.members.subscribe(&member, Overflow::Wait)
    }

    /// A line to everyone in the room, numbered in the room's one order.
    #[handler]
    async fn post(&mut self, from: String, text: String) {
        self.seq += 1;
        let line = Arc::new(ChatLine {
            room: self.name.clone(),
            seq: self.seq,
            from,
            text,
        });
        self.members.publish(line).await;
    }
}

/// What a connection actor receives: its socket's frames, the end of its socket, and the
/// lines of its room.
pub(crate) enum ConnectionMsg {
    Frame(Result<Message, WsError>),
    Closed,
    Line(Arc<ChatLine>),
}

impl From<Result<Message, WsError>> for ConnectionMsg {
    fn from(frame: Result<Message, WsError>) -> Self {
        Self::Frame(frame)
    }
}

impl From<Arc<ChatLine>> for ConnectionMsg {
    fn from(line: Arc<ChatLine>) -> Self {
        Self::Line(line)
    }
}

/// One client's connection: owns its WebSocket.
pub(crate) struct Connection {
    socket: Option<TcpStream>,
    peer: SocketAddr,
    sink: Option<SplitSink<WebSocketStream<TcpStream>, Message>>,
    room: Option<ActorRef<Room>>,
}

impl Actor for Connection {
    type Msg = ConnectionMsg;
    const MAILBOX_CAPACITY: usize = 1_024;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        let socket = self
            .socket
            .take()
            .ok_or_else(|| ActorError::msg("a connection is never restarted"))?;
        let handshake = tokio_tungstenite::accept_async(socket);
        let ws = tokio::time::timeout(Duration::from_secs(5), handshake).await??;
        let (sink, frames) = ws.split();
        self.sink = Some(sink);
        ctx.add_stream(frames, Some(ConnectionMsg::Closed));
        Ok(())
    }

    async fn handle(
        &mut self,
        msg: ConnectionMsg,
        ctx: &mut Context<Self>,
    ) -> Result<(), ActorError> {
        match msg {
            ConnectionMsg::Frame(Ok(Message::Text(text))) => match &self.room {
                None => {
                    let room = text
                        .strip_prefix("JOIN ")
                        .and_then(|name| ctx.system().registry().lookup::<Room>(name).ok());
                    let Some(room) = room else {
                        panic!(
                            "malformed first frame from {}: {:?}",
                            self.peer,
                            text.as_str()
                        );
                    };
                    room.join(ctx.actor_ref().clone()).await?;
                    let name = text.trim_start_matches("JOIN ").to_owned();
                    self.send(format!("JOINED {name}")).await?;
                    self.room = Some(room);
                }
                Some(room) => {
                    room.post(self.peer.to_string(), text.as_str().to_owned())
                        .await?;
                }
            },
            ConnectionMsg::Frame(Ok(Message::Binary(_))) => {
                panic!("malformed frame from {}: binary", self.peer);
            }
            // Pings are answered by the WebSocket layer; pongs and other control frames need
            // nothing from us.
            ConnectionMsg::Frame(Ok(Message::Close(_))) | ConnectionMsg::Closed => ctx.stop(),
            ConnectionMsg::Frame(Ok(_)) => {}
            // A broken socket: this connection is over (not a failure of the server).
            ConnectionMsg::Frame(Err(_)) => ctx.stop(),
            ConnectionMsg::Line(line) => {
                let text = format!("{} #{} {}: {}", line.room, line.seq, line.from, line.text);
                if self.send(text).await.is_err() {
                    ctx.stop();
                }
            }
        }
        Ok(())
    }
}

impl Connection {
    async fn send(&mut self, text: String) -> Result<(), ActorError> {
        match &mut self.sink {
            Some(sink) => Ok(sink.send(Message::text(text)).await?),
            None => Err(ActorError::msg("no socket")),
        }
    }
}

/// The listener's stream of accepted connections.
struct Accepting(TcpListener);

impl futures_core::Stream for Accepting {
    type Item = std::io::Result<(TcpStream, SocketAddr)>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_accept(cx).map(Some)
    }
}

/// Owns the TCP listener: each accepted socket becomes a connection actor.
pub(crate) struct Listener {
    listener: Option<TcpListener>,
    connections: DynamicSupervisorRef<(TcpStream, SocketAddr)>,
}

pub(crate) enum ListenerMsg {
    Accepted(std::io::Result<(TcpStream, SocketAddr)>),
}

impl From<std::io::Result<(TcpStream, SocketAddr)>> for ListenerMsg {
    fn from(accepted: std::io::Result<(TcpStream, SocketAddr)>) -> Self {
        Self::Accepted(accepted)
    }
}

impl Actor for Listener {
    type Msg = ListenerMsg;

    async fn started(&mut self, ctx: &mut Context<Self>) -> Result<(), ActorError> {
        if let Some(listener) = self.listener.take() {
            ctx.add_stream(Accepting(listener), None);
        }
        Ok(())
    }

    async fn handle(&mut self, msg: ListenerMsg, _: &mut Context<Self>) -> Result<(), ActorError> {
        let ListenerMsg::Accepted(accepted) = msg;
        match accepted {
            Ok(conn) => {
                // The handshake runs in the connection's `started`: not waited for here, so
                // one slow client never holds up the others' accepts.
                let connections = self.connections.clone();
                tokio::spawn(async move {
                    let _ = connections.start_child(conn).await;
                });
            }
            Err(e) => tracing::warn!(error = %e, "accept failed"),
        }
        Ok(())
    }
}

/// A running server.
pub(crate) struct Server {
    pub(crate) system: ActorSystem,
    pub(crate) addr: SocketAddr,
    pub(crate) rooms: Vec<String>,
    pub(crate) connections: DynamicSupervisorRef<(TcpStream, SocketAddr)>,
    /// Held so that the rooms' supervisor is not dropped from view.
    _rooms: SupervisorRef,
}

/// Starts the server on 127.0.0.1:`port` (0: any free port) with `rooms` rooms.
pub(crate) async fn start(port: u16, rooms: usize) -> Result<Server, Box<dyn std::error::Error>> {
    let system = ActorSystem::new("chat")?;
    let names: Vec<String> = (0..rooms).map(|i| format!("room-{i}")).collect();
    let room_sup = system
        .start_supervisor(
            "rooms",
            Supervisor::new(Strategy::OneForOne).children(names.iter().map(|name| {
                let name = name.clone();
                ChildSpec::worker(name.clone(), move || Room {
                    name: name.clone(),
                    members: Topic::new(),
                    seq: 0,
                })
            })),
        )
        .await?;
    for child in room_sup.children() {
        if let Some(room) = child.downcast::<Room>() {
            system.registry().register(child.id(), &room)?;
        }
    }
    let connections = DynamicSupervisor::new(|(socket, peer): (TcpStream, SocketAddr)| {
        let socket = Mutex::new(Some(socket));
        ChildSpec::worker("conn", move || Connection {
            socket: socket.lock().ok().and_then(|mut s| s.take()),
            peer,
            sink: None,
            room: None,
        })
        .restart(Restart::Temporary)
    })
    .start(&system, "connections")
    .await?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    system
        .spawn_builder(Listener {
            listener: Some(listener),
            connections: connections.clone(),
        })
        .name("listener")
        .spawn()?;
    Ok(Server {
        system,
        addr,
        rooms: names,
        connections,
        _rooms: room_sup,
    })
}

fn flag(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = flag("--port").and_then(|p| p.parse().ok());
    let rooms = flag("--rooms").and_then(|r| r.parse().ok()).unwrap_or(10);
    let serve = std::env::args().any(|a| a == "--serve");
    let outcome = if serve {
        serve_until_ctrl_c(port.unwrap_or(9000), rooms).await
    } else {
        self_check(rooms).await
    };
    match outcome {
        Ok(()) => {
            println!("chat_server: ok");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("chat_server: FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn serve_until_ctrl_c(port: u16, rooms: usize) -> Result<(), Box<dyn std::error::Error>> {
    let server = start(port, rooms).await?;
    println!(
        "chat server on ws://{} with rooms {}; Ctrl-C to stop",
        server.addr,
        server.rooms.join(", ")
    );
    let mut events = server.system.events();
    let system = server.system.clone();
    tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            if let EventKind::Failed(info) = &event.kind {
                println!("contained: {} {}", event.path, info.message());
            }
        }
    });
    tokio::signal::ctrl_c().await?;
    println!("\nshutting down: {}", system.tree().await);
    system.shutdown().await?;
    Ok(())
}

/// A client for the self-check: sends text, collects what it receives.
type Client = WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn client(addr: SocketAddr, room: &str) -> Result<Client, Box<dyn std::error::Error>> {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}")).await?;
    ws.send(Message::text(format!("JOIN {room}"))).await?;
    match ws.next().await {
        Some(Ok(Message::Text(t))) if t.as_str() == format!("JOINED {room}") => Ok(ws),
        other => Err(format!("no JOINED for {room}: {other:?}").into()),
    }
}

async fn self_check(rooms: usize) -> Result<(), Box<dyn std::error::Error>> {
    std::panic::set_hook(Box::new(|_| {}));
    let server = start(0, rooms.max(2)).await?;
    println!(
        "chat server on ws://{} ({} rooms)",
        server.addr,
        server.rooms.len()
    );
    let mut events = server.system.events();

    let mut clients = Vec::new();
    for i in 0..20 {
        let room = server.rooms[i % 2].clone();
        clients.push((room.clone(), client(server.addr, &room).await?));
    }
    // A malformed frame from one more client: its actor panics, contained.
    let (mut bad, _) = tokio_tungstenite::connect_async(format!("ws://{}", server.addr)).await?;
    bad.send(Message::binary(vec![0xde, 0xad])).await?;

    for (i, (_, ws)) in clients.iter_mut().enumerate() {
        ws.send(Message::text(format!("hello from client {i}")))
            .await?;
    }
    let mut received: HashMap<String, Vec<String>> = HashMap::new();
    for (room, ws) in &mut clients {
        for _ in 0..10 {
            let frame = tokio::time::timeout(Duration::from_secs(5), ws.next()).await?;
            match frame {
                Some(Ok(Message::Text(t))) => received
                    .entry(room.clone())
                    .or_default()
                    .push(t.to_string()),
                other => return Err(format!("a line for {room}: {other:?}").into()),
            }
        }
    }
    let failed = loop {
        let event = tokio::time::timeout(Duration::from_secs(5), events.recv()).await??;
        if let EventKind::Failed(info) = &event.kind {
            break format!("{} {}", event.path, info.message());
        }
    };
    println!("contained: {failed}");
    for room in &server.rooms[..2] {
        let lines = &received[room];
        println!(
            "{room}: {} lines received by 10 members, e.g. {:?}",
            lines.len(),
            lines[0]
        );
    }
    println!("{}", server.system.tree().await);
    let connected = server.connections.count_children().active;
    server.system.shutdown().await?;
    if connected != 20 {
        return Err(format!("20 connections stay up after the bad one, not {connected}").into());
    }
    if server.system.task_count() != 0 {
        return Err("every task ended with the shutdown".into());
    }
    Ok(())
}
