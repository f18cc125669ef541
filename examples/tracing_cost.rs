//! What a `tracing` event costs the calling thread: `tracing::info!` with
//! two fields through llt's `TracingLayer`, against the usual non-blocking
//! set-up, tracing-subscriber's fmt layer writing through
//! tracing-appender's `non_blocking` (its defaults: 128,000 lines, lossy).
//! Both write to a file in the temp directory, in the same process, one
//! after the other.
//!
//! Method: 200 batches of 500 calls each, after 10,000 warm-up calls; each
//! batch is timed as a whole (`Instant`), and the per-call time is the
//! batch time / 500. Between llt's batches the logger is flushed, outside
//! the timing, so no call takes the drop path (checked at the end).
//! Prints the median and the 90th percentile of the batches.
//!
//! Run: `cargo run --release --example tracing_cost --features tracing`

use std::time::{Duration, Instant};

use llt_rs::bridge::TracingLayer;
use llt_rs::{LineFormat, Logger};
use tracing_subscriber::layer::SubscriberExt;

const BATCHES: usize = 200;
const CALLS: u64 = 500;
const WARMUP: u64 = 10_000;

fn event(i: u64) {
    tracing::info!(qty = i, px = 1.5, "filled");
}

/// Per-call times (ns) of each batch, sorted; `between` runs between
/// batches, outside the timing.
fn measure(mut between: impl FnMut()) -> Vec<f64> {
    for batch in 0..WARMUP / CALLS {
        for i in 0..CALLS {
            event(batch * CALLS + i);
        }
        between();
    }
    let mut per_call = Vec::with_capacity(BATCHES);
    for batch in 0..BATCHES as u64 {
        let start = Instant::now();
        for i in 0..CALLS {
            event(batch * CALLS + i);
        }
        per_call.push(start.elapsed().as_nanos() as f64 / CALLS as f64);
        between();
    }
    per_call.sort_by(f64::total_cmp);
    per_call
}

fn report(name: &str, per_call: &[f64]) -> f64 {
    let median = per_call[per_call.len() / 2];
    let p90 = per_call[per_call.len() * 9 / 10];
    println!("{name:<48} median {median:>8.1} ns/call   p90 {p90:>8.1} ns/call");
    median
}

fn main() {
    let dir = std::env::temp_dir();
    let llt_path = dir.join("llt-tracing-cost.log");
    let fmt_path = dir.join("llt-tracing-cost-fmt.log");

    let file = std::fs::File::create(&llt_path).expect("llt output file");
    let logger = Logger::builder()
        .format(LineFormat::Default)
        .sink(file)
        .build()
        .expect("logger");
    let subscriber = tracing_subscriber::registry().with(TracingLayer::new(logger.clone()));
    let llt = tracing::subscriber::with_default(subscriber, || measure(|| logger.flush()));
    let stats = logger.stats();
    assert_eq!(stats.dropped, 0, "a call took the drop path: {stats:?}");

    let file = std::fs::File::create(&fmt_path).expect("fmt output file");
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .finish(file);
    let errors = writer.error_counter();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .finish();
    // The appender has no flush: give its worker a moment between batches,
    // outside the timing, as llt's flush does.
    let appender = tracing::subscriber::with_default(subscriber, || {
        measure(|| std::thread::sleep(Duration::from_micros(200)))
    });
    drop(guard);

    println!(
        "tracing::info!(qty, px, \"filled\"), {BATCHES} batches of {CALLS} calls, calling thread:"
    );
    let a = report("llt TracingLayer", &llt);
    let b = report("fmt layer + tracing-appender non_blocking", &appender);
    println!(
        "ratio (median): {:.1}x; lines dropped: llt {}, tracing-appender {}",
        b / a,
        stats.dropped,
        errors.dropped_lines()
    );
    let _ = std::fs::remove_file(llt_path);
    let _ = std::fs::remove_file(fmt_path);
}
