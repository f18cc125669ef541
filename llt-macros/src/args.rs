//! Parsing a macro invocation:
//! `[logger,] [field = expr, ...;] "format", args..., name = expr...`.

use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, LitStr, Token};

/// One `llt_log!` invocation, as written.
pub(crate) struct Invocation {
    /// The logger expression, or `None` for the process-wide default logger.
    pub logger: Option<Expr>,
    /// The format string literal.
    pub format: LitStr,
    /// Positional arguments, in order.
    pub positional: Vec<Expr>,
    /// `name = expr` arguments, in order.
    pub named: Vec<(Ident, Expr)>,
    /// Extra fields, `key = expr` before a `;` ahead of the format string.
    pub fields: Vec<(Ident, Expr)>,
}

/// Whether the input starts a field (`key = value`; `==` is a comparison).
fn at_field(input: ParseStream<'_>) -> bool {
    input.peek(Ident::peek_any) && input.peek2(Token![=]) && !input.peek2(Token![==])
}

/// Parses `key = value, ...;` (a trailing comma before `;` is allowed).
fn parse_fields(input: ParseStream<'_>) -> syn::Result<Vec<(Ident, Expr)>> {
    let mut fields: Vec<(Ident, Expr)> = Vec::new();
    loop {
        if !at_field(input) {
            return Err(input.error(
                "expected a field `key = value`; fields come before the format string and end with `;`: \
                 `llt_info!(logger, order_id = id; \"filled {}\", qty)`",
            ));
        }
        let name = Ident::parse_any(input)?;
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        if fields
            .iter()
            .any(|(existing, _)| existing.unraw() == name.unraw())
        {
            return Err(syn::Error::new(
                name.span(),
                format!("duplicate field `{}`", name.unraw()),
            ));
        }
        fields.push((name, value));
        if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            return Ok(fields);
        }
        input.parse::<Token![,]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `,` and another field, or `;` and the format string",
            )
        })?;
        if input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            return Ok(fields);
        }
    }
}

/// The error for a format string made by a macro (`concat!`).
const NOT_A_LITERAL: &str = "expected a format string literal: `llt_log!` reads its format \
     string at compile time and cannot expand a macro such as `concat!` there; write the string \
     out (`\"value = {}\"`), or wrap `llt_log!` in a `macro_rules!` macro that takes the \
     literal as `$fmt:literal`";

impl Parse for Invocation {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut fields = Vec::new();
        let logger = if input.peek(LitStr) {
            None
        } else if at_field(input) {
            fields = parse_fields(input)?;
            None
        } else {
            let logger: Expr = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected a format string literal, or a logger followed by `,` and a format string literal",
                )
            })?;
            if input.is_empty()
                && let Expr::Macro(call) = &logger
            {
                return Err(syn::Error::new_spanned(call, NOT_A_LITERAL));
            }
            input.parse::<Token![,]>()?;
            if at_field(input) {
                fields = parse_fields(input)?;
            }
            Some(logger)
        };
        let format: LitStr = input.parse().map_err(|e| {
            // `concat!(..)`, `stringify!(..)`: a proc macro sees the call,
            // not the string it expands to.
            let message = if input.peek(Ident) && input.peek2(Token![!]) {
                NOT_A_LITERAL
            } else {
                "expected a format string literal, like `\"value = {}\"`"
            };
            syn::Error::new(e.span(), message)
        })?;
        let mut positional = Vec::new();
        let mut named: Vec<(Ident, Expr)> = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break; // trailing comma
            }
            // Any identifier, keywords included, names an argument, as in
            // format_args! (`fn = 1` for `{fn}`).
            if input.peek(Ident::peek_any) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
                let name = Ident::parse_any(input)?;
                input.parse::<Token![=]>()?;
                let value: Expr = input.parse()?;
                if named
                    .iter()
                    .any(|(existing, _)| existing.unraw() == name.unraw())
                {
                    return Err(syn::Error::new(
                        name.span(),
                        format!("duplicate argument named `{}`", name.unraw()),
                    ));
                }
                named.push((name, value));
            } else {
                let value: Expr = input.parse()?;
                if let Some((name, _)) = named.first() {
                    return Err(syn::Error::new_spanned(
                        &value,
                        format!(
                            "positional arguments cannot follow named arguments (`{name} = ...`)"
                        ),
                    ));
                }
                positional.push(value);
            }
        }
        Ok(Invocation {
            logger,
            format,
            positional,
            named,
            fields,
        })
    }
}
