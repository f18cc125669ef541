//! Side-by-side measurement of llt and other Rust loggers.
//!
//! Every logger is wrapped in a [`Contender`] (see [`peers`]) and measured by
//! the same [`Harness`], in a process of its own (one bench binary per
//! logger, because several install process-global loggers). Each binary
//! prints its [`LoggerResults`] as one JSON line; `src/bin/report.rs` parses
//! the lines back into the same types and turns them into tables and a
//! chart. The messages are written once, in [`messages`]. The methods
//! are those of `docs/benchmarks.md`:
//!
//! * **per call** (NanoLog): timer cost measured first, then 100,000
//!   iterations of `t0; log; t1; spin 100-200 ns`; percentiles of
//!   `t1 - t0 - timer cost`; three such runs, each percentile the median
//!   of the three;
//! * **batch** (Quill): per producer thread, samples of `t0; 20 logs; t1`,
//!   recorded as `(t1 - t0 - timer cost) / 20`, spin 2.0-2.2 ms between
//!   samples; 1 and 2 producer threads;
//! * **throughput**: M messages back to back, time until everything is
//!   written (the logger's flush returns, or the last line shows up in the
//!   file for loggers without a blocking flush); the median of 3 runs;
//! * **guard**: after every phase, lines in the sink file + dropped must
//!   equal lines logged; a phase with drops is labelled so.
//!
//! The **floor** ([`floor`]) is measured in the same process, with the same
//! per-call method, before the logger is set up.

pub mod floor;
pub mod messages;
pub mod peers;
pub mod results;
pub mod timer;

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use crate::messages::{MESSAGES, Message, coordinator};
use crate::results::{
    Batch, DropCount, Extra, FloorResults, Guard, MessageResults, PerCall, Phase, RunSpread,
    Throughput, WriterResults,
};
pub use crate::results::{LoggerResults, Percentiles};
use crate::timer::{Clock, XorShift};

/// Iterations of the per-call method.
pub const PER_CALL_ITERS: u64 = 100_000;
/// Per-call runs per message; each percentile reported is the median of
/// the runs' values (a transient disturbance of the shared machine then
/// spoils one run, not the figure).
pub const PER_CALL_REPS: usize = 3;
/// Untimed warm-up iterations before each per-call run.
pub const PER_CALL_WARMUP: u64 = 10_000;
/// Throughput runs per message; the median is reported.
pub const THROUGHPUT_REPS: u64 = 3;
/// Log calls per batch sample (Quill's method).
pub const BATCH_CALLS: u64 = 20;

/// How long a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// 500 batch samples per thread, M = 200,000 for throughput.
    Quick,
    /// 10,000 batch samples per thread (the method's count), M = 500,000.
    Full,
}

/// Command-line options shared by every bench binary.
#[derive(Debug, Clone)]
pub struct Opts {
    /// Quick or full.
    pub mode: Mode,
    /// Only these messages (all when empty).
    pub only: Vec<String>,
    /// Skip the batch phases.
    pub no_batch: bool,
    /// Skip llt's writer-throughput phase.
    pub no_writer: bool,
    /// Keep the temporary directory (to look at the sink file).
    pub keep: bool,
}

