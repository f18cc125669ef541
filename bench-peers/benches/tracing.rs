//! tracing + tracing-subscriber + tracing-appender (non_blocking) in the side-by-side comparison (methods: `src/lib.rs`; set-up:
//! `src/peers.rs`). Prints one JSON line on stdout.

use llt_bench_peers::{Run, for_each_message};

fn main() {
    let run = Run::start("tracing");
    let sink = run.sink_path();
    let c = llt_bench_peers::peers::Tracing::new(&sink);
    let mut h = run.harness(&c, &sink);
    macro_rules! lg {
        ($($t:tt)*) => {
            tracing::info!($($t)*)
        };
    }
    for_each_message!(h, lg, lg);
    h.finish();
}
