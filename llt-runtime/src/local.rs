//! Each thread's producers: one ring per (logger, thread) pair.
//!
//! The hot path looks up the calling thread's producer for a logger in a
//! thread-local table whose last-used entry is cached: one id comparison in
//! the common case of a thread logging to one logger. The first log of a
//! thread to a logger creates a ring and hands its consumer to the logger's
//! writer (one lock, once). When the thread exits, the table is dropped, the
//! producers mark their rings finished, and the writer frees each ring after
//! writing what is left in it.
//!
//! The cached logger id doubles as the writer's *wake trap*: a writer about
//! to sleep deeply stores 0 into the id of every thread that has a ring
//! with it (see [`WakeTrap`]), so that thread's next log call takes the slow
//! path once, and the slow path rings the writer's doorbell if it sleeps.
//! The hot path is unchanged by this: it loads the id either way.

use std::cell::{Cell, UnsafeCell};
use std::sync::Weak;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};

use crate::ring::{self, Producer, ProducerSlot};
use crate::shared::{Inner, Shared, WakeTrap};

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
    /// when there is none, or when a writer set its wake trap. Atomic
    /// because writers store 0 into it from their threads; Relaxed loads
    /// and stores (a plain `mov`, as for a `Cell`), ordered where it matters
    /// by the fences in `push_slow` and the writer's deep sleep.
    logger_id: AtomicU64,
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
    /// A larger alternate signal stack for llt's crash handler, installed
    /// at the thread's first log (see `crash`); freed with the table.
    alt_stack: UnsafeCell<Option<crate::altstack::AltStack>>,
}

impl Table {
    const fn new() -> Self {
        Table {
            entries: UnsafeCell::new(Vec::new()),
            alt_stack: UnsafeCell::new(None),
        }
    }

    /// Finds or creates the entry for `logger` and makes it the cached one.
    #[cold]
    #[inline(never)]
    fn lookup_or_register(&self, logger: &Inner) -> Option<ProducerSlot> {
        // SAFETY: `entries` is only touched by this thread, in this function
        // and in `Drop`; no reference into it is live across this call
        // (`push_slow` holds none while calling us).
        let entries = unsafe { &mut *self.entries.get() };
        // Free the rings of loggers that no longer exist.
        entries.retain(|e| e.shared.strong_count() > 0);
        let index = match entries.iter().position(|e| e.logger_id == logger.id) {
            Some(index) => index,
            None => {
                // SAFETY: like `entries`, only this thread touches it.
                let alt_stack = unsafe { &mut *self.alt_stack.get() };
                if alt_stack.is_none() && logger.shared.end.drain_on_crash {
                    *alt_stack = crate::altstack::AltStack::for_logging_thread();
                }
                let (producer, consumer) = ring::ring(logger.ring_bytes);
                logger.shared.register(consumer, wake_trap_of_this_thread());
                entries.push(Entry {
                    logger_id: logger.id,
                    producer,
                    shared: std::sync::Arc::downgrade(&logger.shared),
                });
                entries.len() - 1
            }
        };
        let entry = &entries[index];
        if !entry.producer.is_read() {
            // The writer is gone: not cached, so every push comes here and
            // is refused (counted as dropped).
            return None;
        }
        let slot = entry.producer.slot();
        LAST.with(|last| {
            last.slot.set(slot);
            last.logger_id.store(logger.id, Relaxed);
        });
        Some(slot)
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        // Forget the cached entry before freeing it; a later log on this
        // thread then misses the cache, finds `TABLE` gone and takes the
        // late path (`push_late`).
        LAST.with(|last| {
            last.logger_id.store(0, Relaxed);
            last.slot.set(ProducerSlot::dangling());
        });
        // After this no writer touches `LAST` (the wake traps), which goes
        // away with the thread.
        for entry in self.entries.get_mut().iter() {
            entry.producer.detach_thread();
        }
        // Dropping the producers marks their rings finished; the writers
        // write what is left and free them.
        self.entries.get_mut().clear();
    }
}

thread_local! {
    static LAST: Last = const {
        Last {
            logger_id: AtomicU64::new(0),
            slot: Cell::new(ProducerSlot::dangling()),
            registering: Cell::new(false),
        }
    };
    static TABLE: Table = const { Table::new() };
}

