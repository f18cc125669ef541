//! Turns the JSON lines of the bench binaries into `results.md` and
//! `latency.svg` (run by `scripts/compare.sh`).
//!
//! Usage: `report <dir>`; reads `<dir>/raw.jsonl` (one line per logger),
//! `<dir>/meta.txt` (`key: value` lines about the run) and, if present,
//! `<dir>/instructions.tsv` (`logger N ir_N ir_2N`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use llt_bench_peers::MESSAGES;
use plotters::prelude::*;
use serde_json::Value;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let raw = std::fs::read_to_string(dir.join("raw.jsonl")).expect("read raw.jsonl");
    let runs: Vec<Value> = raw
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let meta = std::fs::read_to_string(dir.join("meta.txt")).unwrap_or_default();
    let instr = std::fs::read_to_string(dir.join("instructions.tsv")).ok();
    let md = render(&runs, &meta, instr.as_deref());
    std::fs::write(dir.join("results.md"), md).expect("write results.md");
    chart(&runs, &dir.join("latency.svg")).expect("write latency.svg");
    eprintln!(
        "wrote {} and {}",
        dir.join("results.md").display(),
        dir.join("latency.svg").display()
    );
}

/// The runs that produced results (not error lines).
fn ok_runs(runs: &[Value]) -> Vec<&Value> {
    runs.iter()
        .filter(|r| r.get("messages").is_some())
        .collect()
}

fn name(run: &Value) -> &str {
    run["logger"].as_str().unwrap_or("?")
}

fn message<'a>(run: &'a Value, msg: &str) -> Option<&'a Value> {
    run["messages"]
        .as_array()?
        .iter()
        .find(|m| m["name"].as_str() == Some(msg))
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// A latency in ns, one decimal below 100, none above.
fn ns(v: &Value) -> String {
    match num(v) {
        Some(x) if x.abs() < 100.0 => format!("{x:.1}"),
        Some(x) => format!("{x:.0}"),
        None => "–".into(),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".into(),
    }
}

fn mps(x: Option<f64>) -> String {
    x.map_or("–".into(), |x| format!("{:.2}", x / 1e6))
}

/// Drops of one phase, with a marker when there were any.
fn drops(phase: &Value) -> String {
    match phase["dropped"].as_u64() {
        Some(0) => "0".into(),
        Some(n) => format!("**{n} dropped**"),
        None => "–".into(),
    }
}

/// Total drops of a message over its phases.
fn message_drops(m: &Value) -> u64 {
    ["per_call", "batch1", "batch2", "throughput"]
        .iter()
        .filter_map(|p| m[*p]["dropped"].as_u64())
        .sum()
}

fn render(runs: &[Value], meta: &str, instr: Option<&str>) -> String {
    let ok = ok_runs(runs);
    let mut o = String::new();
    let mode = ok
        .first()
        .and_then(|r| r["mode"].as_str())
        .unwrap_or("?")
        .to_owned();
    let _ = writeln!(o, "# llt and other Rust loggers, side by side\n");
    let _ = writeln!(
        o,
        "Made by `scripts/compare.sh` ({mode} mode) from the JSON lines of `bench-peers/benches/*.rs` \
         (methods in `shared/BENCHMARKS.md`, harness in `bench-peers/src/lib.rs`, set-ups in `bench-peers/src/peers.rs`).\n"
    );
    if !meta.trim().is_empty() {
        let _ = writeln!(o, "```text\n{}\n```\n", meta.trim());
    }
    let step = ok
        .first()
        .and_then(|r| r["tsc_step_ns"].as_f64())
        .unwrap_or(10.0);
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

    // Missing loggers.
    let failed: Vec<&Value> = runs.iter().filter(|r| r.get("error").is_some()).collect();
    if !failed.is_empty() {
        let _ = writeln!(o, "## Loggers that failed to run\n");
        for f in failed {
            let _ = writeln!(o, "- `{}`: {}", name(f), f["error"].as_str().unwrap_or("?"));
        }
        let _ = writeln!(o);
    }

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
    configs(&mut o, &ok);
    o
}

