//! Reading a binary log's entries: segment headers, the dictionary of
//! callsites and threads, and records, turned into [`Record`]s.

use std::fmt;
use std::io::{self, Read};

use llt_runtime::Level;
use llt_runtime::LineFormat;
use llt_runtime::binary::spec::{Piece, parse_for};
use llt_runtime::binary::{
    FIELD_IN_MESSAGE, FLAG_BIG_ENDIAN, HEADER_LEN, MAGIC, MAX_FIELDS, MIN_VERSION, SITE_FIELDS,
    SITE_MESSAGE, SITE_PREFORMATTED, SITE_TARGET_IN_RECORD, VERSION, control,
    line_format_from_code, unzigzag,
};
use llt_runtime::fields::{FieldKind, Value as FieldValue};
use llt_runtime::record::ArgKind;

use crate::format::{Value, format_value};

/// Why a binary log could not be read (further).
///
/// # Examples
///
/// ```
/// let mut reader = llt_decode::Reader::new(&b"not a log"[..]);
/// let error = reader.next_record().unwrap_err();
/// assert!(error.to_string().contains("not an llt binary log"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum DecodeError {
    /// Reading the input failed.
    Io(io::Error),
    /// The input ends inside an entry (the writer stopped mid-write, or the
    /// file is still being written): everything before `offset` was read.
    Truncated {
        /// Offset of the incomplete entry.
        offset: u64,
        /// Bytes of it present.
        bytes: usize,
    },
    /// The bytes at `offset` are not a valid entry; reading resumes at the
    /// next segment header, if any.
    Corrupt {
        /// Offset of the bad entry.
        offset: u64,
        /// What is wrong.
        what: String,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Io(e) => write!(f, "reading the log failed: {e}"),
            DecodeError::Truncated { offset, bytes } => write!(
                f,
                "the log ends inside a record at byte {offset} ({bytes} bytes of it present): \
                 the writer stopped mid-write; every record before it was decoded"
            ),
            DecodeError::Corrupt { offset, what } => write!(
                f,
                "not an llt binary log, or damaged, at byte {offset}: {what} (reading goes on \
                 at the next segment header, if any)"
            ),
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DecodeError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// What a [`Record`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A logged line.
    Line,
    /// The writer's report of dropped messages.
    Drops,
    /// A record the writer could not read; printed as
    /// `<llt: corrupted record>` without prefix, like the text writer.
    Corrupted,
}

/// One decoded record: everything its line is made of.
///
/// # Examples
///
/// ```
/// # let path = std::env::temp_dir().join(format!("llt-decode-doc-record-{}.lltb", std::process::id()));
/// let logger = llt_runtime::Logger::builder().binary_file(&path).build().unwrap();
/// logger.log_str(llt_runtime::Level::Warn, "careful");
/// drop(logger); // writes everything
/// let mut reader = llt_decode::Reader::new(std::fs::File::open(&path).unwrap());
/// let record = reader.next_record().unwrap().unwrap();
/// assert_eq!((record.level, record.message), (llt_runtime::Level::Warn, "careful"));
/// # std::fs::remove_file(&path).unwrap();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// What it is.
    pub kind: RecordKind,
    /// Nanoseconds since the Unix epoch.
    pub unix_nanos: u64,
    /// The level.
    pub level: Level,
    /// The statement's module path, or the `log` record's target.
    pub target: &'a str,
    /// The statement's file and line, where known.
    pub location: Option<(&'a str, u32)>,
    /// The logging thread's name.
    pub thread: &'a str,
    /// The message.
    pub message: &'a str,
    /// The line format the writer was configured with.
    pub writer_format: LineFormat,
    /// Whether the message was made here from the stored arguments
    /// (`false`: the writer stored it formatted, or it is a string record).
    pub rebuilt: bool,
    /// The fields printed after the message (a `tracing` event's, a log
    /// statement's extra fields, and in JSON its named arguments), if the
    /// record has a field list (then the JSON line has a `"fields"` object,
    /// even an empty one).
    pub fields: Option<Fields<'a>>,
}

