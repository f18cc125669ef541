use super::*;

use LevelFilter::{Debug, Error, Info, Off, Trace, Warn};

/// Parses a spec that must be valid.
fn valid(spec: &str) -> Filter {
    let (filter, errors) = Filter::parse(spec);
    assert!(errors.is_empty(), "{spec:?}: unexpected errors {errors:?}");
    filter
}

/// `(spec, [(module path, expected level)])`.
type ValidCase = (&'static str, &'static [(&'static str, LevelFilter)]);

const VALID: &[ValidCase] = &[
    // Nothing: the default is `error`.
    ("", &[("my_crate", Error), ("a::b", Error)]),
    ("   ", &[("my_crate", Error)]),
    (",, ,", &[("my_crate", Error)]),
    // Default only, in any case.
    ("info", &[("my_crate", Info), ("my_crate::net::tcp", Info)]),
    ("INFO", &[("my_crate", Info)]),
    ("Debug", &[("my_crate", Debug), ("x", Debug)]),
    ("trace", &[("my_crate", Trace)]),
    ("warn", &[("my_crate", Warn)]),
    ("error", &[("my_crate", Error)]),
    ("off", &[("my_crate", Off), ("my_crate::net", Off)]),
    ("OFF", &[("a", Off)]),
    // The last bare level wins.
    ("info,warn", &[("my_crate", Warn)]),
    ("trace,my_crate=info,off", &[("my_crate", Info), ("b", Off)]),
    // Module only: other modules are off (as in env_logger).
    (
        "my_crate=trace",
        &[
            ("my_crate", Trace),
            ("my_crate::net", Trace),
            ("my_crate_2", Off),
            ("other", Off),
        ],
    ),
    // A bare path means `trace`, and so does `path=`.
    (
        "my_crate::net",
        &[
            ("my_crate::net", Trace),
            ("my_crate::net::tcp", Trace),
            ("my_crate", Off),
        ],
    ),
    (
        "my_crate::net=",
        &[("my_crate::net", Trace), ("my_crate", Off)],
    ),
    // Segment boundaries.
    (
        "warn,my_crate::net=debug",
        &[
            ("my_crate::net", Debug),
            ("my_crate::net::tcp", Debug),
            ("my_crate::network", Warn),
            ("my_crate::ne", Warn),
            ("my_crate", Warn),
            ("my_crate::net_", Warn),
        ],
    ),
    (
        "info,net=off",
        &[
            ("net", Off),
            ("net::x", Off),
            ("network", Info),
            ("a::net", Info),
        ],
    ),
    // Nested: the most specific wins, whatever the order.
    (
        "my_crate=info,my_crate::net=debug,my_crate::net::tcp=trace",
        &[
            ("my_crate", Info),
            ("my_crate::db", Info),
            ("my_crate::net", Debug),
            ("my_crate::net::udp", Debug),
            ("my_crate::net::tcp", Trace),
            ("my_crate::net::tcp::conn", Trace),
            ("my_crate::net::tcpx", Debug),
            ("other", Off),
        ],
    ),
    (
        "my_crate::net::tcp=trace,my_crate::net=debug,my_crate=info",
        &[
            ("my_crate", Info),
            ("my_crate::net", Debug),
            ("my_crate::net::tcp", Trace),
        ],
    ),
    (
        "error,a::b=off",
        &[
            ("a", Error),
            ("a::b", Off),
            ("a::b::c", Off),
            ("a::bc", Error),
        ],
    ),
    (
        "trace,my_crate=off,my_crate::important=warn",
        &[
            ("my_crate", Off),
            ("my_crate::noisy", Off),
            ("my_crate::important", Warn),
            ("other", Trace),
        ],
    ),
    ("off,my_crate=trace", &[("my_crate", Trace), ("other", Off)]),
    (
        "my_crate::network=trace,my_crate::net=off",
        &[
            ("my_crate::network", Trace),
            ("my_crate::net", Off),
            ("my_crate::network::x", Trace),
        ],
    ),
    // The last directive for a path wins.
    ("my_crate=debug,my_crate=warn", &[("my_crate", Warn)]),
    // Whitespace around parts, paths and levels.
    (
        "  info , my_crate::net = DEBUG ,\tdb\t",
        &[("my_crate::net", Debug), ("db", Trace), ("x", Info)],
    ),
    // Level names as module names, case-sensitive paths.
    ("info=debug", &[("info", Debug), ("other", Off)]),
    (
        "MY_CRATE=debug,warn",
        &[("MY_CRATE", Debug), ("my_crate", Warn)],
    ),
    // Identifier shapes.
    (
        "_private::x=debug,a1::b_2=warn,r#type=info",
        &[
            ("_private::x", Debug),
            ("a1::b_2::c", Warn),
            ("r#type", Info),
            ("_private", Off),
        ],
    ),
    ("ünïcode=debug", &[("ünïcode::x", Debug), ("unicode", Off)]),
    (
        "debug,my_crate=ERROR",
        &[("my_crate", Error), ("other", Debug)],
    ),
    // The empty module path (never produced by `module_path!()`).
    ("info,a=debug", &[("", Info)]),
];

#[test]
fn valid_specs() {
    assert!(VALID.len() >= 25);
    for &(spec, cases) in VALID {
        let filter = valid(spec);
        for &(path, expected) in cases {
            assert_eq!(
                filter.level_for(path),
                expected,
                "spec {spec:?}, module {path:?}"
            );
            for level in [
                Level::Error,
                Level::Warn,
                Level::Info,
                Level::Debug,
                Level::Trace,
            ] {
                assert_eq!(
                    filter.enabled(path, level),
                    level as u8 <= expected as u8,
                    "spec {spec:?}, module {path:?}, level {level}"
                );
            }
            assert!(filter.max_level() >= expected, "spec {spec:?}");
        }
    }
}

/// `(spec, [(part, message)], the spec of the surviving directives)`.
type InvalidCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

const UNKNOWN_LOUD: &str = "unknown level `loud` (expected off, error, warn, info, debug or trace)";
const TWO_EQUALS: &str = "more than one `=` (expected `level`, `path` or `path=level`)";
const NO_PATH: &str = "missing module path before `=`";
const REGEX: &str = "regex filters are not supported (everything from `/` on is ignored)";

const INVALID: &[InvalidCase] = &[
    ("net=loud", &[("net=loud", UNKNOWN_LOUD)], ""),
    ("info,net=loud", &[("net=loud", UNKNOWN_LOUD)], "info"),
    ("trace=loud,warn", &[("trace=loud", UNKNOWN_LOUD)], "warn"),
    (
        "a=inf o",
        &[(
            "a=inf o",
            "unknown level `inf o` (expected off, error, warn, info, debug or trace)",
        )],
        "",
    ),
    ("a==b", &[("a==b", TWO_EQUALS)], ""),
    ("debug, a=b=c ,x", &[("a=b=c", TWO_EQUALS)], "debug,x"),
    ("=info", &[("=info", NO_PATH)], ""),
    (" = ,warn", &[("=", NO_PATH)], "warn"),
    (
        "my crate=info",
        &[(
            "my crate=info",
            "invalid module path `my crate` (expected identifiers separated by `::`, \
             like `my_crate::net`)",
        )],
        "",
    ),
    (
        "info,my crate",
        &[(
            "my crate",
            "invalid module path `my crate` (expected identifiers separated by `::`, \
             like `my_crate::net`)",
        )],
        "info",
    ),
    (
        "a::=info,b=debug",
        &[(
            "a::=info",
            "invalid module path `a::` (expected identifiers separated by `::`, \
             like `my_crate::net`)",
        )],
        "b=debug",
    ),
    (
        "a::",
        &[(
            "a::",
            "invalid module path `a::` (expected identifiers separated by `::`, \
             like `my_crate::net`)",
        )],
        "",
    ),
    (
        "::a=info",
        &[(
            "::a=info",
            "invalid module path `::a` (expected identifiers separated by `::`, \
             like `my_crate::net`)",
        )],
        "",
    ),
    (
        "a:::b=warn",
        &[(
            "a:::b=warn",
            "invalid module path `a:::b` (expected identifiers separated by `::`, \
             like `my_crate::net`)",
        )],
        "",
    ),
    (
        "a:b=warn",
        &[(
            "a:b=warn",
            "invalid module path `a:b` (expected identifiers separated by `::`, \
             like `my_crate::net`)",
        )],
        "",
    ),
    (
        "1abc=info,_=warn,my-crate",
        &[
            (
                "1abc=info",
                "invalid module path `1abc` (expected identifiers separated by `::`, \
                 like `my_crate::net`)",
            ),
            (
                "_=warn",
                "invalid module path `_` (expected identifiers separated by `::`, \
                 like `my_crate::net`)",
            ),
            (
                "my-crate",
                "invalid module path `my-crate` (expected identifiers separated by `::`, \
                 like `my_crate::net`)",
            ),
        ],
        "",
    ),
    (
        "warn,a::b=debug/foo.*bar",
        &[("/foo.*bar", REGEX)],
        "warn,a::b=debug",
    ),
    ("info/", &[("/", REGEX)], "info"),
    ("/x", &[("/x", REGEX)], ""),
    (
        "a=loud/x/y, z",
        &[
            (
                "a=loud",
                "unknown level `loud` (expected off, error, warn, info, debug or trace)",
            ),
            ("/x/y, z", REGEX),
        ],
        "",
    ),
    (
        "info,,bad name=debug, net = trace ,x==y,off",
        &[
            (
                "bad name=debug",
                "invalid module path `bad name` (expected identifiers separated by `::`, \
                 like `my_crate::net`)",
            ),
            ("x==y", TWO_EQUALS),
        ],
        "net=trace,off",
    ),
];

#[test]
fn invalid_specs() {
    assert!(INVALID.len() >= 12);
    for &(spec, expected_errors, survivors) in INVALID {
        let (filter, errors) = Filter::parse(spec);
        let expected: Vec<FilterError> = expected_errors
            .iter()
            .map(|&(part, message)| FilterError {
                part: part.to_owned(),
                message: message.to_owned(),
            })
            .collect();
        assert_eq!(errors, expected, "spec {spec:?}");
        assert_eq!(filter, valid(survivors), "spec {spec:?}");
        // Strict parsing fails on the first problem.
        assert_eq!(
            spec.parse::<Filter>(),
            Err(expected[0].clone()),
            "spec {spec:?}"
        );
    }
}

#[test]
fn error_display() {
    let (_, errors) = Filter::parse("net=loud,a==b");
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "LLT_LOG: ignoring `net=loud`: unknown level `loud` \
             (expected off, error, warn, info, debug or trace)",
            "LLT_LOG: ignoring `a==b`: more than one `=` \
             (expected `level`, `path` or `path=level`)",
        ]
    );
}

#[test]
fn display_round_trips() {
    for &(spec, _) in VALID {
        let filter = valid(spec);
        let text = filter.to_string();
        assert_eq!(valid(&text), filter, "spec {spec:?} displayed as {text:?}");
        assert_eq!(valid(&text).to_string(), text, "spec {spec:?}");
    }
    for &(spec, _, survivors) in INVALID {
        let (filter, _) = Filter::parse(spec);
        assert_eq!(filter.to_string(), valid(survivors).to_string());
    }
}

#[test]
fn display_is_canonical() {
    let cases = [
        ("", "error"),
        ("info", "info"),
        ("OFF", "off"),
        ("my_crate", "off,my_crate=trace"),
        (
            "a=warn,a::b::c=debug,a::b=info,trace",
            "trace,a::b::c=debug,a::b=info,a=warn",
        ),
        ("b=info,a=debug,ab=off", "off,ab=off,a=debug,b=info"),
        (" x = Warn , x=INFO ", "off,x=info"),
        ("info,a=debug/re", "info,a=debug"),
    ];
    for (spec, expected) in cases {
        assert_eq!(Filter::parse(spec).0.to_string(), expected, "spec {spec:?}");
    }
}

#[test]
fn equality_ignores_order() {
    assert_eq!(valid("a=info,b=warn,debug"), valid("debug,b=warn,a=info"));
    assert_eq!(valid("a=info,a=warn"), valid("a=warn"));
    assert_ne!(valid("a=info"), valid("a=warn"));
    assert_ne!(valid("info"), valid("info,a=info"));
}

#[test]
fn max_level() {
    let cases = [
        ("", Error),
        ("off", Off),
        ("off,a=warn", Warn),
        ("trace,a=off", Trace),
        ("info,a=debug,b=warn", Debug),
        ("a", Trace),
        ("warn,a=off,b=error", Warn),
    ];
    for (spec, expected) in cases {
        assert_eq!(valid(spec).max_level(), expected, "spec {spec:?}");
    }
}

#[test]
fn from_level() {
    for level in [Off, Error, Warn, Info, Debug, Trace] {
        let filter = Filter::from_level(level);
        assert_eq!(filter.level_for("a::b"), level);
        assert_eq!(filter.max_level(), level);
        assert_eq!(filter, valid(level_name(level)));
        assert_eq!(filter.to_string(), level_name(level));
    }
    assert_eq!(Filter::from_level(Error), valid(""));
}

/// Sets an environment variable for a test.
fn set_env(name: &str, value: &str) {
    // SAFETY: `set_var` is unsound only if another thread reads or writes
    // the environment at the same time without going through std's
    // environment lock. Tests run in parallel threads, but every use of
    // the environment in this test binary goes through `std::env`, which
    // takes that lock (nothing here calls libc's `getenv` directly), and
    // each test uses its own variable name, so no test observes another's
    // change.
    unsafe { std::env::set_var(name, value) };
}

#[test]
fn from_env_var_set() {
    const NAME: &str = "LLT_LOG_TEST_FILTER_FROM_ENV_VAR_SET";
    set_env(NAME, "warn,my_crate::net=debug,net=loud");
    let (filter, errors) = Filter::from_env_var(NAME);
    assert_eq!(filter, Some(valid("warn,my_crate::net=debug")));
    assert_eq!(
        errors,
        [FilterError {
            part: "net=loud".to_owned(),
            message: UNKNOWN_LOUD.to_owned(),
        }]
    );
}

#[test]
fn from_env_var_unset() {
    const NAME: &str = "LLT_LOG_TEST_FILTER_FROM_ENV_VAR_UNSET";
    assert_eq!(Filter::from_env_var(NAME), (None, Vec::new()));
}

#[test]
fn from_env_var_empty() {
    const NAME: &str = "LLT_LOG_TEST_FILTER_FROM_ENV_VAR_EMPTY";
    for spec in ["", "  ", ",,,", " , "] {
        set_env(NAME, spec);
        assert_eq!(Filter::from_env_var(NAME), (None, Vec::new()), "{spec:?}");
    }
    set_env(NAME, "off");
    assert_eq!(Filter::from_env_var(NAME), (Some(valid("off")), Vec::new()));
}

/// A spec whose every part is invalid is no spec (the caller's level
/// applies, not `error`), and its parts are still reported.
#[test]
fn from_env_var_with_nothing_valid() {
    const NAME: &str = "LLT_LOG_TEST_FILTER_FROM_ENV_VAR_NOTHING_VALID";
    let cases: &[(&str, &[&str])] = &[
        ("=", &["="]),
        ("=,,=", &["=", "="]),
        ("net=loud", &["net=loud"]),
        ("=debug, a b ,x==y", &["=debug", "a b", "x==y"]),
        ("/regex", &["/regex"]),
        (",,/regex", &["/regex"]),
    ];
    for &(spec, parts) in cases {
        set_env(NAME, spec);
        let (filter, errors) = Filter::from_env_var(NAME);
        assert_eq!(filter, None, "{spec:?}");
        let reported: Vec<&str> = errors.iter().map(|e| e.part.as_str()).collect();
        assert_eq!(reported, parts, "{spec:?}");
        // `parse` keeps env_logger's reading of the same spec: `error`.
        assert_eq!(Filter::parse(spec).0, Filter::from_level(Error), "{spec:?}");
    }
    // One valid part is enough to make a filter.
    set_env(NAME, "=,net=debug");
    let (filter, errors) = Filter::from_env_var(NAME);
    assert_eq!(filter, Some(valid("net=debug")));
    assert_eq!(errors.len(), 1);
}
