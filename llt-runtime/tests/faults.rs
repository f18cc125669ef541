//! Failing, partial and stuck sinks, and invalid configurations: the logger
//! never panics, never blocks a producer, and its counters still add up.

use std::io::{self, Write};
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use llt_runtime::logger::MAX_CAPACITY;
use llt_runtime::{BuildError, Level, LineFormat, Logger};

/// Text of the writer's drop report, around the number.
const REPORT_PREFIX: &str = "llt: ";
const REPORT_SUFFIX: &str = " messages dropped since the last report";

/// A sink that fails every call with `kind` while `failing` is set, and
/// appends to a shared buffer otherwise.
#[derive(Clone)]
struct SwitchSink {
    failing: Arc<AtomicBool>,
    kind: io::ErrorKind,
    out: Arc<Mutex<Vec<u8>>>,
}

impl Write for SwitchSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failing.load(Relaxed) {
            return Err(io::Error::new(self.kind, "test sink refuses"));
        }
        self.out.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.failing.load(Relaxed) {
            return Err(io::Error::new(self.kind, "test sink refuses to flush"));
        }
        Ok(())
    }
}

/// A sink that accepts `budget` bytes in all (in writes of at most
/// `max_write` bytes), then fails every write.
struct PartialSink {
    budget: usize,
    max_write: usize,
    out: Arc<Mutex<Vec<u8>>>,
}

impl Write for PartialSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.budget == 0 {
            return Err(io::Error::other("test sink is full"));
        }
        let n = buf.len().min(self.budget).min(self.max_write);
        self.budget -= n;
        self.out.lock().unwrap().extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A disk that fills up and is freed again: it accepts bytes until it
/// holds `room_lines` newlines and `room_bytes` more bytes (so the last
/// write it takes stops partway through a line), then fails every write with
/// ENOSPC until the test frees space (`free`), after which it takes
/// everything.
#[derive(Clone, Default)]
struct FillingDisk(Arc<Mutex<Disk>>);

#[derive(Default)]
struct Disk {
    out: Vec<u8>,
    /// Newlines it still takes before it is full.
    room_lines: usize,
    /// Bytes it takes after the last of those newlines.
    room_bytes: usize,
    full: bool,
}

impl FillingDisk {
    fn new(room_lines: usize, room_bytes: usize) -> FillingDisk {
        FillingDisk(Arc::new(Mutex::new(Disk {
            room_lines,
            room_bytes,
            ..Disk::default()
        })))
    }

    fn free(&self) {
        let mut disk = self.0.lock().unwrap();
        disk.full = false;
        disk.room_lines = usize::MAX;
    }

    fn contents(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().out.clone()).unwrap()
    }
}

impl Write for FillingDisk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut disk = self.0.lock().unwrap();
        if disk.full {
            return Err(io::Error::from_raw_os_error(libc::ENOSPC));
        }
        let mut taken = 0;
        for &byte in buf {
            if disk.room_lines == 0 {
                if disk.room_bytes == 0 {
                    disk.full = true;
                    break;
                }
                disk.room_bytes -= 1;
            } else if byte == b'\n' {
                disk.room_lines -= 1;
            }
            taken += 1;
        }
        if taken == 0 {
            return Err(io::Error::from_raw_os_error(libc::ENOSPC));
        }
        disk.out.extend_from_slice(&buf[..taken]);
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A sink whose first `write` tells the test it has started and then waits
/// until the test releases it, holding the writer thread still.
struct GateSink {
    entered: Option<Sender<()>>,
    release: Option<Receiver<()>>,
    out: Arc<Mutex<Vec<u8>>>,
}

impl Write for GateSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let (Some(entered), Some(release)) = (self.entered.take(), self.release.take()) {
            let _ = entered.send(());
            // Returns when the test sends, or when it drops the sender
            // (a failed test), so the writer can never hang forever.
            let _ = release.recv();
        }
        self.out.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Fixed-width line `i`: `line 000123` (11 bytes, 12 with the newline).
fn fixed_line(i: usize) -> String {
    format!("line {i:06}")
}

/// Splits the text into user lines and the sum of the drop reports.
fn split_reports(text: &str) -> (Vec<&str>, u64) {
    let mut lines = Vec::new();
    let mut reported = 0;
    for line in text.lines() {
        match line
            .strip_prefix(REPORT_PREFIX)
            .and_then(|r| r.strip_suffix(REPORT_SUFFIX))
        {
            Some(n) => reported += n.parse::<u64>().unwrap(),
            None => lines.push(line),
        }
    }
    (lines, reported)
}

