//! Turns the JSON lines of the bench binaries into `results.md` and
//! `latency.svg` (run by `scripts/compare.sh`).
//!
//! Usage: `report <dir>`; reads `<dir>/raw.jsonl` (one line per logger),
//! `<dir>/meta.txt` (`key: value` lines about the run) and, if present,
//! `<dir>/instructions.tsv` (`logger N ir_N ir_2N`). Every input is parsed
//! once, into the types of `llt_bench_peers::results` and [`InstrRow`],
//! before anything is rendered.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use llt_bench_peers::peers::PEERS;
use llt_bench_peers::results::{Batch, DropCount, Line, LoggerResults, MessageResults, Phase};
use llt_bench_peers::{MESSAGES, Percentiles};
use plotters::prelude::*;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let raw_path = dir.join("raw.jsonl");
    let raw = std::fs::read_to_string(&raw_path).unwrap_or_else(|e| {
        eprintln!(
            "report: cannot read {}: {e} (give the directory of a run of scripts/compare.sh)",
            raw_path.display()
        );
        std::process::exit(2);
    });
    let lines = Line::parse_all(&raw);
    for line in &lines {
        if let Line::Unreadable { line, error, .. } = line {
            eprintln!(
                "report: {} line {line} does not parse: {error}",
                raw_path.display()
            );
        }
    }
    let meta = std::fs::read_to_string(dir.join("meta.txt")).unwrap_or_default();
    let instr = std::fs::read_to_string(dir.join("instructions.tsv"))
        .ok()
        .map(|t| InstrRow::parse_all(&t));
    let md = render(&lines, &meta, instr.as_deref());
    std::fs::write(dir.join("results.md"), md).expect("write results.md");
    chart(&results(&lines), &dir.join("latency.svg")).expect("write latency.svg");
    eprintln!(
        "wrote {} and {}",
        dir.join("results.md").display(),
        dir.join("latency.svg").display()
    );
}

/// One line of `instructions.tsv`.
#[derive(Debug, Clone, PartialEq)]
enum InstrRow {
    /// Callgrind's counts on the main thread with N and 2N calls.
    Counted {
        logger: String,
        n: u64,
        ir_n: u64,
        ir_2n: u64,
    },
    /// The logger could not be counted (the rest of the line says why).
    NotCounted { logger: String, why: String },
}

impl InstrRow {
    fn parse_all(text: &str) -> Vec<InstrRow> {
        text.lines().filter_map(InstrRow::parse).collect()
    }

    fn parse(line: &str) -> Option<InstrRow> {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (logger, rest) = f.split_first()?;
        let logger = (*logger).to_owned();
        if let [n, a, b] = rest
            && let (Ok(n), Ok(ir_n), Ok(ir_2n)) = (n.parse(), a.parse(), b.parse())
        {
            return Some(InstrRow::Counted {
                logger,
                n,
                ir_n,
                ir_2n,
            });
        }
        Some(InstrRow::NotCounted {
            logger,
            why: rest.join(" "),
        })
    }

    fn logger(&self) -> &str {
        match self {
            InstrRow::Counted { logger, .. } | InstrRow::NotCounted { logger, .. } => logger,
        }
    }
}

/// The loggers that produced results, in the order they ran.
fn results(lines: &[Line]) -> Vec<&LoggerResults> {
    lines
        .iter()
        .filter_map(|l| match l {
            Line::Results(r) => Some(&**r),
            _ => None,
        })
        .collect()
}

/// A latency in ns, one decimal below 100, none above.
fn ns(x: f64) -> String {
    if x.is_nan() {
        "–".into()
    } else if x.abs() < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.2}×", a / b)
    } else {
        "–".into()
    }
}

fn mps(x: f64) -> String {
    format!("{:.2}", x / 1e6)
}

/// Drops of one phase, with a marker when there were any.
fn drops(phase: &Phase) -> String {
    match phase.dropped {
        0 => "0".into(),
        n => format!("**{n} dropped**"),
    }
}

