//! Fuzz-style robustness of the writer: seeded random rounds throw sinks
//! that fail, write short, panic (also with a payload whose own `Drop`
//! panics) and block, absurd idle policies and capacities, and lines of
//! every size at the writer, from several threads at once. Whatever
//! happens, once `flush()` says it is done, every line logged before it is
//! accounted for: `written + dropped + lines_lost == logged`.
//!
//! `Display` impls that misbehave are fuzzed by `tests/writer_fuzz_display.rs`
//! at the workspace root (they need `llt_log!`), and sinks or `Display`
//! impls that end the process by the child-process tests.
//!
//! A failure names its seed and round. To replay it:
//! `LLT_FUZZ_SEED=<seed> LLT_FUZZ_ROUNDS=<round + 1> cargo test -p llt-runtime --test writer_fuzz`.

use std::io::{self, Write};
use std::panic;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::Duration;

use llt_runtime::filter::Filter;
use llt_runtime::logger::{BYTES_PER_MESSAGE, MAX_CAPACITY};
use llt_runtime::{BuildError, IdlePolicy, Level, LevelFilter, LineFormat, Logger, MemorySink};

/// Overrides the seed of the random rounds.
const SEED_ENV: &str = "LLT_FUZZ_SEED";
/// Overrides the number of rounds.
const ROUNDS_ENV: &str = "LLT_FUZZ_ROUNDS";
/// The seed used when `LLT_FUZZ_SEED` is not set: fixed, so that a failure
/// in CI replays locally.
const DEFAULT_SEED: u64 = 0x11e7_f022_5eed_0001;
/// Rounds by default: about 5 s in a debug build on the 2-core VM.
const ROUNDS: u64 = 150;
/// Only turns a hang into a failure; no round comes near it.
const HANG_GUARD: Duration = Duration::from_secs(30);
/// Text of the writer's drop report, after the number.
const REPORT_SUFFIX: &str = " messages dropped since the last report";

#[path = "../../tests/support/fuzz.rs"]
mod fuzz;

use fuzz::{Bomb, Rng, quiet_intentional_panics};

// === The sink ===

/// What a sink call does instead of taking everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Returns an error.
    Error,
    /// Takes only the first bytes (at least one).
    Short,
    /// Returns `Ok(0)`.
    WriteZero,
    /// Returns `ErrorKind::Interrupted` (the writer retries the call).
    Interrupted,
    /// Panics with a message.
    Panic,
    /// Panics with a [`Bomb`].
    PanicBomb,
    /// Blocks until the test releases it, then takes everything.
    Block,
}

const FAULTS: [Fault; 7] = [
    Fault::Error,
    Fault::Short,
    Fault::WriteZero,
    Fault::Interrupted,
    Fault::Panic,
    Fault::PanicBomb,
    Fault::Block,
];

/// How a round's sink misbehaves: each call (`write` and `flush`) draws one
/// of `faults` with probability `percent` %, else succeeds.
#[derive(Debug, Clone)]
struct SinkProfile {
    faults: Vec<Fault>,
    percent: u64,
}

impl SinkProfile {
    fn healthy() -> SinkProfile {
        SinkProfile {
            faults: Vec::new(),
            percent: 0,
        }
    }

    fn always(fault: Fault) -> SinkProfile {
        SinkProfile {
            faults: vec![fault],
            percent: 100,
        }
    }

    fn random(rng: &mut Rng) -> SinkProfile {
        if rng.percent(25) {
            return SinkProfile::healthy();
        }
        let faults: Vec<Fault> = FAULTS.iter().copied().filter(|_| rng.percent(40)).collect();
        let percent = if faults.is_empty() {
            0
        } else {
            rng.pick(&[1, 5, 20, 50, 90, 100])
        };
        SinkProfile { faults, percent }
    }

    fn is_healthy(&self) -> bool {
        self.percent == 0
    }
}

/// What the round's threads tell its main thread.
enum Event {
    /// The sink is blocked until the main thread sends a token on the gate
    /// (or drops it).
    SinkBlocked,
    /// A producer has logged all its lines.
    ProducerDone,
}

/// A sink that misbehaves as its profile says and keeps what it takes.
struct FuzzSink {
    profile: SinkProfile,
    rng: Rng,
    /// The previous call returned `Interrupted`: a sink interrupted forever
    /// is stuck, not faulty, so it is never interrupted twice in a row.
    interrupted: bool,
    out: MemorySink,
    events: Sender<Event>,
    gate: Receiver<()>,
}