impl Opts {
    /// Parses `--quick`, `--full`, `--only a,b`, `--no-batch`, `--no-writer`,
    /// `--keep`; ignores anything else (cargo passes `--bench`). Exits with
    /// status 2 when `--only` names a message that is not in [`MESSAGES`].
    pub fn from_args() -> Opts {
        let mut opts = Opts {
            mode: Mode::Quick,
            only: Vec::new(),
            no_batch: false,
            no_writer: false,
            keep: false,
        };
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            match a.as_str() {
                "--quick" => opts.mode = Mode::Quick,
                "--full" => opts.mode = Mode::Full,
                "--no-batch" => opts.no_batch = true,
                "--no-writer" => opts.no_writer = true,
                "--keep" => opts.keep = true,
                "--only" => {
                    if let Some(list) = args.next() {
                        opts.only = list.split(',').map(str::to_owned).collect();
                    }
                }
                _ => {}
            }
        }
        if let Some(unknown) = opts.only.iter().find(|o| messages::message(o).is_none()) {
            let names: Vec<&str> = MESSAGES.iter().map(|m| m.name).collect();
            eprintln!(
                "--only: no message is called {unknown:?}; the messages are {}",
                names.join(",")
            );
            std::process::exit(2);
        }
        opts
    }

    /// Batch samples per producer thread.
    pub fn batch_samples(&self) -> u64 {
        match self.mode {
            Mode::Quick => 500,
            Mode::Full => 10_000,
        }
    }

    /// M of the throughput phase.
    pub fn throughput_m(&self) -> u64 {
        match self.mode {
            Mode::Quick => 200_000,
            Mode::Full => 500_000,
        }
    }

    /// Whether message `name` is to be measured.
    pub fn selected(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == name)
    }
}

/// What a contender's `flush` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlushKind {
    /// Returned once everything logged before the call was written.
    Blocking,
    /// Only asked the logger to flush (or could not): the harness waits
    /// for the lines to show up in the sink file.
    Poll,
}

/// A logger under test, set up to write to the common sink file.
///
/// The log calls themselves are not part of the trait: each bench binary
/// passes closures that use the logger's own macros, so the format strings
/// stay compile-time literals and nothing dynamic sits on the measured path.
pub trait Contender: Sync {
    /// Short name ("llt", "tracing", ...).
    fn name(&self) -> &'static str;
    /// One line on how it is configured (buffer, overflow policy, sink).
    fn config(&self) -> String;
    /// Flushes what was logged so far (see [`FlushKind`]).
    fn flush(&self) -> FlushKind;
    /// Lines dropped so far, where the logger counts them.
    fn dropped(&self) -> Option<u64> {
        None
    }
    /// Buffer size in messages (for pre-faulting and notes).
    fn capacity_msgs(&self) -> u64;
    /// Messages logged in chunks (with a flush after each quarter of the
    /// capacity) before the first measurement, so that every page of the
    /// logger's buffer has been touched once.
    fn prefault_msgs(&self) -> u64 {
        2 * self.capacity_msgs()
    }
    /// Messages a new producer thread logs (in chunks, flushing) before its
    /// batch samples; only per-thread rings need more than a warm-up.
    fn thread_prefault_msgs(&self) -> u64 {
        1_000
    }
    /// Messages logged (in chunks of M/4, flushing) to the throughput
    /// logger before the first throughput run, when that is a logger of its
    /// own (llt) whose buffer has not been touched yet.
    fn throughput_prefault_msgs(&self, _m: u64) -> u64 {
        0
    }
    /// How many producer threads it supports (quicklog: 1).
    fn max_threads(&self) -> usize {
        2
    }
    /// Notes for the report (why a phase is missing, caveats).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Counts the lines of a file as it grows (reads only the new bytes).
#[derive(Debug)]
pub struct LineCounter {
    path: PathBuf,
    file: Option<File>,
    lines: u64,
    buf: Vec<u8>,
}

impl LineCounter {
    /// A counter for `path` (which may not exist yet).
    pub fn new(path: &Path) -> LineCounter {
        LineCounter {
            path: path.to_owned(),
            file: None,
            lines: 0,
            buf: vec![0; 1 << 20],
        }
    }

    /// Lines (newlines) in the file so far.
    pub fn count(&mut self) -> u64 {
        if self.file.is_none() {
            self.file = File::open(&self.path).ok();
        }
        if let Some(file) = &mut self.file {
            loop {
                match file.read(&mut self.buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        self.lines += self.buf[..n].iter().filter(|&&b| b == b'\n').count() as u64
                    }
                }
            }
        }
        self.lines
    }
}

