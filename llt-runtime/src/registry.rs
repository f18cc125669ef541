//! Every live logger of the process, readable without a lock (the one
//! [`Registry`] is `shared::LOGGERS`).
//!
//! The exit hook, the crash handler and the `fork` child handler must find
//! every logger, and the last two run where a lock may be held by a thread
//! that will never release it (a signal handler that interrupted it, or a
//! thread that does not exist in the forked child). So the registry is a
//! fixed array of atomic pointers: `add` claims a free slot with a CAS,
//! `remove` empties it, and `for_each` reads them all with loads only.
//!
//! Each occupied slot owns one strong count of the logger's `Shared` (from
//! `Arc::into_raw`). A reader may be inside `for_each` while the logger is
//! removed; `remove` then leaves that count unreleased rather than free
//! memory under the reader (see `Registry::readers`). That only happens
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

/// How many loggers the registry holds at once.
pub(crate) const SLOTS: usize = 256;

/// A fixed set of `Arc<T>` slots readable without a lock.
#[derive(Debug)]
pub(crate) struct Registry<T> {
    slots: [AtomicPtr<T>; SLOTS],
    /// Threads inside [`for_each`](Self::for_each). `remove` frees an
    /// entry's count only when this is 0 after it emptied the slot; both
    /// use SeqCst, so either the reader's increment is seen by `remove` or
    /// `remove`'s emptying is seen by the reader's load of the slot.
    readers: AtomicUsize,
    /// Whether "registry full" was reported already.
    reported_full: AtomicBool,
}

impl<T> Registry<T> {
    pub(crate) const fn new() -> Self {
        Registry {
            slots: [const { AtomicPtr::new(ptr::null_mut()) }; SLOTS],
            readers: AtomicUsize::new(0),
            reported_full: AtomicBool::new(false),
        }
    }

    /// Adds an entry; returns its slot, or `None` when all are taken.
    pub(crate) fn add(&self, shared: &Arc<T>) -> Option<usize> {
        let raw = Arc::into_raw(shared.clone()).cast_mut();
        for (index, slot) in self.slots.iter().enumerate() {
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
        // Relaxed: only decides who prints the note, once.
        if !self.reported_full.swap(true, Relaxed) {
            let _ = writeln!(
                std::io::stderr(),
                "llt: more than {SLOTS} loggers are alive at once; the ones beyond that are not \
             drained at exit, on a crash or in a forked child"
            );
        }
        None
    }

    /// Removes the entry in `slot` (from [`add`](Self::add)).
    pub(crate) fn remove(&self, slot: usize) {
        let raw = self.slots[slot].swap(ptr::null_mut(), SeqCst);
        if raw.is_null() {
            return;
        }
        if self.readers.load(SeqCst) == 0 {
            // SAFETY: the slot held one strong count from `Arc::into_raw`, now
            // taken out of it, and no reader can have loaded the pointer
            // without being counted in READERS (see its docs).
            drop(unsafe { Arc::from_raw(raw) });
        }
        // Otherwise a crash handler may be reading it: the count is leaked.
    }

    /// Calls `f` with every entry. Takes no lock and allocates nothing: usable
    /// from a signal handler and in a forked child.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&T)) {
        self.readers.fetch_add(1, SeqCst);
        for slot in &self.slots {
            let raw = slot.load(SeqCst);
            if !raw.is_null() {
                // SAFETY: a non-null slot owns a strong count, and `remove` does
                // not release it while READERS is non-zero (we are counted).
                f(unsafe { &*raw });
            }
        }
        self.readers.fetch_sub(1, SeqCst);
    }

    /// Like [`for_each`](Self::for_each), with a strong handle to each entry
    /// (not for signal handlers: it allocates).
    pub(crate) fn collect(&self) -> Vec<Arc<T>> {
        let mut all = Vec::new();
        self.readers.fetch_add(1, SeqCst);
        for slot in &self.slots {
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
        self.readers.fetch_sub(1, SeqCst);
        all
    }
}