/// While the sink fails every call with `kind`, every line is lost and
/// counted, nothing panics; once the sink works again, so does the logger.
fn failing_sink(kind: io::ErrorKind) {
    const LOST: usize = 500;
    const LATER: usize = 300;
    let failing = Arc::new(AtomicBool::new(true));
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = Logger::builder()
        .sink(SwitchSink {
            failing: failing.clone(),
            kind,
            out: out.clone(),
        })
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();

    for i in 0..LOST {
        logger.log(fixed_line(i));
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.lines_lost, LOST as u64, "{stats:?}");
    assert!(stats.sink_errors >= 1, "{stats:?}");
    assert_eq!(stats.written, 0, "{stats:?}");
    assert_eq!(stats.dropped, 0, "{stats:?}");

    // Still failing: the logger keeps accepting and counting lines.
    logger.log_str(Level::Error, "also lost");
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.lines_lost, LOST as u64 + 1, "{stats:?}");
    assert!(out.lock().unwrap().is_empty());

    // The sink recovers: new lines are written, the old ones stay lost.
    failing.store(false, Relaxed);
    for i in 0..LATER {
        logger.log(fixed_line(i));
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.written, LATER as u64, "{stats:?}");
    assert_eq!(stats.lines_lost, LOST as u64 + 1, "{stats:?}");
    let expected: String = (0..LATER).map(|i| fixed_line(i) + "\n").collect();
    assert_eq!(
        String::from_utf8(out.lock().unwrap().clone()).unwrap(),
        expected
    );
}

/// A sink failing with `ErrorKind::Other`.
#[test]
fn sink_always_failing_with_other() {
    failing_sink(io::ErrorKind::Other);
}

/// A sink failing with `ErrorKind::BrokenPipe` (a closed pipe).
#[test]
fn sink_always_failing_with_broken_pipe() {
    failing_sink(io::ErrorKind::BrokenPipe);
}

/// A sink that takes 377.4 lines' worth of bytes and then fails: the 377
/// complete lines count as written, the rest as lost, and the sink holds
/// exactly the bytes it accepted.
fn partial_sink(max_write: usize) {
    const LINES: usize = 1_000;
    const LINE_BYTES: usize = 12;
    const COMPLETE: usize = 377;
    let budget = COMPLETE * LINE_BYTES + 5;
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = Logger::builder()
        .sink(PartialSink {
            budget,
            max_write,
            out: out.clone(),
        })
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();
    for i in 0..LINES {
        logger.log(fixed_line(i));
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.dropped, 0, "{stats:?}");
    assert_eq!(stats.written, COMPLETE as u64, "{stats:?}");
    assert_eq!(stats.lines_lost, (LINES - COMPLETE) as u64, "{stats:?}");
    assert_eq!(stats.written + stats.lines_lost, LINES as u64);
    assert!(stats.sink_errors >= 1, "{stats:?}");
    let expected: String = (0..LINES).map(|i| fixed_line(i) + "\n").collect();
    assert_eq!(
        out.lock().unwrap().as_slice(),
        &expected.as_bytes()[..budget]
    );

    // Nothing panicked and the logger still takes lines (lost to the
    // still-failing sink).
    logger.log("more");
    logger.flush();
    assert_eq!(logger.stats().lines_lost, (LINES - COMPLETE) as u64 + 1);
}

/// The sink takes whole batches until its budget runs out mid-batch.
#[test]
fn sink_failing_partway() {
    partial_sink(usize::MAX);
}

/// The same, with a sink that also makes short writes (7 bytes at most per
/// call), which the writer must continue where they stopped.
#[test]
fn sink_failing_partway_after_short_writes() {
    partial_sink(7);
}

