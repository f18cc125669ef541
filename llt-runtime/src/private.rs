//! What `llt_log!`'s generated code calls. Not a public API: reached only
//! through the facade's hidden `llt_rs::__private` path, and only sound when
//! called the way the macro calls it.

use std::fmt;

pub use crate::callsite::{Callsite, Level, LevelFilter, Metadata, STATIC_MAX_LEVEL, Site};
pub use crate::fields::{
    FieldsEnc, FieldsFollow, NamedField, ViaFieldDebug, ViaFieldNone, ViaFieldValue, field_value,
    named_fields, write_message_with_fields,
};
pub use crate::global::default_logger;
use crate::interest::HAS_DIRECTIVES;
pub use crate::interest::Interest;
use crate::local;
pub use crate::logger::Logger;
pub use crate::record::{DecodeList, EncodeList, Line, Tag, ViaCopy, ViaStr};
use crate::record::{Payload, RECORD_HEADER, write_header};

/// Whether a statement of `level` in `module_path` passes `logger`'s
/// filter: one relaxed load, a comparison and a branch when the filter names
/// no modules; otherwise the statement's cached decision (`interest`).
///
/// Only the first test is inlined into every statement, and only in a
/// release build; the rest is one shared function.
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn enabled(
    logger: &Logger,
    level: Level,
    interest: &'static Interest,
    module_path: &'static str,
) -> bool {
    let max = logger.inner.filter.max_level();
    // Compared as signed, a byte with HAS_DIRECTIVES (0x80) is negative: one
    // comparison passes every enabled statement when the filter names no
    // modules, and sends the rest (disabled, or module directives) to the
    // second test, where the cached per-module decision settles it.
    (max as i8) >= level as i8 || enabled_by_directives(logger, max, level, interest, module_path)
}

/// The second test of [`enabled`]: a level below the filter's maximum
/// whose module the filter names.
#[cold]
#[inline(never)]
fn enabled_by_directives(
    logger: &Logger,
    max: u8,
    level: Level,
    interest: &'static Interest,
    module_path: &'static str,
) -> bool {
    max & HAS_DIRECTIVES != 0
        && level as u8 <= max & !HAS_DIRECTIVES
        && interest.enables(&logger.inner.filter, module_path, level)
}

/// Logs one record of statement `S` through `logger`: the hot path.
///
/// The statement's `&'static Callsite` is a constant built at compile time
/// from `S`'s metadata and a decoder monomorphised for these argument types
/// and this closure, so nothing is registered at run time.
///
/// `_format` must capture nothing (the macro's closures don't); this is
/// checked at compile time.
///
/// In a release build the whole push is inlined into the statement. In a
/// debug build (`debug_assertions`), where the hot path's shape does not
/// matter but every statement's code is compiled without optimisation, the
/// statement only calls `push_record`, which is shared by all statements
/// with the same argument types.
#[inline(always)]
pub fn log<S, A, F>(logger: &Logger, args: A, _format: F)
where
    S: Site,
    A: EncodeList,
    F: for<'r> Fn(&<A::Decoders as DecodeList>::Values<'r>, &mut Line) -> fmt::Result + Copy + Send,
{
    let callsite: &'static Callsite = const {
        &Callsite {
            metadata: S::METADATA,
            format: decode_and_format::<A::Decoders, F>,
            target_in_payload: false,
            kinds: <A::Decoders as DecodeList>::kinds,
        }
    };
    #[cfg(debug_assertions)]
    push_record(logger, callsite, args);
    #[cfg(not(debug_assertions))]
    push_inline(logger, callsite, args);
}

/// The push of [`log`] in a debug build: one instance per argument-type
/// list, not per statement.
#[cfg(debug_assertions)]
#[inline(never)]
fn push_record<A: EncodeList>(logger: &Logger, callsite: &'static Callsite, args: A) {
    push_inline(logger, callsite, args);
}

/// Writes the record of `callsite` with `args` into this thread's ring.
#[inline(always)]
fn push_inline<A: EncodeList>(logger: &Logger, callsite: &'static Callsite, args: A) {
    let clock = &logger.inner.clock;
    // Saturating: an overflowing size is rejected by the ring as too large.
    let len = args.encoded_len().saturating_add(RECORD_HEADER);
    // SAFETY: the closure writes the RECORD_HEADER-byte header, then the
    // arguments, exactly `args.encoded_len()` bytes: all `len` bytes (a
    // copied value's padding stays uninitialised, which `push` allows); it
    // does not log.
    unsafe {
        local::push(&logger.inner, len, |dst| {
            write_header(dst, callsite as *const Callsite as usize, clock);
            args.encode(dst.add(RECORD_HEADER));
        });
    }
}

/// The decoder stored in a statement's callsite: reads the arguments and
/// calls the statement's formatting closure with them.
fn decode_and_format<L, F>(payload: &mut Payload<'_>, line: &mut Line) -> fmt::Result
where
    L: DecodeList,
    F: for<'r> Fn(&L::Values<'r>, &mut Line) -> fmt::Result + Copy + Send,
{
    const {
        assert!(
            std::mem::size_of::<F>() == 0,
            "llt_log!'s formatting closure must not capture anything"
        );
    }
    // SAFETY: `F` is zero-sized (checked above): it has no bytes, so no
    // invalid ones, and a dangling, aligned, non-null pointer is valid for
    // reading it. It is `Copy + Send` and `log` received one `F` value, so
    // making another on this (the writer) thread duplicates and sends what
    // could be duplicated and sent anyway. The closures `llt_log!` generates
    // capture nothing at all. (Not `mem::zeroed`: in a debug build that is
    // half a dozen functions instantiated per statement; the pointer is a
    // constant and the read a built-in copy.)
    let format: F = unsafe { *const { std::ptr::dangling::<F>() } };
    // SAFETY: this function is only reachable through a callsite built in
    // `log::<_, A, F>` with `L = A::Decoders`, whose records were encoded by
    // the matching `A`.
    let values = unsafe { decode_values::<L>(payload) };
    // By reference: the formatting reads each value where it was decoded.
    format(&values, line)
}

/// Reads a record's arguments: in a debug build, one instance per
/// argument-type list shared by the statements' decoders.
///
/// # Safety
///
/// As [`DecodeList::decode`].
#[inline(never)]
unsafe fn decode_values<'r, L: DecodeList>(payload: &mut Payload<'r>) -> L::Values<'r> {
    // SAFETY: forwarded from the caller.
    unsafe { L::decode(payload) }
}

pub use std::{file, format_args, line, module_path};

/// Writes a statement's message into the line (used by the closures).
/// Not inlined: each statement's decoder only makes the `Arguments` and
/// calls it.
#[inline(never)]
pub fn write_line(line: &mut Line, args: fmt::Arguments<'_>) -> fmt::Result {
    fmt::Write::write_fmt(line, args)
}

/// Gives a width or precision argument the type format_args! requires.
#[inline(always)]
pub const fn count(value: usize) -> usize {
    value
}
