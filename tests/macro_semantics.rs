//! What `llt_log!` and the level macros do besides formatting: when their
//! arguments are evaluated, the level each one logs at, which logger
//! expressions they accept, and that their expansion does not depend on the
//! caller's scope.
//!
//! One test (`default_logger`) installs the process-wide default logger; a
//! test binary is one process, so it is the only test here that uses the
//! logger-less form `llt_log!("...")`.

#![allow(clippy::uninlined_format_args)]

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use llt_rs::{
    LevelFilter, LineFormat, Logger, MemorySink, llt_debug, llt_error, llt_info, llt_log,
    llt_trace, llt_warn,
};

/// A logger writing bare messages into a new buffer, at `level`.
fn message_logger(level: LevelFilter) -> (Logger, MemorySink) {
    let buf = MemorySink::default();
    let logger = Logger::builder()
        .format(LineFormat::MessageOnly)
        .level(level)
        .sink(buf.clone())
        .build()
        .expect("logger starts");
    (logger, buf)
}

/// Flushes and returns the lines written so far.
fn flushed_lines(logger: &Logger, buf: &MemorySink) -> Vec<String> {
    logger.flush();
    String::from_utf8(buf.contents())
        .expect("the sink got valid UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Increments the counter and returns its new value.
fn bump(counter: &Cell<u32>) -> u32 {
    counter.set(counter.get() + 1);
    counter.get()
}

#[test]
fn enabled_arguments_are_evaluated_exactly_once_in_order() {
    let (logger, buf) = message_logger(LevelFilter::Trace);
    let calls = Cell::new(0);

    llt_log!(logger, "{} {}", bump(&calls), bump(&calls));
    assert_eq!(calls.get(), 2, "each positional argument once");

    // An argument referenced several times is still evaluated once.
    llt_log!(logger, "{0} {0} {0:?}", bump(&calls));
    assert_eq!(calls.get(), 3);
    llt_log!(logger, "{n} {n:>4} {}", bump(&calls), n = bump(&calls));
    assert_eq!(calls.get(), 5);
    // Also when it is a width.
    llt_log!(logger, "[{:1$}] [{:>1$}]", 7, bump(&calls) as usize);
    assert_eq!(calls.get(), 6);

    // The logger expression is evaluated once too.
    let logger_evaluations = Cell::new(0);
    llt_log!(
        {
            bump(&logger_evaluations);
            &logger
        },
        "logger expression"
    );
    assert_eq!(logger_evaluations.get(), 1);

    for level_macro_call in 0..5 {
        let before = calls.get();
        match level_macro_call {
            0 => llt_trace!(logger, "{}", bump(&calls)),
            1 => llt_debug!(logger, "{}", bump(&calls)),
            2 => llt_info!(logger, "{}", bump(&calls)),
            3 => llt_warn!(logger, "{}", bump(&calls)),
            _ => llt_error!(logger, "{}", bump(&calls)),
        }
        assert_eq!(calls.get(), before + 1, "macro #{level_macro_call}");
    }

    assert_eq!(
        flushed_lines(&logger, &buf),
        [
            "1 2",
            "3 3 3",
            "5    5 4",
            "[     7] [     6]",
            "logger expression",
            "7",
            "8",
            "9",
            "10",
            "11",
        ]
    );
}

#[test]
fn disabled_statements_evaluate_nothing() {
    let (logger, buf) = message_logger(LevelFilter::Info);
    logger.set_level(LevelFilter::Warn);
    let calls = Cell::new(0);

    llt_trace!(logger, "{}", bump(&calls));
    llt_debug!(logger, "{}", bump(&calls));
    llt_info!(logger, "{} {}", bump(&calls), bump(&calls));
    llt_log!(logger, "{x}", x = bump(&calls));
    assert_eq!(
        calls.get(),
        0,
        "arguments of disabled statements must not run"
    );

    llt_warn!(logger, "warn {}", bump(&calls));
    llt_error!(logger, "error {}", bump(&calls));
    assert_eq!(calls.get(), 2);

    logger.set_level(LevelFilter::Off);
    llt_error!(logger, "{}", bump(&calls));
    assert_eq!(calls.get(), 2, "nothing runs with the level Off");

    // Back on: the same statements log again.
    logger.set_level(LevelFilter::Trace);
    for _ in 0..2 {
        llt_debug!(logger, "debug {}", bump(&calls));
    }
    assert_eq!(calls.get(), 4);

    assert_eq!(
        flushed_lines(&logger, &buf),
        ["warn 1", "error 2", "debug 3", "debug 4"]
    );
}

#[test]
fn each_level_macro_logs_at_its_level() {
    let buf = MemorySink::default();
    let logger = Logger::builder()
        .format(LineFormat::Default)
        .level(LevelFilter::Trace)
        .sink(buf.clone())
        .build()
        .expect("logger starts");

    llt_trace!(logger, "t {}", 1);
    llt_debug!(logger, "d {}", 2);
    llt_info!(logger, "i {}", 3);
    llt_log!(logger, "l {}", 4);
    llt_warn!(logger, "w {}", 5);
    llt_error!(logger, "e {}", 6);

    let lines = flushed_lines(&logger, &buf);
    let after_timestamps: Vec<&str> = lines
        .iter()
        .map(|line| {
            let (timestamp, rest) = line.split_once(' ').expect("a timestamp and a space");
            // 2026-11-25T14:47:42.123456Z
            assert_eq!(timestamp.len(), 27, "{line:?}");
            assert!(timestamp.ends_with('Z') && timestamp.as_bytes()[10] == b'T');
            rest
        })
        .collect();
    assert_eq!(
        after_timestamps,
        [
            "TRACE t 1",
            "DEBUG d 2",
            "INFO  i 3",
            "INFO  l 4",
            "WARN  w 5",
            "ERROR e 6",
        ]
    );
}

/// Something with a method returning its logger.
struct Service {
    logger: Logger,
}

impl Service {
    fn logger(&self) -> &Logger {
        &self.logger
    }
}

#[test]
fn logger_argument_forms() {
    let (logger, buf) = message_logger(LevelFilter::Info);

    llt_log!(logger, "by value {}", 1);
    let by_ref: &Logger = &logger;
    llt_log!(by_ref, "by reference {}", 2);
    let by_ref_ref: &&Logger = &by_ref;
    llt_log!(by_ref_ref, "by double reference {}", 3);
    let arc: Arc<Logger> = Arc::new(logger.clone());
    llt_log!(arc, "through an Arc {}", 4);
    let boxed: Box<Logger> = Box::new(logger.clone());
    llt_log!(boxed, "through a Box {}", 5);
    let handles: Vec<Logger> = (0..2).map(|_| logger.clone()).collect();
    llt_log!(handles[0], "indexed {}", 6);
    let service = Service {
        logger: logger.clone(),
    };
    llt_log!(service.logger, "field {}", 7);
    llt_log!(service.logger(), "method {}", 8);
    llt_log!(&logger, "explicit reference {}", 9);
    // Temporaries live to the end of the statement.
    llt_log!(arc.clone(), "temporary Arc {}", 10);
    llt_log!(logger.clone(), "temporary Logger {}", 11);
    // Blocks and `if` giving a reference (deref coercion, not a mismatch).
    let flag = handles.len() == 2;
    llt_log!(if flag { &handles[1] } else { &logger }, "if {}", 12);
    llt_log!({ &*arc }, "block {}", 13);

    assert_eq!(
        flushed_lines(&logger, &buf),
        [
            "by value 1",
            "by reference 2",
            "by double reference 3",
            "through an Arc 4",
            "through a Box 5",
            "indexed 6",
            "field 7",
            "method 8",
            "explicit reference 9",
            "temporary Arc 10",
            "temporary Logger 11",
            "if 12",
            "block 13",
        ]
    );
}

#[test]
fn trailing_commas_are_accepted() {
    let (logger, buf) = message_logger(LevelFilter::Info);
    llt_log!(logger, "no args",);
    llt_log!(logger, "{}", 1,);
    llt_log!(logger, "{} {}", 1, 2,);
    llt_log!(logger, "{a}", a = 3,);
    llt_warn!(logger, "{} {b}", 4, b = 5,);
    assert_eq!(
        flushed_lines(&logger, &buf),
        ["no args", "1", "1 2", "3", "4 5"]
    );
}

/// A module where the names the expansion could trip over mean something
/// else, and where nothing of llt is imported.
#[allow(
    dead_code,
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    unused_macros
)]
mod hostile_scope {
    mod core {}
    mod std {}
    mod alloc {}
    type Option = ();
    type Result = ();
    type Vec = ();
    type String = ();
    type Box = ();
    type bool = ();
    type usize = ();
    struct Some;
    const None: () = ();
    fn Ok() {}
    fn Err() {}
    trait Copy {}
    trait Send {}
    trait Sized {}
    trait Fn {}
    macro_rules! format_args {
        ($($t:tt)*) => {
            compile_error!("the user's format_args! must not be used")
        };
    }
    macro_rules! module_path {
        () => {
            compile_error!("the user's module_path! must not be used")
        };
    }
    macro_rules! file {
        () => {
            compile_error!("the user's file! must not be used")
        };
    }
    macro_rules! line {
        () => {
            compile_error!("the user's line! must not be used")
        };
    }

