//! The bytes of one log record, and how arguments become bytes and back.
//!
//! A record's payload in the ring is:
//!
//! ```text
//! offset 0   address of the statement's `&'static Callsite`   (8 bytes)
//! offset 8   raw clock reading taken on the logging thread     (8 bytes)
//! offset 16  the arguments, each encoded by its `Encode` impl
//! ```
//!
//! Arguments are encoded on the hot thread without formatting:
//!
//! * a `Copy + Send + 'static` value as its raw bytes ([`CopyEnc`]), and
//!   the value behind a reference argument the same way, copied at the call;
//! * a `&str` or `String` as a `usize` length and the bytes ([`StrEnc`]).
//!
//! The writer decodes them back with unaligned reads ([`Decode`]) and hands
//! the values to the statement's formatting closure, which calls std's
//! `format_args!` with the original format string, so the text is what
//! `format!` would have produced on the logging thread.

use std::fmt;
use std::marker::PhantomData;

mod loggable;
pub use loggable::{LogValue, StaticCopy, ValueDec, ValueEnc, ViaValue, invalid_variant};
use std::mem::{MaybeUninit, size_of};

/// Bytes before the arguments: callsite address and timestamp.
pub const RECORD_HEADER: usize = 16;

/// Reads the callsite address and raw timestamp from a record payload.
///
/// Returns `None` for a payload shorter than [`RECORD_HEADER`].
#[inline]
pub fn read_header(payload: &[u8]) -> Option<(usize, u64)> {
    read_header_raw(init_view(payload))
}

/// [`read_header`] for a record that may hold uninitialised bytes after its
/// header (the writer's view of a record).
#[inline]
pub(crate) fn read_header_raw(payload: &[MaybeUninit<u8>]) -> Option<(usize, u64)> {
    if payload.len() < RECORD_HEADER {
        return None;
    }
    // SAFETY: the first RECORD_HEADER bytes exist (checked above) and were
    // written as two u64 integers by `write_header` (or come from a `&[u8]`
    // in `read_header`): they are initialised; unaligned reads need no
    // alignment. The callsite is stored as a u64 on every target.
    unsafe {
        let callsite = payload.as_ptr().cast::<u64>().read_unaligned();
        let timestamp = payload.as_ptr().add(8).cast::<u64>().read_unaligned();
        Some((callsite as usize, timestamp))
    }
}

/// Views initialised bytes as possibly-uninitialised ones (always sound).
pub(crate) fn init_view(bytes: &[u8]) -> &[MaybeUninit<u8>] {
    // SAFETY: same layout; every `u8` is a valid `MaybeUninit<u8>`.
    unsafe { &*(bytes as *const [u8] as *const [MaybeUninit<u8>]) }
}

/// Writes the record header at `dst`: the callsite's address and a raw
/// reading of `clock`, taken now.
///
/// # Safety
///
/// `dst` must be valid for writes of [`RECORD_HEADER`] bytes.
#[inline(always)]
pub unsafe fn write_header(dst: *mut u8, callsite: usize, clock: &crate::Clock) {
    // SAFETY: the caller guarantees RECORD_HEADER writable bytes at `dst`;
    // unaligned writes have no alignment requirement.
    unsafe {
        dst.cast::<u64>().write_unaligned(callsite as u64);
        clock.write_raw(dst.add(8));
    }
}

/// The arguments of one record, read front to back by the writer.
///
/// The bytes are `MaybeUninit<u8>`: a value copied as a whole (a struct, an
/// `Option`) brings its padding along uninitialised, so only typed reads of
/// that value, never a `&[u8]` over it, may touch them.
#[derive(Debug)]
pub struct Payload<'r> {
    bytes: &'r [MaybeUninit<u8>],
}

impl<'r> Payload<'r> {
    /// The arguments part of a record (after the header).
    pub(crate) fn new(bytes: &'r [MaybeUninit<u8>]) -> Self {
        Payload { bytes }
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'r [MaybeUninit<u8>] {
        self.bytes
    }

