//! What `llt_log!`'s generated code calls. Not a public API: reached only
//! through the facade's hidden `llt_rs::__private` path, and only sound when
//! called the way the macro calls it.

use std::fmt;

pub use crate::callsite::{Callsite, Level, LevelFilter, Metadata, STATIC_MAX_LEVEL, Site};
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
#[inline(always)]
pub fn enabled(
    logger: &Logger,
    level: Level,
    interest: &'static Interest,
    module_path: &'static str,
) -> bool {
    let filter = &logger.inner.filter;
    let max = filter.max_level();
    // Compared as signed, a byte with HAS_DIRECTIVES (0x80) is negative: one
    // comparison passes every enabled statement when the filter names no
    // modules, and sends the rest (disabled, or module directives) to the
    // second test, where the cached per-module decision settles it.
    (max as i8) >= level as i8
        || (max & HAS_DIRECTIVES != 0
            && level as u8 <= max & !HAS_DIRECTIVES
            && interest.enables(filter, module_path, level))
}

/// Logs one record of statement `S` through `logger`: the hot path.
///
/// The statement's `&'static Callsite` is a constant built at compile time
/// from `S`'s metadata and a decoder monomorphised for these argument types
/// and this closure, so nothing is registered at run time.
///
/// `_format` must capture nothing (the macro's closures don't); this is
/// checked at compile time.
#[inline(always)]
pub fn log<S, A, F>(logger: &Logger, args: A, _format: F)
where
    S: Site,
    A: EncodeList,
    F: for<'r> Fn(<A::Decoders as DecodeList>::Values<'r>, &mut Line) -> fmt::Result + Copy + Send,
{
    let callsite: &'static Callsite = const {
        &Callsite {
            metadata: S::METADATA,
            format: decode_and_format::<A::Decoders, F>,
            target_in_payload: false,
            kinds: <A::Decoders as DecodeList>::kinds,
        }
    };
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
    F: for<'r> Fn(L::Values<'r>, &mut Line) -> fmt::Result + Copy + Send,
{
    const {
        assert!(
            std::mem::size_of::<F>() == 0,
            "llt_log!'s formatting closure must not capture anything"
        );
    }
    // SAFETY: `F` is zero-sized (checked above): it has no bytes, so no
    // invalid ones. It is `Copy + Send` and `log` received one `F` value, so
    // making another on this (the writer) thread duplicates and sends what
    // could be duplicated and sent anyway. The closures `llt_log!` generates
    // capture nothing at all.
    let format: F = unsafe { std::mem::zeroed() };
    // SAFETY: this function is only reachable through a callsite built in
    // `log::<_, A, F>` with `L = A::Decoders`, whose records were encoded by
    // the matching `A`.
    let values = unsafe { L::decode(payload) };
    format(values, line)
}

pub use std::{file, format_args, line, module_path};

/// Writes a statement's message into the line (used by the closures).
#[inline]
pub fn write_line(line: &mut Line, args: fmt::Arguments<'_>) -> fmt::Result {
    fmt::Write::write_fmt(line, args)
}

/// Gives a width or precision argument the type format_args! requires.
#[inline(always)]
pub const fn count(value: usize) -> usize {
    value
}
