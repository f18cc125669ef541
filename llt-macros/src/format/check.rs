//! Checking a parsed format string against a macro call's arguments, as `format_args!`
//! does: which argument each placeholder uses, which names are captured from the caller's
//! scope, and rustc's errors for missing, duplicate and unused arguments.

use std::collections::BTreeSet;
use std::ops::Range;

use super::{ArgRef, FormatError, FormatString, is_identifier};

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
    reject_pointer(fs)?;
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

/// Rejects `{:p}`: `llt_log!` copies every argument at the call (the value
/// behind a reference too), so the writer would print the address of its
/// copy in the record, not the address `format!` would print.
fn reject_pointer(fs: &FormatString) -> Result<(), FormatError> {
    match fs
        .placeholders()
        .find(|placeholder| placeholder.spec.trait_ == super::FormatTrait::Pointer)
    {
        Some(placeholder) => Err(FormatError::new(
            "`{:p}` cannot be logged by `llt_log!`: arguments are copied at the call, so the \
             writer would print the address of the copy, not of your value; log the address \
             as a number instead: `{:#x}` with `ptr as usize` (or `ptr.addr()`)"
                .to_owned(),
            placeholder.span.clone(),
        )),
        None => Ok(()),
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
