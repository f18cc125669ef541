//! Parsing a macro invocation: `[logger,] "format", args..., name = expr...`.

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
}

impl Parse for Invocation {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let logger = if input.peek(LitStr) {
            None
        } else {
            let logger: Expr = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected a format string literal, or a logger followed by `,` and a format string literal",
                )
            })?;
            input.parse::<Token![,]>()?;
            Some(logger)
        };
        let format: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a format string literal, like `\"value = {}\"`",
            )
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
        })
    }
}