/// The guard's check after a phase: lines in the sink + dropped == logged.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// Calls made so far (all phases).
    pub logged: u64,
    /// Lines in the sink file so far.
    pub lines: u64,
    /// Dropped so far (the logger's counter, or `logged - lines`).
    pub dropped: u64,
    /// Whether `dropped` is the logger's counter or inferred from the line
    /// count.
    pub drop_count: DropCount,
    /// When the last line was seen (or the blocking flush returned).
    pub done: Instant,
}

impl Check {
    /// Whether written + dropped == logged.
    pub fn ok(&self) -> bool {
        self.lines + self.dropped == self.logged
    }
}

/// Everything a bench binary needs before its logger is set up: options,
/// the calibrated timer, the floor, a temporary directory for the sink, and
/// stdout saved for the JSON line (one peer redirects fd 1 to the sink).
pub struct Run {
    /// Options from the command line.
    pub opts: Opts,
    /// The calibrated timer.
    pub clock: Clock,
    dir: PathBuf,
    out: File,
    floor: Floor,
    started: Instant,
}

impl Run {
    /// Parses the options, pins this thread to core 0, calibrates the timer
    /// and measures the floor. `name` is the logger's name.
    pub fn start(name: &'static str) -> Run {
        let started = Instant::now();
        let opts = Opts::from_args();
        pin_to_core(0);
        let out = {
            use std::os::fd::AsFd;
            let _ = std::io::stdout().flush();
            let fd = std::io::stdout().as_fd().try_clone_to_owned();
            File::from(fd.expect("duplicate stdout"))
        };
        let dir =
            std::env::temp_dir().join(format!("llt-bench-peers-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the sink directory");
        let clock = Clock::calibrate(Duration::from_millis(200));
        eprintln!(
            "[{name}] TSC {:.3} ticks/ns (step {:.1} ns), timer cost {:.1} ns, mode {:?}",
            clock.ticks_per_ns,
            clock.ns(clock.step as f64),
            clock.ns(clock.timer_cost),
            opts.mode
        );
        let floor = measure_floor(&clock);
        eprintln!(
            "[{name}] floor per call p50 {:.1} ns (mean<=p99 {:.2} ns), batch p50 {:.2} ns; \
             ordered floor (rdtscp) per call p50 {:.1} ns (mean<=p99 {:.2} ns)",
            floor.per_call.p50,
            floor.per_call.tmean,
            floor.batch.p50,
            floor.ordered_per_call.p50,
            floor.ordered_per_call.tmean
        );
        Run {
            opts,
            clock,
            dir,
            out,
            floor,
            started,
        }
    }

    /// The temporary directory of this run (removed at the end).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The common sink: `<dir>/sink.log`.
    pub fn sink_path(&self) -> PathBuf {
        self.dir.join("sink.log")
    }

    /// A harness for `contender`, whose lines go to `sink` (usually
    /// [`sink_path`](Self::sink_path)).
    pub fn harness<'c, C: Contender>(self, contender: &'c C, sink: &Path) -> Harness<'c, C> {
        let counter = LineCounter::new(sink);
        Harness {
            c: contender,
            run: self,
            counter,
            logged: 0,
            last: None,
            messages: Vec::new(),
            extra: Extra::default(),
            guard_failures: 0,
            prefaulted: false,
            prefaulted_tp: false,
            rng: XorShift::new(0x9E37_79B9_7F4A_7C15),
        }
    }
}

/// Pins the calling thread to core `id` (best effort).
pub fn pin_to_core(id: usize) {
    if let Some(core) = core_affinity::get_core_ids().and_then(|ids| ids.get(id).copied()) {
        core_affinity::set_for_current(core);
    }
}

/// Batch samples of the floor (fewer than the loggers': it is cheap and
/// stable, and every binary measures it).
const FLOOR_BATCH_SAMPLES: u64 = 500;

/// The floor with the per-call method, and with the batch method
/// (1 thread, [`FLOOR_BATCH_SAMPLES`] samples); and the ordered floor
/// (`rdtscp`) with the per-call method.
struct Floor {
    per_call: Percentiles,
    batch: Percentiles,
    ordered_per_call: Percentiles,
    full: u64,
}

