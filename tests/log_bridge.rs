//! The `log` facade bridge: `log::info!` from anywhere goes through the same
//! logger, rings and writer as `llt_log!`, keeps its target, obeys the
//! filter, and keeps its order relative to `llt_log!` lines of the same
//! thread. `log` allows one logger per process, so everything is checked in
//! one test.

use std::fmt;

use llt_rs::{LineFormat, Logger, MemorySink, llt_log};
use serde_json::Value;

/// The sink's lines, parsed as JSON.
fn take_json(sink: &MemorySink) -> Vec<Value> {
    sink.take_lines()
        .iter()
        .map(|line| serde_json::from_str(line).expect("valid JSON"))
        .collect()
}

/// A value whose `Display` logs through `log` itself.
struct Chatty;

impl fmt::Display for Chatty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        log::warn!(target: "nested", "from inside Display");
        f.write_str("chatty")
    }
}

#[test]
fn log_records_go_through_the_llt_logger() {
    let sink = MemorySink::new();
    let logger = Logger::builder()
        .format(LineFormat::Json)
        .filter(
            "info,app::noisy=error,app::verbose=trace"
                .parse()
                .expect("valid filter"),
        )
        .sink(sink.clone())
        .build()
        .expect("logger");
    llt_runtime::bridge::init_log_bridge(logger.clone()).expect("the only log logger");
    assert_eq!(log::max_level(), log::LevelFilter::Trace);

    // Targets, levels and filtering.
    log::info!(target: "app::db", "connected in {} ms", 12);
    log::warn!(target: "app::noisy", "filtered out");
    log::error!(target: "app::noisy", "kept");
    log::trace!(target: "app::verbose::deep", "very {}", "detailed");
    log::debug!("default target, below the default level");
    let lines = sink_after_flush(&logger, &sink);
    let summary: Vec<(String, String, String)> = lines
        .iter()
        .map(|l| (s(&l["level"]), s(&l["target"]), s(&l["msg"])))
        .collect();
    assert_eq!(
        summary,
        [
            ("INFO".into(), "app::db".into(), "connected in 12 ms".into()),
            ("ERROR".into(), "app::noisy".into(), "kept".into()),
            (
                "TRACE".into(),
                "app::verbose::deep".into(),
                "very detailed".into()
            ),
        ]
    );

    // Interleaved with llt_log! on one thread: program order.
    for i in 0..100 {
        llt_log!(logger, "llt {}", i);
        log::info!(target: "app", "log {}", i);
    }
    let lines = sink_after_flush(&logger, &sink);
    let messages: Vec<String> = lines.iter().map(|l| s(&l["msg"])).collect();
    let expected: Vec<String> = (0..100)
        .flat_map(|i| [format!("llt {i}"), format!("log {i}")])
        .collect();
    assert_eq!(messages, expected);

    // A record whose arguments log through `log` while being formatted.
    log::info!(target: "app", "value {}", Chatty);
    let lines = sink_after_flush(&logger, &sink);
    let messages: Vec<String> = lines.iter().map(|l| s(&l["msg"])).collect();
    assert_eq!(messages, ["from inside Display", "value chatty"]);

    // A Display that fails or panics while the caller formats: a marker
    // line, counted, and the caller goes on.
    let line = line!() + 1;
    log::info!(target: "app", "before {} after", Fails);
    log::info!(target: "app", "before {} after", Panics);
    log::info!(target: "app", "still logging");
    let lines = sink_after_flush(&logger, &sink);
    let messages: Vec<String> = lines.iter().map(|l| s(&l["msg"])).collect();
    assert_eq!(
        messages,
        [
            format!(
                "<llt: formatting returned an error: log record at {}:{line}>",
                file!()
            ),
            format!(
                "<llt: formatting panicked: log record at {}:{}>",
                file!(),
                line + 1
            ),
            "still logging".to_owned(),
        ]
    );
    assert_eq!(logger.stats().format_errors, 2);
    assert_eq!(logger.stats().dropped, 0);
}

/// A `Display` that writes a little, then fails.
struct Fails;

impl fmt::Display for Fails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PARTIAL")?;
        Err(fmt::Error)
    }
}

/// A `Display` that panics.
struct Panics;

impl fmt::Display for Panics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PARTIAL")?;
        panic!("Display panics on purpose")
    }
}

fn sink_after_flush(logger: &Logger, sink: &MemorySink) -> Vec<Value> {
    logger.flush();
    take_json(sink)
}

fn s(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}
