//! Reliability under overload with mixed statements: 8 threads log through
//! tiny rings into a deliberately slow sink, through both `llt_log!` (nine
//! statements with integers of several widths, `f64`, `f32`, `bool`, `char`,
//! `&str` of 0..200 bytes and `String` arguments) and `Logger::log` /
//! `Logger::log_str`.
//!
//! Every message is a pure function of `(thread, seq)`: a xorshift generator
//! seeded from the pair picks the statement and its argument values. The
//! checker recomputes each written line from the `t{thread} s{seq}` prefix
//! with std's `format!` and the same format string, and compares it byte for
//! byte. Then:
//!
//! * each thread's lines appear in program order (strictly increasing seq);
//! * the lines missing from a thread's sequence (its gaps) are its drops, and
//!   their sum is exactly `stats().dropped`: llt has no per-statement drop
//!   counter, so the gaps are the only per-thread, per-statement record of
//!   what was dropped (printed, not asserted against llt);
//! * written + dropped == logged, `stats().written` == the lines in the sink,
//!   and the drop-report lines add up to `stats().dropped`.
//!
//! `LLT_STRESS_SCALE` (a factor, default 1) scales the number of messages,
//! e.g. `0.1` under the sanitizers (`scripts/sanitize.sh`).

use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use llt_rs::filter::Filter;
use llt_rs::{Level, LevelFilter, LineFormat, Logger, llt_log};

/// Producer threads.
const THREADS: usize = 8;

/// Messages per thread at scale 1 (in debug builds; release logs 4× more).
const BASE_PER_THREAD: u64 = if cfg!(debug_assertions) {
    60_000
} else {
    240_000
};

/// Seed of every message's generator.
const SEED: u64 = 0x11c7_2026_5eed_0001;

/// Number of message kinds (statements); see [`emit`].
const KINDS: usize = 11;

/// Text of the writer's drop report, around the number.
const REPORT_PREFIX: &str = "llt: ";
const REPORT_SUFFIX: &str = " messages dropped since the last report";

/// Messages per thread: `BASE_PER_THREAD` × `LLT_STRESS_SCALE`, at least 100.
fn per_thread() -> u64 {
    let scale = std::env::var("LLT_STRESS_SCALE")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(1.0);
    ((BASE_PER_THREAD as f64 * scale) as u64).max(100)
}

/// SplitMix64's finaliser: spreads `(thread, seq)` over the seed space.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Marsaglia's xorshift64, seeded per message.
struct Rng(u64);

