use llt_rs::{Logger, llt_log};

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    // Not `Copy`, not a string, not a `LogValue` (no derive for std maps).
    let bytes: std::collections::HashMap<u8, u8> = [(1, 2)].into();
    llt_log!(logger, "{:?}", bytes);
}
