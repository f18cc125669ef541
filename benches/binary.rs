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

fn logger(output: Output, path: &Path) -> Logger {
    let _ = std::fs::remove_file(path);
    let builder = Logger::builder().capacity(RING_MESSAGES).no_pinning();
    let builder = match output {
        Output::Text => builder.sink(std::fs::File::create(path).expect("text file")),
        Output::Binary => builder.binary_file(path),
    };
    builder.build().expect("logger")
}

/// Logs the seed message `SEED_RECORDS` times; records per second until
/// the writer has written everything.
fn seed_throughput(output: Output, path: &Path) -> f64 {
    let logger = logger(output, path);
    // Warm-up: write the whole ring once, so the timed run touches no
    // fresh page (a page fault per 4 KiB would be timed otherwise).
    let warm_up = (RING_MESSAGES as u64 * 64).div_ceil(32);
    for i in 0..warm_up {
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
    let start = Instant::now();
    for i in 0..SEED_RECORDS {
        let i = black_box(i);
        llt_log!(
            logger,
            "[SENSOR] Event ID: {} | Value: {:.4}",
            i,
            i as f64 * 1.5
        );
    }
    logger.flush();
    let elapsed = start.elapsed();
    assert_eq!(logger.get_dropped_count(), 0, "the bench dropped records");
    drop(logger);
    SEED_RECORDS as f64 / elapsed.as_secs_f64()
}

/// NanoLog's six messages, `MIX_ROUNDS` times each.
fn nanolog_mix(output: Output, path: &Path) -> u64 {
    let logger = logger(output, path);
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

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 1 } else { 5 };
    let dir = dir();
    let text_path = dir.join(format!("llt-bench-{}.log", std::process::id()));
    let binary_path = dir.join(format!("llt-bench-{}.lltb", std::process::id()));

    let (mut text, mut binary) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        text.push(seed_throughput(Output::Text, &text_path));
        binary.push(seed_throughput(Output::Binary, &binary_path));
    }
    let (text, binary) = (median(text), median(binary));
    println!(
        "seed message, {SEED_RECORDS} records, end to end (median of {rounds}): text {:.1} M/s, binary {:.1} M/s ({:.1}x)",
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
