//! The seven benchmark messages of `docs/benchmarks.md`, written once.
//!
//! [`message_table!`](crate::message_table) holds the table: each message's name, its format
//! string and its arguments, as tokens. Those tokens become both the log
//! calls (every bench binary logs through [`for_each_message!`](crate::for_each_message), and
//! `src/bin/instr.rs` through [`seed_calls!`](crate::seed_calls)) and [`MESSAGES`], the names,
//! formats and arguments the report prints. A name therefore cannot drift
//! from what is logged under it.
//!
//! Why a macro and not a `const` array: a format string must reach each
//! logger's macro as a literal (several check it at compile time), and the
//! arguments as expressions, so the table has to be tokens.

/// The runtime string of the stringConcat message. It is built at run time
/// and leaked, so it is a `&'static str` that no logger can treat as a
/// literal (low_latency_log's closures need `'static` arguments).
pub fn coordinator() -> &'static str {
    let s: &'static str = Box::leak(
        std::hint::black_box(String::from("basic+udp:host=192.168.1.140,port=12246"))
            .into_boxed_str(),
    );
    std::hint::black_box(s)
}

/// The table of messages, handed to `__message_table_expand!` with a mode
/// (`names`, `run` or `seed_loop`) and that mode's arguments.
///
/// `prelude` runs once, before the first message, outside every measured
/// call. Each entry is `name: |k| { set-up } "format" (arguments);`: `k` is
/// the call's index (a `u64`), and the set-up runs inside the measured call,
/// before the log call. The names `k`, `i` and `concat` are bound here, in
/// the table, so that macro hygiene lets the entries use them.
#[doc(hidden)]
#[macro_export]
macro_rules! message_table {
    ($mode:ident $args:tt) => {
        $crate::__message_table_expand! {
            $mode $args
            prelude { let concat: &'static str = $crate::coordinator(); }

            seed: |k| { let i = k as i32; }
                "[SENSOR] Event ID: {} | Value: {:.4}" (i, i as f64 * 1.5);
            staticString: |_k| {}
                "Starting backup replica garbage collector thread" ();
            singleInteger: |_k| {}
                "Backup storage speeds (min): {} MB/s read" (181);
            twoIntegers: |_k| {}
                "buffer has consumed {} bytes of extra storage, current allocation: {} bytes"
                (1032024, 1016544);
            singleDouble: |_k| {}
                "Using tombstone ratio balancer with ratio = {:.6}" (0.4);
            complexFormat: |_k| {}
                "Initialized InfUdDriver buffers: {} receive buffers ({} MB), {} transmit buffers ({} MB), took {:.1} ms"
                (50000, 97, 50, 0, 26.2);
            stringConcat: |_k| {}
                "Opened session with coordinator at {}" (concat);
        }
    };
}

/// The modes of [`message_table!`](crate::message_table). Not API.
#[doc(hidden)]
#[macro_export]
macro_rules! __message_table_expand {
    // The table as an array of `Message`s.
    (names () prelude { $($pre:tt)* }
     $( $name:ident : |$k:ident| { $($setup:tt)* } $fmt:literal ( $($arg:tt)* ); )*) => {
        [ $( $crate::Message {
            name: stringify!($name),
            format: $fmt,
            args: stringify!($($arg)*),
        }, )* ]
    };
    // `$h.message(name, log with $lg, log with $tp)` for every message.
    (run ($h:expr, $lg:ident, $tp:ident) prelude { $($pre:tt)* }
     $( $name:ident : |$k:ident| { $($setup:tt)* } $fmt:tt ( $($arg:tt)* ); )*) => {{
        $($pre)*
        $(
            $h.message(
                stringify!($name),
                |$k: u64| { $($setup)* $crate::__log_call!($lg, $fmt, ($($arg)*)) },
                |$k: u64| { $($setup)* $crate::__log_call!($tp, $fmt, ($($arg)*)) },
            );
        )*
    }};
    // The seed message `$calls` times with `$lg`.
    (seed_loop ($lg:ident, $calls:expr) prelude { $($pre:tt)* }
     seed : |$k:ident| { $($setup:tt)* } $fmt:tt ( $($arg:tt)* ); $($rest:tt)*) => {
        for $k in 0..$calls {
            $($setup)*
            $crate::__log_call!($lg, $fmt, ($($arg)*));
        }
    };
}

/// `$lg!(format)` or `$lg!(format, arguments)`: no trailing comma, which
/// not every logger's macro accepts. Not API.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_call {
    ($lg:ident, $fmt:tt, ()) => {
        $lg!($fmt)
    };
    ($lg:ident, $fmt:tt, ($($arg:tt)+)) => {
        $lg!($fmt, $($arg)+)
    };
}

