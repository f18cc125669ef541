//! The results of one bench binary, as types: the harness fills them in,
//! prints them as one JSON line, and `src/bin/report.rs` parses the lines
//! back into the same types before it renders anything. Nothing is read by
//! string key after parsing; a field the report needs is a field here.
//!
//! The JSON field names are those of the first runs (2026-11-25), so their
//! `raw.jsonl` still parses.

use serde::{Deserialize, Serialize};

use crate::Mode;

/// One logger's results: the JSON line its bench binary prints.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoggerResults {
    /// The logger's name, one of [`PEERS`](crate::peers::PEERS).
    pub logger: String,
    /// How it was configured (buffer, overflow policy, sink).
    pub config: String,
    /// Quick or full.
    pub mode: Mode,
    /// Caveats for the report (why a phase is missing, how completion is
    /// detected).
    pub notes: Vec<String>,
    /// Producer threads the logger supports (quicklog: 1).
    pub max_threads: usize,
    /// The calibrated TSC frequency.
    pub ticks_per_ns: f64,
    /// The timer's own cost, subtracted from every sample.
    pub timer_cost_ns: f64,
    /// The TSC's step, the resolution of the per-call percentiles.
    pub tsc_step_ns: f64,
    /// The floor, measured in this process before the logger was set up.
    pub floor: FloorResults,
    /// One entry per message measured, in the order of
    /// [`MESSAGES`](crate::MESSAGES).
    pub messages: Vec<MessageResults>,
    /// Results only some loggers have.
    pub extra: Extra,
    /// The guard at the end of the run, over all phases.
    pub guard: Guard,
    /// Wall time of the whole process.
    pub secs: f64,
}

impl LoggerResults {
    /// The results of message `name`, if it was measured.
    pub fn message(&self, name: &str) -> Option<&MessageResults> {
        self.messages.iter().find(|m| m.name == name)
    }
}

/// The floor with both latency methods.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FloorResults {
    /// Per-call method, median of the runs.
    pub per_call: Percentiles,
    /// Batch method, one thread.
    pub batch1: Percentiles,
    /// The ordered floor (the TSC read by `rdtscp`, which keeps causal
    /// order), per-call method; `None` in results from before it existed.
    #[serde(default)]
    pub ordered_per_call: Option<Percentiles>,
    /// Times the floor's ring was full (the producer waited).
    pub ring_full: u64,
}

/// Percentiles of a set of samples, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th.
    pub p99: f64,
    /// 99.9th.
    pub p999: f64,
    /// 99.99th.
    pub p9999: f64,
    /// Largest sample.
    pub max: f64,
    /// Mean.
    pub mean: f64,
    /// Mean of the samples up to the 99th percentile: with a TSC that
    /// advances in ~10 ns steps the percentiles are multiples of the step,
    /// while this mean resolves differences below it (the random spin
    /// between calls randomises the phase).
    pub tmean: f64,
    /// Number of samples.
    pub n: usize,
}

impl Percentiles {
    /// Nearest-rank percentiles of `ns` (sorted in place).
    pub fn of(ns: &mut [f64]) -> Percentiles {
        ns.sort_unstable_by(f64::total_cmp);
        let n = ns.len();
        let at = |p: f64| -> f64 {
            if n == 0 {
                return f64::NAN;
            }
            let rank = (p * n as f64).ceil() as usize;
            ns[rank.clamp(1, n) - 1]
        };
        Percentiles {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            p9999: at(0.9999),
            max: ns.last().copied().unwrap_or(f64::NAN),
            mean: ns.iter().sum::<f64>() / n.max(1) as f64,
            tmean: {
                let kept = &ns[..(n * 99 / 100).max(1).min(n)];
                kept.iter().sum::<f64>() / kept.len().max(1) as f64
            },
            n,
        }
    }

    /// Each figure the median of the runs' figures; `n` the total count.
    pub fn median_of(runs: &[Percentiles]) -> Percentiles {
        let med = |get: fn(&Percentiles) -> f64| {
            let mut v: Vec<f64> = runs.iter().map(get).collect();
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
        };
        Percentiles {
            p50: med(|p| p.p50),
            p90: med(|p| p.p90),
            p99: med(|p| p.p99),
            p999: med(|p| p.p999),
            p9999: med(|p| p.p9999),
            max: med(|p| p.max),
            mean: med(|p| p.mean),
            tmean: med(|p| p.tmean),
            n: runs.iter().map(|p| p.n).sum(),
        }
    }

