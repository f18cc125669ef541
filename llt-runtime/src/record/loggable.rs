//! Values copied piece by piece: slices, `Vec`, arrays, `Option`, `Result`,
//! strings inside them, and types with `#[derive(llt_rs::Loggable)]`.
//!
//! A [`LogValue`] writes itself into the record on the calling thread (a
//! length and the elements for a slice, a tag and the payload for an
//! `Option`, the fields one after the other for a derived type), without
//! allocating or formatting. The writer reads it back as
//! [`LogValue::Decoded`], a value that prints exactly as the original:
//!
//! | argument                         | rebuilt on the writer as     |
//! |----------------------------------|------------------------------|
//! | numbers, `bool`, `char`, `()`    | the same value               |
//! | `&str`, `Cow<str>`               | `&str` (borrowed from the record) |
//! | `String`, `Box<str>`             | the same type (allocated on the writer) |
//! | `[T]`, `&[T]`                    | `Vec<T::Decoded>`            |
//! | `Vec<T>`, `Box<[T]>`, `[T; N]`   | the same container of `T::Decoded` |
//! | `Option<T>`, `Result<T, E>`      | `Option`/`Result` of the decoded values |
//! | `&T`, `&mut T`, `Box<T>`         | `T::Decoded` (`Box` for `Box<T>`) |
//! | a derived `S<'a, T>`             | `S<'r, T::Decoded>`: the same type |
//!
//! `Debug` of a `Vec` prints as the slice it came from, `Debug` of `&str`
//! as the `String`, so `{:?}`, `{:#?}` and `{:x?}` give `format!`'s text.
//!
//! Numbers of a slice are copied with one `memcpy` ([`LogValue::RAW`]).

use std::borrow::Cow;
use std::marker::PhantomData;
use std::mem::size_of;
use std::num::{
    NonZeroI8, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroI128, NonZeroIsize, NonZeroU8,
    NonZeroU16, NonZeroU32, NonZeroU64, NonZeroU128, NonZeroUsize,
};
use std::time::Duration;

use super::{ArgKind, Decode, Encode, Payload, Tag};

/// A value `llt_log!` copies into the record piece by piece and rebuilds on
/// the writer thread: slices, `Vec`, `Option`, `Result`, strings, and your
/// own types with `#[derive(llt_rs::Loggable)]`.
///
/// Implement it with the derive: it encodes field by field, without
/// allocating, and rebuilds the value as the same type on the writer, where
/// the type's own `Display`/`Debug` formats it.
///
/// # Safety
///
/// `encode` writes exactly `encoded_len()` bytes and returns the pointer
/// just past them; `decode` reads back exactly those bytes. `Decoded<'r>`
/// borrows at most from the record (`'r`), never from `Self`'s lifetimes.
/// With [`RAW`](LogValue::RAW) set, also: `Self: Copy`, `Decoded<'r>` is
/// `Self`, and the encoding is `Self`'s `size_of::<Self>()` bytes.
///
/// # Examples
///
/// With the facade crate: `#[derive(llt_rs::Loggable)] struct Order { .. }`,
/// then `llt_log!(logger, "{order:?}")`. By hand, the round trip is:
///
/// ```
/// use llt_runtime::record::LogValue;
///
/// let samples: Option<Vec<f64>> = Some(vec![0.5, -1.0]);
/// let mut record = vec![0u8; samples.encoded_len()];
/// // SAFETY: `record` has `encoded_len()` bytes.
/// let end = unsafe { samples.encode(record.as_mut_ptr()) };
/// assert_eq!(end, record.as_mut_ptr_range().end);
/// // A tag byte, a length, two f64: no allocation on the calling thread.
/// assert_eq!(record.len(), 1 + size_of::<usize>() + 16);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be logged by `llt_log!` as a field or element",
    label = "`{Self}` does not implement `LogValue`",
    note = "derive it: `#[derive(llt_rs::Loggable)]` on `{Self}`; numbers, `bool`, `char`, strings, slices, `Vec`, arrays, `Option` and `Result` of those are loggable"
)]
pub unsafe trait LogValue {
    /// What the writer rebuilds: prints as `Self` does.
    type Decoded<'r>;
    /// Set when the encoding is the value's raw bytes (numbers, `bool`,
    /// `char`): a slice of them is copied with one `memcpy`.
    const RAW: bool = false;
    /// Bytes `encode` writes.
    fn encoded_len(&self) -> usize;
    /// Writes the value at `dst`; returns the end of what was written.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of `encoded_len()` bytes.
    unsafe fn encode(&self, dst: *mut u8) -> *mut u8;
    /// Reads a value written by `encode`.
    ///
    /// # Safety
    ///
    /// The next bytes of `payload` must have been written by `encode` of
    /// this type.
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> Self::Decoded<'r>;

