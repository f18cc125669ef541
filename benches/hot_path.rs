//! Hot-thread cost of one log call, for the seed's message and the six
//! messages of docs/benchmarks.md (NanoLog's set): `llt_log!`,
//! `Logger::log(format!(..))`, `Logger::log("static")` and `format!` alone.
//!
//! Only the calls are timed. Every batch of calls is followed by an untimed
//! `flush()`, so the rings never fill and no call takes the drop path; the
//! bench asserts at the end that nothing was dropped.
//!
//! Run: `cargo bench --bench hot_path` (add `-- seed` to run one message).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use llt_rs::llt_log;
use llt_rs::logger::Logger;

/// Calls per timed batch: at most ~2 MiB of records, well inside the ring.
const BATCH: u64 = 10_000;

/// Times `iters` calls of `call`, in untimed-flush batches of [`BATCH`].
fn timed(logger: &Logger, iters: u64, mut call: impl FnMut(u64)) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let n = (iters - done).min(BATCH);
        let start = Instant::now();
        for i in done..done + n {
            call(i);
        }
        total += start.elapsed();
        logger.flush();
        done += n;
    }
    total
}

/// One message of the set: its name and how each contender logs it.
macro_rules! message {
    ($c:expr, $logger:expr, $name:literal, $fmt:literal $(, $arg:expr)*) => {{
        let logger: &Logger = $logger;
        let mut group = $c.benchmark_group($name);
        group.bench_function("llt_log!", |b| {
            b.iter_custom(|iters| timed(logger, iters, |_i| llt_log!(logger, $fmt $(, black_box($arg))*)))
        });
        group.bench_function("Logger::log(format!)", |b| {
            b.iter_custom(|iters| timed(logger, iters, |_i| logger.log(format!($fmt $(, black_box($arg))*))))
        });
        group.bench_function("format!", |b| {
            b.iter(|| black_box(format!($fmt $(, black_box($arg))*)))
        });
        group.finish();
    }};
}

fn messages(c: &mut Criterion) {
    let logger = Logger::builder()
        .capacity(1 << 16)
        .sink(std::io::sink())
        .build()
        .expect("logger");
    let i = 42i32;
    message!(
        c,
        &logger,
        "seed",
        "[SENSOR] Event ID: {} | Value: {:.4}",
        i,
        i as f64 * 1.5
    );
    message!(
        c,
        &logger,
        "staticString",
        "Starting backup replica garbage collector thread"
    );
    message!(
        c,
        &logger,
        "singleInteger",
        "Backup storage speeds (min): {} MB/s read",
        181
    );
    message!(
        c,
        &logger,
        "twoIntegers",
        "buffer has consumed {} bytes of extra storage, current allocation: {} bytes",
        1032024,
        1016544
    );
    message!(
        c,
        &logger,
        "singleDouble",
        "Using tombstone ratio balancer with ratio = {:.6}",
        0.4
    );
    message!(
        c,
        &logger,
        "complexFormat",
        "Initialized InfUdDriver buffers: {} receive buffers ({} MB), {} transmit buffers ({} MB), took {:.1} ms",
        50000,
        97,
        50,
        0,
        26.2
    );
    let coordinator = String::from("basic+udp:host=192.168.1.140,port=12246");
    let coordinator: &str = &coordinator;
    message!(
        c,
        &logger,
        "stringConcat",
        "Opened session with coordinator at {}",
        coordinator
    );

    c.bench_function("staticString/Logger::log(static)", |b| {
        b.iter_custom(|iters| {
            timed(&logger, iters, |_i| {
                logger.log(black_box(
                    "Starting backup replica garbage collector thread",
                ))
            })
        })
    });
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
    targets = messages
}
criterion_main!(benches);