    /// As stored in the results: rounded to 0.1 ns, `tmean` to 0.01 ns.
    pub fn rounded(&self) -> Percentiles {
        Percentiles {
            p50: round1(self.p50),
            p90: round1(self.p90),
            p99: round1(self.p99),
            p999: round1(self.p999),
            p9999: round1(self.p9999),
            max: round1(self.max),
            mean: round1(self.mean),
            tmean: (self.tmean * 100.0).round() / 100.0,
            n: self.n,
        }
    }
}

/// Rounded to 0.1 (ns).
fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// How a phase's drops were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DropCount {
    /// The logger counts its drops.
    #[serde(rename = "logger's counter")]
    Counter,
    /// It does not: drops are lines logged minus lines in the file.
    #[serde(rename = "inferred from the file's lines")]
    Inferred,
}

/// The guard's view of one phase: lines in the sink + dropped == logged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    /// Calls made in the phase.
    pub logged: u64,
    /// Lines that reached the sink file in the phase.
    pub written: u64,
    /// Lines dropped in the phase.
    pub dropped: u64,
    /// Where `dropped` comes from.
    pub drop_count: DropCount,
    /// Whether written + dropped == logged held at the end of the phase.
    pub guard_ok: bool,
}

/// The results of one message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageResults {
    /// Its name in [`MESSAGES`](crate::MESSAGES).
    pub name: String,
    /// Per call, NanoLog's method.
    pub per_call: PerCall,
    /// Batch, Quill's method, one producer; `None` with `--no-batch`.
    #[serde(default)]
    pub batch1: Option<Batch>,
    /// Batch with two producers; `None` with `--no-batch` or for a logger
    /// with one producer thread.
    #[serde(default)]
    pub batch2: Option<Batch>,
    /// Messages per second.
    pub throughput: Throughput,
}

impl MessageResults {
    /// The guard of every phase that ran, with the phase's name.
    pub fn phases(&self) -> Vec<(&'static str, &Phase)> {
        let mut phases = vec![("per call", &self.per_call.phase)];
        if let Some(b) = &self.batch1 {
            phases.push(("batch 1T", &b.phase));
        }
        if let Some(b) = &self.batch2 {
            phases.push(("batch 2T", &b.phase));
        }
        phases.push(("throughput", &self.throughput.phase));
        phases
    }

    /// Lines dropped over all phases.
    pub fn dropped(&self) -> u64 {
        self.phases().iter().map(|(_, p)| p.dropped).sum()
    }
}

/// The per-call phase: the median of the runs, and the runs themselves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PerCall {
    /// Each figure the median of the runs' figures; `n` the total count.
    #[serde(flatten)]
    pub stats: Percentiles,
    /// The runs' own p50, p99.9 and max.
    #[serde(flatten)]
    pub runs: RunSpread,
    /// The guard over all runs.
    #[serde(flatten)]
    pub phase: Phase,
}

/// Some figures of each per-call run, to show how much they differ.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSpread {
    /// Number of runs.
    pub runs: usize,
    /// Each run's p50.
    pub p50_runs: Vec<f64>,
    /// Each run's p99.9.
    pub p999_runs: Vec<f64>,
    /// Each run's max.
    pub max_runs: Vec<f64>,
}

impl RunSpread {
    /// The runs' p50, p99.9 and max, rounded to 0.1 ns.
    pub fn of(runs: &[Percentiles]) -> RunSpread {
        RunSpread {
            runs: runs.len(),
            p50_runs: runs.iter().map(|p| round1(p.p50)).collect(),
            p999_runs: runs.iter().map(|p| round1(p.p999)).collect(),
            max_runs: runs.iter().map(|p| round1(p.max)).collect(),
        }
    }
}

/// A batch phase: percentiles of 20-call averages, ns per call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Batch {
    /// Percentiles of the samples (both threads' pooled for 2T).
    #[serde(flatten)]
    pub stats: Percentiles,
    /// The guard over the phase.
    #[serde(flatten)]
    pub phase: Phase,
    /// Messages the second thread logged before its samples (2T only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_prefault: Option<u64>,
}

