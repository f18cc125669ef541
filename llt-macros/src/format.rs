//! Parsing and validation of Rust format strings.
//!
//! [`parse`] turns a format string into a [`FormatString`] following the grammar of
//! `std::fmt` exactly as `format_args!` accepts it, and reports the same (first) error rustc
//! would report. [`check`] then validates the parsed string against the arguments of a macro
//! call and tells which names must be captured implicitly from the caller's scope.
//!
//! The module only uses `std`, so it can be unit-tested without `proc_macro`. All byte
//! ranges index the *value* of the string literal (after unescaping), not its source text.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;

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

/// Parses a format string and validates its syntax and format traits.
///
/// Returns the first error rustc would report for the string alone, with the same message.
/// Its span covers the offending characters (for an unterminated placeholder: from its `{`
/// to the end of the string).
pub fn parse(s: &str) -> Result<FormatString, FormatError> {
    Parser::new(s).run()
}

/// Prefix rustc puts before syntax errors.
const SYNTAX_ERROR: &str = "invalid format string: ";

/// Recursive-descent parser mirroring rustc's `rustc_parse_format`, including its error
/// recovery, so that the first reported error is the same.
struct Parser<'a> {
    /// The whole format string.
    input: &'a str,
    /// Its characters with their byte offsets.
    chars: Vec<(usize, char)>,
    /// Index of the next character in `chars`.
    idx: usize,
    /// std's "next argument" counter.
    next_arg: usize,
    /// Syntax errors of the current piece; rustc reports the first one.
    errors: Vec<FormatError>,
    /// The first unknown format trait, reported only if there is no syntax error.
    unknown_trait: Option<FormatError>,
}

/// The inside of a `{...}`, before the closing brace.
struct RawArgument {
    /// The formatted argument.
    arg: ArgRef,
    /// Whether `arg` came from the "next argument" counter.
    implicit: bool,
    /// Byte range of the argument position (with trailing whitespace).
    position_span: Range<usize>,
    /// The format options.
    spec: Spec,
    /// Whether no format option at all was given (`{name}` or `{name:}`).
    plain: bool,
}

impl<'a> Parser<'a> {
    /// A parser positioned at the start of `input`.
    fn new(input: &'a str) -> Self {
        Parser {
            input,
            chars: input.char_indices().collect(),
            idx: 0,
            next_arg: 0,
            errors: Vec::new(),
            unknown_trait: None,
        }
    }

