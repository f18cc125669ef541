//! Structured fields: typed key-value pairs that travel in a record after its
//! message, and how the writer prints them (text, JSON, syslog structured
//! data).
//!
//! # The field list
//!
//! A record with fields ends with a *field list*, right after whatever its
//! decoder reads (the message). The decoder says that one follows by calling
//! [`follow`] on the line. The list is:
//!
//! ```text
//! count   u32, native endian
//! count times:
//!   kind  u8, a FieldKind
//!   name  the field's `&'static str`: pointer (usize) then length (usize)
//!   value U64, I64, F64: 8 bytes   Bool: 1 byte (0 or 1)
//!         U128, I128: 16 bytes     Str, Debug: usize length, UTF-8 bytes
//! ```
//!
//! All integers are written unaligned, in native byte order: the list is
//! read back by the writer of the same process, never stored. Names cross
//! the ring as pointers, so only `&'static str` names can be encoded (a
//! `tracing` field's name, or a literal in a log statement).
//!
//! The `tracing` layer writes this list with [`FieldList`]; a log statement
//! with fields writes the same bytes directly into the ring with
//! [`write_count`] and [`write_field`] (its sizes from [`field_len`], the
//! encoding of each type from [`FieldValue`]), then its decoder calls
//! [`follow`] after reading its arguments.
//!
//! # Output
//!
//! * Text (`LineFormat::Default`, `MessageOnly`): ` key=value` after the
//!   message, as `tracing-subscriber`'s fmt layer prints them: strings and
//!   `Debug` values quoted as `Debug` would (`name="sensor-0"`), numbers
//!   and bools bare.
//! * JSON: a `"fields"` object after `"msg"`, each value typed:
//!   `"fields":{"qty":5,"px":1.5,"ok":true,"venue":"XNYS"}`. Non-finite
//!   floats, which JSON cannot hold, are the strings `"NaN"`, `"inf"`,
//!   `"-inf"`.
//! * Syslog: one RFC 5424 structured-data element,
//!   `[fields@32473 qty="5" px="1.5"]`.

use std::fmt::{self, Write as _};
use std::mem::{MaybeUninit, size_of};

use crate::record::{Line, Payload, escape_json};

/// The type of one field's value in a field list.
///
/// # Examples
///
/// ```
/// use llt_runtime::fields::FieldKind;
/// assert_eq!(FieldKind::from_u8(FieldKind::F64 as u8), Some(FieldKind::F64));
/// assert_eq!(FieldKind::from_u8(0), None);
/// ```
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// An unsigned integer, 8 bytes.
    U64 = 1,
    /// A signed integer, 8 bytes.
    I64 = 2,
    /// A float, 8 bytes.
    F64 = 3,
    /// A bool, 1 byte.
    Bool = 4,
    /// A string: `usize` length and UTF-8 bytes.
    Str = 5,
    /// A value formatted with `Debug` (or `Display`) on the logging thread:
    /// `usize` length and UTF-8 bytes, printed as is in text.
    Debug = 6,
    /// An unsigned integer, 16 bytes.
    U128 = 7,
    /// A signed integer, 16 bytes.
    I128 = 8,
}

impl FieldKind {
    /// The kind from its tag byte, or `None` for an unknown tag.
    pub const fn from_u8(tag: u8) -> Option<FieldKind> {
        Some(match tag {
            1 => FieldKind::U64,
            2 => FieldKind::I64,
            3 => FieldKind::F64,
            4 => FieldKind::Bool,
            5 => FieldKind::Str,
            6 => FieldKind::Debug,
            7 => FieldKind::U128,
            8 => FieldKind::I128,
            _ => return None,
        })
    }
}

/// Marks, from a decoder, that a field list follows the bytes it read: the
/// writer prints the fields after the message.
///
/// # Safety
///
/// The bytes of the record after those the decoder read must be a field
/// list written by [`FieldList`] or [`write_count`] and [`write_field`] in
/// this process: the writer reads the names back as `&'static str`.
///
/// # Examples
///
/// ```
/// let mut line = llt_runtime::record::Line::default();
/// // SAFETY: not a decoder's line; nothing reads the (absent) list.
/// unsafe { llt_runtime::fields::follow(&mut line) };
/// ```
pub unsafe fn follow(line: &mut Line) {
    line.fields_follow = true;
}

// === Encoding ===

/// Appends a field list to a byte buffer (the `tracing` layer's per-thread
/// buffer, later copied into the ring). Call [`finish`](Self::finish) to
/// write the count.
///
/// # Examples
///
/// ```
/// use llt_runtime::fields::FieldList;
/// let mut buf = Vec::new();
/// let mut list = FieldList::new(&mut buf);
/// list.u64("qty", 5);
/// list.f64("px", 1.5);
/// list.str("venue", "XNYS");
/// list.finish();
/// assert_eq!(&buf[..4], &3u32.to_ne_bytes());
/// ```
#[derive(Debug)]
pub struct FieldList<'b> {
    buf: &'b mut Vec<u8>,
    start: usize,
    count: u32,
}

