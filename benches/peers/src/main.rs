//! `actors` beside raw tokio, kameo, ractor and actix on DESIGN.md's workloads A-H.
//!
//! - `peers [--reps N] [--only a64,c,...] [--systems raw,actors,...]`: runs every cell, each in
//!   a fresh child process (this binary, `one <system> <workload>`), round robin over the
//!   systems and workloads for each repetition, then prints markdown tables of the medians
//!   with their ratio to raw tokio.
//! - `peers one <system> <workload>`: one measurement; prints one line of figures.
//!
//! See README.md for what each workload does in each system.

mod actix_peer;
mod bench;
mod kameo_peer;
mod ours;
mod ractor_peer;
mod raw;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use bench::{Outcome, SYSTEMS, Workload};

/// A child that takes longer than this is killed and its cell reported as failed.
const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("one") {
        return one(&args[1..]);
    }
    match Options::parse(&args) {
        Ok(options) => all(&options),
        Err(message) => {
            eprintln!("{message}\n\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: peers [--reps N] [--only WORKLOAD,...] [--systems SYSTEM,...]
       peers one SYSTEM WORKLOAD
workloads: a64 a1024 b c d e f g h a64-ct b-ct e-ct f-ct (a letter selects several: a, e, ...)
systems: raw actors kameo ractor actix";

/// One measurement in this process: prints its line and ends the process.
fn one(args: &[String]) -> ExitCode {
    let (Some(system), Some(workload)) =
        (args.first(), args.get(1).and_then(|w| Workload::parse(w)))
    else {
        eprintln!("{USAGE}");
        return ExitCode::FAILURE;
    };
    if !workload.systems().contains(&system.as_str()) {
        eprintln!("{system} does not run {}", workload.name());
        return ExitCode::FAILURE;
    }
    let outcome = match bench::not_applicable(system, workload) {
        Some(reason) => Outcome::NotApplicable(reason),
        None => match system.as_str() {
            "raw" => raw::run(workload),
            "actors" => ours::run(workload),
            "kameo" => kameo_peer::run(workload),
            "ractor" => ractor_peer::run(workload),
            "actix" => actix_peer::run(workload),
            _ => unreachable!("checked above"),
        },
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", outcome.line()).expect("stdout");
    stdout.flush().expect("stdout");
    // Leave at once: the runtimes and actors of the measurement are not torn down.
    std::process::exit(0)
}

struct Options {
    reps: usize,
    only: Option<Vec<String>>,
    systems: Vec<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            reps: 5,
            only: None,
            systems: SYSTEMS.iter().map(|s| s.to_string()).collect(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--reps" => {
                    let v = value()?;
                    options.reps = v
                        .parse()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| format!("--reps {v}: not a positive number"))?;
                }
                "--only" => {
                    let list = split(value()?);
                    if let Some(bad) = list
                        .iter()
                        .find(|w| !Workload::ALL.iter().any(|&x| selected_by(w, x)))
                    {
                        return Err(format!("--only: no workload {bad}"));
                    }
                    options.only = Some(list);
                }
                "--systems" => {
                    let list = split(value()?);
                    if let Some(bad) = list.iter().find(|s| !SYSTEMS.contains(&s.as_str())) {
                        return Err(format!("--systems: no system {bad}"));
                    }
                    options.systems = list;
                }
                "-h" | "--help" => return Err(String::from("peers: actors beside its peers")),
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(options)
    }

    fn selects(&self, workload: Workload) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|w| selected_by(w, workload)))
    }
}

