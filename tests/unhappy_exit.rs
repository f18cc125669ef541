//! Exits that go wrong: the process still ends, in bounded time, with its
//! usual status, and says what it could not write.
//!
//! A `harness = false` test (see the root `Cargo.toml`) built on the child
//! process harness in `tests/support/child.rs`: each check re-runs this
//! binary with `LLT_UNHAPPY_CHILD=<mode>`.
//!
//! Checks:
//!
//! * `blocked_sink_exits`: a sink that blocks forever after its first
//!   batch; the program ends by returning from `main`, panicking out of
//!   `main`, `process::exit(3)`, or dropping its last handle and returning.
//!   Each ends within `EXIT_FLUSH_TIMEOUT` + 3 s with status 0, 101, 3, 0,
//!   and stderr says lines were `not written`.
//! * `fork_child_logs_flushes_exits`: after `fork()`, the child process
//!   logs, `flush()` returns, `stats()` moves by exactly the lines it logged
//!   (written + dropped + lines_lost), returning from `main` exits with 0
//!   within 2 s; the parent's lines are in the file exactly once.
//! * `exit_from_display_on_writer`: `process::exit(7)` called by a
//!   `Display` impl on the writer thread: status 7, the lines logged before
//!   it written.
//! * `atexit_handler_logs`: a line logged from an `atexit` handler
//!   registered before the first logger is written.
//! * `harness_self_test`.
//!
//! Arguments: names of checks to run (substring match); `--exact`;
//! `--list`; other flags are ignored.

#[path = "support/child.rs"]
mod child;

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use child::{Check, Outcome, ScratchDir, Spec, Status};
use llt_rs::filter::Filter;
use llt_rs::{EXIT_FLUSH_TIMEOUT, LevelFilter, LineFormat, Logger, RollingFile, Stats, llt_log};

/// Environment variable that makes this binary a child, and its mode.
const CHILD_ENV: &str = "LLT_UNHAPPY_CHILD";
/// The child's scratch directory.
const DIR_ENV: &str = "LLT_UNHAPPY_DIR";
/// Overrides the number of runs of the quick checks.
const RUNS_ENV: &str = "LLT_UNHAPPY_RUNS";
/// Runs of the quick checks (exit from `Display`, `atexit`) by default.
const RUNS: usize = 100;
/// Runs of the fork check (today each one that hangs costs
/// `GRANDCHILD_TIMEOUT`).
const FORK_RUNS: usize = 10;
/// Lines logged before the exit, per logger.
const LINES: usize = 10_000;
/// Lines logged after the sink has blocked.
const BLOCKED_LINES: usize = 100;
/// Lines the fork's parent logs before `fork()`, and the forked child after.
const FORK_LINES: usize = 1_000;
/// Messages per ring: 2 MiB per thread; nothing can be dropped.
const CAPACITY: usize = 1 << 15;
/// The file logger's file, in the child's scratch directory.
const NAMED_FILE: &str = "named.log";
/// Generous bound on one child's run, only to turn a hang into a failure.
const CHILD_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the fork's parent waits for its forked child before killing it.
const GRANDCHILD_TIMEOUT: Duration = Duration::from_secs(5);
/// The forked child must have exited this soon after returning from `main`.
const FORK_EXIT_BOUND: Duration = Duration::from_secs(2);
/// What stderr must say when a blocked sink kept lines from being written.
const NOT_WRITTEN: &str = "not written";

/// An exit must be over within this: the exit flush's limit plus slack.
fn exit_bound() -> Duration {
    EXIT_FLUSH_TIMEOUT + Duration::from_secs(3)
}

/// The checks, in the order they run.
const CHECKS: &[Check] = &[
    ("harness_self_test", child::self_test),
    ("blocked_sink_exits", blocked_sink_exits),
    (
        "fork_child_logs_flushes_exits",
        fork_child_logs_flushes_exits,
    ),
    ("exit_from_display_on_writer", exit_from_display_on_writer),
    ("atexit_handler_logs", atexit_handler_logs),
];

