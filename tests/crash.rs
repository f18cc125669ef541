//! Crashes and signals: the lines a process logged before it died are
//! written, and it dies the way it would have died without llt.
//!
//! A `harness = false` test (see the root `Cargo.toml`): each check runs
//! child processes, this same binary re-run with `LLT_CRASH_CHILD=<mode>`
//! (or the `crash_child` example built with `-C panic=abort`), through the
//! shared harness in `tests/support/child.rs`: hard timeouts, decoded wait
//! statuses, 2 children at a time.
//!
//! The dying children log `LINES` lines through a named logger writing a
//! file (`named 0` ..) and as many through the default logger writing their
//! stdout (`default 0` ..), with rings large enough that nothing is dropped;
//! they report both drop counts on stderr with a raw `write(2)`, then die at
//! once. Each such check runs `RUNS` times (`LLT_CRASH_RUNS` overrides) and
//! asserts, per run: every line is there, once, in order; nothing was
//! dropped; the wait status is the one the same death gives a process with
//! no logger (measured once per check: the "bare" run).
//!
//! Checks: `null_write`, `abort`, `panic_abort`, `stack_overflow`,
//! `raise_sigint`, `raise_sigterm`, `kill_sigint`, `kill_sigterm` (the
//! deaths); `display_segfaults_on_writer`; `user_sigsegv_handler_runs`;
//! `ctrlc_before`, `ctrlc_after`, `signal_hook_before`, `signal_hook_after`
//! (a SIGINT handler installed before or after the first logger still gets
//! the signal); `two_threads_crash`; `crash_before_any_logger`;
//! `crash_inside_sink`; `sigkill_loses_only_recent_lines`;
//! `harness_self_test`.
//!
//! Arguments: names of checks to run (substring match, like libtest's
//! filter); `--exact`; `--list`; other flags are ignored.

#[path = "support/child.rs"]
mod child;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use child::{Check, Outcome, Pipe, ScratchDir, Spec, Status};
use llt_rs::filter::Filter;
use llt_rs::{EXIT_FLUSH_TIMEOUT, LevelFilter, LineFormat, Logger, RollingFile, llt_log};

/// Environment variable that makes this binary a child, and its mode.
const CHILD_ENV: &str = "LLT_CRASH_CHILD";
/// The child's scratch directory (where the named logger's file goes).
const DIR_ENV: &str = "LLT_CRASH_DIR";
/// Overrides the number of runs per check.
const RUNS_ENV: &str = "LLT_CRASH_RUNS";
/// Runs per check by default.
const RUNS: usize = 100;
/// Lines each dying child logs through each of its two loggers.
const LINES: usize = 10_000;
/// Messages per ring: 2 MiB per thread. `LINES` records of about 40 bytes
/// fit even if the writer never ran, so none can be dropped.
const CAPACITY: usize = 1 << 15;
/// The named logger's file, in the child's scratch directory.
const NAMED_FILE: &str = "named.log";
/// Generous bound on one child's run, only to turn a hang into a failure.
const CHILD_TIMEOUT: Duration = Duration::from_secs(30);
/// A line the child writes to stderr (raw) once it has logged everything.
const READY: &str = "llt-test ready\n";
/// Starts the child's report of its drop counts.
const DROPPED: &str = "llt-test dropped";
/// What the user's SIGSEGV handler writes.
const USER_HANDLER_MARKER: &str = "llt-test user SIGSEGV handler ran";
/// SIGKILL: a line logged longer than this before the kill must be in the
/// file. The writer sleeps at most 2 ms when idle (`IdlePolicy`), so this
/// leaves room for scheduling on a loaded 2-core machine (with a load
/// average of 8, one run in about 100 missed a line 22.8 ms old: the
/// writer thread had not been scheduled).
const SIGKILL_BOUND: Duration = Duration::from_millis(50);
/// A process that crashes must be gone within this (no hang in a crash
/// handler): the exit flush's limit plus slack.
fn crash_bound() -> Duration {
    EXIT_FLUSH_TIMEOUT + Duration::from_secs(3)
}