fn render(lines: &[Line], meta: &str, instr: Option<&[InstrRow]>) -> String {
    let ok = results(lines);
    let mut o = String::new();
    let mode = ok
        .first()
        .map_or("?".to_owned(), |r| format!("{:?}", r.mode).to_lowercase());
    let _ = writeln!(o, "# llt and other Rust loggers, side by side\n");
    let _ = writeln!(
        o,
        "Made by `scripts/compare.sh` ({mode} mode) from the JSON lines of `bench-peers/benches/*.rs` \
         (methods in `docs/benchmarks.md`, harness in `bench-peers/src/lib.rs`, set-ups in `bench-peers/src/peers.rs`).\n"
    );
    if !meta.trim().is_empty() {
        let _ = writeln!(o, "```text\n{}\n```\n", meta.trim());
    }
    let step = ok.first().map_or(10.0, |r| r.tsc_step_ns);
    let _ = writeln!(
        o,
        "**Read this first.** The machine is a shared 2-core VM; other work may run at the same time, so \
         absolute nanoseconds drift between runs. Compare loggers by the ratios and rankings taken in this run. \
         Each logger runs in its own process, one after the other, and each process measures the floor \
         itself, so every `÷ floor` ratio is taken within one process. This CPU's TSC advances in steps of \
         {step:.1} ns: per-call percentiles are therefore multiples of that step (minus the timer's cost, \
         which is measured as a mean), and two loggers within one step of each other tie. The column \
         `mean≤p99` (the mean of the samples up to the 99th percentile) resolves differences below the step, \
         because the random 100-200 ns spin between calls randomises the timer's phase. Batch figures are \
         averages over 20 calls and resolve to about {:.1} ns. Maxima and p99.99 (and the p99.9 of the \
         batch method, which rests on a few hundred samples) mostly show the producer being preempted: other \
         processes share the two cores (see the load above).\n",
        step / 20.0
    );

    left_out_section(&mut o, lines, instr);
    summary(&mut o, &ok);
    verdicts(&mut o, &ok);
    per_call_tables(&mut o, &ok);
    batch_tables(&mut o, &ok);
    throughput_table(&mut o, &ok);
    drops_table(&mut o, &ok);
    floor_table(&mut o, &ok);
    writer_table(&mut o, &ok);
    if let Some(instr) = instr {
        instr_table(&mut o, instr);
    }
    messages_table(&mut o);
    configs(&mut o, &ok);
    o
}

/// What the run left out, computed from the data: loggers of [`PEERS`]
/// without results, messages and phases not measured, guards that failed,
/// instruction counts missing.
fn left_out(lines: &[Line], instr: Option<&[InstrRow]>) -> Vec<String> {
    let mut out = Vec::new();
    for peer in PEERS {
        let of_peer: Vec<&Line> = lines
            .iter()
            .filter(|l| match l {
                Line::Results(r) => r.logger == peer,
                Line::Failed(f) => f.logger == peer,
                Line::Unreadable { logger, .. } => logger.as_deref() == Some(peer),
            })
            .collect();
        let ran = of_peer.iter().find_map(|l| match l {
            Line::Results(r) => Some(&**r),
            _ => None,
        });
        match ran {
            Some(r) => out.extend(incomplete(r)),
            None if of_peer.is_empty() => {
                out.push(format!("`{peer}`: no results in `raw.jsonl`"));
            }
            None => {}
        }
        for l in of_peer {
            match l {
                Line::Failed(f) => out.push(format!("`{peer}`: did not run: {}", f.error)),
                Line::Unreadable { line, error, .. } => out.push(format!(
                    "`{peer}`: line {line} of `raw.jsonl` does not parse: {error}"
                )),
                Line::Results(_) => {}
            }
        }
        if let Some(InstrRow::NotCounted { why, .. }) =
            instr.and_then(|rows| rows.iter().find(|row| row.logger() == peer))
        {
            out.push(format!("`{peer}`: instructions not counted: {why}"));
        }
    }
    if let Some(instr) = instr {
        let uncounted: Vec<&str> = PEERS
            .into_iter()
            .filter(|peer| !instr.iter().any(|row| row.logger() == *peer))
            .collect();
        if !uncounted.is_empty() {
            out.push(format!(
                "instructions not counted (no row in `instructions.tsv`): {}",
                uncounted.join(", ")
            ));
        }
    }
    for line in lines {
        match line {
            Line::Results(r) if !PEERS.contains(&r.logger.as_str()) => out.push(format!(
                "`{}`: results of a logger that is not in the table of peers (reported anyway)",
                r.logger
            )),
            Line::Unreadable {
                line,
                logger: None,
                error,
            } => out.push(format!(
                "line {line} of `raw.jsonl` does not parse: {error}"
            )),
            _ => {}
        }
    }
    out
}