    /// How a binary log stores this value: a primitive's kind when the
    /// encoding is that primitive's bytes, `Str` when it is a string's
    /// length and bytes, otherwise [`ArgKind::Opaque`] (the writer formats
    /// the message).
    fn kind() -> ArgKind {
        ArgKind::Opaque
    }
}

// === impl LogValue for values copied as raw bytes ===

macro_rules! raw_values {
    ($raw:literal: $($t:ty),* $(,)?) => {$(
        // SAFETY: a `Copy + Send + 'static` value, written and read back as
        // its `size_of` bytes; a bitwise copy is a valid value.
        unsafe impl LogValue for $t {
            type Decoded<'r> = $t;
            const RAW: bool = $raw;

            #[inline(always)]
            fn encoded_len(&self) -> usize {
                size_of::<$t>()
            }

            #[inline(always)]
            unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
                // SAFETY: the caller guarantees size_of::<$t>() writable bytes.
                unsafe {
                    dst.cast::<$t>().write_unaligned(*self);
                    dst.add(size_of::<$t>())
                }
            }

            #[inline(always)]
            unsafe fn decode<'r>(payload: &mut Payload<'r>) -> $t {
                let bytes = payload.take(size_of::<$t>());
                // SAFETY: the bytes of a `$t` written by `encode` above.
                unsafe { bytes.as_ptr().cast::<$t>().read_unaligned() }
            }

            fn kind() -> ArgKind {
                ArgKind::of::<$t>()
            }
        }
    )*};
}

raw_values!(true: u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64, bool, char, ());
raw_values!(true: NonZeroU8, NonZeroU16, NonZeroU32, NonZeroU64, NonZeroU128, NonZeroUsize);
raw_values!(true: NonZeroI8, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroI128, NonZeroIsize);
// Has padding bytes: copied as a value, never as bytes of a slice.
raw_values!(false: Duration);

// === impl LogValue for strings ===

/// Reads a `usize` length written by an encoder of this module.
///
/// # Safety
///
/// The next bytes must be a `usize` written with `write_unaligned`.
#[inline(always)]
unsafe fn take_len(payload: &mut Payload<'_>) -> usize {
    let bytes = payload.take(size_of::<usize>());
    // SAFETY: a usize written by the matching encoder (caller).
    unsafe { bytes.as_ptr().cast::<usize>().read_unaligned() }
}

// SAFETY: a `usize` length then the string's bytes (valid UTF-8), read back
// as a `&str` borrowed from the record.
unsafe impl LogValue for str {
    type Decoded<'r> = &'r str;

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        size_of::<usize>().saturating_add(self.len())
    }

    #[inline(always)]
    unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
        // SAFETY: the caller guarantees encoded_len() writable bytes; the
        // source is a live `&str` that cannot overlap the ring.
        unsafe {
            dst.cast::<usize>().write_unaligned(self.len());
            let bytes = dst.add(size_of::<usize>());
            bytes.copy_from_nonoverlapping(self.as_ptr(), self.len());
            bytes.add(self.len())
        }
    }

    #[inline(always)]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> &'r str {
        // SAFETY: `encode` wrote a usize length here (the caller's contract).
        let len = unsafe { take_len(payload) };
        let bytes = payload.take(len);
        // SAFETY: the bytes were copied from a `&str` by `encode`: they are
        // initialised UTF-8; `MaybeUninit<u8>` and `u8` share a layout.
        unsafe { std::str::from_utf8_unchecked(&*(bytes as *const _ as *const [u8])) }
    }

    fn kind() -> ArgKind {
        ArgKind::Str
    }
}

