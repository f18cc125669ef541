//! Binary log files: records stored as their raw argument bytes plus a
//! dictionary of callsites, turned into text later by `llt-decode` (see
//! `docs/binary-format.md` for the byte layout).
//!
//! With [`Builder::binary_file`](crate::Builder::binary_file), the writer
//! thread formats no numbers: it copies each record's argument bytes after
//! a callsite index and a timestamp delta, and describes each callsite once
//! per file (level, module, file, line, format string, argument kinds).
//! Arguments a reader outside the process could not format exactly (a user
//! type with its own `Display`, or a format spec outside [`spec`]'s subset)
//! make the writer store that statement's message formatted, as a string.
//!
//! Fields (a `tracing` event's, a statement's extra fields and named
//! arguments) follow the formatted message, names stored as strings and
//! values typed, and print with the text writer's code
//! ([`write_suffix_with_fields`]).
//!
//! Timestamps are stored as Unix nanoseconds, converted by the same
//! function that makes the text writer's timestamps, and lines are laid out
//! by the same code ([`write_line_prefix`], [`write_line_suffix`]), so a
//! decoded file is byte for byte what the text writer would have written.

mod encoder;
mod file;
pub mod spec;

pub use crate::line::{
    write_line_prefix, write_suffix as write_line_suffix, write_suffix_with_fields,
};
pub(crate) use encoder::Encoder;
pub(crate) use file::BinaryFile;

/// First bytes of every segment of a binary log (a file starts with one; a
/// writer that had to restart, after a failed write, starts another). The
/// first byte never starts an entry, so a reader can find the next segment
/// after damage.
pub const MAGIC: [u8; 8] = *b"\x89LLTBIN\n";

/// Version of the format this crate writes (it reads every version from
/// [`MIN_VERSION`] to this one). Version 2 added field lists
/// ([`SITE_FIELDS`]).
pub const VERSION: u8 = 2;

/// The oldest version this crate reads.
pub const MIN_VERSION: u8 = 1;

/// Bytes of a segment header, magic included.
pub const HEADER_LEN: usize = 20;

/// Header flag: values are stored big-endian (otherwise little-endian).
pub const FLAG_BIG_ENDIAN: u8 = 1;

/// Control entries (an odd entry tag `2 * kind + 1`; an even tag `2 * i`
/// is a record of callsite `i`).
pub mod control {
    /// Defines a callsite: index, level, flags, line, module, file, format
    /// string, argument kinds.
    pub const CALLSITE: u64 = 0;
    /// Defines a thread (index, name) and makes it the current one.
    pub const THREAD: u64 = 1;
    /// Makes an already defined thread the current one.
    pub const SWITCH_THREAD: u64 = 2;
    /// The writer's report of dropped messages: timestamp delta, count.
    pub const DROPS: u64 = 3;
    /// A record whose bytes could not be read.
    pub const CORRUPTED: u64 = 4;
}

/// Callsite flag: each record carries its target (a string) before its
/// arguments (records of the `log` bridge).
pub const SITE_TARGET_IN_RECORD: u8 = 1;
/// Callsite flag: each record carries the message, formatted by the
/// writer, instead of the arguments.
pub const SITE_PREFORMATTED: u8 = 2;
/// Callsite flag: a string record (`Logger::log`, the `log` bridge); its
/// one argument is the message.
pub const SITE_MESSAGE: u8 = 4;

/// Callsite flag (version 2): each record ends with a varint `n`; 0 means
/// the record has no field list, otherwise `n - 1` fields follow (see
/// `docs/binary-format.md`).
pub const SITE_FIELDS: u8 = 8;

/// Field kind flag (version 2): the field is a named argument of the
/// message (`{qty}`): JSON lines show it, text lines only in the message.
pub const FIELD_IN_MESSAGE: u8 = 0x80;

/// Most fields a reader accepts in one record's list (more means damage).
pub const MAX_FIELDS: u64 = 1 << 16;

/// The line format's number in a header.
///
/// # Examples
///
/// ```
/// use llt_runtime::{LineFormat, binary};
/// let n = binary::line_format_code(LineFormat::Json);
/// assert_eq!(binary::line_format_from_code(n), Some(LineFormat::Json));
/// ```
pub fn line_format_code(format: crate::LineFormat) -> u8 {
    match format {
        crate::LineFormat::Default => 0,
        crate::LineFormat::MessageOnly => 1,
        crate::LineFormat::Json => 2,
    }
}

/// The line format numbered `code` in a header.
pub fn line_format_from_code(code: u8) -> Option<crate::LineFormat> {
    match code {
        0 => Some(crate::LineFormat::Default),
        1 => Some(crate::LineFormat::MessageOnly),
        2 => Some(crate::LineFormat::Json),
        _ => None,
    }
}

/// Appends `value` as an unsigned LEB128 varint.
///
/// # Examples
///
/// ```
/// let mut out = Vec::new();
/// llt_runtime::binary::put_varint(&mut out, 300);
/// assert_eq!(out, [0xac, 0x02]);
/// ```
#[inline]
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Maps a signed delta to an unsigned one (small magnitudes stay small).
///
/// # Examples
///
/// ```
/// use llt_runtime::binary::{unzigzag, zigzag};
/// assert_eq!(zigzag(-1), 1);
/// assert_eq!(unzigzag(zigzag(-12345)), -12345);
/// ```
#[inline]
pub fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// The inverse of [`zigzag`].
#[inline]
pub fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}
