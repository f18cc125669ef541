//! Field lists in binary logs: `tracing` events' typed fields and
//! `llt_log!` statements' extra fields are stored with their records, and
//! the decoded text is byte for byte the text writer's, fields included, in
//! every `LineFormat` (the writer's tee formats the very records it
//! encodes). A field list is never dropped, and a damaged one is reported.

#![allow(clippy::uninlined_format_args)]

use std::fmt;
use std::path::{Path, PathBuf};

use llt_decode::{DecodeError, Reader, Text};
use llt_rs::{Level, LineFormat, Loggable, Logger, MemorySink, llt_info, llt_log, llt_warn};
use llt_runtime::bridge::TracingLayer;
use serde_json::Value;
use tracing_subscriber::layer::SubscriberExt;

#[path = "support/binary_log.rs"]
mod binary_log;
use binary_log::{binary_logger, decode_bytes_as};

const FORMATS: [LineFormat; 3] = [
    LineFormat::Default,
    LineFormat::MessageOnly,
    LineFormat::Json,
];

fn temp_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "llt-binary-fields-{name}-{}.lltb",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
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
    assert_eq!(stats.dropped, 0);
    drop(logger);
    (path, tee.contents())
}

/// Decodes a whole file into text in `format`; also returns how many
/// records had a field list and how many fields they held.
fn decode(path: &Path, format: LineFormat) -> (Vec<u8>, usize, usize) {
    let mut reader = Reader::new(std::fs::File::open(path).expect("log exists"));
    let mut text = Text::new(format);
    let mut out = Vec::new();
    let (mut lists, mut fields) = (0, 0);
    while let Some(record) = reader.next_record().expect("decodes") {
        if let Some(list) = record.fields {
            lists += 1;
            fields += list.len();
            assert_eq!(list.iter().count(), list.len());
        }
        out.extend_from_slice(text.line(&record));
    }
    (out, lists, fields)
}

fn assert_same_text(format: LineFormat, decoded: &[u8], text: &[u8]) {
    if decoded != text {
        let decoded = String::from_utf8_lossy(decoded);
        let text = String::from_utf8_lossy(text);
        for (i, (d, t)) in decoded.lines().zip(text.lines()).enumerate() {
            assert_eq!(d, t, "{format:?}: line {i} differs");
        }
        panic!(
            "{format:?}: decoded {} lines, text {}",
            decoded.lines().count(),
            text.lines().count()
        );
    }
}

/// A user type logged with `?x` (Debug) and `%x` (Display) in events.
#[derive(Debug)]
struct Point {
    x: i32,
    label: &'static str,
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} \"{}\">", self.x, self.label)
    }
}

#[derive(Debug)]
struct Failure;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("disk \"full\"\n")
    }
}

impl std::error::Error for Failure {}

/// `tracing` events with typed fields, inside spans. Returns the number of
/// events and of their fields.
fn tracing_events(logger: &Logger) -> (usize, usize) {
    let subscriber = tracing_subscriber::registry().with(TracingLayer::new(logger.clone()));
    let point = Point {
        x: -4,
        label: "a\"b",
    };
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(
            qty = 5u64,
            delta = -3i64,
            px = 1.5,
            ok = true,
            venue = "X\"N\\Y\n",
            "filled"
        );
        {
            let _order = tracing::info_span!("order", id = 7).entered();
            let _leg = tracing::debug_span!("leg").entered();
            tracing::warn!(target: "app::net", point = ?point, shown = %point, "slow {}", 3);
            tracing::error!(error = &Failure as &dyn std::error::Error, retries = 0u64);
            tracing::trace!(
                nan = f64::NAN,
                inf = f64::INFINITY,
                ninf = f64::NEG_INFINITY,
                tiny = 5e-324,
                "floats"
            );
        }
        tracing::info!(big = u128::MAX, small = i128::MIN, "wide");
        tracing::info!("no fields at all");
        tracing::debug!(unicode = "日本語 ✓", empty = "", "");
    });
    let fields_per_event = [5, 2, 2, 4, 2, 0, 2];
    (fields_per_event.len(), fields_per_event.iter().sum())
}

/// `llt_log!` statements with extra fields of every value type. Returns
/// the number of statements and of their fields.
fn statement_fields(logger: &Logger) -> (usize, usize) {
    let owned = String::from("owned \"quoted\"\t");
    let (id, qty, px) = (42u64, 5u32, 101.25f64);
    llt_info!(logger, order_id = id, venue = "XNYS", short = false, delta = -3i16; "filled {} at {:.2}", qty, px);
    llt_warn!(logger, big = u128::MAX, small = i128::MIN, u8v = u8::MAX, i8v = i8::MIN, us = usize::MAX, is = isize::MIN; "wide");
    llt_log!(logger, nan = f64::NAN, inf = f64::INFINITY, ninf = f64::NEG_INFINITY, f = 0.1f32, neg0 = -0.0f64; "floats {}", 1.5);
    llt_log!(logger, text = owned, esc = "\"\\\u{1}\u{7f}\n\r\t", uni = "ß→日本"; "escapes");
    llt_log!(logger, empty = ""; "");
    llt_info!(logger, n = 1u8; "{}", "x");
    (6, 4 + 6 + 5 + 3 + 1 + 1)
}