impl<'b> FieldList<'b> {
    /// Starts a list at the end of `buf`.
    pub fn new(buf: &'b mut Vec<u8>) -> Self {
        let start = buf.len();
        buf.extend_from_slice(&0u32.to_ne_bytes());
        FieldList {
            buf,
            start,
            count: 0,
        }
    }

    fn head(&mut self, kind: FieldKind, name: &'static str) {
        self.count += 1;
        self.buf.push(kind as u8);
        self.buf
            .extend_from_slice(&(name.as_ptr() as usize).to_ne_bytes());
        self.buf.extend_from_slice(&name.len().to_ne_bytes());
    }

    /// Adds an unsigned integer.
    pub fn u64(&mut self, name: &'static str, value: u64) {
        self.head(FieldKind::U64, name);
        self.buf.extend_from_slice(&value.to_ne_bytes());
    }

    /// Adds a signed integer.
    pub fn i64(&mut self, name: &'static str, value: i64) {
        self.head(FieldKind::I64, name);
        self.buf.extend_from_slice(&value.to_ne_bytes());
    }

    /// Adds an unsigned 128-bit integer.
    pub fn u128(&mut self, name: &'static str, value: u128) {
        self.head(FieldKind::U128, name);
        self.buf.extend_from_slice(&value.to_ne_bytes());
    }

    /// Adds a signed 128-bit integer.
    pub fn i128(&mut self, name: &'static str, value: i128) {
        self.head(FieldKind::I128, name);
        self.buf.extend_from_slice(&value.to_ne_bytes());
    }

    /// Adds a float.
    pub fn f64(&mut self, name: &'static str, value: f64) {
        self.head(FieldKind::F64, name);
        self.buf.extend_from_slice(&value.to_ne_bytes());
    }

    /// Adds a bool.
    pub fn bool(&mut self, name: &'static str, value: bool) {
        self.head(FieldKind::Bool, name);
        self.buf.push(u8::from(value));
    }

    /// Adds a string.
    pub fn str(&mut self, name: &'static str, value: &str) {
        self.head(FieldKind::Str, name);
        self.buf.extend_from_slice(&value.len().to_ne_bytes());
        self.buf.extend_from_slice(value.as_bytes());
    }

    /// Adds a value formatted now (`format_args!("{value:?}")` for a
    /// `Debug` value). If formatting fails, the field holds what was
    /// written before the failure and the error is returned.
    pub fn formatted(&mut self, name: &'static str, value: fmt::Arguments<'_>) -> fmt::Result {
        self.head(FieldKind::Debug, name);
        let len_at = self.buf.len();
        self.buf.extend_from_slice(&0usize.to_ne_bytes());
        let result = Bytes(self.buf).write_fmt(value);
        let len = self.buf.len() - len_at - size_of::<usize>();
        self.buf[len_at..len_at + size_of::<usize>()].copy_from_slice(&len.to_ne_bytes());
        result
    }

    /// Adds any [`FieldValue`] (an integer, a float, a bool, a string).
    pub fn value<V: FieldValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.count += 1;
        let len = field_len(value);
        self.buf.reserve(len);
        let start = self.buf.len();
        // SAFETY: `reserve` made room for `len` more bytes after `start`;
        // `write_field` writes exactly `field_len(value)` = `len` of them,
        // so all of `..start + len` is initialised before `set_len`.
        unsafe {
            write_field(self.buf.as_mut_ptr().add(start), name, value);
            self.buf.set_len(start + len);
        }
    }

    /// Writes the count; the list is complete.
    pub fn finish(self) {
        self.buf[self.start..self.start + 4].copy_from_slice(&self.count.to_ne_bytes());
    }
}

// === Encoding straight into a record ===

/// Bytes of a field list's count.
pub const COUNT_LEN: usize = size_of::<u32>();

/// Bytes of a field before its value: the kind and the name.
pub const FIELD_HEAD_LEN: usize = 1 + 2 * size_of::<usize>();

/// A value that can be a field, with its encoding: what a log statement
/// with fields uses to write the list straight into the ring, as
/// [`FieldList`] writes it into a buffer (the same bytes).
///
/// Integers are widened to 64 bits (`u128`/`i128` stay 128), `f32` to
/// `f64`, strings are copied.
///
/// # Safety
///
/// `write_value` must write exactly `value_len()` bytes, the encoding of
/// [`KIND`](Self::KIND) described in the module docs.
///
/// # Examples
///
/// ```
/// use llt_runtime::fields::{COUNT_LEN, FieldList, field_len, write_count, write_field};
/// let (qty, venue) = (5u32, "XNYS");
/// let mut raw = vec![0u8; COUNT_LEN + field_len(&qty) + field_len(&venue)];
/// // SAFETY: `raw` has room for the count and both fields.
/// unsafe {
///     let at = write_count(raw.as_mut_ptr(), 2);
///     let at = write_field(at, "qty", &qty);
///     write_field(at, "venue", &venue);
/// }
/// let mut listed = Vec::new();
/// let mut list = FieldList::new(&mut listed);
/// list.u64("qty", 5);
/// list.str("venue", "XNYS");
/// list.finish();
/// assert_eq!(raw, listed);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a log statement",
    label = "a field's value must be an integer, a float, a `bool` or a string",
    note = "log it in the message instead (with `{{:?}}` in the format string), or give the field a number, bool or string derived from it"
)]
pub unsafe trait FieldValue {
    /// The kind written in front of the value.
    const KIND: FieldKind;
    /// Bytes of the value.
    fn value_len(&self) -> usize;
    /// Writes the value.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of `value_len()` bytes.
    unsafe fn write_value(&self, dst: *mut u8);
}

