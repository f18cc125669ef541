//! Per-module filtering through `llt_log!`: module directives, statements
//! that re-check after the filter changes, and one statement used with two
//! loggers whose filters differ.

use llt_rs::filter::Filter;
use llt_rs::{Level, LevelFilter, LineFormat, Logger, MemorySink, llt_debug, llt_info, llt_warn};

fn logger_with(filter: &str) -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let logger = Logger::builder()
        .format(LineFormat::MessageOnly)
        .filter(filter.parse().expect("valid filter"))
        .sink(sink.clone())
        .build()
        .expect("logger");
    (logger, sink)
}

mod net {
    pub mod tcp {
        pub fn log_all(logger: &llt_rs::Logger) {
            llt_rs::llt_trace!(logger, "tcp trace");
            llt_rs::llt_debug!(logger, "tcp debug");
            llt_rs::llt_info!(logger, "tcp info");
        }
    }
    pub fn log_all(logger: &llt_rs::Logger) {
        llt_rs::llt_debug!(logger, "net debug");
        llt_rs::llt_info!(logger, "net info");
        llt_rs::llt_warn!(logger, "net warn");
    }
}

mod network {
    pub fn log_all(logger: &llt_rs::Logger) {
        llt_rs::llt_debug!(logger, "network debug");
        llt_rs::llt_warn!(logger, "network warn");
    }
}

fn log_everywhere(logger: &Logger) {
    llt_debug!(logger, "root debug");
    llt_warn!(logger, "root warn");
    net::log_all(logger);
    net::tcp::log_all(logger);
    network::log_all(logger);
    logger.log("owned info");
    logger.log_str(Level::Warn, "owned warn");
}

#[test]
fn module_directives_select_levels_per_module() {
    let (logger, sink) = logger_with("warn,filtering::net=debug,filtering::net::tcp=trace");
    log_everywhere(&logger);
    logger.flush();
    assert_eq!(
        sink.take_lines(),
        [
            "root warn",
            "net debug",
            "net info",
            "net warn",
            "tcp trace",
            "tcp debug",
            "tcp info",
            // `filtering::network` is not inside `filtering::net`.
            "network warn",
            // Lines without a module follow the default level.
            "owned warn",
        ]
    );
}

#[test]
fn statements_follow_a_changed_filter() {
    let (logger, sink) = logger_with("error,filtering::net=info");
    net::log_all(&logger);
    logger.flush();
    assert_eq!(sink.take_lines(), ["net info", "net warn"]);

    // The same statements, after their cached decisions were made.
    logger.set_filter("error,filtering::net=debug".parse().expect("valid"));
    net::log_all(&logger);
    logger.flush();
    assert_eq!(sink.take_lines(), ["net debug", "net info", "net warn"]);

    logger.set_level(LevelFilter::Warn);
    net::log_all(&logger);
    logger.flush();
    assert_eq!(sink.take_lines(), ["net warn"]);
    assert_eq!(logger.filter(), Filter::from_level(LevelFilter::Warn));
}

#[test]
fn one_statement_with_two_loggers_follows_each_filter() {
    let (quiet, quiet_sink) = logger_with("error,filtering::net=warn");
    let (loud, loud_sink) = logger_with("error,filtering::net=debug");
    for _ in 0..3 {
        net::log_all(&quiet);
        net::log_all(&loud);
    }
    quiet.flush();
    loud.flush();
    assert_eq!(quiet_sink.take_lines(), ["net warn"; 3]);
    assert_eq!(loud_sink.take_lines().len(), 9);
}

#[test]
fn disabled_modules_do_not_evaluate_arguments() {
    let (logger, sink) = logger_with("info,filtering=warn");
    let mut evaluated = 0;
    let mut bump = || {
        evaluated += 1;
        evaluated
    };
    llt_info!(logger, "not logged {}", bump());
    llt_warn!(logger, "logged {}", bump());
    logger.flush();
    assert_eq!(evaluated, 1);
    assert_eq!(sink.take_lines(), ["logged 1"]);
}

#[test]
fn enabled_for_answers_per_module() {
    let (logger, _sink) = logger_with("warn,app::net=debug");
    assert!(logger.enabled_for("app::net::tcp", Level::Debug));
    assert!(!logger.enabled_for("app::network", Level::Info));
    assert!(logger.enabled(Level::Warn) && !logger.enabled(Level::Info));
}