/// What one logger's results lack: messages, phases, guards that held.
fn incomplete(r: &LoggerResults) -> Vec<String> {
    let who = &r.logger;
    let mut out = Vec::new();
    let missing: Vec<&str> = MESSAGES
        .iter()
        .map(|m| m.name)
        .filter(|name| r.message(name).is_none())
        .collect();
    if !missing.is_empty() {
        out.push(format!(
            "`{who}`: messages not measured: {}",
            missing.join(", ")
        ));
    }
    let which = |names: Vec<&str>| {
        if names.len() == r.messages.len() {
            "every message".to_owned()
        } else {
            names.join(", ")
        }
    };
    let without = |phase: fn(&MessageResults) -> bool| -> Vec<&str> {
        r.messages
            .iter()
            .filter(|m| !phase(m))
            .map(|m| m.name.as_str())
            .collect()
    };
    let no_batch1 = without(|m| m.batch1.is_some());
    let no_batch2 = without(|m| m.batch2.is_some() || m.batch1.is_none());
    if !no_batch1.is_empty() {
        out.push(format!(
            "`{who}`: batch phases not run (`--no-batch`) for {}",
            which(no_batch1)
        ));
    }
    if !no_batch2.is_empty() {
        let why = if r.max_threads < 2 {
            format!("the logger supports {} producer thread", r.max_threads)
        } else {
            "not run".to_owned()
        };
        out.push(format!(
            "`{who}`: 2-thread batch not measured ({why}) for {}",
            which(no_batch2)
        ));
    }
    for m in &r.messages {
        for (phase, p) in m.phases() {
            if !p.guard_ok {
                out.push(format!(
                    "`{who}`: **guard failed** in {} / {phase}: {} logged, {} written, {} dropped",
                    m.name, p.logged, p.written, p.dropped
                ));
            }
        }
    }
    if !r.guard.ok {
        out.push(format!(
            "`{who}`: **guard failed** (checks that did not add up: {}; at the end {} logged, {} lines, {} dropped)",
            r.guard.failures, r.guard.logged, r.guard.lines, r.guard.dropped
        ));
    }
    if who == "llt" {
        match &r.extra.writer {
            None => out.push("`llt`: writer throughput not measured (`--no-writer`)".into()),
            Some(w) => {
                for run in &w.runs {
                    if !(run.dev_null.guard_ok && run.file.guard_ok) {
                        out.push(format!(
                            "`llt`: **guard failed** in the writer throughput of {}",
                            run.name
                        ));
                    }
                }
            }
        }
    }
    out
}

fn left_out_section(o: &mut String, lines: &[Line], instr: Option<&[InstrRow]>) {
    let _ = writeln!(o, "## Left out\n");
    let gaps = left_out(lines, instr);
    let ran = results(lines)
        .iter()
        .filter(|r| PEERS.contains(&r.logger.as_str()))
        .count();
    if gaps.is_empty() {
        let _ = writeln!(
            o,
            "Nothing: all {} loggers of the table of peers ran all {} messages and every phase, and every \
             guard held.\n",
            PEERS.len(),
            MESSAGES.len()
        );
        return;
    }
    let ran = if ran == PEERS.len() {
        format!("All {ran} loggers")
    } else {
        format!("{ran} of the {} loggers", PEERS.len())
    };
    let _ = writeln!(
        o,
        "{ran} of the table of peers (`PEERS` in `bench-peers/src/peers.rs`) have results. What is missing, \
         computed from the data of this run:\n"
    );
    for gap in gaps {
        let _ = writeln!(o, "- {gap}");
    }
    let _ = writeln!(o);
}

fn summary(o: &mut String, ok: &[&LoggerResults]) {
    let seed = &MESSAGES[0];
    let _ = writeln!(o, "## Summary: the {} message\n", seed.name);
    let _ = writeln!(
        o,
        "`{}` with `({})`. Per call: NanoLog's method \
         (ns, timer cost subtracted; median of three runs of 100,000 calls). Batch: Quill's method (ns per call, averages of 20 calls), \
         1 and 2 producer threads. Throughput: M messages back to back until all are written (median of 3). \
         `÷ floor`: divided by the floor measured with the same method in the same process (see below); \
         `÷ ordered floor`: by the floor with an ordered TSC read, the least a logger that keeps causal order must do. \
         Chart: `latency.svg`.\n",
        seed.format, seed.args
    );
    let _ = writeln!(
        o,
        "| logger | p50 | p99.9 | mean≤p99 | p50 ÷ floor | mean≤p99 ÷ floor | mean≤p99 ÷ ordered floor | batch 1T p50 / p99.9 | batch 1T p50 ÷ floor | batch 2T p50 / p99.9 | throughput M/s | drops |"
    );
    let _ = writeln!(
        o,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for run in ok {
        let Some(m) = run.message(seed.name) else {
            continue;
        };
        let pc = &m.per_call.stats;
        let floor = &run.floor.per_call;
        let b = |batch: &Option<Batch>| match batch {
            None => "n/a".to_string(),
            Some(b) => format!("{} / {}", ns(b.stats.p50), ns(b.stats.p999)),
        };
        let d = m.dropped();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            run.logger,
            ns(pc.p50),
            ns(pc.p999),
            ns(pc.tmean),
            ratio(pc.p50, floor.p50),
            ratio(pc.tmean, floor.tmean),
            run.floor
                .ordered_per_call
                .as_ref()
                .map_or("–".into(), |f| ratio(pc.tmean, f.tmean)),
            b(&m.batch1),
            m.batch1
                .as_ref()
                .map_or("–".into(), |b| ratio(b.stats.p50, run.floor.batch1.p50)),
            b(&m.batch2),
            mps(m.throughput.calls_per_s),
            if d == 0 {
                "0".into()
            } else {
                format!("**{d}**")
            }
        );
    }
    let _ = writeln!(o);
}

/// A latency phase of a message, by which the verdicts compare loggers.
#[derive(Clone, Copy)]
enum Figure {
    PerCall(fn(&Percentiles) -> f64),
    Batch1(fn(&Percentiles) -> f64),
}

