//! What `llt_log!` prints for slices, collections, `Option`, `Result` and
//! `#[derive(Loggable)]` types is exactly what `format!` prints, for every
//! flag that applies to them.

// The derive's impls must compile in a crate that denies unsafe code.
#![deny(unsafe_code)]

use std::borrow::Cow;
use std::fmt;

use llt_rs::{LineFormat, Loggable, Logger, MemorySink, llt_log};

fn logger() -> (Logger, MemorySink) {
    let sink = MemorySink::new();
    let logger = Logger::builder()
        .sink(sink.clone())
        .format(LineFormat::MessageOnly)
        .build()
        .unwrap();
    (logger, sink)
}

/// Logs the arguments with each format string and compares with `format!`.
macro_rules! parity {
    ($($fmt:literal),+ ; $($arg:expr),+) => {{
        let (logger, sink) = logger();
        let mut expected: Vec<String> = Vec::new();
        parity!(@each logger expected [$($arg),+] $($fmt)+);
        logger.flush();
        let lines = sink.take_lines();
        // A line may contain newlines ({:#?}): compare the joined text.
        assert_eq!(lines.join("\n"), expected.join("\n"));
        assert!(!lines.is_empty());
    }};
    (@each $logger:ident $expected:ident [$($arg:expr),+] $fmt:literal $($rest:literal)*) => {
        llt_log!($logger, $fmt, $($arg),+);
        $expected.push(format!($fmt, $($arg),+));
        parity!(@each $logger $expected [$($arg),+] $($rest)*);
    };
    (@each $logger:ident $expected:ident [$($arg:expr),+]) => {};
}

#[derive(Debug, Clone, PartialEq, Loggable)]
struct Order {
    id: String,
    px: f64,
    qty: u32,
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}@{:.2}", self.id, self.qty, self.px)?;
        if f.alternate() {
            f.write_str(" (alt)")?;
        }
        Ok(())
    }
}

#[derive(Debug, Loggable)]
struct Tuple(u8, &'static str, Option<String>);

#[derive(Debug, Loggable)]
struct Unit;

#[derive(Debug, Loggable)]
enum Side {
    Buy,
    Sell,
}

#[derive(Debug, Loggable)]
enum Event<'a> {
    Fill(Order, Side),
    Cancel {
        id: &'a str,
        reason: Option<Cow<'a, str>>,
    },
    Batch(Vec<Order>),
    Heartbeat,
}

#[derive(Debug, Loggable)]
struct Window<T, const N: usize> {
    label: Box<str>,
    samples: [T; N],
    extra: Vec<T>,
}

#[derive(Debug, Loggable)]
struct Pair<A, B>(A, B);

/// A public type with a field of a private type (no `private_bounds`
/// warning from the derive's field bounds).
#[derive(Debug, Loggable)]
pub struct Public {
    inner: Private,
}

#[derive(Debug, Loggable)]
struct Private(u8);

#[derive(Debug, Clone, Copy, Loggable)]
struct Point {
    x: i32,
    y: i32,
}

fn order() -> Order {
    Order {
        id: "A-1\t\"q\"".into(),
        px: 101.255,
        qty: 0x2a,
    }
}

#[test]
fn byte_slices_and_vectors() {
    let packet: &[u8] = &[0, 1, 0x7f, 0xff, 10];
    let vector: Vec<u8> = packet.to_vec();
    let boxed: Box<[u8]> = packet.into();
    let array = [1u8, 2, 254];
    parity!("{:?}", "{:x?}", "{:X?}", "{:#?}", "{:#x?}", "{:02x?}", "{:>4?}", "{:<3?}|"; packet);
    parity!("{:?}", "{:x?}", "{:#?}", "{:5?}"; vector);
    parity!("{:?}", "{:x?}", "{:#?}", "{:^5?}"; boxed);
    parity!("{:?}", "{:x?}", "{:#?}", "{:03?}"; array);
    parity!("{:?}", "{:#?}"; &packet[..0]);
    parity!("{:?} {:?}", "{:x?} {:#?}"; &vector, &&array);
}

#[test]
fn float_and_char_slices() {
    let samples: &[f32] = &[0.5, -1.25, f32::NAN, f32::INFINITY, 1e-7];
    let window: Vec<f64> = vec![1.0, 2.5, -0.0, 1e300];
    let letters = vec!['a', '\n', 'é'];
    let flags = [true, false];
    parity!("{:?}", "{:.2?}", "{:#?}", "{:8.1?}", "{:+?}", "{:e}"; samples[0]);
    parity!("{:?}", "{:.2?}", "{:#?}", "{:8.1?}", "{:+?}", "{:<9.3?}|"; samples);
    parity!("{:?}", "{:.1?}", "{:#.3?}", "{:>10?}"; window);
    parity!("{:?}", "{:#?}", "{:4?}"; letters);
    parity!("{:?}", "{:#?}", "{:6?}"; flags);
}