macro_rules! fixed_field {
    ($kind:ident as $wide:ty: $($t:ty),*) => {$(
        // SAFETY: writes the value widened to `$wide`, `size_of::<$wide>()`
        // bytes, the encoding of `$kind`.
        unsafe impl FieldValue for $t {
            const KIND: FieldKind = FieldKind::$kind;
            #[inline(always)]
            fn value_len(&self) -> usize {
                size_of::<$wide>()
            }
            #[inline(always)]
            unsafe fn write_value(&self, dst: *mut u8) {
                // SAFETY: the caller gives `value_len()` writable bytes;
                // unaligned writes need no alignment.
                unsafe { dst.cast::<$wide>().write_unaligned(<$wide>::from(*self)) }
            }
        }
    )*};
}

fixed_field!(U64 as u64: u8, u16, u32, u64);
fixed_field!(I64 as i64: i8, i16, i32, i64);
fixed_field!(F64 as f64: f32, f64);
fixed_field!(U128 as u128: u128);
fixed_field!(I128 as i128: i128);

// SAFETY: `usize` is at most 64 bits on every supported target: written
// as a u64, 8 bytes.
unsafe impl FieldValue for usize {
    const KIND: FieldKind = FieldKind::U64;
    fn value_len(&self) -> usize {
        size_of::<u64>()
    }
    unsafe fn write_value(&self, dst: *mut u8) {
        // SAFETY: 8 writable bytes (caller); unaligned write.
        unsafe { dst.cast::<u64>().write_unaligned(*self as u64) }
    }
}

// SAFETY: as for `usize`, as an i64.
unsafe impl FieldValue for isize {
    const KIND: FieldKind = FieldKind::I64;
    fn value_len(&self) -> usize {
        size_of::<i64>()
    }
    unsafe fn write_value(&self, dst: *mut u8) {
        // SAFETY: 8 writable bytes (caller); unaligned write.
        unsafe { dst.cast::<i64>().write_unaligned(*self as i64) }
    }
}

// SAFETY: one byte, 0 or 1.
unsafe impl FieldValue for bool {
    const KIND: FieldKind = FieldKind::Bool;
    fn value_len(&self) -> usize {
        1
    }
    unsafe fn write_value(&self, dst: *mut u8) {
        // SAFETY: 1 writable byte (caller).
        unsafe { dst.write(u8::from(*self)) }
    }
}

// SAFETY: a usize length and the string's bytes.
unsafe impl FieldValue for str {
    const KIND: FieldKind = FieldKind::Str;
    #[inline(always)]
    fn value_len(&self) -> usize {
        size_of::<usize>().saturating_add(self.len())
    }
    #[inline(always)]
    unsafe fn write_value(&self, dst: *mut u8) {
        // SAFETY: `value_len()` writable bytes (caller): the length, then
        // the bytes, from a `&str` that cannot overlap the ring.
        unsafe {
            dst.cast::<usize>().write_unaligned(self.len());
            dst.add(size_of::<usize>())
                .copy_from_nonoverlapping(self.as_ptr(), self.len());
        }
    }
}

/// `FieldValue` for owned strings, written as the `str` they hold.
macro_rules! str_field {
    ($($t:ty),*) => {$(
        // SAFETY: as for `str`.
        unsafe impl FieldValue for $t {
            const KIND: FieldKind = FieldKind::Str;
            #[inline(always)]
            fn value_len(&self) -> usize {
                <str as FieldValue>::value_len(self)
            }
            #[inline(always)]
            unsafe fn write_value(&self, dst: *mut u8) {
                // SAFETY: forwarded from the caller.
                unsafe { <str as FieldValue>::write_value(self, dst) }
            }
        }
    )*};
}

