use llt_rs::Loggable;

// A borrowed slice cannot be rebuilt as itself from the record.
#[derive(Debug, Loggable)]
struct Packet<'a> {
    bytes: &'a [u8],
}

fn main() {}
