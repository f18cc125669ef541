//! The environment filter: which log statements pass, chosen per module with
//! a spec in `env_logger`'s syntax (read from `LLT_LOG`).
//!
//! # Syntax
//!
//! A spec is a comma-separated list of directives:
//!
//! * `level` (`off`, `error`, `warn`, `info`, `debug` or `trace`, in any
//!   case) sets the default for modules no other directive names; when there
//!   are several, the last one wins;
//! * `path=level` sets the level of the module `path` and of the modules
//!   inside it (`my_crate::net=debug`); when a path is given twice, the last
//!   one wins;
//! * a bare `path` means `path=trace`, and so does `path=` (as in
//!   `env_logger`).
//!
//! Whitespace around directives, module paths and levels is ignored, and so
//! are empty directives (`info,,` is `info`). Module paths are compared
//! case-sensitively; they must look like Rust paths: identifiers (letters,
//! digits and `_`, not starting with a digit, not `_` alone, optionally
//! `r#`-prefixed) separated by `::`.
//!
//! **When no bare level is given**, as in `env_logger`: a spec that names
//! modules logs only those (`LLT_LOG=my_crate=debug` logs `my_crate` at
//! `debug` and every other module not at all), and [`Filter::parse`] of a
//! spec with no directive at all (only commas or spaces) means `error`.
//! [`Filter::from_env`] is different: a spec with no valid directive is no
//! spec, and the logger's own level applies (see below).
//!
//! # Matching
//!
//! A directive applies to a module path when its path is equal to it or is a
//! prefix of it ending at a `::` boundary: `my_crate::net` applies to
//! `my_crate::net` and `my_crate::net::tcp`, but not to `my_crate::network`.
//! When several directives apply, the longest (most specific) wins; when none
//! does, the default applies.
//!
//! # Errors
//!
//! [`Filter::parse`] never fails as a whole: a directive it cannot read is
//! skipped and reported as a [`FilterError`] naming it, and the other
//! directives still apply. [`Filter::from_str`](std::str::FromStr) is the
//! strict variant, which fails on the first problem.
//!
//! # Differences from `env_logger`
//!
//! * A `LLT_LOG` with no valid directive (empty, only commas, or only
//!   invalid parts such as `=`) is treated as unset: [`Filter::from_env`]
//!   returns no filter (and the invalid parts), so the logger's
//!   [`level`](crate::Builder::level) applies. `env_logger` logs only errors
//!   then.
//! * `env_logger` matches plain string prefixes (`net` also matches
//!   `network`); here only whole path segments match.
//! * `env_logger`'s `/regex` message filter is not supported: everything from
//!   the first `/` on is reported as one error and ignored, and the text
//!   before it is parsed as usual.
//! * `env_logger` accepts any text as a module name; here it must look like a
//!   Rust path, or the directive is reported and skipped.
//!
//! # Examples
//!
//! ```
//! use llt_runtime::filter::Filter;
//! use llt_runtime::{Level, LevelFilter};
//!
//! let (filter, errors) = Filter::parse("warn,my_crate::net=debug,my_crate::net::tls=off");
//! assert!(errors.is_empty());
//! assert_eq!(filter.level_for("my_crate::net::tcp"), LevelFilter::Debug);
//! assert_eq!(filter.level_for("my_crate::net::tls"), LevelFilter::Off);
//! assert_eq!(filter.level_for("my_crate::network"), LevelFilter::Warn);
//! assert!(filter.enabled("other_crate", Level::Warn));
//! assert!(!filter.enabled("other_crate", Level::Info));
//! assert_eq!(filter.max_level(), LevelFilter::Debug);
//! ```

use std::fmt;
use std::str::FromStr;

use crate::callsite::{Level, LevelFilter};

/// The variable [`Filter::from_env`] reads, and the prefix of
/// [`FilterError`]'s message.
const ENV_VAR: &str = "LLT_LOG";