str_field!(String, Box<str>, std::borrow::Cow<'_, str>);

// SAFETY: the value behind the reference, by its own contract.
unsafe impl<T: FieldValue + ?Sized> FieldValue for &T {
    const KIND: FieldKind = T::KIND;
    #[inline(always)]
    fn value_len(&self) -> usize {
        (**self).value_len()
    }
    #[inline(always)]
    unsafe fn write_value(&self, dst: *mut u8) {
        // SAFETY: forwarded from the caller.
        unsafe { (**self).write_value(dst) }
    }
}

/// Bytes of one field (kind, name, value) in a field list.
#[inline(always)]
pub fn field_len<V: FieldValue + ?Sized>(value: &V) -> usize {
    FIELD_HEAD_LEN + value.value_len()
}

/// Writes a field list's count; returns where the first field goes.
///
/// # Safety
///
/// `dst` must be valid for writes of [`COUNT_LEN`] bytes.
#[inline(always)]
pub unsafe fn write_count(dst: *mut u8, count: u32) -> *mut u8 {
    // SAFETY: COUNT_LEN writable bytes (caller); unaligned write.
    unsafe {
        dst.cast::<u32>().write_unaligned(count);
        dst.add(COUNT_LEN)
    }
}

/// Writes one field; returns where the next one goes.
///
/// # Safety
///
/// `dst` must be valid for writes of [`field_len(value)`](field_len) bytes.
#[inline(always)]
pub unsafe fn write_field<V: FieldValue + ?Sized>(
    dst: *mut u8,
    name: &'static str,
    value: &V,
) -> *mut u8 {
    // SAFETY: `field_len(value)` writable bytes (caller): the kind, the
    // name's pointer and length, then the value's `value_len()` bytes.
    unsafe {
        dst.write(V::KIND as u8);
        dst.add(1)
            .cast::<usize>()
            .write_unaligned(name.as_ptr() as usize);
        dst.add(1 + size_of::<usize>())
            .cast::<usize>()
            .write_unaligned(name.len());
        value.write_value(dst.add(FIELD_HEAD_LEN));
        dst.add(field_len(value))
    }
}

// === A log statement's extra fields ===

/// The extra fields of one `llt_log!` statement (`llt_info!(logger,
/// order_id = id; "filled {}", qty)`), nested like its arguments:
/// `((name, &value), ((name, &value), ()))`.
///
/// # Safety
///
/// `write` must write exactly `fields_len()` bytes: [`COUNT`](Self::COUNT) fields,
/// each as [`write_field`] writes it.
pub unsafe trait FieldEncList {
    /// How many fields the list holds.
    const COUNT: u32;
    /// Bytes of all the fields (without the count).
    fn fields_len(&self) -> usize;
    /// Writes the fields back to back; returns where the list ends.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of `fields_len()` bytes.
    unsafe fn write(&self, dst: *mut u8) -> *mut u8;
}

// SAFETY: no fields, no bytes.
unsafe impl FieldEncList for () {
    const COUNT: u32 = 0;
    #[inline(always)]
    fn fields_len(&self) -> usize {
        0
    }
    #[inline(always)]
    unsafe fn write(&self, dst: *mut u8) -> *mut u8 {
        dst
    }
}

// SAFETY: the head field (`field_len` bytes, by `write_field`), then the
// tail's fields per its own contract.
unsafe impl<V: FieldValue + ?Sized, T: FieldEncList> FieldEncList for ((&'static str, &V), T) {
    const COUNT: u32 = 1 + T::COUNT;
    #[inline(always)]
    fn fields_len(&self) -> usize {
        // Saturating: a huge string makes the record too large for the
        // ring, which rejects it and counts it.
        field_len(self.0.1).saturating_add(self.1.fields_len())
    }
    #[inline(always)]
    unsafe fn write(&self, dst: *mut u8) -> *mut u8 {
        // SAFETY: `fields_len()` writable bytes (caller): the head's, then the
        // tail's right after them.
        unsafe {
            let next = write_field(dst, self.0.0, self.0.1);
            self.1.write(next)
        }
    }
}

/// Encodes a statement's extra fields as the last "argument" of its
/// record: a field list (count, then the fields). Its decoder reads
/// nothing: the writer prints the list after the message (see [`follow`]).
#[derive(Debug)]
pub struct FieldsEnc<L>(L);

impl<L: FieldEncList> FieldsEnc<L> {
    /// The encoder of `fields`.
    #[inline(always)]
    pub fn new(fields: L) -> Self {
        FieldsEnc(fields)
    }
}

// SAFETY: writes `encoded_len()` bytes, a whole field list; `FieldsDec`
// reads none of them and leaves them, last in the record, to the writer.
unsafe impl<L: FieldEncList> crate::record::Encode for FieldsEnc<L> {
    type Decoder = FieldsDec;

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        COUNT_LEN.saturating_add(self.0.fields_len())
    }

    #[inline(always)]
    unsafe fn encode(&self, dst: *mut u8) {
        // SAFETY: `encoded_len()` writable bytes (caller): the count, then
        // the fields.
        unsafe {
            let at = write_count(dst, L::COUNT);
            self.0.write(at);
        }
    }
}

/// A statement's field value, checked to be a [`FieldValue`] where it is
/// written (what `llt_log!` wraps each field value in).
#[inline(always)]
pub fn field_value<V: FieldValue + ?Sized>(value: &V) -> &V {
    value
}

/// The decoder matching [`FieldsEnc`]: reads nothing and hands the
/// statement's formatting a [`FieldsFollow`] token.
#[derive(Debug)]
pub struct FieldsDec;

/// Proof that the record being formatted ends with a field list written
/// by [`FieldsEnc`]: only [`FieldsDec`] makes one. Passed to
/// [`write_message_with_fields`].
#[derive(Debug)]
pub struct FieldsFollow(());

// SAFETY: reads no bytes: the field list stays where `FieldsEnc` wrote it,
// after every other argument (`llt_log!` puts the fields last).
unsafe impl crate::record::Decode for FieldsDec {
    type Value<'r> = FieldsFollow;

    #[inline(always)]
    unsafe fn decode<'r>(_payload: &mut Payload<'r>) -> FieldsFollow {
        FieldsFollow(())
    }
}

