use std::sync::atomic::{AtomicU64, Ordering};

use llt_rs::{Logger, llt_log};

static COUNTER: AtomicU64 = AtomicU64::new(1);

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    let counter: &'static AtomicU64 = &COUNTER;
    llt_log!(logger, "counter={:?}", counter);
    counter.store(999, Ordering::Relaxed);
}
