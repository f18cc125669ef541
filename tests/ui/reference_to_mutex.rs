use std::sync::Mutex;

use llt_rs::{Logger, llt_log};

static QUEUE_DEPTH: Mutex<u32> = Mutex::new(1);

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    llt_log!(logger, "depth={:?}", &QUEUE_DEPTH);
}
