//! The cases of `tests/format_parity.rs`, logged into a binary log: the
//! decoder (`llt-decode`), which formats the stored arguments at run time,
//! must produce exactly what `format!` produces, and exactly what the text
//! writer produced from the same records.
//!
//! Only the harness differs from `format_parity.rs`; both include the same
//! cases (`tests/support/parity_cases.rs`).

// The cases spell out `format!("{}", x)` on purpose: positional arguments are
// what is being tested.
#![allow(clippy::uninlined_format_args)]

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use llt_decode::{Reader, Text};
use llt_rs::{LineFormat, Logger, MemorySink};

/// A logger writing a binary log (and, through its tee, the same records
/// as text), and the messages `format!` produced for the same cases.
struct Harness {
    logger: Logger,
    path: PathBuf,
    tee: MemorySink,
    expected: Vec<String>,
}

impl Harness {
    fn new() -> Harness {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "llt-binary-parity-{}-{}.lltb",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_file(&path);
        let tee = MemorySink::default();
        let logger = Logger::builder()
            .capacity(1 << 12) // 256 KiB rings: room for the 10 KB string cases
            .format(LineFormat::MessageOnly)
            .binary_file(&path)
            .binary_tee_text(tee.clone())
            .build()
            .expect("logger starts");
        Harness {
            logger,
            path,
            tee,
            expected: Vec::new(),
        }
    }

    /// Flushes the logger, decodes its binary log and compares it with
    /// `format!`'s messages and with the text the writer made of the same
    /// records. Most messages must have been rebuilt from their arguments
    /// by the decoder (not stored formatted by the writer).
    fn finish(self, cases: usize) {
        self.logger.flush();
        let stats = self.logger.stats();
        assert_eq!(stats.dropped, 0, "no record may be dropped");
        assert_eq!(self.expected.len(), cases, "cases run");
        assert_eq!(stats.written, cases as u64, "records written");
        drop(self.logger);
        let file = std::fs::File::open(&self.path).expect("the binary log exists");
        let mut reader = Reader::new(std::io::BufReader::new(file));
        let mut text = Text::new(LineFormat::MessageOnly);
        let mut decoded = Vec::new();
        let mut rebuilt = 0;
        while let Some(record) = reader.next_record().expect("the log decodes") {
            rebuilt += usize::from(record.rebuilt);
            decoded.extend_from_slice(text.line(&record));
        }
        std::fs::remove_file(&self.path).expect("remove the log");
        let decoded = String::from_utf8(decoded).expect("decoded text is UTF-8");
        let all: String = self.expected.iter().map(|e| format!("{e}\n")).collect();
        let tee = String::from_utf8(self.tee.contents()).expect("tee text is UTF-8");
        assert_eq!(decoded, tee, "decoded binary log == text writer");
        if decoded != all {
            let mut rest = decoded.as_str();
            for (index, expected) in self.expected.iter().enumerate() {
                let line = format!("{expected}\n");
                assert!(
                    rest.starts_with(&line),
                    "case {index}: expected {expected:?}, decoded {:?}",
                    &rest[..rest.len().min(line.len() + 40)]
                );
                rest = &rest[line.len()..];
            }
        }
        assert_eq!(decoded, all);
        assert!(
            rebuilt * 3 >= cases,
            "only {rebuilt} of {cases} messages were rebuilt from arguments"
        );
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