/// A record's field list, as stored in a binary log (checked when the
/// record was read).
///
/// # Examples
///
/// ```
/// use llt_runtime::fields::Value;
/// # let path = std::env::temp_dir().join(format!("llt-decode-doc-fields-{}.lltb", std::process::id()));
/// let logger = llt_runtime::Logger::builder().binary_file(&path).build().unwrap();
/// llt_rs::llt_info!(logger, qty = 5u32, venue = "XNYS"; "filled");
/// drop(logger);
/// let mut reader = llt_decode::Reader::new(std::fs::File::open(&path).unwrap());
/// let record = reader.next_record().unwrap().unwrap();
/// let fields: Vec<_> = record.fields.unwrap().iter().map(|f| (f.name, f.value)).collect();
/// assert_eq!(fields, [("qty", Value::U64(5)), ("venue", Value::Str("XNYS"))]);
/// # std::fs::remove_file(&path).unwrap();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    bytes: &'a [u8],
    count: usize,
    big_endian: bool,
}

impl<'a> Fields<'a> {
    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The fields in order (named arguments first).
    pub fn iter(&self) -> FieldsIter<'a> {
        FieldsIter {
            cursor: Cursor {
                bytes: self.bytes,
                at: 0,
            },
            left: self.count,
            big_endian: self.big_endian,
        }
    }
}

/// One stored field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its value.
    pub value: FieldValue<'a>,
    /// A named argument of the message (`{qty}`): JSON lines show it as a
    /// field, text lines only in the message.
    pub in_message: bool,
}

/// The fields of a [`Fields`], in order.
#[derive(Debug)]
pub struct FieldsIter<'a> {
    cursor: Cursor<'a>,
    left: usize,
    big_endian: bool,
}

impl<'a> Iterator for FieldsIter<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.left = self.left.checked_sub(1)?;
        // The list was checked by `read_field` when the record was read,
        // so this cannot fail; if it did, iteration would just end.
        read_field(&mut self.cursor, self.big_endian).ok()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

/// Reads one field of a stored field list: kind, name, value.
fn read_field<'a>(cursor: &mut Cursor<'a>, big_endian: bool) -> Result<Field<'a>, Fault> {
    let code = cursor.byte()?;
    let kind = FieldKind::from_u8(code & !FIELD_IN_MESSAGE)
        .ok_or_else(|| Fault::Corrupt(format!("unknown field kind {code}")))?;
    let name = cursor.str()?;
    macro_rules! number {
        ($t:ty) => {{
            let array = cursor
                .take(size_of::<$t>())?
                .try_into()
                .expect("the size taken");
            if big_endian {
                <$t>::from_be_bytes(array)
            } else {
                <$t>::from_le_bytes(array)
            }
        }};
    }
    let value = match kind {
        FieldKind::U64 => FieldValue::U64(number!(u64)),
        FieldKind::I64 => FieldValue::I64(number!(i64)),
        FieldKind::U128 => FieldValue::U128(number!(u128)),
        FieldKind::I128 => FieldValue::I128(number!(i128)),
        FieldKind::F64 => FieldValue::F64(f64::from_bits(number!(u64))),
        FieldKind::Bool => match cursor.byte()? {
            0 => FieldValue::Bool(false),
            1 => FieldValue::Bool(true),
            other => return Err(Fault::Corrupt(format!("field bool {other}"))),
        },
        FieldKind::Str => FieldValue::Str(cursor.str()?),
        FieldKind::Debug => FieldValue::Debug(cursor.str()?),
    };
    Ok(Field {
        name,
        value,
        in_message: code & FIELD_IN_MESSAGE != 0,
    })
}

/// A callsite described in the current segment.
#[derive(Debug)]
struct Site {
    level: Level,
    flags: u8,
    line: u32,
    module: String,
    file: String,
    kinds: Vec<ArgKind>,
    pieces: Vec<Piece>,
}

/// A segment's header fields.
#[derive(Debug, Clone, Copy)]
struct Header {
    big_endian: bool,
    format: LineFormat,
}

