//! Faults met by `llt_log!` statements: user `Display` impls that panic,
//! fail or log themselves on the writer thread, a writer pinned to a core
//! that does not exist, a sink that is always full (`/dev/full`), and stdout
//! closed by the reader (`prog | head -1`).
//!
//! The process-level cases re-run this test binary as a child (selected by
//! `LLT_FAULTS_CHILD`, as in `tests/exit.rs`), which logs only through llt.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::thread;
use std::time::Duration;

use llt_rs::filter::Filter;
use llt_rs::{LevelFilter, LineFormat, Logger, llt_log, llt_warn};

/// Selects the child mode of this binary.
const CHILD_ENV: &str = "LLT_FAULTS_CHILD";
/// Generous bounds, only to turn a hang into a failure.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A sink appending to a shared buffer.
#[derive(Clone, Default)]
struct SharedSink(Arc<Mutex<Vec<u8>>>);

impl SharedSink {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).expect("UTF-8 output")
    }
}

impl Write for SharedSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A builder with the `Info` filter set in code, so that an `LLT_LOG` in
/// the environment cannot change what these tests see.
fn builder() -> llt_rs::Builder {
    Logger::builder().filter(Filter::from_level(LevelFilter::Info))
}

fn message_only(sink: &SharedSink) -> Logger {
    builder()
        .sink(sink.clone())
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap()
}

/// Keeps the intentional panics below (their messages say "on purpose")
/// out of the test output; every other panic goes to the default hook.
fn quiet_intentional_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied());
            let intentional = match message {
                Some(m) => m.contains("on purpose"),
                None => payload.is::<Intentional>(),
            };
            if !intentional {
                default(info);
            }
        }));
    });
}

/// A panic payload that is neither `&str` nor `String`.
struct Intentional;

/// A value whose `Display` writes some text, then fails in one of three
/// ways.
#[derive(Clone, Copy)]
enum Faulty {
    /// Panics with a string message.
    Panics,
    /// Panics with a non-string payload (`panic_any`).
    PanicsAny,
    /// Returns `Err(fmt::Error)` (not a panic).
    Errs,
}

impl fmt::Display for Faulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Partial output, which must not reach the sink.
        f.write_str("PARTIAL OUTPUT")?;
        match self {
            Faulty::Panics => panic!("Faulty's Display panics on purpose"),
            Faulty::PanicsAny => std::panic::panic_any(Intentional),
            Faulty::Errs => Err(fmt::Error),
        }
    }
}

/// The marker the writer puts in place of a line whose formatting failed.
fn marker(what: &str, format: &str, line: u32) -> String {
    format!("<llt: formatting {what}: {format:?} at tests/faults_macro.rs:{line}>")
}

/// A `Display` that panics (with a string or another payload) or returns an
/// error, logged with `llt_log!` among good lines: each bad line is replaced
/// by the marker naming its statement (nothing of its partial output is
/// kept), the lines around it are written in order, the writer keeps
/// working, and `format_errors` counts exactly the bad lines (which count as
/// written too).
#[test]
fn failing_display_is_replaced_by_a_marker_and_the_writer_survives() {
    quiet_intentional_panics();
    const ROUNDS: u32 = 50;
    let sink = SharedSink::default();
    let logger = message_only(&sink);
    let mut expected = Vec::new();
    for round in 0..ROUNDS {
        llt_log!(logger, "before {}", round);
        expected.push(format!("before {round}"));
        let (faulty, what) = match round % 3 {
            0 => (Faulty::Panics, "panicked"),
            1 => (Faulty::PanicsAny, "panicked"),
            _ => (Faulty::Errs, "returned an error"),
        };
        let line = line!() + 1;
        llt_log!(logger, "round {} value {} end", round, faulty);
        expected.push(marker(what, "round {} value {} end", line));
        llt_log!(logger, "after {}", round);
        expected.push(format!("after {round}"));
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.format_errors, u64::from(ROUNDS), "{stats:?}");
    assert_eq!(stats.written, 3 * u64::from(ROUNDS), "{stats:?}");
    assert_eq!((stats.dropped, stats.lines_lost), (0, 0), "{stats:?}");
    let text = sink.text();
    assert!(!text.contains("PARTIAL"), "partial output leaked: {text}");
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);

    // The writer is alive and well: 1,000 more lines, all written.
    for i in 0..1_000 {
        llt_log!(logger, "later {}", i);
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.written, 3 * u64::from(ROUNDS) + 1_000, "{stats:?}");
    assert_eq!(stats.format_errors, u64::from(ROUNDS), "{stats:?}");
    let text = sink.text();
    let later: Vec<&str> = text.lines().skip(expected.len()).collect();
    let want: Vec<String> = (0..1_000).map(|i| format!("later {i}")).collect();
    assert_eq!(later, want);
}