    /// The bytes not read yet, as `u8`.
    ///
    /// # Safety
    ///
    /// They must all be initialised (for example, copied from a `&str`).
    pub(crate) unsafe fn remaining_init(&self) -> &'r [u8] {
        // SAFETY: initialised per the caller; same layout.
        unsafe { &*(self.bytes as *const [MaybeUninit<u8>] as *const [u8]) }
    }

    /// Takes a string written as a `usize` length and UTF-8 bytes (the
    /// target in front of a bridge record), or `None` if the bytes are not
    /// one.
    ///
    /// # Safety
    ///
    /// The bytes must have been written by the `log` bridge: an initialised
    /// `usize` length and the bytes of a `&str`.
    pub(crate) unsafe fn take_str(&mut self) -> Option<&'r str> {
        let prefix = self.bytes.get(..size_of::<usize>())?;
        // SAFETY: the length prefix was written as a usize (caller).
        let len = unsafe { prefix.as_ptr().cast::<usize>().read_unaligned() };
        let text = self
            .bytes
            .get(size_of::<usize>()..size_of::<usize>().checked_add(len)?)?;
        // SAFETY: the target's bytes were copied from a `&str` (caller).
        let text = unsafe { &*(text as *const [MaybeUninit<u8>] as *const [u8]) };
        let text = std::str::from_utf8(text).ok()?;
        self.bytes = &self.bytes[size_of::<usize>() + len..];
        Some(text)
    }

    /// Takes the next `len` bytes.
    ///
    /// # Panics
    ///
    /// If fewer than `len` bytes remain; decoders only ask for what their
    /// encoder wrote, so this means a corrupted record, and the writer turns
    /// the panic into a marker line.
    #[inline]
    fn take(&mut self, len: usize) -> &'r [MaybeUninit<u8>] {
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        head
    }
}

/// The line being formatted on the writer thread.
///
/// Implements [`fmt::Write`]; what is written ends up in the sink. While a
/// JSON line's message is written, text is escaped as a JSON string body.
#[derive(Debug, Default)]
pub struct Line {
    pub(crate) buf: Vec<u8>,
    pub(crate) escape_json: bool,
    /// Set by a decoder (`fields::follow`): a field list follows the bytes
    /// it read.
    pub(crate) fields_follow: bool,
    /// Set by the writer when the line's format shows a statement's named
    /// arguments as fields (JSON lines, syslog structured data).
    pub(crate) named_wanted: bool,
    /// The named arguments of the statement being formatted, as a field
    /// list (`fields::NamedFields`); empty when it has none.
    pub(crate) named: Vec<u8>,
}

impl Line {
    /// The bytes of the line(s) written so far.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut line = llt_runtime::record::Line::default();
    /// std::fmt::Write::write_str(&mut line, "text").unwrap();
    /// assert_eq!(line.as_bytes(), b"text");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Forgets what was written, keeping the allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut line = llt_runtime::record::Line::default();
    /// std::fmt::Write::write_str(&mut line, "text").unwrap();
    /// line.clear();
    /// assert!(line.as_bytes().is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.buf.clear();
        self.escape_json = false;
    }
}

impl fmt::Write for Line {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.escape_json {
            escape_json(&mut self.buf, s);
        } else {
            self.buf.extend_from_slice(s.as_bytes());
        }
        Ok(())
    }
}

