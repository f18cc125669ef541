//! Lifecycle: lines survive the ways a process and its threads end.
//!
//! This is a `harness = false` test (see the root `Cargo.toml`): it has its
//! own `main`, so that a child process, this same binary re-run with
//! `LLT_LIFECYCLE_CHILD=<mode>`, ends the way a real program does: `main`
//! returns, calls `std::process::exit` (from `main` or another thread), or
//! panics (unwinding out of `main`).
//! A libtest `#[test]` could not do the last one: libtest catches the panic.
//!
//! Checks (each prints `ok` or `FAILED`; the process exits with 1 if any
//! failed):
//!
//! * `exit_return`, `exit_process_exit`, `exit_panic`, `exit_from_thread`
//!   (`process::exit` called by a thread other than main): the child logs
//!   `LINES` lines through a named logger and `LINES` through the default
//!   logger, from `THREADS` threads, then ends by that path. Every one of the
//!   `2 × LINES` lines is on its stdout exactly once, in each thread's order,
//!   and nothing else is (so nothing was dropped). Repeated `RUNS` times per
//!   mode (`LLT_LIFECYCLE_RUNS` overrides it).
//! * `thread_exits_with_unwritten_records`: threads log and exit while the
//!   writer is held inside the sink, so their records are still in their
//!   rings when they exit; all of them are written afterwards.
//! * `thread_panics_after_logging`: a thread that logs, then panics: its
//!   lines are written.
//! * `ten_thousand_short_lived_threads`: each logs one line; all are
//!   written, none dropped, and the process's resident memory comes back to
//!   its baseline (the rings are freed).
//! * `tls_destructor_logging`: a line logged from a thread-local's
//!   destructor is written if llt's own thread-local is still there, and
//!   counted as dropped if it is already gone; never lost silently.
//!
//! Arguments: names of checks to run (substring match, like libtest's
//! filter); flags such as `--nocapture` are ignored; `--list` lists.

use std::cell::RefCell;
use std::io::{self, BufRead, Write};
use std::panic::{self, AssertUnwindSafe};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use llt_rs::filter::Filter;
use llt_rs::{LevelFilter, LineFormat, Logger, Stats, llt_log};

/// Environment variable that makes this binary a child, and its mode.
const CHILD_ENV: &str = "LLT_LIFECYCLE_CHILD";
/// Overrides the number of child runs per exit mode.
const RUNS_ENV: &str = "LLT_LIFECYCLE_RUNS";
/// Child runs per exit mode by default. 100 runs of each of the 4 modes
/// take about 12 s in a debug build on the 2-core VM (about 30 ms per
/// child), within the file's budget, so CI runs all 100.
const RUNS: usize = 100;
/// Lines the child logs through each of its two loggers.
const LINES: usize = 10_000;
/// Threads the child logs from; each logs `LINES / THREADS` per logger.
const THREADS: usize = 4;
/// Generous bound on one child's run, only to turn a hang into a failure.
const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

/// The checks, in the order they run.
const CHECKS: &[(&str, fn())] = &[
    ("exit_return", || exit_mode("return")),
    ("exit_process_exit", || exit_mode("exit")),
    ("exit_panic", || exit_mode("panic")),
    ("exit_from_thread", || exit_mode("exit-from-thread")),
    (
        "thread_exits_with_unwritten_records",
        thread_exits_with_unwritten_records,
    ),
    ("thread_panics_after_logging", thread_panics_after_logging),
    (
        "ten_thousand_short_lived_threads",
        ten_thousand_short_lived_threads,
    ),
    ("tls_destructor_logging", tls_destructor_logging),
];

fn main() {
    if let Ok(mode) = std::env::var(CHILD_ENV) {
        child(&mode);
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in CHECKS {
            println!("{name}: test");
        }
        return;
    }
    let filters = filters(&args);
    let selected: Vec<_> = CHECKS
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    println!("\nrunning {} lifecycle checks", selected.len());
    let mut failed = Vec::new();
    for (name, check) in &selected {
        let start = Instant::now();
        let result = panic::catch_unwind(AssertUnwindSafe(check));
        match result {
            Ok(()) => println!("check {name} ... ok ({:.2?})", start.elapsed()),
            Err(_) => {
                println!("check {name} ... FAILED ({:.2?})", start.elapsed());
                failed.push(*name);
            }
        }
    }
    println!(
        "\nlifecycle result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        selected.len() - failed.len(),
        failed.len()
    );
    if !failed.is_empty() {
        println!("failed checks: {failed:?}");
        std::process::exit(1);
    }
}

