//! Each thread's producers: one ring per (logger, thread) pair.
//!
//! The hot path looks up the calling thread's producer for a logger in a
//! thread-local table whose last-used entry is cached: one id comparison in
//! the common case of a thread logging to one logger. The first log of a
//! thread to a logger creates a ring and hands its consumer to the logger's
//! writer (one lock, once). When the thread exits, the table is dropped, the
//! producers mark their rings finished, and the writer frees each ring after
//! writing what is left in it.

use std::cell::{Cell, UnsafeCell};
use std::ptr;
use std::sync::Weak;

use crate::logger::{Core, Inner};
use crate::ring::{self, Producer};

/// One producer of this thread.
struct Entry {
    logger_id: u64,
    producer: Producer,
    /// To notice that the logger is gone and the entry can be freed.
    core: Weak<Core>,
}

/// This thread's producers.
struct Table {
    /// Logger id of the entry `last` points to; 0 (never a logger id) when
    /// there is none.
    last_id: Cell<u64>,
    /// The most recently used entry, inside one of `entries`' boxes.
    last: Cell<*mut Entry>,
    /// Boxed so that `last` stays valid while the vector grows.
    entries: UnsafeCell<Vec<Box<Entry>>>,
}

impl Table {
    const fn new() -> Self {
        Table {
            last_id: Cell::new(0),
            last: Cell::new(ptr::null_mut()),
            entries: UnsafeCell::new(Vec::new()),
        }
    }

    /// Finds or creates the entry for `logger` and makes it the cached one.
    #[cold]
    #[inline(never)]
    fn lookup_or_register(&self, logger: &Inner) -> *mut Entry {
        // SAFETY: `entries` is only touched by this thread, in this function
        // and in `Drop`; no reference into it is live across this call
        // (`with_producer` holds none while calling us).
        let entries = unsafe { &mut *self.entries.get() };
        // Free the rings of loggers that no longer exist.
        entries.retain(|e| e.core.strong_count() > 0);
        let index = match entries.iter().position(|e| e.logger_id == logger.id) {
            Some(index) => index,
            None => {
                let (producer, consumer) = ring::ring(logger.ring_bytes);
                logger.core.register(consumer);
                entries.push(Box::new(Entry {
                    logger_id: logger.id,
                    producer,
                    core: std::sync::Arc::downgrade(&logger.core),
                }));
                entries.len() - 1
            }
        };
        let entry: *mut Entry = &mut *entries[index];
        self.last.set(entry);
        self.last_id.set(logger.id);
        entry
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        // Dropping the producers marks their rings finished; the writers
        // write what is left and free them.
        self.last_id.set(0);
        self.last.set(ptr::null_mut());
        self.entries.get_mut().clear();
    }
}

thread_local! {
    static TABLE: Table = const { Table::new() };
}

/// Runs `f` with this thread's producer for `logger`, creating it on first
/// use. Returns `None` when the thread-local table is already destroyed
/// (logging from another thread-local's destructor at thread exit).
#[inline(always)]
pub(crate) fn with_producer<R>(logger: &Inner, f: impl FnOnce(&mut Producer) -> R) -> Option<R> {
    TABLE
        .try_with(|table| {
            let entry = if table.last_id.get() == logger.id {
                table.last.get()
            } else {
                table.lookup_or_register(logger)
            };
            // SAFETY: `entry` points into a box owned by this thread's
            // table, which lives until the thread exits; boxes are freed
            // only in `lookup_or_register` and `Drop`, neither of which can
            // run during `f`: the push path calls no user code and does not
            // log.
            f(unsafe { &mut (*entry).producer })
        })
        .ok()
}
