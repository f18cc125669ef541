use llt_rs::Loggable;

// A bound on the type's own parameter must hold for the rebuilt type
// `Labelled<T::Decoded>` too, which the derive cannot promise.
#[derive(Debug, Loggable)]
struct Labelled<T: Copy> {
    value: T,
}

fn main() {}
