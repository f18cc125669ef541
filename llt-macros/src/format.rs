//! Parsing and validation of Rust format strings.
//!
//! [`parse`] turns a format string into a [`FormatString`] following the grammar of
//! `std::fmt` exactly as `format_args!` accepts it, and reports the same (first) error rustc
//! would report. [`check()`] then validates the parsed string against the arguments of a macro
//! call and tells which names must be captured implicitly from the caller's scope.
//!
//! The module only uses `std`, so it can be unit-tested without `proc_macro`. All byte
//! ranges index the *value* of the string literal (after unescaping), not its source text.
//!
//! This file holds what a parsed string is (its types, and the identifier rule both phases
//! share); `parser.rs` is the grammar behind [`parse`], `check.rs` the rules behind
//! [`check()`].

use std::fmt;
use std::ops::Range;

mod check;
mod parser;

pub use check::check;
pub use parser::parse;

/// A parsed format string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatString {
    /// The pieces in source order. Adjacent literal text is merged into one piece and empty
    /// literals are never produced.
    pub pieces: Vec<Piece>,
}

/// One piece of a format string: literal text or a `{...}` placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text with `{{` / `}}` already unescaped.
    Literal(String),
    /// A `{...}` placeholder.
    Placeholder(Placeholder),
}

/// A `{...}` placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Which argument is formatted. `{}` is resolved to `ArgRef::Index(n)` using std's
    /// "next argument" counter.
    pub arg: ArgRef,
    /// `true` when `arg` was assigned by the "next argument" counter (`{}`, `{:x}`), `false`
    /// when it was written explicitly (`{0}`, `{name}`). rustc words some errors differently
    /// depending on this.
    pub implicit: bool,
    /// The format options after the `:`.
    pub spec: Spec,
    /// Byte range of the whole `{...}` in the original string (for error messages).
    pub span: Range<usize>,
}

/// A reference to a macro argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgRef {
    /// The n-th explicit argument (positional arguments first, then named ones).
    Index(usize),
    /// A named argument (`name = expr`) or, failing that, a variable captured from scope.
    Name(String),
}

/// The format options of a placeholder:
/// `[[fill]align][sign]['#']['0'][width]['.' precision]type`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spec {
    /// Fill character (only present together with `align`).
    pub fill: Option<char>,
    /// Alignment: `<`, `^` or `>`.
    pub align: Option<Align>,
    /// Sign flag: `+` or `-`.
    pub sign: Option<Sign>,
    /// The `#` flag.
    pub alternate: bool,
    /// The `0` flag.
    pub zero_pad: bool,
    /// Minimum width.
    pub width: Option<Count>,
    /// Precision. `.*` is resolved to `Count::Arg(ArgRef::Index(n))` using the "next
    /// argument" counter, before the value itself takes its index.
    pub precision: Option<Count>,
    /// `true` when the precision was written `.*` (see [`Spec::precision`]).
    pub precision_star: bool,
    /// The formatting trait selected by the type.
    pub trait_: FormatTrait,
    /// `Some` for `{:x?}` / `{:X?}`; `trait_` is then [`FormatTrait::Debug`].
    pub debug_hex: Option<DebugHex>,
}

/// Alignment of the formatted value within its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `<`
    Left,
    /// `^`
    Center,
    /// `>`
    Right,
}

/// Sign flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// `+`
    Plus,
    /// `-`
    Minus,
}

/// A width or precision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Count {
    /// A literal number, e.g. `5` in `{:5}`.
    Literal(usize),
    /// Taken from an argument: `1$`, `name$` or `.*`.
    Arg(ArgRef),
}

impl Count {
    /// The argument this count is read from, if any.
    pub fn arg(&self) -> Option<&ArgRef> {
        match self {
            Count::Literal(_) => None,
            Count::Arg(arg) => Some(arg),
        }
    }
}