fn main() {
    if let Some(mode) = child::child_mode(CHILD_ENV) {
        child(&mode);
        return;
    }
    child::run_checks("unhappy exit", CHECKS);
}

// ----------------------------------------------------------------- child --

/// The child process, in `mode`.
fn child(mode: &str) {
    let dir = PathBuf::from(std::env::var_os(DIR_ENV).expect("the parent sets LLT_UNHAPPY_DIR"));
    if let Some(end) = mode.strip_prefix("blocked-") {
        let (entered_tx, entered_rx) = mpsc::channel();
        let logger = message_only()
            .sink(BlockingSink::new(entered_tx))
            .build()
            .expect("the logger builds");
        llt_log!(logger, "first");
        entered_rx
            .recv()
            .expect("the writer hands the first batch to the sink");
        // The sink blocks on the next batch: none of these can be written.
        for seq in 0..BLOCKED_LINES {
            llt_log!(logger, "blocked {}", seq);
        }
        match end {
            "return" => return,
            "panic" => panic!("unhappy child panics on purpose"),
            "exit" => std::process::exit(3),
            "drop" => {
                drop(logger);
                return;
            }
            other => panic!("unknown end {other:?}"),
        }
    }
    match mode {
        "fork" => fork_and_log(&dir),
        "display-exit" => {
            let named = loggers(&dir);
            for seq in 0..LINES {
                llt_log!(named, "named {}", seq);
                llt_log!("default {}", seq);
            }
            llt_log!(named, "exiting {}", ExitInDisplay);
            // The writer exits the process formatting that line.
            named.flush();
            child::block_forever();
        }
        "atexit-log" => {
            // SAFETY: `log_at_exit` is an `extern "C" fn()` that does not
            // unwind and stays valid for the whole program.
            let rc = unsafe { libc::atexit(log_at_exit) };
            assert_eq!(rc, 0, "atexit failed");
            install_default_logger();
            for seq in 0..LINES {
                llt_log!("default {}", seq);
            }
        }
        other => panic!("unknown child mode {other:?}"),
    }
}

/// The builder every child logger starts from: message only, the filter
/// set in code, big rings.
fn message_only() -> llt_rs::Builder {
    Logger::builder()
        .filter(Filter::from_level(LevelFilter::Info))
        .capacity(CAPACITY)
        .format(LineFormat::MessageOnly)
}

/// Installs the default logger (stdout).
fn install_default_logger() {
    let default = message_only().build().expect("the default logger builds");
    if llt_rs::set_default(default).is_err() {
        panic!("a default logger already existed");
    }
}

/// A logger writing `dir/NAMED_FILE`.
fn file_logger(dir: &Path) -> Logger {
    message_only()
        .file(RollingFile::builder(dir.join(NAMED_FILE)))
        .build()
        .expect("the file logger builds")
}

/// Installs the default logger and returns a file logger.
fn loggers(dir: &Path) -> Logger {
    install_default_logger();
    file_logger(dir)
}

/// A sink that takes its first batch, then blocks forever.
struct BlockingSink {
    /// Told when the first batch arrives; `None` afterwards.
    entered: Option<mpsc::Sender<()>>,
    /// Never receives: its sender is leaked, never used.
    never: mpsc::Receiver<()>,
}

impl BlockingSink {
    fn new(entered: mpsc::Sender<()>) -> BlockingSink {
        let (sender, never) = mpsc::channel();
        std::mem::forget(sender);
        BlockingSink {
            entered: Some(entered),
            never,
        }
    }
}

