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
use std::sync::Weak;
use std::sync::atomic::Ordering::Relaxed;

use crate::ring::{self, Producer, ProducerSlot, PushError};
use crate::shared::{Inner, Shared};

/// One producer of this thread.
struct Entry {
    logger_id: u64,
    producer: Producer,
    /// To notice that the logger is gone and the entry can be freed.
    shared: Weak<Shared>,
}

/// The most recently used entry of this thread. Kept apart from [`Table`]
/// because it has no destructor: its thread-local needs no "initialised /
/// destroyed" check on the hot path, and it stays readable while the thread
/// exits (`Table`'s destructor resets it first).
struct Last {
    /// Logger id of the producer `slot` belongs to; 0 (never a logger id)
    /// when there is none.
    logger_id: Cell<u64>,
    /// The slot of a producer in one of `Table::entries`.
    slot: Cell<ProducerSlot>,
    /// Set while this thread creates or looks up a producer: a log call made
    /// meanwhile (from a global allocator that logs) is counted as dropped
    /// instead of re-entering the table.
    registering: Cell<bool>,
}

/// This thread's producers.
struct Table {
    entries: UnsafeCell<Vec<Entry>>,
}

impl Table {
    const fn new() -> Self {
        Table {
            entries: UnsafeCell::new(Vec::new()),
        }
    }

    /// Finds or creates the entry for `logger` and makes it the cached one.
    #[cold]
    #[inline(never)]
    fn lookup_or_register(&self, logger: &Inner) -> ProducerSlot {
        // SAFETY: `entries` is only touched by this thread, in this function
        // and in `Drop`; no reference into it is live across this call
        // (`with_producer` holds none while calling us).
        let entries = unsafe { &mut *self.entries.get() };
        // Free the rings of loggers that no longer exist.
        entries.retain(|e| e.shared.strong_count() > 0);
        let index = match entries.iter().position(|e| e.logger_id == logger.id) {
            Some(index) => index,
            None => {
                let (producer, consumer) = ring::ring_with_doorbell(
                    logger.ring_bytes,
                    Some(logger.shared.doorbell.clone()),
                );
                logger.shared.register(consumer);
                entries.push(Entry {
                    logger_id: logger.id,
                    producer,
                    shared: std::sync::Arc::downgrade(&logger.shared),
                });
                entries.len() - 1
            }
        };
        let slot = entries[index].producer.slot();
        LAST.with(|last| {
            last.slot.set(slot);
            last.logger_id.set(logger.id);
        });
        slot
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        // Forget the cached entry before freeing it; a later log on this
        // thread then misses the cache, finds `TABLE` gone and counts a drop.
        LAST.with(|last| {
            last.logger_id.set(0);
            last.slot.set(ProducerSlot::dangling());
        });
        // Dropping the producers marks their rings finished; the writers
        // write what is left and free them.
        self.entries.get_mut().clear();
    }
}

thread_local! {
    static LAST: Last = const {
        Last {
            logger_id: Cell::new(0),
            slot: Cell::new(ProducerSlot::dangling()),
            registering: Cell::new(false),
        }
    };
    static TABLE: Table = const { Table::new() };
}

/// Pushes one record into this thread's ring for `logger`, or counts it as
/// dropped (ring full, record larger than the ring, or the thread's table
/// already gone at thread exit). Returns whether it was pushed. Every log
/// call (`llt_log!`, `Logger::log`, the `log` bridge) ends here.
///
/// # Safety
///
/// `write` must write every one of the `payload_len` bytes it is given,
/// starting with a record header (see `record`), and must not log; bytes
/// after the header may be uninitialised padding of a copied value (the
/// writer reads records with `Consumer::peek_raw`).
#[inline(always)]
pub(crate) unsafe fn push(logger: &Inner, payload_len: usize, write: impl FnOnce(*mut u8)) -> bool {
    // SAFETY: the closure only pushes, whose `write` must not log (our
    // contract); the slot is this thread's own producer for this logger,
    // alive while the thread's table holds it, and pushed to by this thread
    // alone.
    let result = unsafe { with_producer(logger, |slot| slot.push_with(payload_len, write)) };
    match result {
        Some(Ok(())) => true,
        Some(Err(PushError::Full | PushError::TooLarge)) | None => {
            // Relaxed: an event count (see `Counters`).
            logger.shared.counters.dropped.fetch_add(1, Relaxed);
            false
        }
    }
}

/// Runs `f` with this thread's producer for `logger`, creating it on first
/// use. Returns `None` when the thread-local table is already destroyed
/// (logging from another thread-local's destructor at thread exit).
///
/// # Safety
///
/// `f` must not log (through any logger) while it holds the slot: a slot is
/// only good for pushes that do not overlap another push of this thread.
#[inline(always)]
unsafe fn with_producer<R>(logger: &Inner, f: impl FnOnce(ProducerSlot) -> R) -> Option<R> {
    let cached = LAST.with(|last| (last.logger_id.get() == logger.id).then(|| last.slot.get()));
    let slot = match cached {
        Some(slot) => slot,
        None => register(logger)?,
    };
    Some(f(slot))
}

/// The slow path of [`with_producer`]: finds or creates this thread's
/// producer for `logger`, unless this thread is already doing so (a log
/// call from inside the allocations that takes), which gets `None`.
#[cold]
#[inline(never)]
fn register(logger: &Inner) -> Option<ProducerSlot> {
    struct Reset<'a>(&'a Cell<bool>);
    impl Drop for Reset<'_> {
        fn drop(&mut self) {
            self.0.set(false);
        }
    }
    if logger.shared.is_orphaned() {
        // A forked child's copy of a logger: no writer here (see `fork`).
        return None;
    }
    LAST.with(|last| {
        if last.registering.replace(true) {
            return None;
        }
        let _reset = Reset(&last.registering);
        TABLE
            .try_with(|table| table.lookup_or_register(logger))
            .ok()
    })
}

/// In a `fork()`ed child, on its only thread: forgets this thread's
/// producers, whose rings belong to the parent's writers, without dropping
/// them (their rings are shared with consumers that are not in this
/// process). The next log call looks its logger up again, and finds it
/// orphaned.
pub(crate) fn forget_after_fork() {
    LAST.with(|last| {
        last.logger_id.set(0);
        last.slot.set(ProducerSlot::dangling());
        last.registering.set(false);
    });
    let _ = TABLE.try_with(|table| {
        // SAFETY: only this thread touches its table, and it is not inside
        // `lookup_or_register` (fork handlers run from `fork`, which a log
        // call never calls).
        let entries = unsafe { &mut *table.entries.get() };
        for entry in entries.drain(..) {
            std::mem::forget(entry);
        }
    });
}
