//! Instructions per log call on the producer thread, for every logger
//! (`docs/benchmarks.md`, method 4), run by `scripts/compare.sh --instructions`.
//!
//! `instr <logger> <calls>` sets the logger up (sink in a temporary
//! directory, the same configuration as the bench binaries), logs one
//! warm-up line, flushes, then logs the seed message `calls` times inside a
//! function whose name contains `run_calls` (the loop is `seed_calls!`, from
//! the table of messages). Under `valgrind --tool=callgrind
//! --separate-threads=yes --toggle-collect=*run_calls*` the main thread's
//! instruction count with 2N calls minus that with N calls, divided by N,
//! is the cost of one call on the calling thread (the writer threads are
//! not counted). Every queue holds more than 2N = 40,000 seed messages, so
//! no call blocks or drops; the program checks the file's line count.

use std::path::Path;
use std::time::{Duration, Instant};

use llt_bench_peers::peers::{self, PEERS};
use llt_bench_peers::{Contender, LineCounter, seed_calls};

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_default();
    let calls: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    if name == "--list" {
        println!("{}", PEERS.join(" "));
        return;
    }
    let dir = std::env::temp_dir().join(format!("llt-instr-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let sink = dir.join("sink.log");
    let lines = match name.as_str() {
        "llt" => {
            let c = peers::Llt::new(&sink, 1);
            let logger = &c.logger;
            llt_rs::llt_log!(logger, "warm-up");
            check(&c, &sink, calls, || run_calls_llt(logger, calls))
        }
        "llt_orig" => {
            let c = peers::LltOrig::new(&sink);
            c.logger.log("warm-up");
            check(&c, &sink, calls, || run_calls_llt_orig(&c.logger, calls))
        }
        "inqjet" => {
            let c = peers::Inqjet::new(&sink);
            inqjet::info!("warm-up");
            check(&c, &sink, calls, || run_calls_inqjet(calls))
        }
        "quicklog" => {
            let c = peers::Quicklog::new(&sink);
            quicklog::info!("warm-up");
            check(&c, &sink, calls, || run_calls_quicklog(calls))
        }
        "low_latency_log" => {
            let (c, path) = peers::LowLatencyLog::new(&dir);
            low_latency_log::info!("warm-up");
            check(&c, &path, calls, || run_calls_low_latency_log(calls))
        }
        "ftlog" => {
            let c = peers::Ftlog::new(&sink);
            log::info!("warm-up");
            check(&c, &sink, calls, || run_calls_ftlog(calls))
        }
        "fast_log" => {
            let c = peers::FastLog::new(&sink);
            log::info!("warm-up");
            check(&c, &sink, calls, || run_calls_fast_log(calls))
        }
        "tracing" => {
            let c = peers::Tracing::new(&sink);
            tracing::info!("warm-up");
            check(&c, &sink, calls, || run_calls_tracing(calls))
        }
        "slog" => {
            let c = peers::Slog::new(&sink);
            slog::info!(c.logger, "warm-up");
            check(&c, &sink, calls, || run_calls_slog(&c.logger, calls))
        }
        "spdlog" => {
            let c = peers::Spdlog::new(&sink);
            spdlog::info!(logger: c.logger, "warm-up");
            check(&c, &sink, calls, || run_calls_spdlog(&c.logger, calls))
        }
        "logforth" => {
            let c = peers::Logforth::new(&sink);
            log::info!("warm-up");
            check(&c, &sink, calls, || run_calls_logforth(calls))
        }
        other => {
            eprintln!("unknown logger {other:?}; one of: {}", PEERS.join(" "));
            std::process::exit(2);
        }
    };
    let _ = std::fs::remove_dir_all(&dir);
    if lines != calls + 1 {
        eprintln!("{name}: {lines} lines written for {} calls", calls + 1);
        std::process::exit(1);
    }
}

/// Flushes the warm-up line, runs the calls, flushes, and returns the
/// number of lines in the sink once it reaches `calls + 1` or stops
/// growing for 3 s (loggers without a blocking flush; valgrind is slow).
fn check<C: Contender>(c: &C, sink: &Path, calls: u64, run: impl FnOnce()) -> u64 {
    let mut counter = LineCounter::new(sink);
    wait(c, &mut counter, 1);
    run();
    wait(c, &mut counter, calls + 1)
}

fn wait<C: Contender>(c: &C, counter: &mut LineCounter, target: u64) -> u64 {
    c.flush();
    let mut n = counter.count();
    let mut changed = Instant::now();
    while n < target && changed.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(5));
        let m = counter.count();
        if m != n {
            n = m;
            changed = Instant::now();
        }
    }
    n
}

// The measured loops: callgrind counts only inside `run_calls_<logger>`
// (and what it calls). Each logs the seed message through `seed_calls!`,
// as the harness does: `i` is an i32, as in the seed's loop.

#[inline(never)]
fn run_calls_llt(logger: &llt_rs::Logger, calls: u64) {
    macro_rules! lg {
        ($($t:tt)*) => {
            llt_rs::llt_log!(logger, $($t)*)
        };
    }
    seed_calls!(lg, calls);
}

#[inline(never)]
fn run_calls_llt_orig(logger: &llt_orig::logger::Logger, calls: u64) {
    macro_rules! lg {
        ($($t:tt)*) => {
            logger.log(format!($($t)*))
        };
    }
    seed_calls!(lg, calls);
}

#[inline(never)]
fn run_calls_inqjet(calls: u64) {
    use inqjet::info as lg;
    seed_calls!(lg, calls);
}

#[inline(never)]
fn run_calls_quicklog(calls: u64) {
    use quicklog::info as lg;
    seed_calls!(lg, calls);
}

#[inline(never)]
fn run_calls_low_latency_log(calls: u64) {
    use low_latency_log::info as lg;
    seed_calls!(lg, calls);
}

/// ftlog is used through the `log` facade.
#[inline(never)]
fn run_calls_ftlog(calls: u64) {
    use log::info as lg;
    seed_calls!(lg, calls);
}

/// fast_log is used through the `log` facade.
#[inline(never)]
fn run_calls_fast_log(calls: u64) {
    use log::info as lg;
    seed_calls!(lg, calls);
}

/// logforth is used through the `log` facade.
#[inline(never)]
fn run_calls_logforth(calls: u64) {
    use log::info as lg;
    seed_calls!(lg, calls);
}

#[inline(never)]
fn run_calls_tracing(calls: u64) {
    use tracing::info as lg;
    seed_calls!(lg, calls);
}

#[inline(never)]
fn run_calls_slog(logger: &slog::Logger, calls: u64) {
    macro_rules! lg {
        ($($t:tt)*) => {
            slog::info!(logger, $($t)*)
        };
    }
    seed_calls!(lg, calls);
}

#[inline(never)]
fn run_calls_spdlog(logger: &spdlog::Logger, calls: u64) {
    macro_rules! lg {
        ($($t:tt)*) => {
            spdlog::info!(logger: logger, $($t)*)
        };
    }
    seed_calls!(lg, calls);
}
