use llt_rs::{Logger, llt_log};

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    llt_log!(logger, concat!("a = ", "{}"), 1);
    llt_log!(concat!("b = ", "{}"));
}