#[test]
fn strings_inside_collections() {
    let names: Vec<String> = vec!["a\"b".into(), "é\t".into(), String::new()];
    let borrowed: Vec<&str> = names.iter().map(String::as_str).collect();
    let slice: &[&str] = &borrowed;
    parity!("{:?}", "{:#?}", "{:>6?}", "{:.1?}"; names);
    parity!("{:?}", "{:#?}"; slice);
    parity!("{:?}", "{:#?}"; &borrowed[1..]);
}

#[test]
fn options_and_results() {
    let some: Option<&str> = Some("hi \"there\"");
    let none: Option<&str> = None;
    let owned: Option<String> = Some("owned".into());
    let number: Option<u32> = Some(255);
    let nested: Option<Option<Vec<u16>>> = Some(Some(vec![1, 0xabc]));
    let ok: Result<u64, String> = Ok(7);
    let err: Result<u64, String> = Err("bad \n thing".into());
    let result_of_slices: Result<Vec<u8>, &str> = Ok(vec![9, 10]);
    parity!("{:?}", "{:#?}", "{:>12?}", "{:.3?}"; some);
    parity!("{:?}", "{:#?}", "{:>12?}"; none);
    parity!("{:?}", "{:#?}", "{:<10?}|"; owned);
    parity!("{:?}", "{:x?}", "{:#X?}", "{:08?}", "{:#?}"; number);
    parity!("{:?}", "{:x?}", "{:#x?}"; nested);
    parity!("{:?}", "{:#?}", "{:5?}", "{:x?}"; ok);
    parity!("{:?}", "{:#?}"; err);
    parity!("{:?}", "{:#x?}"; result_of_slices);
    parity!("{:?} {:?}", "{:#?} {:#?}"; &some, &&owned);
}

#[test]
fn tuples_of_loggable_values() {
    let pair = (String::from("x"), vec![1.5f64]);
    let triple = (1u8, Some("two"), [3u16; 2]);
    parity!("{:?}", "{:#?}", "{:.2?}"; pair);
    parity!("{:?}", "{:x?}", "{:#?}"; triple);
}

#[test]
fn derived_structs_with_string_fields() {
    let order = order();
    parity!("{}", "{:#}", "{:?}", "{:#?}", "{:x?}", "{:#x?}", "{:.1?}", "{:>40}|", "{:<40?}|"; order);
    parity!("{:?} {}", "{:#?} {:#}"; &order, &&order);
    let tuple = Tuple(5, "s\"", Some("inner".into()));
    parity!("{:?}", "{:#?}", "{:x?}"; tuple);
    parity!("{:?}", "{:#?}", "{:>6?}|"; Unit);
    let public = Public { inner: Private(7) };
    parity!("{:?}", "{:#?}"; public);
    let point = Point { x: -3, y: 0x10 };
    parity!("{:?}", "{:#?}", "{:x?}", "{:+?}"; point);
}

#[test]
fn derived_enums_nested_and_borrowed() {
    let id = String::from("C-9");
    let events = [
        Event::Fill(order(), Side::Sell),
        Event::Cancel {
            id: &id,
            reason: Some(Cow::Owned("user \"asked\"".into())),
        },
        Event::Cancel {
            id: "x",
            reason: None,
        },
        Event::Batch(vec![order(), order()]),
        Event::Heartbeat,
    ];
    for event in &events {
        parity!("{:?}", "{:#?}", "{:x?}", "{:.1?}"; event);
    }
    parity!("{:?}", "{:#?}"; Side::Buy);
    let option_of_order = Some(order());
    parity!("{:?}", "{:#?}"; option_of_order);
    let orders: &[Order] = &[order()];
    parity!("{:?}", "{:#?}"; orders);
}

#[test]
fn derived_generic_types() {
    let window = Window {
        label: "w".into(),
        samples: [1.5f32, -2.0, 0.25],
        extra: vec![9.0],
    };
    parity!("{:?}", "{:#?}", "{:.2?}", "{:8.1?}"; window);
    let borrowed_samples: &[u8] = &[1, 2];
    let pair = Pair(borrowed_samples, Pair("in", Some(3i8)));
    parity!("{:?}", "{:#?}", "{:x?}", "{:#04x?}"; pair);
    let of_strings = Window {
        label: "names".into(),
        samples: [String::from("a"), String::from("b")],
        extra: vec![String::from("c")],
    };
    parity!("{:?}", "{:#?}"; of_strings);
}

#[test]
fn named_and_captured_arguments() {
    let order = order();
    let bytes = vec![0xdeu8, 0xad];
    let (logger, sink) = logger();
    llt_log!(logger, "{order:?} {b:x?} {:?}", Some("z"), b = bytes);
    logger.flush();
    assert_eq!(
        sink.take_lines(),
        [format!("{order:?} {b:x?} {:?}", Some("z"), b = bytes)]
    );
}