/// Reads records from a binary log (a file, several files one after the
/// other, a pipe).
///
/// # Examples
///
/// ```
/// use llt_decode::Reader;
/// # let path = std::env::temp_dir().join(format!("llt-decode-doc-reader-{}.lltb", std::process::id()));
/// let logger = llt_runtime::Logger::builder().binary_file(&path).build().unwrap();
/// logger.log("one");
/// logger.log("two");
/// drop(logger);
/// let mut reader = Reader::new(std::fs::File::open(&path).unwrap());
/// let mut messages = Vec::new();
/// while let Some(record) = reader.next_record().unwrap() {
///     messages.push(record.message.to_owned());
/// }
/// assert_eq!(messages, ["one", "two"]);
/// # std::fs::remove_file(&path).unwrap();
/// ```
#[derive(Debug)]
pub struct Reader<R> {
    input: R,
    buf: Vec<u8>,
    /// Start of the next entry in `buf`.
    pos: usize,
    /// Input offset of `buf[0]`.
    base: u64,
    eof: bool,
    follow: bool,
    /// After a corrupt entry: skip to the next segment header.
    resync: bool,
    header: Option<Header>,
    sites: Vec<Site>,
    threads: Vec<String>,
    thread: usize,
    last_nanos: u64,
    message: String,
    target: String,
    arguments: Vec<(usize, usize)>,
    /// The last record's field list: its bytes in `buf` and its count.
    fields: Option<(usize, usize, usize)>,
    /// The last record's kind and callsite.
    current: (RecordKind, usize),
}

/// The input ended inside an entry.
struct Incomplete;

/// Why an entry could not be parsed.
enum Fault {
    Incomplete,
    Corrupt(String),
}

impl From<Incomplete> for Fault {
    fn from(_: Incomplete) -> Self {
        Fault::Incomplete
    }
}

/// A cursor over the buffered bytes of one entry.
#[derive(Debug)]
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], Incomplete> {
        let end = self.at.checked_add(len).ok_or(Incomplete)?;
        let bytes = self.bytes.get(self.at..end).ok_or(Incomplete)?;
        self.at = end;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8, Incomplete> {
        Ok(self.take(1)?[0])
    }

    fn varint(&mut self) -> Result<u64, Fault> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Fault::Corrupt("varint longer than 64 bits".into()))
    }

    fn str(&mut self) -> Result<&'a str, Fault> {
        let len = self.varint()?;
        let len = usize::try_from(len).map_err(|_| Fault::Corrupt("string too long".into()))?;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|_| Fault::Corrupt("string is not UTF-8".into()))
    }
}

impl<R: Read> Reader<R> {
    /// A reader of `input`, which must start with a segment header (any
    /// binary log file does; several files may follow each other).
    pub fn new(input: R) -> Self {
        Reader {
            input,
            buf: Vec::new(),
            pos: 0,
            base: 0,
            eof: false,
            follow: false,
            resync: false,
            header: None,
            sites: Vec::new(),
            threads: Vec::new(),
            thread: 0,
            last_nanos: 0,
            message: String::new(),
            target: String::new(),
            arguments: Vec::new(),
            fields: None,
            current: (RecordKind::Line, 0),
        }
    }

    /// In follow mode, the end of the input (even inside an entry) is not
    /// an error: [`next_record`](Self::next_record) returns `Ok(None)`, and
    /// a later call reads what was appended since.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut reader = llt_decode::Reader::new(std::io::empty());
    /// reader.set_follow(true);
    /// assert!(reader.next_record().unwrap().is_none());
    /// ```
    pub fn set_follow(&mut self, follow: bool) {
        self.follow = follow;
    }