impl Figure {
    fn of(self, m: &MessageResults) -> Option<f64> {
        match self {
            Figure::PerCall(get) => Some(get(&m.per_call.stats)),
            Figure::Batch1(get) => m.batch1.as_ref().map(|b| get(&b.stats)),
        }
    }
}

/// Whether llt is lower than every peer, per message and figure.
fn verdicts(o: &mut String, ok: &[&LoggerResults]) {
    let Some(llt) = ok.iter().find(|r| r.logger == "llt") else {
        return;
    };
    let peers: Vec<&&LoggerResults> = ok.iter().filter(|r| r.logger != "llt").collect();
    let _ = writeln!(o, "## Is llt lower than every peer?\n");
    let _ = writeln!(
        o,
        "Per message: llt's figure, the lowest peer figure (and which peer), and the verdict: **yes** (llt \
         strictly lower), **tie** (equal, i.e. within one TSC step for percentiles) or **no**. Per call unless \
         marked batch.\n"
    );
    let _ = writeln!(
        o,
        "| message | per-call p50 | per-call p99.9 | per-call mean≤p99 | batch 1T p50 | batch 1T p99.9 |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    for msg in MESSAGES {
        let Some(lm) = llt.message(msg.name) else {
            continue;
        };
        let cell = |figure: Figure| -> String {
            let Some(x) = figure.of(lm) else {
                return "–".into();
            };
            let best = peers
                .iter()
                .filter_map(|p| Some((p.logger.as_str(), figure.of(p.message(msg.name)?)?)))
                .min_by(|a, b| a.1.total_cmp(&b.1));
            match best {
                None => format!("{x:.1} (no peer)"),
                Some((who, y)) => {
                    let v = if x < y - 0.05 {
                        "**yes**"
                    } else if (x - y).abs() <= 0.05 {
                        "**tie**"
                    } else {
                        "**no**"
                    };
                    format!("{v}: {x:.1} vs {y:.1} ({who})")
                }
            }
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            msg.name,
            cell(Figure::PerCall(|p| p.p50)),
            cell(Figure::PerCall(|p| p.p999)),
            cell(Figure::PerCall(|p| p.tmean)),
            cell(Figure::Batch1(|p| p.p50)),
            cell(Figure::Batch1(|p| p.p999)),
        );
    }
    let _ = writeln!(o);
}

fn per_call_tables(o: &mut String, ok: &[&LoggerResults]) {
    let _ = writeln!(o, "## Per-call latency (NanoLog's method), ns\n");
    let _ = writeln!(
        o,
        "Single producer pinned to core 0, writer running. 10,000 warm-up calls, then three runs of 100,000 \
         iterations of `t0; log; t1; spin 100-200 ns`, recording `t1 - t0 - timer cost`, with a flush (untimed) \
         between runs; each figure is the median of the three runs' figures (the runs' p50, p99.9 and max are \
         in `raw.jsonl`). `÷ floor` divides by the floor's p50 measured in the same process.\n"
    );
    for msg in MESSAGES {
        let _ = writeln!(o, "### {}\n", msg.name);
        let _ = writeln!(
            o,
            "| logger | p50 | p90 | p99 | p99.9 | p99.99 | max | mean≤p99 | p50 ÷ floor | dropped |"
        );
        let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for run in ok {
            let Some(m) = run.message(msg.name) else {
                continue;
            };
            let pc = &m.per_call.stats;
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                run.logger,
                ns(pc.p50),
                ns(pc.p90),
                ns(pc.p99),
                ns(pc.p999),
                ns(pc.p9999),
                ns(pc.max),
                ns(pc.tmean),
                ratio(pc.p50, run.floor.per_call.p50),
                drops(&m.per_call.phase),
            );
        }
        let _ = writeln!(o);
    }
}

fn batch_tables(o: &mut String, ok: &[&LoggerResults]) {
    let samples = ok.iter().find_map(|r| {
        r.message(MESSAGES[0].name)
            .and_then(|m| m.batch1.as_ref())
            .map(|b| b.stats.n)
    });
    let Some(samples) = samples else {
        return;
    };
    let _ = writeln!(o, "## Batch latency (Quill's method), ns per call\n");
    let _ = writeln!(
        o,
        "Per producer thread {samples} samples of `t0; 20 logs; t1`, recorded as `(t1 - t0 - timer cost) / 20`, \
         then a 2.0-2.2 ms busy spin. These are percentiles of 20-call averages. 2T: two producer threads at \
         once (cores 0 and 1; on this 2-core machine the writer then has no core of its own), samples of both \
         threads pooled. The method asks for 10,000 samples per thread (`--full`); quick mode takes fewer, so \
         its p99.9 rests on few samples (with 500 samples per thread, the 1T p99.9 is the largest sample).\n"
    );
    for msg in MESSAGES {
        let _ = writeln!(o, "### {}\n", msg.name);
        let _ = writeln!(
            o,
            "| logger | 1T p50 | 1T p99 | 1T p99.9 | 1T max | 2T p50 | 2T p99 | 2T p99.9 | 2T max | dropped 1T / 2T |"
        );
        let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for run in ok {
            let Some(m) = run.message(msg.name) else {
                continue;
            };
            let cells = |b: &Option<Batch>| -> [String; 5] {
                match b {
                    None => std::array::from_fn(|_| "n/a".to_string()),
                    Some(b) => [
                        ns(b.stats.p50),
                        ns(b.stats.p99),
                        ns(b.stats.p999),
                        ns(b.stats.max),
                        drops(&b.phase),
                    ],
                }
            };
            let [a50, a99, a999, amax, ad] = cells(&m.batch1);
            let [b50, b99, b999, bmax, bd] = cells(&m.batch2);
            let _ = writeln!(
                o,
                "| {} | {a50} | {a99} | {a999} | {amax} | {b50} | {b99} | {b999} | {bmax} | {ad} / {bd} |",
                run.logger,
            );
        }
        let _ = writeln!(o);
    }
}

