//! A binary log, decoded, is byte for byte the text the writer would have
//! written for the same records, in every `LineFormat`.
//!
//! The records are the same by construction: the writer of a binary log
//! with a tee (`Builder::binary_tee_text`) encodes each record for the file
//! and formats the very same record as text for the tee, timestamps
//! included. The workload: NanoLog's benchmark messages, the seed message,
//! every argument type the decoder rebuilds (with many specs), specs and
//! types it cannot rebuild (stored formatted by the writer), string records
//! at every level, `log` bridge records, JSON-hostile text, and several
//! named threads.

#![allow(clippy::uninlined_format_args)]

use std::fmt;
use std::path::{Path, PathBuf};

use llt_decode::{DecodeError, Reader, Text};
use llt_rs::{
    Level, LineFormat, Logger, MemorySink, llt_debug, llt_error, llt_log, llt_trace, llt_warn,
};

#[path = "support/binary_log.rs"]
mod binary_log;
use binary_log::{binary_logger, decode_bytes_as};

const FORMATS: [LineFormat; 3] = [
    LineFormat::Default,
    LineFormat::MessageOnly,
    LineFormat::Json,
];

fn temp_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("llt-binary-{name}-{}.lltb", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// A `Copy` user type: the decoder cannot format it, the writer stores
/// its statement's message formatted.
#[derive(Debug, Clone, Copy)]
struct Point {
    x: i32,
    y: f64,
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {:.1})", self.x, self.y)
    }
}

/// NanoLog's six messages (docs in /work/shared/BENCHMARKS.md) and the
/// seed's, `rounds` times.
fn nanolog_messages(logger: &Logger, rounds: usize) {
    let host = String::from("basic+udp:host=192.168.1.140,port=12246");
    for i in 0..rounds {
        llt_log!(logger, "Starting backup replica garbage collector thread");
        llt_log!(logger, "Backup storage speeds (min): {} MB/s read", 181 + i);
        llt_log!(
            logger,
            "buffer has consumed {} bytes of extra storage, current allocation: {} bytes",
            1032024u64,
            1016544 + i as u64
        );
        llt_log!(
            logger,
            "Using tombstone ratio balancer with ratio = {:.6}",
            0.4 + i as f64
        );
        llt_log!(
            logger,
            "Initialized InfUdDriver buffers: {} receive buffers ({} MB), {} transmit buffers ({} MB), took {:.1} ms",
            50000,
            97,
            50,
            0,
            26.2 + i as f64
        );
        llt_log!(
            logger,
            "Opened session with coordinator at {}",
            host.as_str()
        );
        llt_log!(
            logger,
            "[SENSOR] Event ID: {} | Value: {:.4}",
            i,
            i as f64 * 1.5
        );
    }
}

/// Every argument type the decoder rebuilds, extremes included.
fn every_type(logger: &Logger) {
    llt_log!(
        logger,
        "u: {} {} {} {} {} {}",
        u8::MAX,
        u16::MAX,
        u32::MAX,
        u64::MAX,
        u128::MAX,
        usize::MAX
    );
    llt_log!(
        logger,
        "i: {} {} {} {} {} {}",
        i8::MIN,
        i16::MIN,
        i32::MIN,
        i64::MIN,
        i128::MIN,
        isize::MIN
    );
    llt_log!(
        logger,
        "hex: {:x} {:#X} {:o} {:#b} {:x?} {:#X?}",
        -1i8,
        255u16,
        8u32,
        5u64,
        171u128,
        -2i64
    );
    llt_log!(
        logger,
        "exp: {:e} {:E} {:.3e} {:e}",
        1234.5f64,
        0.00012f32,
        6.02214076e23f64,
        1_000_000u64
    );
    llt_log!(
        logger,
        "f32: {} {:?} {} {} {}",
        0.1f32,
        1.0f32,
        f32::MAX,
        f32::MIN_POSITIVE,
        -0.0f32
    );
    llt_log!(
        logger,
        "f64: {} {:?} {} {} {} {}",
        0.1f64,
        1.0f64,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        5e-324f64
    );
    llt_log!(
        logger,
        "prec: [{:.0}] [{:.17}] [{:10.3}] [{:<+10.2}] [{:^010.1}] [{:*>12.4}]",
        2.5,
        0.1,
        -1.0f64 / 3.0,
        2.0f32,
        -9.87,
        1e10
    );
    llt_log!(
        logger,
        "bool: {} {:?} [{:>7}] [{:^8}]",
        true,
        false,
        true,
        false
    );
    llt_log!(
        logger,
        "char: {} {:?} {:?} [{:>4}] {:x?}",
        'é',
        '\n',
        '\'',
        '→',
        'z'
    );
    llt_log!(
        logger,
        "str: {} {:?} [{:.3}] [{:→^9}] [{:10?}]",
        "plain",
        "quo\"ted\t",
        "truncated",
        "mid",
        "dbg"
    );
    let owned = String::from("owned String");
    llt_log!(logger, "string: {} / {:?}", owned, &owned);
    llt_log!(logger, "positional: {1} {0} {1:?} {}", 'a', "b");
    llt_log!(
        logger,
        "json-hostile: {} {}",
        "\"quote\" \\back\\ \u{1}\u{7f}",
        "new\nline\r\ttab"
    );
    llt_log!(logger, "{{escaped}} {{{}}} }}{{", 5);
    llt_log!(logger, "unicode: {} {:>6}", "日本語 ✓", "ß");
}

