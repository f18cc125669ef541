use llt_rs::{Logger, llt_log};

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    let value = 5u32;
    llt_log!(logger, "at {:p}", &value);
}