    /// The next record, `Ok(None)` at the end of the input.
    ///
    /// After [`DecodeError::Truncated`] the input is at its end; after
    /// [`DecodeError::Corrupt`], the next call resumes at the next segment
    /// header.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, DecodeError> {
        loop {
            if self.resync && !self.skip_to_header()? {
                return Ok(None);
            }
            if self.pos == self.buf.len() && !self.fill()? {
                return Ok(None);
            }
            match self.parse_entry() {
                Ok(true) => return Ok(Some(self.record())),
                Ok(false) => {}
                Err(Fault::Incomplete) => {
                    if self.fill()? {
                        continue;
                    }
                    if self.follow {
                        return Ok(None);
                    }
                    let error = DecodeError::Truncated {
                        offset: self.base + self.pos as u64,
                        bytes: self.buf.len() - self.pos,
                    };
                    self.pos = self.buf.len();
                    return Err(error);
                }
                Err(Fault::Corrupt(what)) => {
                    let offset = self.base + self.pos as u64;
                    self.pos += 1;
                    self.resync = true;
                    return Err(DecodeError::Corrupt { offset, what });
                }
            }
        }
    }

    /// Reads more input into the buffer; `false` at its end.
    fn fill(&mut self) -> Result<bool, DecodeError> {
        if self.pos > 0 && self.pos * 2 >= self.buf.len() {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + (64 << 10), 0);
        let read = loop {
            match self.input.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(DecodeError::Io(e));
                }
            }
        };
        self.buf.truncate(old + read);
        self.eof = read == 0;
        Ok(read > 0)
    }

    /// After damage: moves to the next segment header; `false` if the
    /// input ends first.
    fn skip_to_header(&mut self) -> Result<bool, DecodeError> {
        loop {
            if let Some(found) = self.buf[self.pos..]
                .windows(MAGIC.len())
                .position(|window| window == MAGIC)
            {
                self.pos += found;
                self.resync = false;
                self.header = None;
                return Ok(true);
            }
            // Keep a partial magic at the end.
            self.pos = self.buf.len().saturating_sub(MAGIC.len() - 1).max(self.pos);
            if !self.fill()? {
                return Ok(false);
            }
        }
    }

    /// Parses the entry at `pos`: `Ok(true)` for a record (its fields in
    /// the reader's scratch state), `Ok(false)` for a definition or header.
    fn parse_entry(&mut self) -> Result<bool, Fault> {
        let mut cursor = Cursor {
            bytes: &self.buf[self.pos..],
            at: 0,
        };
        if cursor.bytes[0] == MAGIC[0] {
            let header = cursor.take(HEADER_LEN)?;
            if header[..8] != MAGIC {
                return Err(Fault::Corrupt("not an llt binary log (bad magic)".into()));
            }
            if !(MIN_VERSION..=VERSION).contains(&header[8]) {
                return Err(Fault::Corrupt(format!(
                    "format version {} (this llt-decode reads versions {MIN_VERSION} to \
                     {VERSION}; a newer llt-decode may read it)",
                    header[8]
                )));
            }
            let format = line_format_from_code(header[11])
                .ok_or_else(|| Fault::Corrupt("unknown line format in header".into()))?;
            self.header = Some(Header {
                big_endian: header[9] & FLAG_BIG_ENDIAN != 0,
                format,
            });
            self.last_nanos = u64::from_le_bytes(header[12..20].try_into().expect("8 bytes"));
            self.sites.clear();
            self.threads.clear();
            self.thread = 0;
            self.pos += cursor.at;
            return Ok(false);
        }
        let Some(header) = self.header else {
            return Err(Fault::Corrupt("not an llt binary log (no header)".into()));
        };
        let tag = cursor.varint()?;
        let is_record = tag & 1 == 0;
        let value = tag >> 1;
        if is_record {
            let site = self
                .sites
                .get(value as usize)
                .ok_or_else(|| Fault::Corrupt(format!("record of undefined callsite {value}")))?;
            let nanos = self
                .last_nanos
                .wrapping_add(unzigzag(cursor.varint()?) as u64);
            self.target.clear();
            if site.flags & SITE_TARGET_IN_RECORD != 0 {
                self.target.push_str(cursor.str()?);
            } else {
                self.target.push_str(&site.module);
            }
            self.message.clear();
            if site.flags & SITE_PREFORMATTED != 0 {
                self.message.push_str(cursor.str()?);
            } else {
                self.arguments.clear();
                for &kind in &site.kinds {
                    let len = match kind.size() {
                        Some(size) => size,
                        None => usize::try_from(cursor.varint()?)
                            .map_err(|_| Fault::Corrupt("string too long".into()))?,
                    };
                    let start = self.pos + cursor.at;
                    cursor.take(len)?;
                    self.arguments.push((start, len));
                }
                for piece in &site.pieces {
                    match piece {
                        Piece::Literal(text) => self.message.push_str(text),
                        Piece::Argument { index, spec } => {
                            let (start, len) = self.arguments[*index];
                            let bytes = &self.buf[start..start + len];
                            let value = value_of(site.kinds[*index], bytes, header.big_endian)?;
                            format_value(&mut self.message, value, spec);
                        }
                    }
                }
            }
            self.fields = None;
            if site.flags & SITE_FIELDS != 0 {
                let stored = cursor.varint()?;
                if stored > MAX_FIELDS {
                    return Err(Fault::Corrupt(format!(
                        "field list of {} fields (at most {MAX_FIELDS})",
                        stored - 1
                    )));
                }
                if let Some(count) = stored.checked_sub(1) {
                    let start = cursor.at;
                    for _ in 0..count {
                        read_field(&mut cursor, header.big_endian)?;
                    }
                    self.fields = Some((self.pos + start, self.pos + cursor.at, count as usize));
                }
            }
            self.last_nanos = nanos;
            self.pos += cursor.at;
            self.current = (RecordKind::Line, value as usize);
            return Ok(true);
        }
        match value {
            control::CALLSITE => {
                let index = cursor.varint()?;
                if index != self.sites.len() as u64 {
                    return Err(Fault::Corrupt(format!("callsite {index} out of order")));
                }
                let level = level_of(cursor.byte()?)?;
                let flags = cursor.byte()?;
                let line = u32::try_from(cursor.varint()?)
                    .map_err(|_| Fault::Corrupt("line number too large".into()))?;
                let module = cursor.str()?.to_owned();
                let file = cursor.str()?.to_owned();
                let format = cursor.str()?;
                let count = cursor.varint()?;
                let mut kinds = Vec::new();
                for _ in 0..count {
                    let code = cursor.byte()?;
                    kinds.push(
                        ArgKind::from_u8(code).ok_or_else(|| {
                            Fault::Corrupt(format!("unknown argument kind {code}"))
                        })?,
                    );
                }
                let pieces = if flags & SITE_PREFORMATTED != 0 {
                    Vec::new()
                } else {
                    parse_for(format, &kinds).ok_or_else(|| {
                        Fault::Corrupt(format!("format string {format:?} cannot be reproduced"))
                    })?
                };
                self.sites.push(Site {
                    level,
                    flags,
                    line,
                    module,
                    file,
                    kinds,
                    pieces,
                });
            }
            control::THREAD => {
                let index = cursor.varint()?;
                if index != self.threads.len() as u64 {
                    return Err(Fault::Corrupt(format!("thread {index} out of order")));
                }
                let name = cursor.str()?.to_owned();
                self.threads.push(name);
                self.thread = index as usize;
            }
            control::SWITCH_THREAD => {
                let index = cursor.varint()?;
                if index >= self.threads.len() as u64 {
                    return Err(Fault::Corrupt(format!(
                        "switch to undefined thread {index}"
                    )));
                }
                self.thread = index as usize;
            }
            control::DROPS => {
                let nanos = self
                    .last_nanos
                    .wrapping_add(unzigzag(cursor.varint()?) as u64);
                let since = cursor.varint()?;
                self.message.clear();
                use std::fmt::Write as _;
                let _ = write!(
                    self.message,
                    "llt: {since} messages dropped since the last report"
                );
                self.last_nanos = nanos;
                self.pos += cursor.at;
                self.current = (RecordKind::Drops, 0);
                return Ok(true);
            }
            control::CORRUPTED => {
                self.pos += cursor.at;
                self.current = (RecordKind::Corrupted, 0);
                return Ok(true);
            }
            other => return Err(Fault::Corrupt(format!("unknown entry type {other}"))),
        }
        self.pos += cursor.at;
        Ok(false)
    }

    /// The record just parsed.
    fn record(&self) -> Record<'_> {
        let writer_format = self.header.map_or(LineFormat::Default, |h| h.format);
        let (kind, site) = self.current;
        match kind {
            RecordKind::Line => {
                let site = &self.sites[site];
                let location = (site.flags & SITE_TARGET_IN_RECORD == 0 && site.line != 0)
                    .then_some((site.file.as_str(), site.line));
                Record {
                    kind,
                    unix_nanos: self.last_nanos,
                    level: site.level,
                    target: &self.target,
                    location,
                    thread: self.threads.get(self.thread).map_or("", String::as_str),
                    message: &self.message,
                    writer_format,
                    rebuilt: site.flags & (SITE_PREFORMATTED | SITE_MESSAGE) == 0,
                    fields: self.fields.map(|(start, end, count)| Fields {
                        bytes: &self.buf[start..end],
                        count,
                        big_endian: self.header.is_some_and(|h| h.big_endian),
                    }),
                }
            }
            RecordKind::Drops => Record {
                kind,
                unix_nanos: self.last_nanos,
                level: Level::Warn,
                target: "llt",
                location: None,
                thread: "llt-writer",
                message: &self.message,
                writer_format,
                rebuilt: false,
                fields: None,
            },
            RecordKind::Corrupted => Record {
                kind,
                unix_nanos: self.last_nanos,
                level: Level::Error,
                target: "llt",
                location: None,
                thread: "",
                message: "<llt: corrupted record>",
                writer_format,
                rebuilt: false,
                fields: None,
            },
        }
    }
}