/// Short writes alone lose nothing.
#[test]
fn short_writes_lose_nothing() {
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = Logger::builder()
        .sink(PartialSink {
            budget: usize::MAX,
            max_write: 5,
            out: out.clone(),
        })
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();
    for i in 0..1_000 {
        logger.log(fixed_line(i));
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(
        (stats.written, stats.lines_lost, stats.sink_errors),
        (1_000, 0, 0)
    );
    let expected: String = (0..1_000).map(|i| fixed_line(i) + "\n").collect();
    assert_eq!(
        String::from_utf8(out.lock().unwrap().clone()).unwrap(),
        expected
    );
}

/// A disk fills up partway through a line, then has room again: the line
/// written after the recovery starts on its own line, not glued to the
/// fragment of the lost one; the fragment (which llt cannot take back from
/// a plain `Write`) stays alone on its line; and the counters add up.
#[test]
fn a_sink_that_recovers_gets_no_line_glued_to_a_fragment() {
    const BEFORE: usize = 1_000;
    const FIT: usize = 377;
    const AFTER: usize = 300;
    let disk = FillingDisk::new(FIT, 7);
    let logger = Logger::builder()
        .sink(disk.clone())
        .format(LineFormat::MessageOnly)
        .report_drops(false)
        .build()
        .unwrap();
    for i in 0..BEFORE {
        logger.log(format!("full {i:06}"));
    }
    logger.flush();
    // Still full: another batch, lost whole.
    logger.log("lost while full");
    logger.flush();
    disk.free();
    for i in 0..AFTER {
        logger.log(format!("freed {i:06}"));
    }
    logger.flush();
    let stats = logger.stats();
    drop(logger);

    let logged = (BEFORE + 1 + AFTER) as u64;
    assert_eq!(
        stats.written + stats.dropped + stats.lines_lost,
        logged,
        "{stats:?}"
    );
    assert_eq!(stats.dropped, 0, "{stats:?}");
    assert_eq!(stats.written, (FIT + AFTER) as u64, "{stats:?}");
    assert!(stats.sink_errors >= 2, "{stats:?}");

    let text = disk.contents();
    assert!(text.ends_with('\n'), "the output ends with a whole line");
    let lines: Vec<&str> = text.lines().collect();
    // Whole lines, then the lost line's first 7 bytes alone on a line, then
    // the lines written after the recovery.
    let want: Vec<String> = (0..FIT)
        .map(|i| format!("full {i:06}"))
        .chain(std::iter::once(format!("full {FIT:06}")[..7].to_owned()))
        .chain((0..AFTER).map(|i| format!("freed {i:06}")))
        .collect();
    if let Some(i) = (0..lines.len().min(want.len())).find(|&i| lines[i] != want[i]) {
        panic!(
            "line {i} is {:?}, expected {:?} (lines around it: {:?})",
            lines[i],
            want[i],
            &lines[i.saturating_sub(2)..(i + 3).min(lines.len())]
        );
    }
    assert_eq!(lines.len(), want.len());
}

/// The writer is stuck inside the sink's first write (held by a channel,
/// not a timer). A producer thread logs 100,000 lines meanwhile: its loop
/// finishes (lines that do not fit are dropped, not waited for), exactly a
/// ring's worth fits, and once the sink is released the counters add up.
#[test]
fn stuck_sink_never_blocks_producers() {
    const LINES: u64 = 100_000;
    // Capacity 64 = a 4096-byte ring; `m0000000` is an 8-byte message, a
    // 24-byte record, a 32-byte frame: exactly 128 fit in an empty ring.
    const FIT: u64 = 4096 / 32;
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = Logger::builder()
        .capacity(64)
        .sink(GateSink {
            entered: Some(entered_tx),
            release: Some(release_rx),
            out: out.clone(),
        })
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();

    logger.log("first");
    entered_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the writer should reach the sink");

    let (done_tx, done_rx) = mpsc::channel();
    let producer = {
        let logger = logger.clone();
        thread::spawn(move || {
            let mut line = String::with_capacity(8);
            for i in 0..LINES {
                line.clear();
                line.push('m');
                let digits = i.to_string();
                for _ in digits.len()..7 {
                    line.push('0');
                }
                line.push_str(&digits);
                logger.log_str(Level::Info, &line);
            }
            done_tx.send(()).unwrap();
        })
    };
    // A timeout here means the producer blocked on the stuck writer (a
    // generous bound, only to turn a hang into a failure).
    let finished = done_rx.recv_timeout(Duration::from_secs(60));
    let dropped_while_stuck = logger.get_dropped_count();
    release_tx.send(()).unwrap();
    assert!(
        finished.is_ok(),
        "the producer's loop did not finish while the sink was stuck"
    );
    producer.join().unwrap();
    assert_eq!(
        dropped_while_stuck,
        LINES - FIT,
        "everything beyond one ring's worth is dropped"
    );

    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.dropped, LINES - FIT, "{stats:?}");
    assert_eq!(stats.written, 1 + FIT, "{stats:?}");
    assert_eq!(stats.lines_lost, 0, "{stats:?}");
    assert_eq!(stats.written + stats.dropped, 1 + LINES);

    let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    let (lines, reported) = split_reports(&text);
    assert_eq!(reported, stats.dropped, "the drop reports add up");
    let expected: Vec<String> = std::iter::once("first".to_string())
        .chain((0..FIT).map(|i| format!("m{i:07}")))
        .collect();
    assert_eq!(
        lines, expected,
        "the first ring's worth is what was written"
    );
}