fn measure_floor(clock: &Clock) -> Floor {
    let mut ring = floor::FloorRing::new();
    let per_call = floor_per_call(clock, &mut ring);
    let mut rng = XorShift::new(11);
    let mut samples = Vec::with_capacity(FLOOR_BATCH_SAMPLES as usize);
    let (lo, hi) = (clock.ticks(2_000_000.0), clock.ticks(2_200_000.0));
    for s in 0..FLOOR_BATCH_SAMPLES {
        let spin = rng.range(lo, hi);
        let k0 = s * BATCH_CALLS;
        let t0 = timer::start();
        for k in k0..k0 + BATCH_CALLS {
            ring.push(k, (k as f64 * 1.5).to_bits());
        }
        let t1 = timer::end();
        samples.push(t1.wrapping_sub(t0));
        clock.spin(spin);
    }
    let batch = to_percentiles(clock, &samples, BATCH_CALLS);
    let mut full = ring.full;
    ring.finish();
    let mut ordered = floor::OrderedFloorRing::new();
    let ordered_per_call = floor_per_call(clock, &mut ordered);
    full += ordered.full;
    ordered.finish();
    Floor {
        per_call,
        batch,
        ordered_per_call,
        full,
    }
}

/// A floor ring's per-call latency: the median of [`PER_CALL_REPS`] runs
/// of [`PER_CALL_ITERS`] calls, after [`PER_CALL_WARMUP`] unmeasured ones.
fn floor_per_call<const ORDERED: bool>(
    clock: &Clock,
    ring: &mut floor::Ring<ORDERED>,
) -> Percentiles {
    let mut rng = XorShift::new(7);
    let (lo, hi) = (clock.ticks(100.0), clock.ticks(200.0));
    let mut samples = Vec::with_capacity(PER_CALL_ITERS as usize);
    for k in 0..PER_CALL_WARMUP {
        ring.push(k, k);
        clock.spin(rng.range(lo, hi));
    }
    let mut reps = Vec::new();
    for _ in 0..PER_CALL_REPS {
        samples.clear();
        for k in 0..PER_CALL_ITERS {
            let spin = rng.range(lo, hi);
            let t0 = timer::start();
            ring.push(k, (k as f64 * 1.5).to_bits());
            let t1 = timer::end();
            samples.push(t1.wrapping_sub(t0));
            clock.spin(spin);
        }
        reps.push(to_percentiles(clock, &samples, 1));
    }
    Percentiles::median_of(&reps)
}

fn to_percentiles(clock: &Clock, ticks: &[u64], per: u64) -> Percentiles {
    let mut ns: Vec<f64> = ticks
        .iter()
        .map(|&t| clock.net_ns(t) / per as f64)
        .collect();
    Percentiles::of(&mut ns)
}

/// Runs the phases of every message for one contender and prints the JSON
/// line at the end.
pub struct Harness<'c, C: Contender> {
    c: &'c C,
    run: Run,
    counter: LineCounter,
    logged: u64,
    last: Option<Check>,
    messages: Vec<MessageResults>,
    extra: Extra,
    guard_failures: u32,
    prefaulted: bool,
    prefaulted_tp: bool,
    rng: XorShift,
}