#[derive(Debug, Clone, Loggable)]
struct Order {
    id: String,
    px: f64,
    qty: u32,
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}@{:.2}", self.id, self.qty, self.px)
    }
}

/// Statements mixing `LogValue` arguments (formatted on the writer) with
/// fields. Returns the number of statements and of their fields.
fn mixed(logger: &Logger) -> (usize, usize) {
    let bytes: Vec<u8> = vec![0, 1, 0x7f, 0xff];
    let some: Option<&str> = Some("hi \"there\"");
    let none: Option<&str> = None;
    let order = Order {
        id: "A-1\t\"q\"".into(),
        px: 101.255,
        qty: 42,
    };
    llt_info!(logger, session = 9u64, ok = true; "bytes {:?} {:x?}", bytes, bytes);
    llt_info!(logger, tag = "t"; "options {:?} {:?}", some, none);
    llt_warn!(logger, venue = "XNYS", px = 1.25; "order {} / {:?}", order, order);
    llt_log!(logger, n = -1i64; "all {:?} {:?} {} {}", bytes, some, order, 7u8);
    for i in 0..100u64 {
        llt_log!(logger, i = i, half = i as f64 / 2.0; "loop {:?}", some);
    }
    (104, 2 + 1 + 2 + 1 + 100 * 2)
}

/// A `Copy` type with `Display` only: as a named argument, no field.
#[derive(Clone, Copy)]
struct OnlyDisplay(u8);

impl fmt::Display for OnlyDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "only {}", self.0)
    }
}

/// Named and captured arguments (fields in JSON lines, in the message in
/// text lines), alone and with extra fields. Returns the number of
/// statements and of their fields in JSON.
fn named_arguments(logger: &Logger) -> (usize, usize) {
    let ident = 77u64;
    let width = 7usize;
    let maybe = Some("x\"y");
    let shown = OnlyDisplay(3);
    llt_info!(logger, "captured: {ident} [{ident:>width$}]");
    llt_info!(logger, "named: {name} is {age}", name = "Ann\n", age = 37u8);
    llt_info!(logger, venue = "XNYS"; "filled {qty} at {px:.2}", qty = 5u32, px = 1.5);
    llt_log!(logger, "debug named {maybe:?} and {}", 4);
    llt_log!(logger, "display only {shown}");
    (5, 2 + 2 + 3 + 1)
}

/// Fields from every source, with plain records between them.
fn workload(logger: &Logger) -> (usize, usize) {
    llt_info!(logger, "a plain line {}", 1);
    let a = tracing_events(logger);
    logger.log_str(Level::Warn, "a string record");
    let b = statement_fields(logger);
    llt_info!(logger, "no fields {:?}", Some(2u8));
    let c = mixed(logger);
    let d = named_arguments(logger);
    (a.0 + b.0 + c.0 + d.0, a.1 + b.1 + c.1 + d.1)
}

