//! Writer CPU use while idle (BENCHMARKS.md method 5): a logger with nothing
//! to log for 5 seconds; the writer thread's user + system time is read from
//! `/proc/self/task/<tid>/stat` before and after.
//!
//! Run: `cargo bench --bench idle` (Linux only).

use std::time::{Duration, Instant};

use llt_rs::logger::Logger;

/// CPU time (user + system) of this process's thread named `name`.
fn thread_cpu(name: &str) -> Option<Duration> {
    // Clock ticks per second as reported by `getconf CLK_TCK`; 100 on Linux.
    const TICKS_PER_SECOND: u64 = 100;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path();
        let comm = std::fs::read_to_string(path.join("comm")).ok()?;
        if comm.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).ok()?;
        // Fields after the parenthesised command name: state is field 3,
        // utime field 14, stime field 15 (1-based).
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        return Some(Duration::from_millis(
            (utime + stime) * 1000 / TICKS_PER_SECOND,
        ));
    }
    None
}

fn main() {
    let seconds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<u64>().ok())
        .unwrap_or(5);
    // LLT_IDLE_SLEEP_US=n: a fixed sleep of n µs instead of the default policy.
    let policy = match std::env::var("LLT_IDLE_SLEEP_US")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(us) => llt_rs::IdlePolicy {
            sleep: Duration::from_micros(us),
            max_sleep: Duration::from_micros(us),
            ..llt_rs::IdlePolicy::default()
        },
        None => llt_rs::IdlePolicy::default(),
    };
    let logger = Logger::builder()
        .sink(std::io::sink())
        .idle(policy)
        .build()
        .expect("logger");
    logger.log("one line, so the writer has a ring to poll");
    logger.flush();
    let before = thread_cpu("llt-writer").expect("writer thread in /proc");
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let wall = start.elapsed();
    let used = thread_cpu("llt-writer").expect("writer thread in /proc") - before;
    println!(
        "writer idle CPU: {:.3} % of one core ({} ms of CPU in {:.1} s, idle policy {:?})",
        100.0 * used.as_secs_f64() / wall.as_secs_f64(),
        used.as_millis(),
        wall.as_secs_f64(),
        policy
    );
}
