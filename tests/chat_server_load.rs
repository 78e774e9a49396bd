//! The chat server of `examples/chat_server.rs` under load, on loopback and the real clock
//! (sockets cannot run on a paused one): 1,000 WebSocket clients in 10 rooms each say 3 lines
//! and must receive exactly their room's lines, in the room's one order; then 50 clients
//! vanish abruptly and 10 send malformed frames, and the 940 left say one more line each,
//! which reaches exactly the survivors of each room. The malformed ones are contained and
//! reported as failures; after the shutdown no task of the system is left. Bounded in count
//! (every wait has a deadline); nothing asserts a duration.

#[path = "../examples/chat_server.rs"]
#[allow(dead_code, unreachable_pub)]
mod chat;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::Duration;

use actors::EventKind;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const CLIENTS: usize = 1_000;
const ROOMS: usize = 10;
const LINES: usize = 3;
/// Every wait of the test ends by then, or the test fails.
const PATIENCE: Duration = Duration::from_secs(30);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

struct Client {
    name: usize,
    room: String,
    ws: Ws,
    /// The server's name for this client (its peer address), learnt from its first echo.
    peer: Option<String>,
}

async fn connect(addr: SocketAddr, name: usize, room: String) -> Client {
    let (mut ws, _) = tokio::time::timeout(
        PATIENCE,
        tokio_tungstenite::connect_async(format!("ws://{addr}")),
    )
    .await
    .expect("connect in time")
    .expect("connected");
    ws.send(Message::text(format!("JOIN {room}")))
        .await
        .unwrap();
    let joined = tokio::time::timeout(PATIENCE, ws.next())
        .await
        .expect("JOINED in time");
    match joined {
        Some(Ok(Message::Text(t))) => assert_eq!(t.as_str(), format!("JOINED {room}")),
        other => panic!("client {name}: expected JOINED, got {other:?}"),
    }
    Client {
        name,
        room,
        ws,
        peer: None,
    }
}

/// One received line: `<room> #<seq> <from>: <text>`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    room: String,
    seq: u64,
    from: String,
    text: String,
}

fn parse(text: &str) -> Line {
    let (room, rest) = text.split_once(" #").expect("room");
    let (seq, rest) = rest.split_once(' ').expect("seq");
    let (from, text) = rest.split_once(": ").expect("from");
    Line {
        room: room.to_owned(),
        seq: seq.parse().expect("a number"),
        from: from.to_owned(),
        text: text.to_owned(),
    }
}

async fn receive(client: &mut Client, count: usize) -> Vec<Line> {
    let mut lines = Vec::with_capacity(count);
    while lines.len() < count {
        let frame = tokio::time::timeout(PATIENCE, client.ws.next())
            .await
            .unwrap_or_else(|_| panic!("client {} waited too long", client.name));
        match frame {
            Some(Ok(Message::Text(t))) => lines.push(parse(t.as_str())),
            Some(Ok(_)) => {}
            other => panic!("client {}: the connection ended: {other:?}", client.name),
        }
    }
    lines
}

/// Each client says `round`'s lines, then every client reads what its room said in that
/// round: `members[room] * lines` lines each. Returns what each client received.
async fn round(clients: &mut [Client], round: usize, lines: usize) -> Vec<Vec<Line>> {
    let mut members: HashMap<String, usize> = HashMap::new();
    for c in clients.iter() {
        *members.entry(c.room.clone()).or_default() += 1;
    }
    for c in clients.iter_mut() {
        for k in 0..lines {
            let text = format!("round {round} line {k} from client {}", c.name);
            c.ws.send(Message::text(text)).await.unwrap();
        }
    }
    let mut received = Vec::with_capacity(clients.len());
    for c in clients.iter_mut() {
        let expected = members[&c.room] * lines;
        received.push(receive(c, expected).await);
    }
    received
}