impl FuzzSink {
    fn draw(&mut self) -> Option<Fault> {
        if !self.rng.percent(self.profile.percent) {
            self.interrupted = false;
            return None;
        }
        let fault = self.rng.pick(&self.profile.faults);
        let again = fault == Fault::Interrupted && self.interrupted;
        self.interrupted = fault == Fault::Interrupted && !again;
        (!again).then_some(fault)
    }

    fn block(&mut self) {
        let _ = self.events.send(Event::SinkBlocked);
        // Returns on a token, or at once once the test dropped the gate.
        let _ = self.gate.recv();
    }
}

impl Write for FuzzSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.draw() {
            None => self.out.write(buf),
            Some(Fault::Error) => Err(io::Error::other("the fuzz sink fails on purpose")),
            Some(Fault::Short) => {
                let n = 1 + self.rng.below(buf.len().max(1) as u64) as usize;
                self.out.write(&buf[..n.min(buf.len())])
            }
            Some(Fault::WriteZero) => Ok(0),
            Some(Fault::Interrupted) => Err(io::ErrorKind::Interrupted.into()),
            Some(Fault::Panic) => panic!("the fuzz sink panics on purpose"),
            Some(Fault::PanicBomb) => panic::panic_any(Bomb),
            Some(Fault::Block) => {
                self.block();
                self.out.write(buf)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.draw() {
            None | Some(Fault::Short | Fault::WriteZero | Fault::Interrupted) => Ok(()),
            Some(Fault::Error) => Err(io::Error::other("the fuzz sink fails to flush on purpose")),
            Some(Fault::Panic) => panic!("the fuzz sink's flush panics on purpose"),
            Some(Fault::PanicBomb) => panic::panic_any(Bomb),
            Some(Fault::Block) => {
                self.block();
                Ok(())
            }
        }
    }
}

// === A round ===

/// Everything random about one round.
#[derive(Debug, Clone)]
struct Round {
    capacity: usize,
    idle: IdlePolicy,
    format: LineFormat,
    level: LevelFilter,
    report_drops: bool,
    sink: SinkProfile,
    threads: usize,
    lines_per_thread: usize,
    /// A thread flushes over and over while the producers log.
    concurrent_flushes: bool,
}

const LEVELS: [Level; 5] = [
    Level::Error,
    Level::Warn,
    Level::Info,
    Level::Debug,
    Level::Trace,
];

fn random_duration(rng: &mut Rng) -> Duration {
    match rng.below(8) {
        0 => Duration::ZERO,
        1 => Duration::from_nanos(1),
        2 => Duration::from_micros(1 + rng.below(50)),
        3 => Duration::from_micros(rng.below(5_000)),
        4 => Duration::from_millis(rng.below(200)),
        5 => Duration::from_secs(1),
        6 => Duration::from_secs(3600 * 24),
        _ => Duration::MAX,
    }
}

fn random_idle(rng: &mut Rng) -> IdlePolicy {
    if rng.percent(20) {
        return IdlePolicy::default();
    }
    let some = rng.below(100_000) as u32;
    IdlePolicy {
        // `u32::MAX` spins: the writer busy-spins for the whole round.
        spins: rng.pick(&[0, 1, 200, some, u32::MAX]),
        sleep: random_duration(rng),
        max_sleep: random_duration(rng),
        deep_sleep_after: random_duration(rng),
        deep_sleep: random_duration(rng),
    }
}

impl Round {
    fn random(rng: &mut Rng) -> Round {
        let capacity = match rng.below(4) {
            0 => 1 + rng.below(8) as usize,
            1 => 1 + rng.below(64) as usize,
            _ => 1 + rng.below(4096) as usize,
        };
        let idle = random_idle(rng);
        // A writer spinning forever takes a whole core: keep its rounds small.
        let max_lines = if idle.spins == u32::MAX { 200 } else { 1500 };
        Round {
            capacity,
            idle,
            format: rng.pick(&[
                LineFormat::Default,
                LineFormat::MessageOnly,
                LineFormat::Json,
            ]),
            level: rng.pick(&[LevelFilter::Info, LevelFilter::Trace, LevelFilter::Off]),
            report_drops: rng.percent(70),
            sink: SinkProfile::random(rng),
            threads: 1 + rng.below(4) as usize,
            lines_per_thread: rng.below(max_lines) as usize,
            concurrent_flushes: rng.percent(30),
        }
    }