fn throughput_table(o: &mut String, ok: &[&LoggerResults]) {
    let m = ok
        .iter()
        .find_map(|r| r.message(MESSAGES[0].name).map(|m| m.throughput.m))
        .unwrap_or(0);
    let _ = writeln!(o, "## Throughput, million messages per second\n");
    let _ = writeln!(
        o,
        "One producer logs M = {m} messages back to back; the clock stops when the logger's flush returns, or, \
         for loggers without a blocking flush, when the last line shows up in the sink file (polled every \
         0.2 ms). Three runs per message; the table shows M / the median time. llt uses a second logger whose ring holds all M messages; every other logger keeps its \
         configured queue, so a logger that drops when full is marked and its figure counts calls, not lines.\n"
    );
    let mut head = String::from("| logger |");
    let mut rule = String::from("|---|");
    for msg in MESSAGES {
        let _ = write!(head, " {} |", msg.name);
        rule.push_str("---:|");
    }
    let _ = writeln!(o, "{head}\n{rule}");
    for run in ok {
        let mut row = format!("| {} |", run.logger);
        for msg in MESSAGES {
            let cell = match run.message(msg.name) {
                Some(m) => {
                    let t = &m.throughput;
                    match t.phase.dropped {
                        0 => mps(t.calls_per_s),
                        d => format!(
                            "{} (**{d} of {} dropped**; {} M lines/s)",
                            mps(t.calls_per_s),
                            t.phase.logged,
                            mps(t.lines_per_s)
                        ),
                    }
                }
                None => "–".into(),
            };
            let _ = write!(row, " {cell} |");
        }
        let _ = writeln!(o, "{row}");
    }
    let _ = writeln!(o);
}

fn drops_table(o: &mut String, ok: &[&LoggerResults]) {
    let _ = writeln!(o, "## Drops and the guard\n");
    let _ = writeln!(
        o,
        "After every phase the harness flushes and checks that lines in the sink file + dropped = lines \
         logged (pre-fault and warm-up calls included). `counter`: the logger counts its drops; `inferred`: it \
         does not, and drops are logged minus lines in the file. Cells are per-call / batch 1T / batch 2T / \
         throughput.\n"
    );
    let names: Vec<&str> = MESSAGES.iter().map(|m| m.name).collect();
    let _ = writeln!(o, "| logger | guard | drop count | {} |", names.join(" | "));
    let _ = writeln!(o, "|---|---|---|{}", "---|".repeat(MESSAGES.len()));
    for run in ok {
        let g = &run.guard;
        let mut row = format!(
            "| {} | {} ({} logged, {} lines, {} dropped) | {} |",
            run.logger,
            if g.ok { "ok" } else { "**FAILED**" },
            g.logged,
            g.lines,
            g.dropped,
            match g.drop_count {
                DropCount::Counter => "counter",
                DropCount::Inferred => "inferred",
            }
        );
        for msg in MESSAGES {
            let cell = match run.message(msg.name) {
                Some(m) => {
                    let phase = |p: Option<&Phase>| match p.map(|p| p.dropped) {
                        Some(0) => "0".to_string(),
                        Some(n) => format!("**{n}**"),
                        None => "–".into(),
                    };
                    [
                        phase(Some(&m.per_call.phase)),
                        phase(m.batch1.as_ref().map(|b| &b.phase)),
                        phase(m.batch2.as_ref().map(|b| &b.phase)),
                        phase(Some(&m.throughput.phase)),
                    ]
                    .join(" / ")
                }
                None => "–".into(),
            };
            let _ = write!(row, " {cell} |");
        }
        let _ = writeln!(o, "{row}");
    }
    let _ = writeln!(o);
}