/// Writes a statement's message, then marks that its extra fields follow
/// (what `llt_log!` generates for a statement with fields).
pub fn write_message_with_fields(
    line: &mut Line,
    _fields: &FieldsFollow,
    message: fmt::Arguments<'_>,
) -> fmt::Result {
    let result = line.write_fmt(message);
    // SAFETY: a `FieldsFollow` exists only when `FieldsDec` decoded the
    // record's last argument, so the bytes after the decoded arguments
    // are the field list `FieldsEnc` wrote in this process.
    unsafe { follow(line) };
    result
}

// === A statement's named arguments as fields ===

/// Where a statement's formatting records its named arguments (`{qty}`
/// with `qty = q`, or a captured `{qty}`) as fields, when the line's
/// format shows them (JSON lines, syslog structured data; text lines
/// already show them in the message). Runs on the writer thread, from the
/// closure `llt_log!` generates; made by [`named_fields`].
#[derive(Debug)]
pub struct NamedFields<'b>(Option<FieldList<'b>>);

/// The named-argument fields of the line being formatted (see
/// [`NamedFields`]); inactive when its format does not show them.
pub fn named_fields(line: &mut Line) -> NamedFields<'_> {
    if line.named_wanted {
        line.named.clear();
        NamedFields(Some(FieldList::new(&mut line.named)))
    } else {
        NamedFields(None)
    }
}

impl NamedFields<'_> {
    /// Ends the list.
    pub fn finish(self) {
        if let Some(list) = self.0 {
            list.finish();
        }
    }
}

/// A named argument's decoded value, for the autoref choice of how it
/// becomes a field: typed if it is a [`FieldValue`] ([`ViaFieldValue`]),
/// else as its `Debug` text ([`ViaFieldDebug`]), else not at all
/// ([`ViaFieldNone`]). `llt_log!` writes
/// `(&&&NamedField(value)).llt_field(&mut fields, "name")` (one `&` more
/// than the highest impl, as the methods take `&self`).
#[derive(Debug)]
pub struct NamedField<'a, T: ?Sized>(pub &'a T);

/// A named argument that is a number, a bool or a string: a typed field.
pub trait ViaFieldValue {
    /// Adds the field.
    fn llt_field(&self, fields: &mut NamedFields<'_>, name: &'static str);
}

impl<T: FieldValue + ?Sized> ViaFieldValue for &&NamedField<'_, T> {
    fn llt_field(&self, fields: &mut NamedFields<'_>, name: &'static str) {
        if let Some(list) = &mut fields.0 {
            list.value(name, self.0);
        }
    }
}

/// A named argument of another type with `Debug`: a field holding its
/// `Debug` text (a string in JSON).
pub trait ViaFieldDebug {
    /// Adds the field.
    fn llt_field(&self, fields: &mut NamedFields<'_>, name: &'static str);
}

impl<T: fmt::Debug + ?Sized> ViaFieldDebug for &NamedField<'_, T> {
    fn llt_field(&self, fields: &mut NamedFields<'_>, name: &'static str) {
        if let Some(list) = &mut fields.0 {
            // A failing `Debug` leaves what it wrote; the message, formatted
            // first, already reported any error of the value's.
            let _ = list.formatted(name, format_args!("{:?}", self.0));
        }
    }
}

/// A named argument without `Debug` (only `Display`): not a field.
pub trait ViaFieldNone {
    /// Adds nothing.
    fn llt_field(&self, fields: &mut NamedFields<'_>, name: &'static str);
}

impl<T: ?Sized> ViaFieldNone for NamedField<'_, T> {
    fn llt_field(&self, _fields: &mut NamedFields<'_>, _name: &'static str) {}
}