/// `LogValue` for an owned string type, encoded as its `str`.
macro_rules! owned_str {
    ($($t:ty => $decoded:ty),* $(,)?) => {$(
        // SAFETY: exactly `str`'s encoding.
        unsafe impl LogValue for $t {
            type Decoded<'r> = $decoded;

            #[inline(always)]
            fn encoded_len(&self) -> usize {
                str::encoded_len(self)
            }

            #[inline(always)]
            unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
                // SAFETY: forwarded from the caller.
                unsafe { str::encode(self, dst) }
            }

            #[inline]
            unsafe fn decode<'r>(payload: &mut Payload<'r>) -> $decoded {
                // SAFETY: forwarded from the caller.
                unsafe { str::decode(payload) }.into()
            }

            fn kind() -> ArgKind {
                ArgKind::Str
            }
        }
    )*};
}

owned_str!(String => String, Box<str> => Box<str>);

// SAFETY: exactly `str`'s encoding.
unsafe impl LogValue for Cow<'_, str> {
    type Decoded<'r> = Cow<'r, str>;

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        str::encoded_len(self)
    }

    #[inline(always)]
    unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
        // SAFETY: forwarded from the caller.
        unsafe { str::encode(self, dst) }
    }

    #[inline]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> Cow<'r, str> {
        // SAFETY: forwarded from the caller.
        Cow::Borrowed(unsafe { str::decode(payload) })
    }

    fn kind() -> ArgKind {
        ArgKind::Str
    }
}

// === impl LogValue for slices and containers ===

// SAFETY: a `usize` length then the elements, each by its own contract (or
// all at once for `RAW` elements, whose encoding is their bytes).
unsafe impl<T: LogValue> LogValue for [T] {
    type Decoded<'r> = Vec<T::Decoded<'r>>;

    #[inline]
    fn encoded_len(&self) -> usize {
        let elements = if T::RAW {
            size_of_val(self)
        } else {
            self.iter().fold(0usize, |sum, element| {
                sum.saturating_add(element.encoded_len())
            })
        };
        size_of::<usize>().saturating_add(elements)
    }

    #[inline]
    unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
        // SAFETY: the caller guarantees encoded_len() writable bytes: the
        // length, then the elements' bytes.
        unsafe {
            dst.cast::<usize>().write_unaligned(self.len());
            let mut dst = dst.add(size_of::<usize>());
            if T::RAW {
                // RAW: the elements' encoding is their bytes, with no padding.
                dst.copy_from_nonoverlapping(self.as_ptr().cast::<u8>(), size_of_val(self));
                dst.add(size_of_val(self))
            } else {
                for element in self {
                    dst = element.encode(dst);
                }
                dst
            }
        }
    }

    #[inline]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> Vec<T::Decoded<'r>> {
        // SAFETY: `encode` wrote the length first (caller).
        let len = unsafe { take_len(payload) };
        if T::RAW {
            debug_assert_eq!(size_of::<T>(), size_of::<T::Decoded<'r>>());
            let bytes = payload.take(len.saturating_mul(size_of::<T>()));
            let mut values: Vec<T::Decoded<'r>> = Vec::with_capacity(len);
            // SAFETY: RAW means `T::Decoded` is `T` and `bytes` holds `len`
            // `T`s written by `encode`; `values` has room for `len` of them.
            // A byte copy needs no alignment; the vector's buffer is aligned.
            unsafe {
                values
                    .as_mut_ptr()
                    .cast::<u8>()
                    .copy_from_nonoverlapping(bytes.as_ptr().cast::<u8>(), bytes.len());
                values.set_len(len);
            }
            values
        } else {
            // SAFETY: `len` elements follow, each written by `T::encode`.
            (0..len).map(|_| unsafe { T::decode(payload) }).collect()
        }
    }
}

/// `LogValue` for a container that derefs to `[T]`, rebuilt as `$decoded`.
macro_rules! slice_like {
    ($($t:ty => $decoded:ty),* $(,)?) => {$(
        // SAFETY: exactly the slice's encoding.
        unsafe impl<T: LogValue> LogValue for $t {
            type Decoded<'r> = $decoded;

            #[inline]
            fn encoded_len(&self) -> usize {
                <[T]>::encoded_len(self)
            }

            #[inline]
            unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
                // SAFETY: forwarded from the caller.
                unsafe { <[T]>::encode(self, dst) }
            }

            #[inline]
            unsafe fn decode<'r>(payload: &mut Payload<'r>) -> $decoded {
                // SAFETY: forwarded from the caller.
                unsafe { <[T]>::decode(payload) }.into()
            }
        }
    )*};
}