/// A parsed filter in `env_logger`'s syntax: `info`,
/// `warn,my_crate::net=debug`, `off`, `my_crate=trace`, `error,a::b=off`.
///
/// It holds a default level and a list of directives (module path prefix
/// and level), kept sorted so that the most specific prefix wins. See the
/// [module documentation](self) for the syntax, the matching rules and the
/// differences from `env_logger`.
///
/// Two filters compare equal when they have the same default and the same
/// directives, in whatever order the specs listed them.
///
/// [`Filter::level_for`] scans the directives and compares strings: look a
/// call site's level up once and cache it, not on every statement.
///
/// # Examples
///
/// ```
/// use llt_runtime::filter::Filter;
/// use llt_runtime::LevelFilter;
///
/// let filter: Filter = "info,my_crate=trace".parse().unwrap();
/// assert_eq!(filter.level_for("my_crate::db"), LevelFilter::Trace);
/// assert_eq!(filter.level_for("hyper::client"), LevelFilter::Info);
/// assert_eq!(filter, "my_crate=trace,info".parse().unwrap());
/// assert_eq!(filter.to_string(), "info,my_crate=trace");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// The level of modules no directive applies to.
    default: LevelFilter,
    /// At most one per module path, sorted by path length, longest first
    /// (ties broken by the path, to make the order canonical): the first
    /// directive that applies to a module is the most specific one.
    directives: Vec<Directive>,
}

/// `module=level`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Directive {
    module: String,
    level: LevelFilter,
}

impl Filter {
    /// Parses a spec. This never fails as a whole: it returns the filter made
    /// of the valid directives and the list of problems, each naming the
    /// directive (or the `/regex` suffix) it skipped, in the order they
    /// appear in the spec.
    ///
    /// See the [module documentation](self) for the syntax. With no bare
    /// level, modules no directive names are off (`error` if the spec has
    /// no valid directive at all; [`Filter::from_env`] calls that no spec).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::filter::{Filter, FilterError};
    /// use llt_runtime::LevelFilter;
    ///
    /// let (filter, errors) = Filter::parse("info,net=loud,db=debug");
    /// assert_eq!(filter.level_for("db::pool"), LevelFilter::Debug);
    /// assert_eq!(filter.level_for("net"), LevelFilter::Info);
    /// assert_eq!(
    ///     errors,
    ///     [FilterError {
    ///         part: "net=loud".to_owned(),
    ///         message: "unknown level `loud` (expected off, error, warn, info, debug or trace)"
    ///             .to_owned(),
    ///     }]
    /// );
    ///
    /// // No bare level: modules no directive names are off.
    /// let (filter, _) = Filter::parse("db=debug");
    /// assert_eq!(filter.level_for("net"), LevelFilter::Off);
    /// ```
    pub fn parse(spec: &str) -> (Filter, Vec<FilterError>) {
        let (spec, errors) = Spec::parse(spec);
        (spec.filter(), errors)
    }

    /// Reads the spec in `LLT_LOG`: `Filter::from_env_var("LLT_LOG")`.
    ///
    /// Returns the filter, or `None` when the variable is absent or holds
    /// no valid directive (empty, only commas or spaces, or only invalid
    /// parts): the caller's default level should then apply, as if the
    /// variable were unset. The second value lists the invalid parts, as
    /// [`Filter::parse`] does, even when there is no filter; reporting them
    /// (once, to stderr) is the caller's job.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::filter::Filter;
    /// use llt_runtime::LevelFilter;
    ///
    /// let (filter, errors) = Filter::from_env();
    /// for error in &errors {
    ///     eprintln!("{error}");
    /// }
    /// let filter = filter.unwrap_or_else(|| Filter::from_level(LevelFilter::Info));
    /// # let _ = filter;
    /// ```
    pub fn from_env() -> (Option<Filter>, Vec<FilterError>) {
        Filter::from_env_var(ENV_VAR)
    }

