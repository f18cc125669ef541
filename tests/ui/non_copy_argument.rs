use llt_rs::{Logger, llt_log};

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    let bytes: Vec<u8> = vec![1, 2, 3];
    llt_log!(logger, "{:?}", bytes);
}