/// In the default format the marker keeps the line's timestamp and level.
#[test]
fn marker_keeps_the_prefix_in_the_default_format() {
    quiet_intentional_panics();
    let sink = SharedSink::default();
    let logger = builder().sink(sink.clone()).build().unwrap();
    let line = line!() + 1;
    llt_warn!(logger, "warned {}", Faulty::Panics);
    logger.flush();
    let text = sink.text();
    let (timestamp, rest) = text.split_at_checked(27).expect("a timestamp");
    assert!(timestamp.ends_with('Z'), "{text:?}");
    assert_eq!(
        rest,
        format!(" WARN  {}\n", marker("panicked", "warned {}", line))
    );
    assert_eq!(logger.stats().format_errors, 1);
}

/// The logger that [`Reentrant`]'s `Display` logs to.
static REENTRANT: OnceLock<Logger> = OnceLock::new();

/// A value whose `Display`, run on the writer thread, logs through the same
/// logger with `llt_log!` and calls `flush()` on it.
#[derive(Clone, Copy)]
struct Reentrant(u32);

impl fmt::Display for Reentrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let logger = REENTRANT.get().expect("the test sets the logger");
        llt_log!(logger, "nested {} from Display", self.0);
        // On the writer thread: returns at once instead of waiting for
        // itself.
        logger.flush();
        write!(f, "outer {}", self.0)
    }
}

/// A `Display` that logs (and flushes) through its own logger from the
/// writer thread neither deadlocks nor loses its line: the first flush
/// returns with the outer lines written; the nested lines, logged while the
/// first flush was in progress, are written by the second.
#[test]
fn logging_from_display_on_the_writer_thread_does_not_deadlock() {
    const VALUES: u32 = 100;
    let sink = SharedSink::default();
    let logger = message_only(&sink);
    assert!(REENTRANT.set(logger.clone()).is_ok());
    for i in 0..VALUES {
        llt_log!(logger, "{}", Reentrant(i));
    }
    // `flush_timeout`: a deadlock becomes a failure instead of a hang.
    assert!(logger.flush_timeout(TIMEOUT), "first flush deadlocked");
    let text = sink.text();
    let outer: Vec<&str> = text.lines().filter(|l| l.starts_with("outer")).collect();
    let want: Vec<String> = (0..VALUES).map(|i| format!("outer {i}")).collect();
    assert_eq!(
        outer, want,
        "the outer lines are written by the first flush"
    );
    assert!(logger.flush_timeout(TIMEOUT), "second flush deadlocked");
    let text = sink.text();
    let nested: Vec<&str> = text.lines().filter(|l| l.starts_with("nested")).collect();
    let want: Vec<String> = (0..VALUES)
        .map(|i| format!("nested {i} from Display"))
        .collect();
    assert_eq!(nested, want, "the nested lines are written, in order");
    let stats = logger.stats();
    assert_eq!(
        (stats.written, stats.dropped, stats.format_errors),
        (2 * u64::from(VALUES), 0, 0),
        "{stats:?}"
    );
}

/// Pinning the writer to a core that does not exist (index `usize::MAX`)
/// is not an error: the logger builds, and `llt_log!` lines are written.
#[test]
fn pinning_to_a_missing_core_builds_and_logs() {
    let sink = SharedSink::default();
    let logger = builder()
        .pin_to_core(usize::MAX)
        .sink(sink.clone())
        .format(LineFormat::MessageOnly)
        .build()
        .expect("a missing core is not a build error");
    for i in 0..100u32 {
        llt_log!(logger, "pinned? {} {:.1}", i, f64::from(i) / 2.0);
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(
        (stats.written, stats.dropped, stats.sink_errors),
        (100, 0, 0)
    );
    let want: String = (0..100u32)
        .map(|i| format!("pinned? {i} {:.1}\n", f64::from(i) / 2.0))
        .collect();
    assert_eq!(sink.text(), want);
}

/// `/dev/full` opened as a `File`.
fn dev_full() -> File {
    File::options()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full")
}

/// A sink that is always full (`/dev/full`, every write fails with ENOSPC):
/// no panic, every line counted in `lines_lost`, `sink_errors >= 1`, and
/// logging goes on (more lines are accepted and counted); dropping the
/// logger returns.
#[test]
fn dev_full_sink_counts_lost_lines_and_logging_goes_on() {
    let logger = builder()
        .sink(dev_full())
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();
    for i in 0..1_000u32 {
        llt_log!(logger, "to /dev/full {}", i);
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(
        (stats.lines_lost, stats.written, stats.dropped),
        (1_000, 0, 0),
        "{stats:?}"
    );
    assert!(stats.sink_errors >= 1, "{stats:?}");
    for i in 0..500u32 {
        llt_log!(logger, "still logging {}", i);
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.lines_lost, 1_500, "{stats:?}");
    assert_eq!((stats.written, stats.dropped), (0, 0), "{stats:?}");
    drop(logger);
}

// ------------------------------------------------------ child processes --

/// Lines the stdout child logs; about 450 KB, far more than a pipe buffer
/// (64 KiB), so the child is still writing when the reader goes away.
const CHILD_LINES: u32 = 10_000;

/// The child: logs only through llt, never with `print!` (which would panic
/// on a closed stdout). Does nothing unless started by a test below.
#[test]
fn child() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    match mode.as_str() {
        "stdout" => {
            // The default logger (stdout, default format), then the same
            // exit path as returning from `main`: std's runtime cleanup and
            // the C `exit`, which runs llt's exit hook. `process::exit`
            // because libtest, once this test returned, would print its
            // result to the closed stdout and fail on EPIPE itself.
            for i in 0..CHILD_LINES {
                llt_log!(
                    "stdout line {} of {} with some padding text",
                    i,
                    CHILD_LINES
                );
            }
            std::process::exit(0);
        }
        "dev_full" => {
            // A never-dropped default logger writing to /dev/full; this
            // test returns normally and the exit hook flushes it.
            let logger = builder().sink(dev_full()).build().unwrap();
            llt_rs::set_default(logger).expect("no default logger yet");
            for i in 0..CHILD_LINES {
                llt_log!("to /dev/full {}", i);
            }
        }
        other => panic!("unknown child mode {other:?}"),
    }
}

/// Starts this binary as a child in `mode`, stdout piped.
fn spawn_child(mode: &str) -> Child {
    Command::new(std::env::current_exe().expect("own path"))
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, mode)
        .env_remove("LLT_LOG")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the child")
}