/// Pushes one record into this thread's ring for `logger`, or counts it as
/// dropped (ring full, record larger than the ring). Returns whether it was
/// pushed. Every log call (`llt_log!`, `Logger::log`, the `log` bridge)
/// ends here.
///
/// # Safety
///
/// `write` must write every one of the `payload_len` bytes it is given,
/// starting with a record header (see `record`), and must not log; bytes
/// after the header may be uninitialised padding of a copied value (the
/// writer reads records with `Consumer::peek_raw`).
#[inline(always)]
pub(crate) unsafe fn push(logger: &Inner, payload_len: usize, write: impl FnOnce(*mut u8)) -> bool {
    // Relaxed: our own store, or a wake trap (0), which only sends us to
    // the slow path.
    let cached =
        LAST.with(|last| (last.logger_id.load(Relaxed) == logger.id).then(|| last.slot.get()));
    let slot = match cached {
        Some(slot) => Some(slot),
        None => find_slot(logger, payload_len),
    };
    // SAFETY: the slot is this thread's own producer for this logger, alive
    // while the thread's table holds it (the table resets the cache before
    // freeing it), or a late ring's producer, kept alive by the writer; it
    // is pushed to by this thread alone, and `write` does not log (our
    // contract), so no other push overlaps.
    let pushed = slot.is_some_and(|slot| unsafe { slot.push_with(payload_len, write) }.is_ok());
    if !pushed {
        // Relaxed: an event count (see `Counters`).
        logger.shared.counters.dropped.fetch_add(1, Relaxed);
    }
    pushed
}

/// The slow path of [`push`]: finds or creates this thread's producer for
/// `logger`, or a late ring for a record of `payload_len` bytes if the
/// thread's table is gone. `None` if the record must be refused: this
/// thread is already registering (a log call from inside the allocations
/// that takes, by a global allocator that logs), the logger is a forked
/// child's copy, or its writer is gone.
///
/// It also wakes the writer if it sleeps: this path is where a wake trap
/// (see the module docs) sends the first log call after a deep sleep.
#[cold]
#[inline(never)]
fn find_slot(logger: &Inner, payload_len: usize) -> Option<ProducerSlot> {
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
    let slot = LAST.with(|last| {
        if last.registering.replace(true) {
            return None;
        }
        let _reset = Reset(&last.registering);
        TABLE
            .try_with(|table| table.lookup_or_register(logger))
            .unwrap_or_else(|_| late_ring(logger, payload_len))
    });
    // SeqCst fence: our store of the cached id comes before the doorbell
    // check; the writer announces its sleep, sets the traps, fences and
    // re-checks. Either it sees us, or we see it asleep and wake it. (Our
    // record is published just after this; a writer woken here keeps to
    // short sleeps for a while, see `Backoff::woken`.)
    std::sync::atomic::fence(SeqCst);
    if logger.shared.doorbell.is_asleep() {
        logger.shared.doorbell.ring();
    }
    slot
}

/// A record logged after this thread's table is gone (from a thread-local's
/// destructor, or an `atexit` handler after the main thread's thread-locals
/// are destroyed) gets a ring of its own, just large enough, whose producer
/// the writer keeps: it drops it once it has read the record, which
/// finishes the ring. A slow path for rare calls, not for logging in bulk.
fn late_ring(logger: &Inner, payload_len: usize) -> Option<ProducerSlot> {
    if payload_len > ring::MAX_CAPACITY {
        return None;
    }
    let capacity = ring::frame_len(payload_len)
        .next_power_of_two()
        .max(ring::MIN_CAPACITY);
    if capacity > ring::MAX_CAPACITY {
        return None;
    }
    let (producer, consumer) = ring::ring(capacity);
    let slot = producer.slot();
    // No wake trap: this thread's thread-locals may be gone.
    logger
        .shared
        .register_late(consumer, producer, "<exiting thread>".into());
    Some(slot)
}

/// In a `fork()`ed child, on its only thread: forgets this thread's
/// producers, whose rings belong to the parent's writers, without dropping
/// them (their rings are shared with consumers that are not in this
/// process). The next log call looks its logger up again, and finds it
/// orphaned.
pub(crate) fn forget_after_fork() {
    LAST.with(|last| {
        last.logger_id.store(0, Relaxed);
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

/// The wake trap of the calling thread: its cached logger id.
fn wake_trap_of_this_thread() -> WakeTrap {
    // SAFETY: `LAST` is a thread-local of this thread without a destructor:
    // it lives until the thread is gone, and its table detaches every ring
    // (see `Table::drop`) before that.
    LAST.with(|last| unsafe { WakeTrap::new(&raw const last.logger_id) })
}