/// The level numbered `code`.
fn level_of(code: u8) -> Result<Level, Fault> {
    Ok(match code {
        1 => Level::Error,
        2 => Level::Warn,
        3 => Level::Info,
        4 => Level::Debug,
        5 => Level::Trace,
        _ => return Err(Fault::Corrupt(format!("unknown level {code}"))),
    })
}

/// Reads a value of `kind` from its bytes.
fn value_of(kind: ArgKind, bytes: &[u8], big_endian: bool) -> Result<Value<'_>, Fault> {
    macro_rules! number {
        ($t:ty) => {{
            let array = bytes.try_into().expect("the kind's size");
            if big_endian {
                <$t>::from_be_bytes(array)
            } else {
                <$t>::from_le_bytes(array)
            }
        }};
    }
    Ok(match kind {
        ArgKind::U8 => Value::U8(bytes[0]),
        ArgKind::U16 => Value::U16(number!(u16)),
        ArgKind::U32 => Value::U32(number!(u32)),
        ArgKind::U64 => Value::U64(number!(u64)),
        ArgKind::U128 => Value::U128(number!(u128)),
        ArgKind::I8 => Value::I8(bytes[0] as i8),
        ArgKind::I16 => Value::I16(number!(i16)),
        ArgKind::I32 => Value::I32(number!(i32)),
        ArgKind::I64 => Value::I64(number!(i64)),
        ArgKind::I128 => Value::I128(number!(i128)),
        ArgKind::F32 => Value::F32(f32::from_bits(number!(u32))),
        ArgKind::F64 => Value::F64(f64::from_bits(number!(u64))),
        ArgKind::Bool => Value::Bool(bytes[0] != 0),
        ArgKind::Char => Value::Char(
            char::from_u32(number!(u32)).ok_or_else(|| Fault::Corrupt("invalid char".into()))?,
        ),
        ArgKind::Str => Value::Str(
            std::str::from_utf8(bytes).map_err(|_| Fault::Corrupt("string is not UTF-8".into()))?,
        ),
        _ => {
            return Err(Fault::Corrupt(format!(
                "argument kind {kind:?} has no value"
            )));
        }
    })
}
