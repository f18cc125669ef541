//! The process-wide default logger that `llt_log!("...")` uses when no
//! logger is named.

use std::sync::OnceLock;

use crate::logger::Logger;

static DEFAULT: OnceLock<Logger> = OnceLock::new();

/// The default logger: the one installed with [`set_default`], or else one
/// with default settings (stdout), created on first use.
///
/// It is never dropped; it is flushed when the process exits normally
/// (returning from `main` or `std::process::exit`).
///
/// # Panics
///
/// If the writer thread of the default logger cannot be started.
///
/// # Examples
///
/// ```
/// let logger = llt_runtime::default_logger();
/// logger.log("hello from the default logger");
/// logger.flush();
/// ```
#[inline]
pub fn default_logger() -> &'static Logger {
    DEFAULT.get_or_init(|| {
        Logger::builder()
            .build()
            .unwrap_or_else(|e| panic!("llt: cannot start the default logger: {e}"))
    })
}

/// Installs `logger` as the default logger. Fails (giving it back) if a
/// default logger exists already, installed or created by a first use.
///
/// # Examples
///
/// ```
/// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
/// llt_runtime::set_default(logger.clone()).expect("no default logger yet");
/// assert!(llt_runtime::default_logger().same_logger(&logger));
/// ```
pub fn set_default(logger: Logger) -> Result<(), Logger> {
    DEFAULT.set(logger)
}
