//! Loggers across `fork()`.
//!
//! A forked child has one thread, the one that called `fork`: the writer
//! threads stayed in the parent. A child handler (`pthread_atfork`, set up
//! by the first logger built) marks every logger it inherited as
//! *orphaned*, and forgets the calling thread's cached producers, whose
//! rings belong to the parent's writers. In the child, an inherited logger
//! then:
//!
//! * counts every line logged as dropped (its ring would never be read);
//! * returns from `flush()` at once (`flush_timeout` returns `false`);
//! * does not wait for a writer when dropped or at exit.
//!
//! The parent's loggers and lines are untouched: each line is written once,
//! by the parent. A child that goes on logging should build a new logger,
//! which gets a writer thread of its own (see `docs/guarantees.md`).

use std::sync::Once;

static INSTALL: Once = Once::new();

/// Registers the child handler (once per process).
pub(crate) fn install() {
    INSTALL.call_once(|| {
        // SAFETY: `in_child` is an `extern "C" fn()` valid for the whole
        // program that never unwinds; no prepare or parent handler. A
        // failure (ENOMEM) leaves forked children as before: they would
        // have to build their own loggers.
        let _ = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    });
}

/// Runs in the child right after `fork`, on its only thread. Takes no lock
/// (a lock may have been held by a parent thread that is not here).
extern "C" fn in_child() {
    crate::shared::LOGGERS.for_each(|shared| shared.orphan());
    crate::local::forget_after_fork();
}