    /// A round whose sink always does `fault`: none of them may stop the
    /// writer or make `flush` hang.
    fn always(fault: Fault) -> Round {
        Round {
            capacity: 64,
            idle: IdlePolicy::default(),
            format: LineFormat::MessageOnly,
            level: LevelFilter::Info,
            report_drops: true,
            sink: SinkProfile::always(fault),
            threads: 2,
            lines_per_thread: 300,
            concurrent_flushes: false,
        }
    }
}

/// A message with the producer's and the line's number in it (`|t1|n42|`),
/// then padding of a random length: mostly short, sometimes long, and now
/// and then larger than the whole ring (dropped as too large). The padding
/// has characters JSON must escape, but no line break.
fn message(rng: &mut Rng, thread: usize, seq: usize, capacity: usize) -> String {
    const PADDING: [&str; 8] = ["a", "bc", " ", "\"", "\\", "\t", "é", "\u{1}"];
    let mut text = format!("|t{thread}|n{seq}|");
    let len = match rng.below(100) {
        0 if capacity <= 256 => capacity * BYTES_PER_MESSAGE * 2 + 1,
        1..=10 => rng.below(2_000) as usize,
        _ => rng.below(60) as usize,
    };
    while text.len() < len {
        text.push_str(rng.pick(&PADDING));
    }
    text
}

/// One producer: logs its lines, counting the ones its logger's filter
/// lets through in `logged` as it goes.
fn produce(
    logger: Logger,
    mut rng: Rng,
    thread: usize,
    round: &Round,
    logged: &AtomicU64,
    events: Sender<Event>,
) {
    let mut count = 0;
    for seq in 0..round.lines_per_thread {
        let level = rng.pick(&LEVELS);
        let text = message(&mut rng, thread, seq, round.capacity);
        if level == Level::Info && rng.percent(50) {
            count += u64::from(logger.enabled(Level::Info));
            logger.log(text);
        } else {
            count += u64::from(logger.enabled(level));
            logger.log_str(level, &text);
        }
        // Release: the log calls above happen before whatever a thread that
        // reads this count with Acquire does next (its flush).
        logged.store(count, Release);
        if rng.percent(1) {
            thread::yield_now();
        }
    }
    let _ = events.send(Event::ProducerDone);
}

/// Lines logged so far by all producers (as far as they have published).
fn logged_total(logged: &[AtomicU64]) -> u64 {
    // Acquire: pairs with the producers' Release stores, so the lines
    // counted were logged before this thread's next flush request.
    logged.iter().map(|count| count.load(Acquire)).sum()
}

