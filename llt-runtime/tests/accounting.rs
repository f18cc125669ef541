//! Accounting under overload: every line a producer logs is either written
//! to the sink, byte for byte and in program order, or counted as dropped.
//! Nothing is lost silently and nothing is invented.

use std::io::{self, Write};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use llt_runtime::{Level, LineFormat, Logger};

/// Producer threads in the stress tests.
const THREADS: usize = 4;

/// Lines each producer logs: 1,000,000 in release builds; 250,000 in debug
/// builds, where the unoptimised writer would otherwise make the file take
/// far longer than the ~20 s budget.
const PER_THREAD: u64 = if cfg!(debug_assertions) {
    250_000
} else {
    1_000_000
};

/// Ring size of the stress loggers, in messages: 64 × 64 bytes = a 4 KiB
/// ring, which a producer fills in a few microseconds.
const SMALL_CAPACITY: usize = 64;

/// Text of the writer's drop report, around the number.
const REPORT_PREFIX: &str = "llt: ";
const REPORT_SUFFIX: &str = " messages dropped since the last report";

/// A sink appending to a shared buffer, which sleeps after every
/// `pause_every` writes, so that the small rings overflow.
struct SlowSink {
    out: Arc<Mutex<Vec<u8>>>,
    writes: u64,
    pause_every: u64,
    pause: Duration,
}

impl Write for SlowSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writes += 1;
        if self.writes.is_multiple_of(self.pause_every) {
            thread::sleep(self.pause);
        }
        self.out.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A sink appending to a shared buffer, as fast as it can.
#[derive(Clone, Default)]
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

/// Payload length of line `seq` of thread `thread`: 0 ..= 60 bytes.
fn payload_len(thread: usize, seq: u64) -> usize {
    ((seq.wrapping_mul(31) + thread as u64 * 7) % 61) as usize
}

/// Byte `i` of that payload: printable ASCII without the space.
fn payload_byte(thread: usize, seq: u64, i: usize) -> u8 {
    b'!' + ((seq.wrapping_mul(7) + i as u64 * 13 + thread as u64 * 5) % 94) as u8
}

/// Appends `n` in decimal without allocating (the buffer has room).
fn push_u64(buf: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.push_str(std::str::from_utf8(&digits[at..]).unwrap());
}

/// Builds line `seq` of thread `thread` into `buf`:
/// `t{thread} {seq} {payload}`.
fn build_line(buf: &mut String, thread: usize, seq: u64) {
    buf.clear();
    buf.push('t');
    push_u64(buf, thread as u64);
    buf.push(' ');
    push_u64(buf, seq);
    buf.push(' ');
    for i in 0..payload_len(thread, seq) {
        buf.push(char::from(payload_byte(thread, seq, i)));
    }
}

/// What the sink of a stress run contained.
#[derive(Debug, Default)]
struct Parsed {
    /// User lines, all checked byte for byte.
    lines: u64,
    /// User lines per thread.
    per_thread: [u64; THREADS],
    /// Drop report lines.
    reports: u64,
    /// Sum of the numbers in the drop report lines.
    reported_drops: u64,
}

/// Parses and checks a stress run's output: every user line is exactly what
/// its producer built, and each thread's sequence numbers strictly increase.
fn parse_and_check(out: &[u8]) -> Parsed {
    let text = std::str::from_utf8(out).expect("the sink holds UTF-8");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the output ends with a complete line"
    );
    let mut parsed = Parsed::default();
    let mut last_seq: [Option<u64>; THREADS] = [None; THREADS];
    let mut expected = String::with_capacity(128);
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(REPORT_PREFIX) {
            let number = rest
                .strip_suffix(REPORT_SUFFIX)
                .unwrap_or_else(|| panic!("malformed report line {line:?}"));
            let n: u64 = number
                .parse()
                .unwrap_or_else(|_| panic!("malformed report line {line:?}"));
            assert!(n > 0, "a report line reports at least one drop: {line:?}");
            parsed.reports += 1;
            parsed.reported_drops += n;
            continue;
        }
        let (thread, rest) = line
            .strip_prefix('t')
            .and_then(|l| l.split_once(' '))
            .unwrap_or_else(|| panic!("malformed line {line:?}"));
        let (seq, _payload) = rest
            .split_once(' ')
            .unwrap_or_else(|| panic!("malformed line {line:?}"));
        let thread: usize = thread
            .parse()
            .unwrap_or_else(|_| panic!("bad thread in {line:?}"));
        let seq: u64 = seq
            .parse()
            .unwrap_or_else(|_| panic!("bad sequence number in {line:?}"));
        assert!(thread < THREADS, "unknown thread in {line:?}");
        assert!(seq < PER_THREAD, "sequence number out of range in {line:?}");
        build_line(&mut expected, thread, seq);
        assert_eq!(line, expected, "line content is not what was logged");
        if let Some(last) = last_seq[thread] {
            assert!(
                seq > last,
                "thread {thread}: line {seq} written after line {last}"
            );
        }
        last_seq[thread] = Some(seq);
        parsed.per_thread[thread] += 1;
        parsed.lines += 1;
    }
    parsed
}

