//! slog + slog-async in the side-by-side comparison (methods: `src/lib.rs`; set-up:
//! `src/peers.rs`). Prints one JSON line on stdout.

use llt_bench_peers::{Run, for_each_message};

fn main() {
    let run = Run::start("slog");
    let sink = run.sink_path();
    let c = llt_bench_peers::peers::Slog::new(&sink);
    let mut h = run.harness(&c, &sink);
    macro_rules! lg {
        ($($t:tt)*) => {
            slog::info!(c.logger, $($t)*)
        };
    }
    for_each_message!(h, lg, lg);
    h.finish();
}
