//! Hot-thread cost of logging a `#[derive(Loggable)]` value, against the
//! seed message's `llt_log!` and against `logger.log(format!("{order:?}"))`.
//!
//! Only the calls are timed; every batch of calls is followed by an untimed
//! `flush()`, so the rings never fill (asserted at the end).
//!
//! Run: `cargo bench --bench loggable`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use llt_rs::logger::Logger;
use llt_rs::{Loggable, llt_log};

/// Calls per timed batch: well inside the ring.
const BATCH: u64 = 10_000;

/// The example: a `String` field, a float and an integer.
#[derive(Debug, Loggable)]
struct Order {
    id: String,
    px: f64,
    qty: u32,
}

/// Times `iters` calls of `call`, in untimed-flush batches of [`BATCH`].
fn timed(logger: &Logger, iters: u64, mut call: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let n = (iters - done).min(BATCH);
        let start = Instant::now();
        for _ in 0..n {
            call();
        }
        total += start.elapsed();
        logger.flush();
        done += n;
    }
    total
}

fn loggable(c: &mut Criterion) {
    let logger = Logger::builder()
        .capacity(1 << 16)
        .sink(std::io::sink())
        .build()
        .expect("logger");
    let order = Order {
        id: String::from("ORD-2026-000042"),
        px: 101.25,
        qty: 300,
    };
    let samples: Vec<f64> = (0..16).map(f64::from).collect();
    let i = 42i32;

    let mut group = c.benchmark_group("loggable");
    group.bench_function("seed llt_log!", |b| {
        b.iter_custom(|iters| {
            timed(&logger, iters, || {
                llt_log!(
                    logger,
                    "[SENSOR] Event ID: {} | Value: {:.4}",
                    black_box(i),
                    black_box(i as f64 * 1.5)
                )
            })
        })
    });
    group.bench_function("Order llt_log!", |b| {
        b.iter_custom(|iters| {
            timed(&logger, iters, || {
                llt_log!(logger, "{:?}", black_box(&order))
            })
        })
    });
    group.bench_function("Order Logger::log(format!)", |b| {
        b.iter_custom(|iters| {
            timed(&logger, iters, || {
                logger.log(format!("{:?}", black_box(&order)))
            })
        })
    });
    group.bench_function("Vec<f64> x16 llt_log!", |b| {
        b.iter_custom(|iters| {
            timed(&logger, iters, || {
                llt_log!(logger, "{:?}", black_box(&samples))
            })
        })
    });
    group.finish();

    logger.flush();
    let stats = logger.stats();
    assert_eq!(
        stats.dropped, 0,
        "a bench call took the drop path: {stats:?}"
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = loggable
}
criterion_main!(benches);
