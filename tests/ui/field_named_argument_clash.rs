use llt_rs::{Logger, llt_info};

fn main() {
    let logger = Logger::new(64);
    llt_info!(logger, qty = 1u8; "{qty}", qty = 2u8);
}
