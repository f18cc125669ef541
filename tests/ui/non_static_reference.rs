use llt_rs::{Logger, llt_log};

fn main() {
    let logger = Logger::builder().sink(std::io::sink()).build().unwrap();
    let value = 5u32;
    // A reference argument logs its pointee's value, but a reference inside
    // a `Copy` value that is not `LogValue` is copied as a pointer, so it
    // must be `'static`.
    #[derive(Debug, Clone, Copy)]
    struct Ref<'a>(&'a u32);
    let reference = Ref(&value);
    llt_log!(logger, "{:?}", reference);
}
