//! Lines logged just before the process exits are written: through the
//! default logger and through a named logger, whether `main` returns or calls
//! `std::process::exit`.
//!
//! Each case re-runs this test binary as a child process (selecting the
//! `child` test with an environment variable) and counts the lines the child
//! printed on stdout.

use std::process::Command;

use llt_rs::logger::Logger;
use llt_rs::{LineFormat, llt_log};

const LINES: usize = 2_000;
const THREADS: usize = 4;
const MODE: &str = "LLT_EXIT_TEST_MODE";

/// Runs the `child` test in a new process with `mode`; returns its stdout.
fn run_child(mode: &str) -> String {
    let output = Command::new(std::env::current_exe().expect("test binary path"))
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(MODE, mode)
        .output()
        .expect("run the child process");
    assert!(
        output.status.success(),
        "child ({mode}) failed: {:?}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// Asserts every line `tag t{thread} {seq}` for all threads and sequence
/// numbers is in the child's output, each exactly once.
fn assert_all_lines(output: &str, tag: &str) {
    for thread in 0..THREADS {
        let prefix = format!("{tag} t{thread} ");
        let mut seqs: Vec<usize> = output
            .lines()
            // libtest's own "test child ... " may share a line with ours.
            .filter_map(|line| {
                line.find(prefix.as_str())
                    .map(|at| &line[at + prefix.len()..])
            })
            .map(|seq| seq.parse().expect("sequence number"))
            .collect();
        assert_eq!(seqs.len(), LINES, "{tag} thread {thread}: wrong line count");
        let in_order = seqs.windows(2).all(|w| w[0] < w[1]);
        assert!(in_order, "{tag} thread {thread}: lines out of order");
        seqs.dedup();
        assert_eq!(seqs, (0..LINES).collect::<Vec<_>>());
    }
}

/// Logs `LINES` lines from each of `THREADS` threads through both loggers.
fn log_everything(named: &Logger) {
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            scope.spawn(move || {
                for seq in 0..LINES {
                    llt_log!("default t{} {}", thread, seq);
                    llt_log!(named, "named t{} {}", thread, seq);
                }
            });
        }
    });
}

fn message_only_logger() -> Logger {
    Logger::builder()
        .capacity(1 << 16)
        .format(LineFormat::MessageOnly)
        .build()
        .expect("logger")
}

/// The child: only does something when started by one of the tests below.
#[test]
fn child() {
    let Ok(mode) = std::env::var(MODE) else {
        return;
    };
    llt_rs::set_default(message_only_logger()).expect("no default logger yet");
    let named = message_only_logger();
    log_everything(&named);
    match mode.as_str() {
        // Leak the named logger: only the exit hook can write its lines.
        "return" => std::mem::forget(named),
        "exit" => std::process::exit(0),
        other => panic!("unknown mode {other}"),
    }
}

#[test]
fn lines_are_written_when_main_returns() {
    let output = run_child("return");
    assert_all_lines(&output, "default");
    assert_all_lines(&output, "named");
}

#[test]
fn lines_are_written_on_process_exit() {
    let output = run_child("exit");
    assert_all_lines(&output, "default");
    assert_all_lines(&output, "named");
}