/// Appends `s` escaped for the inside of a JSON string (RFC 8259): `"`,
/// `\\` and control characters are escaped, everything else is copied.
///
/// # Examples
///
/// ```
/// let mut out = Vec::new();
/// llt_runtime::record::escape_json(&mut out, "say \"hi\"\n\u{1}");
/// assert_eq!(out, br#"say \"hi\"\n\u0001"#);
/// ```
pub fn escape_json(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f | 0x7f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escaped.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
        } else {
            out.extend_from_slice(escaped);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// A value's encoding on the hot thread. Implemented by the wrappers that
/// `llt_log!` selects for each argument ([`CopyEnc`], [`StrEnc`]).
///
/// # Safety
///
/// `encode` must write exactly `encoded_len()` bytes that
/// `<Self::Decoder as Decode>::decode` reads back as a valid value.
pub unsafe trait Encode {
    /// The matching decoder, used by the writer.
    type Decoder: Decode;
    /// Bytes `encode` writes. Constant for `Copy` values, so the size of an
    /// all-`Copy` record folds to a constant at compile time.
    fn encoded_len(&self) -> usize;
    /// Writes the value's bytes.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of `encoded_len()` bytes.
    unsafe fn encode(&self, dst: *mut u8);
}

/// Turns bytes written by the matching [`Encode`] back into a value.
///
/// # Safety
///
/// Implementations may assume the payload was written by their encoder.
pub unsafe trait Decode {
    /// What the formatting closure receives.
    type Value<'r>;
    /// Reads one value.
    ///
    /// # Safety
    ///
    /// The next bytes of `payload` must have been written by the matching
    /// [`Encode::encode`].
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> Self::Value<'r>;

    /// How the value is stored, for binary log files: a primitive a
    /// decoder outside the process can read back, or [`ArgKind::Opaque`]
    /// (the default) for anything else.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::record::{ArgKind, CopyDec, Decode, StrDec};
    /// assert_eq!(<CopyDec<f64> as Decode>::kind(), ArgKind::F64);
    /// assert_eq!(<StrDec as Decode>::kind(), ArgKind::Str);
    /// assert_eq!(<CopyDec<Option<u8>> as Decode>::kind(), ArgKind::Opaque);
    /// ```
    fn kind() -> ArgKind {
        ArgKind::Opaque
    }
}

/// How one argument of a record is stored, as far as a reader outside the
/// process is concerned (see `docs/binary-format.md`).
///
/// Every kind but `Str` and `Opaque` is the value's raw bytes, in the
/// writing machine's byte order; `Str` is a length and UTF-8 bytes.
///
/// # Examples
///
/// ```
/// use llt_runtime::record::ArgKind;
/// assert_eq!(ArgKind::from_u8(ArgKind::I32 as u8), Some(ArgKind::I32));
/// assert_eq!(ArgKind::U16.size(), Some(2));
/// assert_eq!(ArgKind::Str.size(), None);
/// ```
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArgKind {
    /// A value only the process can format (a user type, a tuple, a
    /// reference copied as a pointer).
    Opaque = 0,
    /// `u8`.
    U8 = 1,
    /// `u16`.
    U16 = 2,
    /// `u32`.
    U32 = 3,
    /// `u64` (and `usize` on 64-bit targets).
    U64 = 4,
    /// `u128`.
    U128 = 5,
    /// `i8`.
    I8 = 6,
    /// `i16`.
    I16 = 7,
    /// `i32`.
    I32 = 8,
    /// `i64` (and `isize` on 64-bit targets).
    I64 = 9,
    /// `i128`.
    I128 = 10,
    /// `f32`.
    F32 = 11,
    /// `f64`.
    F64 = 12,
    /// `bool`, one byte (0 or 1).
    Bool = 13,
    /// `char`, its `u32` scalar value.
    Char = 14,
    /// A string: `&str`, `String` and the other [`ViaStr`] types.
    Str = 15,
}

impl ArgKind {
    /// The kind with this discriminant, if any.
    pub const fn from_u8(value: u8) -> Option<ArgKind> {
        use ArgKind::*;
        const ALL: [ArgKind; 16] = [
            Opaque, U8, U16, U32, U64, U128, I8, I16, I32, I64, I128, F32, F64, Bool, Char, Str,
        ];
        if (value as usize) < ALL.len() {
            Some(ALL[value as usize])
        } else {
            None
        }
    }

    /// Bytes of a value of this kind, or `None` for `Str` (variable) and
    /// `Opaque` (unknown).
    pub const fn size(self) -> Option<usize> {
        use ArgKind::*;
        match self {
            U8 | I8 | Bool => Some(1),
            U16 | I16 => Some(2),
            U32 | I32 | F32 | Char => Some(4),
            U64 | I64 | F64 => Some(8),
            U128 | I128 => Some(16),
            Str | Opaque => None,
        }
    }

    /// The kind of a `Copy` type by its name, or `Opaque`.
    ///
    /// `type_name` spells a primitive by its bare name (`u32`, `f64`) and
    /// any other type with its path, so a user type named `u32` is never
    /// taken for the primitive; the size check guards the rest.
    fn of<T>() -> ArgKind {
        use ArgKind::*;
        let kind = match std::any::type_name::<T>() {
            "u8" => U8,
            "u16" => U16,
            "u32" => U32,
            "u64" => U64,
            "u128" => U128,
            "usize" if size_of::<usize>() == 8 => U64,
            "usize" if size_of::<usize>() == 4 => U32,
            "i8" => I8,
            "i16" => I16,
            "i32" => I32,
            "i64" => I64,
            "i128" => I128,
            "isize" if size_of::<isize>() == 8 => I64,
            "isize" if size_of::<isize>() == 4 => I32,
            "f32" => F32,
            "f64" => F64,
            "bool" => Bool,
            "char" => Char,
            _ => Opaque,
        };
        if kind.size() == Some(size_of::<T>()) {
            kind
        } else {
            Opaque
        }
    }
}

/// Marker for the values `llt_log!` copies as raw bytes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be logged by `llt_log!`",
    label = "arguments must be `Copy + Send + 'static` (or a reference to such a value), a string, a slice, `Vec`, `Option` or `Result` of loggable values, or `#[derive(llt_rs::Loggable)]`",
    note = "derive `llt_rs::Loggable` for your type, or format the value first and log the string: `logger.log(format!(..))`"
)]
pub trait Loggable: Copy + Send + 'static {}