fn floor_table(o: &mut String, ok: &[&LoggerResults]) {
    let _ = writeln!(o, "## The floor, as measured in each process\n");
    let _ = writeln!(
        o,
        "A TSC read, a 32-byte store and a release store of the head into an SPSC slot ring drained by a \
         consumer thread (`bench-peers/src/floor.rs`), measured with the per-call method (100,000 calls) and \
         with the batch method (500 samples, 1 thread) at the start of every process, before its logger is set \
         up. The spread across processes shows how much the machine drifted during the run. The ordered floor is \
         the same ring with the TSC read by `rdtscp`, which waits for the loads before it: the least a logger \
         must do whose timestamps keep causally ordered lines in order (llt does; a plain `rdtsc` does not).\n"
    );
    let _ = writeln!(
        o,
        "| process | timer cost | per-call p50 | per-call p99.9 | per-call mean≤p99 | batch p50 | ordered per-call p50 | ordered mean≤p99 |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for run in ok {
        let f = &run.floor;
        let ordered = |pick: fn(&Percentiles) -> f64| {
            f.ordered_per_call
                .as_ref()
                .map_or("–".into(), |p| ns(pick(p)))
        };
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            run.logger,
            ns(run.timer_cost_ns),
            ns(f.per_call.p50),
            ns(f.per_call.p999),
            ns(f.per_call.tmean),
            ns(f.batch1.p50),
            ordered(|p| p.p50),
            ordered(|p| p.tmean),
        );
    }
    let _ = writeln!(o);
}

fn writer_table(o: &mut String, ok: &[&LoggerResults]) {
    let Some(w) = ok
        .iter()
        .find(|r| r.logger == "llt")
        .and_then(|llt| llt.extra.writer.as_ref())
    else {
        return;
    };
    let _ = writeln!(o, "## llt's writer throughput, million lines per second\n");
    let _ = writeln!(
        o,
        "A logger whose ring holds all M = {} messages (nothing can drop), default line format (RFC 3339 UTC \
         timestamp with microseconds, level, message), sink `/dev/null` or a file. One producer logs the M \
         messages as fast as it can while the writer drains concurrently (llt cannot pause its writer), then \
         calls `flush()`. **backlog** = (M − lines written when the producer finished) / (producer finished → \
         flush returned): the writer alone draining a full ring with the producer idle, i.e. the writer-only \
         rate. **end to end** = M / (first log → flush returned). **M ÷ wait** = M / (producer finished → flush \
         returned), the cruder approximation, an upper bound.\n",
        w.m
    );
    let _ = writeln!(
        o,
        "| message | /dev/null backlog | /dev/null end to end | /dev/null M ÷ wait | file backlog | file end to end | file M ÷ wait | guard |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---|");
    for r in &w.runs {
        let (a, b) = (&r.dev_null, &r.file);
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            mps(a.backlog_per_s),
            mps(a.end_to_end_per_s),
            mps(a.m_over_flush_wait_per_s),
            mps(b.backlog_per_s),
            mps(b.end_to_end_per_s),
            mps(b.m_over_flush_wait_per_s),
            if a.guard_ok && b.guard_ok {
                "ok (0 dropped)".to_string()
            } else {
                format!("**FAILED** ({} / {} dropped)", a.dropped, b.dropped)
            }
        );
    }
    let _ = writeln!(o);
}

fn instr_table(o: &mut String, instr: &[InstrRow]) {
    let _ = writeln!(
        o,
        "## Instructions per call, seed message, producer thread\n"
    );
    let _ = writeln!(
        o,
        "`valgrind --tool=callgrind --separate-threads=yes --toggle-collect='*::run_calls_<logger>'` on \
         `bench-peers/src/bin/instr.rs` with N and 2N calls; (Ir(2N) − Ir(N)) / N on the main thread. \
         Deterministic; writer threads are not counted. Includes the loop itself and `i as f64 * 1.5` \
         (about 6 instructions). Under valgrind the CPUID a library sees is valgrind's, so a logger that picks \
         its clock by CPUID (quanta, minstant) may read the time differently than it does natively.\n"
    );
    let _ = writeln!(o, "| logger | instructions / call | Ir(N) | Ir(2N) | N |");
    let _ = writeln!(o, "|---|---:|---:|---:|---:|");
    for row in instr {
        match row {
            InstrRow::Counted {
                logger,
                n,
                ir_n,
                ir_2n,
            } => {
                let per = (*ir_2n as f64 - *ir_n as f64) / *n as f64;
                let _ = writeln!(o, "| {logger} | {per:.1} | {ir_n} | {ir_2n} | {n} |");
            }
            InstrRow::NotCounted { logger, why } => {
                let _ = writeln!(o, "| {logger} | not measured: {why} | | | |");
            }
        }
    }
    let _ = writeln!(o);
}

/// The table of messages the run was made with.
fn messages_table(o: &mut String) {
    let _ = writeln!(o, "## The messages\n");
    let _ = writeln!(
        o,
        "As written in `message_table!` (`bench-peers/src/messages.rs`), which both makes the log calls and \
         names the results. `i` is the call's index as an `i32`; `concat` is a `&str` built at run time \
         (`\"basic+udp:host=192.168.1.140,port=12246\"`).\n"
    );
    let _ = writeln!(o, "| name | format | args |");
    let _ = writeln!(o, "|---|---|---|");
    for m in MESSAGES {
        let args = if m.args.is_empty() {
            "–".to_owned()
        } else {
            format!("`{}`", m.args)
        };
        let _ = writeln!(
            o,
            "| {} | `{}` | {args} |",
            m.name,
            m.format.replace('|', "\\|")
        );
    }
    let _ = writeln!(o);
}