/// The checks, in the order they run.
const CHECKS: &[Check] = &[
    ("harness_self_test", child::self_test),
    ("null_write", || death_check(Death::NullWrite)),
    ("abort", || death_check(Death::Abort)),
    ("panic_abort", panic_abort),
    ("stack_overflow", || death_check(Death::StackOverflow)),
    ("raise_sigint", || death_check(Death::RaiseInt)),
    ("raise_sigterm", || death_check(Death::RaiseTerm)),
    ("kill_sigint", || death_check(Death::KillInt)),
    ("kill_sigterm", || death_check(Death::KillTerm)),
    ("display_segfaults_on_writer", display_segfaults_on_writer),
    ("user_sigsegv_handler_runs", user_sigsegv_handler_runs),
    ("ctrlc_before", || sigint_handler_check("ctrlc-before")),
    ("ctrlc_after", || sigint_handler_check("ctrlc-after")),
    ("signal_hook_before", || {
        sigint_handler_check("signal-hook-before")
    }),
    ("signal_hook_after", || {
        sigint_handler_check("signal-hook-after")
    }),
    ("two_threads_crash", two_threads_crash),
    ("crash_before_any_logger", crash_before_any_logger),
    ("opt_out_installs_nothing", opt_out_installs_nothing),
    ("crash_inside_sink", crash_inside_sink),
    (
        "sigkill_loses_only_recent_lines",
        sigkill_loses_only_recent_lines,
    ),
];

fn main() {
    if let Some(mode) = child::child_mode(CHILD_ENV) {
        child(&mode);
        return;
    }
    child::run_checks("crash", CHECKS);
}

// ---------------------------------------------------------------- deaths --

/// The ways a child dies right after logging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Death {
    /// A write through a null pointer: SIGSEGV.
    NullWrite,
    /// `std::process::abort()`: SIGABRT.
    Abort,
    /// Unbounded recursion on the main thread: Rust prints "has overflowed
    /// its stack" and aborts (SIGABRT).
    StackOverflow,
    /// `raise(SIGINT)`.
    RaiseInt,
    /// `raise(SIGTERM)`.
    RaiseTerm,
    /// The parent sends SIGINT (`kill -INT`) once the child is ready.
    KillInt,
    /// The parent sends SIGTERM (`kill -TERM`) once the child is ready.
    KillTerm,
}

impl Death {
    const ALL: [Death; 7] = [
        Death::NullWrite,
        Death::Abort,
        Death::StackOverflow,
        Death::RaiseInt,
        Death::RaiseTerm,
        Death::KillInt,
        Death::KillTerm,
    ];

    fn name(self) -> &'static str {
        match self {
            Death::NullWrite => "null-write",
            Death::Abort => "abort",
            Death::StackOverflow => "stack-overflow",
            Death::RaiseInt => "raise-int",
            Death::RaiseTerm => "raise-term",
            Death::KillInt => "kill-int",
            Death::KillTerm => "kill-term",
        }
    }

    fn from_name(name: &str) -> Option<Death> {
        Death::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The signal this death is by.
    fn signal(self) -> i32 {
        match self {
            Death::NullWrite => libc::SIGSEGV,
            Death::Abort | Death::StackOverflow => libc::SIGABRT,
            Death::RaiseInt | Death::KillInt => libc::SIGINT,
            Death::RaiseTerm | Death::KillTerm => libc::SIGTERM,
        }
    }

    /// The signal the parent sends, for the deaths that come from outside.
    fn sent_by_parent(self) -> Option<i32> {
        match self {
            Death::KillInt => Some(libc::SIGINT),
            Death::KillTerm => Some(libc::SIGTERM),
            _ => None,
        }
    }

    /// What stderr must also say.
    fn message(self) -> Option<&'static str> {
        match self {
            Death::StackOverflow => Some("has overflowed its stack"),
            _ => None,
        }
    }

    /// Dies this way, in the child.
    fn die(self) -> ! {
        match self {
            Death::NullWrite => null_write(),
            Death::Abort => std::process::abort(),
            Death::StackOverflow => {
                overflow(0);
                unreachable!("the recursion is unbounded")
            }
            Death::RaiseInt => raise(libc::SIGINT),
            Death::RaiseTerm => raise(libc::SIGTERM),
            Death::KillInt | Death::KillTerm => {
                child::raw_stderr(READY);
                child::block_forever()
            }
        }
    }
}

/// Writes through a null pointer.
fn null_write() -> ! {
    // SAFETY: deliberately faulting: address 0 is never mapped, so this
    // write raises SIGSEGV and the process dies (nothing is written).
    unsafe { std::ptr::null_mut::<u32>().write_volatile(1) };
    unreachable!("a write through a null pointer faults")
}

