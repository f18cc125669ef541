//! Reads llt binary logs (written with `Builder::binary_file`) and turns
//! them into the text the live writer would have written, byte for byte.
//!
//! The format is described in `docs/binary-format.md`. [`Reader`] yields
//! [`Record`]s; [`Text`] lays them out as lines in any
//! [`llt_runtime::LineFormat`], with the writer's own code.
//!
//! # Examples
//!
//! ```
//! use llt_decode::{Reader, Text};
//! use llt_runtime::{LineFormat, Logger};
//! # let path = std::env::temp_dir().join(format!("llt-decode-doc-lib-{}.lltb", std::process::id()));
//! let logger = Logger::builder().binary_file(&path).build().unwrap();
//! logger.log("hello");
//! drop(logger);
//!
//! let mut reader = Reader::new(std::fs::File::open(&path).unwrap());
//! let mut text = Text::new(LineFormat::MessageOnly);
//! let mut out = Vec::new();
//! while let Some(record) = reader.next_record().unwrap() {
//!     out.extend_from_slice(text.line(&record));
//! }
//! assert_eq!(out, b"hello\n");
//! # std::fs::remove_file(&path).unwrap();
//! ```
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]

pub mod format;
mod reader;

pub use reader::{DecodeError, Field, Fields, FieldsIter, Reader, Record, RecordKind};

use llt_runtime::LineFormat;
use llt_runtime::binary::{write_line_prefix, write_line_suffix, write_suffix_with_fields};
use llt_runtime::clock::Rfc3339;
use llt_runtime::record::Line;

/// The text lines of a binary log, as an iterator (see [`Reader::lines`]).
#[derive(Debug)]
pub struct Lines<R> {
    reader: Reader<R>,
    text: Text,
}

impl<R: std::io::Read> Iterator for Lines<R> {
    type Item = Result<String, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.reader.next_record() {
            Ok(Some(record)) => Some(Ok(
                String::from_utf8_lossy(self.text.line(&record)).into_owned()
            )),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

impl<R: std::io::Read> Reader<R> {
    /// The log's lines in `format`, newlines included, one `String` each;
    /// an error (a cut, damage) is an item, and decoding goes on after it
    /// where it can.
    ///
    /// # Examples
    ///
    /// ```
    /// # let path = std::env::temp_dir().join(format!("llt-decode-doc-lines-{}.lltb", std::process::id()));
    /// let logger = llt_runtime::Logger::builder().binary_file(&path).build().unwrap();
    /// logger.log("one");
    /// drop(logger);
    /// let reader = llt_decode::Reader::new(std::fs::File::open(&path).unwrap());
    /// let lines: Vec<String> = reader
    ///     .lines(llt_runtime::LineFormat::MessageOnly)
    ///     .collect::<Result<_, _>>()
    ///     .unwrap();
    /// assert_eq!(lines, ["one\n"]);
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn lines(self, format: LineFormat) -> Lines<R> {
        Lines {
            reader: self,
            text: Text::new(format),
        }
    }
}

/// Lays records out as text lines, with the writer's own line code.
///
/// # Examples
///
/// ```
/// use llt_decode::{Record, RecordKind, Text};
/// use llt_runtime::{Level, LineFormat};
/// let record = Record {
///     kind: RecordKind::Line,
///     unix_nanos: 0,
///     level: Level::Info,
///     target: "app",
///     location: Some(("src/main.rs", 3)),
///     thread: "main",
///     message: "hi \"you\"",
///     writer_format: LineFormat::Default,
///     rebuilt: true,
///     fields: None,
/// };
/// let mut text = Text::new(LineFormat::Json);
/// assert_eq!(
///     text.line(&record),
///     br#"{"ts":"1970-01-01T00:00:00.000000Z","level":"INFO","target":"app","file":"src/main.rs","line":3,"thread":"main","msg":"hi \"you\""}
/// "#
/// );
/// ```
#[derive(Debug)]
pub struct Text {
    format: LineFormat,
    timestamps: Rfc3339,
    line: Line,
}

impl Text {
    /// Lines in `format`.
    pub fn new(format: LineFormat) -> Self {
        Text {
            format,
            timestamps: Rfc3339::default(),
            line: Line::default(),
        }
    }

    /// The line of `record`, newline included.
    pub fn line(&mut self, record: &Record<'_>) -> &[u8] {
        self.line.clear();
        if record.kind == RecordKind::Corrupted {
            let _ = std::fmt::Write::write_str(&mut self.line, "<llt: corrupted record>\n");
            return self.line.as_bytes();
        }
        write_line_prefix(
            &mut self.line,
            &mut self.timestamps,
            self.format,
            record.unix_nanos,
            record.level,
            record.target,
            record.location,
            record.thread,
        );
        let _ = std::fmt::Write::write_str(&mut self.line, record.message);
        match record.fields {
            // The writer's own code: the fields print as the text writer
            // prints them. Named arguments are fields in JSON only (text
            // lines show them in the message), as in the writer, where
            // text lines with only those print as lines without fields.
            Some(fields) => {
                let json = self.format == LineFormat::Json;
                let shown = fields
                    .iter()
                    .filter(|field| json || !field.in_message)
                    .map(|field| Ok((field.name, field.value)));
                write_suffix_with_fields(&mut self.line, self.format, shown);
            }
            None => write_line_suffix(&mut self.line, self.format),
        }
        self.line.as_bytes()
    }
}
