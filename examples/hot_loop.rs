//! The seed's scenario with `llt_log!`: the hot thread copies a callsite id,
//! a timestamp and the raw arguments into its ring; the writer thread does the
//! formatting. Run it with `cargo run --release --example hot_loop`.

use std::thread;
use std::time::{Duration, Instant};

use llt_rs::logger::Logger;
use llt_rs::{llt_log, llt_warn};

fn main() {
    // Rings of 4096 messages per thread, writing to stdout.
    let logger = Logger::new(4096);
    let sensor = logger.clone();

    let hot = thread::spawn(move || {
        let start = Instant::now();
        for i in 0..100 {
            // Costs a timestamp and a few stores: formatting happens later,
            // on the writer thread.
            llt_log!(
                sensor,
                "[SENSOR] Event ID: {} | Value: {:.4}",
                i,
                i as f64 * 1.5
            );
            thread::sleep(Duration::from_micros(10));
        }
        let name = String::from("sensor-0");
        llt_warn!(
            sensor,
            "[SYSTEM] {name}: batch complete in {:?}",
            start.elapsed()
        );
    });

    hot.join().expect("the sensor thread panicked");
    // Everything logged so far is on stdout after this.
    logger.flush();
    let dropped = logger.get_dropped_count();
    if dropped > 0 {
        eprintln!("Warning: the logger dropped {dropped} messages due to backpressure.");
    }
}