/// Raises `signal` in this thread.
fn raise(signal: i32) -> ! {
    // SAFETY: `raise` has no memory-safety preconditions.
    unsafe { libc::raise(signal) };
    panic!("raise({signal}) returned: the signal did not end the process");
}

/// Recurses until the main thread's stack overflows. `black_box` keeps
/// every frame (no tail call, no folding).
fn overflow(depth: u64) -> u64 {
    let frame = std::hint::black_box([depth; 64]);
    if std::hint::black_box(true) {
        overflow(depth + 1).wrapping_add(frame[7])
    } else {
        frame[0]
    }
}

// ----------------------------------------------------------------- child --

/// The child process: `mode` is `bare:<death>` (dies without creating any
/// logger), `death:<death>` (logs, then dies) or one of the named modes.
fn child(mode: &str) {
    let dir = PathBuf::from(std::env::var_os(DIR_ENV).expect("the parent sets LLT_CRASH_DIR"));
    if let Some(death) = mode.strip_prefix("bare:").and_then(Death::from_name) {
        death.die();
    }
    if let Some(death) = mode.strip_prefix("death:").and_then(Death::from_name) {
        let named = loggers(&dir);
        log_lines(&named);
        report_dropped(&named);
        death.die();
    }
    match mode {
        "opt-out" | "opt-in" => {
            // SAFETY: setting SIGHUP to ignored before any logger exists.
            unsafe { libc::signal(libc::SIGHUP, libc::SIG_IGN) };
            let _logger = Logger::builder()
                .drain_on_crash(mode == "opt-in")
                .sink(std::io::sink())
                .build()
                .expect("a logger");
            let expected = mode == "opt-in";
            for signal in [libc::SIGSEGV, libc::SIGABRT, libc::SIGINT, libc::SIGTERM] {
                assert_eq!(
                    llt_rs::crash::is_installed(signal),
                    expected,
                    "signal {signal}"
                );
            }
            assert!(
                !llt_rs::crash::is_installed(libc::SIGHUP),
                "an ignored SIGHUP stays ignored"
            );
            std::process::exit(0);
        }
        "display-segv" => {
            let named = loggers(&dir);
            log_lines(&named);
            // Reported before the faulting line: the writer may kill the
            // process as soon as that line is logged.
            report_dropped(&named);
            llt_log!(named, "faulting {}", FaultingDisplay);
            // The writer dies formatting the line; this never returns.
            named.flush();
            child::block_forever();
        }
        "user-segv-handler" => {
            install_user_segv_handler();
            let named = loggers(&dir);
            log_lines(&named);
            report_dropped(&named);
            null_write();
        }
        "ctrlc-before" | "ctrlc-after" => {
            let (tx, rx) = mpsc::channel();
            let handler = move || {
                let _ = tx.send(());
            };
            let named = if mode == "ctrlc-before" {
                ctrlc::set_handler(handler).expect("ctrlc installs its handler");
                loggers(&dir)
            } else {
                let named = loggers(&dir);
                ctrlc::set_handler(handler).expect("ctrlc installs its handler");
                named
            };
            log_lines(&named);
            report_dropped(&named);
            child::raw_stderr(READY);
            rx.recv().expect("the ctrlc handler runs");
            llt_log!("bye");
        }
        "signal-hook-before" | "signal-hook-after" => {
            let flag = Arc::new(AtomicBool::new(false));
            let register = || {
                signal_hook::flag::register(libc::SIGINT, flag.clone())
                    .expect("signal-hook registers its handler")
            };
            let named = if mode == "signal-hook-before" {
                register();
                loggers(&dir)
            } else {
                let named = loggers(&dir);
                register();
                named
            };
            log_lines(&named);
            report_dropped(&named);
            child::raw_stderr(READY);
            // Polls the flag, as `signal_hook::flag` is meant to be used.
            // Acquire: pairs with the handler's store (nothing else is
            // published through it; Relaxed would do as well).
            while !flag.load(Ordering::Acquire) {
                thread::park_timeout(Duration::from_millis(1));
            }
            llt_log!("bye");
        }
        "two-threads" => {
            let named = loggers(&dir);
            let logged = Barrier::new(2);
            let reported = Barrier::new(2);
            thread::scope(|scope| {
                for thread in 0..2 {
                    let (named, logged, reported) = (&named, &logged, &reported);
                    scope.spawn(move || {
                        for seq in 0..LINES / 2 {
                            llt_log!(named, "named t{} {}", thread, seq);
                            llt_log!("default t{} {}", thread, seq);
                        }
                        logged.wait();
                        if thread == 0 {
                            report_dropped(named);
                        }
                        reported.wait();
                        null_write();
                    });
                }
            });
            unreachable!("the threads crashed");
        }
        "sink-segv" => {
            install_default_logger();
            for seq in 0..LINES {
                llt_log!("default {}", seq);
            }
            let named = message_only()
                .sink(FaultingSink)
                .build()
                .expect("the logger builds");
            llt_log!(named, "into the faulting sink");
            report_dropped(&named);
            // The writer dies in the sink; this never returns.
            named.flush();
            child::block_forever();
        }
        "sigkill" => {
            let named = message_only()
                .file(RollingFile::builder(dir.join(NAMED_FILE)))
                .build()
                .expect("the file logger builds");
            // Ends by itself after a minute if nobody kills it.
            for seq in 0..60_000u64 {
                llt_log!(named, "tick {}", seq);
                let logged_at = child::monotonic_ns();
                child::raw_stderr(&format!("tick {seq} {logged_at}\n"));
                // Pacing, not synchronisation: about one line per ms.
                thread::sleep(Duration::from_millis(1));
            }
        }
        other => panic!("unknown child mode {other:?}"),
    }
}