slice_like!(Vec<T> => Vec<T::Decoded<'r>>, Box<[T]> => Box<[T::Decoded<'r>]>);

// SAFETY: the `N` elements without a length (it is in the type).
unsafe impl<T: LogValue, const N: usize> LogValue for [T; N] {
    type Decoded<'r> = [T::Decoded<'r>; N];

    #[inline]
    fn encoded_len(&self) -> usize {
        <[T]>::encoded_len(self) - size_of::<usize>()
    }

    #[inline]
    unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
        // SAFETY: the caller guarantees encoded_len() writable bytes.
        unsafe {
            if T::RAW {
                dst.copy_from_nonoverlapping(self.as_ptr().cast::<u8>(), size_of::<[T; N]>());
                dst.add(size_of::<[T; N]>())
            } else {
                self.iter().fold(dst, |dst, element| element.encode(dst))
            }
        }
    }

    #[inline]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> [T::Decoded<'r>; N] {
        // SAFETY: `N` elements follow, each written by `T::encode`;
        // `from_fn` calls the closure for indices 0, 1, .. in order.
        std::array::from_fn(|_| unsafe { T::decode(payload) })
    }
}

/// `LogValue` for a pointer to a `LogValue`: the value it points to, now.
macro_rules! pointers {
    ($($t:ty => $decoded:ty),* $(,)?) => {$(
        // SAFETY: exactly the pointee's encoding.
        unsafe impl<T: LogValue + ?Sized> LogValue for $t {
            type Decoded<'r> = $decoded;

            #[inline(always)]
            fn encoded_len(&self) -> usize {
                T::encoded_len(self)
            }

            #[inline(always)]
            unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
                // SAFETY: forwarded from the caller.
                unsafe { T::encode(self, dst) }
            }

            #[inline]
            unsafe fn decode<'r>(payload: &mut Payload<'r>) -> $decoded {
                // SAFETY: forwarded from the caller.
                unsafe { T::decode(payload) }
            }

            fn kind() -> ArgKind {
                T::kind()
            }
        }
    )*};
}

pointers!(&T => T::Decoded<'r>, &mut T => T::Decoded<'r>);

// SAFETY: exactly the pointee's encoding.
unsafe impl<T: LogValue> LogValue for Box<T> {
    type Decoded<'r> = Box<T::Decoded<'r>>;

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        T::encoded_len(self)
    }

    #[inline(always)]
    unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
        // SAFETY: forwarded from the caller.
        unsafe { T::encode(self, dst) }
    }

    #[inline]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> Box<T::Decoded<'r>> {
        // SAFETY: forwarded from the caller.
        Box::new(unsafe { T::decode(payload) })
    }

    fn kind() -> ArgKind {
        T::kind()
    }
}

// === impl LogValue for Option and Result ===

// SAFETY: a tag byte (0 = None, 1 = Some), then the value for `Some`.
unsafe impl<T: LogValue> LogValue for Option<T> {
    type Decoded<'r> = Option<T::Decoded<'r>>;

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        1usize.saturating_add(self.as_ref().map_or(0, T::encoded_len))
    }

    #[inline(always)]
    unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
        // SAFETY: the caller guarantees encoded_len() writable bytes: the
        // tag, then the value's.
        unsafe {
            dst.write(u8::from(self.is_some()));
            match self {
                Some(value) => value.encode(dst.add(1)),
                None => dst.add(1),
            }
        }
    }

    #[inline]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> Option<T::Decoded<'r>> {
        // SAFETY: the tag byte written by `encode` (initialised).
        let tag = unsafe { payload.take(1)[0].assume_init() };
        // SAFETY: for tag 1, `encode` wrote the value next.
        (tag != 0).then(|| unsafe { T::decode(payload) })
    }
}