impl<T: Copy + Send + 'static> Loggable for T {}

/// Encodes a `Copy + Send + 'static` value as its raw bytes.
///
/// Only constructible for [`Loggable`] types, which is what makes copying
/// the bytes to another thread and reading them back sound.
#[derive(Debug)]
pub struct CopyEnc<'a, T>(&'a T);

impl<'a, T: Loggable> CopyEnc<'a, T> {
    /// The encoder for `value`.
    #[inline(always)]
    pub fn new(value: &'a T) -> Self {
        CopyEnc(value)
    }
}

// SAFETY: writes the `size_of::<T>()` bytes of a `T` that `CopyDec<T>` reads
// back with `read_unaligned`. A `CopyEnc<T>` only exists for `T: Loggable`
// (`Copy + Send + 'static`): a bitwise copy is a valid value, may be used on
// the writer thread, and borrows nothing. The impl itself is unbounded so
// that a wrong argument type reports one error (at `CopyEnc::new`), not two.
unsafe impl<T> Encode for CopyEnc<'_, T> {
    type Decoder = CopyDec<T>;

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        size_of::<T>()
    }

    #[inline(always)]
    unsafe fn encode(&self, dst: *mut u8) {
        // SAFETY: the caller guarantees size_of::<T>() writable bytes.
        unsafe { dst.cast::<T>().write_unaligned(std::ptr::read(self.0)) }
    }
}

/// Decodes a value written by [`CopyEnc`].
#[derive(Debug)]
pub struct CopyDec<T>(PhantomData<T>);

// SAFETY: reads back exactly the bytes `CopyEnc<T>` wrote.
unsafe impl<T> Decode for CopyDec<T> {
    type Value<'r> = T;

    #[inline(always)]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> T {
        let bytes = payload.take(size_of::<T>());
        // SAFETY: these are the bytes of a `T` written by `CopyEnc<T>`, which
        // exists only for `Copy` types, so the copy is a valid `T`.
        unsafe { bytes.as_ptr().cast::<T>().read_unaligned() }
    }

    fn kind() -> ArgKind {
        ArgKind::of::<T>()
    }
}

/// Encodes a string slice as its length and bytes.
#[derive(Debug)]
pub struct StrEnc<'a>(&'a str);

impl<'a> StrEnc<'a> {
    /// The encoder for `s`.
    #[inline(always)]
    pub fn new(s: &'a str) -> Self {
        StrEnc(s)
    }
}

// SAFETY: writes a `usize` length then that many bytes of valid UTF-8, which
// `StrDec` reads back.
unsafe impl Encode for StrEnc<'_> {
    type Decoder = StrDec;

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        // Saturating: a sum past usize::MAX (32-bit targets, huge strings)
        // stays huge, and the ring rejects it as too large.
        size_of::<usize>().saturating_add(self.0.len())
    }

    #[inline(always)]
    unsafe fn encode(&self, dst: *mut u8) {
        // SAFETY: the caller guarantees encoded_len() writable bytes; the
        // source is a live `&str` that cannot overlap the ring.
        unsafe {
            dst.cast::<usize>().write_unaligned(self.0.len());
            dst.add(size_of::<usize>())
                .copy_from_nonoverlapping(self.0.as_ptr(), self.0.len());
        }
    }
}

/// Decodes a string written by [`StrEnc`], borrowing it from the record.
#[derive(Debug)]
pub struct StrDec;

// SAFETY: reads back the length and bytes `StrEnc` wrote.
unsafe impl Decode for StrDec {
    type Value<'r> = &'r str;

