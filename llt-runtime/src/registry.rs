//! Every live logger of the process, readable without a lock.
//!
//! The exit hook, the crash handler and the `fork` child handler must find
//! every logger, and the last two run where a lock may be held by a thread
//! that will never release it (a signal handler that interrupted it, or a
//! thread that does not exist in the forked child). So the registry is a
//! fixed array of atomic pointers: [`add`] claims a free slot with a CAS,
//! [`remove`] empties it, and [`for_each`] reads them all with loads only.
//!
//! Each occupied slot owns one strong count of the logger's [`Shared`]
//! (from `Arc::into_raw`). A reader may be inside [`for_each`] while the
//! logger is removed; `remove` then leaves that count unreleased rather
//! than free memory under the reader (see [`READERS`]). That only happens
//! while a crash handler runs, when the process is about to die anyway.
//!
//! A process with more than [`SLOTS`] live loggers at once keeps working;
//! the loggers beyond it are only missing from the exit hook, the crash
//! handler and the fork handler (each reported once on stderr).

use std::io::Write;
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::Ordering::{AcqRel, Relaxed, SeqCst};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize};

use crate::shared::Shared;

/// How many loggers the registry holds at once.
pub(crate) const SLOTS: usize = 256;

static LOGGERS: [AtomicPtr<Shared>; SLOTS] = [const { AtomicPtr::new(ptr::null_mut()) }; SLOTS];

/// Threads inside [`for_each`]. `remove` frees a logger's count only when
/// this is 0 after it emptied the slot; both use SeqCst, so either the
/// reader's increment is seen by `remove` or `remove`'s emptying is seen by
/// the reader's load of the slot.
static READERS: AtomicUsize = AtomicUsize::new(0);

/// Whether "registry full" was reported already.
static REPORTED_FULL: AtomicBool = AtomicBool::new(false);

/// Adds a logger; returns its slot, or `None` when all are taken.
pub(crate) fn add(shared: &Arc<Shared>) -> Option<usize> {
    let raw = Arc::into_raw(shared.clone()).cast_mut();
    for (index, slot) in LOGGERS.iter().enumerate() {
        // AcqRel on success: publishes the `Shared` behind the pointer to
        // readers, which load it with Acquire.
        if slot
            .compare_exchange(ptr::null_mut(), raw, AcqRel, Relaxed)
            .is_ok()
        {
            return Some(index);
        }
    }
    // SAFETY: `raw` came from `Arc::into_raw` above and was not stored.
    drop(unsafe { Arc::from_raw(raw) });
    if !REPORTED_FULL.swap(true, Relaxed) {
        let _ = writeln!(
            std::io::stderr(),
            "llt: more than {SLOTS} loggers are alive at once; the ones beyond that are not \
             drained at exit, on a crash or in a forked child"
        );
    }
    None
}

/// Removes the logger in `slot` (from [`add`]).
pub(crate) fn remove(slot: usize) {
    let raw = LOGGERS[slot].swap(ptr::null_mut(), SeqCst);
    if raw.is_null() {
        return;
    }
    if READERS.load(SeqCst) == 0 {
        // SAFETY: the slot held one strong count from `Arc::into_raw`, now
        // taken out of it, and no reader can have loaded the pointer
        // without being counted in READERS (see its docs).
        drop(unsafe { Arc::from_raw(raw) });
    }
    // Otherwise a crash handler may be reading it: the count is leaked.
}

/// Calls `f` with every registered logger. Takes no lock and allocates
/// nothing: usable from a signal handler and in a forked child.
pub(crate) fn for_each(mut f: impl FnMut(&Shared)) {
    READERS.fetch_add(1, SeqCst);
    for slot in &LOGGERS {
        let raw = slot.load(SeqCst);
        if !raw.is_null() {
            // SAFETY: a non-null slot owns a strong count, and `remove` does
            // not release it while READERS is non-zero (we are counted).
            f(unsafe { &*raw });
        }
    }
    READERS.fetch_sub(1, SeqCst);
}

/// Like [`for_each`], with a strong handle to each logger (not for signal
/// handlers: cloning an `Arc` is fine there, dropping the last one is not).
pub(crate) fn collect() -> Vec<Arc<Shared>> {
    let mut all = Vec::new();
    READERS.fetch_add(1, SeqCst);
    for slot in &LOGGERS {
        let raw = slot.load(SeqCst);
        if !raw.is_null() {
            // SAFETY: as in `for_each`; incrementing the count first makes
            // the `Arc` we build own one of its own.
            unsafe {
                Arc::increment_strong_count(raw);
                all.push(Arc::from_raw(raw));
            }
        }
    }
    READERS.fetch_sub(1, SeqCst);
    all
}
