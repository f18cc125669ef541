//! Idle cost as an operator sees it (docs/benchmarks.md, method 5), and how fast
//! an idle writer wakes up.
//!
//! 1. **Idle cost**: a process with one `Logger::new(4096)` logs one line,
//!    then does nothing for `LLT_IDLE_SECS` seconds (default 30). Measured:
//!    the whole process's CPU time (`getrusage(RUSAGE_SELF)`, user +
//!    system) as a percentage of one core, and the writer thread's wake-ups
//!    per second (its `voluntary_ctxt_switches` in
//!    `/proc/self/task/<tid>/status`: one per sleep it returns from).
//!    Targets: at most 0.1 % of a core and 10 wake-ups a second.
//! 2. **Wake latency**: the first line logged after `LLT_SILENCE_SECS`
//!    (default 10) seconds of silence is in the sink within 5 ms, p99 over
//!    100 trials. To keep it short, `LLT_WAKE_ROUNDS` rounds (default 4) of
//!    `LLT_WAKE_LOGGERS` loggers (default 25) at once: each logger logs a
//!    line (its ring exists), all stay silent, then one line is logged to
//!    each, one after the other, timed from just before the log call to the
//!    sink's `write` (an `Instant` taken there).
//!
//! Run: `cargo bench --bench idle` (Linux only; about 70 s), or shorter:
//! `LLT_IDLE_SECS=5 LLT_WAKE_ROUNDS=1 LLT_WAKE_LOGGERS=100 cargo bench --bench idle`.

use std::ffi::{c_int, c_long};
use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use llt_rs::logger::Logger;
use llt_rs::{IdlePolicy, llt_log};

const IDLE_CPU_TARGET_PERCENT: f64 = 0.1;
const WAKEUPS_TARGET_PER_SECOND: f64 = 10.0;
const WAKE_LATENCY_TARGET: Duration = Duration::from_millis(5);

// === Measuring ===

/// `struct timeval` and `struct rusage` of Linux on 64-bit targets (every
/// field a `long`), declared here: the facade package does not depend on
/// `libc`.
#[repr(C)]
#[derive(Default)]
struct Timeval {
    tv_sec: c_long,
    tv_usec: c_long,
}

#[repr(C)]
#[derive(Default)]
struct Rusage {
    ru_utime: Timeval,
    ru_stime: Timeval,
    /// `ru_maxrss` .. `ru_nivcsw`, unused here.
    rest: [c_long; 14],
}

unsafe extern "C" {
    fn getrusage(who: c_int, usage: *mut Rusage) -> c_int;
}

const RUSAGE_SELF: c_int = 0;

/// CPU time (user + system) used by the whole process so far.
fn process_cpu() -> Duration {
    let mut usage = Rusage::default();
    // SAFETY: `usage` is a valid, writable `struct rusage` (see its layout
    // above); RUSAGE_SELF only fills it in.
    let result = unsafe { getrusage(RUSAGE_SELF, &raw mut usage) };
    assert_eq!(result, 0, "getrusage: {}", io::Error::last_os_error());
    let micros = |t: &Timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(&usage.ru_utime) + micros(&usage.ru_stime))
}

/// Voluntary context switches of this process's thread named `name`: how
/// many times it went to sleep (and so was woken).
fn thread_wakeups(name: &str) -> u64 {
    for task in std::fs::read_dir("/proc/self/task").expect("/proc/self/task") {
        let path = task.expect("a task entry").path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let status = std::fs::read_to_string(path.join("status")).expect("task status");
        return status
            .lines()
            .find_map(|line| line.strip_prefix("voluntary_ctxt_switches:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("voluntary_ctxt_switches in the task status");
    }
    panic!("no thread named {name:?} in /proc/self/task");
}

fn env_or(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|e| panic!("{name}={value:?} is not a number: {e}")),
        Err(_) => default,
    }
}

// === 1. Idle cost ===

struct IdleCost {
    wall: Duration,
    cpu: Duration,
    wakeups: u64,
}

impl IdleCost {
    fn cpu_percent(&self) -> f64 {
        100.0 * self.cpu.as_secs_f64() / self.wall.as_secs_f64()
    }

    fn wakeups_per_second(&self) -> f64 {
        self.wakeups as f64 / self.wall.as_secs_f64()
    }
}

fn idle_cost(seconds: u64) -> IdleCost {
    let logger = Logger::new(4096);
    logger.log("llt idle bench: one line, then nothing");
    // The line is written, so the writer thread runs (and has its name).
    logger.flush();
    let (cpu_before, wakeups_before) = (process_cpu(), thread_wakeups("llt-writer"));
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let wall = start.elapsed();
    let cost = IdleCost {
        wall,
        cpu: process_cpu() - cpu_before,
        wakeups: thread_wakeups("llt-writer") - wakeups_before,
    };
    drop(logger);
    cost
}