    #[inline(always)]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> &'r str {
        // SAFETY: `StrEnc` wrote a usize length here (the caller's contract).
        let len = unsafe {
            payload
                .take(size_of::<usize>())
                .as_ptr()
                .cast::<usize>()
                .read_unaligned()
        };
        let bytes = payload.take(len);
        // SAFETY: the bytes were copied from a `&str` by `StrEnc`: they are
        // initialised UTF-8; `MaybeUninit<u8>` and `u8` share a layout.
        unsafe {
            std::str::from_utf8_unchecked(&*(bytes as *const [MaybeUninit<u8>] as *const [u8]))
        }
    }

    fn kind() -> ArgKind {
        ArgKind::Str
    }
}

/// A list of encoders, built by `llt_log!` as nested pairs
/// `(e0, (e1, (e2, ())))`, so any number of arguments works without a
/// trait impl per arity.
///
/// # Safety
///
/// Same contract as [`Encode`], for the whole list in order.
pub unsafe trait EncodeList {
    /// The decoders, in the same nesting.
    type Decoders: DecodeList;
    /// Total bytes of all encodings.
    fn encoded_len(&self) -> usize;
    /// Writes all encodings back to back.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of `encoded_len()` bytes.
    unsafe fn encode(&self, dst: *mut u8);
}

// SAFETY: encodes nothing.
unsafe impl EncodeList for () {
    type Decoders = ();

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        0
    }

    #[inline(always)]
    unsafe fn encode(&self, _dst: *mut u8) {}
}

// SAFETY: the head's bytes then the tail's, each per its own contract.
unsafe impl<H: Encode, T: EncodeList> EncodeList for (H, T) {
    type Decoders = (H::Decoder, T::Decoders);

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        // Saturating, as in `StrEnc`; a constant for all-Copy lists.
        self.0.encoded_len().saturating_add(self.1.encoded_len())
    }

    #[inline(always)]
    unsafe fn encode(&self, dst: *mut u8) {
        // SAFETY: `dst` has room for both parts; the tail starts right after
        // the head's `encoded_len()` bytes.
        unsafe {
            self.0.encode(dst);
            self.1.encode(dst.add(self.0.encoded_len()));
        }
    }
}

/// Decoders for an [`EncodeList`], producing nested pairs of values.
///
/// # Safety
///
/// Same contract as [`Decode`], for the whole list in order.
pub unsafe trait DecodeList {
    /// The values, nested like the encoders: `(v0, (v1, ()))`.
    type Values<'r>;
    /// Reads all values.
    ///
    /// # Safety
    ///
    /// The payload must have been written by the matching [`EncodeList`].
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> Self::Values<'r>;

    /// Appends each value's [`ArgKind`], in order. The default (for lists
    /// not built by `llt_log!`) says `Opaque`, which makes a binary log
    /// store the message formatted.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::record::{ArgKind, CopyDec, DecodeList, StrDec};
    /// let mut kinds = Vec::new();
    /// <(CopyDec<u32>, (StrDec, ())) as DecodeList>::kinds(&mut kinds);
    /// assert_eq!(kinds, [ArgKind::U32, ArgKind::Str]);
    /// ```
    fn kinds(out: &mut Vec<ArgKind>) {
        out.push(ArgKind::Opaque);
    }
}

// SAFETY: reads nothing.
unsafe impl DecodeList for () {
    type Values<'r> = ();

    #[inline(always)]
    unsafe fn decode<'r>(_payload: &mut Payload<'r>) {}

    fn kinds(_out: &mut Vec<ArgKind>) {}
}

// SAFETY: the head's value then the tail's, in the order they were written.
unsafe impl<H: Decode, T: DecodeList> DecodeList for (H, T) {
    type Values<'r> = (H::Value<'r>, T::Values<'r>);

    #[inline(always)]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> Self::Values<'r> {
        // SAFETY: forwarded from the caller, in encoding order.
        unsafe {
            let head = H::decode(payload);
            (head, T::decode(payload))
        }
    }

    fn kinds(out: &mut Vec<ArgKind>) {
        out.push(H::kind());
        T::kinds(out);
    }
}

