use llt_rs::{Logger, llt_log};

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    let value = 5u32;
    // A reference argument logs its pointee's value, but a reference inside
    // a `Copy` value is copied as a pointer, so it must be `'static`.
    let reference: Option<&u32> = Some(&value);
    llt_log!(logger, "{:?}", reference);
}
