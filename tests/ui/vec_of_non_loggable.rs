use llt_rs::{Logger, llt_log};

#[derive(Debug)]
struct Opaque(String);

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    let items = vec![Opaque("x".into())];
    llt_log!(logger, "{:?}", items);
}