/// Waits for `child` (reading what is left of its pipes) for at most
/// `TIMEOUT`; kills it and panics if it hangs.
fn wait_with_timeout(child: Child) -> Output {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(TIMEOUT) {
        Ok(output) => output.expect("wait for the child"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("the child hung (more than {TIMEOUT:?})");
        }
    }
}

/// The lines of `stderr` that llt wrote, and the others.
fn split_stderr(stderr: &[u8]) -> (Vec<String>, Vec<String>) {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(str::to_owned)
        .partition(|l| l.starts_with("llt: writing log lines failed"))
}

/// `child | head -1`: the reader takes the first log line and closes the
/// pipe while the child is still logging. The child exits with status 0 (no
/// panic on EPIPE, no hang) and llt says so at most once on stderr.
#[test]
fn stdout_closed_by_the_reader() {
    let mut child = spawn_child("stdout");
    let stdout = child.stdout.take().expect("piped stdout");
    let (first_tx, first_rx) = mpsc::channel();
    // Reads until the first log line (libtest prints a header first), then
    // drops the read end of the pipe.
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let first = loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break None,
                Ok(_) if line.contains("stdout line ") => break Some(line.clone()),
                Ok(_) => {}
            }
        };
        drop(reader);
        let _ = first_tx.send(first);
    });
    let first = first_rx.recv_timeout(TIMEOUT).expect("the reader finishes");
    let output = wait_with_timeout(child);
    let (llt, other) = split_stderr(&output.stderr);
    println!("first line read: {first:?}; llt on stderr: {llt:?}");
    let first = first.expect("the child logged a line to stdout");
    assert!(
        first.contains("INFO  stdout line 0 of 10000 with some padding text"),
        "{first:?}"
    );
    assert!(
        output.status.success(),
        "status {:?}; stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(other.is_empty(), "unexpected stderr lines: {other:?}");
    assert!(llt.len() <= 1, "more than one llt diagnostic: {llt:?}");
}

/// A child whose default logger writes to `/dev/full` and that ends
/// normally: status 0, exactly one llt diagnostic on stderr (the first sink
/// error; later ones are rate-limited), nothing else there.
#[test]
fn dev_full_child_exits_normally() {
    let output = wait_with_timeout(spawn_child("dev_full"));
    let (llt, other) = split_stderr(&output.stderr);
    assert!(
        output.status.success(),
        "status {:?}; stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(other.is_empty(), "unexpected stderr lines: {other:?}");
    assert_eq!(llt.len(), 1, "{llt:?}");
    assert!(llt[0].contains("No space left on device"), "{llt:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("test child ... ok"), "{stdout}");
}

/// In JSON lines the marker is the `msg` of a valid JSON object.
#[test]
fn marker_is_valid_json_in_json_lines() {
    quiet_intentional_panics();
    let sink = SharedSink::default();
    let logger = builder()
        .sink(sink.clone())
        .format(LineFormat::Json)
        .build()
        .unwrap();
    let line = line!() + 1;
    llt_log!(logger, "quoted \"{}\" and {}", Faulty::Panics, 1);
    llt_log!(logger, "then {}", Faulty::Errs);
    logger.flush();
    let text = sink.text();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0]["msg"],
        marker("panicked", "quoted \"{}\" and {}", line)
    );
    assert_eq!(
        lines[1]["msg"],
        marker("returned an error", "then {}", line + 1)
    );
    assert_eq!(lines[0]["line"], line);
    assert_eq!(logger.stats().format_errors, 2);
}
