//! `tracing` events go through the same logger as `llt_log!` lines: one
//! stream in timestamp order, the same filter (on the event's target), typed
//! fields in JSON, and text like tracing-subscriber's fmt layer.

use llt_rs::filter::Filter;
use llt_rs::{LineFormat, Logger, MemorySink, llt_info};
use llt_runtime::bridge::TracingLayer;
use serde_json::Value;
use tracing_subscriber::layer::SubscriberExt;

/// Stands for a dependency that only knows `tracing`.
mod dependency {
    pub fn fill() {
        tracing::info!(qty = 5u64, px = 1.5, "filled");
    }
}

fn logger(format: LineFormat, sink: &MemorySink) -> Logger {
    Logger::builder()
        .format(format)
        .filter(Filter::parse("trace").0)
        .sink(sink.clone())
        .build()
        .expect("logger")
}

/// Runs `body` with a subscriber made of a `TracingLayer` to `logger` as
/// this thread's default.
fn with_layer(logger: &Logger, body: impl FnOnce()) {
    let subscriber = tracing_subscriber::registry().with(TracingLayer::new(logger.clone()));
    tracing::subscriber::with_default(subscriber, body);
}

#[test]
fn events_and_llt_lines_share_one_stream_with_typed_json_fields() {
    let sink = MemorySink::new();
    let logger = logger(LineFormat::Json, &sink);
    with_layer(&logger, || {
        llt_info!(logger, "before {}", 1);
        dependency::fill();
        tracing::warn!(target: "app::net", ok = true, peer = "10.0.0.7", delta = -3i64, "slow");
        llt_info!(logger, "after");
    });
    logger.flush();
    let lines: Vec<Value> = sink
        .take_lines()
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let messages: Vec<&str> = lines.iter().map(|l| l["msg"].as_str().unwrap()).collect();
    assert_eq!(messages, ["before 1", "filled", "slow", "after"]);
    let stamps: Vec<&str> = lines.iter().map(|l| l["ts"].as_str().unwrap()).collect();
    assert!(stamps.is_sorted(), "timestamps out of order: {stamps:?}");

    let filled = &lines[1];
    assert_eq!(filled["level"], "INFO");
    assert_eq!(filled["target"], "tracing_layer::dependency");
    assert!(filled["fields"]["qty"].is_u64(), "{filled}");
    assert_eq!(filled["fields"]["qty"].as_u64(), Some(5));
    assert!(filled["fields"]["px"].is_f64(), "{filled}");
    assert_eq!(filled["fields"]["px"].as_f64(), Some(1.5));

    let slow = &lines[2];
    assert_eq!(slow["level"], "WARN");
    assert_eq!(slow["target"], "app::net");
    assert_eq!(slow["fields"]["ok"], Value::Bool(true));
    assert_eq!(slow["fields"]["peer"], "10.0.0.7");
    assert_eq!(slow["fields"]["delta"].as_i64(), Some(-3));
    // Lines without fields have no "fields" key.
    assert!(lines[0].get("fields").is_none());
    assert_eq!(logger.stats().written, 4);
}

#[test]
fn text_looks_like_the_fmt_layer() {
    let sink = MemorySink::new();
    let logger = logger(LineFormat::MessageOnly, &sink);
    #[derive(Debug)]
    enum Side {
        Buy,
    }
    with_layer(&logger, || {
        let _outer = tracing::info_span!("session", id = 7).entered();
        let _inner = tracing::debug_span!("order").entered();
        tracing::info!(qty = 5u64, px = 1.5, venue = "XNYS", side = ?Side::Buy, "filled {}", "now");
        tracing::info!(only = 1u64);
    });
    tracing::info!(outside = true, "no subscriber here");
    logger.flush();
    assert_eq!(
        sink.take_lines(),
        [
            r#"session:order: filled now qty=5 px=1.5 venue="XNYS" side=Buy"#,
            "session:order: only=1",
        ]
    );
}

#[test]
fn the_filter_applies_to_event_targets_and_changes_at_run_time() {
    let sink = MemorySink::new();
    let logger = Logger::builder()
        .format(LineFormat::MessageOnly)
        .filter(Filter::parse("warn,app::db=debug").0)
        .sink(sink.clone())
        .build()
        .expect("logger");
    let emit = |round: u32| {
        tracing::debug!(target: "app::db", round, "db debug");
        tracing::trace!(target: "app::db", round, "db trace");
        tracing::info!(target: "app::net", round, "net info");
        tracing::warn!(target: "app::net", round, "net warn");
    };
    with_layer(&logger, || {
        emit(1);
        logger.set_filter(Filter::parse("app::net=info").0);
        emit(2);
    });
    logger.flush();
    assert_eq!(
        sink.take_lines(),
        [
            "db debug round=1",
            "net warn round=1",
            "net info round=2",
            "net warn round=2"
        ]
    );
}

#[test]
fn a_panicking_debug_field_costs_its_line_only() {
    struct Bad;
    impl std::fmt::Debug for Bad {
        fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            panic!("bad Debug")
        }
    }
    let sink = MemorySink::new();
    let logger = logger(LineFormat::MessageOnly, &sink);
    with_layer(&logger, || {
        tracing::info!(bad = ?Bad, "never");
        tracing::info!(good = 1u64, "after");
    });
    logger.flush();
    let lines = sink.take_lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("<llt: formatting panicked: tracing event at tests/tracing_layer.rs:"),
        "{lines:?}"
    );
    assert_eq!(lines[1], "after good=1");
    assert_eq!(logger.stats().format_errors, 1);
}

#[test]
fn init_tracing_installs_the_global_default_once() {
    let sink = MemorySink::new();
    let logger = logger(LineFormat::MessageOnly, &sink);
    llt_runtime::bridge::init_tracing(logger.clone()).expect("first global subscriber");
    let err = llt_runtime::bridge::init_tracing(logger.clone()).expect_err("second one");
    assert!(err.to_string().contains("TracingLayer::new"), "{err}");
    // From another thread, which has no thread default: the global one.
    std::thread::spawn(|| tracing::error!(code = 42u64, "from a thread"))
        .join()
        .unwrap();
    logger.flush();
    assert!(
        sink.take_lines()
            .contains(&"from a thread code=42".to_string())
    );
}