/// The builder every child logger starts from: message only, the filter
/// set in code (an `LLT_LOG` in the environment changes nothing), big rings.
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

/// Installs the default logger and returns a named one writing
/// `dir/NAMED_FILE`.
fn loggers(dir: &Path) -> Logger {
    install_default_logger();
    message_only()
        .file(RollingFile::builder(dir.join(NAMED_FILE)))
        .build()
        .expect("the file logger builds")
}

/// Logs `named 0..LINES` through `named` and `default 0..LINES` through
/// the default logger.
fn log_lines(named: &Logger) {
    for seq in 0..LINES {
        llt_log!(named, "named {}", seq);
        llt_log!("default {}", seq);
    }
}

/// Writes both loggers' drop counts to stderr, raw.
fn report_dropped(named: &Logger) {
    child::raw_stderr(&format!(
        "{DROPPED} named={} default={}\n",
        named.get_dropped_count(),
        llt_rs::default_logger().get_dropped_count()
    ));
}

/// A value whose `Display` faults (on the writer thread).
#[derive(Debug, Clone, Copy)]
struct FaultingDisplay;

impl fmt::Display for FaultingDisplay {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        null_write()
    }
}

/// A sink whose `write` faults.
struct FaultingSink;

impl Write for FaultingSink {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        null_write()
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The user's own SIGSEGV handler: says so, then dies by the signal.
extern "C" fn user_segv_handler(_: libc::c_int) {
    child::raw_stderr(USER_HANDLER_MARKER);
    child::raw_stderr("\n");
    // SAFETY: `signal` and `raise` are async-signal-safe. With the default
    // action restored, the re-raised SIGSEGV (pending until this handler
    // returns) ends the process.
    unsafe {
        libc::signal(libc::SIGSEGV, libc::SIG_DFL);
        libc::raise(libc::SIGSEGV);
    }
}

/// Installs `user_segv_handler` with `sigaction`.
fn install_user_segv_handler() {
    // SAFETY: `sigaction` is a plain C struct: all zeroes is a valid value
    // (no flags, empty mask), completed below.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = user_segv_handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: `action.sa_mask` is a valid `sigset_t` to initialise.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: `action` is initialised and names a handler that stays valid
    // for the whole program; the old action is not asked for.
    let rc = unsafe { libc::sigaction(libc::SIGSEGV, &action, std::ptr::null_mut()) };
    assert_eq!(rc, 0, "sigaction(SIGSEGV) failed");
}

// ---------------------------------------------------------------- parent --

/// Runs the child in `mode` with a fresh scratch directory.
fn spec(mode: &str, dir: &ScratchDir) -> Spec {
    Spec::this_binary(CHILD_ENV, mode)
        .env(DIR_ENV, dir.path())
        .dir(dir.path())
        .timeout(CHILD_TIMEOUT)
}

/// The runs per check.
fn runs() -> usize {
    child::runs(RUNS_ENV, RUNS)
}

/// How a child of `death` dies when it creates no logger: the status a
/// logged death must match. Fails the check if that is not the expected
/// signal (the test itself would be wrong).
fn bare_status(death: Death) -> Status {
    let dir = ScratchDir::new("crash-bare");
    let running = spec(&format!("bare:{}", death.name()), &dir).spawn();
    // The bare child of a kill death writes READY at once.
    if let Some(signal) = death.sent_by_parent() {
        running.wait_for(Pipe::Stderr, READY).unwrap();
        running.signal(signal);
    }
    let outcome = running.wait();
    assert_eq!(
        outcome.status.signal(),
        Some(death.signal()),
        "without any logger, {death:?} ends the child by {}, not {}; stderr: {}",
        child::signal_name(death.signal()),
        outcome.status,
        outcome.stderr_tail()
    );
    outcome.status
}

/// Checks one logged death: status as bare, message, drops, lines.
fn death_check(death: Death) {
    let bare = bare_status(death);
    let start = Instant::now();
    let results = child::run_parallel(runs(), |_| {
        let dir = ScratchDir::new("crash");
        let running = spec(&format!("death:{}", death.name()), &dir).spawn();
        if let Some(signal) = death.sent_by_parent() {
            running.wait_for(Pipe::Stderr, READY)?;
            running.signal(signal);
        }
        let outcome = running.wait();
        let mut problems = Vec::new();
        expect_status(&outcome, bare, &mut problems);
        if let Some(message) = death.message() {
            expect_stderr(&outcome, message, &mut problems);
        }
        expect_lines(&outcome, &dir, &["named "], &["default "], &mut problems);
        verdict(&outcome, problems)
    });
    report(death.name(), start, &results);
    child::assert_runs(death.name(), &results);
}

/// Adds a problem if the child did not end with `expected` (signal and core
/// dump flag, or exit code).
fn expect_status(outcome: &Outcome, expected: Status, problems: &mut Vec<String>) {
    if outcome.status != expected {
        problems.push(format!("status: {}, expected {expected}", outcome.status));
    }
}

/// Adds a problem if stderr lacks `needle`.
fn expect_stderr(outcome: &Outcome, needle: &str, problems: &mut Vec<String>) {
    if !outcome.stderr_text().contains(needle) {
        problems.push(format!("stderr lacks {needle:?}"));
    }
}

/// Adds problems if the child's drop report is missing or not zero, or if
/// the file (for each of `file_prefixes`) or stdout (for each of
/// `stdout_prefixes`) does not hold its lines `0..n` exactly once, in order
/// (`n` = `LINES` split among the prefixes).
fn expect_lines(
    outcome: &Outcome,
    dir: &ScratchDir,
    file_prefixes: &[&str],
    stdout_prefixes: &[&str],
    problems: &mut Vec<String>,
) {
    let stderr = outcome.stderr_text();
    match stderr.lines().find_map(|l| l.strip_prefix(DROPPED)) {
        None => problems.push("no drop report on stderr".into()),
        Some(counts) if counts.trim() != "named=0 default=0" => {
            problems.push(format!("dropped:{counts}"))
        }
        Some(_) => {}
    }
    let file = dir.read(NAMED_FILE);
    for prefix in file_prefixes {
        if let Err(why) = child::check_sequence(&file, prefix, LINES / file_prefixes.len()) {
            problems.push(format!("file: {why}"));
        }
    }
    let stdout = outcome.stdout_text();
    for prefix in stdout_prefixes {
        if let Err(why) = child::check_sequence(&stdout, prefix, LINES / stdout_prefixes.len()) {
            problems.push(format!("stdout: {why}"));
        }
    }
}

/// `Ok` if there are no problems, else all of them with the end of stderr.
fn verdict(outcome: &Outcome, problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} (after {:.0?}; stderr ends: {:?})",
        problems.join("; "),
        outcome.elapsed,
        child::tail(&outcome.stderr_text(), 200)
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

// --------------------------------------------------------- panic = abort --

/// The `crash_child` example built with `-C panic=abort`, once per test
/// process.
///
/// `cargo rustc` passes the flag to the example alone and builds it with
/// the profile this test was built with, into the same target directory:
/// the dependencies are the ones already built (a binary built with
/// `panic=abort` may link libraries built with `panic=unwind`, as it links
/// std), so this takes seconds. Cargo does not hold its build lock while
/// tests run, so this works under `cargo test`. The first time, cargo may
/// rebuild a few dev-dependencies whose features differ between
/// `-p llt-rs` and `--workspace` (the regex and num-traits features
/// proptest adds); later runs find them built.
fn crash_child_exe() -> Result<&'static Path, String> {
    static EXE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    EXE.get_or_init(build_crash_child)
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(Clone::clone)
}

