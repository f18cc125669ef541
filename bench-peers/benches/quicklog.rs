//! quicklog 0.1.18 in the side-by-side comparison (methods: `src/lib.rs`; set-up:
//! `src/peers.rs`). Prints one JSON line on stdout.

use llt_bench_peers::{Run, for_each_message};

fn main() {
    let run = Run::start("quicklog");
    let sink = run.sink_path();
    let c = llt_bench_peers::peers::Quicklog::new(&sink);
    let mut h = run.harness(&c, &sink);
    macro_rules! lg {
        ($($t:tt)*) => {
            if quicklog::try_log!(quicklog::level::Level::Info, $($t)*).is_err() {
                llt_bench_peers::peers::QUICKLOG_DROPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        };
    }
    for_each_message!(h, lg, lg);
    h.finish();
}