/// Checks one round: every client of a room got the same lines in the same order, with the
/// room's sequence numbers strictly increasing, each member's lines all there and in the
/// order it said them.
fn check_round(clients: &[Client], received: &[Vec<Line>], round: usize, lines: usize) {
    let mut by_room: BTreeMap<&str, &Vec<Line>> = BTreeMap::new();
    for (client, got) in clients.iter().zip(received) {
        assert!(
            got.iter().all(|l| l.room == client.room),
            "only its room's lines"
        );
        match by_room.get(client.room.as_str()) {
            Some(first) => assert_eq!(
                *first, got,
                "every member of {} sees one order",
                client.room
            ),
            None => {
                by_room.insert(client.room.as_str(), got);
            }
        }
        assert!(
            got.windows(2).all(|w| w[0].seq < w[1].seq),
            "sequence order"
        );
    }
    for (room, got) in by_room {
        let senders: Vec<&Client> = clients.iter().filter(|c| c.room == room).collect();
        for sender in senders {
            let said: Vec<String> = (0..lines)
                .map(|k| format!("round {round} line {k} from client {}", sender.name))
                .collect();
            let heard: Vec<String> = got
                .iter()
                .filter(|l| l.text.ends_with(&format!("from client {}", sender.name)))
                .map(|l| l.text.clone())
                .collect();
            assert_eq!(heard, said, "client {}'s lines in {room}", sender.name);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_clients_chat_and_bad_ones_hurt_no_one() {
    std::panic::set_hook(Box::new(|_| {}));
    let server = chat::start(0, ROOMS).await.expect("server started");

    let mut clients = Vec::with_capacity(CLIENTS);
    for name in 0..CLIENTS {
        let room = server.rooms[name % ROOMS].clone();
        clients.push(connect(server.addr, name, room).await);
    }
    assert_eq!(server.connections.count_children().active, CLIENTS);

    let first = round(&mut clients, 0, LINES).await;
    check_round(&clients, &first, 0, LINES);
    for (client, got) in clients.iter_mut().zip(&first) {
        let own = got
            .iter()
            .find(|l| l.text.ends_with(&format!("from client {}", client.name)))
            .expect("its own line");
        client.peer = Some(own.from.clone());
    }

    // 50 vanish without a close frame; 10 send a malformed (binary) frame.
    let mut vanished = Vec::new();
    for _ in 0..50 {
        let gone = clients.remove(7);
        vanished.push(gone.peer.clone());
        drop(gone);
    }
    let mut malformed = Vec::new();
    for _ in 0..10 {
        let mut bad = clients.remove(3);
        bad.ws.send(Message::binary(vec![0xff])).await.unwrap();
        malformed.push(bad);
    }
    // The bad ones' connections end: their sockets close.
    for bad in &mut malformed {
        let end = tokio::time::timeout(PATIENCE, async {
            loop {
                match bad.ws.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        assert!(end.is_ok(), "client {}'s connection is closed", bad.name);
    }
    // Every connection of a vanished or malformed client is gone from the server before the
    // next round (bounded wait on the server's own count).
    let survivors = clients.len();
    tokio::time::timeout(PATIENCE, async {
        while server.connections.count_children().active != survivors {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the server dropped the 60 connections");

    let second = round(&mut clients, 1, 1).await;
    check_round(&clients, &second, 1, 1);

    // The malformed frames were contained failures, reported with their connections' paths
    // (read from the failures journal: a thousand connections' events overflow a subscription).
    let failed: Vec<_> = server
        .system
        .failures()
        .into_iter()
        .filter_map(|event| match &event.kind {
            EventKind::Failed(info) => Some((event.path.clone(), info.is_panic())),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 10, "{failed:?}");
    for (path, panicked) in &failed {
        assert!(
            path.as_str().starts_with("/chat/connections/conn-"),
            "{path}"
        );
        assert!(panicked, "{path}");
    }

    drop(clients);
    drop(malformed);
    server.system.shutdown().await.unwrap();
    assert_eq!(
        server.system.task_count(),
        0,
        "no task left after the shutdown"
    );
}