    /// Reads the spec in the environment variable `name`, as
    /// [`Filter::from_env`] does for `LLT_LOG`.
    ///
    /// Returns `None` as the filter when the variable is absent or holds no
    /// valid directive, with the invalid parts in the second value. A value
    /// that is not valid UTF-8 is read lossily (the bad bytes become
    /// `U+FFFD`, which makes their directive invalid).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::filter::Filter;
    /// use llt_runtime::LevelFilter;
    ///
    /// assert_eq!(Filter::from_env_var("MY_APP_LOG_UNSET"), (None, Vec::new()));
    ///
    /// // SAFETY: this doctest is its own process and has no other thread.
    /// unsafe { std::env::set_var("MY_APP_LOG", "warn,my_app=debug") };
    /// let (filter, errors) = Filter::from_env_var("MY_APP_LOG");
    /// assert!(errors.is_empty());
    /// assert_eq!(filter.unwrap().level_for("my_app::io"), LevelFilter::Debug);
    ///
    /// // Nothing valid: no filter, and the part to report.
    /// // SAFETY: as above.
    /// unsafe { std::env::set_var("MY_APP_LOG", "=") };
    /// let (filter, errors) = Filter::from_env_var("MY_APP_LOG");
    /// assert_eq!(filter, None);
    /// assert_eq!(errors[0].part, "=");
    /// ```
    pub fn from_env_var(name: &str) -> (Option<Filter>, Vec<FilterError>) {
        let Some(value) = std::env::var_os(name) else {
            return (None, Vec::new());
        };
        let (spec, errors) = Spec::parse(&value.to_string_lossy());
        let filter = (spec.default.is_some() || !spec.directives.is_empty()).then(|| spec.filter());
        (filter, errors)
    }

    /// The level filter that applies to `module_path` (as given by
    /// `module_path!()`, e.g. `my_crate::net::tcp`): that of the longest
    /// directive whose path is the module path or a prefix of it ending at a
    /// `::` boundary, else the default.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::filter::Filter;
    /// use llt_runtime::LevelFilter;
    ///
    /// let filter: Filter = "info,my_crate::net=debug".parse().unwrap();
    /// assert_eq!(filter.level_for("my_crate::net"), LevelFilter::Debug);
    /// assert_eq!(filter.level_for("my_crate::net::tcp"), LevelFilter::Debug);
    /// assert_eq!(filter.level_for("my_crate::network"), LevelFilter::Info);
    /// assert_eq!(filter.level_for("my_crate"), LevelFilter::Info);
    /// ```
    pub fn level_for(&self, module_path: &str) -> LevelFilter {
        self.directives
            .iter()
            .find(|d| applies_to(&d.module, module_path))
            .map_or(self.default, |d| d.level)
    }

    /// Whether a statement of `level` in `module_path` passes.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::filter::Filter;
    /// use llt_runtime::Level;
    ///
    /// let filter: Filter = "warn,my_crate=trace".parse().unwrap();
    /// assert!(filter.enabled("my_crate::db", Level::Trace));
    /// assert!(filter.enabled("hyper", Level::Error));
    /// assert!(!filter.enabled("hyper", Level::Info));
    /// ```
    pub fn enabled(&self, module_path: &str, level: Level) -> bool {
        self.level_for(module_path).enables(level)
    }

    /// Whether the filter names any module (if not, one level applies to
    /// every module).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::filter::Filter;
    /// assert!(!Filter::parse("info").0.has_directives());
    /// assert!(Filter::parse("info,net=debug").0.has_directives());
    /// ```
    pub fn has_directives(&self) -> bool {
        !self.directives.is_empty()
    }