/// Picks the encoder for one `llt_log!` argument by autoref specialization.
///
/// The macro writes `(&&&&&Tag(&arg)).llt_encoder()`. Method lookup tries the
/// receiver with five `&`, then four, three, two, one, and takes the first
/// trait with an impl for that shape, so the impls with more `&` in front of
/// `Tag` win:
///
/// 1. [`ViaStr`] (`&&&&Tag`): string types, copied as length + bytes.
/// 2. [`ViaValue`] (`&&&Tag<T>`, `T:` [`LogValue`]): slices, `Vec`, arrays,
///    `Option`, `Result`, derived types, numbers, and references to them,
///    copied piece by piece.
/// 3. [`ViaRef`] (`&&Tag<&&T>`): a reference to a reference; the value
///    behind both is copied.
/// 4. [`ViaRef`] (`&Tag<&T>`, `&Tag<&mut T>`): a reference; the value
///    behind it is copied.
/// 5. [`ViaCopy`] (`Tag<T>`): any other value, copied as it is.
///
/// Steps 3 and 4 make a reference log what its pointee holds at the call,
/// as `format!` would, rather than what the writer would read through the
/// pointer later; a reference to something that cannot be copied (an
/// atomic, a mutex) is a compile error there ([`LoggablePointee`]).
///
/// Only `Sized` pointees take steps 3 and 4: a `&'static [T]` of
/// non-[`LogValue`] elements or a `&'static dyn Trait` is copied as a
/// pointer (step 5) and read by the
/// writer, as is anything behind a third `&`, or behind a reference *inside*
/// a `Copy` value, or a reference reached through a type parameter in
/// generic code.
///
/// # Examples
///
/// ```
/// # #![allow(clippy::needless_borrow)]
/// use llt_runtime::record::{Encode, Tag, ViaCopy as _, ViaRef as _, ViaStr as _, ViaValue as _};
///
/// let value = 7u64;
/// let reference = &value;
/// let text = String::from("four");
/// // As `llt_log!` spells it: the argument `reference` becomes the 8 bytes
/// // of the `u64` it points to, the `String` its length and bytes.
/// assert_eq!((&&&&&Tag(&reference)).llt_encoder().encoded_len(), 8);
/// assert_eq!((&&&&&Tag(&text)).llt_encoder().encoded_len(), size_of::<usize>() + 4);
/// // A slice: its length and elements.
/// let bytes: &[u8] = &[1, 2, 3];
/// assert_eq!((&&&&&Tag(&bytes)).llt_encoder().encoded_len(), size_of::<usize>() + 3);
/// ```
#[derive(Debug)]
pub struct Tag<'a, T: ?Sized>(pub &'a T);

/// Encoder choice for string arguments: `&str`, `&&str`, `String`,
/// `&String`, `Box<str>`, `&Box<str>`, `Cow<str>`, `&Cow<str>` (step 1 of
/// [`Tag`]).
pub trait ViaStr<'a> {
    /// The string's encoder.
    fn llt_encoder(&self) -> StrEnc<'a>;
}

/// `ViaStr` for `&&&&Tag<'a, $string>`: the string is copied at the call.
macro_rules! via_str {
    ($($string:ty),* $(,)?) => {$(
        impl<'a> ViaStr<'a> for &&&&Tag<'a, $string> {
            #[cfg_attr(not(debug_assertions), inline(always))]
            fn llt_encoder(&self) -> StrEnc<'a> {
                StrEnc(self.0)
            }
        }
    )*};
}

via_str!(
    &str,
    &&str,
    String,
    &String,
    Box<str>,
    &Box<str>,
    std::borrow::Cow<'_, str>,
    &std::borrow::Cow<'_, str>,
);

/// What `llt_log!` copies from behind a reference argument: the pointee of
/// a `&T`, `&&T` or `&mut T` is copied at the call, so it must be `Copy`.
#[diagnostic::on_unimplemented(
    message = "`llt_log!` cannot copy the `{Self}` behind this reference at the call",
    label = "the writer thread would read this `{Self}` later, not as it is now",
    note = "log what it holds now: pass the value itself (for an atomic, `counter.load(Ordering::Relaxed)`), or format it yourself and log the string: `logger.log(format!(..))`"
)]
pub trait LoggablePointee: Copy + Send + 'static {}

impl<T: Copy + Send + 'static> LoggablePointee for T {}

/// Encoder choice for references (steps 2 and 3 of [`Tag`]): the value
/// behind them, if it is [`LoggablePointee`]; otherwise a compile error
/// naming the argument.
pub trait ViaRef<'a, T> {
    /// The pointee's encoder.
    fn llt_encoder(&self) -> CopyEnc<'a, T>
    where
        T: LoggablePointee;
}

impl<'a, T> ViaRef<'a, T> for &&Tag<'a, &&T> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn llt_encoder(&self) -> CopyEnc<'a, T>
    where
        T: LoggablePointee,
    {
        CopyEnc(&***self.0)
    }
}