// === 2. Wake latency ===

/// Sends the time of each `write` it gets.
struct TimedSink(Sender<Instant>);

impl Write for TimedSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let now = Instant::now();
        let _ = self.0.send(now);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One round: `loggers` loggers, silent for `silence`, then one line each.
fn wake_latencies(loggers: usize, silence: Duration) -> Vec<Duration> {
    let all: Vec<(Logger, Receiver<Instant>)> = (0..loggers)
        .map(|_| {
            let (tx, rx) = mpsc::channel();
            let logger = Logger::builder()
                .sink(TimedSink(tx))
                .build()
                .expect("logger");
            (logger, rx)
        })
        .collect();
    for (logger, rx) in &all {
        llt_log!(logger, "warm-up: this thread's ring now exists");
        logger.flush();
        while rx.try_recv().is_ok() {}
    }
    std::thread::sleep(silence);
    let latencies = all
        .iter()
        .map(|(logger, rx)| {
            let start = Instant::now();
            llt_log!(logger, "the first line after {:?} of silence", silence);
            let written = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("the line reached the sink within 30 s");
            written - start
        })
        .collect();
    drop(all);
    latencies
}

/// The value at percentile `p` (nearest rank) of sorted `values`.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

// === Report ===

fn verdict(met: bool) -> &'static str {
    if met { "yes" } else { "NO" }
}

fn main() {
    let idle_secs = env_or("LLT_IDLE_SECS", 30);
    let silence = Duration::from_secs(env_or("LLT_SILENCE_SECS", 10));
    let rounds = env_or("LLT_WAKE_ROUNDS", 4);
    let per_round = env_or("LLT_WAKE_LOGGERS", 25) as usize;
    println!(
        "llt idle bench: default idle policy {:?}",
        IdlePolicy::default()
    );

    let cost = idle_cost(idle_secs);

    let mut latencies = Vec::new();
    for _ in 0..rounds {
        latencies.extend(wake_latencies(per_round, silence));
    }
    latencies.sort();

    println!();
    println!(
        "1. idle cost: Logger::new(4096), one line logged, then {:.1} s idle (whole process)",
        cost.wall.as_secs_f64()
    );
    println!(
        "   {:<34} {:>14} {:>12}  met",
        "metric", "measured", "target"
    );
    let cpu_percent = cost.cpu_percent();
    println!(
        "   {:<34} {:>12.4} % {:>10} %  {}",
        format!("process CPU ({} µs user+sys)", cost.cpu.as_micros()),
        cpu_percent,
        format!("<= {IDLE_CPU_TARGET_PERCENT}"),
        verdict(cpu_percent <= IDLE_CPU_TARGET_PERCENT)
    );
    let per_second = cost.wakeups_per_second();
    println!(
        "   {:<34} {:>12.2} /s {:>9} /s  {}",
        format!("writer wake-ups ({} in all)", cost.wakeups),
        per_second,
        format!("<= {WAKEUPS_TARGET_PER_SECOND}"),
        verdict(per_second <= WAKEUPS_TARGET_PER_SECOND)
    );
    println!();
    if latencies.is_empty() {
        println!("2. wake latency: no trials (LLT_WAKE_ROUNDS or LLT_WAKE_LOGGERS is 0)");
        return;
    }
    println!(
        "2. wake latency: first line after {:?} of silence, log call to sink write, {} trials \
         ({rounds} rounds of {per_round} loggers)",
        silence,
        latencies.len()
    );
    let p99 = percentile(&latencies, 99.0);
    println!(
        "   {:<34} {:>14} {:>12}  met",
        "metric", "measured", "target"
    );
    println!(
        "   {:<34} {:>14.3?} {:>12}",
        "p50",
        percentile(&latencies, 50.0),
        ""
    );
    println!(
        "   {:<34} {:>14.3?} {:>12}  {}",
        "p99",
        p99,
        format!("<= {WAKE_LATENCY_TARGET:?}"),
        verdict(p99 <= WAKE_LATENCY_TARGET)
    );
    println!(
        "   {:<34} {:>14.3?} {:>12}",
        "max",
        latencies.last().copied().unwrap_or_default(),
        ""
    );
    let slow = latencies
        .iter()
        .filter(|&&l| l > WAKE_LATENCY_TARGET)
        .count();
    println!(
        "   {:<34} {:>14} {:>12}",
        format!("trials over {WAKE_LATENCY_TARGET:?}"),
        slow,
        ""
    );
}