impl Rng {
    /// The generator of message `seq` of thread `thread`.
    fn for_message(thread: usize, seq: u64) -> Rng {
        let seed = splitmix64(SEED ^ ((thread as u64) << 48) ^ seq);
        Rng(seed | 1) // xorshift's state must not be 0
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform-ish in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A char that is never `'\n'` (lines are split on it). Mostly ASCII,
    /// with 2-, 3- and 4-byte UTF-8 and characters that `{:?}` escapes.
    fn char(&mut self) -> char {
        const SPECIAL: [char; 10] = ['é', '€', '😀', '\t', '"', '\\', '{', '}', '\'', '\u{7f}'];
        match self.below(8) {
            0 => SPECIAL[self.below(SPECIAL.len() as u64) as usize],
            1 => loop {
                // Any scalar value but the newline.
                if let Some(c) = char::from_u32(self.below(0x11_0000) as u32)
                    && c != '\n'
                {
                    break c;
                }
            },
            _ => char::from(b' ' + self.below(95) as u8),
        }
    }

    /// A string of `0 ..= max_bytes` bytes of UTF-8 without newlines.
    fn string(&mut self, max_bytes: u64) -> String {
        let target = self.below(max_bytes + 1) as usize;
        let mut s = String::with_capacity(target);
        loop {
            let c = self.char();
            if s.len() + c.len_utf8() > target {
                return s;
            }
            s.push(c);
        }
    }
}

/// Where [`emit`] sends a message: into the logger, or into the checker's
/// expected line.
enum Out<'a> {
    Log(&'a Logger),
    Expect(&'a mut String),
}

/// One statement: `llt_log!` for `Out::Log`, std's `write!` with the same
/// format string and arguments for `Out::Expect`.
macro_rules! emit {
    ($out:expr, $fmt:literal $(, $arg:expr)* $(,)?) => {
        match $out {
            Out::Log(logger) => llt_log!(logger, $fmt $(, $arg)*),
            Out::Expect(expected) => write!(expected, $fmt $(, $arg)*).unwrap(),
        }
    };
}

/// The kind (statement) of message `seq` of thread `thread`.
fn kind_of(thread: usize, seq: u64) -> usize {
    Rng::for_message(thread, seq).below(KINDS as u64) as usize
}

/// Logs (or writes the expected text of) message `seq` of `thread`. All the
/// generator calls happen before the statement, in the same order for both
/// destinations, so both see the same values.
fn emit(out: Out<'_>, thread: usize, seq: u64) {
    let mut rng = Rng::for_message(thread, seq);
    let kind = rng.below(KINDS as u64) as usize;
    let t = thread as u8;
    match kind {
        0 => {
            let (a, b, c) = (
                rng.next_u64() as u8,
                rng.next_u64() as i16,
                rng.next_u64() as u32,
            );
            let (d, e) = (
                rng.next_u64() as i64,
                (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64()),
            );
            emit!(
                out,
                "t{} s{} k0 u8={} i16={} u32={:#x} i64={} u128={}",
                t,
                seq,
                a,
                b,
                c,
                d,
                e
            );
        }
        1 => {
            // Any bit pattern: NaN, infinities, subnormals, negative zero.
            let x = f64::from_bits(rng.next_u64());
            let y = f64::from_bits(rng.next_u64()) as f32;
            emit!(
                out,
                "t{} s{} k1 f64={} {:e} {:>14.3} f32={:?}",
                t,
                seq,
                x,
                x,
                x,
                y
            );
        }
        2 => {
            let (flag, c, d) = (rng.below(2) == 1, rng.char(), rng.char());
            let n = rng.next_u64() as isize;
            emit!(
                out,
                "t{} s{} k2 bool={} char={} {:?} isize={:+}",
                t,
                seq,
                flag,
                c,
                d,
                n
            );
        }
        3 => {
            let s = rng.string(199);
            emit!(
                out,
                "t{} s{} k3 str=[{}] len={}",
                t,
                seq,
                s.as_str(),
                s.len()
            );
        }
        4 => {
            let (s, d) = (rng.string(199), rng.string(40));
            let n = rng.next_u64() as u16;
            emit!(
                out,
                "t{} s{} k4 string=[{}] dbg={:?} {}",
                t,
                seq,
                s,
                d.as_str(),
                n
            );
        }
        5 => {
            let (x, s) = (f64::from(rng.next_u64() as i32) / 7.0, rng.string(8));
            let (i, u) = (rng.next_u64() as i8, rng.next_u64() as usize);
            emit!(
                out,
                "t{} s{} k5 {:08.3} [{:^9}] {} {:x}",
                t,
                seq,
                x,
                s.as_str(),
                i,
                u
            );
        }
        6 => {
            // Two strings, one borrowed and one owned, around fixed-size values.
            let (a, b) = (rng.string(199), rng.string(199));
            let (u, flag) = (rng.next_u64(), rng.below(2) == 0);
            emit!(
                out,
                "t{} s{} k6 [{}] {} [{}] {}",
                t,
                seq,
                a.as_str(),
                u,
                b,
                flag
            );
        }
        7 => emit!(out, "t{} s{} k7 no more arguments", t, seq),
        8 => {
            let (w, c) = (rng.next_u64() as u32, rng.char());
            emit!(out, "t{} s{} k8 {:>10} {:<3}|", t, seq, w, c);
        }
        9 => {
            // The seed's API: an owned String formatted on this thread.
            let s = rng.string(199);
            let line = format!("t{t} s{seq} k9 owned [{s}] {}", rng.next_u64());
            match out {
                Out::Log(logger) => logger.log(line),
                Out::Expect(expected) => expected.push_str(&line),
            }
        }
        _ => {
            // A borrowed &str at another level (the line format hides it).
            let s = rng.string(199);
            let line = format!("t{t} s{seq} k10 log_str [{s}]");
            match out {
                Out::Log(logger) => logger.log_str(Level::Warn, &line),
                Out::Expect(expected) => expected.push_str(&line),
            }
        }
    }
}

/// A sink appending to a shared buffer that sleeps after every
/// `pause_every` writes, so that the tiny rings overflow.
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

/// What the checker found in the sink.
#[derive(Debug, Default)]
struct Checked {
    /// User lines, each equal byte for byte to its recomputed text.
    lines: u64,
    written_per_thread: [u64; THREADS],
    /// Gaps in each thread's sequence numbers.
    dropped_per_thread: [u64; THREADS],
    /// Gaps per statement kind (recomputed from the missing seqs).
    dropped_per_kind: [u64; KINDS],
    logged_per_kind: [u64; KINDS],
    reports: u64,
    reported_drops: u64,
}

/// Parses a `t{thread} s{seq} ` prefix.
fn parse_prefix(line: &str) -> Option<(usize, u64)> {
    let rest = line.strip_prefix('t')?;
    let (thread, rest) = rest.split_once(" s")?;
    let (seq, _) = rest.split_once(' ')?;
    Some((thread.parse().ok()?, seq.parse().ok()?))
}

/// Checks every line of `out` and counts the gaps.
fn check(out: &[u8], per_thread: u64) -> Checked {
    let text = std::str::from_utf8(out).expect("the sink holds UTF-8");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the output ends with a complete line"
    );
    let mut checked = Checked::default();
    let mut next_seq = [0u64; THREADS];
    let mut expected = String::with_capacity(512);
    let count_gap = |checked: &mut Checked, thread: usize, seqs: std::ops::Range<u64>| {
        for seq in seqs {
            checked.dropped_per_thread[thread] += 1;
            checked.dropped_per_kind[kind_of(thread, seq)] += 1;
        }
    };
    for line in text.split_terminator('\n') {
        if let Some(rest) = line.strip_prefix(REPORT_PREFIX) {
            let n: u64 = rest
                .strip_suffix(REPORT_SUFFIX)
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("malformed report line {line:?}"));
            assert!(n > 0, "a report reports at least one drop: {line:?}");
            checked.reports += 1;
            checked.reported_drops += n;
            continue;
        }
        let (thread, seq) =
            parse_prefix(line).unwrap_or_else(|| panic!("line without a prefix: {line:?}"));
        assert!(thread < THREADS, "unknown thread in {line:?}");
        assert!(seq < per_thread, "sequence number out of range in {line:?}");
        assert!(
            seq >= next_seq[thread],
            "thread {thread}: line {seq} written after line {} (or twice)",
            next_seq[thread] - 1
        );
        expected.clear();
        emit(Out::Expect(&mut expected), thread, seq);
        assert_eq!(line, expected, "line differs from what was logged");
        count_gap(&mut checked, thread, next_seq[thread]..seq);
        next_seq[thread] = seq + 1;
        checked.written_per_thread[thread] += 1;
        checked.lines += 1;
    }
    for (thread, next) in next_seq.into_iter().enumerate() {
        count_gap(&mut checked, thread, next..per_thread);
        for seq in 0..per_thread {
            checked.logged_per_kind[kind_of(thread, seq)] += 1;
        }
    }
    checked
}