/// Joins the named-argument fields (`named`, a whole field list, possibly
/// empty) and the record's field list (the rest of `record`, if any) into
/// one list in `out`: named arguments first.
pub(crate) fn join_lists(named: &[u8], record: Option<&[MaybeUninit<u8>]>, out: &mut Vec<u8>) {
    out.clear();
    let count = |bytes: &[MaybeUninit<u8>]| read::<4>(bytes, 0).map(u32::from_ne_bytes);
    let named = crate::record::init_view(named);
    let named_count = count(named).unwrap_or(0);
    let record_count = record.and_then(count).unwrap_or(0);
    out.extend_from_slice(&named_count.saturating_add(record_count).to_ne_bytes());
    for list in [Some(named), record].into_iter().flatten() {
        if let Some(fields) = list.get(COUNT_LEN..) {
            // SAFETY: field lists are written whole (every byte
            // initialised, see `read`); same layout as `u8`.
            out.extend_from_slice(unsafe { &*(fields as *const [MaybeUninit<u8>] as *const [u8]) });
        }
    }
}

/// `fmt::Write` into a byte vector.
struct Bytes<'a>(&'a mut Vec<u8>);

impl fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

// === Decoding ===

/// One field's value, read back on the writer (or from a binary log by
/// `llt-decode`), as [`write_text`] and [`write_json`] print it.
///
/// # Examples
///
/// ```
/// use llt_runtime::fields::Value;
/// assert_eq!(Value::Str("a\"b").to_string(), r#""a\"b""#);
/// assert_eq!(Value::F64(1.0).to_string(), "1.0");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'r> {
    /// [`FieldKind::U64`].
    U64(u64),
    /// [`FieldKind::I64`].
    I64(i64),
    /// [`FieldKind::U128`].
    U128(u128),
    /// [`FieldKind::I128`].
    I128(i128),
    /// [`FieldKind::F64`].
    F64(f64),
    /// [`FieldKind::Bool`].
    Bool(bool),
    /// [`FieldKind::Str`].
    Str(&'r str),
    /// [`FieldKind::Debug`]: the text, printed as is.
    Debug(&'r str),
}

impl Value<'_> {
    /// The kind this value is stored as.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::fields::{FieldKind, Value};
    /// assert_eq!(Value::Bool(true).kind(), FieldKind::Bool);
    /// ```
    pub fn kind(&self) -> FieldKind {
        match self {
            Value::U64(_) => FieldKind::U64,
            Value::I64(_) => FieldKind::I64,
            Value::U128(_) => FieldKind::U128,
            Value::I128(_) => FieldKind::I128,
            Value::F64(_) => FieldKind::F64,
            Value::Bool(_) => FieldKind::Bool,
            Value::Str(_) => FieldKind::Str,
            Value::Debug(_) => FieldKind::Debug,
        }
    }
}

/// The fields of one record, read front to back.
#[derive(Debug)]
pub(crate) struct Fields<'r> {
    bytes: &'r [MaybeUninit<u8>],
    left: u32,
}

impl<'r> Fields<'r> {
    /// The field list at the front of `payload` (the rest of the record).
    ///
    /// # Safety
    ///
    /// The bytes must have been written as a field list (see the module
    /// docs): the names are read back as `&'static str` pointers.
    pub(crate) unsafe fn new(payload: &Payload<'r>) -> Option<Self> {
        let bytes = payload.remaining();
        let count = read::<4>(bytes, 0)?;
        Some(Fields {
            bytes: &bytes[4..],
            left: u32::from_ne_bytes(count),
        })
    }

    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let value = read::<N>(self.bytes, 0)?;
        self.bytes = &self.bytes[N..];
        Some(value)
    }

    fn take_usize(&mut self) -> Option<usize> {
        self.take::<{ size_of::<usize>() }>()
            .map(usize::from_ne_bytes)
    }

    fn take_text(&mut self) -> Option<&'r str> {
        let len = self.take_usize()?;
        let text = self.bytes.get(..len)?;
        // SAFETY: these bytes were copied from a `&str` by `FieldList` (the
        // caller of `new` vouches for the list), so they are initialised;
        // `from_utf8` checks the rest.
        let text = unsafe { &*(text as *const [MaybeUninit<u8>] as *const [u8]) };
        let text = std::str::from_utf8(text).ok()?;
        self.bytes = &self.bytes[len..];
        Some(text)
    }

    /// The next field, or `None` at the end; `Some(Err(()))` if the list
    /// is corrupted (then iteration stops).
    fn next_field(&mut self) -> Option<Result<(&'static str, Value<'r>), ()>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let field = self.read_field();
        if field.is_none() {
            self.left = 0;
        }
        Some(field.ok_or(()))
    }

    fn read_field(&mut self) -> Option<(&'static str, Value<'r>)> {
        let kind = FieldKind::from_u8(self.take::<1>()?[0])?;
        let pointer = self.take_usize()?;
        let len = self.take_usize()?;
        // SAFETY: the pointer and length were written from a `&'static str`
        // by `FieldList` in this process (the caller of `new` vouches for
        // the list): they describe a string that lives forever.
        let name = unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(pointer as *const u8, len))
        };
        let value = match kind {
            FieldKind::U64 => Value::U64(u64::from_ne_bytes(self.take()?)),
            FieldKind::I64 => Value::I64(i64::from_ne_bytes(self.take()?)),
            FieldKind::U128 => Value::U128(u128::from_ne_bytes(self.take()?)),
            FieldKind::I128 => Value::I128(i128::from_ne_bytes(self.take()?)),
            FieldKind::F64 => Value::F64(f64::from_ne_bytes(self.take()?)),
            FieldKind::Bool => Value::Bool(self.take::<1>()?[0] != 0),
            FieldKind::Str => Value::Str(self.take_text()?),
            FieldKind::Debug => Value::Debug(self.take_text()?),
        };
        Some((name, value))
    }
}

