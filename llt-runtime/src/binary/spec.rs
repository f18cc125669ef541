//! The format-string grammar of std's `format_args!`, parsed at run time:
//! what a binary log's reader needs to rebuild a message from its format
//! string and argument values, and what the writer checks before storing
//! arguments unformatted.
//!
//! Only what can be reproduced exactly is accepted: implicit (`{}`) and
//! explicit (`{0}`) positional arguments, fill, alignment, `+`, `-`, `#`,
//! `0`, literal width and precision, and the traits `Display`, `Debug`,
//! `x?`, `X?`, `x`, `X`, `o`, `b`, `e`, `E`. Named arguments (including
//! captured variables) and widths or precisions taken from arguments
//! (`{:w$}`, `{:.*}`) are refused: the writer then stores the message
//! formatted.

use crate::record::ArgKind;

/// One part of a parsed format string.
///
/// # Examples
///
/// ```
/// use llt_runtime::binary::spec::{Piece, parse};
/// let pieces = parse("a {{b}} {}").unwrap();
/// assert_eq!(pieces[0], Piece::Literal("a {b} ".into()));
/// assert!(matches!(pieces[1], Piece::Argument { index: 0, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text copied as it is (`{{` and `}}` already unescaped).
    Literal(String),
    /// A placeholder: which argument, formatted how.
    Argument {
        /// Position of the argument in the statement's argument list.
        index: usize,
        /// How it is formatted.
        spec: Spec,
    },
}

/// Alignment inside the width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `<`
    Left,
    /// `^`
    Center,
    /// `>`
    Right,
}

/// Which formatting trait a placeholder uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trait {
    /// `{}`
    Display,
    /// `{:?}`
    Debug,
    /// `{:x?}`
    DebugLowerHex,
    /// `{:X?}`
    DebugUpperHex,
    /// `{:x}`
    LowerHex,
    /// `{:X}`
    UpperHex,
    /// `{:o}`
    Octal,
    /// `{:b}`
    Binary,
    /// `{:e}`
    LowerExp,
    /// `{:E}`
    UpperExp,
}

/// A placeholder's format spec (`{:>+#08.3x}`).
///
/// # Examples
///
/// ```
/// use llt_runtime::binary::spec::{Align, Piece, Trait, parse};
/// let Piece::Argument { spec, .. } = &parse("{:*^+#012.3e}").unwrap()[0] else { panic!() };
/// assert_eq!((spec.fill, spec.align, spec.plus, spec.alternate, spec.zero), ('*', Some(Align::Center), true, true, true));
/// assert_eq!((spec.width, spec.precision, spec.format), (Some(12), Some(3), Trait::LowerExp));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The fill character (`' '` when none is given).
    pub fill: char,
    /// The alignment, if one is given.
    pub align: Option<Align>,
    /// The `+` flag.
    pub plus: bool,
    /// The `#` flag.
    pub alternate: bool,
    /// The `0` flag.
    pub zero: bool,
    /// A literal width.
    pub width: Option<usize>,
    /// A literal precision.
    pub precision: Option<usize>,
    /// The trait.
    pub format: Trait,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            fill: ' ',
            align: None,
            plus: false,
            alternate: false,
            zero: false,
            width: None,
            precision: None,
            format: Trait::Display,
        }
    }
}

/// Parses a format string, or `None` if it uses something outside the
/// supported subset (see the module docs) or is malformed.
///
/// # Examples
///
/// ```
/// use llt_runtime::binary::spec::parse;
/// assert_eq!(parse("{} and {0:>5.2}").unwrap().len(), 3);
/// assert!(parse("{name}").is_none());
/// assert!(parse("{:.*}").is_none());
/// ```
pub fn parse(format: &str) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut next = 0;
    let mut chars = format.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|&(_, c)| c) == Some('{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek().map(|&(_, c)| c) == Some('}') => {
                chars.next();
                literal.push('}');
            }
            '}' => return None,
            '{' => {
                let rest = &format[at + 1..];
                let end = rest.find('}')?;
                let inner = &rest[..end];
                let (argument, spec) = match inner.find(':') {
                    Some(colon) => (&inner[..colon], parse_spec(&inner[colon + 1..])?),
                    None => (inner, Spec::default()),
                };
                let index = if argument.is_empty() {
                    next += 1;
                    next - 1
                } else {
                    argument.parse().ok()?
                };
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Argument { index, spec });
                // Skip the placeholder's characters.
                while chars.next_if(|&(i, _)| i <= at + 1 + end).is_some() {}
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Some(pieces)
}