fn build_crash_child() -> Result<PathBuf, String> {
    let start = Instant::now();
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    // <target>/<profile dir>/deps/crash-<hash>
    let profile_dir = me
        .parent()
        .and_then(Path::parent)
        .ok_or("the test binary is not in <target>/<profile>/deps")?;
    let target_dir = profile_dir.parent().ok_or("no target directory")?;
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev",
        Some(other) => other,
        None => return Err("no profile directory".into()),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let output = Command::new(cargo)
        .args(["rustc", "--quiet", "--manifest-path"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .args(["--example", "crash_child", "--profile", profile])
        .arg("--target-dir")
        .arg(target_dir)
        .args(["--message-format=json-render-diagnostics"])
        .args(["--", "-C", "panic=abort"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo rustc --example crash_child failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let executable = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "crash_child")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or("cargo reported no crash_child executable")?;
    println!(
        "  built crash_child with -C panic=abort in {:.1?}",
        start.elapsed()
    );
    Ok(executable)
}

/// A `panic!` in a `panic = "abort"` program: SIGABRT with the panic
/// message, and the lines logged before it written.
fn panic_abort() {
    let exe = crash_child_exe().unwrap_or_else(|why| panic!("{why}"));
    let spec = |args: [&str; 2], dir: &ScratchDir| {
        Spec::program(exe)
            .arg(args[0])
            .arg(args[1])
            .dir(dir.path())
            .timeout(CHILD_TIMEOUT)
            .label("crash_child")
    };
    let bare_dir = ScratchDir::new("crash-bare");
    let bare = spec(["0", "-"], &bare_dir).run();
    assert_eq!(
        bare.status.signal(),
        Some(libc::SIGABRT),
        "a panic with panic=abort ends the process by SIGABRT, not {}; stderr: {}",
        bare.status,
        bare.stderr_tail()
    );
    let start = Instant::now();
    let results = child::run_parallel(runs(), |_| {
        let dir = ScratchDir::new("crash");
        let file = dir.path().join(NAMED_FILE);
        let outcome = spec([&LINES.to_string(), file.to_str().unwrap()], &dir).run();
        let mut problems = Vec::new();
        expect_status(&outcome, bare.status, &mut problems);
        expect_stderr(&outcome, "crash_child panics on purpose", &mut problems);
        expect_lines(&outcome, &dir, &["named "], &["default "], &mut problems);
        verdict(&outcome, problems)
    });
    report("panic-abort", start, &results);
    child::assert_runs("panic-abort", &results);
}

// ------------------------------------------------------------ the others --

/// A `Display` that segfaults on the writer thread, logged after the
/// `LINES` lines: SIGSEGV, and those lines are written.
fn display_segfaults_on_writer() {
    let bare = bare_status(Death::NullWrite);
    let start = Instant::now();
    let results = child::run_parallel(runs(), |_| {
        let dir = ScratchDir::new("crash");
        let outcome = spec("display-segv", &dir).run();
        let mut problems = Vec::new();
        expect_status(&outcome, bare, &mut problems);
        expect_lines(&outcome, &dir, &["named "], &["default "], &mut problems);
        verdict(&outcome, problems)
    });
    report("display-segv", start, &results);
    child::assert_runs("display-segv", &results);
}

/// A SIGSEGV handler the program installed before its first logger still
/// runs: its marker is on stderr, the lines are written, SIGSEGV.
fn user_sigsegv_handler_runs() {
    let bare = bare_status(Death::NullWrite);
    let start = Instant::now();
    let results = child::run_parallel(runs(), |_| {
        let dir = ScratchDir::new("crash");
        let outcome = spec("user-segv-handler", &dir).run();
        let mut problems = Vec::new();
        expect_status(&outcome, bare, &mut problems);
        expect_stderr(&outcome, USER_HANDLER_MARKER, &mut problems);
        expect_lines(&outcome, &dir, &["named "], &["default "], &mut problems);
        verdict(&outcome, problems)
    });
    report("user-segv-handler", start, &results);
    child::assert_runs("user-segv-handler", &results);
}

/// A SIGINT handler (ctrlc or signal-hook, installed before or after the
/// first logger) gets the parent's SIGINT; the program logs "bye" and
/// returns from `main`: status 0, all lines, then "bye".
fn sigint_handler_check(mode: &str) {
    let start = Instant::now();
    let results = child::run_parallel(runs(), |_| {
        let dir = ScratchDir::new("crash");
        let running = spec(mode, &dir).spawn();
        running.wait_for(Pipe::Stderr, READY)?;
        running.signal(libc::SIGINT);
        let outcome = running.wait();
        let mut problems = Vec::new();
        expect_status(&outcome, Status::Exited(0), &mut problems);
        expect_lines(&outcome, &dir, &["named "], &["default "], &mut problems);
        let stdout = outcome.stdout_text();
        if stdout.lines().last() != Some("bye") {
            problems.push(format!(
                "stdout does not end with \"bye\": {:?}",
                child::tail(&stdout, 40)
            ));
        }
        verdict(&outcome, problems)
    });
    report(mode, start, &results);
    child::assert_runs(mode, &results);
}

/// Two threads fault at once (after a barrier): SIGSEGV, both threads'
/// lines written.
fn two_threads_crash() {
    let bare = bare_status(Death::NullWrite);
    let start = Instant::now();
    let results = child::run_parallel(runs(), |_| {
        let dir = ScratchDir::new("crash");
        let outcome = spec("two-threads", &dir).run();
        let mut problems = Vec::new();
        expect_status(&outcome, bare, &mut problems);
        expect_lines(
            &outcome,
            &dir,
            &["named t0 ", "named t1 "],
            &["default t0 ", "default t1 "],
            &mut problems,
        );
        verdict(&outcome, problems)
    });
    report("two-threads", start, &results);
    child::assert_runs("two-threads", &results);
}

/// A process that never created a logger crashes as usual: SIGSEGV, at
/// once (no hang in a handler).
fn crash_before_any_logger() {
    let start = Instant::now();
    let results = child::run_parallel(runs(), |_| {
        let dir = ScratchDir::new("crash");
        let outcome = spec("bare:null-write", &dir).timeout(crash_bound()).run();
        let mut problems = Vec::new();
        if outcome.status.signal() != Some(libc::SIGSEGV) {
            problems.push(format!("status: {}, expected SIGSEGV", outcome.status));
        }
        verdict(&outcome, problems)
    });
    report("bare null-write", start, &results);
    child::assert_runs("bare null-write", &results);
}

/// A process whose only logger is built with `drain_on_crash(false)` gets
/// no llt signal handler at all; one with the default gets them, except for
/// a termination signal the program ignores.
fn opt_out_installs_nothing() {
    for mode in ["opt-out", "opt-in"] {
        let dir = ScratchDir::new("crash");
        let outcome = spec(mode, &dir).timeout(crash_bound()).run();
        assert_eq!(
            outcome.status.code(),
            Some(0),
            "{mode}: {}; stderr: {}",
            outcome.status,
            String::from_utf8_lossy(&outcome.stderr)
        );
    }
}

/// A sink whose `write` faults: the process dies by SIGSEGV within
/// `crash_bound()` (a crash handler must not wait for the dead writer).
fn crash_inside_sink() {
    let bare = bare_status(Death::NullWrite);
    let start = Instant::now();
    let slowest = std::sync::Mutex::new(Duration::ZERO);
    let results = child::run_parallel(runs(), |_| {
        let dir = ScratchDir::new("crash");
        let outcome = spec("sink-segv", &dir).timeout(crash_bound()).run();
        {
            let mut slowest = slowest.lock().unwrap();
            *slowest = (*slowest).max(outcome.elapsed);
        }
        let mut problems = Vec::new();
        expect_status(&outcome, bare, &mut problems);
        verdict(&outcome, problems)
    });
    report("sink-segv", start, &results);
    println!(
        "  sink-segv: slowest child {:.1?} (bound {:?})",
        slowest.into_inner().unwrap(),
        crash_bound()
    );
    child::assert_runs("sink-segv", &results);
}

/// What one SIGKILL run measured.
#[derive(Debug, Default, Clone, Copy)]
struct KillAges {
    /// The oldest line (ns before the kill) missing from the file.
    oldest_missing: Option<i64>,
    /// The youngest line (ns before the kill) present in the file.
    youngest_present: Option<i64>,
}

/// SIGKILL at a random moment: every line logged more than `SIGKILL_BOUND`
/// before the kill is in the file.
fn sigkill_loses_only_recent_lines() {
    let start = Instant::now();
    let results = child::run_parallel(runs(), |run| {
        let dir = ScratchDir::new("crash");
        let running = spec("sigkill", &dir).spawn();
        running.wait_for(Pipe::Stderr, "tick 0 ")?;
        // Not synchronisation: this picks the random moment of the kill.
        thread::sleep(random_delay(run));
        let killed_at = child::monotonic_ns() as i64;
        running.signal(libc::SIGKILL);
        let outcome = running.wait();
        check_sigkill(&outcome, &dir, killed_at)
    });
    let mut ages = KillAges::default();
    for (missing, present) in results.iter().flatten() {
        ages.oldest_missing = ages.oldest_missing.max(*missing);
        ages.youngest_present = match (ages.youngest_present, *present) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let ms = |ns: Option<i64>| ns.map(|ns| format!("{:.2} ms", ns as f64 / 1e6));
    println!(
        "  sigkill: oldest missing line {:?} before the kill, youngest written line {:?} before it (bound {SIGKILL_BOUND:?})",
        ms(ages.oldest_missing),
        ms(ages.youngest_present)
    );
    let results: Vec<Result<(), String>> = results.into_iter().map(|r| r.map(|_| ())).collect();
    report("sigkill", start, &results);
    child::assert_runs("sigkill", &results);
}

/// Checks one SIGKILL run; returns the oldest missing and youngest present
/// line's age (ns before the kill).
fn check_sigkill(
    outcome: &Outcome,
    dir: &ScratchDir,
    killed_at: i64,
) -> Result<(Option<i64>, Option<i64>), String> {
    if outcome.status.signal() != Some(libc::SIGKILL) {
        return Err(format!("status: {}, expected SIGKILL", outcome.status));
    }
    // The logging times the child reported: `tick <seq> <ns>`.
    let logged: HashMap<u64, i64> = outcome
        .stderr_text()
        .lines()
        .filter_map(|line| {
            let mut parts = line.strip_prefix("tick ")?.split(' ');
            Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
        })
        .collect();
    // The file, without a last line the kill may have cut.
    let file = dir.read(NAMED_FILE);
    let whole = &file[..file.rfind('\n').map_or(0, |end| end + 1)];
    let written: Vec<u64> = whole
        .lines()
        .map(|line| {
            line.strip_prefix("tick ")
                .and_then(|seq| seq.parse().ok())
                .ok_or_else(|| format!("unexpected line {line:?}"))
        })
        .collect::<Result<_, _>>()?;
    if written.iter().enumerate().any(|(i, &seq)| seq != i as u64) {
        return Err(format!(
            "the file's lines are not tick 0, 1, ... in order: {}",
            child::tail(whole, 80)
        ));
    }
    let written: BTreeSet<u64> = written.into_iter().collect();
    let bound = SIGKILL_BOUND.as_nanos() as i64;
    let mut oldest_missing = None;
    let mut youngest_present = None;
    let mut late = Vec::new();
    for (&seq, &at) in &logged {
        let age = killed_at - at;
        if written.contains(&seq) {
            youngest_present = Some(youngest_present.map_or(age, |y: i64| y.min(age)));
        } else {
            oldest_missing = Some(oldest_missing.map_or(age, |o: i64| o.max(age)));
            if age > bound {
                late.push(seq);
            }
        }
    }
    if !late.is_empty() {
        late.sort_unstable();
        return Err(format!(
            "{} lines logged more than {SIGKILL_BOUND:?} before the kill are missing (first: tick {}, {:.2} ms before it); {} of {} lines written",
            late.len(),
            late[0],
            (killed_at - logged[&late[0]]) as f64 / 1e6,
            written.len(),
            logged.len()
        ));
    }
    Ok((oldest_missing, youngest_present))
}

/// A delay from 10 to 300 ms, different for every run and every test
/// process.
fn random_delay(run: usize) -> Duration {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_usize(run);
    Duration::from_millis(10 + hasher.finish() % 290)
}
