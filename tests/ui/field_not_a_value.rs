use llt_rs::{Logger, llt_info};

fn main() {
    let logger = Logger::new(64);
    let samples = vec![1u8, 2];
    llt_info!(logger, samples = samples; "batch done");
}
