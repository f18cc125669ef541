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
                logger
                    .shared
                    .register(consumer, Some(wake_trap_of_this_thread()));
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
    let pushed = match cached {
        // SAFETY: the cached slot is this thread's own producer for this
        // logger, alive while the thread's table holds it (the table resets
        // the cache before freeing it), and pushed to by this thread alone;
        // `write` does not log (our contract), so no other push overlaps.
        Some(slot) => unsafe { slot.push_with(payload_len, write) }.is_ok(),
        // SAFETY: the contract is forwarded.
        None => unsafe { push_slow(logger, payload_len, write) },
    };
    if !pushed {
        // Relaxed: an event count (see `Counters`).
        logger.shared.counters.dropped.fetch_add(1, Relaxed);
    }
    pushed
}

/// What the slow path found for this thread and logger.
enum Found {
    /// This thread's producer (just created, or found in the table), or
    /// `None` if its writer is gone.
    Slot(Option<ProducerSlot>),
    /// The thread's table is destroyed (a log call from a thread-local's
    /// destructor, or from an `atexit` handler after the main thread's
    /// thread-locals are gone).
    ThreadExiting,
}

/// The slow path of [`push`]: finds or creates this thread's producer for
/// `logger`, then pushes.
///
/// # Safety
///
/// As for [`push`].
#[cold]
#[inline(never)]
unsafe fn push_slow(logger: &Inner, payload_len: usize, write: impl FnOnce(*mut u8)) -> bool {
    struct Reset<'a>(&'a Cell<bool>);
    impl Drop for Reset<'_> {
        fn drop(&mut self) {
            self.0.set(false);
        }
    }
    if logger.shared.is_orphaned() {
        // A forked child's copy of a logger: no writer here (see `fork`).
        return false;
    }
    LAST.with(|last| {
        if last.registering.replace(true) {
            // A log call from inside the allocations registering takes (a
            // global allocator that logs): refused, counted as dropped.
            return false;
        }
        // Kept until the push is done: the late path allocates too.
        let _reset = Reset(&last.registering);
        let found = TABLE
            .try_with(|table| Found::Slot(table.lookup_or_register(logger)))
            .unwrap_or(Found::ThreadExiting);
        let pushed = match found {
            // SAFETY: a slot of this thread's producer, as in `push`.
            Found::Slot(Some(slot)) => unsafe { slot.push_with(payload_len, write) }.is_ok(),
            Found::Slot(None) => false,
            // SAFETY: the contract is forwarded.
            Found::ThreadExiting => unsafe { push_late(logger, payload_len, write) },
        };
        // SeqCst fence: our record and our store of the cached id come
        // before the doorbell check; the writer announces its sleep, sets
        // the traps, fences and re-checks the rings. Either it sees the
        // record, or we see it asleep and wake it.
        std::sync::atomic::fence(SeqCst);
        if logger.shared.doorbell.is_asleep() {
            logger.shared.doorbell.ring();
        }
        pushed
    })
}

/// A record logged after this thread's table is gone: it gets a ring of its
/// own, just large enough, handed to the writer already finished (its
/// producer dropped), so the writer writes it in timestamp order and then
/// frees the ring. A slow path for rare calls (thread-local destructors,
/// late `atexit` handlers), not for logging in bulk.
///
/// # Safety
///
/// As for [`push`].
unsafe fn push_late(logger: &Inner, payload_len: usize, write: impl FnOnce(*mut u8)) -> bool {
    let Some(capacity) = ring::frame_len(payload_len.min(ring::MAX_CAPACITY))
        .checked_next_power_of_two()
        .map(|c| c.max(ring::MIN_CAPACITY))
        .filter(|&c| c <= ring::MAX_CAPACITY && payload_len <= ring::MAX_CAPACITY)
    else {
        return false;
    };
    let (producer, consumer) = ring::ring(capacity);
    // SAFETY: `producer` is alive and ours alone; `write`'s contract is
    // forwarded.
    let pushed = unsafe { producer.slot().push_with(payload_len, write) }.is_ok();
    logger
        .shared
        .register_named(consumer, "<exiting thread>".into(), None);
    pushed
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