/// The throughput phase: M messages back to back, several times.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Throughput {
    /// Messages per run.
    pub m: u64,
    /// Runs.
    pub reps: u64,
    /// Each run's time until everything was written.
    pub secs_each: Vec<f64>,
    /// Each run's time until the producer had made its calls.
    pub producer_secs_each: Vec<f64>,
    /// The median of `secs_each`.
    pub secs: f64,
    /// M / `secs`.
    pub calls_per_s: f64,
    /// Lines that reached the file per second (below `calls_per_s` when the
    /// logger dropped).
    pub lines_per_s: f64,
    /// The guard over all runs.
    #[serde(flatten)]
    pub phase: Phase,
}

/// Results only some loggers have.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Extra {
    /// llt's writer throughput (`benches/llt.rs`); `None` for the other
    /// loggers and with `--no-writer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer: Option<WriterResults>,
}

/// llt's writer throughput, per message and sink.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WriterResults {
    /// Messages per run.
    pub m: u64,
    /// The line format the writer produced.
    pub line_format: String,
    /// One entry per message.
    pub runs: Vec<WriterRun>,
}

/// llt's writer throughput for one message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WriterRun {
    /// The message's name.
    pub name: String,
    /// Writing to `/dev/null`.
    pub dev_null: WriterSink,
    /// Writing to a file.
    pub file: WriterSink,
}

/// llt's writer draining M messages into one sink.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WriterSink {
    /// Messages logged.
    pub m: u64,
    /// Lines the writer wrote.
    pub written: u64,
    /// Lines dropped (the ring holds M: should be 0).
    pub dropped: u64,
    /// written + dropped == M, and no line lost by the sink.
    pub guard_ok: bool,
    /// First log .. last log.
    pub producer_secs: f64,
    /// Last log .. flush returned.
    pub flush_wait_secs: f64,
    /// Lines written when the producer had made its last call.
    pub written_when_producer_done: u64,
    /// M / (first log .. flush returned).
    pub end_to_end_per_s: f64,
    /// (M - written when the producer was done) / flush wait: the writer
    /// alone draining a backlog.
    pub backlog_per_s: f64,
    /// M / flush wait, an upper bound of the writer-only rate.
    pub m_over_flush_wait_per_s: f64,
}

/// The guard at the end of a run, over all phases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Guard {
    /// Calls made (pre-fault and warm-up included).
    pub logged: u64,
    /// Lines in the sink file.
    pub lines: u64,
    /// Lines dropped.
    pub dropped: u64,
    /// Where `dropped` comes from.
    pub drop_count: DropCount,
    /// No phase failed and the totals add up.
    pub ok: bool,
    /// Checks that did not add up.
    pub failures: u32,
}

/// The line `scripts/compare.sh` writes for a logger that did not run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Failure {
    /// The logger.
    pub logger: String,
    /// Why there are no results.
    pub error: String,
}

/// One line of `raw.jsonl`, parsed.
#[derive(Debug, Clone)]
pub enum Line {
    /// A bench binary's results.
    Results(Box<LoggerResults>),
    /// A logger that did not run.
    Failed(Failure),
    /// A line that is neither.
    Unreadable {
        /// 1-based line number.
        line: usize,
        /// The logger named in it, if any.
        logger: Option<String>,
        /// Why it does not parse as results.
        error: String,
    },
}

impl Line {
    /// Parses line number `line` (1-based) of `raw.jsonl`.
    pub fn parse(line: usize, text: &str) -> Line {
        match serde_json::from_str::<LoggerResults>(text) {
            Ok(r) => Line::Results(Box::new(r)),
            Err(e) => match serde_json::from_str::<Failure>(text) {
                Ok(f) => Line::Failed(f),
                Err(_) => {
                    #[derive(Deserialize)]
                    struct Named {
                        logger: String,
                    }
                    Line::Unreadable {
                        line,
                        logger: serde_json::from_str::<Named>(text).ok().map(|n| n.logger),
                        error: e.to_string(),
                    }
                }
            },
        }
    }

    /// Every non-empty line of a `raw.jsonl`.
    pub fn parse_all(raw: &str) -> Vec<Line> {
        raw.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| Line::parse(i + 1, l))
            .collect()
    }
}
