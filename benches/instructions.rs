//! A program for counting instructions per log call (docs/benchmarks.md, method 4).
//!
//! `scripts/instructions.sh` runs it under `valgrind --tool=callgrind
//! --separate-threads=yes` with N and 2N calls; the main thread's
//! instruction difference divided by N is the cost of one call, exactly.
//!
//! Usage: `instructions <case> <calls>`, case one of `llt_log`, `log_str`,
//! `log_format`, `format`, `llt_log_order` (a `#[derive(Loggable)]` struct),
//! `llt_log_fields` (the seed message with two extra fields).

use std::hint::black_box;

use llt_rs::Level;
use llt_rs::llt_log;
use llt_rs::logger::Logger;

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next().unwrap_or_else(|| "llt_log".into());
    let calls: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    // Big enough for every record of the run (up to 2^19 calls of <= 128
    // bytes), so nothing is dropped and no flush is needed inside the loop.
    let logger = Logger::builder()
        .capacity(1 << 20)
        .sink(std::io::sink())
        .build()
        .expect("logger");
    // The thread's first log creates its ring: keep it out of the count.
    logger.log_str(Level::Info, "warm-up");
    logger.flush();
    run_calls(&case, &logger, calls);
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.dropped, 0, "a dropped line would skew the count");
}

/// The measured loops: callgrind counts only inside the one named after the
/// case (`--toggle-collect=instructions::run_calls_<case>`), so nothing
/// else that runs on the thread is counted.
fn run_calls(case: &str, logger: &Logger, calls: u64) {
    match case {
        "llt_log" => run_calls_llt_log(logger, calls),
        "log_str" => run_calls_log_str(logger, calls),
        "log_format" => run_calls_log_format(logger, calls),
        "format" => run_calls_format(calls),
        "llt_log_order" => run_calls_llt_log_order(logger, calls),
        "llt_log_fields" => run_calls_llt_log_fields(logger, calls),
        other => panic!("unknown case {other}"),
    }
}

#[inline(never)]
fn run_calls_llt_log(logger: &Logger, calls: u64) {
    // `i` is an i32, as in the seed's loop.
    for i in 0..calls as i32 {
        llt_log!(
            logger,
            "[SENSOR] Event ID: {} | Value: {:.4}",
            i,
            i as f64 * 1.5
        );
    }
}

/// The seed message with two extra fields (an integer and a static string).
#[inline(never)]
fn run_calls_llt_log_fields(logger: &Logger, calls: u64) {
    for i in 0..calls as i32 {
        llt_log!(
            logger,
            sensor = 7u32, site = "north";
            "[SENSOR] Event ID: {} | Value: {:.4}",
            i,
            i as f64 * 1.5
        );
    }
}

/// The example of a derived type: a `String` field, a float, an
/// integer.
#[derive(Debug, llt_rs::Loggable)]
struct Order {
    id: String,
    px: f64,
    qty: u32,
}

#[inline(never)]
fn run_calls_llt_log_order(logger: &Logger, calls: u64) {
    let order = Order {
        id: String::from("ORD-2026-000042"),
        px: 101.25,
        qty: 300,
    };
    for _ in 0..calls {
        llt_log!(logger, "{:?}", black_box(&order));
    }
}

#[inline(never)]
fn run_calls_log_str(logger: &Logger, calls: u64) {
    for _ in 0..calls {
        logger.log_str(
            Level::Info,
            black_box("Starting backup replica garbage collector thread"),
        );
    }
}

#[inline(never)]
fn run_calls_log_format(logger: &Logger, calls: u64) {
    for i in 0..calls as i32 {
        logger.log(format!(
            "[SENSOR] Event ID: {} | Value: {:.4}",
            i,
            i as f64 * 1.5
        ));
    }
}

#[inline(never)]
fn run_calls_format(calls: u64) {
    for i in 0..calls as i32 {
        black_box(format!(
            "[SENSOR] Event ID: {} | Value: {:.4}",
            i,
            i as f64 * 1.5
        ));
    }
}
