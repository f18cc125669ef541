//! `LineFormat::Json`: one valid JSON object per line, with the fields the
//! docs promise and strings escaped per RFC 8259 (checked by parsing every
//! line with serde_json).

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

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

/// A disk that takes `room`'s whole lines and bytes, then refuses
/// everything (as a full disk does) until the test frees space.
#[derive(Clone, Default)]
struct FillingDisk(Arc<Mutex<Disk>>);

#[derive(Default)]
struct Disk {
    out: Vec<u8>,
    /// Newlines, then bytes, it still takes; `None` once freed.
    room: Option<(usize, usize)>,
}

impl Write for FillingDisk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut disk = self.0.lock().unwrap();
        let mut taken = buf.len();
        if let Some((lines, bytes)) = &mut disk.room {
            taken = 0;
            for &byte in buf {
                match (*lines, *bytes) {
                    (0, 0) => break,
                    (0, _) => *bytes -= 1,
                    _ if byte == b'\n' => *lines -= 1,
                    _ => {}
                }
                taken += 1;
            }
        }
        if taken == 0 {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "test disk is full",
            ));
        }
        disk.out.extend_from_slice(&buf[..taken]);
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The disk fills up in the middle of a JSON line, then has room again:
/// the first line after the recovery is valid JSON on a line of its own
/// (not glued to the fragment of the lost one), and the counters add up.
/// The fragment itself stays, alone on its line: llt cannot take bytes back
/// from a plain `Write` (a `RollingFile` can, and does).
#[test]
fn after_a_full_disk_the_next_line_is_valid_json() {
    const BEFORE: usize = 500;
    const FIT: usize = 123;
    const AFTER: usize = 200;
    let disk = FillingDisk::default();
    disk.0.lock().unwrap().room = Some((FIT, 30));
    let logger = Logger::builder()
        .format(LineFormat::Json)
        .sink(disk.clone())
        .report_drops(false)
        .build()
        .expect("logger");
    for i in 0..BEFORE {
        llt_log!(logger, "before {}", i);
    }
    logger.flush();
    disk.0.lock().unwrap().room = None;
    for i in 0..AFTER {
        llt_log!(logger, "after {}", i);
    }
    logger.flush();
    let stats = logger.stats();
    assert_eq!(
        stats.written + stats.dropped + stats.lines_lost,
        (BEFORE + AFTER) as u64,
        "{stats:?}"
    );
    assert_eq!(stats.dropped, 0, "{stats:?}");
    assert_eq!(stats.written, (FIT + AFTER) as u64, "{stats:?}");

    let text = String::from_utf8(disk.0.lock().unwrap().out.clone()).expect("UTF-8 output");
    let mut messages = Vec::new();
    let mut fragments = Vec::new();
    for line in text.lines() {
        match serde_json::from_str::<Value>(line) {
            Ok(value) => messages.push(value["msg"].as_str().expect("msg").to_owned()),
            Err(_) => fragments.push(line),
        }
    }
    let want: Vec<String> = (0..FIT)
        .map(|i| format!("before {i}"))
        .chain((0..AFTER).map(|i| format!("after {i}")))
        .collect();
    assert_eq!(messages.len(), want.len(), "fragments: {fragments:?}");
    assert_eq!(messages, want);
    // The lost line's first 30 bytes, alone: one object's start, no more.
    assert_eq!(fragments.len(), 1, "{fragments:?}");
    assert_eq!(fragments[0].len(), 30, "{fragments:?}");
    assert!(fragments[0].starts_with("{\"ts\":\""), "{fragments:?}");
}