#[test]
fn decoded_fields_equal_the_text_writer_in_every_format() {
    for format in FORMATS {
        let mut expected = (0, 0);
        let (path, text) = run(&format!("identity-{format:?}"), format, |logger| {
            expected = workload(logger);
        });
        let (decoded, lists, fields) = decode(&path, format);
        assert!(
            text.split(|&b| b == b'\n').count() > expected.0,
            "{format:?}"
        );
        assert_same_text(format, &decoded, &text);
        assert_eq!((lists, fields), expected, "{format:?}");
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn a_field_list_is_never_dropped() {
    let mut expected = (0, 0);
    let (path, _) = run("count", LineFormat::Default, |logger| {
        expected = workload(logger);
    });
    // Decoded as JSON, though written in the default layout: every field
    // logged is in a `"fields"` object, typed.
    let (decoded, _, _) = decode(&path, LineFormat::Json);
    let records = Reader::new(std::fs::File::open(&path).unwrap())
        .lines(LineFormat::Json)
        .count();
    std::fs::remove_file(&path).unwrap();
    let text = String::from_utf8(decoded).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert_eq!(lines.len(), records);
    let with_fields: Vec<&serde_json::Map<String, Value>> = lines
        .iter()
        .filter_map(|line| line.get("fields").map(|f| f.as_object().expect("object")))
        .collect();
    assert_eq!(with_fields.len(), expected.0);
    assert_eq!(
        with_fields.iter().map(|f| f.len()).sum::<usize>(),
        expected.1
    );
    let filled = lines
        .iter()
        .find(|l| l["msg"] == "filled 5 at 101.25")
        .unwrap();
    assert_eq!(filled["fields"]["order_id"].as_u64(), Some(42));
    assert_eq!(filled["fields"]["delta"].as_i64(), Some(-3));
    assert_eq!(filled["fields"]["short"], Value::Bool(false));
    let event = lines.iter().find(|l| l["msg"] == "filled").unwrap();
    assert_eq!(event["fields"]["venue"], "X\"N\\Y\n");
    assert_eq!(event["fields"]["px"].as_f64(), Some(1.5));
    // Named arguments first, as the text writer joins them.
    // (serde_json's maps are sorted: look at the text.)
    let named = text
        .lines()
        .find(|l| l.contains(r#""msg":"filled 5 at 1.50""#))
        .unwrap();
    assert!(
        named.ends_with(r#""fields":{"qty":5,"px":1.5,"venue":"XNYS"}}"#),
        "{named}"
    );
    let floats = lines.iter().find(|l| l["msg"] == "floats 1.5").unwrap();
    assert_eq!(floats["fields"]["nan"], "NaN");
    assert_eq!(floats["fields"]["ninf"], "-inf");
}

#[test]
fn a_log_cut_inside_a_field_list_is_reported_as_truncated() {
    let format = LineFormat::Json;
    let (path, text) = run("cut", format, |logger| {
        statement_fields(logger);
    });
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let (whole, error) = decode_bytes_as(&bytes, format);
    assert!(error.is_none(), "{error:?}");
    assert_same_text(format, &whole, &text);
    let mut truncated = 0;
    for cut in 0..bytes.len() {
        let (decoded, error) = decode_bytes_as(&bytes[..cut], format);
        assert!(text.starts_with(&decoded), "cut at {cut}");
        match error {
            Some(DecodeError::Truncated { .. }) => truncated += 1,
            None => {}
            Some(other) => panic!("cut at {cut}: {other}"),
        }
    }
    // Most cuts fall inside a record (and so inside or before its list).
    assert!(
        truncated > bytes.len() / 2,
        "{truncated} of {}",
        bytes.len()
    );
}

#[test]
fn a_damaged_field_kind_is_reported_and_the_other_records_decode() {
    let format = LineFormat::Default;
    let (path, text) = run("damage", format, |logger| {
        llt_info!(logger, "before {}", 1);
        llt_info!(logger, zz_marker = 7u64; "marked");
        llt_info!(logger, "after {}", 2);
    });
    let mut bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let at = bytes
        .windows(9)
        .position(|w| w == b"zz_marker")
        .expect("the name is stored as a string");
    // The kind byte, before the name's one-byte length.
    assert_eq!(bytes[at - 1], 9);
    bytes[at - 2] = 0xee;
    let (decoded, error) = decode_bytes_as(&bytes, format);
    let error = error.expect("damage is reported");
    assert!(
        matches!(&error, DecodeError::Corrupt { what, .. } if what.contains("field kind")),
        "{error}"
    );
    let first_line = text.split_inclusive(|&b| b == b'\n').next().unwrap();
    assert_eq!(decoded, first_line);
}

#[test]
fn version_1_files_still_decode_and_newer_ones_are_refused() {
    let format = LineFormat::Default;
    let (path, text) = run("versions", format, |logger| {
        llt_info!(logger, "plain {} {:.2}", 1, 2.5);
        logger.log("a string record");
    });
    let mut bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(bytes[8], llt_runtime::binary::VERSION);
    // Without fields, a version 2 file is a version 1 file.
    bytes[8] = 1;
    let (decoded, error) = decode_bytes_as(&bytes, format);
    assert!(error.is_none(), "{error:?}");
    assert_same_text(format, &decoded, &text);
    bytes[8] = llt_runtime::binary::VERSION + 1;
    let (decoded, error) = decode_bytes_as(&bytes, format);
    assert!(decoded.is_empty());
    let error = error.expect("a newer version is refused");
    assert!(error.to_string().contains("newer llt-decode"), "{error}");
}

#[test]
fn no_damaged_byte_panics_the_decoder() {
    let format = LineFormat::Json;
    let (path, _) = run("flips", format, |logger| {
        statement_fields(logger);
        named_arguments(logger);
    });
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let mut errors = 0;
    for at in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0xff;
        let mut reader = Reader::new(&damaged[..]);
        let mut out = Text::new(format);
        // Until the end: after damage, reading resumes at the next segment.
        for _ in 0..10_000 {
            match reader.next_record() {
                Ok(Some(record)) => {
                    out.line(&record);
                }
                Ok(None) => break,
                Err(_) => errors += 1,
            }
        }
    }
    assert!(
        errors > bytes.len() / 4,
        "{errors} errors in {} flips",
        bytes.len()
    );
}
