//! Fuzz-style robustness of the writer against `Display` impls: seeded
//! random rounds log, with `llt_log!` and its level variants, a `Copy` value
//! whose `Display` (run on the writer thread) randomly panics, panics with a
//! payload whose own `Drop` panics, returns `fmt::Error` after partial
//! output, or writes a very long text, into sinks that fail or panic, with
//! random capacities and idle policies. After `flush()`:
//! `written + dropped + lines_lost == logged`, and every failed `Display`
//! is counted in `format_errors` (its marker line counts as written).
//!
//! The sink and configuration side is fuzzed harder by
//! `llt-runtime/tests/writer_fuzz.rs`. To replay a failure:
//! `LLT_FUZZ_SEED=<seed> LLT_FUZZ_ROUNDS=<round + 1> cargo test --test writer_fuzz_display`.

use std::fmt;
use std::io::{self, Write};
use std::panic;
use std::thread;
use std::time::Duration;

use llt_rs::filter::Filter;
use llt_rs::{
    IdlePolicy, Level, LevelFilter, LineFormat, Logger, MemorySink, Stats, llt_debug, llt_log,
    llt_warn,
};

/// Overrides the seed of the random rounds.
const SEED_ENV: &str = "LLT_FUZZ_SEED";
/// Overrides the number of rounds.
const ROUNDS_ENV: &str = "LLT_FUZZ_ROUNDS";
/// The seed used when `LLT_FUZZ_SEED` is not set.
const DEFAULT_SEED: u64 = 0xd15b_1a70_5eed_0001;
/// Rounds by default: a few seconds in a debug build.
const ROUNDS: u64 = 80;
/// Only turns a hang into a failure.
const HANG_GUARD: Duration = Duration::from_secs(30);
/// What a failing `Display` writes before it fails: never in the output.
const PARTIAL: &str = "PARTIAL OUTPUT";
/// The start of the marker that replaces a line whose formatting failed.
const MARKER: &str = "<llt: formatting ";

#[path = "support/fuzz.rs"]
mod fuzz;

use fuzz::{Bomb, Rng, quiet_intentional_panics};

/// What a [`Moody`] value's `Display` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mood {
    Fine,
    Panics,
    PanicsWithBomb,
    Errs,
    /// Writes about 100 KB (more than the writer's batch).
    Long,
}

impl Mood {
    fn fails(self) -> bool {
        matches!(self, Mood::Panics | Mood::PanicsWithBomb | Mood::Errs)
    }
}

/// A value logged by copy, formatted on the writer thread.
#[derive(Debug, Clone, Copy)]
struct Moody {
    mood: Mood,
    n: u32,
}

impl fmt::Display for Moody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mood {
            Mood::Fine => write!(f, "fine {}", self.n),
            Mood::Panics => {
                f.write_str(PARTIAL)?;
                panic!("Moody's Display panics on purpose")
            }
            Mood::PanicsWithBomb => {
                f.write_str(PARTIAL)?;
                panic::panic_any(Bomb)
            }
            Mood::Errs => {
                f.write_str(PARTIAL)?;
                Err(fmt::Error)
            }
            Mood::Long => (0..10_000).try_for_each(|_| f.write_str("0123456789")),
        }
    }
}

/// A sink that fails, writes short or panics (also with a [`Bomb`]) on
/// `percent` % of its calls.
struct FlakySink {
    rng: Rng,
    percent: u64,
    out: MemorySink,
}