/// Parses what follows the `:` of a placeholder.
fn parse_spec(text: &str) -> Option<Spec> {
    let mut spec = Spec::default();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let align_of = |c: char| match c {
        '<' => Some(Align::Left),
        '^' => Some(Align::Center),
        '>' => Some(Align::Right),
        _ => None,
    };
    if chars.len() >= 2 && align_of(chars[1]).is_some() {
        spec.fill = chars[0];
        spec.align = align_of(chars[1]);
        i = 2;
    } else if let Some(align) = chars.first().copied().and_then(align_of) {
        spec.align = Some(align);
        i = 1;
    }
    match chars.get(i) {
        Some('+') => {
            spec.plus = true;
            i += 1;
        }
        // `-` is accepted by format_args! and has no effect.
        Some('-') => i += 1,
        _ => {}
    }
    if chars.get(i) == Some(&'#') {
        spec.alternate = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') && chars.get(i + 1).is_none_or(|&c| c != '$') {
        spec.zero = true;
        i += 1;
    }
    let (width, after) = integer(&chars, i);
    spec.width = width;
    i = after;
    if chars.get(i) == Some(&'$') {
        return None;
    }
    if chars.get(i) == Some(&'.') {
        let (precision, after) = integer(&chars, i + 1);
        spec.precision = Some(precision?);
        i = after;
        if chars.get(i) == Some(&'$') {
            return None;
        }
    }
    let ty: String = chars[i..].iter().collect();
    spec.format = match ty.as_str() {
        "" => Trait::Display,
        "?" => Trait::Debug,
        "x?" => Trait::DebugLowerHex,
        "X?" => Trait::DebugUpperHex,
        "x" => Trait::LowerHex,
        "X" => Trait::UpperHex,
        "o" => Trait::Octal,
        "b" => Trait::Binary,
        "e" => Trait::LowerExp,
        "E" => Trait::UpperExp,
        _ => return None,
    };
    Some(spec)
}

/// Reads a decimal integer at `chars[i..]`: the value (if any digits) and
/// the index after it.
fn integer(chars: &[char], mut i: usize) -> (Option<usize>, usize) {
    let start = i;
    let mut value: usize = 0;
    while let Some(digit) = chars.get(i).and_then(|c| c.to_digit(10)) {
        value = value.saturating_mul(10).saturating_add(digit as usize);
        i += 1;
    }
    ((i > start).then_some(value), i)
}

/// Whether `kind` implements `format` (the traits std implements for the
/// matching primitive type).
///
/// # Examples
///
/// ```
/// use llt_runtime::binary::spec::{Trait, implements};
/// use llt_runtime::record::ArgKind;
/// assert!(implements(ArgKind::U8, Trait::Binary));
/// assert!(!implements(ArgKind::F64, Trait::LowerHex));
/// assert!(!implements(ArgKind::Opaque, Trait::Display));
/// ```
pub fn implements(kind: ArgKind, format: Trait) -> bool {
    use ArgKind::*;
    use Trait::*;
    match kind {
        Opaque => false,
        Str | Bool | Char => matches!(format, Display | Debug | DebugLowerHex | DebugUpperHex),
        F32 | F64 => matches!(
            format,
            Display | Debug | DebugLowerHex | DebugUpperHex | LowerExp | UpperExp
        ),
        _ => true,
    }
}

/// Parses `format` for arguments of `kinds`, or `None` if a reader could
/// not reproduce the message exactly (unsupported syntax, an argument of
/// an opaque kind, an index out of range, a trait the kind lacks).
///
/// # Examples
///
/// ```
/// use llt_runtime::binary::spec::parse_for;
/// use llt_runtime::record::ArgKind;
/// assert!(parse_for("{} {:.4}", &[ArgKind::U64, ArgKind::F64]).is_some());
/// assert!(parse_for("{}", &[ArgKind::Opaque]).is_none());
/// assert!(parse_for("{:x}", &[ArgKind::Str]).is_none());
/// ```
pub fn parse_for(format: &str, kinds: &[ArgKind]) -> Option<Vec<Piece>> {
    if kinds.contains(&ArgKind::Opaque) {
        return None;
    }
    let pieces = parse(format)?;
    let ok = pieces.iter().all(|piece| match piece {
        Piece::Literal(_) => true,
        Piece::Argument { index, spec } => kinds
            .get(*index)
            .is_some_and(|&kind| implements(kind, spec.format)),
    });
    ok.then_some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_escapes() {
        let pieces = parse("{{x}} {} {1:?} {}").unwrap();
        assert_eq!(pieces[0], Piece::Literal("{x} ".into()));
        let indexes: Vec<usize> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Argument { index, .. } => Some(*index),
                _ => None,
            })
            .collect();
        assert_eq!(indexes, [0, 1, 1]);
    }

    #[test]
    fn refused_syntax() {
        for format in ["{x}", "{:w$}", "{:.*}", "{:1$}", "{:.p$}", "{", "}", "{:y}"] {
            assert!(parse(format).is_none(), "{format}");
        }
    }

    #[test]
    fn fill_that_looks_like_a_flag() {
        let Piece::Argument { spec, .. } = &parse("{:0>5}").unwrap()[0] else {
            panic!()
        };
        assert_eq!(
            (spec.fill, spec.align, spec.zero),
            ('0', Some(Align::Right), false)
        );
        let Piece::Argument { spec, .. } = &parse("{:<05}").unwrap()[0] else {
            panic!()
        };
        assert_eq!(
            (spec.fill, spec.align, spec.zero, spec.width),
            (' ', Some(Align::Left), true, Some(5))
        );
    }
}
