//! llt in the side-by-side comparison (methods: `src/lib.rs`; set-up:
//! `src/peers.rs`), plus llt's writer throughput. Prints one JSON line on
//! stdout.
//!
//! Writer throughput, per message and per sink (`/dev/null`, a file): a
//! logger whose ring holds all M = 2,000,000 messages (so nothing can be
//! dropped), default line format. One producer logs the M messages back to
//! back while the writer drains concurrently (llt has no way to pause its
//! writer), then calls `flush()`. Reported:
//!
//! Fields of [`WriterSink`]:
//!
//! * `end_to_end_per_s` = M / (first log .. flush returned);
//! * `backlog_per_s` = (M - lines the writer had written when the producer
//!   finished) / (producer finished .. flush returned): the writer alone
//!   draining a full backlog with the producer idle, the writer-only rate;
//! * `m_over_flush_wait_per_s` = M / (producer finished .. flush returned),
//!   the cruder writer-only approximation (an upper bound: it credits the
//!   writer's concurrent progress to the wait).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

use llt_bench_peers::results::{WriterResults, WriterRun, WriterSink};
use llt_bench_peers::{Opts, Run, for_each_message, peers::Llt};
use llt_rs::Logger;

/// Messages per writer-throughput run.
const WRITER_M: u64 = 2_000_000;

struct WriterBench {
    null: Logger,
    file: Logger,
    file_path: PathBuf,
    runs: Vec<WriterRun>,
}

impl WriterBench {
    fn new(dir: &Path) -> WriterBench {
        // Records are at most 128 bytes here: 2 units of 64 bytes each.
        let capacity = (2 * WRITER_M as usize).next_power_of_two();
        let build = |sink: File| {
            Logger::builder()
                .capacity(capacity)
                .sink(sink)
                .report_drops(false)
                .build()
                .expect("llt logger")
        };
        let file_path = dir.join("writer.log");
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&file_path)
            .expect("writer sink");
        WriterBench {
            null: build(File::create("/dev/null").expect("/dev/null")),
            file: build(file),
            file_path,
            runs: Vec::new(),
        }
    }

    /// Same signature as `Harness::message`, so `for_each_message!` drives
    /// it: `f` logs to the /dev/null logger, `g` to the file logger.
    fn message<F: Fn(u64), G: Fn(u64)>(&mut self, name: &str, f: F, g: G) {
        let to_null = run_one(&self.null, &f);
        let file = run_one(&self.file, &g);
        // Keep the disk use down: the file logger appends, so truncating
        // between runs is safe.
        if let Ok(f) = OpenOptions::new().write(true).open(&self.file_path) {
            let _ = f.set_len(0);
        }
        eprintln!(
            "[llt] writer {name}: /dev/null {:.2} M lines/s (backlog), file {:.2} M lines/s (backlog)",
            to_null.backlog_per_s / 1e6,
            file.backlog_per_s / 1e6
        );
        self.runs.push(WriterRun {
            name: name.to_owned(),
            dev_null: to_null,
            file,
        });
    }
}

fn run_one<F: Fn(u64)>(logger: &Logger, f: &F) -> WriterSink {
    // Warm-up (and this thread's ring for the logger, on first use).
    for k in 0..10_000 {
        f(k);
    }
    logger.flush();
    let s0 = logger.stats();
    let t0 = Instant::now();
    for k in 0..WRITER_M {
        f(k);
    }
    let t_prod = Instant::now();
    let written_at_prod = logger.stats().written - s0.written;
    logger.flush();
    let t_end = Instant::now();
    let s1 = logger.stats();
    let written = s1.written - s0.written;
    let dropped = s1.dropped - s0.dropped;
    let wait = (t_end - t_prod).as_secs_f64();
    WriterSink {
        m: WRITER_M,
        written,
        dropped,
        guard_ok: written + dropped == WRITER_M && s1.lines_lost == s0.lines_lost,
        producer_secs: (t_prod - t0).as_secs_f64(),
        flush_wait_secs: wait,
        written_when_producer_done: written_at_prod,
        end_to_end_per_s: WRITER_M as f64 / (t_end - t0).as_secs_f64(),
        backlog_per_s: (WRITER_M - written_at_prod) as f64 / wait,
        m_over_flush_wait_per_s: WRITER_M as f64 / wait,
    }
}

fn main() {
    let run = Run::start("llt");
    let sink = run.sink_path();
    let c = Llt::new(&sink, run.opts.throughput_m());
    let writer = !run.opts.no_writer;
    let dir = run.dir().to_owned();
    let opts = run.opts.clone();
    let mut h = run.harness(&c, &sink);
    let logger = &c.logger;
    let tp = &c.tp;
    macro_rules! lg {
        ($($t:tt)*) => {
            llt_rs::llt_log!(logger, $($t)*)
        };
    }
    macro_rules! lg_tp {
        ($($t:tt)*) => {
            llt_rs::llt_log!(tp, $($t)*)
        };
    }
    for_each_message!(h, lg, lg_tp);

    if writer {
        let mut w = WriterBench::new(&dir);
        let (null, file) = (&w.null.clone(), &w.file.clone());
        macro_rules! lg_null {
            ($($t:tt)*) => {
                llt_rs::llt_log!(null, $($t)*)
            };
        }
        macro_rules! lg_file {
            ($($t:tt)*) => {
                llt_rs::llt_log!(file, $($t)*)
            };
        }
        let mut filtered = Filtered {
            opts: &opts,
            inner: &mut w,
        };
        for_each_message!(filtered, lg_null, lg_file);
        h.writer_results(WriterResults {
            m: WRITER_M,
            line_format: "default (RFC 3339 UTC us + level + message)".into(),
            runs: w.runs,
        });
    }
    h.finish();
}

/// Applies `--only` to the writer bench.
struct Filtered<'a> {
    opts: &'a Opts,
    inner: &'a mut WriterBench,
}

impl Filtered<'_> {
    fn message<F: Fn(u64), G: Fn(u64)>(&mut self, name: &str, f: F, g: G) {
        if self.opts.selected(name) {
            self.inner.message(name, f, g);
        }
    }
}