impl<C: Contender> Harness<'_, C> {
    /// The options of this run.
    pub fn opts(&self) -> &Opts {
        &self.run.opts
    }

    /// The calibrated timer.
    pub fn clock(&self) -> Clock {
        self.run.clock
    }

    /// Adds llt's writer throughput to the results.
    pub fn writer_results(&mut self, writer: WriterResults) {
        self.extra.writer = Some(writer);
    }

    /// Flushes, waits for the lines, and checks the guard.
    fn settle(&mut self) -> Check {
        let kind = self.c.flush();
        let flushed = Instant::now();
        // After a blocking flush every line is in the file already; the
        // short wait only catches a logger whose flush returns early.
        let stable_for = match kind {
            FlushKind::Blocking => Duration::from_millis(20),
            FlushKind::Poll => Duration::from_millis(500),
        };
        let mut lines = self.counter.count();
        let mut changed = flushed;
        loop {
            let target = self.logged - self.c.dropped().unwrap_or(0).min(self.logged);
            if lines >= target || changed.elapsed() > stable_for {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
            let now = self.counter.count();
            if now != lines {
                lines = now;
                changed = Instant::now();
            }
        }
        let done = if kind == FlushKind::Blocking && changed == flushed {
            flushed
        } else {
            changed
        };
        let counted = self.c.dropped();
        let dropped = counted.unwrap_or(self.logged.saturating_sub(lines));
        let check = Check {
            logged: self.logged,
            lines,
            dropped,
            drop_count: if counted.is_some() {
                DropCount::Counter
            } else {
                DropCount::Inferred
            },
            done,
        };
        if !check.ok() {
            self.guard_failures += 1;
            eprintln!(
                "[{}] GUARD: logged {} != lines {} + dropped {}",
                self.c.name(),
                check.logged,
                check.lines,
                check.dropped
            );
        }
        check
    }

    /// The guard's view of the phase since the previous check.
    fn phase(check: Check, before: Check) -> Phase {
        Phase {
            logged: check.logged - before.logged,
            written: check.lines - before.lines,
            dropped: check.dropped.saturating_sub(before.dropped),
            drop_count: check.drop_count,
            guard_ok: check.ok(),
        }
    }

    /// Logs `total` messages in chunks of a quarter of the capacity, with a
    /// flush after each chunk.
    fn prefault<F: Fn(u64)>(&mut self, f: &F, total: u64) {
        let chunk = (self.c.capacity_msgs() / 4).max(1_000);
        let mut done = 0;
        while done < total {
            for k in 0..chunk {
                f(k);
            }
            self.logged += chunk;
            done += chunk;
            self.settle();
        }
    }

    /// Measures one message: per call, batch (1 and 2 threads), throughput.
    /// `f` logs message `k` to the logger under test; `tp` logs it to the
    /// logger used for throughput (the same one, except for llt, whose
    /// throughput logger has a ring large enough for M messages).
    pub fn message<F, G>(&mut self, name: &str, f: F, tp: G)
    where
        F: Fn(u64) + Sync,
        G: Fn(u64),
    {
        if !self.run.opts.selected(name) {
            return;
        }
        let logger = self.c.name();
        let t_msg = Instant::now();
        if !self.prefaulted {
            self.prefaulted = true;
            let n = self.c.prefault_msgs();
            eprintln!("[{logger}] pre-faulting with {n} messages");
            self.prefault(&f, n);
            self.last = Some(self.settle());
        }

        // (a) per call, NanoLog's method.
        let clock = self.run.clock;
        let (lo, hi) = (clock.ticks(100.0), clock.ticks(200.0));
        let mut samples = Vec::with_capacity(PER_CALL_ITERS as usize);
        per_call_loop(
            &f,
            &clock,
            PER_CALL_WARMUP,
            lo,
            hi,
            &mut self.rng,
            &mut samples,
        );
        self.logged += PER_CALL_WARMUP;
        samples.clear();
        let before = self.settle();
        let mut reps = Vec::new();
        for _ in 0..PER_CALL_REPS {
            samples.clear();
            per_call_loop(
                &f,
                &clock,
                PER_CALL_ITERS,
                lo,
                hi,
                &mut self.rng,
                &mut samples,
            );
            self.logged += PER_CALL_ITERS;
            self.settle();
            reps.push(to_percentiles(&clock, &samples, 1));
        }
        let check = self.settle();
        let p = Percentiles::median_of(&reps);
        let per_call = PerCall {
            stats: p.rounded(),
            runs: RunSpread::of(&reps),
            phase: Self::phase(check, before),
        };
        drop(samples);

        // (b) batch, Quill's method: 1 and 2 producer threads.
        let (mut batch1, mut batch2) = (None, None);
        if !self.run.opts.no_batch {
            let n = self.run.opts.batch_samples();
            let before = self.settle();
            let mut s = Vec::with_capacity(n as usize);
            batch_loop(&f, &clock, n, 0, &mut self.rng, &mut s);
            self.logged += n * BATCH_CALLS;
            let check = self.settle();
            batch1 = Some(Batch {
                stats: to_percentiles(&clock, &s, BATCH_CALLS).rounded(),
                phase: Self::phase(check, before),
                thread_prefault: None,
            });
            if self.c.max_threads() >= 2 {
                let before = self.settle();
                let (s, extra_logged) = self.batch_two_threads(&f, n);
                self.logged += 2 * n * BATCH_CALLS + extra_logged;
                let check = self.settle();
                batch2 = Some(Batch {
                    stats: to_percentiles(&clock, &s, BATCH_CALLS).rounded(),
                    phase: Self::phase(check, before),
                    thread_prefault: Some(extra_logged),
                });
            }
        }

        // (c) throughput.
        if !self.prefaulted_tp {
            self.prefaulted_tp = true;
            let m = self.run.opts.throughput_m();
            let n = self.c.throughput_prefault_msgs(m);
            self.prefault_tp(&tp, m, n);
        }

        let m = self.run.opts.throughput_m();
        let before = self.settle();
        let mut reps = Vec::new();
        for _ in 0..THROUGHPUT_REPS {
            let t0 = Instant::now();
            for k in 0..m {
                tp(k);
            }
            let produced = t0.elapsed();
            self.logged += m;
            let check = self.settle();
            reps.push((check.done.saturating_duration_since(t0), produced));
        }
        let check = self.settle();
        let phase = Self::phase(check, before);
        let mut secs: Vec<f64> = reps.iter().map(|r| r.0.as_secs_f64()).collect();
        secs.sort_by(f64::total_cmp);
        let median = secs[secs.len() / 2];
        let logged = m * THROUGHPUT_REPS;
        let throughput = Throughput {
            m,
            reps: THROUGHPUT_REPS,
            secs_each: reps.iter().map(|r| r.0.as_secs_f64()).collect(),
            producer_secs_each: reps.iter().map(|r| r.1.as_secs_f64()).collect(),
            secs: median,
            calls_per_s: m as f64 / median,
            lines_per_s: phase.written as f64 / logged as f64 * m as f64 / median,
            phase,
        };

        self.last = Some(self.settle());
        eprintln!(
            "[{logger}] {name}: per-call p50 {:.1} ns p99.9 {:.1} ns; {:.1} s",
            p.p50,
            p.p999,
            t_msg.elapsed().as_secs_f64()
        );
        self.messages.push(MessageResults {
            name: name.to_owned(),
            per_call,
            batch1,
            batch2,
            throughput,
        });
    }

    fn prefault_tp<G: Fn(u64)>(&mut self, tp: &G, m: u64, total: u64) {
        let chunk = (m / 4).max(1);
        let mut done = 0;
        while done < total {
            for k in 0..chunk {
                tp(k);
            }
            self.logged += chunk;
            done += chunk;
            self.settle();
        }
    }

    /// Batch samples on this thread (core 0) and a second thread (core 1)
    /// at once; returns both threads' samples and how many messages the
    /// second thread logged before its samples.
    fn batch_two_threads<F: Fn(u64) + Sync>(&mut self, f: &F, n: u64) -> (Vec<u64>, u64) {
        let clock = self.run.clock;
        let barrier = Barrier::new(2);
        let c = self.c;
        let pre = c.thread_prefault_msgs();
        let mut mine = Vec::with_capacity(n as usize);
        let mut rng = XorShift::new(self.rng.next_u64());
        let theirs = std::thread::scope(|s| {
            let other = s.spawn(|| {
                pin_to_core(1);
                let chunk = (c.capacity_msgs() / 4).clamp(1, pre.max(1));
                let mut done = 0;
                while done < pre {
                    for k in 0..chunk {
                        f(k);
                    }
                    done += chunk;
                    c.flush();
                }
                let mut samples = Vec::with_capacity(n as usize);
                let mut rng = XorShift::new(12345);
                barrier.wait();
                batch_loop(f, &clock, n, 1 << 40, &mut rng, &mut samples);
                (samples, done)
            });
            barrier.wait();
            batch_loop(f, &clock, n, 0, &mut rng, &mut mine);
            other.join().expect("second producer thread")
        });
        let (mut samples, pre_done) = theirs;
        samples.extend_from_slice(&mine);
        (samples, pre_done)
    }

    /// Prints the results as one JSON line and removes the temporary
    /// directory.
    pub fn finish(mut self) {
        let check = self.settle();
        let floor = &self.run.floor;
        let clock = self.run.clock;
        let ok = check.ok() && self.guard_failures == 0;
        let results = LoggerResults {
            logger: self.c.name().to_owned(),
            config: self.c.config(),
            mode: self.run.opts.mode,
            notes: self.c.notes(),
            max_threads: self.c.max_threads(),
            ticks_per_ns: clock.ticks_per_ns,
            timer_cost_ns: clock.ns(clock.timer_cost),
            tsc_step_ns: clock.ns(clock.step as f64),
            floor: FloorResults {
                per_call: floor.per_call.rounded(),
                batch1: floor.batch.rounded(),
                ordered_per_call: Some(floor.ordered_per_call.rounded()),
                ring_full: floor.full,
            },
            messages: std::mem::take(&mut self.messages),
            extra: std::mem::take(&mut self.extra),
            guard: Guard {
                logged: check.logged,
                lines: check.lines,
                dropped: check.dropped,
                drop_count: check.drop_count,
                ok,
                failures: self.guard_failures,
            },
            secs: self.run.started.elapsed().as_secs_f64(),
        };
        let line = serde_json::to_string(&results).expect("results serialise to JSON");
        let _ = writeln!(self.run.out, "{line}");
        let _ = self.run.out.flush();
        eprintln!(
            "[{}] done in {:.1} s (guard {})",
            self.c.name(),
            self.run.started.elapsed().as_secs_f64(),
            if ok { "ok" } else { "FAILED" }
        );
        if self.run.opts.keep {
            eprintln!("[{}] kept {}", self.c.name(), self.run.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.run.dir);
        }
    }
}

