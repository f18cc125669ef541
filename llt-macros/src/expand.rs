//! Code generation for `llt_log!` and its level variants.
//!
//! For `llt_log!(logger, "Event {} value {:.4}", id, v)` the output is, in
//! outline:
//!
//! ```text
//! {
//!     let logger: &Logger = &(logger);
//!     static INTEREST: Interest;                   // this statement's cached filter decision
//!     if STATIC_MAX_LEVEL.enables(Level::Info) && enabled(logger, Level::Info, &INTEREST, module_path!()) {
//!         match (&id, &v) {                        // each argument evaluated once
//!             (a0, a1) => {
//!                 struct Site;                     // this statement, as a type
//!                 impl Site for Site { const METADATA = { level, format, module, file, line } }
//!                 log::<Site, _, _>(
//!                     logger,
//!                     (encoder(a0), (encoder(a1), ())),     // raw bytes, no formatting
//!                     |values, line| {                       // on the writer thread
//!                         let (a0, (a1, ())) = values;       // references to the decoded values
//!                         write_line(line, format_args!("Event {} value {:.4}", *a0, *a1))
//!                     },
//!                 );
//!             }
//!         }
//!     }
//! }
//! ```
//!
//! `encoder(a)` is `(&&&&&Tag(a)).llt_encoder()`, which picks an encoding by
//! the argument's type (`llt_runtime::record::Tag`): a string's bytes, the
//! value behind a reference (copied at the call), or the value itself; an
//! argument that fits none is a compile error spanned on it.
//!
//! `log` turns `Site`, the argument types and the (capture-free) closure into
//! a `&'static Callsite` constant; the closure runs on the writer thread with
//! the values read back from the record.
//!
//! What each statement costs the compiler (`scripts/compile-cost.sh`) is
//! kept down by putting everything that does not depend on the statement in
//! ordinary generic functions shared by all statements with the same
//! argument types: in a debug build the statement only calls them
//! (`llt_runtime::private::log`); in a release build the push is inlined,
//! since that is the hot path. The per-statement `Site` struct and impl are
//! the largest part of what is left for `cargo check`: an inline `const`
//! block at the statement instead was slower to check, because a constant
//! outside generic code is evaluated by `cargo check`. All paths go through
//! `::llt_rs::__private`, so the expansion does not depend on the caller's
//! imports or on what it names `core`, `Option` or `Result`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Expr, Ident};

use crate::args::Invocation;
use crate::format::{self, ArgRef, Count, FormatError, FormatString};

/// The level a macro logs at.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    fn tokens(self) -> TokenStream {
        let name = match self {
            Level::Trace => "Trace",
            Level::Debug => "Debug",
            Level::Info => "Info",
            Level::Warn => "Warn",
            Level::Error => "Error",
        };
        let ident = Ident::new(name, Span::call_site());
        quote!(::llt_rs::__private::Level::#ident)
    }
}