/// Runs 8 producers through rings of `capacity` messages into a slow sink
/// and checks the books.
fn stress(capacity: usize, report_drops: bool) {
    let per_thread = per_thread();
    let out = Arc::new(Mutex::new(Vec::new()));
    let logger = Logger::builder()
        // Set in code: an `LLT_LOG` in the environment cannot filter lines.
        .filter(Filter::from_level(LevelFilter::Info))
        .capacity(capacity)
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
                barrier.wait();
                for seq in 0..per_thread {
                    emit(Out::Log(&logger), thread, seq);
                    // Every 32nd message (on average) lets the writer catch
                    // up a little, so that rings wrap many times.
                    if Rng::for_message(thread, !seq).below(32) == 0 {
                        thread::yield_now();
                    }
                }
            })
        })
        .collect();
    for producer in producers {
        producer.join().unwrap();
    }
    let produced = start.elapsed();
    logger.flush();
    let stats = logger.stats();
    let out = std::mem::take(&mut *out.lock().unwrap());
    let checked = check(&out, per_thread);
    let logged = THREADS as u64 * per_thread;
    let drop_percent = |kind: usize| {
        100.0 * checked.dropped_per_kind[kind] as f64 / checked.logged_per_kind[kind].max(1) as f64
    };
    println!(
        "capacity {capacity} ({} B ring), report_drops={report_drops}: logged {logged}, written {}, \
         dropped {} ({:.1}%), {} report lines; producers {produced:?}, total {:?}\n  \
         written per thread {:?}\n  dropped per thread {:?}\n  \
         dropped per statement (k0..k10, % of that statement's messages) {:?}",
        (capacity * 64).next_power_of_two(),
        checked.lines,
        stats.dropped,
        100.0 * stats.dropped as f64 / logged as f64,
        checked.reports,
        start.elapsed(),
        checked.written_per_thread,
        checked.dropped_per_thread,
        (0..KINDS)
            .map(|k| format!("{}={:.0}%", checked.dropped_per_kind[k], drop_percent(k)))
            .collect::<Vec<_>>(),
    );

    assert_eq!(
        checked.lines + stats.dropped,
        logged,
        "written + dropped must equal logged: {stats:?}"
    );
    assert_eq!(
        checked.dropped_per_thread.iter().sum::<u64>(),
        stats.dropped,
        "the gaps in the sequences are exactly the dropped lines: {stats:?}"
    );
    assert_eq!(stats.written, checked.lines, "{stats:?}");
    assert_eq!(stats.dropped, logger.get_dropped_count());
    assert_eq!(
        (stats.lines_lost, stats.sink_errors, stats.format_errors),
        (0, 0, 0),
        "{stats:?}"
    );
    assert!(stats.dropped > 0, "the rings should overflow: {stats:?}");
    assert!(checked.lines > 0, "some lines should be written: {stats:?}");
    for thread in 0..THREADS {
        assert_eq!(
            checked.written_per_thread[thread] + checked.dropped_per_thread[thread],
            per_thread,
            "thread {thread}"
        );
    }
    if report_drops {
        assert_eq!(
            checked.reported_drops, stats.dropped,
            "the report lines add up to stats().dropped"
        );
    } else {
        assert_eq!(checked.reports, 0, "report_drops(false) writes no reports");
    }
}

