//! A child process for `tests/crash.rs`, not an example to copy: it logs,
//! then panics. The test builds it with `-C panic=abort`, so the panic
//! aborts the process (no unwinding, no destructors, no exit handlers), as
//! in a program whose profile sets `panic = "abort"`.
//!
//! `crash_child LINES FILE`: logs `named 0` .. through a logger writing FILE
//! and `default 0` .. through the default logger (stdout), LINES of each,
//! writes `llt-test dropped named=N default=N` to stderr, then panics at
//! once. `crash_child 0 -` panics without creating any logger (what the
//! process does without llt).

use llt_rs::filter::Filter;
use llt_rs::{LevelFilter, LineFormat, Logger, RollingFile, llt_log};

/// Messages per ring: 2 MiB per thread, so none of the lines is dropped.
const CAPACITY: usize = 1 << 15;

fn main() {
    let mut args = std::env::args().skip(1);
    let lines: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .expect("usage: crash_child LINES FILE");
    let file = args.next().expect("usage: crash_child LINES FILE");
    // Alive when the panic comes: with `panic = "abort"` it is never dropped.
    let _named = (file != "-").then(|| log_lines(lines, &file));
    panic!("crash_child panics on purpose");
}

/// Logs `lines` lines through a new logger writing `file` and as many
/// through the default logger, reports the drop counts, returns the logger.
fn log_lines(lines: usize, file: &str) -> Logger {
    let builder = || {
        Logger::builder()
            .filter(Filter::from_level(LevelFilter::Info))
            .capacity(CAPACITY)
            .format(LineFormat::MessageOnly)
    };
    let default = builder().build().expect("the default logger builds");
    if llt_rs::set_default(default).is_err() {
        panic!("a default logger already existed");
    }
    let named = builder()
        .file(RollingFile::builder(file))
        .build()
        .expect("the file logger builds");
    for seq in 0..lines {
        llt_log!(named, "named {}", seq);
        llt_log!("default {}", seq);
    }
    let report = format!(
        "llt-test dropped named={} default={}\n",
        named.get_dropped_count(),
        llt_rs::default_logger().get_dropped_count()
    );
    // SAFETY: `report` is a live buffer of `report.len()` bytes. A raw
    // write, unbuffered: the abort cannot lose it.
    unsafe { libc::write(libc::STDERR_FILENO, report.as_ptr().cast(), report.len()) };
    named
}