impl<'r> Iterator for Fields<'r> {
    type Item = Result<(&'static str, Value<'r>), ()>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_field()
    }
}

/// Reads `N` initialised bytes at `at`, if there are that many.
fn read<const N: usize>(bytes: &[MaybeUninit<u8>], at: usize) -> Option<[u8; N]> {
    let slice = bytes.get(at..at.checked_add(N)?)?;
    // SAFETY: field lists are written whole by `FieldList` or
    // `write_field` (every byte initialised, no padding); `N` bytes exist
    // (checked above).
    Some(unsafe { slice.as_ptr().cast::<[u8; N]>().read_unaligned() })
}

// === Printing ===

impl fmt::Display for Value<'_> {
    /// The value as text output shows it (after `key=`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Value::U64(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::U128(v) => write!(f, "{v}"),
            Value::I128(v) => write!(f, "{v}"),
            Value::F64(v) => write!(f, "{v:?}"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::Str(v) => write!(f, "{v:?}"),
            Value::Debug(v) => f.write_str(v),
        }
    }
}

/// Appends ` key=value` for each field (text lines); an `Err` item (a
/// corrupted list) ends them with ` <llt: corrupted fields>`. Shared by the
/// writer and `llt-decode`, which pass fields from different sources.
///
/// # Examples
///
/// ```
/// use llt_runtime::fields::{Value, write_text};
/// let mut out = Vec::new();
/// write_text([Ok(("qty", Value::U64(5))), Ok(("venue", Value::Str("X")))], &mut out);
/// assert_eq!(out, br#" qty=5 venue="X""#);
/// ```
pub fn write_text<'n, 'v, I>(fields: I, out: &mut Vec<u8>)
where
    I: IntoIterator<Item = Result<(&'n str, Value<'v>), ()>>,
{
    for field in fields {
        let Ok((name, value)) = field else {
            out.extend_from_slice(b" <llt: corrupted fields>");
            return;
        };
        let _ = write!(Bytes(out), " {name}={value}");
    }
}

/// Appends `"fields":{...}` with typed values (JSON lines); an `Err` item
/// (a corrupted list) ends the object. Shared by the writer and
/// `llt-decode`.
///
/// # Examples
///
/// ```
/// use llt_runtime::fields::{Value, write_json};
/// let mut out = Vec::new();
/// write_json([Ok(("px", Value::F64(f64::INFINITY))), Ok(("ok", Value::Bool(true)))], &mut out);
/// assert_eq!(out, br#""fields":{"px":"inf","ok":true}"#);
/// ```
pub fn write_json<'n, 'v, I>(fields: I, out: &mut Vec<u8>)
where
    I: IntoIterator<Item = Result<(&'n str, Value<'v>), ()>>,
{
    out.extend_from_slice(b"\"fields\":{");
    let mut first = true;
    for field in fields {
        let Ok((name, value)) = field else {
            break;
        };
        if !std::mem::replace(&mut first, false) {
            out.push(b',');
        }
        out.push(b'"');
        escape_json(out, name);
        out.extend_from_slice(b"\":");
        match value {
            Value::F64(v) if !v.is_finite() => {
                let text = if v.is_nan() {
                    "NaN"
                } else if v > 0.0 {
                    "inf"
                } else {
                    "-inf"
                };
                let _ = write!(Bytes(out), "\"{text}\"");
            }
            Value::Str(text) | Value::Debug(text) => {
                out.push(b'"');
                escape_json(out, text);
                out.push(b'"');
            }
            Value::Bool(v) => {
                let _ = write!(Bytes(out), "{v}");
            }
            Value::F64(v) => {
                let _ = write!(Bytes(out), "{v:?}");
            }
            number => {
                let _ = write!(Bytes(out), "{number}");
            }
        }
    }
    out.push(b'}');
}

/// The SD-ID of the structured-data element that holds a line's fields.
/// 32473 is the private enterprise number RFC 5612 reserves for
/// documentation and examples.
pub const SYSLOG_SD_ID: &str = "fields@32473";

