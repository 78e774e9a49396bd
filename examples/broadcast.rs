//! Real-time fan-out: a ticker publishes 500 prices to 10,000 subscriber actors through one
//! `Topic`. Almost all keep up and use `Overflow::Wait` (nothing is lost; the ticker is paced
//! by them); one slow screen uses `Overflow::DropNewest` (it misses ticks, counted); one slow
//! screen uses `Overflow::Unsubscribe` (cut off at its first full mailbox). Memory stays
//! bounded by the mailboxes: at most 8 ticks wait per subscriber. Checks the delivery counts
//! per policy; exits non-zero if anything is off.
//!
//! Run it with `cargo run --release --example broadcast`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use actors::prelude::*;
use actors::{Overflow, Topic};

const SUBSCRIBERS: usize = 10_000;
const TICKS: u64 = 500;
const MAILBOX: usize = 8;

/// A screen that shows prices; a slow one takes a millisecond per tick.
struct Screen {
    slow: bool,
    got: u64,
    in_order: bool,
    last: Option<u64>,
}

#[actor(mailbox = 8)]
impl Screen {
    #[handler]
    async fn tick(&mut self, price: u64) {
        if self.slow {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        self.in_order &= self.last.is_none_or(|last| price > last);
        self.last = Some(price);
        self.got += 1;
    }

    #[handler]
    fn seen(&mut self) -> (u64, bool) {
        (self.got, self.in_order)
    }
}

fn screen(slow: bool) -> Screen {
    Screen {
        slow,
        got: 0,
        in_order: true,
        last: None,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => {
            println!("broadcast: ok");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("broadcast: FAILED: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn check(ok: bool, what: impl Into<String>) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what.into()) }
}

async fn run() -> Result<(), String> {
    let system = ActorSystem::new("ticker").map_err(|e| e.to_string())?;
    let prices = Topic::<u64>::new();
    let mut screens = Vec::with_capacity(SUBSCRIBERS);
    for _ in 0..SUBSCRIBERS {
        let screen = system.spawn(screen(false)).map_err(|e| e.to_string())?;
        prices.subscribe(&screen, Overflow::Wait);
        screens.push(screen);
    }
    let dropping = system
        .spawn_builder(screen(true))
        .name("slow-dropping")
        .spawn()
        .map_err(|e| e.to_string())?;
    prices.subscribe(&dropping, Overflow::DropNewest);
    let cut_off = system
        .spawn_builder(screen(true))
        .name("slow-cut-off")
        .spawn()
        .map_err(|e| e.to_string())?;
    prices.subscribe(&cut_off, Overflow::Unsubscribe);
    println!(
        "{} subscribers, mailbox {MAILBOX} each",
        prices.subscriber_count()
    );

    let started = Instant::now();
    let mut most_queued = 0;
    let mut removed = 0;
    for price in 1..=TICKS {
        let published = prices.publish(price).await;
        removed += published.removed;
        if price % 50 == 0 {
            let queued: usize = screens.iter().map(|s| s.mailbox_len()).sum::<usize>()
                + dropping.mailbox_len()
                + cut_off.mailbox_len();
            most_queued = most_queued.max(queued);
            println!(
                "tick {price}: delivered to {}, dropped for {}, {queued} ticks queued in all",
                published.delivered, published.dropped
            );
        }
    }
    let took = started.elapsed();

    let mut complete = 0;
    for screen in &screens {
        if matches!(screen.seen().await, Ok((got, true)) if got == TICKS) {
            complete += 1;
        }
    }
    let (dropping_got, in_order) = dropping.seen().await.map_err(|e| e.to_string())?;
    let dropped = prices
        .stats()
        .iter()
        .find(|s| s.id == dropping.id())
        .map_or(0, |s| s.dropped);
    let (cut_off_got, _) = cut_off.seen().await.map_err(|e| e.to_string())?;
    println!(
        "{TICKS} ticks to {} subscribers in {took:.2?} ({:.1} M deliveries/s)",
        SUBSCRIBERS + 2,
        (TICKS as f64 * SUBSCRIBERS as f64) / took.as_secs_f64() / 1e6
    );
    println!("Wait: {complete}/{SUBSCRIBERS} screens got every tick, in order");
    println!("DropNewest (slow): got {dropping_got}, {dropped} dropped and counted");
    println!("Unsubscribe (slow): got {cut_off_got}, then cut off ({removed} removed)");
    println!(
        "at most {most_queued} ticks queued at once (bound: {} subscribers × {MAILBOX})",
        SUBSCRIBERS + 2
    );
    let still_subscribed = prices.subscriber_count();
    system.shutdown().await.map_err(|e| e.to_string())?;
    println!(
        "after the shutdown: {} subscribers (each removed at its final exit)",
        prices.subscriber_count()
    );

    check(
        complete == SUBSCRIBERS,
        "every Wait subscriber got every tick in order",
    )?;
    check(
        dropping_got + dropped == TICKS && dropped > 0 && in_order,
        "the dropping subscriber's ticks plus its drops make every tick",
    )?;
    check(
        removed == 1 && cut_off_got < TICKS && still_subscribed == SUBSCRIBERS + 1,
        "the slow Unsubscribe subscriber was cut off, only it",
    )?;
    check(
        most_queued <= (SUBSCRIBERS + 2) * MAILBOX,
        "what waits is bounded by the mailboxes",
    )?;
    check(
        prices.subscriber_count() == 0,
        "exited subscribers are removed",
    )?;
    Ok(())
}
