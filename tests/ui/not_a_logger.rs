use llt_rs::{Logger, llt_log};

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    let _ = &logger;
    let level = 3u8;
    llt_log!(level, "x {}", 1);
}