/// The positional arguments, skipping flags and the values of the libtest
/// flags that take one.
fn filters(args: &[String]) -> Vec<String> {
    const WITH_VALUE: &[&str] = &[
        "--test-threads",
        "--skip",
        "--format",
        "--color",
        "--logfile",
        "-Z",
    ];
    let mut filters = Vec::new();
    let mut skip_next = false;
    for arg in args {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if WITH_VALUE.contains(&arg.as_str()) {
            skip_next = true;
        } else if !arg.starts_with('-') {
            filters.push(arg.clone());
        }
    }
    filters
}

/// A message-only logger writing to `sink` (stdout when `None`).
fn message_only(capacity: usize, sink: Option<Box<dyn Write + Send>>) -> Logger {
    // The filter set in code: an `LLT_LOG` in the environment cannot change
    // what these checks see.
    let builder = Logger::builder()
        .filter(Filter::from_level(LevelFilter::Info))
        .capacity(capacity)
        .format(LineFormat::MessageOnly);
    match sink {
        Some(sink) => builder.sink(sink),
        None => builder,
    }
    .build()
    .expect("logger builds")
}

// ---------------------------------------------------------------- child --

/// The child process: logs through a named and the default logger, both to
/// stdout, then ends as `mode` says. Prints nothing itself.
fn child(mode: &str) {
    // 4096 messages = a 256 KiB ring per thread; `LINES / THREADS` = 2,500
    // records of 40 bytes each fit even if the writer never ran, so no line
    // can be dropped and every one must appear.
    llt_rs::set_default(message_only(4096, None)).expect("no default logger yet");
    let named = message_only(4096, None);
    thread::scope(|scope| {
        for thread in 0..THREADS {
            let named = &named;
            scope.spawn(move || {
                for seq in 0..LINES / THREADS {
                    llt_log!("default t{} {}", thread, seq);
                    llt_log!(named, "named t{} {}", thread, seq);
                }
            });
        }
    });
    match mode {
        // `named` is dropped here (drained and joined); the default logger
        // is flushed by the exit hook after `main` returns.
        "return" => {}
        // Nothing is dropped: only the exit hook writes both loggers' lines.
        "exit" => std::process::exit(0),
        // `process::exit` called by another thread while `main` waits for
        // it: the exit hook runs on that thread.
        "exit-from-thread" => {
            let _ = thread::spawn(|| std::process::exit(0)).join();
            unreachable!("the process exited");
        }
        // Unwinds out of `main`: `named` is dropped during unwinding, the
        // runtime exits with 101 through the C exit path, which runs the
        // exit hook for the default logger.
        "panic" => panic!("lifecycle child panics on purpose"),
        other => panic!("unknown child mode {other:?}"),
    }
}

/// Runs this binary as a child in `mode`; returns its output. Panics if it
/// has not finished after `CHILD_TIMEOUT` (and kills it).
fn run_child(mode: &str) -> Output {
    let child = Command::new(std::env::current_exe().expect("own path"))
        .env(CHILD_ENV, mode)
        .env_remove("LLT_LOG")
        // The panic mode's message would otherwise come with a symbolised
        // backtrace if the caller's environment asks for one (3× slower).
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the child");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(CHILD_TIMEOUT) {
        Ok(output) => output.expect("wait for the child"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("child ({mode}) did not finish within {CHILD_TIMEOUT:?}");
        }
    }
}

/// Checks that `stdout` holds exactly the child's `2 × LINES` lines: each
/// once, each thread's in order, nothing else. Returns why not.
fn check_child_output(stdout: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(stdout).map_err(|e| format!("not UTF-8: {e}"))?;
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("the output ends in the middle of a line".into());
    }
    // next[logger][thread]: the sequence number expected next.
    let mut next = [[0usize; THREADS]; 2];
    for line in text.lines() {
        let parsed = line.split_once(" t").and_then(|(logger, rest)| {
            let (thread, seq) = rest.split_once(' ')?;
            let logger = ["default", "named"].iter().position(|l| *l == logger)?;
            Some((
                logger,
                thread.parse::<usize>().ok()?,
                seq.parse::<usize>().ok()?,
            ))
        });
        let Some((logger, thread, seq)) = parsed else {
            return Err(format!("unexpected line {line:?}"));
        };
        if thread >= THREADS || seq != next[logger][thread] {
            return Err(format!(
                "line {line:?}: expected sequence number {} of that thread",
                next.get(logger)
                    .and_then(|n| n.get(thread))
                    .copied()
                    .unwrap_or(0)
            ));
        }
        next[logger][thread] += 1;
    }
    if next != [[LINES / THREADS; THREADS]; 2] {
        return Err(format!(
            "lines per thread (default, named): {next:?}, expected {} each",
            LINES / THREADS
        ));
    }
    Ok(())
}

