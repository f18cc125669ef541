//! Helpers shared by the binary-log tests (`tests/binary_identity.rs`,
//! `tests/binary_fields.rs`): a binary logger with a text tee, and decoding
//! bytes to text.

use std::path::Path;

use llt_decode::{DecodeError, Reader, Text};
use llt_rs::{LevelFilter, LineFormat, Logger, MemorySink};

/// A logger writing a binary log to `path`, its tee formatting the very
/// same records as text into `tee` in `format`; every level enabled.
pub fn binary_logger(path: &Path, format: LineFormat, tee: &MemorySink) -> Logger {
    Logger::builder()
        .capacity(1 << 14)
        .level(LevelFilter::Trace)
        .format(format)
        .binary_file(path)
        .binary_tee_text(tee.clone())
        .build()
        .expect("logger starts")
}

/// Decodes bytes into lines in `format`, and the error that ended it, if
/// any.
pub fn decode_bytes_as(bytes: &[u8], format: LineFormat) -> (Vec<u8>, Option<DecodeError>) {
    let mut reader = Reader::new(bytes);
    let mut text = Text::new(format);
    let mut out = Vec::new();
    loop {
        match reader.next_record() {
            Ok(Some(record)) => out.extend_from_slice(text.line(&record)),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}
