//! The ring seen from outside its push and read paths: how each end learns
//! that the other is gone (the consumer may touch the producer's thread
//! only while it is attached; the producer stops pushing once the consumer
//! has abandoned the ring), and [`RingMonitor`], which counts a ring's
//! unread records from a third thread.

use std::fmt;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::sync::Arc;

use super::{Consumer, Producer, Shared, frame_len};

// === The producer's thread, as the consumer sees it ===

/// [`Shared::attachment`]: the producer's thread is alive and the consumer
/// may touch its memory.
pub(super) const ATTACHED: u8 = 0;
/// The consumer is touching it right now.
pub(super) const IN_USE: u8 = 1;
/// The producer's thread is going away: hands off.
pub(super) const DETACHED: u8 = 2;

impl Producer {
    /// Whether anyone will read this ring again. `false` once its consumer
    /// gave up (see [`Consumer::abandon`]).
    pub(crate) fn is_read(&self) -> bool {
        // Acquire: pairs with the Release store in `Consumer::abandon`.
        self.shared.consumer_alive.load(Acquire)
    }

    /// Called by the producer's thread before memory of that thread which
    /// the consumer may touch (see [`Consumer::with_producer_thread`]) goes
    /// away: waits for such a use to finish, and forbids later ones.
    pub(crate) fn detach_thread(&self) {
        let attachment = &self.shared.attachment;
        loop {
            // Acquire on success: the consumer's use, which ended with its
            // Release store of ATTACHED, happens before our return.
            match attachment.compare_exchange_weak(ATTACHED, DETACHED, Acquire, Relaxed) {
                Ok(_) => return,
                Err(DETACHED) => return,
                Err(_) => std::hint::spin_loop(),
            }
        }
    }
}

impl Consumer {
    /// Runs `f` unless the producer's thread has detached (see
    /// [`Producer::detach_thread`]); while `f` runs, the producer's thread
    /// cannot finish detaching, so memory it keeps until then (its
    /// thread-locals) stays valid for `f`. Returns whether `f` ran.
    pub(crate) fn with_producer_thread(&self, f: impl FnOnce()) -> bool {
        let attachment = &self.shared.attachment;
        // Acquire on success: nothing of `f` moves before it.
        if attachment
            .compare_exchange(ATTACHED, IN_USE, Acquire, Relaxed)
            .is_err()
        {
            return false;
        }
        f();
        // Release: `f`'s accesses happen before the producer's detach.
        attachment.store(ATTACHED, Release);
        true
    }

    /// The consumer will never read again: later pushes are refused by the
    /// logger (see [`Producer::is_read`]) and counted as dropped. Returns
    /// how many records were left unread. Records published concurrently
    /// with this call may be counted neither here nor as dropped, a window
    /// of a few nanoseconds.
    pub(crate) fn abandon(&mut self) -> u64 {
        // Release: pairs with the producer's Acquire load in `is_read`.
        self.shared.consumer_alive.store(false, Release);
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        let mut left = 0;
        loop {
            if self.peek_raw().is_none() && !self.refresh() {
                break;
            }
            self.advance();
            left += 1;
        }
        self.release();
        left
    }

    /// A handle that can count this ring's unread records from another
    /// thread (see [`RingMonitor`]).
    pub(crate) fn monitor(&self) -> RingMonitor {
        RingMonitor {
            shared: self.shared.clone(),
        }
    }
}

// === Counting from another thread ===

/// Counts a ring's unread records from a thread other than its consumer's,
/// for the report of lines a stuck writer could not write at exit.
#[derive(Clone)]
pub(crate) struct RingMonitor {
    shared: Arc<Shared>,
}

impl fmt::Debug for RingMonitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingMonitor")
            .field("capacity", &self.shared.capacity)
            .finish_non_exhaustive()
    }
}

impl RingMonitor {
    /// Records between the consumer's published position and the
    /// producer's. Exact while the consumer is not running (stuck in its
    /// sink); otherwise an estimate, and it stops at the first frame whose
    /// length is implausible rather than read past the ring.
    pub(crate) fn unread(&self) -> u64 {
        let shared = &*self.shared;
        // Acquire on both: pairs with the producer's Release store of
        // `tail` (its frames are visible) and the consumer's of `head`.
        let mut at = shared.head.0.load(Acquire);
        let tail = shared.tail().load(Acquire);
        let mut count = 0;
        while at != tail && tail.wrapping_sub(at) <= shared.capacity {
            let offset = at & shared.mask();
            // SAFETY: `at` is in `head .. tail`, published frames the
            // producer does not overwrite until `head` passes them; the
            // header read is inside the buffer (offset < capacity).
            let payload_len = unsafe { shared.buf.as_ptr().add(offset).cast::<u64>().read() };
            let len = frame_len(payload_len.min(shared.capacity as u64) as usize);
            if payload_len as usize > shared.capacity || len > tail.wrapping_sub(at) {
                break;
            }
            at = at.wrapping_add(len);
            count += 1;
        }
        count
    }

    /// Whether the producer is gone and nothing is left to read.
    pub(crate) fn is_done(&self) -> bool {
        let shared = &*self.shared;
        // Acquire: as in `Consumer::is_finished`.
        !shared.producer_alive.load(Acquire)
            && shared.head.0.load(Acquire) == shared.tail().load(Acquire)
    }
}