/// Runs `Harness::message` (or any `message(name, f, g)` method) for every
/// message of [`message_table!`](crate::message_table), in its order. `$lg` logs with the logger
/// under test, `$tp` with its throughput logger (pass the same macro twice
/// for every logger but llt). Both are called like `format!`:
/// `$lg!("fmt {}", arg)`.
#[macro_export]
macro_rules! for_each_message {
    ($h:expr, $lg:ident, $tp:ident) => {
        $crate::message_table!(run($h, $lg, $tp))
    };
}

/// Logs the seed message `$calls` (a `u64`) times with `$lg`, as the
/// harness does: `k` counts the calls and `i = k as i32`.
#[macro_export]
macro_rules! seed_calls {
    ($lg:ident, $calls:expr) => {
        $crate::message_table!(seed_loop($lg, $calls))
    };
}

/// One message of the benchmark set, as written in [`message_table!`](crate::message_table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    /// Its name in the results (`seed`, `staticString`, ...).
    pub name: &'static str,
    /// The format string every logger is given.
    pub format: &'static str,
    /// The arguments, as Rust source: `i` is the call's index as an `i32`,
    /// `concat` the runtime string of [`coordinator`].
    pub args: &'static str,
}

/// The messages, in the order they are measured and reported.
pub const MESSAGES: &[Message] = &message_table!(names());

/// The message called `name`.
pub fn message(name: &str) -> Option<&'static Message> {
    MESSAGES.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_seven_messages_in_order() {
        let names: Vec<&str> = MESSAGES.iter().map(|m| m.name).collect();
        assert_eq!(
            names,
            [
                "seed",
                "staticString",
                "singleInteger",
                "twoIntegers",
                "singleDouble",
                "complexFormat",
                "stringConcat"
            ]
        );
    }

    #[test]
    fn every_format_has_as_many_placeholders_as_arguments() {
        for m in MESSAGES {
            let placeholders = m.format.matches('{').count();
            let args = if m.args.is_empty() {
                0
            } else {
                m.args.split(',').count()
            };
            assert_eq!(
                placeholders, args,
                "{}: {:?} ({})",
                m.name, m.format, m.args
            );
        }
    }

    #[test]
    fn arguments_read_as_source() {
        assert_eq!(message("seed").map(|m| m.args), Some("i, i as f64 * 1.5"));
        assert_eq!(message("stringConcat").map(|m| m.args), Some("concat"));
        assert_eq!(message("staticString").map(|m| m.args), Some(""));
    }

    /// The table's tokens are what is logged: format each message with
    /// `format!` through the same expansion the bench binaries use.
    #[test]
    fn the_logged_lines_are_the_table_formatted() {
        struct Collect(Vec<(String, String)>);
        impl Collect {
            fn message<F: Fn(u64), G: Fn(u64)>(&mut self, name: &str, f: F, _g: G) {
                f(3);
                let line = LINE.with(|l| l.take());
                self.0.push((name.to_owned(), line));
            }
        }
        thread_local! {
            static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        macro_rules! lg {
            ($($t:tt)*) => {
                LINE.with(|l| *l.borrow_mut() = format!($($t)*))
            };
        }
        let mut c = Collect(Vec::new());
        crate::for_each_message!(c, lg, lg);
        let names: Vec<&str> = c.0.iter().map(|(n, _)| n.as_str()).collect();
        let expected: Vec<&str> = MESSAGES.iter().map(|m| m.name).collect();
        assert_eq!(names, expected);
        assert_eq!(c.0[0].1, "[SENSOR] Event ID: 3 | Value: 4.5000");
        assert_eq!(
            c.0[6].1,
            "Opened session with coordinator at basic+udp:host=192.168.1.140,port=12246"
        );
        assert_eq!(c.0[1].1, MESSAGES[1].format);
    }
}