/// Rings of 8 messages (512 bytes): a 200-byte string fills half of one.
#[test]
fn eight_threads_mixed_statements_capacity_8() {
    stress(8, true);
}

/// Capacity 23 (not a power of two: rounded up to a 2 KiB ring), no drop
/// reports.
#[test]
fn eight_threads_mixed_statements_capacity_23_without_reports() {
    stress(23, false);
}

/// Rings of 64 messages (4 KiB).
#[test]
fn eight_threads_mixed_statements_capacity_64() {
    stress(64, true);
}

/// The generator is deterministic and the expected text is stable: the same
/// `(thread, seq)` always gives the same line, and different pairs give
/// different lines (the prefix alone guarantees it).
#[test]
fn messages_are_a_function_of_thread_and_seq() {
    let line = |thread, seq| {
        let mut s = String::new();
        emit(Out::Expect(&mut s), thread, seq);
        s
    };
    for (thread, seq) in [(0, 0), (3, 17), (7, 99_999)] {
        let first = line(thread, seq);
        assert_eq!(first, line(thread, seq));
        assert!(first.starts_with(&format!("t{thread} s{seq} k")), "{first}");
        assert!(!first.contains('\n'), "{first:?}");
    }
    // Every kind occurs among the first messages of a thread.
    let mut seen = [false; KINDS];
    for seq in 0..1_000 {
        seen[kind_of(0, seq)] = true;
    }
    assert_eq!(seen, [true; KINDS]);
}