/// Runs one round; panics (naming `label`) when an invariant breaks.
fn run_round(label: &str, round: &Round, rng: &mut Rng) {
    let out = MemorySink::new();
    let (events_tx, events) = mpsc::channel();
    let (gate, gate_rx) = mpsc::channel();
    let sink = FuzzSink {
        profile: round.sink.clone(),
        rng: rng.split(),
        interrupted: false,
        out: out.clone(),
        events: events_tx.clone(),
        gate: gate_rx,
    };
    let logger = Logger::builder()
        .capacity(round.capacity)
        .idle(round.idle)
        .format(round.format)
        .filter(Filter::from_level(round.level))
        .report_drops(round.report_drops)
        .sink(sink)
        .build()
        .unwrap_or_else(|e| panic!("{label}: a valid configuration failed: {e}"));
    let logged: Arc<[AtomicU64]> = (0..round.threads).map(|_| AtomicU64::new(0)).collect();

    let producers: Vec<_> = (0..round.threads)
        .map(|thread| {
            let (logger, rng, round) = (logger.clone(), rng.split(), round.clone());
            let (logged, events) = (logged.clone(), events_tx.clone());
            thread::spawn(move || produce(logger, rng, thread, &round, &logged[thread], events))
        })
        .collect();

    // While the producers log, flush again and again: each flush that
    // completes covers at least the lines counted before it was asked for.
    let stop_flushing = Arc::new(AtomicBool::new(false));
    let flusher = round.concurrent_flushes.then(|| {
        let (logger, logged, stop) = (logger.clone(), logged.clone(), stop_flushing.clone());
        let label = label.to_owned();
        thread::spawn(move || {
            while !stop.load(Relaxed) {
                let before = logged_total(&logged);
                assert!(
                    logger.flush_timeout(HANG_GUARD),
                    "{label}: a flush during logging did not complete within {HANG_GUARD:?}"
                );
                let stats = logger.stats();
                let accounted = stats.written + stats.dropped + stats.lines_lost;
                assert!(
                    accounted >= before,
                    "{label}: flush() returned with {before} lines logged but only {accounted} \
                     accounted for: {stats:?}"
                );
            }
        })
    });

    // Hold the sink's blocks for a random while: it stays blocked while
    // the producers log on (their rings fill up), until a later event.
    let mut done = 0;
    let mut held = 0;
    while done < round.threads {
        match events.recv_timeout(HANG_GUARD) {
            Ok(Event::SinkBlocked) => held += 1,
            Ok(Event::ProducerDone) => done += 1,
            Err(e) => panic!("{label}: no producer finished within {HANG_GUARD:?} ({e})"),
        }
        while held > 0 && rng.percent(50) {
            gate.send(()).expect("the sink is alive");
            held -= 1;
        }
    }
    // From here on the sink never blocks for long: dropping the gate ends
    // every block, present and future.
    stop_flushing.store(true, Relaxed);
    drop(gate);
    for producer in producers {
        producer.join().expect("a producer panicked");
    }
    if let Some(flusher) = flusher
        && let Err(payload) = flusher.join()
    {
        panic::resume_unwind(payload);
    }

    assert!(
        logger.flush_timeout(HANG_GUARD),
        "{label}: flush() did not complete within {HANG_GUARD:?}; stats {:?}",
        logger.stats()
    );
    let logged = logged_total(&logged);
    let stats = logger.stats();
    assert_eq!(
        stats.written + stats.dropped + stats.lines_lost,
        logged,
        "{label}: written + dropped + lines_lost != logged after flush(): {stats:?}"
    );
    let text = String::from_utf8_lossy(&out.contents()).into_owned();
    let newlines = text.matches('\n').count() as u64;
    assert!(
        newlines >= stats.written,
        "{label}: {} lines counted as written, but the sink took only {newlines} line ends",
        stats.written
    );
    if round.sink.is_healthy() {
        check_healthy_output(label, round, &text, &stats);
    }

    // The last handle's drop writes what is still queued.
    let last = "|main|last line|";
    logger.log_str(Level::Error, last);
    drop(logger);
    if round.sink.is_healthy() && round.level != LevelFilter::Off {
        let text = out.take_lines();
        assert!(
            text.last().is_some_and(|line| line.contains(last)),
            "{label}: the line logged just before the last handle was dropped is missing; \
             the sink ends with {:?}",
            text.last()
        );
    }
}

/// With a sink that takes everything, the output holds exactly the written
/// lines, each producer's in order, plus drop reports that add up to the
/// dropped count.
fn check_healthy_output(label: &str, round: &Round, text: &str, stats: &llt_runtime::Stats) {
    let mut user_lines = 0;
    let mut reported = 0;
    let mut next_seq = vec![0usize; round.threads];
    for line in text.lines() {
        if let Some(before) = line.strip_suffix(REPORT_SUFFIX).or_else(|| {
            line.strip_suffix("\"}")
                .and_then(|l| l.strip_suffix(REPORT_SUFFIX))
        }) {
            let number = before.rsplit_once(' ').map_or(before, |(_, n)| n);
            reported += number
                .parse::<u64>()
                .unwrap_or_else(|e| panic!("{label}: bad drop report {line:?}: {e}"));
            continue;
        }
        user_lines += 1;
        let (thread, seq) = parse_marker(line)
            .unwrap_or_else(|| panic!("{label}: unexpected line in the sink: {line:?}"));
        assert!(
            seq >= next_seq[thread],
            "{label}: thread {thread}'s line {seq} came after its line {}",
            next_seq[thread] - 1
        );
        next_seq[thread] = seq + 1;
    }
    assert_eq!(
        user_lines, stats.written,
        "{label}: the sink holds {user_lines} lines but {} are counted as written",
        stats.written
    );
    assert_eq!(stats.lines_lost, 0, "{label}: lines lost to a healthy sink");
    if round.report_drops {
        assert_eq!(
            reported, stats.dropped,
            "{label}: the drop reports add up to {reported}, the counter says {}",
            stats.dropped
        );
    } else {
        assert_eq!(reported, 0, "{label}: a drop report although they are off");
    }
}