    /// The most verbose level the default or any directive allows: no
    /// statement above it passes, whatever its module (a fast global check).
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::filter::Filter;
    /// use llt_runtime::LevelFilter;
    ///
    /// let filter: Filter = "warn,my_crate::db=debug".parse().unwrap();
    /// assert_eq!(filter.max_level(), LevelFilter::Debug);
    /// let filter: Filter = "off".parse().unwrap();
    /// assert_eq!(filter.max_level(), LevelFilter::Off);
    /// ```
    pub fn max_level(&self) -> LevelFilter {
        self.directives
            .iter()
            .map(|d| d.level)
            .fold(self.default, Ord::max)
    }

    /// A filter that lets `level` (and everything more severe) through in
    /// every module: the spec made of just that level.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::filter::Filter;
    /// use llt_runtime::LevelFilter;
    ///
    /// let filter = Filter::from_level(LevelFilter::Info);
    /// assert_eq!(filter.level_for("anything::at::all"), LevelFilter::Info);
    /// assert_eq!(filter, "info".parse().unwrap());
    /// ```
    pub fn from_level(level: LevelFilter) -> Filter {
        Filter {
            default: level,
            directives: Vec::new(),
        }
    }
}

impl FromStr for Filter {
    type Err = FilterError;

    /// Parses a spec strictly: the first problem [`Filter::parse`] would
    /// report is an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::filter::Filter;
    ///
    /// assert!("info,my_crate=debug".parse::<Filter>().is_ok());
    /// let error = "info,a==b,net=loud".parse::<Filter>().unwrap_err();
    /// assert_eq!(error.part, "a==b");
    /// ```
    fn from_str(spec: &str) -> Result<Filter, FilterError> {
        let (filter, errors) = Filter::parse(spec);
        match errors.into_iter().next() {
            Some(error) => Err(error),
            None => Ok(filter),
        }
    }
}

impl fmt::Display for Filter {
    /// Writes a spec that parses back to an equal filter: the default level,
    /// then every directive as `path=level`, most specific first.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::filter::Filter;
    ///
    /// let filter: Filter = " my_crate , my_crate::net=WARN ".parse().unwrap();
    /// assert_eq!(filter.to_string(), "off,my_crate::net=warn,my_crate=trace");
    /// assert_eq!(filter.to_string().parse::<Filter>().unwrap(), filter);
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(level_name(self.default))?;
        for directive in &self.directives {
            write!(f, ",{}={}", directive.module, level_name(directive.level))?;
        }
        Ok(())
    }
}

/// The valid directives of a spec, before the defaults for a missing bare
/// level are filled in.
struct Spec {
    /// The last bare level, if any.
    default: Option<LevelFilter>,
    /// At most one per module path (the last one given), in spec order.
    directives: Vec<Directive>,
}

impl Spec {
    /// Reads the valid directives of `spec`, and the problems, in the order
    /// they appear.
    fn parse(spec: &str) -> (Spec, Vec<FilterError>) {
        let mut errors = Vec::new();
        let (list, regex) = match spec.split_once('/') {
            Some((list, regex)) => (list, Some(regex)),
            None => (spec, None),
        };
        let mut default = None;
        let mut directives: Vec<Directive> = Vec::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match parse_directive(part) {
                Ok((None, level)) => default = Some(level),
                Ok((Some(module), level)) => {
                    match directives.iter_mut().find(|d| d.module == module) {
                        Some(directive) => directive.level = level,
                        None => directives.push(Directive {
                            module: module.to_owned(),
                            level,
                        }),
                    }
                }
                Err(message) => errors.push(FilterError {
                    part: part.to_owned(),
                    message,
                }),
            }
        }
        if let Some(regex) = regex {
            errors.push(FilterError {
                part: format!("/{}", regex.trim()),
                message: "regex filters are not supported (everything from `/` on is ignored)"
                    .to_owned(),
            });
        }
        (
            Spec {
                default,
                directives,
            },
            errors,
        )
    }

    /// The filter, with `env_logger`'s default when no bare level was
    /// given: with module directives other modules are off; with nothing at
    /// all, `error`.
    fn filter(self) -> Filter {
        let Spec {
            default,
            mut directives,
        } = self;
        let default = default.unwrap_or(if directives.is_empty() {
            LevelFilter::Error
        } else {
            LevelFilter::Off
        });
        directives.sort_by(|a, b| {
            b.module
                .len()
                .cmp(&a.module.len())
                .then_with(|| a.module.cmp(&b.module))
        });
        Filter {
            default,
            directives,
        }
    }
}

