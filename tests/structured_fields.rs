//! Extra fields of `llt_log!` statements (`llt_info!(logger, key = value;
//! "message", args)`): typed values in JSON, ` key=value` in text, the same
//! representation as `tracing` events' fields, and nothing added to
//! statements without fields.

use llt_rs::{LineFormat, Logger, MemorySink, llt_info, llt_log, llt_warn};
use serde_json::Value;

fn logger(format: LineFormat, sink: &MemorySink) -> Logger {
    Logger::builder()
        .format(format)
        .sink(sink.clone())
        .build()
        .expect("logger")
}

fn parse(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

#[test]
fn json_fields_are_typed_values() {
    let sink = MemorySink::new();
    let logger = logger(LineFormat::Json, &sink);
    let (order_id, qty, px) = (42u64, 5u32, 101.25f64);
    let venue = String::from("XNYS");
    llt_info!(logger, order_id = order_id, venue = venue, short = false, delta = -3i16; "filled {} at {:.2}", qty, px);
    llt_warn!(logger, big = u128::MAX, name = "quote \" and \\ back"; "odd");
    llt_info!(logger, "no fields {}", 1);
    logger.flush();
    let text = sink.take_lines();
    let lines = parse(&text);
    assert_eq!(lines.len(), 3, "{lines:?}");

    let filled = &lines[0];
    assert_eq!(filled["msg"], "filled 5 at 101.25");
    let fields = &filled["fields"];
    assert!(fields["order_id"].is_u64(), "{filled}");
    assert_eq!(fields["order_id"].as_u64(), Some(42));
    assert_eq!(fields["venue"], "XNYS");
    assert_eq!(fields["short"], Value::Bool(false));
    assert_eq!(fields["delta"].as_i64(), Some(-3));
    // The message's own arguments are not fields.
    assert_eq!(fields.as_object().map(|o| o.len()), Some(4), "{filled}");

    let odd = &lines[1];
    assert_eq!(odd["level"], "WARN");
    assert_eq!(odd["fields"]["name"], "quote \" and \\ back");
    // serde_json reads a u128 back as a float: check the text itself.
    assert!(
        text[1].contains(&format!("\"big\":{}", u128::MAX)),
        "{}",
        text[1]
    );

    assert!(lines[2].get("fields").is_none(), "{}", lines[2]);
    assert_eq!(logger.stats().written, 3);
}

#[test]
fn text_fields_follow_the_message_as_key_value() {
    let sink = MemorySink::new();
    let logger = logger(LineFormat::MessageOnly, &sink);
    let peer: &str = "10.0.0.7";
    let latency_us = 17.5f32;
    llt_log!(logger, peer = peer, latency_us = latency_us, retried = true; "slow reply from {}", "db");
    // Without a logger: the process-wide default logger is not used here,
    // so only the form with a logger is checked for output; the other form
    // must compile (see `fields_without_a_logger_compile`).
    logger.flush();
    assert_eq!(
        sink.take_lines(),
        ["slow reply from db peer=\"10.0.0.7\" latency_us=17.5 retried=true"]
    );
}

#[test]
fn fields_are_evaluated_once_and_only_when_enabled() {
    let sink = MemorySink::new();
    let logger = Logger::builder()
        .format(LineFormat::MessageOnly)
        .level(llt_rs::LevelFilter::Info)
        .sink(sink.clone())
        .build()
        .expect("logger");
    let mut calls = 0;
    let mut next = || {
        calls += 1;
        calls as u64
    };
    llt_info!(logger, n = next(); "counted");
    llt_rs::llt_debug!(logger, n = next(); "filtered out");
    logger.flush();
    assert_eq!(calls, 1);
    assert_eq!(sink.take_lines(), ["counted n=1"]);
}

#[test]
fn fields_with_named_and_captured_arguments_and_trailing_commas() {
    let sink = MemorySink::new();
    let logger = logger(LineFormat::MessageOnly, &sink);
    let side = "buy";
    llt_info!(logger, dir = side,; "{side} {qty}", qty = 3);
    llt_info!(logger, id = 7u8; "{}", "x",);
    logger.flush();
    assert_eq!(sink.take_lines(), ["buy 3 dir=\"buy\"", "x id=7"]);
}

#[test]
fn fields_without_a_logger_compile() {
    // Goes to the default logger (stdout); only checks the syntax.
    if false {
        llt_info!(key = 1u8; "message {}", 2);
    }
}

/// Prints as `Display` only: not a field (there is no `Debug` text to use).
#[derive(Clone, Copy)]
struct DisplayOnly;

impl std::fmt::Display for DisplayOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("display-only")
    }
}

#[derive(Debug, Clone, Copy)]
struct Side {
    #[allow(dead_code, reason = "read by Debug only")]
    buy: bool,
}

#[test]
fn named_arguments_are_json_fields_too() {
    let sink = MemorySink::new();
    let logger = logger(LineFormat::Json, &sink);
    let px = 101.5f64;
    let venue = "XNYS";
    llt_info!(
        logger,
        order_id = 42u64;
        "filled {qty} at {px} on {venue} {side:?} {d}",
        qty = 5u32,
        side = Side { buy: true },
        d = DisplayOnly,
    );
    llt_info!(logger, "positional {} only", 1);
    logger.flush();
    let text = sink.take_lines();
    let lines = parse(&text);
    let filled = &lines[0];
    assert_eq!(
        filled["msg"],
        "filled 5 at 101.5 on XNYS Side { buy: true } display-only"
    );
    let fields = filled["fields"].as_object().expect("a fields object");
    // Named arguments first (explicit, then captured), then extra fields;
    // a value without `Debug` is not a field. (serde_json sorts keys: the
    // order is checked on the text.)
    assert_eq!(fields.len(), 5, "{filled}");
    let order: Vec<usize> = [
        "\"qty\":",
        "\"side\":",
        "\"px\":",
        "\"venue\":",
        "\"order_id\":",
    ]
    .iter()
    .map(|key| {
        text[0]
            .find(key)
            .unwrap_or_else(|| panic!("{key} in {}", text[0]))
    })
    .collect();
    assert!(order.is_sorted(), "{}", text[0]);
    assert_eq!(fields["qty"].as_u64(), Some(5));
    assert_eq!(fields["px"].as_f64(), Some(101.5));
    assert_eq!(fields["venue"], "XNYS");
    assert_eq!(fields["side"], "Side { buy: true }");
    assert_eq!(fields["order_id"].as_u64(), Some(42));
    assert!(lines[1].get("fields").is_none(), "{}", lines[1]);
}

#[test]
fn named_arguments_stay_in_the_message_of_text_lines() {
    let sink = MemorySink::new();
    let logger = logger(LineFormat::MessageOnly, &sink);
    let qty = 3u8;
    llt_info!(logger, id = 9u8; "{qty} at {px}", px = 1.25);
    llt_info!(logger, "{qty} alone");
    logger.flush();
    assert_eq!(sink.take_lines(), ["3 at 1.25 id=9", "3 alone"]);
}
