//! A run-time formatter for std's format specs, reproducing std's output
//! exactly for the primitive types a binary log stores.
//!
//! The format string of a statement is only known when the log is read,
//! so `format_args!` cannot be used as the text writer uses it. Flags
//! (`+`, `#`, `0`) and precision go through std itself (one `format_args!`
//! per combination, with the width and precision passed at run time);
//! fill and alignment, which std fixes at compile time, are applied here
//! the way std pads: counting `char`s, numbers right-aligned and the rest
//! left-aligned by default, centre padding split with the extra character
//! after, and the `0` flag (numbers only) overriding both.

use std::fmt::Write;

use llt_runtime::binary::spec::{Align, Spec, Trait};

/// One argument value read back from a binary log.
///
/// # Examples
///
/// ```
/// use llt_decode::format::{Value, format_value};
/// use llt_runtime::binary::spec::{Piece, parse};
/// let Piece::Argument { spec, .. } = &parse("{:*^+9.2}").unwrap()[0] else { unreachable!() };
/// let mut out = String::new();
/// format_value(&mut out, Value::F64(1.5), spec);
/// assert_eq!(out, format!("{:*^+9.2}", 1.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
pub enum Value<'a> {
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    U128(u128),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    I128(i128),
    F32(f32),
    F64(f64),
    Bool(bool),
    Char(char),
    Str(&'a str),
}

impl Value<'_> {
    /// Numbers are right-aligned by default and take the `0` flag.
    fn is_numeric(&self) -> bool {
        !matches!(self, Value::Bool(_) | Value::Char(_) | Value::Str(_))
    }
}

/// Calls std's formatting for trait `$t` (a type suffix such as `"x"`)
/// with the spec's flags and precision and the width `$w`: one
/// `format_args!` per combination of flags, since they are fixed at
/// compile time.
macro_rules! with_std {
    ($out:expr, $v:expr, $spec:expr, $w:expr, $t:literal) => {
        match ($spec.plus, $spec.alternate, $spec.zero, $spec.precision) {
            (false, false, false, None) => write!($out, concat!("{:w$", $t, "}"), $v, w = $w),
            (false, false, false, Some(p)) => {
                write!($out, concat!("{:w$.p$", $t, "}"), $v, w = $w, p = p)
            }
            (false, false, true, None) => write!($out, concat!("{:0w$", $t, "}"), $v, w = $w),
            (false, false, true, Some(p)) => {
                write!($out, concat!("{:0w$.p$", $t, "}"), $v, w = $w, p = p)
            }
            (false, true, false, None) => write!($out, concat!("{:#w$", $t, "}"), $v, w = $w),
            (false, true, false, Some(p)) => {
                write!($out, concat!("{:#w$.p$", $t, "}"), $v, w = $w, p = p)
            }
            (false, true, true, None) => write!($out, concat!("{:#0w$", $t, "}"), $v, w = $w),
            (false, true, true, Some(p)) => {
                write!($out, concat!("{:#0w$.p$", $t, "}"), $v, w = $w, p = p)
            }
            (true, false, false, None) => write!($out, concat!("{:+w$", $t, "}"), $v, w = $w),
            (true, false, false, Some(p)) => {
                write!($out, concat!("{:+w$.p$", $t, "}"), $v, w = $w, p = p)
            }
            (true, false, true, None) => write!($out, concat!("{:+0w$", $t, "}"), $v, w = $w),
            (true, false, true, Some(p)) => {
                write!($out, concat!("{:+0w$.p$", $t, "}"), $v, w = $w, p = p)
            }
            (true, true, false, None) => write!($out, concat!("{:+#w$", $t, "}"), $v, w = $w),
            (true, true, false, Some(p)) => {
                write!($out, concat!("{:+#w$.p$", $t, "}"), $v, w = $w, p = p)
            }
            (true, true, true, None) => write!($out, concat!("{:+#0w$", $t, "}"), $v, w = $w),
            (true, true, true, Some(p)) => {
                write!($out, concat!("{:+#0w$.p$", $t, "}"), $v, w = $w, p = p)
            }
        }
    };
}

/// Formats with std's `Display`.
fn display<T: std::fmt::Display>(out: &mut String, v: &T, spec: &Spec, w: usize) {
    let _ = with_std!(out, v, spec, w, "");
}

/// Formats with std's `Debug` (plain, `x?` or `X?`).
fn debug<T: std::fmt::Debug>(out: &mut String, v: &T, spec: &Spec, w: usize) {
    let _ = match spec.format {
        Trait::DebugLowerHex => with_std!(out, v, spec, w, "x?"),
        Trait::DebugUpperHex => with_std!(out, v, spec, w, "X?"),
        _ => with_std!(out, v, spec, w, "?"),
    };
}

/// Formats with `e` or `E`.
fn exp<T: std::fmt::LowerExp + std::fmt::UpperExp>(out: &mut String, v: &T, spec: &Spec, w: usize) {
    let _ = match spec.format {
        Trait::UpperExp => with_std!(out, v, spec, w, "E"),
        _ => with_std!(out, v, spec, w, "e"),
    };
}

/// Formats with `x`, `X`, `o` or `b`.
fn radix<T>(out: &mut String, v: &T, spec: &Spec, w: usize)
where
    T: std::fmt::LowerHex + std::fmt::UpperHex + std::fmt::Octal + std::fmt::Binary,
{
    let _ = match spec.format {
        Trait::LowerHex => with_std!(out, v, spec, w, "x"),
        Trait::UpperHex => with_std!(out, v, spec, w, "X"),
        Trait::Octal => with_std!(out, v, spec, w, "o"),
        _ => with_std!(out, v, spec, w, "b"),
    };
}