fn configs(o: &mut String, ok: &[&LoggerResults]) {
    let _ = writeln!(o, "## How each logger is set up\n");
    let _ = writeln!(
        o,
        "Every logger writes the same messages to the same kind of sink (a file in a temporary directory on \
         the same disk), with its own default line format, queue and overflow policy; queue sizes are about \
         64 Ki messages where the logger lets us choose.\n"
    );
    for run in ok {
        let _ = writeln!(o, "- **{}**: {}", run.logger, run.config);
        for n in &run.notes {
            let _ = writeln!(o, "  - {n}");
        }
    }
    let _ = writeln!(o);
}

/// Distinct, dark enough colours for the peers (llt is red, the floor black).
const PALETTE: [(u8, u8, u8); 11] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
    (0, 0, 128),
    (128, 64, 0),
];

/// Per-call percentiles of the seed message, per logger, log scale.
fn chart(ok: &[&LoggerResults], path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let figures: [fn(&Percentiles) -> f64; 6] = [
        |p| p.p50,
        |p| p.p90,
        |p| p.p99,
        |p| p.p999,
        |p| p.p9999,
        |p| p.max,
    ];
    let labels = ["p50", "p90", "p99", "p99.9", "p99.99", "max"];
    let values = |p: &Percentiles| -> Vec<f64> { figures.iter().map(|get| get(p)).collect() };
    let mut series: Vec<(String, Vec<f64>)> = Vec::new();
    if let Some(llt) = ok.iter().find(|r| r.logger == "llt") {
        series.push(("floor".into(), values(&llt.floor.per_call)));
    }
    for run in ok {
        if let Some(m) = run.message(MESSAGES[0].name) {
            series.push((run.logger.clone(), values(&m.per_call.stats)));
        }
    }
    let lo = 1.0f64;
    let hi = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(100.0f64, f64::max)
        * 2.0;
    let root = SVGBackend::new(path, (1000, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Per-call latency, seed message (log scale; NanoLog's method; floor measured in llt's process)",
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.2f64..5.2f64, (lo..hi).log_scale())?;
    chart
        .configure_mesh()
        .x_labels(6)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && (0.0..6.0).contains(&i) {
                labels[i as usize].to_string()
            } else {
                String::new()
            }
        })
        .y_desc("latency per call")
        .y_label_formatter(&|y| {
            if *y >= 1e6 {
                format!("{:.0} ms", y / 1e6)
            } else if *y >= 1e3 {
                format!("{:.0} µs", y / 1e3)
            } else {
                format!("{y:.0} ns")
            }
        })
        .draw()?;
    for (i, (label, values)) in series.iter().enumerate() {
        let color: RGBAColor = match label.as_str() {
            "floor" => BLACK.to_rgba(),
            "llt" => RED.to_rgba(),
            _ => {
                let (r, g, b) = PALETTE[i % PALETTE.len()];
                RGBColor(r, g, b).to_rgba()
            }
        };
        let width = if label == "llt" || label == "floor" {
            3
        } else {
            1
        };
        let pts: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .map(|(x, &y)| (x as f64, y.max(lo)))
            .collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(width)))?
            .label(label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(width))
            });
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use llt_bench_peers::Mode;
    use llt_bench_peers::results::{
        Extra, Failure, FloorResults, Guard, PerCall, RunSpread, Throughput, WriterResults,
    };

    fn stats() -> Percentiles {
        Percentiles {
            p50: 10.0,
            p90: 11.0,
            p99: 12.0,
            p999: 13.0,
            p9999: 14.0,
            max: 15.0,
            mean: 10.5,
            tmean: 10.25,
            n: 100,
        }
    }

    fn phase() -> Phase {
        Phase {
            logged: 100,
            written: 100,
            dropped: 0,
            drop_count: DropCount::Counter,
            guard_ok: true,
        }
    }

    /// Complete results of `logger`: every message, every phase, guards ok.
    fn complete(logger: &str) -> LoggerResults {
        let batch = Batch {
            stats: stats(),
            phase: phase(),
            thread_prefault: None,
        };
        LoggerResults {
            logger: logger.to_owned(),
            config: "test".into(),
            mode: Mode::Quick,
            notes: Vec::new(),
            max_threads: 2,
            ticks_per_ns: 2.6,
            timer_cost_ns: 20.0,
            tsc_step_ns: 9.6,
            floor: FloorResults {
                per_call: stats(),
                batch1: stats(),
                ordered_per_call: Some(stats()),
                ring_full: 0,
            },
            messages: MESSAGES
                .iter()
                .map(|m| MessageResults {
                    name: m.name.to_owned(),
                    per_call: PerCall {
                        stats: stats(),
                        runs: RunSpread::of(&[stats()]),
                        phase: phase(),
                    },
                    batch1: Some(batch.clone()),
                    batch2: Some(batch.clone()),
                    throughput: Throughput {
                        m: 100,
                        reps: 1,
                        secs_each: vec![0.1],
                        producer_secs_each: vec![0.05],
                        secs: 0.1,
                        calls_per_s: 1000.0,
                        lines_per_s: 1000.0,
                        phase: phase(),
                    },
                })
                .collect(),
            extra: Extra {
                writer: (logger == "llt").then(|| WriterResults {
                    m: 100,
                    line_format: "default".into(),
                    runs: Vec::new(),
                }),
            },
            guard: Guard {
                logged: 100,
                lines: 100,
                dropped: 0,
                drop_count: DropCount::Counter,
                ok: true,
                failures: 0,
            },
            secs: 1.0,
        }
    }

    fn all_complete() -> Vec<Line> {
        PEERS
            .iter()
            .map(|p| Line::Results(Box::new(complete(p))))
            .collect()
    }

    #[test]
    fn a_complete_run_leaves_nothing_out() {
        assert_eq!(left_out(&all_complete(), None), Vec::<String>::new());
        let md = render(&all_complete(), "", None);
        assert!(
            md.contains("## Left out\n\nNothing: all 11 loggers"),
            "{md}"
        );
    }

    #[test]
    fn missing_and_failed_loggers_are_named() {
        let mut lines = all_complete();
        lines.retain(
            |l| !matches!(l, Line::Results(r) if r.logger == "slog" || r.logger == "spdlog"),
        );
        lines.push(Line::Failed(Failure {
            logger: "spdlog".into(),
            error: "exited with status 101".into(),
        }));
        // tracing has results, and a line that does not parse besides.
        lines.push(Line::parse(12, "{\"logger\":\"tracing\",\"config\":1}"));
        let gaps = left_out(&lines, None);
        assert!(
            gaps.contains(&"`slog`: no results in `raw.jsonl`".to_owned()),
            "{gaps:?}"
        );
        assert!(
            gaps.contains(&"`spdlog`: did not run: exited with status 101".to_owned()),
            "{gaps:?}"
        );
        assert!(
            gaps.iter()
                .any(|g| g.starts_with("`tracing`: line 12 of `raw.jsonl` does not parse")),
            "{gaps:?}"
        );
        let md = render(&lines, "", None);
        assert!(md.contains("9 of the 11 loggers"), "{md}");
    }

    #[test]
    fn missing_messages_phases_and_failed_guards_are_named() {
        let mut lines = all_complete();
        for line in &mut lines {
            let Line::Results(r) = line else { continue };
            match r.logger.as_str() {
                "quicklog" => {
                    r.max_threads = 1;
                    r.messages.iter_mut().for_each(|m| m.batch2 = None);
                }
                "ftlog" => {
                    r.messages.truncate(5);
                    r.messages[2].throughput.phase.guard_ok = false;
                    r.guard.ok = false;
                    r.guard.failures = 1;
                }
                "llt" => r.extra.writer = None,
                _ => {}
            }
        }
        let gaps = left_out(&lines, None);
        assert_eq!(
            gaps,
            [
                "`llt`: writer throughput not measured (`--no-writer`)",
                "`quicklog`: 2-thread batch not measured (the logger supports 1 producer thread) for every message",
                "`ftlog`: messages not measured: complexFormat, stringConcat",
                "`ftlog`: **guard failed** in singleInteger / throughput: 100 logged, 100 written, 0 dropped",
                "`ftlog`: **guard failed** (checks that did not add up: 1; at the end 100 logged, 100 lines, 0 dropped)",
            ]
        );
    }

    #[test]
    fn instruction_rows_parse_and_gaps_are_named() {
        let rows = InstrRow::parse_all(
            "llt\t20000\t600026\t1200026\ninqjet failed under valgrind: boom\n",
        );
        assert_eq!(
            rows[0],
            InstrRow::Counted {
                logger: "llt".into(),
                n: 20000,
                ir_n: 600026,
                ir_2n: 1200026
            }
        );
        let gaps = left_out(&all_complete(), Some(&rows));
        assert_eq!(
            gaps[0],
            "`inqjet`: instructions not counted: failed under valgrind: boom"
        );
        assert!(gaps[1].starts_with(
            "instructions not counted (no row in `instructions.tsv`): llt_orig, quicklog,"
        ));
        assert!(
            render(&all_complete(), "", Some(&rows))
                .contains("| llt | 30.0 | 600026 | 1200026 | 20000 |")
        );
    }

    #[test]
    fn results_survive_the_json_line() {
        let r = complete("llt");
        let json = serde_json::to_string(&r).expect("serialise");
        let Line::Results(back) = Line::parse(1, &json) else {
            panic!("does not parse back: {json}");
        };
        assert_eq!(serde_json::to_string(&back).expect("serialise"), json);
        assert_eq!(back.messages[0].per_call.stats, stats());
    }
}