    pub fn log_all(logger: &::llt_rs::Logger) {
        let x = 7u8;
        let name = "shadowed";
        ::llt_rs::llt_log!(
            logger,
            "{} {:?} {name} {x:>3} {w:.p$}",
            1u32,
            'c',
            w = 1.25,
            p = 2
        );
        ::llt_rs::llt_warn!(logger, "{} {:?}", true, [1u8, 2]);
    }
}

/// A module that imports nothing at all and names the macro by path.
mod no_imports {
    pub fn log(logger: &llt_rs::Logger) {
        llt_rs::llt_log!(logger, "no imports {}", 1);
        llt_rs::llt_error!(logger, "{:?}", ('a', 2u16));
    }
}

#[test]
fn expansion_is_independent_of_the_callers_scope() {
    let (logger, buf) = message_logger(LevelFilter::Info);
    hostile_scope::log_all(&logger);
    no_imports::log(&logger);
    assert_eq!(
        flushed_lines(&logger, &buf),
        [
            "1 'c' shadowed   7 1.25",
            "true [1, 2]",
            "no imports 1",
            "('a', 2)"
        ]
    );
}

fn log_generic<T: fmt::Display + Copy + Send + 'static>(logger: &Logger, value: T) {
    llt_log!(logger, "generic [{}] [{:>6}]", value, value);
}

