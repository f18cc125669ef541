//! The seed's story with the seed's API, `Logger::log(impl Into<String>)`,
//! minus the sleeps that hoped the writer would catch up: `flush()` says when
//! it has.
//!
//! Run: `cargo run --release --example sensor_loop`

use std::thread;
use std::time::Duration;

use llt_rs::logger::Logger;

fn main() {
    // Rings of 4096 messages per thread; the writer thread starts now.
    let logger = Logger::new(4096);
    println!("System starting...");

    let log_handle = logger.clone();
    let sensor = thread::spawn(move || {
        for i in 0..100 {
            // Formats on this thread (format! is the costly part), then
            // copies the bytes into this thread's ring: no lock, no I/O.
            log_handle.log(format!(
                "[SENSOR] Event ID: {} | Value: {:.4}",
                i,
                i as f64 * 1.5
            ));
            thread::sleep(Duration::from_micros(10)); // the event's processing
        }
        log_handle.log("[SYSTEM] Batch processing complete.");
    });

    println!("Main thread working...");
    sensor.join().expect("the sensor thread panicked");

    // Every line logged so far is written when this returns.
    logger.flush();
    let stats = logger.stats();
    if stats.dropped > 0 {
        eprintln!(
            "Warning: the logger dropped {} messages due to backpressure.",
            stats.dropped
        );
    }
    // Dropping the last handle at the end of main would drain it too.
}