/// NanoLog's loop: `t0; log; t1; record; spin`.
#[inline(never)]
fn per_call_loop<F: Fn(u64)>(
    f: &F,
    clock: &Clock,
    n: u64,
    lo: u64,
    hi: u64,
    rng: &mut XorShift,
    out: &mut Vec<u64>,
) {
    for k in 0..n {
        let spin = rng.range(lo, hi);
        let t0 = timer::start();
        f(k);
        let t1 = timer::end();
        out.push(t1.wrapping_sub(t0));
        clock.spin(spin);
    }
}

/// Quill's loop: `t0; 20 logs; t1; record; spin 2.0-2.2 ms`.
#[inline(never)]
fn batch_loop<F: Fn(u64)>(
    f: &F,
    clock: &Clock,
    n: u64,
    base: u64,
    rng: &mut XorShift,
    out: &mut Vec<u64>,
) {
    let (lo, hi) = (clock.ticks(2_000_000.0), clock.ticks(2_200_000.0));
    for s in 0..n {
        let spin = rng.range(lo, hi);
        let k0 = base + s * BATCH_CALLS;
        let t0 = timer::start();
        for j in 0..BATCH_CALLS {
            f(k0 + j);
        }
        let t1 = timer::end();
        out.push(t1.wrapping_sub(t0));
        clock.spin(spin);
    }
}