fn log_generic_debug<
    T: fmt::Debug + Copy + Send + 'static,
    U: fmt::Display + Copy + Send + 'static,
>(
    logger: &Logger,
    t: T,
    u: U,
) {
    llt_log!(logger, "{t:?} / {u}");
}

#[test]
fn works_in_generic_functions() {
    let (logger, buf) = message_logger(LevelFilter::Info);
    log_generic(&logger, 5u8);
    log_generic(&logger, -1.5f64);
    log_generic(&logger, 'x');
    log_generic(&logger, "str"); // &'static str is Copy + Send + 'static
    log_generic_debug(&logger, (1u8, 2u16), 3i64);
    log_generic_debug(&logger, Some('q'), true);
    assert_eq!(
        flushed_lines(&logger, &buf),
        [
            "generic [5] [     5]",
            "generic [-1.5] [  -1.5]",
            "generic [x] [     x]",
            "generic [str] [   str]",
            "(1, 2) / 3",
            "Some('q') / true",
        ]
    );
}

#[test]
fn borrowed_strings_are_copied_at_the_statement() {
    let (logger, buf) = message_logger(LevelFilter::Info);
    for i in 0..50 {
        let s = format!("temporary string number {i}");
        llt_log!(logger, "[{}] [{}]", s.as_str(), &s[10..16]);
        drop(s);
        // Reuse the freed memory with other bytes.
        let overwrite = "#".repeat(40);
        std::hint::black_box(&overwrite);
    }
    {
        let owned = String::from("owned and moved");
        llt_log!(logger, "{}", owned);
        // The macro only borrows it: still usable, then dropped.
        assert_eq!(owned.len(), 15);
    }
    let lines = flushed_lines(&logger, &buf);
    assert_eq!(lines.len(), 51);
    for (i, line) in lines[..50].iter().enumerate() {
        assert_eq!(*line, format!("[temporary string number {i}] [string]"));
    }
    assert_eq!(lines[50], "owned and moved");
}

/// Keywords as captured names, as format_args! allows: `{fn}` captures
/// `r#fn`, `fn = ..` names an argument, and `{self}` works in a method.
#[derive(Debug, Clone, Copy)]
struct Celsius(f32);

impl fmt::Display for Celsius {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1}°C", self.0)
    }
}

impl Celsius {
    fn log(self, logger: &Logger) {
        llt_log!(logger, "self: {self} {self:?}");
    }
}

#[test]
fn keywords_as_argument_names() {
    let (logger, buf) = message_logger(LevelFilter::Info);
    let r#fn = 1u8;
    let r#match = "m";
    let r#async = 'a';
    let r#gen = 2.5f32;
    let r#type = 3usize;
    llt_log!(logger, "{fn} {match} {async} {gen}");
    llt_log!(logger, "[{fn:>type$}] [{:type$}]", 4);
    llt_log!(logger, "{fn} {loop} {while}", fn = 5, r#loop = 6, while = 7);
    Celsius(21.5).log(&logger);
    assert_eq!(
        flushed_lines(&logger, &buf),
        [
            "1 m a 2.5",
            "[  1] [  4]",
            "5 6 7",
            "self: 21.5°C Celsius(21.5)",
        ]
    );
    assert_eq!(format!("{fn} {match} {async} {gen}"), "1 m a 2.5");
}

/// Everything that touches the process-wide default logger, in one test:
/// it can be installed once per process, and tests run in parallel threads.
#[test]
fn default_logger() {
    let (logger, buf) = message_logger(LevelFilter::Info);
    llt_rs::set_default(logger.clone()).expect("no default logger yet in this process");
    assert!(llt_rs::default_logger().same_logger(&logger));
    assert!(
        llt_rs::set_default(logger.clone()).is_err(),
        "the default can only be installed once"
    );

    let calls = Cell::new(0);
    llt_log!("default {}", 1);
    llt_log!("default without arguments");
    llt_warn!("default warn {} {x}", bump(&calls), x = 'x');
    llt_debug!("default debug {}", bump(&calls)); // below Info: not evaluated
    assert_eq!(calls.get(), 1);
    llt_error!("default error {:?}", Some(2u8),);
    logger.set_level(LevelFilter::Trace);
    llt_trace!("default trace {}", bump(&calls));
    assert_eq!(calls.get(), 2);
    // The explicit form and the default form reach the same logger.
    llt_log!(llt_rs::default_logger(), "explicit default {}", 3);

    assert_eq!(
        flushed_lines(&logger, &buf),
        [
            "default 1",
            "default without arguments",
            "default warn 1 x",
            "default error Some(2)",
            "default trace 2",
            "explicit default 3",
        ]
    );
}
