use llt_rs::{Logger, llt_log};

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    let point = Point { x: 1, y: 2 };
    llt_log!(logger, "{}", point);
}

#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
struct Point {
    x: i32,
    y: i32,
}
