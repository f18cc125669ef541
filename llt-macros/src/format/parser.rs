//! The format-string grammar: a recursive-descent parser mirroring rustc's
//! `rustc_parse_format`, error recovery included, so that [`parse`] reports the error
//! rustc would report first.

use std::ops::Range;

use super::{
    Align, ArgRef, Count, DebugHex, FormatError, FormatString, FormatTrait, Piece, Placeholder,
    Sign, Spec, is_id_continue, is_id_start,
};

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