impl Write for BlockingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.entered.take() {
            Some(entered) => {
                let _ = entered.send(());
            }
            None => {
                let _ = self.never.recv();
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A value whose `Display` calls `process::exit(7)`.
#[derive(Debug, Clone, Copy)]
struct ExitInDisplay;

impl fmt::Display for ExitInDisplay {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        std::process::exit(7)
    }
}

/// Registered with `atexit` before any logger exists.
extern "C" fn log_at_exit() {
    llt_log!("from atexit");
}

/// `stats()` as `written=W dropped=D lines_lost=L`.
fn stats_line(stats: Stats) -> String {
    format!(
        "written={} dropped={} lines_lost={}",
        stats.written, stats.dropped, stats.lines_lost
    )
}

/// Logs `parent 0..FORK_LINES` (not flushed), forks; the forked child logs
/// `grandchild 0..FORK_LINES`, flushes and returns from `main`; this process
/// waits for it and reports on stderr:
///
/// ```text
/// gc before written=W dropped=D lines_lost=L   (right after the fork)
/// gc after written=W dropped=D lines_lost=L    (after its flush returned)
/// gc returning <CLOCK_MONOTONIC ns>            (about to return from main)
/// gc ended exit=<code>|signal=<n> at <ns>      (or: gc hung: killed)
/// ```
fn fork_and_log(dir: &Path) {
    let named = file_logger(dir);
    for seq in 0..FORK_LINES {
        llt_log!(named, "parent {}", seq);
    }
    // SAFETY: `fork` has no memory-safety preconditions of its own. The
    // forked child of this multi-threaded process goes on to use llt,
    // allocate and return from `main`: that is what this check is about
    // (glibc's `fork` keeps `malloc` usable in the child; stderr is
    // written raw).
    let pid = unsafe { libc::fork() };
    match pid {
        -1 => panic!("fork failed: {}", io::Error::last_os_error()),
        0 => {
            let before = named.stats();
            child::raw_stderr(&format!("gc before {}\n", stats_line(before)));
            for seq in 0..FORK_LINES {
                llt_log!(named, "grandchild {}", seq);
            }
            named.flush();
            child::raw_stderr(&format!("gc after {}\n", stats_line(named.stats())));
            child::raw_stderr(&format!("gc returning {}\n", child::monotonic_ns()));
            // Returns from `main`, dropping `named` on the way.
        }
        grandchild => {
            let (tx, rx) = mpsc::channel();
            thread::spawn(move || {
                let mut status = 0;
                // SAFETY: `status` is a valid `c_int` to write.
                let rc = unsafe { libc::waitpid(grandchild, &mut status, 0) };
                let _ = tx.send((rc, status, child::monotonic_ns()));
            });
            match rx.recv_timeout(GRANDCHILD_TIMEOUT) {
                Ok((rc, status, at)) if rc == grandchild => {
                    let how = if libc::WIFEXITED(status) {
                        format!("exit={}", libc::WEXITSTATUS(status))
                    } else {
                        format!("signal={}", libc::WTERMSIG(status))
                    };
                    child::raw_stderr(&format!("gc ended {how} at {at}\n"));
                }
                Ok((rc, ..)) => panic!("waitpid returned {rc}: {}", io::Error::last_os_error()),
                Err(_) => {
                    // SAFETY: `kill` has no memory-safety preconditions;
                    // the forked child is not reaped yet, so `grandchild`
                    // still names it.
                    unsafe { libc::kill(grandchild, libc::SIGKILL) };
                    let _ = rx.recv();
                    child::raw_stderr("gc hung: killed\n");
                }
            }
            // `named` is dropped here: the parent's lines are written.
        }
    }
}

// ---------------------------------------------------------------- parent --

/// The child in `mode` with a fresh scratch directory.
fn spec(mode: &str, dir: &ScratchDir) -> Spec {
    Spec::this_binary(CHILD_ENV, mode)
        .env(DIR_ENV, dir.path())
        .dir(dir.path())
        .timeout(CHILD_TIMEOUT)
}

/// `Ok` if there are no problems, else all of them with the end of stderr.
fn verdict(outcome: &Outcome, problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} (after {:.1?}; stderr ends: {:?})",
        problems.join("; "),
        outcome.elapsed,
        child::tail(&outcome.stderr_text(), 300)
    ))
}

