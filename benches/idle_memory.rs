//! Workload C (memory): resident memory per idle actor, beside a raw task owning an mpsc
//! receiver. Each side is measured in a fresh process (this binary re-runs itself), from
//! `/proc/self/statm`, as the median of several runs.
//!
//! `cargo bench --bench idle_memory`

use std::process::Command;

#[path = "common/mod.rs"]
mod common;
use common::{Counter, RawCountMsg, raw_counter};

const N: usize = 100_000;
const RUNS: usize = 5;

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("resident pages");
    pages * 4096
}

fn measure(kind: &str) -> usize {
    let rt = common::runtime();
    rt.block_on(async {
        // Warm the runtime and the allocator with a small batch first.
        let before = rss_bytes();
        let per = match kind {
            "raw" => {
                let mut senders = Vec::with_capacity(N);
                let mut handles = Vec::with_capacity(N);
                let before = rss_bytes();
                for _ in 0..N {
                    let (tx, rx) = tokio::sync::mpsc::channel::<RawCountMsg>(64);
                    handles.push(tokio::spawn(raw_counter(rx)));
                    senders.push(tx);
                }
                tokio::task::yield_now().await;
                let after = rss_bytes();
                drop(senders);
                for h in handles {
                    h.await.unwrap();
                }
                (after - before) / N
            }
            "actors" => {
                let system = actors::ActorSystem::new("mem").unwrap();
                let mut refs = Vec::with_capacity(N);
                let before = rss_bytes();
                for _ in 0..N {
                    refs.push(system.spawn(Counter { total: 0 }).unwrap());
                }
                tokio::task::yield_now().await;
                let after = rss_bytes();
                drop(refs);
                system.shutdown().await.unwrap();
                (after - before) / N
            }
            other => panic!("unknown kind {other}"),
        };
        let _ = before;
        per
    })
}

fn median(mut v: Vec<usize>) -> usize {
    v.sort_unstable();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--measure") {
        println!("{}", measure(&args[pos + 1]));
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    let mut results = Vec::new();
    for kind in ["raw", "actors"] {
        let runs: Vec<usize> = (0..RUNS)
            .map(|_| {
                let out = Command::new(&exe)
                    .args(["--measure", kind])
                    .output()
                    .expect("child run");
                String::from_utf8_lossy(&out.stdout)
                    .trim()
                    .parse()
                    .expect("bytes per actor")
            })
            .collect();
        results.push((kind, median(runs.clone()), runs));
    }
    println!("C_idle_memory ({N} idle actors, median of {RUNS} fresh processes, bytes per actor)");
    for (kind, med, runs) in &results {
        println!("  {kind:>7}: {med:>6} B   runs {runs:?}");
    }
    let raw = results[0].1 as i64;
    let ours = results[1].1 as i64;
    println!("  actors - raw = {} B per actor", ours - raw);
}
