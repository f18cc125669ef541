//! Binary log files against text, in the same run, on the same workload,
//! files on tmpfs (`/dev/shm`, else the temp dir):
//!
//! 1. writer throughput end to end for the seed message: one producer logs
//!    `RECORDS` records back to back (rings large enough to drop none),
//!    timed until `flush` returns (the writer has written them all);
//! 2. file size for NanoLog's message mix;
//! 3. decode speed (`llt_decode::Reader` + `Text`, default layout).
//!
//! Run: `cargo bench --bench binary` (add `-- --quick` for a short run).
//! Prints medians of `ROUNDS` runs; nothing here is asserted but the
//! absence of drops, which would make the figures meaningless.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use llt_decode::{Reader, Text};
use llt_rs::{LineFormat, Logger, llt_log};

const SEED_RECORDS: u64 = 4_000_000;
/// Ring capacity (64-byte messages): 256 MiB, which holds the whole timed
/// run even if the writer falls far behind.
const RING_MESSAGES: usize = 4 << 20;
const MIX_ROUNDS: u64 = 200_000;

fn dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_owned()
    } else {
        std::env::temp_dir()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Output {
    Text,
    Binary,
}

fn logger(output: Output, path: &Path, ring_messages: usize) -> Logger {
    let _ = std::fs::remove_file(path);
    let builder = Logger::builder().capacity(ring_messages).no_pinning();
    let builder = match output {
        Output::Text => builder.sink(std::fs::File::create(path).expect("text file")),
        Output::Binary => builder.binary_file(path),
    };
    builder.build().expect("logger")
}

/// CPU time of the live writer thread so far (Linux `schedstat`, in
/// nanoseconds; 0 elsewhere). On a busy machine, records per writer CPU
/// second is the figure that does not depend on what else runs.
fn writer_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim_end() == "llt-writer" {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            return stat
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        }
    }
    0
}

/// Logs the seed message `SEED_RECORDS` times; records per second until
/// the writer has written everything, and per second of writer CPU time.
fn seed_throughput(output: Output, path: &Path) -> (f64, f64) {
    seed_run(output, path, SEED_RECORDS, RING_MESSAGES)
}

/// Writes the whole ring once, so that a timed run touches no fresh page
/// (a page fault per 4 KiB would be timed otherwise).
fn warm_up(logger: &Logger, ring_messages: usize) {
    let records = (ring_messages as u64 * 64).div_ceil(32);
    for i in 0..records {
        llt_log!(
            logger,
            "[SENSOR] Event ID: {} | Value: {:.4}",
            i,
            i as f64 * 1.5
        );
        if i % (1 << 20) == 0 {
            logger.flush();
        }
    }
    logger.flush();
}

/// `seed_throughput` with a given size (small under valgrind).
fn seed_run(output: Output, path: &Path, records: u64, ring_messages: usize) -> (f64, f64) {
    let logger = logger(output, path, ring_messages);
    warm_up(&logger, ring_messages);
    let cpu_start = writer_cpu_ns();
    let start = Instant::now();
    for i in 0..records {
        let i = black_box(i);
        llt_log!(
            logger,
            "[SENSOR] Event ID: {} | Value: {:.4}",
            i,
            i as f64 * 1.5
        );
    }
    let produced = start.elapsed();
    logger.flush();
    let elapsed = start.elapsed();
    let cpu = (writer_cpu_ns() - cpu_start) as f64 / 1e9;
    assert_eq!(logger.get_dropped_count(), 0, "the bench dropped records");
    drop(logger);
    let records = records as f64;
    PRODUCER.with(|p| p.borrow_mut().push(records / produced.as_secs_f64()));
    (records / elapsed.as_secs_f64(), records / cpu)
}

/// Channels of `Gate`: the writer says it is inside `fmt`, then waits
/// there until released.
#[allow(clippy::type_complexity)]
static GATE: std::sync::Mutex<
    Option<(std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>)>,
> = std::sync::Mutex::new(None);

/// A user type whose `Display` runs on the writer and holds it there.
#[derive(Debug, Clone, Copy)]
struct Gate;

impl std::fmt::Display for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let gate = GATE.lock().unwrap().take();
        if let Some((entered, release)) = gate {
            entered.send(()).unwrap();
            release.recv().unwrap();
        }
        f.write_str("gate")
    }
}

