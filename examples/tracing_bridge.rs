//! Dependencies that log through `tracing` (tokio, hyper, sqlx, ...) share
//! llt's writer: their events and your `llt_log!` lines come out in one
//! stream, in timestamp order, filtered by the same `LLT_LOG`-style filter.
//! Their fields stay typed: in JSON they are numbers, bools and strings.
//!
//! Run: `cargo run --example tracing_bridge --features tracing`
//! (try `LLT_LOG=debug cargo run --example tracing_bridge --features tracing`)

use llt_rs::bridge::init_tracing;
use llt_rs::{LineFormat, Logger, llt_info};

/// Stands for a dependency that only knows `tracing`.
mod exchange {
    pub fn fill(order_id: u64, qty: u64, px: f64) {
        let _span = tracing::info_span!("fill").entered();
        tracing::debug!(order_id, "matching");
        tracing::info!(order_id, qty, px, venue = "XNYS", "filled");
    }
}

fn main() {
    let json = std::env::args().any(|arg| arg == "--json");
    let format = if json {
        LineFormat::Json
    } else {
        LineFormat::Default
    };
    let logger = Logger::builder().format(format).build().expect("logger");
    init_tracing(logger.clone()).expect("no other tracing subscriber is installed");

    llt_info!(logger, "starting, pid {}", std::process::id());
    exchange::fill(4711, 5, 1.5);
    llt_info!(logger, "done");
    logger.flush();
}
