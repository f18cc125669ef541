//! A reference argument logs what its pointee holds *at the call*, as
//! `format!` would, not what it holds when the writer thread gets to the
//! line: `llt_log!` copies the pointee of `&T`, `&&T` and `&mut T` when `T`
//! is `Copy`. (A reference to something that cannot be copied, like an
//! atomic or a mutex, is a compile error: `tests/ui/reference_to_*.rs`.)
//!
//! To make "later" certain, each test holds the writer thread inside the
//! `Display` of a first line ([`HoldWriter`]) while it logs the reference,
//! changes the pointee, and only then lets the writer go on.

use std::fmt;
use std::sync::Barrier;

use llt_rs::{LineFormat, Logger, MemorySink, llt_log};

/// A logger writing bare messages into a new buffer.
fn message_logger() -> (Logger, MemorySink) {
    let buf = MemorySink::default();
    let logger = Logger::builder()
        .format(LineFormat::MessageOnly)
        .sink(buf.clone())
        .build()
        .expect("logger starts");
    (logger, buf)
}

/// Flushes and returns the lines written so far.
fn flushed_lines(logger: &Logger, buf: &MemorySink) -> Vec<String> {
    logger.flush();
    buf.take_lines()
}

/// Formats as `held`, after waiting at its barrier twice: once to tell the
/// test that the writer thread is inside this `Display` (so it has not read
/// any later line yet), once for the test to let it go on.
///
/// It is `Copy` because it holds only a `&'static Barrier`: `llt_log!`
/// copies the reference, and the writer uses the barrier itself. That is the
/// one case a deferred read is wanted here, and it is exactly what the macro
/// cannot see (a `Copy` struct with a reference inside).
#[derive(Clone, Copy)]
struct HoldWriter(&'static Barrier);

impl HoldWriter {
    fn new() -> HoldWriter {
        HoldWriter(Box::leak(Box::new(Barrier::new(2))))
    }

    /// Logs a line whose formatting stops the writer, and returns once the
    /// writer is stopped in it.
    fn stop_writer(self, logger: &Logger) -> Self {
        llt_log!(logger, "{}", self);
        self.0.wait();
        self
    }

    /// Lets the writer format the held line and go on.
    fn release(self) {
        self.0.wait();
    }
}

impl fmt::Display for HoldWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.wait(); // the writer is here
        self.0.wait(); // the test has changed the values
        f.write_str("held")
    }
}

#[test]
fn a_reference_logs_the_value_at_the_call() {
    let (logger, buf) = message_logger();
    let mut counter = 1u32;
    let mut pair = (2u64, 'a');

    let held = HoldWriter::new().stop_writer(&logger);
    let reference = &counter;
    llt_log!(logger, "counter={}", reference);
    let expected_counter = format!("counter={}", reference);
    let inner = &pair;
    let double = &inner;
    llt_log!(logger, "pair={:?} first={}", double, &double.0);
    let expected_pair = format!("pair={:?} first={}", double, &double.0);
    // The writer has not formatted these lines yet: change what they point to.
    counter = 999;
    pair = (998, 'z');
    held.release();

    assert_eq!(
        flushed_lines(&logger, &buf),
        ["held", expected_counter.as_str(), expected_pair.as_str()]
    );
    assert_eq!(expected_counter, "counter=1");
    assert_eq!((counter, pair), (999, (998, 'z')));
}

#[test]
fn a_mutable_reference_logs_the_value_at_the_call() {
    let (logger, buf) = message_logger();
    let mut reading = -5i16;

    let held = HoldWriter::new().stop_writer(&logger);
    let reference = &mut reading;
    llt_log!(logger, "reading={:+} hex={:x}", reference, reference);
    let expected = format!("reading={:+} hex={:x}", reference, reference);
    *reference = 7;
    held.release();

    assert_eq!(flushed_lines(&logger, &buf), ["held", expected.as_str()]);
    assert_eq!(expected, "reading=-5 hex=fffb");
    assert_eq!(reading, 7);
}

#[test]
fn static_references_log_their_pointee() {
    static LIMIT: u32 = 40;
    let (logger, buf) = message_logger();
    let leaked: &'static (u8, f32) = Box::leak(Box::new((3, 0.5)));
    let limit: &'static u32 = &LIMIT;
    let double: &&u64 = &&12;
    // A slice of numbers is copied at the call (`LogValue`), like the rest.
    let bytes: &'static [u8] = b"ab";

    llt_log!(
        logger,
        "{} {:?} {:>4} {} {:?}",
        limit,
        leaked,
        double,
        &&leaked.1,
        bytes
    );
    let expected = format!(
        "{} {:?} {:>4} {} {:?}",
        limit, leaked, double, &&leaked.1, bytes
    );

    assert_eq!(flushed_lines(&logger, &buf), [expected.as_str()]);
    assert_eq!(expected, "40 (3, 0.5)   12 0.5 [97, 98]");
}

#[test]
fn string_references_keep_the_string_path() {
    let (logger, buf) = message_logger();
    let mut owned = String::from("before");
    let boxed: Box<str> = "boxed".into();
    let cow = std::borrow::Cow::Borrowed("cow");

    let held = HoldWriter::new().stop_writer(&logger);
    llt_log!(logger, "{} {} {} {:?}", &owned, &"str", &boxed, &cow);
    let expected = format!("{} {} {} {:?}", &owned, &"str", &boxed, &cow);
    owned.replace_range(.., "after!");
    held.release();

    assert_eq!(flushed_lines(&logger, &buf), ["held", expected.as_str()]);
    assert_eq!(expected, r#"before str boxed "cow""#);
    assert_eq!(owned, "after!");
}
