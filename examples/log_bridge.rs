//! Dependencies that log through the `log` crate share llt's writer: their
//! lines and yours come out in one stream, in timestamp order, filtered by
//! the same `LLT_LOG`-style filter.
//!
//! Run: `cargo run --example log_bridge --features log`
//! (try `LLT_LOG=debug,database=trace cargo run --example log_bridge --features log`)

use llt_rs::bridge::init_log_bridge;
use llt_rs::{Logger, llt_log};

/// Stands for a dependency that only knows the `log` crate.
mod database {
    pub fn connect(url: &str) {
        log::debug!("resolving {url}");
        log::info!("connected to {url}");
    }
}

fn main() {
    let logger = Logger::builder().build().expect("logger");
    init_log_bridge(logger.clone()).expect("no other `log` logger is installed");

    llt_log!(logger, "starting, pid {}", std::process::id());
    database::connect("postgres://localhost/app");
    llt_log!(logger, "ready");
    logger.flush();
}