/// Any trait an integer has.
fn integer<T>(out: &mut String, v: &T, spec: &Spec, w: usize)
where
    T: std::fmt::Display
        + std::fmt::Debug
        + std::fmt::LowerHex
        + std::fmt::UpperHex
        + std::fmt::Octal
        + std::fmt::Binary
        + std::fmt::LowerExp
        + std::fmt::UpperExp,
{
    match spec.format {
        Trait::Display => display(out, v, spec, w),
        Trait::Debug | Trait::DebugLowerHex | Trait::DebugUpperHex => debug(out, v, spec, w),
        Trait::LowerExp | Trait::UpperExp => exp(out, v, spec, w),
        _ => radix(out, v, spec, w),
    }
}

/// Any trait a float has.
fn float<T>(out: &mut String, v: &T, spec: &Spec, w: usize)
where
    T: std::fmt::Display + std::fmt::Debug + std::fmt::LowerExp + std::fmt::UpperExp,
{
    match spec.format {
        Trait::Display => display(out, v, spec, w),
        Trait::LowerExp | Trait::UpperExp => exp(out, v, spec, w),
        _ => debug(out, v, spec, w),
    }
}

/// `Display` or `Debug` (bool, char, str).
fn text<T: std::fmt::Display + std::fmt::Debug + ?Sized>(
    out: &mut String,
    v: &T,
    spec: &Spec,
    w: usize,
) {
    match spec.format {
        Trait::Display => display(out, &v, spec, w),
        _ => debug(out, &v, spec, w),
    }
}

/// Appends `value` formatted by std with `spec`'s flags, precision and
/// trait, and the width `w` (0: none).
fn with_width(out: &mut String, value: Value<'_>, spec: &Spec, w: usize) {
    match value {
        Value::U8(v) => integer(out, &v, spec, w),
        Value::U16(v) => integer(out, &v, spec, w),
        Value::U32(v) => integer(out, &v, spec, w),
        Value::U64(v) => integer(out, &v, spec, w),
        Value::U128(v) => integer(out, &v, spec, w),
        Value::I8(v) => integer(out, &v, spec, w),
        Value::I16(v) => integer(out, &v, spec, w),
        Value::I32(v) => integer(out, &v, spec, w),
        Value::I64(v) => integer(out, &v, spec, w),
        Value::I128(v) => integer(out, &v, spec, w),
        Value::F32(v) => float(out, &v, spec, w),
        Value::F64(v) => float(out, &v, spec, w),
        Value::Bool(v) => text(out, &v, spec, w),
        Value::Char(v) => text(out, &v, spec, w),
        Value::Str(v) => text(out, v, spec, w),
    }
}

/// Appends `value` formatted as `format!` would with `spec`.
///
/// The caller must only pass a trait the value's type implements
/// ([`llt_runtime::binary::spec::implements`]); another one formats as
/// `Debug` (for bool, char, str) or `Display`.
pub fn format_value(out: &mut String, value: Value<'_>, spec: &Spec) {
    let start = out.len();
    with_width(out, value, spec, 0);
    let Some(width) = spec.width else {
        return;
    };
    let chars = out[start..].chars().count();
    if width <= chars {
        return;
    }
    if spec.zero && value.is_numeric() {
        // Sign-aware zero padding: std ignores fill and alignment.
        out.truncate(start);
        with_width(out, value, spec, width);
        return;
    }
    // Some impls ignore the width (`Debug` of str and char): ask std
    // whether it pads at all.
    let mut padded = String::new();
    with_width(&mut padded, value, spec, width);
    if padded.len() == out.len() - start {
        return;
    }
    let padding = width - chars;
    let align = spec.align.unwrap_or(if value.is_numeric() {
        Align::Right
    } else {
        Align::Left
    });
    let (before, after) = match align {
        Align::Left => (0, padding),
        Align::Right => (padding, 0),
        Align::Center => (padding / 2, padding.div_ceil(2)),
    };
    let content = out.split_off(start);
    out.extend(std::iter::repeat_n(spec.fill, before));
    out.push_str(&content);
    out.extend(std::iter::repeat_n(spec.fill, after));
}

#[cfg(test)]
mod tests {
    use super::*;
    use llt_runtime::binary::spec::{Piece, parse};

    fn one(format: &str, value: Value<'_>) -> String {
        let Piece::Argument { spec, .. } = &parse(format).unwrap()[0] else {
            panic!("{format}")
        };
        let mut out = String::new();
        format_value(&mut out, value, spec);
        out
    }

    #[test]
    fn a_few_specs_match_std() {
        assert_eq!(one("{:>8.3}", Value::F64(-1.25)), format!("{:>8.3}", -1.25));
        assert_eq!(
            one("{:#010x}", Value::U32(255)),
            format!("{:#010x}", 255u32)
        );
        assert_eq!(one("{:*<7?}", Value::Str("é")), format!("{:*<7?}", "é"));
        assert_eq!(one("{:^6}", Value::Bool(true)), format!("{:^6}", true));
        assert_eq!(
            one("{:x<+08.2}", Value::F32(1.5)),
            format!("{:x<+08.2}", 1.5f32)
        );
        assert_eq!(one("{:05}", Value::Str("ab")), format!("{:05}", "ab"));
        assert_eq!(one("{:.2}", Value::Char('x')), format!("{:.2}", 'x'));
    }
}
