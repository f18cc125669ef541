use llt_rs::Loggable;

#[derive(Loggable)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