// SAFETY: a tag byte (0 = Ok, 1 = Err), then the value.
unsafe impl<T: LogValue, E: LogValue> LogValue for Result<T, E> {
    type Decoded<'r> = Result<T::Decoded<'r>, E::Decoded<'r>>;

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        1usize.saturating_add(match self {
            Ok(value) => value.encoded_len(),
            Err(error) => error.encoded_len(),
        })
    }

    #[inline(always)]
    unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
        // SAFETY: the caller guarantees encoded_len() writable bytes: the
        // tag, then the value's.
        unsafe {
            dst.write(u8::from(self.is_err()));
            match self {
                Ok(value) => value.encode(dst.add(1)),
                Err(error) => error.encode(dst.add(1)),
            }
        }
    }

    #[inline]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> Self::Decoded<'r> {
        // SAFETY: the tag byte written by `encode` (initialised), then the
        // value it announces.
        unsafe {
            match payload.take(1)[0].assume_init() {
                0 => Ok(T::decode(payload)),
                _ => Err(E::decode(payload)),
            }
        }
    }
}

// === impl LogValue for tuples ===

macro_rules! tuples {
    ($(($($name:ident)+))*) => {$(
        // SAFETY: the elements' encodings back to back, read in that order.
        unsafe impl<$($name: LogValue),+> LogValue for ($($name,)+) {
            type Decoded<'r> = ($($name::Decoded<'r>,)+);

            #[inline]
            fn encoded_len(&self) -> usize {
                #[allow(non_snake_case)]
                let ($($name,)+) = self;
                0usize $(.saturating_add($name.encoded_len()))+
            }

            #[inline]
            unsafe fn encode(&self, dst: *mut u8) -> *mut u8 {
                #[allow(non_snake_case)]
                let ($($name,)+) = self;
                // SAFETY: the caller guarantees room for all elements.
                unsafe {
                    $(let dst = $name.encode(dst);)+
                    dst
                }
            }

            #[inline]
            unsafe fn decode<'r>(payload: &mut Payload<'r>) -> Self::Decoded<'r> {
                // SAFETY: the elements follow in order (caller); a tuple
                // expression evaluates its operands left to right.
                unsafe { ($($name::decode(payload),)+) }
            }
        }
    )*};
}

tuples!((A) (A B) (A B C) (A B C D) (A B C D E) (A B C D E F));

// === the encoder choice ===

/// Encodes an argument through its [`LogValue`] impl.
#[derive(Debug)]
pub struct ValueEnc<'a, T: ?Sized>(&'a T);

// SAFETY: `LogValue::encode` writes exactly `encoded_len()` bytes, which
// `ValueDec<T>` reads back with `LogValue::decode`.
unsafe impl<T: LogValue + ?Sized> Encode for ValueEnc<'_, T> {
    type Decoder = ValueDec<T>;

    #[inline(always)]
    fn encoded_len(&self) -> usize {
        self.0.encoded_len()
    }

    #[inline(always)]
    unsafe fn encode(&self, dst: *mut u8) {
        // SAFETY: forwarded from the caller.
        unsafe { self.0.encode(dst) };
    }
}

/// Decodes a value written by [`ValueEnc`].
#[derive(Debug)]
pub struct ValueDec<T: ?Sized>(PhantomData<fn() -> *const T>);

// SAFETY: reads back what `ValueEnc<T>` wrote.
unsafe impl<T: LogValue + ?Sized> Decode for ValueDec<T> {
    type Value<'r> = T::Decoded<'r>;

    #[inline(always)]
    unsafe fn decode<'r>(payload: &mut Payload<'r>) -> T::Decoded<'r> {
        // SAFETY: forwarded from the caller.
        unsafe { T::decode(payload) }
    }

    fn kind() -> ArgKind {
        T::kind()
    }
}

/// Encoder choice for [`LogValue`] arguments (step 2 of [`Tag`]): slices,
/// `Vec`, `Option`, derived types, and references to them.
pub trait ViaValue<'a, T: ?Sized> {
    /// The value's encoder.
    fn llt_encoder(&self) -> ValueEnc<'a, T>;
}

impl<'a, T: LogValue + ?Sized> ViaValue<'a, T> for &&&Tag<'a, T> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn llt_encoder(&self) -> ValueEnc<'a, T> {
        ValueEnc(self.0)
    }
}

/// How `#[derive(Loggable)]` encodes a field whose type names `'static`
/// (`&'static str`, `&'static [u8]`): as its raw bytes, like a `Copy`
/// argument, since the rebuilt field must have that type and a `'static`
/// borrow cannot come from the record. Not a public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct StaticCopy<T>(PhantomData<T>);

impl<T: super::Loggable> StaticCopy<T> {
    /// Bytes of a `T`.
    #[inline(always)]
    pub fn encoded_len(_value: &T) -> usize {
        size_of::<T>()
    }

