//! `LineFormat::Json`: one valid JSON object per line, with the fields the
//! docs promise and strings escaped per RFC 8259 (checked by parsing every
//! line with serde_json).

use llt_rs::{LineFormat, Logger, MemorySink, llt_log, llt_warn};
use serde_json::Value;

/// A sink the test can read back.
fn json_logger() -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let logger = Logger::builder()
        .format(LineFormat::Json)
        .sink(sink.clone())
        .build()
        .expect("logger");
    (logger, sink)
}

fn parsed_lines(logger: &Logger, sink: &MemorySink) -> Vec<Value> {
    logger.flush();
    let bytes = sink.contents();
    let text = String::from_utf8(bytes).expect("UTF-8 output");
    text.lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("invalid JSON {line:?}: {e}"))
        })
        .collect()
}

#[test]
fn every_field_is_present_and_typed() {
    let (logger, sink) = json_logger();
    let line = line!() + 1;
    llt_warn!(logger, "disk {} at {:.1}%", "/var", 97.5);
    let lines = parsed_lines(&logger, &sink);
    assert_eq!(lines.len(), 1);
    let object = lines[0].as_object().expect("an object");
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["file", "level", "line", "msg", "target", "thread", "ts"]
    );
    assert_eq!(object["level"], "WARN");
    assert_eq!(object["msg"], "disk /var at 97.5%");
    assert_eq!(object["target"], module_path!());
    assert_eq!(object["file"], file!());
    assert_eq!(object["line"], u64::from(line));
    assert_eq!(object["thread"], "every_field_is_present_and_typed");
    let ts = object["ts"].as_str().expect("ts is a string");
    assert_eq!(ts.len(), "2026-11-25T14:47:42.123456Z".len());
    assert!(ts.ends_with('Z') && ts.as_bytes()[10] == b'T', "{ts}");
}

#[test]
fn messages_and_thread_names_are_escaped() {
    let (logger, sink) = json_logger();
    let nasty = "quote \" backslash \\ newline \n tab \t cr \r nul \0 bell \u{7} del \u{7f} é €";
    let handle = logger.clone();
    std::thread::Builder::new()
        .name("worker \"1\"\n".into())
        .spawn(move || {
            llt_log!(handle, "{}", nasty);
            handle.log(format!("owned {nasty}"));
        })
        .expect("spawn")
        .join()
        .expect("join");
    let lines = parsed_lines(&logger, &sink);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["msg"], nasty);
    assert_eq!(lines[0]["thread"], "worker \"1\"\n");
    assert_eq!(lines[1]["msg"], format!("owned {nasty}"));
    // Lines from Logger::log have no statement location.
    assert_eq!(lines[1]["target"], "llt");
    assert!(lines[1].get("file").is_none() && lines[1].get("line").is_none());
}

#[test]
fn a_message_with_a_panicking_display_is_still_valid_json() {
    #[derive(Clone, Copy)]
    struct Bad;
    impl std::fmt::Display for Bad {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("partial \" output")?;
            panic!("Display failed on purpose")
        }
    }
    let (logger, sink) = json_logger();
    llt_log!(logger, "before {}", Bad);
    llt_log!(logger, "after");
    let lines = parsed_lines(&logger, &sink);
    assert_eq!(lines.len(), 2);
    let marker = lines[0]["msg"].as_str().expect("msg");
    assert!(
        marker.starts_with("<llt: formatting panicked: \"before {}\""),
        "{marker}"
    );
    assert_eq!(lines[1]["msg"], "after");
    assert_eq!(logger.stats().format_errors, 1);
}
