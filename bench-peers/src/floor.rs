//! The physical floor of a log call: what any ring-based logger must do at
//! the very least. One TSC read, one 32-byte slot store, one release store
//! of the head index, into a single-producer single-consumer slot ring that
//! a consumer thread drains (batches, then sleeps 100 us when empty, like a
//! logger's writer). Measured with the same per-call method as the loggers.
//!
//! [`OrderedFloorRing`] is the same ring with the TSC read by `rdtscp`, which
//! waits for the loads before it: the least a logger must do whose
//! timestamps keep causally ordered lines of two threads in order (a plain
//! `rdtsc` may execute before the load that saw the other thread's flag, so
//! a later line can get an earlier stamp; see `tests/causal_order.rs`).

use std::cell::UnsafeCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

/// Slots in the floor ring (32 bytes each: 2 MiB).
const SLOTS: usize = 1 << 16;

#[repr(C, align(32))]
#[derive(Clone, Copy, Default)]
struct Slot([u64; 4]);

#[repr(align(128))]
struct Padded(AtomicU64);

struct Shared {
    slots: Box<[UnsafeCell<Slot>]>,
    head: Padded,
    tail: Padded,
    stop: AtomicBool,
}

// SAFETY: a slot is written only by the producer before it publishes the
// slot with a release store of `head`, and read only by the consumer after
// an acquire load of `head` and before it releases the slot with a release
// store of `tail`; the producer reuses a slot only after an acquire load of
// `tail` shows it released. No slot is ever accessed by both at once.
unsafe impl Sync for Shared {}

/// The producer side of the floor ring, plus its consumer thread.
///
/// `ORDERED` picks the TSC read: `false` a plain `rdtsc` (the floor of
/// every logger), `true` an `rdtscp` (the floor of a logger whose stamps
/// keep causal order).
pub struct Ring<const ORDERED: bool> {
    shared: Arc<Shared>,
    head: u64,
    cached_tail: u64,
    /// Pushes refused because the ring was full.
    pub full: u64,
    consumer: Option<thread::JoinHandle<u64>>,
}

/// The floor: a plain TSC read.
pub type FloorRing = Ring<false>;

/// The floor of a logger whose timestamps keep causal order: an ordered
/// TSC read (`rdtscp`).
pub type OrderedFloorRing = Ring<true>;

impl<const ORDERED: bool> Ring<ORDERED> {
    /// Allocates and touches the ring, starts the consumer thread.
    pub fn new() -> Self {
        let slots: Box<[UnsafeCell<Slot>]> = (0..SLOTS)
            .map(|_| UnsafeCell::new(Slot([1, 2, 3, 4])))
            .collect();
        let shared = Arc::new(Shared {
            slots,
            head: Padded(AtomicU64::new(0)),
            tail: Padded(AtomicU64::new(0)),
            stop: AtomicBool::new(false),
        });
        let consumer = {
            let shared = shared.clone();
            thread::Builder::new()
                .name("floor-consumer".into())
                .spawn(move || consume(&shared))
                .expect("spawn the floor consumer")
        };
        Ring {
            shared,
            head: 0,
            cached_tail: 0,
            full: 0,
            consumer: Some(consumer),
        }
    }

    /// The floor's "log call": TSC read, 32-byte store, release store.
    #[inline(always)]
    pub fn push(&mut self, a: u64, b: u64) {
        let head = self.head;
        if head - self.cached_tail >= SLOTS as u64 {
            self.cached_tail = self.shared.tail.0.load(Ordering::Acquire);
            if head - self.cached_tail >= SLOTS as u64 {
                self.full += 1;
                return;
            }
        }
        let ts = if ORDERED {
            crate::timer::ordered_now()
        } else {
            crate::timer::now()
        };
        let slot = self.shared.slots[head as usize & (SLOTS - 1)].get();
        // SAFETY: the slot is free (checked against `tail` above) and only
        // this producer writes slots (see `Shared`'s Sync impl).
        unsafe { slot.write(Slot([ts, a, b, head])) };
        self.head = head + 1;
        self.shared.head.0.store(head + 1, Ordering::Release);
    }

    /// Stops the consumer; returns how many slots it read.
    pub fn finish(mut self) -> u64 {
        self.shared.stop.store(true, Ordering::Release);
        self.consumer
            .take()
            .map(|h| h.join().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl<const ORDERED: bool> Default for Ring<ORDERED> {
    fn default() -> Self {
        Self::new()
    }
}

fn consume(shared: &Shared) -> u64 {
    let mut tail = 0u64;
    let mut checksum = 0u64;
    loop {
        let head = shared.head.0.load(Ordering::Acquire);
        if head == tail {
            if shared.stop.load(Ordering::Acquire) {
                break;
            }
            thread::sleep(Duration::from_micros(100));
            continue;
        }
        while tail < head {
            // SAFETY: slots below `head` are published (acquire load above)
            // and not reused before `tail` passes them.
            let slot = unsafe { *shared.slots[tail as usize & (SLOTS - 1)].get() };
            checksum = checksum.wrapping_add(slot.0[0] ^ slot.0[1] ^ slot.0[2] ^ slot.0[3]);
            tail += 1;
        }
        shared.tail.0.store(tail, Ordering::Release);
    }
    std::hint::black_box(checksum);
    tail
}
