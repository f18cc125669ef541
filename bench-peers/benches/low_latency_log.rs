//! low_latency_log in the side-by-side comparison (methods: `src/lib.rs`;
//! set-up: `src/peers.rs`). Prints one JSON line on stdout.

use llt_bench_peers::{Run, for_each_message};

fn main() {
    let run = Run::start("low_latency_log");
    // It writes a rolling file of its own in the run's directory.
    let (c, sink) = llt_bench_peers::peers::LowLatencyLog::new(run.dir());
    let mut h = run.harness(&c, &sink);
    macro_rules! lg {
        ($($t:tt)*) => {
            low_latency_log::info!($($t)*)
        };
    }
    for_each_message!(h, lg, lg);
    h.finish();
}