fn summary(o: &mut String, ok: &[&Value]) {
    let _ = writeln!(o, "## Summary: the seed message\n");
    let _ = writeln!(
        o,
        "`[SENSOR] Event ID: {{}} | Value: {{:.4}}` with `(i, i as f64 * 1.5)`. Per call: NanoLog's method \
         (ns, timer cost subtracted; median of three runs of 100,000 calls). Batch: Quill's method (ns per call, averages of 20 calls), \
         1 and 2 producer threads. Throughput: M messages back to back until all are written (median of 3). \
         `÷ floor`: divided by the floor measured with the same method in the same process (see below). \
         Chart: `latency.svg`.\n"
    );
    let _ = writeln!(
        o,
        "| logger | p50 | p99.9 | mean≤p99 | p50 ÷ floor | mean≤p99 ÷ floor | batch 1T p50 / p99.9 | batch 1T p50 ÷ floor | batch 2T p50 / p99.9 | throughput M/s | drops |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for run in ok {
        let Some(m) = message(run, "seed") else {
            continue;
        };
        let pc = &m["per_call"];
        let floor = &run["floor"]["per_call"];
        let b = |k: &str| {
            if m[k].is_null() {
                "n/a".to_string()
            } else {
                format!("{} / {}", ns(&m[k]["p50"]), ns(&m[k]["p999"]))
            }
        };
        let d = message_drops(m);
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            name(run),
            ns(&pc["p50"]),
            ns(&pc["p999"]),
            ns(&pc["tmean"]),
            ratio(num(&pc["p50"]), num(&floor["p50"])),
            ratio(num(&pc["tmean"]), num(&floor["tmean"])),
            b("batch1"),
            ratio(
                num(&m["batch1"]["p50"]),
                num(&run["floor"]["batch1"]["p50"])
            ),
            b("batch2"),
            mps(num(&m["throughput"]["calls_per_s"])),
            if d == 0 {
                "0".into()
            } else {
                format!("**{d}**")
            }
        );
    }
    let _ = writeln!(o);
}

/// Whether llt is lower than every peer, per message and figure.
fn verdicts(o: &mut String, ok: &[&Value]) {
    let Some(llt) = ok.iter().find(|r| name(r) == "llt") else {
        return;
    };
    let peers: Vec<&&Value> = ok.iter().filter(|r| name(r) != "llt").collect();
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
        let Some(lm) = message(llt, msg) else {
            continue;
        };
        let cell = |phase: &str, key: &str| -> String {
            let Some(x) = num(&lm[phase][key]) else {
                return "–".into();
            };
            let best = peers
                .iter()
                .filter_map(|p| Some((name(p), num(&message(p, msg)?[phase][key])?)))
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
            "| {msg} | {} | {} | {} | {} | {} |",
            cell("per_call", "p50"),
            cell("per_call", "p999"),
            cell("per_call", "tmean"),
            cell("batch1", "p50"),
            cell("batch1", "p999"),
        );
    }
    let _ = writeln!(o);
}

fn per_call_tables(o: &mut String, ok: &[&Value]) {
    let _ = writeln!(o, "## Per-call latency (NanoLog's method), ns\n");
    let _ = writeln!(
        o,
        "Single producer pinned to core 0, writer running. 10,000 warm-up calls, then three runs of 100,000 \
         iterations of `t0; log; t1; spin 100-200 ns`, recording `t1 - t0 - timer cost`, with a flush (untimed) \
         between runs; each figure is the median of the three runs' figures (the runs' p50, p99.9 and max are \
         in `raw.jsonl`). `÷ floor` divides by the floor's p50 measured in the same process.\n"
    );
    for msg in MESSAGES {
        let _ = writeln!(o, "### {msg}\n");
        let _ = writeln!(
            o,
            "| logger | p50 | p90 | p99 | p99.9 | p99.99 | max | mean≤p99 | p50 ÷ floor | dropped |"
        );
        let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for run in ok {
            let Some(m) = message(run, msg) else {
                continue;
            };
            let pc = &m["per_call"];
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                name(run),
                ns(&pc["p50"]),
                ns(&pc["p90"]),
                ns(&pc["p99"]),
                ns(&pc["p999"]),
                ns(&pc["p9999"]),
                ns(&pc["max"]),
                ns(&pc["tmean"]),
                ratio(num(&pc["p50"]), num(&run["floor"]["per_call"]["p50"])),
                drops(pc),
            );
        }
        let _ = writeln!(o);
    }
}

