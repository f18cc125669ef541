//! A log file that rotates by size and by day, keeping the newest files:
//! `app.log` is live; rotated files are named after the day they cover
//! (`app.2026-11-25.log`, and `app.2026-11-25.log.1`, `.2`... when a day
//! fills several).
//!
//! Run: `cargo run --example file_rotation` (writes under the system's
//! temporary directory, and prints what it left there).

use llt_rs::{Logger, RollingFile, Rotation, llt_log};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join("llt-file-rotation-example");
    let file = RollingFile::builder(dir.join("app.log"))
        .create_dirs(true) // without it, a missing directory is a BuildError
        .max_size(4 * 1024) // tiny, to show several rotations
        .rotation(Rotation::Daily)
        .keep(3); // rotated files kept; older ones are deleted
    let logger = Logger::builder().file(file).build()?;

    for order in 0..200_u32 {
        llt_log!(
            logger,
            "order {order} filled at {:.2}",
            100.0 + f64::from(order) / 8.0
        );
    }
    logger.flush();

    let mut names: Vec<String> = std::fs::read_dir(&dir)?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    println!("{}: {}", dir.display(), names.join(", "));
    Ok(())
}