impl<'a, T> ViaRef<'a, T> for &Tag<'a, &T> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn llt_encoder(&self) -> CopyEnc<'a, T>
    where
        T: LoggablePointee,
    {
        CopyEnc(&**self.0)
    }
}

impl<'a, T> ViaRef<'a, T> for &Tag<'a, &mut T> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn llt_encoder(&self) -> CopyEnc<'a, T>
    where
        T: LoggablePointee,
    {
        CopyEnc(&**self.0)
    }
}

/// Encoder choice for every other argument (step 4 of [`Tag`]): raw bytes,
/// if it is [`Loggable`]; otherwise a compile error naming the argument.
pub trait ViaCopy<'a, T> {
    /// The value's encoder.
    fn llt_encoder(&self) -> CopyEnc<'a, T>
    where
        T: Loggable;
}

impl<'a, T> ViaCopy<'a, T> for Tag<'a, T> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn llt_encoder(&self) -> CopyEnc<'a, T>
    where
        T: Loggable,
    {
        CopyEnc(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<E: EncodeList>(list: E) -> Vec<u8> {
        let mut buf = vec![0u8; list.encoded_len()];
        // SAFETY: `buf` has exactly encoded_len() bytes.
        unsafe { list.encode(buf.as_mut_ptr()) };
        buf
    }

    #[test]
    #[allow(clippy::needless_borrow, reason = "spelled as llt_log! expands it")]
    fn copy_and_str_values_round_trip() {
        #[derive(Debug, Clone, Copy, PartialEq)]
        struct Celsius(u8);
        let owned = String::from("héllo");
        let list = (
            (&&&&&Tag(&Celsius(7))).llt_encoder(),
            (
                (&&&&&Tag(&owned)).llt_encoder(),
                ((&&&&&Tag(&&-1.5f64)).llt_encoder(), ()),
            ),
        );
        let bytes = round_trip(list);
        assert_eq!(bytes.len(), 1 + 8 + owned.len() + 8);
        let mut payload = Payload::new(init_view(&bytes));
        // SAFETY: `bytes` was written by the matching encoders.
        let (a, (b, (c, ()))) = unsafe {
            <(CopyDec<Celsius>, (StrDec, (ValueDec<&&f64>, ()))) as DecodeList>::decode(
                &mut payload,
            )
        };
        assert_eq!((a, b, c), (Celsius(7), "héllo", -1.5));
        assert!(payload.remaining().is_empty());
    }

    #[test]
    fn argument_kinds_by_type() {
        #[allow(non_camel_case_types, dead_code)]
        mod shadow {
            /// A user type that spells itself like a primitive.
            #[derive(Clone, Copy)]
            pub struct u32(pub i32);
        }
        let mut kinds = Vec::new();
        type List = (
            CopyDec<u8>,
            (
                CopyDec<i128>,
                (
                    CopyDec<usize>,
                    (
                        CopyDec<f32>,
                        (
                            CopyDec<bool>,
                            (
                                CopyDec<char>,
                                (StrDec, (CopyDec<shadow::u32>, (CopyDec<(u8,)>, ()))),
                            ),
                        ),
                    ),
                ),
            ),
        );
        <List as DecodeList>::kinds(&mut kinds);
        let usize_kind = if size_of::<usize>() == 8 {
            ArgKind::U64
        } else {
            ArgKind::U32
        };
        assert_eq!(
            kinds,
            [
                ArgKind::U8,
                ArgKind::I128,
                usize_kind,
                ArgKind::F32,
                ArgKind::Bool,
                ArgKind::Char,
                ArgKind::Str,
                ArgKind::Opaque,
                ArgKind::Opaque,
            ]
        );
        for code in 0..=u8::MAX {
            if let Some(kind) = ArgKind::from_u8(code) {
                assert_eq!(kind as u8, code);
            }
        }
    }

    #[test]
    fn header_round_trips() {
        let clock = crate::Clock::new();
        let mut buf = [0u8; RECORD_HEADER];
        let before = clock.raw();
        // SAFETY: the buffer is RECORD_HEADER bytes long.
        unsafe { write_header(buf.as_mut_ptr(), 0xdead_beef, &clock) };
        let (callsite, timestamp) = read_header(&buf).unwrap();
        assert_eq!(callsite, 0xdead_beef);
        assert!(before <= timestamp && timestamp <= clock.raw());
        assert_eq!(read_header(&buf[..15]), None);
    }
}