fn batch_tables(o: &mut String, ok: &[&Value]) {
    let samples = ok
        .iter()
        .find_map(|r| message(r, "seed").and_then(|m| m["batch1"]["n"].as_u64()));
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
        let _ = writeln!(o, "### {msg}\n");
        let _ = writeln!(
            o,
            "| logger | 1T p50 | 1T p99 | 1T p99.9 | 1T max | 2T p50 | 2T p99 | 2T p99.9 | 2T max | dropped 1T / 2T |"
        );
        let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for run in ok {
            let Some(m) = message(run, msg) else {
                continue;
            };
            let (b1, b2) = (&m["batch1"], &m["batch2"]);
            let two = |k: &str| {
                if b2.is_null() {
                    "n/a".to_string()
                } else {
                    ns(&b2[k])
                }
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |",
                name(run),
                ns(&b1["p50"]),
                ns(&b1["p99"]),
                ns(&b1["p999"]),
                ns(&b1["max"]),
                two("p50"),
                two("p99"),
                two("p999"),
                two("max"),
                drops(b1),
                if b2.is_null() {
                    "n/a".into()
                } else {
                    drops(b2)
                },
            );
        }
        let _ = writeln!(o);
    }
}

fn throughput_table(o: &mut String, ok: &[&Value]) {
    let m = ok
        .iter()
        .find_map(|r| message(r, "seed").and_then(|m| m["throughput"]["m"].as_u64()))
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
        let _ = write!(head, " {msg} |");
        rule.push_str("---:|");
    }
    let _ = writeln!(o, "{head}\n{rule}");
    for run in ok {
        let mut row = format!("| {} |", name(run));
        for msg in MESSAGES {
            let cell = match message(run, msg) {
                Some(m) => {
                    let t = &m["throughput"];
                    let d = t["dropped"].as_u64().unwrap_or(0);
                    if d == 0 {
                        mps(num(&t["calls_per_s"]))
                    } else {
                        format!(
                            "{} (**{d} of {} dropped**; {} M lines/s)",
                            mps(num(&t["calls_per_s"])),
                            t["logged"],
                            mps(num(&t["lines_per_s"]))
                        )
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

fn drops_table(o: &mut String, ok: &[&Value]) {
    let _ = writeln!(o, "## Drops and the guard\n");
    let _ = writeln!(
        o,
        "After every phase the harness flushes and checks that lines in the sink file + dropped = lines \
         logged (pre-fault and warm-up calls included). `counter`: the logger counts its drops; `inferred`: it \
         does not, and drops are logged minus lines in the file. Cells are per-call / batch 1T / batch 2T / \
         throughput.\n"
    );
    let _ = writeln!(
        o,
        "| logger | guard | drop count | {} |",
        MESSAGES.join(" | ")
    );
    let _ = writeln!(o, "|---|---|---|{}", "---|".repeat(MESSAGES.len()));
    for run in ok {
        let g = &run["guard"];
        let mut row = format!(
            "| {} | {} ({} logged, {} lines, {} dropped) | {} |",
            name(run),
            if g["ok"].as_bool() == Some(true) {
                "ok"
            } else {
                "**FAILED**"
            },
            g["logged"],
            g["lines"],
            g["dropped"],
            if g["drop_count"]
                .as_str()
                .is_some_and(|s| s.starts_with("inferred"))
            {
                "inferred"
            } else {
                "counter"
            }
        );
        for msg in MESSAGES {
            let cell = match message(run, msg) {
                Some(m) => ["per_call", "batch1", "batch2", "throughput"]
                    .iter()
                    .map(|p| match m[*p]["dropped"].as_u64() {
                        Some(0) => "0".to_string(),
                        Some(n) => format!("**{n}**"),
                        None => "–".into(),
                    })
                    .collect::<Vec<_>>()
                    .join(" / "),
                None => "–".into(),
            };
            let _ = write!(row, " {cell} |");
        }
        let _ = writeln!(o, "{row}");
    }
    let _ = writeln!(o);
}

fn floor_table(o: &mut String, ok: &[&Value]) {
    let _ = writeln!(o, "## The floor, as measured in each process\n");
    let _ = writeln!(
        o,
        "A TSC read, a 32-byte store and a release store of the head into an SPSC slot ring drained by a \
         consumer thread (`bench-peers/src/floor.rs`), measured with the per-call method (100,000 calls) and \
         with the batch method (500 samples, 1 thread) at the start of every process, before its logger is set \
         up. The spread across processes shows how much the machine drifted during the run.\n"
    );
    let _ = writeln!(
        o,
        "| process | timer cost | per-call p50 | per-call p99.9 | per-call mean≤p99 | batch p50 |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|");
    for run in ok {
        let f = &run["floor"];
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            name(run),
            ns(&run["timer_cost_ns"]),
            ns(&f["per_call"]["p50"]),
            ns(&f["per_call"]["p999"]),
            ns(&f["per_call"]["tmean"]),
            ns(&f["batch1"]["p50"]),
        );
    }
    let _ = writeln!(o);
}

fn writer_table(o: &mut String, ok: &[&Value]) {
    let Some(llt) = ok.iter().find(|r| name(r) == "llt") else {
        return;
    };
    let w = &llt["extra"]["writer"];
    let Some(runs) = w["runs"].as_array() else {
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
        w["m"]
    );
    let _ = writeln!(
        o,
        "| message | /dev/null backlog | /dev/null end to end | /dev/null M ÷ wait | file backlog | file end to end | file M ÷ wait | guard |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---|");
    for r in runs {
        let (a, b) = (&r["dev_null"], &r["file"]);
        let ok = a["guard_ok"].as_bool() == Some(true) && b["guard_ok"].as_bool() == Some(true);
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r["name"].as_str().unwrap_or("?"),
            mps(num(&a["backlog_per_s"])),
            mps(num(&a["end_to_end_per_s"])),
            mps(num(&a["m_over_flush_wait_per_s"])),
            mps(num(&b["backlog_per_s"])),
            mps(num(&b["end_to_end_per_s"])),
            mps(num(&b["m_over_flush_wait_per_s"])),
            if ok {
                "ok (0 dropped)".to_string()
            } else {
                format!("**FAILED** ({} / {} dropped)", a["dropped"], b["dropped"])
            }
        );
    }
    let _ = writeln!(o);
}

fn instr_table(o: &mut String, instr: &str) {
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
    for line in instr.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            [who, n, a, b] => {
                let per = match (n.parse::<f64>(), a.parse::<f64>(), b.parse::<f64>()) {
                    (Ok(n), Ok(a), Ok(b)) => format!("{:.1}", (b - a) / n),
                    _ => "–".into(),
                };
                let _ = writeln!(o, "| {who} | {per} | {a} | {b} | {n} |");
            }
            [who, rest @ ..] => {
                let _ = writeln!(o, "| {who} | not measured: {} | | | |", rest.join(" "));
            }
            [] => {}
        }
    }
    let _ = writeln!(o);
}

fn configs(o: &mut String, ok: &[&Value]) {
    let _ = writeln!(o, "## How each logger is set up\n");
    let _ = writeln!(
        o,
        "Every logger writes the same messages to the same kind of sink (a file in a temporary directory on \
         the same disk), with its own default line format, queue and overflow policy; queue sizes are about \
         64 Ki messages where the logger lets us choose.\n"
    );
    for run in ok {
        let _ = writeln!(
            o,
            "- **{}**: {}",
            name(run),
            run["config"].as_str().unwrap_or("")
        );
        if let Some(notes) = run["notes"].as_array() {
            for n in notes {
                let _ = writeln!(o, "  - {}", n.as_str().unwrap_or(""));
            }
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Left out: none. All ten peers named in BENCHMARKS.md build on stable Rust 1.95 and can write to the \
         common sink (llt-rs 0.6.0 only prints to stdout, so its process points fd 1 at the sink file; \
         low_latency_log only writes its own rolling file, so its lines are counted there).\n"
    );
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
fn chart(runs: &[Value], path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let ok = ok_runs(runs);
    let keys = ["p50", "p90", "p99", "p999", "p9999", "max"];
    let labels = ["p50", "p90", "p99", "p99.9", "p99.99", "max"];
    let mut series: Vec<(String, Vec<f64>)> = Vec::new();
    if let Some(llt) = ok.iter().find(|r| name(r) == "llt") {
        let f = &llt["floor"]["per_call"];
        series.push((
            "floor".into(),
            keys.iter().map(|k| num(&f[*k]).unwrap_or(1.0)).collect(),
        ));
    }
    for run in &ok {
        if let Some(m) = message(run, "seed") {
            let pc = &m["per_call"];
            series.push((
                name(run).to_owned(),
                keys.iter().map(|k| num(&pc[*k]).unwrap_or(1.0)).collect(),
            ));
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