/// The exit status a mode must end with.
fn expected_status(mode: &str, status: ExitStatus) -> bool {
    match mode {
        "panic" => status.code() == Some(101),
        _ => status.code() == Some(0),
    }
}

/// Runs the child in `mode` `RUNS` times and checks every run.
fn exit_mode(mode: &str) {
    let runs = std::env::var(RUNS_ENV)
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(RUNS);
    let start = Instant::now();
    for run in 0..runs {
        let output = run_child(mode);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            expected_status(mode, output.status),
            "run {run} of mode {mode}: status {:?}; stderr: {stderr}",
            output.status
        );
        if let Err(why) = check_child_output(&output.stdout) {
            panic!("run {run} of mode {mode}: {why}; stderr: {stderr}");
        }
        if mode == "panic" {
            assert!(
                stderr.contains("lifecycle child panics on purpose"),
                "run {run}: the panic message is on stderr: {stderr}"
            );
        } else {
            assert!(
                stderr.is_empty(),
                "run {run} of mode {mode}: stderr: {stderr}"
            );
        }
    }
    println!(
        "  {mode}: {runs} runs × {} lines, all present, in order, none dropped ({:.1?} per run)",
        2 * LINES,
        start.elapsed() / runs.max(1) as u32
    );
}

// --------------------------------------------------------- thread exits --

/// A sink whose first `write` tells the test it has started, then waits
/// until the test releases it: the writer thread is held still.
struct GateSink {
    entered: Option<Sender<()>>,
    release: Option<Receiver<()>>,
    out: Arc<Mutex<Vec<u8>>>,
}

impl Write for GateSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let (Some(entered), Some(release)) = (self.entered.take(), self.release.take()) {
            let _ = entered.send(());
            // Returns when the test sends or drops the sender.
            let _ = release.recv();
        }
        self.out.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// While the writer is held inside the sink (so it consumes nothing),