/// A directive of a spec that [`Filter::parse`] skipped, and why.
///
/// Displays as ``LLT_LOG: ignoring `part`: message`` (the prefix is `LLT_LOG`
/// whichever variable or string the spec came from), ready to print to
/// stderr.
///
/// # Examples
///
/// ```
/// use llt_runtime::filter::Filter;
///
/// let (_, errors) = Filter::parse("net=loud");
/// assert_eq!(errors[0].part, "net=loud");
/// assert_eq!(
///     errors[0].to_string(),
///     "LLT_LOG: ignoring `net=loud`: unknown level `loud` \
///      (expected off, error, warn, info, debug or trace)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// The skipped directive, trimmed (or `/` and what follows it, for a
    /// regex).
    pub part: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{ENV_VAR}: ignoring `{}`: {}", self.part, self.message)
    }
}

impl std::error::Error for FilterError {}

/// Parses one trimmed, non-empty directive: `(None, level)` for a bare level,
/// `(Some(path), level)` for a module directive, or the error message.
fn parse_directive(part: &str) -> Result<(Option<&str>, LevelFilter), String> {
    let Some((module, level)) = part.split_once('=') else {
        if let Some(level) = parse_level(part) {
            return Ok((None, level));
        }
        check_module_path(part)?;
        return Ok((Some(part), LevelFilter::Trace));
    };
    if level.contains('=') {
        return Err("more than one `=` (expected `level`, `path` or `path=level`)".to_owned());
    }
    let (module, level) = (module.trim(), level.trim());
    if module.is_empty() {
        return Err("missing module path before `=`".to_owned());
    }
    check_module_path(module)?;
    if level.is_empty() {
        return Ok((Some(module), LevelFilter::Trace));
    }
    match parse_level(level) {
        Some(level) => Ok((Some(module), level)),
        None => Err(format!(
            "unknown level `{level}` (expected off, error, warn, info, debug or trace)"
        )),
    }
}

/// A level name in any case, or `None`.
fn parse_level(name: &str) -> Option<LevelFilter> {
    LevelFilter::from_str(name).ok()
}

/// The name a spec uses for `level`.
fn level_name(level: LevelFilter) -> &'static str {
    match level {
        LevelFilter::Off => "off",
        LevelFilter::Error => "error",
        LevelFilter::Warn => "warn",
        LevelFilter::Info => "info",
        LevelFilter::Debug => "debug",
        LevelFilter::Trace => "trace",
    }
}

/// `Ok` when `path` is identifiers separated by `::`.
fn check_module_path(path: &str) -> Result<(), String> {
    if path.split("::").all(is_identifier) {
        Ok(())
    } else {
        Err(format!(
            "invalid module path `{path}` (expected identifiers separated by `::`, \
             like `my_crate::net`)"
        ))
    }
}

/// A Rust identifier, possibly raw (`r#type`, as `module_path!()` writes
/// it); non-ASCII letters and digits count.
fn is_identifier(ident: &str) -> bool {
    let ident = ident.strip_prefix("r#").unwrap_or(ident);
    let mut chars = ident.chars();
    let starts_well = chars.next().is_some_and(|c| c == '_' || c.is_alphabetic());
    starts_well && ident != "_" && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// Whether the directive for `prefix` applies to `module_path`: equal, or a
/// prefix ending at a `::` boundary.
fn applies_to(prefix: &str, module_path: &str) -> bool {
    module_path
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

#[cfg(test)]
mod tests;