/// The formatting trait a placeholder uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormatTrait {
    /// `{}`
    #[default]
    Display,
    /// `{:?}`, `{:x?}`, `{:X?}`
    Debug,
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
    /// `{:p}`
    Pointer,
}

impl FormatTrait {
    /// The trait selected by a type word (`x`, `e`, ...); `None` for unknown words.
    fn from_word(word: &str) -> Option<Self> {
        Some(match word {
            "" => FormatTrait::Display,
            "?" => FormatTrait::Debug,
            "x" => FormatTrait::LowerHex,
            "X" => FormatTrait::UpperHex,
            "o" => FormatTrait::Octal,
            "b" => FormatTrait::Binary,
            "e" => FormatTrait::LowerExp,
            "E" => FormatTrait::UpperExp,
            "p" => FormatTrait::Pointer,
            _ => return None,
        })
    }
}

/// Hexadecimal `Debug` output (`{:x?}` / `{:X?}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebugHex {
    /// `x?`
    Lower,
    /// `X?`
    Upper,
}

/// An error in a format string or in its use by a macro call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The message, worded like rustc's.
    pub message: String,
    /// Byte range in the format string the error is about; `0..0` when it is about an
    /// argument (see `unused_arg`).
    pub span: Range<usize>,
    /// For errors about a macro argument (unused or duplicate): its index in the combined
    /// argument list, positional arguments first, then named ones.
    pub unused_arg: Option<usize>,
}

impl FormatError {
    /// An error about the byte range `span` of the format string.
    fn new(message: impl Into<String>, span: Range<usize>) -> Self {
        FormatError {
            message: message.into(),
            span,
            unused_arg: None,
        }
    }

    /// An error about the macro argument with combined index `arg`.
    fn at_arg(message: impl Into<String>, arg: usize) -> Self {
        FormatError {
            message: message.into(),
            span: 0..0,
            unused_arg: Some(arg),
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FormatError {}

impl FormatString {
    /// The placeholders, in source order.
    pub fn placeholders(&self) -> impl Iterator<Item = &Placeholder> {
        self.pieces.iter().filter_map(|piece| match piece {
            Piece::Literal(_) => None,
            Piece::Placeholder(placeholder) => Some(placeholder),
        })
    }

    /// Whether any argument is referenced by an explicit number (`{0}`, `{:1$}`, `{:.2$}`).
    fn has_explicit_indices(&self) -> bool {
        let explicit_count =
            |count: &Option<Count>| matches!(count, Some(Count::Arg(ArgRef::Index(_))));
        self.placeholders().any(|p| {
            (!p.implicit && matches!(p.arg, ArgRef::Index(_)))
                || explicit_count(&p.spec.width)
                || (!p.spec.precision_star && explicit_count(&p.spec.precision))
        })
    }

    /// How many arguments the "next argument" counter hands out (`{}` and `.*`).
    fn implicit_count(&self) -> usize {
        self.placeholders()
            .map(|p| usize::from(p.implicit) + usize::from(p.spec.precision_star))
            .sum()
    }
}

impl Placeholder {
    /// Every argument this placeholder references, in textual order: the value, then the
    /// width, then the precision.
    pub fn args(&self) -> impl Iterator<Item = &ArgRef> {
        let width = self.spec.width.as_ref().and_then(Count::arg);
        let precision = self.spec.precision.as_ref().and_then(Count::arg);
        std::iter::once(&self.arg).chain(width).chain(precision)
    }
}

/// Whether `c` may start an argument name (approximates Unicode `XID_Start`).
fn is_id_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphabetic())
}

/// Whether `c` may continue an argument name (approximates Unicode `XID_Continue`).
fn is_id_continue(c: char) -> bool {
    is_id_start(c) || c.is_ascii_digit()
}

/// Whether `name` can be captured from the caller's scope: an identifier other than `_`.
///
/// Keywords are accepted, as rustc does (it captures `{fn}` as `r#fn`).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    name != "_" && chars.next().is_some_and(is_id_start) && chars.all(is_id_continue)
}

#[cfg(test)]
mod tests;
