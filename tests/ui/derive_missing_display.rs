use llt_rs::{Loggable, Logger, llt_log};

#[derive(Debug, Loggable)]
struct Order {
    id: String,
    qty: u32,
}

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    let order = Order { id: "A".into(), qty: 1 };
    // `Order` has `Debug` but no `Display`: `{}` is an error, as in `format!`.
    llt_log!(logger, "{}", order);
}