/// Specs and types the decoder cannot rebuild: the writer stores these
/// messages formatted.
fn stored_formatted(logger: &Logger) {
    let p = Point { x: -3, y: 2.5 };
    let width = 7usize;
    let ident = 77u64;
    llt_log!(logger, "user type: {} {:?}", p, p);
    llt_log!(logger, "option: {:?} {:?}", Some(3u8), None::<u32>);
    llt_log!(logger, "captured: {ident} [{ident:>width$}]");
    llt_log!(logger, "named: {name} is {age}", name = "Ann", age = 37u8);
    llt_log!(logger, "width arg: [{:1$}] [{:.*}]", 5, 8, 1.23456);
    llt_log!(logger, "tuple: {:?} array: {:?}", (1u8, 'x'), [1.5f32, 2.5]);
}

/// String records, every level, the `log` bridge, named threads.
fn strings_levels_threads(logger: &Logger) {
    logger.log("a plain string record");
    logger.log(format!("an owned one: {}", 42));
    for level in [
        Level::Error,
        Level::Warn,
        Level::Info,
        Level::Debug,
        Level::Trace,
    ] {
        logger.log_str(level, "log_str at every level, \"quoted\"");
    }
    llt_error!(logger, "error {}", 1);
    llt_warn!(logger, "warn {}", 2);
    llt_debug!(logger, "debug {}", 3);
    llt_trace!(logger, "trace {}", 4);
    let bridge = llt_runtime::bridge::LogBridge::new(logger.clone());
    log::Log::log(
        &bridge,
        &log::Record::builder()
            .level(log::Level::Warn)
            .target("app::db")
            .args(format_args!("through the log crate: {}", 12))
            .build(),
    );
    let threads: Vec<_> = (0..3)
        .map(|t| {
            let logger = logger.clone();
            std::thread::Builder::new()
                .name(format!("worker-\"{t}\""))
                .spawn(move || {
                    for i in 0..200 {
                        llt_log!(logger, "thread {} says {} {:.2}", t, i, i as f64 / 7.0);
                    }
                    logger.log("bye");
                })
                .unwrap()
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

/// Runs `workload` through a binary logger with a text tee in `format`;
/// returns the binary log's path and the tee's text.
fn run(name: &str, format: LineFormat, workload: impl FnOnce(&Logger)) -> (PathBuf, Vec<u8>) {
    let path = temp_path(name);
    let tee = MemorySink::default();
    let logger = binary_logger(&path, format, &tee);
    workload(&logger);
    logger.flush();
    let stats = logger.stats();
    assert_eq!(stats.format_errors, 0);
    assert_eq!(stats.sink_errors, 0);
    drop(logger);
    (path, tee.contents())
}

/// Decodes a whole file into text in `format`; also returns how many
/// messages the decoder rebuilt from arguments.
fn decode(path: &Path, format: LineFormat) -> (Vec<u8>, usize) {
    let mut reader = Reader::new(std::fs::File::open(path).expect("log exists"));
    let mut text = Text::new(format);
    let mut out = Vec::new();
    let mut rebuilt = 0;
    while let Some(record) = reader.next_record().expect("decodes") {
        rebuilt += usize::from(record.rebuilt);
        out.extend_from_slice(text.line(&record));
    }
    (out, rebuilt)
}

fn full_workload(logger: &Logger) {
    nanolog_messages(logger, 300);
    every_type(logger);
    stored_formatted(logger);
    strings_levels_threads(logger);
}

#[test]
fn decoded_text_equals_the_text_writer_in_every_format() {
    for format in FORMATS {
        let (path, text) = run(&format!("identity-{format:?}"), format, full_workload);
        let (decoded, rebuilt) = decode(&path, format);
        let lines = text.iter().filter(|&&b| b == b'\n').count();
        assert!(lines > 2700, "{format:?}: {lines} lines");
        assert!(
            rebuilt > 2000,
            "{format:?}: only {rebuilt} messages rebuilt"
        );
        if decoded != text {
            let decoded = String::from_utf8_lossy(&decoded);
            let text = String::from_utf8_lossy(&text);
            for (i, (d, t)) in decoded.lines().zip(text.lines()).enumerate() {
                assert_eq!(d, t, "{format:?}: line {i} differs");
            }
            panic!(
                "{format:?}: decoded {} lines, text {}",
                decoded.lines().count(),
                text.lines().count()
            );
        }
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn the_file_is_much_smaller_than_the_text() {
    let (path, text) = run("size", LineFormat::Default, |logger| {
        nanolog_messages(logger, 2000)
    });
    let binary = std::fs::metadata(&path).unwrap().len() as usize;
    std::fs::remove_file(&path).unwrap();
    assert!(
        binary * 3 <= text.len(),
        "binary {binary} bytes, text {}",
        text.len()
    );
}

#[test]
fn the_writers_line_format_is_the_default() {
    let (path, text) = run("writer-format", LineFormat::Json, |logger| {
        nanolog_messages(logger, 2)
    });
    let mut reader = Reader::new(std::fs::File::open(&path).unwrap());
    let record = reader.next_record().unwrap().unwrap();
    assert_eq!(record.writer_format, LineFormat::Json);
    let (decoded, _) = decode(&path, record.writer_format);
    assert_eq!(decoded, text);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_log_cut_anywhere_decodes_every_whole_record_before_the_cut() {
    let (path, _) = run("cut", LineFormat::Default, |logger| {
        nanolog_messages(logger, 3);
        every_type(logger);
        logger.log("last");
    });
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let (full, _) = decode_bytes(&bytes);
    let full_lines: Vec<&[u8]> = full.split_inclusive(|&b| b == b'\n').collect();
    let mut previous = 0;
    let mut truncations = 0;
    for cut in 0..=bytes.len() {
        let (text, error) = decode_bytes(&bytes[..cut]);
        let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
        assert!(
            lines.len() >= previous,
            "cut {cut}: fewer records than a shorter cut"
        );
        assert_eq!(
            lines[..],
            full_lines[..lines.len()],
            "cut {cut}: not a prefix"
        );
        previous = lines.len();
        match error {
            None => {}
            Some(DecodeError::Truncated {
                offset,
                bytes: present,
            }) => {
                truncations += 1;
                assert_eq!(
                    offset as usize + present,
                    cut,
                    "cut {cut}: the report names the cut"
                );
            }
            Some(other) => panic!("cut {cut}: {other}"),
        }
    }
    assert_eq!(previous, full_lines.len());
    // Most cuts fall inside an entry, and every one of those is reported.
    assert!(
        truncations * 2 > bytes.len(),
        "{truncations} of {} cuts reported",
        bytes.len()
    );
}

/// Decodes bytes into Default lines, and the error that ended it, if any.
fn decode_bytes(bytes: &[u8]) -> (Vec<u8>, Option<DecodeError>) {
    decode_bytes_as(bytes, LineFormat::Default)
}

#[test]
fn files_one_after_the_other_decode_in_order() {
    let (first, text1) = run("rotated-1", LineFormat::Default, |logger| {
        nanolog_messages(logger, 5)
    });
    let (second, text2) = run("rotated-2", LineFormat::Default, |logger| {
        every_type(logger)
    });
    let mut both = std::fs::read(&first).unwrap();
    both.extend(std::fs::read(&second).unwrap());
    let (decoded, error) = decode_bytes(&both);
    assert!(error.is_none());
    assert_eq!(decoded, [text1, text2].concat());
    std::fs::remove_file(&first).unwrap();
    std::fs::remove_file(&second).unwrap();
}

#[test]
fn damage_is_reported_and_the_next_segment_still_decodes() {
    let (first, _) = run("damaged-1", LineFormat::MessageOnly, |logger| {
        logger.log("lost")
    });
    let (second, text2) = run("damaged-2", LineFormat::MessageOnly, |logger| {
        logger.log("kept")
    });
    let mut bytes = std::fs::read(&first).unwrap();
    let header = llt_runtime::binary::HEADER_LEN;
    bytes[header] = 0xff; // the first entry's tag: not a valid entry
    bytes.extend(std::fs::read(&second).unwrap());
    let mut reader = Reader::new(&bytes[..]);
    assert!(
        matches!(reader.next_record(), Err(DecodeError::Corrupt { offset, .. }) if offset == header as u64)
    );
    let record = reader.next_record().unwrap().unwrap();
    assert_eq!(format!("{}\n", record.message).as_bytes(), text2);
    assert!(reader.next_record().unwrap().is_none());
    std::fs::remove_file(&first).unwrap();
    std::fs::remove_file(&second).unwrap();
}

/// Channels of the `Gate` argument: the writer says it is inside `fmt`,
/// then waits there until the test lets it go.
#[allow(clippy::type_complexity)]
static GATE: std::sync::Mutex<
    Option<(std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>)>,
> = std::sync::Mutex::new(None);

/// A user type whose `Display` (run on the writer thread, since the
/// decoder cannot format it) holds the writer until released.
#[derive(Debug, Clone, Copy)]
struct Gate;

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Taken: only the first call waits (with a tee, the writer
        // formats the record twice).
        let gate = GATE.lock().unwrap().take();
        if let Some((entered, release)) = gate {
            entered.send(()).unwrap();
            release.recv().unwrap();
        }
        f.write_str("gate")
    }
}

#[test]
fn drop_reports_decode_like_the_text_writer() {
    for format in FORMATS {
        let path = temp_path(&format!("drops-{format:?}"));
        let tee = MemorySink::default();
        let logger = Logger::builder()
            .capacity(1) // one 64-byte ring slot: the second pending record is dropped
            .format(format)
            .binary_file(&path)
            .binary_tee_text(tee.clone())
            .build()
            .unwrap();
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel();
        *GATE.lock().unwrap() = Some((entered_tx, release_rx));
        llt_log!(logger, "held by {}", Gate);
        entered_rx.recv().unwrap(); // the writer is inside `Gate::fmt`
        for i in 0..100 {
            llt_log!(logger, "burst {}", i);
        }
        release_tx.send(()).unwrap();
        logger.flush();
        assert!(
            logger.get_dropped_count() >= 99,
            "{}",
            logger.get_dropped_count()
        );
        drop(logger);
        let text = tee.contents();
        assert!(
            String::from_utf8_lossy(&text).contains("messages dropped since the last report"),
            "{format:?}: no drop report"
        );
        assert_eq!(decode(&path, format).0, text, "{format:?}");
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn an_unwritable_path_is_a_build_error_naming_it() {
    let path = std::env::temp_dir()
        .join("llt-no-such-dir")
        .join("x")
        .join("app.lltb");
    let error = Logger::builder().binary_file(&path).build().unwrap_err();
    assert!(matches!(error, llt_rs::BuildError::BinaryFile { .. }));
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
}

#[test]
fn rotated_files_each_decode_and_together_equal_the_text() {
    let path = temp_path("rotating");
    let numbered = |n: usize| PathBuf::from(format!("{}.{n}", path.display()));
    for n in 1..100 {
        let _ = std::fs::remove_file(numbered(n));
    }
    let tee = MemorySink::default();
    let logger = Logger::builder()
        .format(LineFormat::Json)
        .binary_file(&path)
        .binary_max_size(2048)
        .binary_tee_text(tee.clone())
        .build()
        .unwrap();
    for round in 0..20 {
        nanolog_messages(&logger, 5);
        every_type(&logger);
        logger.flush(); // a batch boundary: rotation happens between batches
        llt_log!(logger, "round {} done", round);
    }
    drop(logger);
    let mut files: Vec<PathBuf> = (1..).map(numbered).take_while(|p| p.exists()).collect();
    assert!(files.len() >= 5, "{} rotated files", files.len());
    files.push(path.clone());
    let mut all = Vec::new();
    for file in &files {
        let (text, error) = decode_bytes_as(&std::fs::read(file).unwrap(), LineFormat::Json);
        assert!(error.is_none(), "{}: {error:?}", file.display());
        assert!(!text.is_empty(), "{} decodes on its own", file.display());
        all.extend(text);
        std::fs::remove_file(file).unwrap();
    }
    assert_eq!(all, tee.contents());
}