    /// Parses the whole string.
    fn run(mut self) -> Result<FormatString, FormatError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        while let Some(c) = self.peek() {
            let start = self.idx;
            self.idx += 1;
            match c {
                // `{{` and `}}` are escapes.
                '{' | '}' if self.peek() == Some(c) => {
                    self.idx += 1;
                    literal.push(c);
                }
                '{' => {
                    if let Some(placeholder) = self.placeholder(start) {
                        flush_literal(&mut literal, &mut pieces);
                        pieces.push(Piece::Placeholder(placeholder));
                    }
                }
                '}' => {
                    let error = self.syntax_error("unmatched `}` found", start, self.idx);
                    self.errors.push(error);
                }
                _ => literal.push(c),
            }
            // Like rustc, stop at the first piece with an error and report its first error.
            if let Some(error) = self.errors.drain(..).next() {
                return Err(error);
            }
        }
        flush_literal(&mut literal, &mut pieces);
        match self.unknown_trait {
            Some(error) => Err(error),
            None => Ok(FormatString { pieces }),
        }
    }

    /// The current character.
    fn peek(&self) -> Option<char> {
        self.chars.get(self.idx).map(|&(_, c)| c)
    }

    /// The character after the current one.
    fn peek_ahead(&self) -> Option<char> {
        self.chars.get(self.idx + 1).map(|&(_, c)| c)
    }

    /// Consumes `c` if it is the current character.
    fn consume(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.idx += 1;
        }
        found
    }

    /// Skips whitespace.
    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.idx += 1;
        }
    }

    /// Byte offset of the character at index `idx` (the string length past the end).
    fn offset(&self, idx: usize) -> usize {
        self.chars
            .get(idx)
            .map_or(self.input.len(), |&(offset, _)| offset)
    }

    /// Byte range of the characters `start..end`.
    fn span(&self, start: usize, end: usize) -> Range<usize> {
        self.offset(start)..self.offset(end)
    }

    /// A syntax error covering the characters `start..end`.
    fn syntax_error(&self, description: &str, start: usize, end: usize) -> FormatError {
        FormatError::new(
            format!("{SYNTAX_ERROR}{description}"),
            self.span(start, end),
        )
    }

    /// Takes the next index from the "next argument" counter.
    fn next_implicit(&mut self) -> usize {
        let index = self.next_arg;
        self.next_arg += 1;
        index
    }

    /// Parses a placeholder whose `{` (at index `open`) was just consumed.
    fn placeholder(&mut self, open: usize) -> Option<Placeholder> {
        let raw = self.argument();
        self.skip_whitespace();
        if self.consume('}') {
            Some(Placeholder {
                arg: raw.arg,
                implicit: raw.implicit,
                spec: raw.spec,
                span: self.span(open, self.idx),
            })
        } else {
            self.missing_closing_brace(open, &raw);
            None
        }
    }

    /// Parses `[position][ws][':' format_spec]`.
    fn argument(&mut self) -> RawArgument {
        let start = self.idx;
        let position = self.position();
        self.skip_whitespace();
        let position_span = self.span(start, self.idx);
        // The format spec comes first so that `.*` takes its index before the value.
        let (spec, plain) = self.format_spec();
        let (arg, implicit) = match position {
            Some(arg) => (arg, false),
            None => (ArgRef::Index(self.next_implicit()), true),
        };
        RawArgument {
            arg,
            implicit,
            position_span,
            spec,
            plain,
        }
    }

    /// Parses an explicit argument position (an integer or a name), if any.
    fn position(&mut self) -> Option<ArgRef> {
        if let Some(index) = self.integer() {
            return Some(ArgRef::Index(index));
        }
        let start = self.idx;
        let word = self.word();
        if word.is_empty() {
            return None;
        }
        if word == "r" && self.peek() == Some('#') && self.peek_ahead().is_some_and(is_id_start) {
            self.idx += 1;
            let word = self.word();
            let error = self.syntax_error("raw identifiers are not supported", start, self.idx);
            self.errors.insert(0, error);
            return Some(ArgRef::Name(word.to_owned()));
        }
        Some(ArgRef::Name(word.to_owned()))
    }

    /// Parses the format spec after an optional `:`; also returns whether it is empty.
    fn format_spec(&mut self) -> (Spec, bool) {
        let mut spec = Spec::default();
        if !self.consume(':') {
            return (spec, true);
        }
        if let (Some(fill), Some('<' | '^' | '>')) = (self.peek(), self.peek_ahead()) {
            self.idx += 1;
            spec.fill = Some(fill);
        }
        spec.align = self.align();
        spec.sign = self.sign();
        spec.alternate = self.consume('#');
        if self.consume('0') {
            // `0$` is a width argument rather than the `0` flag followed by garbage.
            if self.consume('$') {
                spec.width = Some(Count::Arg(ArgRef::Index(0)));
            } else {
                spec.zero_pad = true;
            }
        }
        if spec.width.is_none() {
            spec.width = self.count();
        }
        let has_precision = self.consume('.');
        if has_precision {
            if self.consume('*') {
                spec.precision = Some(Count::Arg(ArgRef::Index(self.next_implicit())));
                spec.precision_star = true;
            } else {
                spec.precision = self.count();
            }
        }
        let has_type = self.format_type(&mut spec);
        let plain = !has_precision && !has_type && spec == Spec::default();
        (spec, plain)
    }

    /// Parses an optional alignment.
    fn align(&mut self) -> Option<Align> {
        [
            ('<', Align::Left),
            ('^', Align::Center),
            ('>', Align::Right),
        ]
        .into_iter()
        .find_map(|(c, align)| self.consume(c).then_some(align))
    }

    /// Parses an optional sign flag.
    fn sign(&mut self) -> Option<Sign> {
        [('+', Sign::Plus), ('-', Sign::Minus)]
            .into_iter()
            .find_map(|(c, sign)| self.consume(c).then_some(sign))
    }

    /// Parses the type at the end of a format spec into `spec`; returns whether one was
    /// written.
    fn format_type(&mut self, spec: &mut Spec) -> bool {
        let start = self.idx;
        for (c, trait_, debug_hex) in [
            ('x', FormatTrait::LowerHex, DebugHex::Lower),
            ('X', FormatTrait::UpperHex, DebugHex::Upper),
        ] {
            if self.consume(c) {
                if self.consume('?') {
                    spec.trait_ = FormatTrait::Debug;
                    spec.debug_hex = Some(debug_hex);
                } else {
                    spec.trait_ = trait_;
                }
                return true;
            }
        }
        if self.consume('?') {
            spec.trait_ = FormatTrait::Debug;
            if let Some(c @ ('#' | 'x' | 'X')) = self.peek() {
                // `{:?#}` / `{:?x}`: rustc reports the misplaced flag before anything else.
                let description = format!("expected `}}`, found `{c}`");
                let error = self.syntax_error(&description, self.idx, self.idx + 1);
                self.errors.insert(0, error);
            }
            return true;
        }
        let word = self.word();
        if word.is_empty() {
            return false;
        }
        match FormatTrait::from_word(word) {
            Some(trait_) => spec.trait_ = trait_,
            None => {
                if self.unknown_trait.is_none() {
                    let message = format!("unknown format trait `{word}`");
                    self.unknown_trait =
                        Some(FormatError::new(message, self.span(start, self.idx)));
                }
            }
        }
        true
    }

    /// Parses an optional count: `integer`, `integer$` or `name$`.
    fn count(&mut self) -> Option<Count> {
        if let Some(n) = self.integer() {
            return Some(if self.consume('$') {
                Count::Arg(ArgRef::Index(n))
            } else {
                Count::Literal(n)
            });
        }
        let start = self.idx;
        let word = self.word();
        if !word.is_empty() && self.consume('$') {
            return Some(Count::Arg(ArgRef::Name(word.to_owned())));
        }
        self.idx = start;
        None
    }

    /// Parses a decimal integer, which rustc limits to `u16`.
    fn integer(&mut self) -> Option<usize> {
        let start = self.idx;
        let mut value: u16 = 0;
        let mut overflow = false;
        while let Some(digit) = self.peek().and_then(|c| c.to_digit(10)) {
            self.idx += 1;
            match value
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit as u16))
            {
                Some(next) => value = next,
                None => overflow = true,
            }
        }
        if self.idx == start {
            return None;
        }
        if overflow {
            let digits = &self.input[self.span(start, self.idx)];
            let description = format!(
                "integer `{digits}` does not fit into the type `u16` whose range is `0..={}`",
                u16::MAX
            );
            let error = self.syntax_error(&description, start, self.idx);
            self.errors.push(error);
        }
        Some(usize::from(value))
    }

    /// Parses an identifier-like word; returns `""` if there is none.
    fn word(&mut self) -> &'a str {
        let input = self.input;
        let start = self.idx;
        if !self.peek().is_some_and(is_id_start) {
            return "";
        }
        self.idx += 1;
        while self.peek().is_some_and(is_id_continue) {
            self.idx += 1;
        }
        let word = &input[self.span(start, self.idx)];
        if word == "_" {
            let error = self.syntax_error("invalid argument name `_`", start, self.idx);
            self.errors.push(error);
        }
        word
    }

    /// Records the error for a placeholder that does not end where `}` is expected, plus
    /// the more specific error rustc puts first for some common mistakes.
    fn missing_closing_brace(&mut self, open: usize, raw: &RawArgument) {
        let error = match self.peek() {
            Some(c) => {
                let description = format!("expected `}}`, found `{}`", c.escape_debug());
                self.syntax_error(&description, self.idx, self.idx + 1)
            }
            None => self.syntax_error("expected `}` but string was terminated", open, self.idx),
        };
        self.errors.push(error);
        let (Some(c), Some(next)) = (self.peek(), self.peek_ahead()) else {
            return;
        };
        let description = match (c, next) {
            ('?', '}') => "expected `}`, found `?`",
            ('?', ':') => "expected format parameter to occur after `:`",
            ('<' | '^' | '>', _) => {
                "expected alignment specifier after `:` in format string; example: `{:>?}`"
            }
            (',', _) => "python's numeric grouping `,` is not supported in rust format strings",
            ('=', '}') => {
                "python's f-string debug `=` is not supported in rust, use `dbg(x)` instead"
            }
            ('.', _) => {
                self.field_access(raw);
                return;
            }
            _ => return,
        };
        let error = self.syntax_error(description, self.idx, self.idx + 1);
        self.errors.insert(0, error);
    }

    /// Detects `{name.field}` / `{name.0}` at the current `.` after a plain named argument.
    fn field_access(&mut self, raw: &RawArgument) {
        if !raw.plain || raw.implicit || !matches!(raw.arg, ArgRef::Name(_)) {
            return;
        }
        self.idx += 1;
        let field = self.argument();
        if field.implicit || !self.consume('}') {
            return;
        }
        let description = match field.arg {
            ArgRef::Name(_) => "field access isn't supported",
            ArgRef::Index(_) => "tuple index access isn't supported",
        };
        let span = raw.position_span.start..field.position_span.end;
        let error = FormatError::new(format!("{SYNTAX_ERROR}{description}"), span);
        self.errors.insert(0, error);
    }
}