/// Runs the overload scenario and checks that the books balance.
fn stress(report_drops: bool, yield_every: Option<u64>) {
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = Logger::builder()
        .capacity(SMALL_CAPACITY)
        .sink(SlowSink {
            out: out.clone(),
            writes: 0,
            pause_every: 4,
            pause: Duration::from_micros(200),
        })
        .format(LineFormat::MessageOnly)
        .report_drops(report_drops)
        .build()
        .unwrap();
    let start = Instant::now();
    let barrier = Arc::new(Barrier::new(THREADS));
    let producers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let logger = logger.clone();
            let barrier = barrier.clone();
            thread::spawn(move || {
                let mut line = String::with_capacity(128);
                barrier.wait();
                for seq in 0..PER_THREAD {
                    build_line(&mut line, thread, seq);
                    logger.log_str(Level::Info, &line);
                    if yield_every.is_some_and(|n| seq % n == n - 1) {
                        thread::yield_now();
                    }
                }
            })
        })
        .collect();
    for producer in producers {
        producer.join().unwrap();
    }
    let logged = Instant::now();
    logger.flush();
    let flushed = Instant::now();

    let stats = logger.stats();
    let out = std::mem::take(&mut *out.lock().unwrap());
    let parsed = parse_and_check(&out);
    let total = THREADS as u64 * PER_THREAD;
    println!(
        "report_drops={report_drops}, yield_every={yield_every:?}: logged {total}, written {}, dropped {}, per thread {:?}, \
         {} report lines; producers {:?}, flush {:?}, check {:?}",
        parsed.lines,
        stats.dropped,
        parsed.per_thread,
        parsed.reports,
        logged - start,
        flushed - logged,
        flushed.elapsed()
    );

    assert!(
        stats.dropped > 0,
        "the slow sink should have made the rings overflow: {stats:?}"
    );
    assert!(parsed.lines > 0, "some lines should have been written");
    assert_eq!(stats.dropped, logger.get_dropped_count());
    assert_eq!(
        parsed.lines + stats.dropped,
        total,
        "written + dropped must equal logged: {stats:?}"
    );
    assert_eq!(
        stats.written, parsed.lines,
        "stats().written must equal the lines in the sink"
    );
    assert_eq!(stats.lines_lost, 0, "{stats:?}");
    assert_eq!(stats.sink_errors, 0, "{stats:?}");
    assert_eq!(stats.format_errors, 0, "{stats:?}");
    if report_drops {
        assert!(parsed.reports > 0, "drops happened, so they are reported");
        assert_eq!(
            parsed.reported_drops, stats.dropped,
            "the report lines must add up to stats().dropped"
        );
    } else {
        assert_eq!(
            parsed.reports, 0,
            "report_drops(false) must write no report lines"
        );
    }
}

/// 4 threads × PER_THREAD lines through 4 KiB rings into a slow sink, drop
/// reports on: written + dropped == logged, content and order exact, and
/// the report lines add up to the dropped count.
#[test]
fn overload_with_drop_reports_accounts_for_every_line() {
    stress(true, None);
}

/// Same, with drop reports off: no report line appears in the sink.
#[test]
fn overload_without_drop_reports_accounts_for_every_line() {
    stress(false, None);
}

/// Same, with producers that yield the CPU every 16 lines, so that the
/// writer keeps up with a much larger share of the lines (more of them are
/// checked byte for byte, and the rings wrap around many more times).
#[test]
fn throttled_overload_accounts_for_every_line() {
    stress(true, Some(16));
}

/// A 10 KB record cannot fit a 64-byte ring: it is dropped and counted, and
/// the logger goes on working. Also pins down the size boundary of a
/// capacity-1 logger: 40 bytes of text fit (16-byte record header + 8-byte
/// frame header = one 64-byte message), 41 do not.
#[test]
fn record_larger_than_the_ring_is_dropped_and_counted() {
    let sink = SharedSink::default();
    let logger = Logger::builder()
        .capacity(1)
        .sink(sink.clone())
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();

    let huge = "x".repeat(10 * 1024);
    logger.log(huge.as_str());
    logger.log_str(Level::Info, &huge);
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.dropped, 2, "{stats:?}");
    assert_eq!(logger.get_dropped_count(), 2);
    assert_eq!(stats.written, 0, "{stats:?}");

    // Still working: a small line goes through.
    logger.log("after");
    logger.flush();
    let stats = logger.stats();
    assert_eq!((stats.written, stats.dropped), (1, 2), "{stats:?}");

    // The ring is empty after a flush; exactly 40 bytes of text fit.
    let fits = "f".repeat(40);
    let too_big = "g".repeat(41);
    logger.log_str(Level::Info, &fits);
    logger.flush();
    logger.log_str(Level::Info, &too_big);
    logger.flush();
    let stats = logger.stats();
    assert_eq!((stats.written, stats.dropped), (2, 3), "{stats:?}");
    assert_eq!(stats.lines_lost, 0);

    let out = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    let (reports, lines): (Vec<&str>, Vec<&str>) =
        out.lines().partition(|l| l.starts_with(REPORT_PREFIX));
    assert_eq!(
        lines,
        ["after", fits.as_str()],
        "only the lines that fit are written"
    );
    let reported: u64 = reports
        .iter()
        .map(|l| {
            l[REPORT_PREFIX.len()..]
                .strip_suffix(REPORT_SUFFIX)
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or_else(|| panic!("malformed report line {l:?}"))
        })
        .sum();
    assert_eq!(reported, 3, "the oversized records are reported as dropped");
}
