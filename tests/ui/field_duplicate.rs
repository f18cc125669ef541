use llt_rs::{Logger, llt_info};

fn main() {
    let logger = Logger::new(64);
    llt_info!(logger, id = 1u8, id = 2u8; "twice");
}
