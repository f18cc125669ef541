//! Draining loggers at normal process exit.
//!
//! Returning from `main` and `std::process::exit` both run the C library's
//! `atexit` handlers while every thread still exists. The first logger built
//! registers one handler; it drains every logger still alive (including the
//! process-wide default logger, which is never dropped), all at once and
//! each for at most its exit timeout, so a sink blocked forever cannot hang
//! the exit: a logger whose writer does not finish in time is given up on,
//! and the lines it did not write are counted and reported on stderr.
//!
//! `atexit` handlers run in the reverse order of their registration, so one
//! registered before llt's runs after it, and a line it logs would find no
//! one to write it. A second drain therefore runs from the executable's
//! `.fini_array` (on Linux), which the C library runs after every `atexit`
//! handler registered during `main`.
//!
//! When `exit` is called on a logger's own writer thread (from a `Display`
//! impl or a sink), that writer cannot be asked to drain; the hook drains
//! it in place (see `writer::drain_in_place`).

use std::sync::Once;
use std::time::{Duration, Instant};

use crate::shared::{LOGGERS, Shared};

/// How long the end of the program waits for each logger's writer by
/// default (see `Builder::exit_timeout`).
pub const EXIT_FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

static REGISTER: Once = Once::new();

/// Registers the exit hook (once per process).
pub(crate) fn install() {
    REGISTER.call_once(|| {
        // SAFETY: `drain_at_exit` is an `extern "C" fn()` that never unwinds
        // (it catches panics) and stays valid for the whole program. A
        // non-zero return means the handler could not be registered; the
        // loggers still drain when dropped, so there is nothing else to do.
        let _ = unsafe { libc::atexit(drain_at_exit) };
    });
}

extern "C" fn drain_at_exit() {
    drain_all("at exit");
}

/// Runs after every `atexit` handler registered during `main`: drains the
/// lines those handlers logged.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".fini_array")]
static DRAIN_AFTER_ATEXIT: extern "C" fn() = drain_after_atexit;

#[cfg(target_os = "linux")]
extern "C" fn drain_after_atexit() {
    drain_all("at exit (after the atexit handlers)");
}

/// Drains every live logger: asks all writers at once, then waits for each
/// until its exit timeout (counted from the start), giving up on the ones
/// that do not finish.
fn drain_all(when: &'static str) {
    // A panic payload is forgotten, not dropped: its destructor could panic
    // again, outside the catch, inside an `extern "C"` function.
    let result = std::panic::catch_unwind(|| {
        let start = Instant::now();
        let live: Vec<(std::sync::Arc<Shared>, u64)> = LOGGERS
            .collect()
            .into_iter()
            .filter(|shared| !shared.is_orphaned() && !shared.is_abandoned())
            .map(|shared| {
                let ticket = shared.request_drain();
                (shared, ticket)
            })
            .collect();
        for (shared, _) in &live {
            let deadline = start + shared.end.exit_timeout;
            if crate::writer::drain_in_place(shared, deadline) {
                continue;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if !shared.flush(Some(left)) {
                shared.abandon_stuck_writer(when);
            }
        }
    });
    if let Err(payload) = result {
        std::mem::forget(payload);
    }
}