/// Appends the RFC 5424 structured-data element of the fields,
/// `[fields@32473 key="value" ...]`. Names are cut to 32 characters and
/// characters RFC 5424 forbids in them (`=`, space, `]`, `"`, non-ASCII)
/// become `_`; in values, `"`, `\` and `]` are escaped with `\`.
pub(crate) fn write_structured_data(fields: Fields<'_>, out: &mut Vec<u8>) {
    out.push(b'[');
    out.extend_from_slice(SYSLOG_SD_ID.as_bytes());
    let mut value_text = String::new();
    for field in fields {
        let Ok((name, value)) = field else {
            break;
        };
        out.push(b' ');
        for &b in name.as_bytes().iter().take(32) {
            let allowed = b.is_ascii_graphic() && !matches!(b, b'=' | b']' | b'"');
            out.push(if allowed { b } else { b'_' });
        }
        out.extend_from_slice(b"=\"");
        value_text.clear();
        let _ = match value {
            Value::Str(text) | Value::Debug(text) => value_text.write_str(text),
            Value::F64(v) => write!(value_text, "{v:?}"),
            other => write!(value_text, "{other}"),
        };
        escape_sd_value(out, &value_text);
        out.push(b'"');
    }
    out.push(b']');
}

/// Appends an RFC 5424 PARAM-VALUE: `"`, `\` and `]` escaped with `\`.
pub(crate) fn escape_sd_value(out: &mut Vec<u8>, value: &str) {
    for &b in value.as_bytes() {
        if matches!(b, b'"' | b'\\' | b']') {
            out.push(b'\\');
        }
        out.push(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::init_view;

    fn encoded() -> Vec<u8> {
        let mut buf = Vec::new();
        let mut list = FieldList::new(&mut buf);
        list.u64("qty", 5);
        list.f64("px", 1.5);
        list.i64("delta", -3);
        list.bool("ok", true);
        list.str("venue", "X\"N]");
        list.formatted("side", format_args!("{:?}", Some(1)))
            .unwrap();
        list.u128("big", u128::MAX);
        list.f64("nan", f64::NAN);
        list.finish();
        buf
    }

    fn fields(bytes: &[u8]) -> Fields<'_> {
        // SAFETY: written by `FieldList` above.
        unsafe { Fields::new(&Payload::new(init_view(bytes))) }.unwrap()
    }

    #[test]
    fn text_is_like_tracing_fmt() {
        let bytes = encoded();
        let mut out = Vec::new();
        write_text(fields(&bytes), &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!(
                " qty=5 px=1.5 delta=-3 ok=true venue={:?} side=Some(1) big={} nan=NaN",
                "X\"N]",
                u128::MAX
            )
        );
    }

    #[test]
    fn json_values_are_typed() {
        let bytes = encoded();
        let mut out = b"{".to_vec();
        write_json(fields(&bytes), &mut out);
        out.push(b'}');
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"fields":{{"qty":5,"px":1.5,"delta":-3,"ok":true,"venue":"X\"N]","side":"Some(1)","big":{},"nan":"NaN"}}}}"#,
                u128::MAX
            )
        );
    }

    #[test]
    fn structured_data_escapes_values() {
        let bytes = encoded();
        let mut out = Vec::new();
        write_structured_data(fields(&bytes), &mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("[fields@32473 qty=\"5\" px=\"1.5\""),
            "{text}"
        );
        assert!(text.contains(r#"venue="X\"N\]""#), "{text}");
        assert!(text.ends_with("nan=\"NaN\"]"), "{text}");
    }

    #[test]
    fn raw_writes_decode_like_the_list() {
        let values = (7u16, -2i8, 0.5f32, false, String::from("s"), 9usize);
        let len = COUNT_LEN
            + field_len(&values.0)
            + field_len(&values.1)
            + field_len(&values.2)
            + field_len(&values.3)
            + field_len(&values.4)
            + field_len(&values.5);
        let mut raw = vec![0u8; len];
        // SAFETY: `raw` holds exactly the count and these fields.
        unsafe {
            let mut at = write_count(raw.as_mut_ptr(), 6);
            at = write_field(at, "a", &values.0);
            at = write_field(at, "b", &values.1);
            at = write_field(at, "c", &values.2);
            at = write_field(at, "d", &values.3);
            at = write_field(at, "e", &values.4);
            at = write_field(at, "f", &values.5);
            assert_eq!(at, raw.as_mut_ptr().add(len));
        }
        let decoded: Vec<_> = fields(&raw).map(Result::unwrap).collect();
        assert_eq!(
            decoded,
            [
                ("a", Value::U64(7)),
                ("b", Value::I64(-2)),
                ("c", Value::F64(0.5)),
                ("d", Value::Bool(false)),
                ("e", Value::Str("s")),
                ("f", Value::U64(9)),
            ]
        );
    }

    #[test]
    fn a_truncated_list_is_reported_not_read_past() {
        let bytes = encoded();
        for cut in 0..bytes.len() {
            let truncated = &bytes[..cut];
            // SAFETY: a prefix of a valid list: every name pointer read is
            // whole (a cut inside it fails the length check first).
            let Some(list) = (unsafe { Fields::new(&Payload::new(init_view(truncated))) }) else {
                assert!(cut < 4);
                continue;
            };
            let results: Vec<_> = list.collect();
            assert!(results.iter().any(Result::is_err), "cut at {cut}");
        }
    }
}