/// Moves pending literal text into `pieces`.
fn flush_literal(literal: &mut String, pieces: &mut Vec<Piece>) {
    if !literal.is_empty() {
        pieces.push(Piece::Literal(std::mem::take(literal)));
    }
}

/// Checks a parsed format string against the call's arguments, like `format_args!` does.
///
/// `positional_args` is the number of positional arguments given and `named_args` the names
/// of the `name = expr` arguments (in order); both can also be referenced by index, named
/// ones after the positional ones. Returns the names that must be captured implicitly from
/// the caller's scope (used in the string but not given as named arguments), in order of
/// first appearance, or the first error rustc would report:
///  - "duplicate argument named \`a\`" (`unused_arg` points at the duplicate),
///  - "there is no argument named \`x\`" for a name that cannot be captured,
///  - "invalid reference to positional argument 3 (there are 2 arguments)" or, when the
///    string uses no explicit index, "2 positional arguments in format string, but there is
///    1 argument" (`span` is the first offending placeholder),
///  - "argument never used", "named argument never used" or "multiple unused formatting
///    arguments" (`span` is `0..0` and `unused_arg` points at the first unused argument).
///
/// Keywords used as names (`{fn}`) are returned as they are; rustc captures them as raw
/// identifiers.
pub fn check(
    fs: &FormatString,
    positional_args: usize,
    named_args: &[String],
) -> Result<Vec<String>, FormatError> {
    check_duplicate_names(positional_args, named_args)?;
    let total = positional_args.saturating_add(named_args.len());
    let mut used = BTreeSet::new();
    let mut invalid = Vec::new();
    let mut captured: Vec<String> = Vec::new();
    for placeholder in fs.placeholders() {
        for arg in placeholder.args() {
            match arg {
                ArgRef::Index(index) if *index < total => {
                    used.insert(*index);
                }
                ArgRef::Index(index) => invalid.push((*index, placeholder.span.clone())),
                ArgRef::Name(name) => match named_args.iter().position(|given| given == name) {
                    Some(k) => {
                        used.insert(positional_args.saturating_add(k));
                    }
                    None if is_identifier(name) => {
                        if !captured.contains(name) {
                            captured.push(name.clone());
                        }
                    }
                    None => {
                        let message = format!("there is no argument named `{name}`");
                        return Err(FormatError::new(message, placeholder.span.clone()));
                    }
                },
            }
        }
    }
    if !invalid.is_empty() {
        return Err(invalid_reference_error(fs, &invalid, total));
    }
    match unused_argument_error(&used, positional_args, total) {
        Some(error) => Err(error),
        None => Ok(captured),
    }
}