/// 8 threads each log 100 lines and exit; they are joined, so their rings
/// are finished while full of unwritten records. After the sink is
/// released, one flush writes every one of those lines, in each thread's
/// order, and nothing is dropped.
fn thread_exits_with_unwritten_records() {
    const EXITING: usize = 8;
    const EACH: usize = 100;
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = message_only(
        4096,
        Some(Box::new(GateSink {
            entered: Some(entered_tx),
            release: Some(release_rx),
            out: out.clone(),
        })),
    );
    logger.log("first");
    entered_rx
        .recv_timeout(CHILD_TIMEOUT)
        .expect("the writer reaches the sink");
    let threads: Vec<_> = (0..EXITING)
        .map(|t| {
            let logger = logger.clone();
            thread::spawn(move || {
                for i in 0..EACH {
                    llt_log!(logger, "exiting t{} line {}", t, i);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // All producers are gone; the writer has not read a single record yet.
    assert_eq!(logger.stats().written, 0, "the writer is still held");
    release_tx.send(()).unwrap();
    logger.flush();
    let stats = logger.stats();
    assert_eq!(
        (stats.written, stats.dropped),
        (1 + (EXITING * EACH) as u64, 0),
        "{stats:?}"
    );
    let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("first"));
    let mut next = [0usize; EXITING];
    for line in lines {
        let (t, i) = line
            .strip_prefix("exiting t")
            .and_then(|r| r.split_once(" line "))
            .unwrap_or_else(|| panic!("unexpected line {line:?}"));
        let (t, i): (usize, usize) = (t.parse().unwrap(), i.parse().unwrap());
        assert_eq!(i, next[t], "thread {t}'s lines in order");
        next[t] += 1;
    }
    assert_eq!(next, [EACH; EXITING]);
}

/// A thread that logs and then panics (unwinding to its end) has its lines
/// written like any exiting thread: its ring table is destroyed as the
/// thread ends, after the unwinding.
fn thread_panics_after_logging() {
    const LINES: u32 = 500;
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = message_only(4096, Some(Box::new(SharedSink(out.clone()))));
    let handle = logger.clone();
    let joined = thread::Builder::new()
        .name("panicking".into())
        .spawn(move || {
            for i in 0..LINES {
                llt_log!(handle, "before the panic {}", i);
            }
            // Silence the default hook for this one intentional panic.
            std::panic::resume_unwind(Box::new("lifecycle thread unwinds on purpose"));
        })
        .expect("spawn")
        .join();
    assert!(joined.is_err(), "the thread panicked");
    logger.flush();
    let stats = logger.stats();
    assert_eq!(
        (stats.written, stats.dropped),
        (u64::from(LINES), 0),
        "{stats:?}"
    );
    let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    let want: String = (0..LINES)
        .map(|i| format!("before the panic {i}\n"))
        .collect();
    assert_eq!(text, want);
}

// ------------------------------------------------- short-lived threads --

/// This process's resident set size in KiB (`VmRSS` in /proc/self/status).
fn rss_kib() -> u64 {
    let status = std::fs::File::open("/proc/self/status").expect("/proc/self/status");
    io::BufReader::new(status)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("VmRSS:")
                .and_then(|v| v.trim().strip_suffix("kB"))
                .and_then(|v| v.trim().parse().ok())
        })
        .expect("a VmRSS line")
}

/// A sink that counts lines and keeps nothing (so that its own memory does
/// not grow with the output).
#[derive(Clone, Default)]
struct CountingSink {
    lines: Arc<Mutex<Vec<bool>>>,
}

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Each line is `thread <id>`: mark the id as seen.
        let mut seen = self.lines.lock().unwrap();
        for line in buf.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let id: usize = std::str::from_utf8(line)
                .ok()
                .and_then(|l| l.strip_prefix("thread "))
                .and_then(|id| id.parse().ok())
                .unwrap_or_else(|| panic!("unexpected line {:?}", String::from_utf8_lossy(line)));
            assert!(!seen[id], "thread {id}'s line written twice");
            seen[id] = true;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// 10,000 threads, started 8 at a time, each log one line and exit. All
/// lines are written, none dropped, and resident memory returns to the
/// baseline.
///
/// Each thread's ring is 1024 messages = 64 KiB, allocated by the thread on
/// its first log (128 KiB with the spill half; the first 64 KiB are touched
/// at once) and freed by the writer once the thread has exited and its line
/// is written. Were rings leaked, RSS would grow by 10,000 × 64 KiB ≈ 625
/// MiB. The tolerance, 48 MiB, allows for the allocator keeping freed
/// memory in its per-thread arenas (glibc creates up to 8 × cores arenas,
/// and the threads' rings are freed on the writer thread back into them)
/// and for cached thread stacks; it is 13× smaller than the leak it guards
/// against. The ring count itself is not observable through llt's API
/// (`Logger`'s `Debug` shows no rings), so memory is the proxy.
fn ten_thousand_short_lived_threads() {
    const THREADS: usize = 10_000;
    const AT_ONCE: usize = 8;
    const TOLERANCE_KIB: u64 = 48 * 1024;
    let sink = CountingSink {
        lines: Arc::new(Mutex::new(vec![false; THREADS])),
    };
    let logger = message_only(1024, Some(Box::new(sink.clone())));
    // Warm up the allocator's arenas and the thread-stack cache with one
    // round, so the baseline is the steady state of an idle logger.
    let run = |ids: std::ops::Range<usize>| {
        for group in ids.step_by(AT_ONCE) {
            let threads: Vec<_> = (group..group + AT_ONCE)
                .map(|id| {
                    let logger = logger.clone();
                    thread::spawn(move || llt_log!(logger, "thread {}", id))
                })
                .collect();
            for t in threads {
                t.join().unwrap();
            }
        }
        logger.flush();
    };
    run(0..AT_ONCE);
    let baseline = rss_kib();
    run(AT_ONCE..THREADS);
    let after = rss_kib();
    let stats = logger.stats();
    assert_eq!(stats.dropped, 0, "{stats:?}");
    assert_eq!(stats.written, THREADS as u64, "{stats:?}");
    let seen = sink.lines.lock().unwrap();
    assert!(seen.iter().all(|&s| s), "every thread's line is written");
    println!(
        "  RSS: {baseline} KiB before, {after} KiB after 10,000 threads ({:+} KiB; \
         a leak of every ring would add at least 640,000 KiB)",
        after as i64 - baseline as i64
    );
    assert!(
        after <= baseline + TOLERANCE_KIB,
        "RSS grew from {baseline} KiB to {after} KiB: rings are not freed"
    );
}

// ------------------------------------------------------ TLS destructors --

/// Logs `text` when dropped: put in a thread-local, it logs from that
/// thread-local's destructor as the thread exits.
struct LogOnDrop {
    logger: Logger,
    text: &'static str,
}

impl Drop for LogOnDrop {
    fn drop(&mut self) {
        self.logger.log(self.text);
    }
}

thread_local! {
    static LOG_ON_DROP: RefCell<Option<LogOnDrop>> = const { RefCell::new(None) };
}

/// In which order a thread logs `body` and first uses `LOG_ON_DROP`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TlsOrder {
    /// `LOG_ON_DROP` first, then the thread's first log.
    GuardFirst,
    /// The thread's first log, then `LOG_ON_DROP`.
    LogFirst,
    /// Only `LOG_ON_DROP`: the destructor's line is the thread's first log.
    GuardOnly,
}

/// Runs a thread that logs and sets `LOG_ON_DROP` in `order`; returns the
/// logger's stats and output after a flush.
fn tls_case(order: TlsOrder) -> (Stats, String) {
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = message_only(64, Some(Box::new(SharedSink(out.clone()))));
    let handle = logger.clone();
    thread::spawn(move || {
        let set_guard = || {
            let logger = handle.clone();
            LOG_ON_DROP.with(|g| {
                *g.borrow_mut() = Some(LogOnDrop {
                    logger,
                    text: "from a TLS destructor",
                })
            });
        };
        match order {
            TlsOrder::GuardFirst => {
                set_guard();
                handle.log("body");
            }
            TlsOrder::LogFirst => {
                handle.log("body");
                set_guard();
            }
            TlsOrder::GuardOnly => set_guard(),
        }
    })
    .join()
    .unwrap();
    logger.flush();
    let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    (logger.stats(), text)
}

/// A sink appending to a shared buffer.
struct SharedSink(Arc<Mutex<Vec<u8>>>);

impl Write for SharedSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A line logged from a thread-local's destructor is written, whether or
/// not llt's own thread-local (the thread's ring table) is destroyed
/// before it. std runs thread-local destructors in reverse order of first
/// use on Linux with glibc (`__cxa_thread_atexit_impl`), so:
///
/// * the user's thread-local first used *before* the thread's first log is
///   destroyed *after* llt's: its line takes llt's late path (a ring of its
///   own, handed to the writer finished) and is written;
/// * first used *after* the first log, it is destroyed before llt's: its
///   line goes into the thread's ring and is written;
/// * if the destructor's line is the thread's first log, llt's table is
///   created during the destructors, destroyed after them, and the line is
///   written.
///
/// The exact split is asserted only on Linux/glibc; the balance everywhere.
fn tls_destructor_logging() {
    let mut results = Vec::new();
    for order in [
        TlsOrder::GuardFirst,
        TlsOrder::LogFirst,
        TlsOrder::GuardOnly,
    ] {
        let (stats, text) = tls_case(order);
        let logged = if order == TlsOrder::GuardOnly { 1 } else { 2 };
        assert_eq!(
            stats.written + stats.dropped,
            logged,
            "{order:?}: {stats:?}"
        );
        println!("  {order:?}: {stats:?}");
        results.push((order, stats, text));
    }
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        for (order, stats, text) in results {
            let (written, dropped, expected) = match order {
                TlsOrder::GuardFirst => (2, 0, "body\nfrom a TLS destructor\n"),
                TlsOrder::LogFirst => (2, 0, "body\nfrom a TLS destructor\n"),
                TlsOrder::GuardOnly => (1, 0, "from a TLS destructor\n"),
            };
            assert_eq!(
                (stats.written, stats.dropped),
                (written, dropped),
                "{order:?}: {stats:?}"
            );
            assert_eq!(text, expected, "{order:?}");
        }
    }
}
