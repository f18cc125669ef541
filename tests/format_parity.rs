//! `llt_log!` must produce exactly what `format!` produces for the same
//! format string and arguments, although the values are copied as raw bytes
//! and formatted later on the writer thread.
//!
//! Every case goes through the `case!` helper, which takes the format string
//! and the arguments once and hands the same tokens to both `llt_log!` and
//! `format!`, so the two cannot diverge.

// The cases spell out `format!("{}", x)` on purpose: positional arguments are
// what is being tested.
#![allow(clippy::uninlined_format_args)]

use std::fmt;
use std::time::Duration;

use llt_rs::{LineFormat, Logger, MemorySink};

/// A logger writing bare messages into a [`MemorySink`], and the messages
/// `format!` produced for the same cases.
struct Harness {
    logger: Logger,
    buf: MemorySink,
    expected: Vec<String>,
}

impl Harness {
    fn new() -> Harness {
        let buf = MemorySink::default();
        let logger = Logger::builder()
            .capacity(1 << 12) // 256 KiB rings: room for the 10 KB string cases
            .format(LineFormat::MessageOnly)
            .sink(buf.clone())
            .build()
            .expect("logger starts");
        Harness {
            logger,
            buf,
            expected: Vec::new(),
        }
    }

    /// Flushes the logger and compares its output with `format!`'s, record
    /// by record, in order, after checking that all `cases` were logged.
    ///
    /// Some messages contain newlines (`{:#?}`, `'\n'`), so the sink's text
    /// cannot be split into records by lines: each expected message is
    /// matched against the front of the remaining text, followed by the
    /// writer's `'\n'`.
    fn finish(self, cases: usize) {
        self.logger.flush();
        let stats = self.logger.stats();
        assert_eq!(stats.dropped, 0, "no record may be dropped");
        assert_eq!(stats.format_errors, 0, "no formatting may fail");
        assert_eq!(self.expected.len(), cases, "cases run");
        assert_eq!(stats.written, cases as u64, "records written");
        let text = String::from_utf8(self.buf.contents()).expect("the sink got valid UTF-8");
        let mut rest = text.as_str();
        for (index, expected) in self.expected.iter().enumerate() {
            let line = format!("{expected}\n");
            assert!(
                rest.starts_with(&line),
                "case {index}: expected {expected:?}, the sink has {:?}",
                &rest[..rest.len().min(line.len() + 40)]
            );
            rest = &rest[line.len()..];
        }
        assert_eq!(rest, "", "the sink has more than the expected lines");
        // And the whole text at once, for good measure.
        let all: String = self.expected.iter().map(|e| format!("{e}\n")).collect();
        assert_eq!(text, all);
    }
}

/// Logs one case with `llt_log!` and records what `format!` makes of the
/// very same tokens.
macro_rules! case {
    ($h:ident, $($t:tt)*) => {{
        llt_rs::llt_log!($h.logger, $($t)*);
        #[allow(clippy::useless_format)]
        let expected = format!($($t)*);
        $h.expected.push(expected);
    }};
}

// The cases themselves, shared with the other parity test.
include!("support/parity_cases.rs");
