//! Draining loggers at normal process exit.
//!
//! Returning from `main` and `std::process::exit` both run the C library's
//! `atexit` handlers while every thread still exists. The first logger built
//! registers one handler; it flushes every logger still alive (including the
//! process-wide default logger, which is never dropped), each with a time
//! limit so that a sink blocked forever cannot hang the exit.

use std::sync::{Mutex, Once, PoisonError, Weak};
use std::time::Duration;

use crate::shared::Shared;

/// How long the exit handler waits for each logger.
pub const EXIT_FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

static LIVE: Mutex<Vec<Weak<Shared>>> = Mutex::new(Vec::new());
static REGISTER: Once = Once::new();

/// Remembers `shared` so that the exit handler flushes it.
pub(crate) fn track(shared: &std::sync::Arc<Shared>) {
    REGISTER.call_once(|| {
        // SAFETY: `flush_all_at_exit` is an `extern "C" fn()` that never
        // unwinds (it catches panics) and stays valid for the whole program.
        // A non-zero return means the handler could not be registered; the
        // loggers still drain when dropped, so there is nothing else to do.
        let _ = unsafe { libc::atexit(flush_all_at_exit) };
    });
    let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
    live.retain(|shared| shared.strong_count() > 0);
    live.push(std::sync::Arc::downgrade(shared));
}

extern "C" fn flush_all_at_exit() {
    // A panic payload is forgotten, not dropped: its destructor could panic
    // again, outside the catch, inside this `extern "C"` function.
    let result = std::panic::catch_unwind(|| {
        let live: Vec<_> = LIVE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for shared in live {
            shared.flush(Some(EXIT_FLUSH_TIMEOUT));
        }
    });
    if let Err(payload) = result {
        std::mem::forget(payload);
    }
}
