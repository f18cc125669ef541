//! llt-rs 0.6.0 (the original seed logger) in the side-by-side comparison (methods: `src/lib.rs`; set-up:
//! `src/peers.rs`). Prints one JSON line on stdout.

use llt_bench_peers::{Run, for_each_message};

fn main() {
    let run = Run::start("llt_orig");
    let sink = run.sink_path();
    let c = llt_bench_peers::peers::LltOrig::new(&sink);
    let mut h = run.harness(&c, &sink);
    macro_rules! lg {
        ($($t:tt)*) => {
            c.logger.log(format!($($t)*))
        };
    }
    for_each_message!(h, lg, lg);
    h.finish();
}