/// Capacity 0 and MAX_CAPACITY + 1 are refused with the matching variant
/// and a message that names the numbers; both ends of the range build.
#[test]
fn invalid_capacities_are_refused() {
    assert_eq!(
        MAX_CAPACITY, 16_777_216,
        "16 Mi messages of 64 bytes: 1 GiB"
    );

    let err = Logger::builder().capacity(0).build().unwrap_err();
    assert!(matches!(err, BuildError::ZeroCapacity), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("at least 1 message"), "{msg}");
    assert!(msg.contains("64 bytes"), "{msg}");

    let err = Logger::builder()
        .capacity(MAX_CAPACITY + 1)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::CapacityTooLarge { requested, max }
                if requested == MAX_CAPACITY + 1 && max == MAX_CAPACITY
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("16777217"), "{msg}");
    assert!(msg.contains("16777216"), "{msg}");
    assert!(std::error::Error::source(&err).is_none());

    let err = Logger::builder().capacity(usize::MAX).build().unwrap_err();
    assert!(matches!(
        err,
        BuildError::CapacityTooLarge {
            requested: usize::MAX,
            ..
        }
    ));

    // The valid extremes build (no ring is allocated until a thread logs).
    let one = Logger::builder().capacity(1).sink(io::sink()).build();
    assert!(one.is_ok());
    let max = Logger::builder()
        .capacity(MAX_CAPACITY)
        .sink(io::sink())
        .build();
    assert!(max.is_ok());
}

/// `Logger::new(0)` panics with the builder's message.
#[test]
#[should_panic(expected = "logger capacity must be at least 1 message")]
fn new_with_zero_capacity_panics() {
    let _ = Logger::new(0);
}

/// `Logger::new(MAX_CAPACITY + 1)` panics with the builder's message.
#[test]
#[should_panic(
    expected = "logger capacity 16777217 is too large: the maximum is 16777216 messages"
)]
fn new_with_too_large_capacity_panics() {
    let _ = Logger::new(MAX_CAPACITY + 1);
}

/// Pinning to a core that does not exist is not an error: the writer says
/// so once on stderr and runs unpinned; logging works.
#[test]
fn pinning_to_a_missing_core_still_logs() {
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = Logger::builder()
        .pin_to_core(9999)
        .sink(SwitchSink {
            failing: Arc::new(AtomicBool::new(false)),
            kind: io::ErrorKind::Other,
            out: out.clone(),
        })
        .format(LineFormat::MessageOnly)
        .build()
        .expect("a missing core is not a build error");
    for i in 0..100 {
        logger.log(fixed_line(i));
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(
        (stats.written, stats.dropped, stats.sink_errors),
        (100, 0, 0)
    );
    let expected: String = (0..100).map(|i| fixed_line(i) + "\n").collect();
    assert_eq!(
        String::from_utf8(out.lock().unwrap().clone()).unwrap(),
        expected
    );
}

/// A sink that panics.
struct PanickingSink;

impl Write for PanickingSink {
    fn write(&mut self, _buf: &[u8]) -> io::Result<usize> {
        panic!("test sink panics on purpose");
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A sink that panics is treated like one that fails: the writer catches
/// the panic, counts the lines as lost and the call as a sink error, and
/// keeps draining the rings; `flush` and dropping the logger return.
#[test]
fn panicking_sink_counts_lines_lost_and_the_writer_survives() {
    let logger = Logger::builder()
        .capacity(1)
        .sink(PanickingSink)
        .format(LineFormat::MessageOnly)
        .report_drops(false)
        .build()
        .unwrap();
    logger.log("boom");
    assert!(
        logger.flush_timeout(Duration::from_secs(30)),
        "the writer is alive"
    );
    let mut logged = 1;
    for i in 0..1_000 {
        logger.log(fixed_line(i));
        logged += 1;
        if i % 100 == 0 {
            // Let the writer drain so that lines are not only dropped.
            logger.flush();
        }
    }
    assert!(logger.flush_timeout(Duration::from_secs(30)));
    let stats = logger.stats();
    assert_eq!(stats.written, 0, "{stats:?}");
    assert!(stats.sink_errors >= 1, "{stats:?}");
    assert!(
        stats.lines_lost >= 11,
        "each flush lost its lines: {stats:?}"
    );
    assert_eq!(
        stats.lines_lost + stats.dropped,
        logged,
        "every line is counted: {stats:?}"
    );
    drop(logger);
}

/// `Logger::new` with a bad capacity panics at the caller's line, not
/// inside llt (`#[track_caller]`), with the builder's message.
#[test]
fn a_bad_capacity_panics_at_the_callers_line() {
    let location = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = location.clone();
    let this_thread = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Other tests' sinks panic on their writer threads meanwhile.
        if std::thread::current().id() == this_thread {
            let here = info.location().map(|l| (l.file().to_owned(), l.line()));
            *seen.lock().unwrap() = here;
        }
    }));
    let line = line!() + 1;
    let result = std::panic::catch_unwind(|| llt_runtime::Logger::new(0));
    std::panic::set_hook(previous);
    assert!(result.is_err(), "capacity 0 must panic");
    let (file, at) = location.lock().unwrap().clone().expect("a panic location");
    assert!(file.ends_with("faults.rs"), "panic points into {file}");
    assert_eq!(at, line);
}