impl Write for FlakySink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.rng.percent(self.percent) {
            return self.out.write(buf);
        }
        match self.rng.below(4) {
            0 => Err(io::Error::other("the flaky sink fails on purpose")),
            1 => {
                let n = 1 + self.rng.below(buf.len().max(1) as u64) as usize;
                self.out.write(&buf[..n.min(buf.len())])
            }
            2 => panic!("the flaky sink panics on purpose"),
            _ => panic::panic_any(Bomb),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Everything random about one round.
#[derive(Debug, Clone)]
struct Round {
    capacity: usize,
    idle: IdlePolicy,
    format: LineFormat,
    level: LevelFilter,
    /// The sink misbehaves on this percentage of its calls.
    sink_faults: u64,
    threads: usize,
    lines_per_thread: usize,
}

fn random_duration(rng: &mut Rng) -> Duration {
    rng.pick(&[
        Duration::ZERO,
        Duration::from_micros(1),
        Duration::from_millis(2),
        Duration::from_secs(1),
        Duration::MAX,
    ])
}

impl Round {
    fn random(rng: &mut Rng) -> Round {
        let idle = if rng.percent(50) {
            IdlePolicy::default()
        } else {
            IdlePolicy {
                spins: rng.pick(&[0, 200, 10_000]),
                sleep: random_duration(rng),
                max_sleep: random_duration(rng),
                deep_sleep_after: random_duration(rng),
                deep_sleep: random_duration(rng),
            }
        };
        let some = 1 + rng.below(4096) as usize;
        Round {
            capacity: rng.pick(&[1, 4, 64, some]),
            idle,
            format: rng.pick(&[
                LineFormat::Default,
                LineFormat::MessageOnly,
                LineFormat::Json,
            ]),
            level: rng.pick(&[LevelFilter::Info, LevelFilter::Trace]),
            sink_faults: rng.pick(&[0, 0, 5, 50, 100]),
            threads: 1 + rng.below(3) as usize,
            lines_per_thread: rng.below(1000) as usize,
        }
    }
}

/// What a producer logged.
#[derive(Debug, Default, Clone, Copy)]
struct Logged {
    /// Lines the filter let through.
    lines: u64,
    /// Of those, lines with a `Display` that fails.
    failing: u64,
}

/// Logs `round.lines_per_thread` lines with random statements and moods.
fn produce(logger: &Logger, mut rng: Rng, round: &Round) -> Logged {
    let mut logged = Logged::default();
    let mut count = |level: Level, mood: Mood| {
        if logger.enabled_for(module_path!(), level) {
            logged.lines += 1;
            logged.failing += u64::from(mood.fails());
        }
    };
    for seq in 0..round.lines_per_thread {
        let mood = match rng.below(100) {
            0..=59 => Mood::Fine,
            60..=69 => Mood::Panics,
            70..=79 => Mood::PanicsWithBomb,
            80..=98 => Mood::Errs,
            _ => Mood::Long,
        };
        let value = Moody {
            mood,
            n: seq as u32,
        };
        match rng.below(4) {
            0 => {
                count(Level::Info, mood);
                llt_log!(logger, "moody {} line {}", value, seq);
            }
            1 => {
                count(Level::Warn, mood);
                llt_warn!(logger, "warned {:>8}", value);
            }
            2 => {
                count(Level::Debug, mood);
                llt_debug!(logger, "debug {} {:?}", value, seq);
            }
            _ => {
                count(Level::Info, Mood::Fine);
                llt_log!(logger, "plain line {}", seq);
            }
        }
    }
    logged
}

fn run_round(label: &str, round: &Round, rng: &mut Rng) {
    let out = MemorySink::new();
    let logger = Logger::builder()
        .capacity(round.capacity)
        .idle(round.idle)
        .format(round.format)
        .filter(Filter::from_level(round.level))
        .sink(FlakySink {
            rng: rng.split(),
            percent: round.sink_faults,
            out: out.clone(),
        })
        .build()
        .unwrap_or_else(|e| panic!("{label}: a valid configuration failed: {e}"));
    let producers: Vec<_> = (0..round.threads)
        .map(|_| {
            let (logger, rng, round) = (logger.clone(), rng.split(), round.clone());
            thread::spawn(move || produce(&logger, rng, &round))
        })
        .collect();
    let logged = producers
        .into_iter()
        .map(|p| p.join().expect("a producer panicked"))
        .fold(Logged::default(), |a, b| Logged {
            lines: a.lines + b.lines,
            failing: a.failing + b.failing,
        });
    assert!(
        logger.flush_timeout(HANG_GUARD),
        "{label}: flush() did not complete within {HANG_GUARD:?}; stats {:?}",
        logger.stats()
    );
    let stats = logger.stats();
    check(label, round, &stats, logged, &out);
}

fn check(label: &str, round: &Round, stats: &Stats, logged: Logged, out: &MemorySink) {
    assert_eq!(
        stats.written + stats.dropped + stats.lines_lost,
        logged.lines,
        "{label}: written + dropped + lines_lost != logged after flush(): {stats:?}"
    );
    // Every line read from a ring is formatted, whatever the sink does
    // with it; only dropped lines never reach a `Display`.
    if stats.dropped == 0 {
        assert_eq!(
            stats.format_errors, logged.failing,
            "{label}: {} failing Display impls logged: {stats:?}",
            logged.failing
        );
    } else {
        assert!(
            stats.format_errors <= logged.failing,
            "{label}: more format errors than failing Display impls ({}): {stats:?}",
            logged.failing
        );
    }
    let text = String::from_utf8_lossy(&out.contents()).into_owned();
    assert!(
        !text.contains(PARTIAL),
        "{label}: a failed Display's partial output reached the sink"
    );
    if round.sink_faults == 0 {
        let markers = text.lines().filter(|l| l.contains(MARKER)).count() as u64;
        assert_eq!(
            markers, stats.format_errors,
            "{label}: {markers} marker lines in the sink: {stats:?}"
        );
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|e| panic!("{name}={value:?} is not a number: {e}")),
    )
}

#[test]
fn failing_display_impls_are_counted_and_never_stop_the_writer() {
    quiet_intentional_panics();
    let seed = env_u64(SEED_ENV).unwrap_or(DEFAULT_SEED);
    let rounds = env_u64(ROUNDS_ENV).unwrap_or(ROUNDS);
    let mut rng = Rng::new(seed);
    for index in 0..rounds {
        let round = Round::random(&mut rng);
        let label = format!("seed {seed:#x} round {index} ({round:?})");
        run_round(&label, &round, &mut rng);
    }
}
