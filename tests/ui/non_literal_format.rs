use llt_rs::{Logger, llt_log};

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    let s = "x";
    llt_log!(logger, s);
}