/// Prints a check's runs, failures and time.
fn report(what: &str, start: Instant, results: &[Result<(), String>]) {
    let failed = results.iter().filter(|r| r.is_err()).count();
    println!(
        "  {what}: {} runs, {failed} failed, {:.1?} (wall, {} at a time)",
        results.len(),
        start.elapsed(),
        child::PARALLEL
    );
}

/// The four ends of a program whose sink blocks forever: each within
/// `exit_bound()`, with its usual status, saying lines were not written.
fn blocked_sink_exits() {
    const ENDS: [(&str, Status); 4] = [
        ("return", Status::Exited(0)),
        ("panic", Status::Exited(101)),
        ("exit", Status::Exited(3)),
        ("drop", Status::Exited(0)),
    ];
    let results = child::run_parallel(ENDS.len(), |i| {
        let (end, expected) = ENDS[i];
        let dir = ScratchDir::new("unhappy");
        // Twice the bound: a slow exit is told apart from a hang.
        let outcome = spec(&format!("blocked-{end}"), &dir)
            .timeout(2 * exit_bound())
            .run();
        let mut problems = Vec::new();
        if outcome.status != expected {
            problems.push(format!("status: {}, expected {expected}", outcome.status));
        }
        if outcome.elapsed > exit_bound() {
            problems.push(format!(
                "took {:.1?}, more than {:?}",
                outcome.elapsed,
                exit_bound()
            ));
        }
        let stderr = outcome.stderr_text();
        if !stderr.contains(NOT_WRITTEN) {
            problems.push(format!("stderr does not say {NOT_WRITTEN:?}"));
        }
        if end == "panic" && !stderr.contains("unhappy child panics on purpose") {
            problems.push("stderr lacks the panic message".into());
        }
        let result = verdict(&outcome, problems);
        println!(
            "  blocked sink, {end}: {} after {:.1?}: {}",
            outcome.status,
            outcome.elapsed,
            if result.is_ok() { "ok" } else { "FAILED" }
        );
        result
    });
    child::assert_runs("blocked sink", &results);
}

/// The numbers in a `written=W dropped=D lines_lost=L` report after `tag`.
fn parse_stats(stderr: &str, tag: &str) -> Option<(u64, u64, u64)> {
    let line = stderr.lines().find_map(|l| l.strip_prefix(tag))?;
    let mut numbers = line
        .split_whitespace()
        .map(|kv| kv.split_once('=').and_then(|(_, v)| v.parse().ok()));
    Some((numbers.next()??, numbers.next()??, numbers.next()??))
}

/// The number after `tag` on its stderr line (a `CLOCK_MONOTONIC` reading).
fn parse_ns(stderr: &str, tag: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix(tag))
        .and_then(|rest| rest.rsplit(' ').next()?.parse().ok())
}