/// The writer alone: `SEED_RECORDS` seed records are queued while the
/// writer is held, then it is released and timed until `flush` returns.
/// Records per second, with no producer running meanwhile.
fn writer_drain(output: Output, path: &Path) -> f64 {
    let logger = logger(output, path, RING_MESSAGES);
    warm_up(&logger, RING_MESSAGES);
    let (entered_tx, entered_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel();
    *GATE.lock().unwrap() = Some((entered_tx, release_rx));
    llt_log!(logger, "{}", Gate);
    entered_rx.recv().unwrap();
    for i in 0..SEED_RECORDS {
        let i = black_box(i);
        llt_log!(
            logger,
            "[SENSOR] Event ID: {} | Value: {:.4}",
            i,
            i as f64 * 1.5
        );
    }
    let start = Instant::now();
    release_tx.send(()).unwrap();
    logger.flush();
    let elapsed = start.elapsed();
    assert_eq!(logger.get_dropped_count(), 0, "the bench dropped records");
    drop(logger);
    SEED_RECORDS as f64 / elapsed.as_secs_f64()
}

/// NanoLog's six messages, `MIX_ROUNDS` times each.
fn nanolog_mix(output: Output, path: &Path) -> u64 {
    let logger = logger(output, path, RING_MESSAGES);
    let coordinator = String::from("basic+udp:host=192.168.1.140,port=12246");
    for i in 0..MIX_ROUNDS {
        llt_log!(logger, "Starting backup replica garbage collector thread");
        llt_log!(
            logger,
            "Backup storage speeds (min): {} MB/s read",
            181 + i % 7
        );
        llt_log!(
            logger,
            "buffer has consumed {} bytes of extra storage, current allocation: {} bytes",
            1032024 + i,
            1016544
        );
        llt_log!(
            logger,
            "Using tombstone ratio balancer with ratio = {:.6}",
            0.4
        );
        llt_log!(
            logger,
            "Initialized InfUdDriver buffers: {} receive buffers ({} MB), {} transmit buffers ({} MB), took {:.1} ms",
            50000,
            97,
            50,
            0,
            26.2
        );
        llt_log!(
            logger,
            "Opened session with coordinator at {}",
            coordinator.as_str()
        );
        if i % 4096 == 0 {
            logger.flush(); // keep the rings from filling
        }
    }
    logger.flush();
    assert_eq!(logger.get_dropped_count(), 0, "the bench dropped records");
    drop(logger);
    std::fs::metadata(path).expect("log file").len()
}

/// Decodes a binary log into default-layout text (discarded); returns
/// (records, text bytes, time).
fn decode(path: &Path) -> (u64, u64, Duration) {
    let start = Instant::now();
    let file = std::fs::File::open(path).expect("binary log");
    let mut reader = Reader::new(file);
    let mut text = Text::new(LineFormat::Default);
    let (mut records, mut bytes) = (0u64, 0u64);
    while let Some(record) = reader.next_record().expect("decodes") {
        records += 1;
        bytes += black_box(text.line(&record)).len() as u64;
    }
    (records, bytes, start.elapsed())
}

thread_local! {
    /// Rate of each timed producer loop alone (before `flush`).
    static PRODUCER: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads of the producers' clock (`Clock::raw`, the timestamp every record
/// carries) per second, back to back and nothing else: no producer can log
/// faster than it can read the clock.
fn clock_reads() -> f64 {
    let clock = llt_rs::clock::Clock::new();
    const READS: u64 = 20_000_000;
    let start = Instant::now();
    let mut sum = 0u64;
    for _ in 0..READS {
        sum = sum.wrapping_add(black_box(&clock).raw());
    }
    black_box(sum);
    READS as f64 / start.elapsed().as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    if std::env::args().any(|a| a == "--profile-decode") {
        // For `perf record`: decoding alone.
        let path = dir().join(format!("llt-bench-{}.lltb", std::process::id()));
        nanolog_mix(Output::Binary, &path);
        for _ in 0..3 {
            let (records, _, elapsed) = decode(&path);
            println!(
                "decode: {:.2} M records/s",
                records as f64 / elapsed.as_secs_f64() / 1e6
            );
        }
        let _ = std::fs::remove_file(&path);
        return;
    }
    if std::env::args().any(|a| a == "--profile-binary") {
        // For `perf record`: the binary writer alone.
        let path = dir().join(format!("llt-bench-{}.lltb", std::process::id()));
        let output = if std::env::args().any(|a| a == "--text") {
            Output::Text
        } else {
            Output::Binary
        };
        // `--small`: for valgrind (`--tool=callgrind --separate-threads=yes`).
        let (wall, cpu) = if std::env::args().any(|a| a == "--small") {
            seed_run(output, &path, 200_000, 1 << 14)
        } else {
            seed_throughput(output, &path)
        };
        println!(
            "binary seed: {:.1} M/s, {:.1} M/s of writer CPU",
            wall / 1e6,
            cpu / 1e6
        );
        let _ = std::fs::remove_file(&path);
        return;
    }
    let rounds = if quick { 1 } else { 5 };
    let dir = dir();
    let text_path = dir.join(format!("llt-bench-{}.log", std::process::id()));
    let binary_path = dir.join(format!("llt-bench-{}.lltb", std::process::id()));

    let (mut text, mut binary) = (Vec::new(), Vec::new());
    let (mut text_cpu, mut binary_cpu) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (wall, cpu) = seed_throughput(Output::Text, &text_path);
        text.push(wall);
        text_cpu.push(cpu);
        let (wall, cpu) = seed_throughput(Output::Binary, &binary_path);
        binary.push(wall);
        binary_cpu.push(cpu);
    }
    let (text, binary) = (median(text), median(binary));
    let (text_cpu, binary_cpu) = (median(text_cpu), median(binary_cpu));
    let producer = median(PRODUCER.with(|p| p.take()));
    println!(
        "seed message, {SEED_RECORDS} records, end to end (median of {rounds}): text {:.1} M/s, binary {:.1} M/s ({:.1}x)",
        text / 1e6,
        binary / 1e6,
        binary / text
    );
    println!(
        "  per second of writer CPU time: text {:.1} M/s ({:.1} ns/record), binary {:.1} M/s ({:.1} ns/record)",
        text_cpu / 1e6,
        1e9 / text_cpu,
        binary_cpu / 1e6,
        1e9 / binary_cpu
    );
    println!(
        "  the producer's loop alone (until its last call returns, median of both): {:.1} M/s",
        producer / 1e6
    );
    let clock = median((0..rounds).map(|_| clock_reads()).collect());
    println!(
        "  the producers' clock alone (`Clock::raw` back to back, median of {rounds}): {:.1} M reads/s ({:.1} ns each), the most one producer can log",
        clock / 1e6,
        1e9 / clock
    );

    let (mut text, mut binary) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        text.push(writer_drain(Output::Text, &text_path));
        binary.push(writer_drain(Output::Binary, &binary_path));
    }
    let (text, binary) = (median(text), median(binary));
    println!(
        "  the writer alone (records queued while it is held, then drained to the file): text {:.1} M/s, binary {:.1} M/s ({:.1}x)",
        text / 1e6,
        binary / 1e6,
        binary / text
    );

    let text_size = nanolog_mix(Output::Text, &text_path);
    let binary_size = nanolog_mix(Output::Binary, &binary_path);
    let records = MIX_ROUNDS * 6;
    println!(
        "NanoLog mix, {records} records: text {:.1} MB ({:.1} B/record), binary {:.1} MB ({:.1} B/record), ratio 1/{:.1}",
        text_size as f64 / 1e6,
        text_size as f64 / records as f64,
        binary_size as f64 / 1e6,
        binary_size as f64 / records as f64,
        text_size as f64 / binary_size as f64
    );

    let mut speeds = Vec::new();
    let mut last = (0, 0);
    for _ in 0..rounds {
        let (records, bytes, elapsed) = decode(&binary_path);
        speeds.push(records as f64 / elapsed.as_secs_f64());
        last = (records, bytes);
    }
    let speed = median(speeds);
    println!(
        "decode (NanoLog mix to default text, median of {rounds}): {:.2} M records/s, {:.0} MB/s of text out",
        speed / 1e6,
        speed * last.1 as f64 / last.0 as f64 / 1e6
    );
    let _ = std::fs::remove_file(&text_path);
    let _ = std::fs::remove_file(&binary_path);
}