/// Expands one invocation; errors become `compile_error!` plus a stub that
/// still uses the arguments, so one mistake gives one error.
pub(crate) fn expand(input: TokenStream, level: Level) -> TokenStream {
    let invocation: Invocation = match syn::parse2(input) {
        Ok(invocation) => invocation,
        Err(e) => return e.to_compile_error(),
    };
    match generate(&invocation, level) {
        Ok(tokens) => tokens,
        Err(e) => {
            let error = e.to_compile_error();
            let stub = stub(&invocation);
            quote!({ #error #stub })
        }
    }
}

/// Uses the logger and arguments without logging, after an error.
fn stub(invocation: &Invocation) -> TokenStream {
    let logger = invocation.logger.iter();
    let positional = &invocation.positional;
    let named = invocation
        .named
        .iter()
        .chain(&invocation.fields)
        .map(|(_, value)| value);
    quote!({ #( let _ = &#logger; )* #( let _ = &#positional; )* #( let _ = &#named; )* })
}

/// One argument of the generated call, in the order format_args! gets them.
struct Argument {
    /// The expression evaluated at the statement.
    value: TokenStream,
    /// `Some(name)` for `name = expr` and captured variables.
    name: Option<Ident>,
    /// Where errors about this argument point.
    span: Span,
}

fn generate(invocation: &Invocation, level: Level) -> syn::Result<TokenStream> {
    let format_lit = &invocation.format;
    let parsed = format::parse(&format_lit.value()).map_err(|e| format_error(&e, invocation))?;
    let named_names: Vec<String> = invocation
        .named
        .iter()
        .map(|(name, _)| name.unraw().to_string())
        .collect();
    let captured = format::check(&parsed, invocation.positional.len(), &named_names)
        .map_err(|e| format_error(&e, invocation))?;

    let mut arguments: Vec<Argument> = invocation
        .positional
        .iter()
        .map(|value| Argument {
            value: quote!(#value),
            name: None,
            span: value.span(),
        })
        .chain(invocation.named.iter().map(|(name, value)| Argument {
            value: quote!(#value),
            name: Some(name.clone()),
            span: value.span(),
        }))
        .collect();
    for name in &captured {
        // A captured variable resolves where the format string is written,
        // like format_args!'s implicit captures.
        let ident = captured_ident(name, format_lit.span())?;
        arguments.push(Argument {
            value: quote!(#ident),
            name: Some(ident.clone()),
            span: format_lit.span(),
        });
    }
    mark_counts(&parsed, &mut arguments, invocation.positional.len());
    // Named arguments are fields too (in JSON, syslog): an extra field of
    // the same name would be a duplicate key.
    for (field, _) in &invocation.fields {
        if arguments
            .iter()
            .any(|a| a.name.as_ref().is_some_and(|n| n.unraw() == field.unraw()))
        {
            return Err(syn::Error::new(
                field.span(),
                format!(
                    "field `{}` is also a named argument of the message, and named arguments are fields already: drop one of them",
                    field.unraw()
                ),
            ));
        }
    }

    let level_tokens = level.tokens();
    let logger = match &invocation.logger {
        Some(expr) => logger_expr(expr),
        None => quote! {
            let __llt_logger: &::llt_rs::__private::Logger = ::llt_rs::__private::default_logger();
        },
    };
    let bindings: Vec<Ident> = (0..arguments.len())
        .map(|i| format_ident!("__llt_a{}", i, span = arguments[i].span))
        .collect();
    let values = arguments.iter().map(|a| &a.value);
    // Extra fields: evaluated with the arguments, encoded after them as one
    // field list (`FieldsEnc`), whose decoder hands the closure the token
    // that lets it say so to the writer.
    let field_values = invocation.fields.iter().map(|(_, value)| value);
    let field_bindings: Vec<Ident> = (0..invocation.fields.len())
        .map(|i| format_ident!("__llt_f{}", i, span = invocation.fields[i].1.span()))
        .collect();
    let fields_tail = if invocation.fields.is_empty() {
        quote!(())
    } else {
        let list = invocation.fields.iter().zip(&field_bindings).rev().fold(
            quote!(()),
            |rest, ((name, value), binding)| {
                let key = name.unraw().to_string();
                // Checked here, spanned on the value, so a value that
                // cannot be a field is reported where it is written.
                let field = quote_spanned!(value.span()=> (#key, ::llt_rs::__private::field_value(#binding)));
                quote!((#field, #rest))
            },
        );
        quote!((::llt_rs::__private::FieldsEnc::new(#list), ()))
    };
    let encoders = arguments.iter().zip(&bindings).rev().fold(
        fields_tail,
        |rest, (arg, binding)| {
            let encoder =
                quote_spanned!(arg.span=> (&&&&&::llt_rs::__private::Tag(#binding)).llt_encoder());
            quote!((#encoder, #rest))
        },
    );
    let fields_pattern = if invocation.fields.is_empty() {
        quote!(())
    } else {
        quote!((__llt_fields, ()))
    };
    let pattern = bindings
        .iter()
        .rev()
        .fold(fields_pattern, |rest, binding| quote!((#binding, #rest)));
    let format_args = arguments.iter().zip(&bindings).map(|(arg, binding)| {
        // The closure gets the values by reference, so that formatting
        // reads them where they were decoded; `*` gives format_args!
        // the value itself (what `{:p}` prints).
        let value = quote_spanned!(arg.span=> *#binding);
        match &arg.name {
            Some(name) => quote!(#name = #value),
            None => value,
        }
    });

    let message = quote!(::llt_rs::__private::format_args!(#format_lit #(, #format_args)*));
    let write_message = if invocation.fields.is_empty() {
        quote!(::llt_rs::__private::write_line(__llt_line, #message))
    } else {
        quote!(::llt_rs::__private::write_message_with_fields(__llt_line, &__llt_fields, #message))
    };
    // Named arguments (`name = expr`, captured `{name}`) are also fields
    // where the line's format shows fields (JSON, syslog): recorded on the
    // writer from the decoded values, so the call pays nothing for them.
    let named_fields: Vec<TokenStream> = arguments
        .iter()
        .zip(&bindings)
        .filter_map(|(arg, binding)| {
            let key = arg.name.as_ref()?.unraw().to_string();
            Some(quote!((&&&::llt_rs::__private::NamedField(#binding)).llt_field(&mut __llt_named, #key);))
        })
        .collect();
    let write_message = if named_fields.is_empty() {
        write_message
    } else {
        quote!({
            #[allow(unused_imports)]
            use ::llt_rs::__private::{ViaFieldDebug as _, ViaFieldNone as _, ViaFieldValue as _};
            let __llt_result = #write_message;
            let mut __llt_named = ::llt_rs::__private::named_fields(__llt_line);
            #(#named_fields)*
            __llt_named.finish();
            __llt_result
        })
    };

    Ok(quote! {{
        #[allow(unused_imports)]
        use ::llt_rs::__private::{ViaCopy as _, ViaRef as _, ViaStr as _, ViaValue as _};
        #logger
        static __LLT_INTEREST: ::llt_rs::__private::Interest = ::llt_rs::__private::Interest::new();
        if ::llt_rs::__private::STATIC_MAX_LEVEL.enables(#level_tokens)
            && ::llt_rs::__private::enabled(
                __llt_logger,
                #level_tokens,
                &__LLT_INTEREST,
                ::llt_rs::__private::module_path!(),
            )
        {
            match (#(&(#values),)* #(&(#field_values),)*) {
                (#(#bindings,)* #(#field_bindings,)*) => {
                    #[allow(non_camel_case_types)]
                    struct __llt_Site;
                    impl ::llt_rs::__private::Site for __llt_Site {
                        const METADATA: ::llt_rs::__private::Metadata = ::llt_rs::__private::Metadata {
                            level: #level_tokens,
                            format: #format_lit,
                            module_path: ::llt_rs::__private::module_path!(),
                            file: ::llt_rs::__private::file!(),
                            line: ::llt_rs::__private::line!(),
                        };
                    }
                    ::llt_rs::__private::log::<__llt_Site, _, _>(
                        __llt_logger,
                        #encoders,
                        |__llt_values, __llt_line: &mut ::llt_rs::__private::Line| {
                            let #pattern = __llt_values;
                            #write_message
                        },
                    );
                }
            }
        }
    }})
}

/// Keywords in any edition, strict or reserved: a variable with one of these
/// names is declared as a raw identifier (`let r#fn = 1;`), and rustc
/// captures `{fn}` as `r#fn`.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; captured as they are written
/// (`{self}` in a method, as with format_args!).
const PATH_KEYWORDS: &[&str] = &["self", "Self", "super", "crate"];

/// The identifier a captured `{name}` refers to: a raw identifier for a
/// keyword. Names the format parser accepts but that are not identifiers
/// (its Unicode classes are approximate) give an error instead of the panic
/// of `Ident::new`.
fn captured_ident(name: &str, span: Span) -> syn::Result<Ident> {
    let invalid = || {
        syn::Error::new(
            span,
            format!("invalid format string: invalid argument name `{name}`"),
        )
    };
    if PATH_KEYWORDS.contains(&name) {
        return Ok(Ident::new(name, span));
    }
    if KEYWORDS.contains(&name) {
        return Ok(Ident::new_raw(name, span));
    }
    if name.is_ascii() {
        return Ok(Ident::new(name, span));
    }
    // Non-ASCII: let the compiler's lexer decide, without panicking.
    let tokens: TokenStream = name.parse().map_err(|_| invalid())?;
    let mut tokens = tokens.into_iter();
    match (tokens.next(), tokens.next()) {
        (Some(proc_macro2::TokenTree::Ident(mut ident)), None) => {
            ident.set_span(span);
            Ok(ident)
        }
        _ => Err(invalid()),
    }
}

/// `&(expr)` as a `&Logger`, so a `Logger`, a `&Logger` or anything that
/// derefs to one works. The reference is bound first without a type: with
/// `&Logger` expected right away, rustc would push the expectation into a
/// block or `if` (`{ ...; &logger }`) and reject its `&Logger` as not a
/// `Logger` instead of coercing it.
///
/// Two statements at the macro's block level, so that a temporary logger
/// (`llt_log!(arc.clone(), ..)`) lives to the end of the statement.
fn logger_expr(expr: &Expr) -> TokenStream {
    let span = expr.span();
    let reference = quote_spanned!(span=> &(#expr));
    // Resolved at the call site (the expression may come from a
    // macro_rules! macro, whose locals are hygienic), but located at the
    // expression, where a type error points.
    let binding = Ident::new("__llt_logger", Span::call_site().located_at(span));
    quote! {
        let __llt_logger = #reference;
        let __llt_logger: &::llt_rs::__private::Logger = #binding;
    }
}

/// Arguments used as a width or precision (`{:1$}`, `{:.*}`, `{:w$}`) must be
/// `usize`, as in format_args!: give them that type at the statement, so an
/// integer literal there is inferred as `usize` too.
fn mark_counts(parsed: &FormatString, arguments: &mut [Argument], positional: usize) {
    let index_of = |arg: &ArgRef, arguments: &[Argument]| -> Option<usize> {
        match arg {
            ArgRef::Index(i) => Some(*i),
            ArgRef::Name(name) => arguments
                .iter()
                .skip(positional)
                .position(|a| a.name.as_ref().is_some_and(|n| n.unraw() == name))
                .map(|k| positional + k),
        }
    };
    let mut counts = Vec::new();
    for placeholder in parsed.placeholders() {
        for count in [&placeholder.spec.width, &placeholder.spec.precision]
            .into_iter()
            .flatten()
        {
            if let Count::Arg(arg) = count
                && let Some(index) = index_of(arg, arguments)
            {
                counts.push(index);
            }
        }
    }
    counts.sort_unstable();
    counts.dedup();
    for index in counts {
        if let Some(argument) = arguments.get_mut(index) {
            let value = &argument.value;
            argument.value = quote_spanned!(argument.span=> ::llt_rs::__private::count(#value));
        }
    }
}

/// A format error as a syn error: on the offending argument when there is
/// one, else on the format string.
fn format_error(error: &FormatError, invocation: &Invocation) -> syn::Error {
    let argument_span = error.unused_arg.and_then(|index| {
        let positional = invocation.positional.len();
        if index < positional {
            invocation.positional.get(index).map(Spanned::span)
        } else {
            invocation
                .named
                .get(index - positional)
                .map(|(name, _)| name.span())
        }
    });
    let span = argument_span.unwrap_or_else(|| invocation.format.span());
    let mut message = error.message.clone();
    if argument_span.is_none() && !error.span.is_empty() {
        let value = invocation.format.value();
        if let Some(text) = value.get(error.span.clone()) {
            message = format!("{message}\n  in `{text}` of the format string");
        }
    }
    syn::Error::new(span, message)
}