/// After `fork()`: the forked child logs, flushes (it returns), its stats
/// account for its lines, it exits with 0 within 2 s of returning from
/// `main`; the parent's lines are in the file exactly once.
fn fork_child_logs_flushes_exits() {
    let runs = child::runs(RUNS_ENV, FORK_RUNS);
    let start = Instant::now();
    let results = child::run_parallel(runs, |_| {
        let dir = ScratchDir::new("unhappy");
        let outcome = spec("fork", &dir).run();
        let stderr = outcome.stderr_text();
        let mut problems = Vec::new();
        if outcome.status != Status::Exited(0) {
            problems.push(format!("status: {}, expected exit code 0", outcome.status));
        }
        match (
            parse_stats(&stderr, "gc before "),
            parse_stats(&stderr, "gc after "),
        ) {
            (Some(before), Some(after)) => {
                let total = |(w, d, l): (u64, u64, u64)| w + d + l;
                let moved = total(after).wrapping_sub(total(before));
                if moved != FORK_LINES as u64 {
                    problems.push(format!(
                        "forked child: written + dropped + lines_lost moved by {moved} ({before:?} -> {after:?}), expected {FORK_LINES}"
                    ));
                }
            }
            (None, _) => problems.push("forked child: no stats after the fork".into()),
            (Some(_), None) => problems.push(format!(
                "forked child: flush() did not return within {GRANDCHILD_TIMEOUT:?}"
            )),
        }
        if stderr.contains("gc hung") {
            problems.push(format!(
                "forked child: still running after {GRANDCHILD_TIMEOUT:?} (killed)"
            ));
        } else if !stderr.contains("gc ended exit=0 ") {
            problems.push("forked child: did not exit with 0".into());
        }
        if let (Some(returning), Some(ended)) = (
            parse_ns(&stderr, "gc returning "),
            parse_ns(&stderr, "gc ended "),
        ) {
            let exit_took = Duration::from_nanos(ended.saturating_sub(returning));
            if exit_took > FORK_EXIT_BOUND {
                problems.push(format!(
                    "forked child: exit took {exit_took:.1?} after returning from main (bound {FORK_EXIT_BOUND:?})"
                ));
            }
        }
        let file = dir.read(NAMED_FILE);
        if let Err(why) = child::check_sequence(&file, "parent ", FORK_LINES) {
            problems.push(format!("file: {why}"));
        }
        let theirs: Vec<&str> = file
            .lines()
            .filter(|l| l.starts_with("grandchild "))
            .collect();
        let distinct: std::collections::BTreeSet<&&str> = theirs.iter().collect();
        if distinct.len() != theirs.len() {
            problems.push("file: a forked child's line written twice".into());
        }
        verdict(&outcome, problems)
    });
    report("fork", start, &results);
    child::assert_runs("fork", &results);
}

/// `process::exit(7)` from a `Display` on the writer thread: status 7, the
/// lines logged before it written (file and stdout).
fn exit_from_display_on_writer() {
    let start = Instant::now();
    let results = child::run_parallel(child::runs(RUNS_ENV, RUNS), |_| {
        let dir = ScratchDir::new("unhappy");
        let outcome = spec("display-exit", &dir).run();
        let mut problems = Vec::new();
        if outcome.status != Status::Exited(7) {
            problems.push(format!("status: {}, expected exit code 7", outcome.status));
        }
        if outcome.elapsed > exit_bound() {
            problems.push(format!("took {:.1?}", outcome.elapsed));
        }
        if let Err(why) = child::check_sequence(&dir.read(NAMED_FILE), "named ", LINES) {
            problems.push(format!("file: {why}"));
        }
        if let Err(why) = child::check_sequence(&outcome.stdout_text(), "default ", LINES) {
            problems.push(format!("stdout: {why}"));
        }
        verdict(&outcome, problems)
    });
    report("display-exit", start, &results);
    child::assert_runs("display-exit", &results);
}

/// A line logged from an `atexit` handler registered before the first
/// logger: written, after the lines `main` logged.
fn atexit_handler_logs() {
    let start = Instant::now();
    let results = child::run_parallel(child::runs(RUNS_ENV, RUNS), |_| {
        let dir = ScratchDir::new("unhappy");
        let outcome = spec("atexit-log", &dir).run();
        let mut problems = Vec::new();
        if outcome.status != Status::Exited(0) {
            problems.push(format!("status: {}, expected exit code 0", outcome.status));
        }
        let stdout = outcome.stdout_text();
        if let Err(why) = child::check_sequence(&stdout, "default ", LINES) {
            problems.push(format!("stdout: {why}"));
        }
        if stdout.lines().last() != Some("from atexit") {
            problems.push(format!(
                "the atexit handler's line is not the last on stdout: {:?}",
                child::tail(&stdout, 40)
            ));
        }
        verdict(&outcome, problems)
    });
    report("atexit-log", start, &results);
    child::assert_runs("atexit-log", &results);
}