/// `--only` takes workloads by name, or by letter (`a` is a64, a1024 and a64-ct).
fn selected_by(item: &str, workload: Workload) -> bool {
    workload.name() == item || (item.len() == 1 && workload.name().starts_with(item))
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The figures of one cell over the repetitions, or what went wrong.
#[derive(Default)]
struct Cell {
    runs: Vec<HashMap<String, f64>>,
    failures: Vec<String>,
}

impl Cell {
    fn median(&self, key: &str) -> Option<f64> {
        let mut values: Vec<f64> = self
            .runs
            .iter()
            .filter_map(|r| r.get(key).copied())
            .collect();
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let mid = values.len() / 2;
        Some(if values.len() % 2 == 1 {
            values[mid]
        } else {
            (values[mid - 1] + values[mid]) / 2.0
        })
    }
}

fn all(options: &Options) -> ExitCode {
    let exe = std::env::current_exe().expect("the path of this binary");
    let started = Instant::now();
    let workloads: Vec<Workload> = Workload::ALL
        .into_iter()
        .filter(|&w| options.selects(w))
        .collect();
    let mut cells: HashMap<(Workload, &str), Cell> = HashMap::new();
    let mut failed = false;
    for rep in 1..=options.reps {
        for &workload in &workloads {
            for &system in workload.systems() {
                if !options.systems.iter().any(|s| s == system)
                    || bench::not_applicable(system, workload).is_some()
                {
                    continue;
                }
                let cell = cells.entry((workload, system)).or_default();
                let begun = Instant::now();
                match child(&exe, system, workload) {
                    Ok(figures) => {
                        eprintln!(
                            "[{rep}/{}] {:<6} {:<6} {:>6.2} s  {}",
                            options.reps,
                            workload.name(),
                            system,
                            begun.elapsed().as_secs_f64(),
                            show_figures(&figures)
                        );
                        cell.runs.push(figures);
                    }
                    Err(why) => {
                        eprintln!(
                            "[{rep}/{}] {} {system}: FAILED: {why}",
                            options.reps,
                            workload.name()
                        );
                        cell.failures.push(why);
                        failed = true;
                    }
                }
            }
        }
    }
    print!("{}", report(options, &workloads, &cells, started.elapsed()));
    if failed {
        eprintln!("some measurements failed (see FAILED above and in the tables)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn show_figures(figures: &HashMap<String, f64>) -> String {
    let mut keys: Vec<_> = figures.keys().collect();
    keys.sort();
    keys.iter()
        .map(|k| format!("{k}={:.3}", figures[k.as_str()]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `peers one <system> <workload>` in a fresh process, within `CHILD_TIMEOUT`.
fn child(
    exe: &std::path::Path,
    system: &str,
    workload: Workload,
) -> Result<HashMap<String, f64>, String> {
    let mut process = Command::new(exe)
        .args(["one", system, workload.name()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the child: {e}"))?;
    let deadline = Instant::now() + CHILD_TIMEOUT;
    let status = loop {
        match process.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = process.kill();
                let _ = process.wait();
                return Err(format!(
                    "timed out after {} s (killed)",
                    CHILD_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for the child: {e}")),
        }
    };
    let mut out = String::new();
    if let Some(mut stdout) = process.stdout.take() {
        let _ = stdout.read_to_string(&mut out);
    }
    if !status.success() {
        return Err(format!("exited with {status}"));
    }
    let line = out.lines().last().unwrap_or_default();
    let Some(figures) = line.strip_prefix("ok") else {
        return Err(format!("unexpected output {out:?}"));
    };
    figures
        .split_whitespace()
        .map(|pair| {
            let (key, value) = pair.split_once('=').ok_or(format!("bad figure {pair:?}"))?;
            let value = value.parse().map_err(|_| format!("bad figure {pair:?}"))?;
            Ok((key.to_string(), value))
        })
        .collect()
}

/// How a row's figure reads.
#[derive(Clone, Copy)]
enum Unit {
    /// Messages per second, shown in millions.
    Throughput,
    /// Microseconds.
    Micros,
    /// Milliseconds.
    Millis,
    /// Bytes per actor.
    Bytes,
}

impl Unit {
    fn show(self, value: f64) -> String {
        match self {
            Unit::Throughput => format!("{:.2} M/s", value / 1e6),
            Unit::Micros if value < 10.0 => format!("{value:.2} µs"),
            Unit::Micros => format!("{value:.1} µs"),
            Unit::Millis => format!("{value:.0} ms"),
            Unit::Bytes => format!("{value:.0} B"),
        }
    }

    fn better(self) -> &'static str {
        match self {
            Unit::Throughput => "higher is better",
            _ => "lower is better",
        }
    }
}

struct Row {
    label: &'static str,
    workload: Workload,
    key: &'static str,
    unit: Unit,
}

const fn row(label: &'static str, workload: Workload, key: &'static str, unit: Unit) -> Row {
    Row {
        label,
        workload,
        key,
        unit,
    }
}

const MAIN_ROWS: [Row; 12] = [
    row(
        "A tell 1M, capacity 64",
        Workload::A64,
        "mps",
        Unit::Throughput,
    ),
    row(
        "A tell 1M, capacity 1024",
        Workload::A1024,
        "mps",
        Unit::Throughput,
    ),
    row("B ask round trip, p50", Workload::B, "p50_us", Unit::Micros),
    row("B ask round trip, p99", Workload::B, "p99_us", Unit::Micros),
    row(
        "C spawn + stop 100k idle actors",
        Workload::C,
        "ms",
        Unit::Millis,
    ),
    row(
        "C memory per idle actor (RSS)",
        Workload::C,
        "bytes",
        Unit::Bytes,
    ),
    row(
        "D fan-in 100 × 10k, capacity 1024",
        Workload::D,
        "mps",
        Unit::Throughput,
    ),
    row(
        "E restart after a panic, p50",
        Workload::E,
        "p50_us",
        Unit::Micros,
    ),
    row(
        "F restart after a failure, p50",
        Workload::F,
        "p50_us",
        Unit::Micros,
    ),
    row(
        "G one_for_all of 10, p50",
        Workload::G,
        "p50_us",
        Unit::Micros,
    ),
    row(
        "H spawn 1M idle actors (all started)",
        Workload::H,
        "ms",
        Unit::Millis,
    ),
    row(
        "H memory per idle actor (RSS)",
        Workload::H,
        "bytes",
        Unit::Bytes,
    ),
];

const CURRENT_THREAD_ROWS: [Row; 5] = [
    row(
        "A tell 1M, capacity 64",
        Workload::A64Ct,
        "mps",
        Unit::Throughput,
    ),
    row(
        "B ask round trip, p50",
        Workload::BCt,
        "p50_us",
        Unit::Micros,
    ),
    row(
        "B ask round trip, p99",
        Workload::BCt,
        "p99_us",
        Unit::Micros,
    ),
    row(
        "E restart after a panic, p50",
        Workload::ECt,
        "p50_us",
        Unit::Micros,
    ),
    row(
        "F restart after a failure, p50",
        Workload::FCt,
        "p50_us",
        Unit::Micros,
    ),
];

/// What the tables need beside the figures: how each peer was driven where it differs.
const NOTES: &[&str] = &[
    "Every cell is the median over the repetitions, each a fresh process; the ratio is to raw \
     tokio in the same row (throughput: above 1 is faster than raw; times, latencies and memory: \
     below 1 is less than raw).",
    "The caller of each workload: in the main table, a task on a worker of the 2-worker \
     runtime (not the thread in `block_on`); in the current-thread table, the future given to \
     `block_on` (tokio's, or actix's `System::block_on`).",
    "Sizes are DESIGN.md's, not scaled down: A 1M messages; B 20,000 timed asks (after 1,000); \
     C 100k actors; D 100 × 10k; E and F 3,000 timed restarts (after 200); G 1,000 timed group \
     restarts (after 100); H 1M actors.",
    "ractor has no bounded mailbox: A (both rows) and D `cast` into an unbounded one, and A64 \
     and A1024 are the same run.",
    "actix: A and D use `do_send`, which queues past the mailbox capacity (unbounded); the final \
     `send` waits for the answer. In the main table its actors run on actix `Arbiter` threads \
     (two for C, one per core; one otherwise) and the callers on the 2-worker tokio runtime.",
    "C and H spawn with each system's default mailbox (raw, actors and kameo: bounded 64; \
     ractor: unbounded; actix: 16); the time runs from the first spawn until every actor ran \
     its start hook (C: and until all stopped after a graceful stop); the memory is the RSS \
     growth once all started, divided by the number of actors.",
    "E, F: the failing message is told, then the child is asked until an instance newer than \
     the failed one answers (actors, kameo, actix: the same reference, whose mailbox survives \
     the restart). ractor's restart is a new actor (new `ActorRef`, empty mailbox): the \
     client asks its supervisor actor for the new reference, then asks the child.",
    "F's failure: actors `Err` from `handle`; kameo `Err` from the handler of a told message \
     (kameo's `on_panic` then stops the actor); ractor `Err` from `handle`; actix \
     `ctx.stop()` under `actix::Supervisor` (a handler's `Err` only answers the sender).",
    "G: one child of 10 fails (`Err`); the time runs until each of the 10 answered an ask from \
     a new instance. actors and kameo use their one_for_all supervisors; ractor a supervisor \
     actor that stops the nine others, waits for them and spawns all ten in order.",
    "H runs raw and actors only: the peers at 100k actors are in C.",
];

fn report(
    options: &Options,
    workloads: &[Workload],
    cells: &HashMap<(Workload, &str), Cell>,
    took: Duration,
) -> String {
    let mut out = String::new();
    out.push_str("# actors beside raw tokio and its peers\n\n");
    out.push_str(&format!(
        "{} · nproc {} · repetitions: {} · {} · took {:.0} s\n",
        command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default(),
        command_output("nproc", &[]).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.to_string())
                .unwrap_or_default()
        }),
        options.reps,
        versions(),
        took.as_secs_f64()
    ));
    let main_systems: Vec<&str> = SYSTEMS
        .into_iter()
        .filter(|s| options.systems.iter().any(|x| x == s))
        .collect();
    let ct_systems: Vec<&str> = main_systems
        .iter()
        .copied()
        .filter(|s| Workload::A64Ct.systems().contains(s))
        .collect();
    out.push_str("\n## Multi-thread runtime, 2 workers\n\n");
    table(&mut out, &MAIN_ROWS, &main_systems, workloads, cells);
    out.push_str(
        "\n## Current-thread runtime (actix runs each actor on one thread: `System::block_on`)\n\n",
    );
    table(
        &mut out,
        &CURRENT_THREAD_ROWS,
        &ct_systems,
        workloads,
        cells,
    );
    out.push_str("\nNotes:\n\n");
    for note in NOTES {
        out.push_str(&format!("- {note}\n"));
    }
    let mut seen = Vec::new();
    for &workload in workloads {
        for &system in workload.systems() {
            if let Some(reason) = bench::not_applicable(system, workload)
                && !seen.contains(&reason)
            {
                seen.push(reason);
                out.push_str(&format!("- n/a, {system} {}: {reason}.\n", workload.name()));
            }
        }
    }
    out
}

fn table(
    out: &mut String,
    rows: &[Row],
    systems: &[&str],
    workloads: &[Workload],
    cells: &HashMap<(Workload, &str), Cell>,
) {
    out.push_str("| workload | ");
    out.push_str(&systems.join(" | "));
    out.push_str(" |\n|---|");
    out.push_str(&"---|".repeat(systems.len()));
    out.push('\n');
    for row in rows.iter().filter(|r| workloads.contains(&r.workload)) {
        out.push_str(&format!("| {} ({}) |", row.label, row.unit.better()));
        let raw = cells
            .get(&(row.workload, "raw"))
            .and_then(|c| c.median(row.key));
        for &system in systems {
            let text = if !row.workload.systems().contains(&system) {
                String::from("—")
            } else if bench::not_applicable(system, row.workload).is_some() {
                String::from("n/a")
            } else {
                match cells.get(&(row.workload, system)) {
                    Some(cell) if !cell.failures.is_empty() => {
                        format!("FAILED ({})", cell.failures.len())
                    }
                    Some(cell) => match cell.median(row.key) {
                        Some(v) => match raw {
                            Some(r) if system != "raw" && r > 0.0 => {
                                format!("{} ({:.2}×)", row.unit.show(v), v / r)
                            }
                            _ => row.unit.show(v),
                        },
                        None => String::from("?"),
                    },
                    None => String::from("not run"),
                }
            };
            out.push_str(&format!(" {text} |"));
        }
        out.push('\n');
    }
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The versions of the crates compared, from this crate's lock file.
fn versions() -> String {
    let lock = include_str!("../Cargo.lock");
    ["tokio", "kameo", "ractor", "actix"]
        .iter()
        .map(|name| {
            let needle = format!("name = \"{name}\"\nversion = \"");
            let version = lock
                .find(&needle)
                .map(|at| {
                    let rest = &lock[at + needle.len()..];
                    &rest[..rest.find('"').unwrap_or(0)]
                })
                .unwrap_or("?");
            format!("{name} {version}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}