/// The `(thread, line)` numbers of a line's `|t1|n42|` marker.
fn parse_marker(line: &str) -> Option<(usize, usize)> {
    let rest = &line[line.find("|t")? + 2..];
    let (thread, rest) = rest.split_once("|n")?;
    let (seq, _) = rest.split_once('|')?;
    Some((thread.parse().ok()?, seq.parse().ok()?))
}

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|e| panic!("{name}={value:?} is not a number: {e}")),
    )
}

// === The tests ===

/// The capacities outside `1 ..= MAX_CAPACITY` are errors, not panics.
#[test]
fn out_of_range_capacities_are_build_errors() {
    let zero = Logger::builder().capacity(0).sink(io::sink()).build();
    assert!(matches!(zero, Err(BuildError::ZeroCapacity)), "{zero:?}");
    for requested in [MAX_CAPACITY + 1, usize::MAX / 2, usize::MAX] {
        let result = Logger::builder()
            .capacity(requested)
            .sink(io::sink())
            .build();
        assert!(
            matches!(result, Err(BuildError::CapacityTooLarge { requested: r, max }) if r == requested && max == MAX_CAPACITY),
            "capacity {requested}: {result:?}"
        );
    }
}

/// Sinks that always fail the same way (errors, 1-byte writes, `Ok(0)`,
/// panics, panics whose payload panics when dropped), then random rounds.
#[test]
fn accounting_holds_whatever_the_sink_and_the_configuration() {
    quiet_intentional_panics();
    let seed = env_u64(SEED_ENV).unwrap_or(DEFAULT_SEED);
    let rounds = env_u64(ROUNDS_ENV).unwrap_or(ROUNDS);
    let mut rng = Rng::new(seed);
    for fault in [
        Fault::Error,
        Fault::Short,
        Fault::WriteZero,
        Fault::Panic,
        Fault::PanicBomb,
        Fault::Block,
    ] {
        let round = Round::always(fault);
        run_round(
            &format!("a sink that always does {fault:?}"),
            &round,
            &mut rng,
        );
    }
    for index in 0..rounds {
        let round = Round::random(&mut rng);
        let label = format!("seed {seed:#x} round {index} ({round:?})");
        run_round(&label, &round, &mut rng);
    }
}

/// The largest capacity builds, a thread's 1 GiB ring works without making
/// its 1 GiB spill area resident, and it is freed when the logger is
/// dropped.
#[test]
fn the_largest_capacity_works_and_its_ring_is_freed() {
    const SLACK: u64 = 64 << 20;
    let ring_bytes = (MAX_CAPACITY * BYTES_PER_MESSAGE) as u64;
    let before = resident_bytes();
    let out = MemorySink::new();
    let logger = Logger::builder()
        .capacity(MAX_CAPACITY)
        .format(LineFormat::MessageOnly)
        .filter(Filter::from_level(LevelFilter::Info))
        .sink(out.clone())
        .build()
        .expect("MAX_CAPACITY is a valid capacity");
    let handle = logger.clone();
    let during = thread::spawn(move || {
        handle.log("in the largest ring");
        resident_bytes()
    })
    .join()
    .unwrap();
    logger.flush();
    assert_eq!(out.take_lines(), ["in the largest ring"]);
    drop(logger);
    let after = resident_bytes();
    println!(
        "resident memory: {} MiB before, {} MiB with one {} MiB ring, {} MiB after",
        before >> 20,
        during >> 20,
        ring_bytes >> 20,
        after >> 20
    );
    // The buffer is twice the capacity, but its second half (the spill
    // area, see `ring`) is only touched by records that straddle the wrap
    // point: one short line must not make it resident.
    assert!(
        during <= before + ring_bytes + SLACK,
        "one line in a ring of {ring_bytes} bytes made the process grow from {before} to \
         {during} bytes: more than the ring's first half is resident"
    );
    assert!(
        after <= before + SLACK,
        "the ring was not freed: {before} bytes resident before, {after} after"
    );
}

/// The process's resident set size (`VmRSS` of `/proc/self/status`).
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a VmRSS line in /proc/self/status");
    kib << 10
}