    /// Writes `value`'s bytes; returns the end.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of `size_of::<T>()` bytes.
    #[inline(always)]
    pub unsafe fn encode(value: &T, dst: *mut u8) -> *mut u8 {
        // SAFETY: room for a `T` (caller); `T: Copy`, so the copy is valid.
        unsafe {
            dst.cast::<T>().write_unaligned(*value);
            dst.add(size_of::<T>())
        }
    }

    /// Reads a `T` written by `encode`.
    ///
    /// # Safety
    ///
    /// The next bytes must have been written by `encode`.
    #[inline(always)]
    pub unsafe fn decode(payload: &mut Payload<'_>) -> T {
        let bytes = payload.take(size_of::<T>());
        // SAFETY: the bytes of a `T: Copy + Send + 'static` written by
        // `encode`: a valid `T` that borrows nothing short-lived.
        unsafe { bytes.as_ptr().cast::<T>().read_unaligned() }
    }
}

/// Called by `#[derive(Loggable)]`'s decoder for a variant index no variant
/// has: the record is corrupted, and the writer turns the panic into a
/// marker line.
#[doc(hidden)]
#[cold]
pub fn invalid_variant(type_name: &str, index: u32) -> ! {
    panic!("corrupted record: `{type_name}` has no variant {index}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::init_view;
    use std::fmt::Debug;

    /// Encodes `value`, checks that `encode` wrote exactly `encoded_len()`
    /// bytes (the ring reserves that many), decodes it back and returns the
    /// decoded value's `Debug` text.
    fn round_trip<T: LogValue + ?Sized>(value: &T) -> String
    where
        for<'r> T::Decoded<'r>: Debug,
    {
        let len = value.encoded_len();
        // One guard byte past the end, which `encode` must not touch.
        let mut buf = vec![0xa5u8; len + 1];
        // SAFETY: `buf` has `len` bytes for the encoding (and one more).
        let end = unsafe { value.encode(buf.as_mut_ptr()) };
        assert_eq!(
            end as usize - buf.as_ptr() as usize,
            len,
            "encode wrote other than encoded_len()"
        );
        assert_eq!(buf[len], 0xa5);
        let mut payload = Payload::new(init_view(&buf[..len]));
        // SAFETY: the bytes were written by `T::encode`.
        let decoded = unsafe { T::decode(&mut payload) };
        assert!(payload.remaining().is_empty(), "decode left bytes unread");
        format!("{decoded:?}")
    }

    /// Round-trips `value` and compares with its own `Debug` text.
    fn check<T: LogValue + Debug + ?Sized>(value: &T)
    where
        for<'r> T::Decoded<'r>: Debug,
    {
        assert_eq!(round_trip(value), format!("{value:?}"));
    }

    #[test]
    fn every_impl_writes_its_encoded_len_and_reads_it_back() {
        check(&0x1234_5678u32);
        check(&-1.5f64);
        check(&'é');
        check(&true);
        check(&());
        check(&NonZeroU16::new(7).unwrap());
        check(&Duration::from_nanos(1_500_000_123));
        check("héllo");
        check(&String::from("owned"));
        check(&Box::<str>::from("boxed"));
        check(&Cow::Borrowed("cow"));
        check(&[1u8, 2, 3][..]);
        check(&[0.5f32; 0][..]);
        check(&vec![String::from("a"), String::new()]);
        check(&vec![Duration::from_secs(1); 2]);
        check(&Box::<[i64]>::from([-1, 2]));
        check(&[Some("x"), None]);
        check(&[[1u16; 3]; 2]);
        check(&Box::new(Some(4u8)));
        check(&&&7u64);
        check(&Some(vec![
            Some(Ok::<_, String>(1u8)),
            Some(Err(String::from("e"))),
            None,
        ]));
        check(&(1u8, "two", 3.0f64, Some('4'), [5u8], vec![6i8]));
        let mut mutable = 9u32;
        check(&&mut mutable);
    }

    #[test]
    fn a_corrupted_variant_index_panics_with_the_type_name() {
        let panic = std::panic::catch_unwind(|| invalid_variant("Side", 9)).unwrap_err();
        let message = panic.downcast_ref::<String>().unwrap();
        assert_eq!(message, "corrupted record: `Side` has no variant 9");
    }
}
