//! JSON Lines for log shippers (Vector, Fluent Bit, the OpenTelemetry
//! collector, Loki's promtail): one object per line with `ts`, `level`,
//! `target`, `file`, `line`, `thread` and `msg`, strings escaped per RFC 8259.
//!
//! Run: `cargo run --example json_lines`

use llt_rs::{LineFormat, Logger, llt_error, llt_log};

fn main() {
    let logger = Logger::builder()
        .format(LineFormat::Json)
        .build()
        .expect("logger");

    let (order, latency_us) = (4711_u64, 182.5_f64);
    llt_log!(logger, "order {order} filled in {latency_us:.1} µs");
    let venue = String::from("XNAS \"primary\"");
    llt_error!(
        logger,
        "venue {} rejected order {}:\n{}",
        venue,
        order,
        "price out of band"
    );
    logger.log("an owned string");
    logger.flush();
}