/// Rejects a `name = expr` argument whose name was already given.
fn check_duplicate_names(positional_args: usize, named_args: &[String]) -> Result<(), FormatError> {
    for (k, name) in named_args.iter().enumerate() {
        if named_args[..k].contains(name) {
            let message = format!("duplicate argument named `{name}`");
            return Err(FormatError::at_arg(
                message,
                positional_args.saturating_add(k),
            ));
        }
    }
    Ok(())
}

/// The error for references to arguments past the end of the argument list.
fn invalid_reference_error(
    fs: &FormatString,
    invalid: &[(usize, Range<usize>)],
    total: usize,
) -> FormatError {
    let given = match total {
        0 => "no arguments were given".to_owned(),
        1 => "there is 1 argument".to_owned(),
        n => format!("there are {n} arguments"),
    };
    let span = invalid.first().map_or(0..0, |(_, span)| span.clone());
    let message = if fs.has_explicit_indices() {
        let mut indices: Vec<usize> = invalid.iter().map(|(index, _)| *index).collect();
        indices.sort_unstable();
        indices.dedup();
        format!(
            "invalid reference to positional argument{} {} ({given})",
            plural(indices.len()),
            listify(&indices)
        )
    } else {
        let n = fs.implicit_count();
        format!(
            "{n} positional argument{} in format string, but {given}",
            plural(n)
        )
    };
    FormatError::new(message, span)
}

/// The error for arguments that no placeholder references, if any.
fn unused_argument_error(
    used: &BTreeSet<usize>,
    positional_args: usize,
    total: usize,
) -> Option<FormatError> {
    let unused = total.saturating_sub(used.len());
    if unused == 0 {
        return None;
    }
    // `used` only holds indices below `total`, so a free index exists among the first
    // `used.len() + 1` ones.
    let first = (0..=used.len()).find(|index| !used.contains(index))?;
    let message = match unused {
        1 if first >= positional_args => "named argument never used",
        1 => "argument never used",
        _ => "multiple unused formatting arguments",
    };
    Some(FormatError::at_arg(message, first))
}

/// `"s"` unless `n` is 1.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Joins numbers like rustc: `3`, `3 and 5`, `3, 5 and 7`.
fn listify(items: &[usize]) -> String {
    match items {
        [] => String::new(),
        [only] => only.to_string(),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(usize::to_string).collect();
            format!("{} and {last}", init.join(", "))
        }
    }
}

#[cfg(test)]
mod tests;
