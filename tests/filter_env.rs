//! `LLT_LOG` is read when a logger is built: its valid parts apply, its
//! invalid parts are reported (on stderr) and skipped, a spec with no valid
//! part counts as unset, and a filter given in code takes precedence. One test in its own binary, because it changes the
//! process environment.

use llt_rs::filter::Filter;
use llt_rs::{Level, LevelFilter, Logger};

#[test]
fn llt_log_is_read_at_build_time() {
    // SAFETY: this test binary has a single test, so no other thread reads
    // or writes the environment while it runs.
    unsafe { std::env::set_var("LLT_LOG", "warn,app::net=debug,app::db=loud") };
    let from_env = Logger::builder()
        .sink(std::io::sink())
        .build()
        .expect("logger");
    assert_eq!(from_env.filter().to_string(), "warn,app::net=debug");
    assert!(from_env.enabled_for("app::net", Level::Debug));
    assert!(!from_env.enabled_for("app::db", Level::Info));

    // A filter given in code wins over the environment; `.level()` does not.
    let from_code = Logger::builder()
        .filter(Filter::from_level(LevelFilter::Trace))
        .sink(std::io::sink())
        .build()
        .expect("logger");
    assert!(from_code.enabled_for("app::db", Level::Trace));
    let level_only = Logger::builder()
        .level(LevelFilter::Error)
        .sink(std::io::sink())
        .build()
        .expect("logger");
    assert_eq!(level_only.level(), LevelFilter::Warn);

    // A spec with nothing valid in it (empty parts only, or invalid parts
    // only, which are reported on stderr) is no spec: `.level()` applies,
    // not `error`.
    for spec in ["=", ",,,", " , = ,", "net=loud,=debug"] {
        // SAFETY: as above.
        unsafe { std::env::set_var("LLT_LOG", spec) };
        let nothing_valid = Logger::builder()
            .level(LevelFilter::Debug)
            .sink(std::io::sink())
            .build()
            .expect("logger");
        assert_eq!(
            nothing_valid.filter(),
            Filter::from_level(LevelFilter::Debug),
            "LLT_LOG={spec:?}"
        );
    }

    // SAFETY: as above.
    unsafe { std::env::remove_var("LLT_LOG") };
    let default = Logger::builder()
        .sink(std::io::sink())
        .build()
        .expect("logger");
    assert_eq!(default.filter(), Filter::from_level(LevelFilter::Info));
}
