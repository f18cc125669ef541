//! A bounded single-producer single-consumer ring of variable-length byte records.
//!
//! # Algorithm
//!
//! Lamport's SPSC queue with cached indices, as in `rtrb` and Quill's
//! `BoundedSPSCQueue`, carrying variable-length records instead of fixed slots:
//!
//! * `head` and `tail` are *virtual* byte positions that only grow (modulo
//!   `usize`); the physical offset of a position is `pos & (capacity - 1)`.
//!   The ring holds `tail - head <= capacity` bytes.
//! * The producer owns `tail`, publishes it with a `Release` store after the
//!   record's bytes are written, and keeps a *cached* copy of `head` that it
//!   re-reads (`Acquire`) only when the cached value says the ring is full.
//! * The consumer owns `head`, keeps a cached copy of `tail` that it refreshes
//!   (`Acquire`) when it has consumed everything it knew of, and publishes its
//!   position in batches (`Release`), not after every record.
//!
//! # Records never wrap
//!
//! The buffer is `2 * capacity` bytes long. A record whose virtual range
//! `[p, p + len)` crosses a multiple of `capacity` is still stored contiguously
//! at physical `[p & mask, (p & mask) + len)`, spilling into the second half
//! (the "spill area") instead of wrapping to offset 0. This is sound because:
//!
//! * the bytes it logically occupies past the wrap point, physical
//!   `[0, spill)`, are left untouched during this lap, and the next record
//!   starts at physical `spill`, after them;
//! * the spill area is only written by a record that crosses the wrap point,
//!   and two such records are a full lap (`capacity` bytes) apart, which the
//!   occupancy rule `tail + len - head <= capacity` forbids while the first is
//!   unread.
//!
//! So the producer always gets one contiguous `&mut` region and the consumer
//! one contiguous `&[u8]`, with no padding records and no split copies on the
//! hot path. The price is virtual memory for the spill half, which is only
//! touched by records that straddle the wrap point.
//!
//! # Memory
//!
//! The buffer is not initialised: every byte the consumer reads (a frame
//! header, a payload) was written by the producer first and published by
//! its Release store of `tail`; frame padding is never read. Buffers of
//! 16 KiB or more are mapped from the kernel (private anonymous `mmap` on
//! Unix systems), whose
//! pages become resident only when first written; smaller ones, and all of
//! them on other targets or under loom, come from the global allocator. So
//! a ring of `capacity` bytes keeps about `capacity` bytes resident: its
//! first half, plus the pages of the spill half that straddling records
//! have written (no more than the longest such record).
//!
//! [`ring`] writes one byte to each page of the first 1 MiB of the first
//! half, so that the producer's first lap over them takes no page faults on
//! the hot path. The rest of a larger ring becomes resident as the producer
//! first reaches it, one page fault per 4 KiB page, once (about 2 µs each
//! on the VM where llt is measured; touching the first MiB takes about
//! 0.5 ms there), so creating a huge ring stays cheap: at
//! [`MAX_CAPACITY`], 1 MiB is touched, not 2 GiB.
//!
//! # Framing
//!
//! Each record is an 8-byte frame header (the payload length as a `u64`)
//! followed by the payload, padded to a multiple of 8 bytes, so every frame
//! header is 8-byte aligned.

use std::fmt;
use std::ptr::NonNull;

use crate::sync::{AccessTracker, Arc, AtomicBool, AtomicUsize};
use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::atomic::AtomicU8;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

mod buffer;
mod monitor;

use buffer::{allocate, free, prefault};
use monitor::ATTACHED;
pub(crate) use monitor::RingMonitor;

/// Size of the frame header that precedes every record's payload.
pub const FRAME_HEADER: usize = 8;

/// Alignment of every frame (and so of every frame header).
pub const FRAME_ALIGN: usize = 8;

/// Smallest ring capacity in bytes.
pub const MIN_CAPACITY: usize = 64;

/// Largest ring capacity in bytes (1 GiB; the buffer takes twice that
/// in virtual memory, see the module docs on memory).
pub const MAX_CAPACITY: usize = 1 << 30;

/// Bytes a record with a payload of `payload_len` bytes takes in the ring.
///
/// # Examples
///
/// ```
/// use llt_runtime::ring::frame_len;
/// assert_eq!(frame_len(0), 8);
/// assert_eq!(frame_len(1), 16);
/// assert_eq!(frame_len(8), 16);
/// ```
#[inline(always)]
pub const fn frame_len(payload_len: usize) -> usize {
    (FRAME_HEADER + payload_len + (FRAME_ALIGN - 1)) & !(FRAME_ALIGN - 1)
}

/// Pads a value to its own cache-line pair, so that the producer's and the
/// consumer's fields never share one (x86's adjacent-line prefetcher works on
/// 128-byte pairs).
#[repr(align(128))]
#[derive(Debug, Default)]
struct CachePadded<T>(T);

/// The producer's half of the shared state, on a cache-line pair of its
/// own: written only by the producer (the consumer reads `tail`). Keeping
/// the producer's private fields here too puts everything a push touches
/// behind one pointer.
struct ProducerSide {
    /// Producer position: bytes before it are complete records.
    /// Virtual, grows modulo `usize`, always a multiple of [`FRAME_ALIGN`].
    /// Stored only by the producer, which also reads it back (Relaxed: its
    /// own last store) instead of keeping a private copy.
    tail: AtomicUsize,
    /// How far the producer may write: the consumer's position as last
    /// read plus the capacity. Never beyond the true limit, since `head`
    /// only grows, so it can only under-estimate the free space.
    /// `limit - tail` is in `0 ..= capacity`. Only the producer reads or
    /// writes it (a plain field: the hot path folds its load into the
    /// comparison).
    limit: UnsafeCell<usize>,
    /// Copy of `Shared::buf`, next to the other fields a push reads.
    buf: NonNull<u8>,
    /// `capacity - 1`.
    mask: usize,
}

/// The state shared by one producer and one consumer.
struct Shared {
    /// Consumer position: bytes before it have been read and may be reused.
    /// Virtual, grows modulo `usize`; `tail - head` is in `0 ..= capacity`.
    head: CachePadded<AtomicUsize>,
    producer: CachePadded<ProducerSide>,
    /// `false` once the [`Producer`] is dropped: after the consumer has seen
    /// this and then emptied the ring, nothing more will ever arrive.
    producer_alive: AtomicBool,
    /// `false` once the consumer will never read again (its writer thread is
    /// gone): the logger's slow path then refuses every record, so each one
    /// is counted as dropped instead of vanishing (see [`Producer::is_read`]).
    consumer_alive: AtomicBool,
    /// Guards the consumer's access to memory of the producer's thread (see
    /// [`Consumer::with_producer_thread`]): [`ATTACHED`],
    /// [`IN_USE`](monitor::IN_USE) or [`DETACHED`](monitor::DETACHED).
    attachment: AtomicU8,
    /// Start of the buffer, `2 * capacity` bytes, not initialised; aligned
    /// to 128 (to a page if mapped, see [`allocate`]).
    buf: NonNull<u8>,
    /// Power of two in `MIN_CAPACITY ..= MAX_CAPACITY`.
    capacity: usize,
    tracker: AccessTracker,
}

// SAFETY: `buf` is an exclusively owned allocation or mapping. The
// producer writes only the bytes in `tail .. head + capacity` (free space)
// and the consumer reads only `head .. tail` (published records); the
// protocol on `head` and `tail` (Release stores, Acquire loads) keeps the
// two regions disjoint and orders every write before the matching read, so
// sharing `Shared` between the two threads cannot race.
// `ProducerSide::limit` is only accessed by the single producer (a
// `Producer`'s owner, see `ProducerSlot::push_with`).
unsafe impl Send for Shared {}
// SAFETY: see `Send` above; all other fields are atomics or immutable.
unsafe impl Sync for Shared {}

impl Shared {
    #[inline(always)]
    fn mask(&self) -> usize {
        self.capacity - 1
    }

    /// The producer's position.
    fn tail(&self) -> &AtomicUsize {
        &self.producer.0.tail
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: `buf` was allocated in `ring()` by `allocate` with this
        // length and is freed only here, once, when the last of producer
        // and consumer lets go of the shared state.
        unsafe { free(self.buf, 2 * self.capacity) }
    }
}

/// Why a record was not pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushError {
    /// The ring has no room for the record now.
    Full,
    /// The record is larger than the whole ring and can never fit.
    TooLarge,
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Full => f.write_str("the ring is full"),
            PushError::TooLarge => f.write_str("the record is larger than the ring"),
        }
    }
}

impl std::error::Error for PushError {}

/// Creates a ring of `capacity` bytes and returns its two ends.
///
/// The buffer takes `2 * capacity` bytes of address space, of which at most
/// `min(capacity, 1 MiB)` is made resident here and about `capacity` ever
/// (see the module docs on memory).
///
/// # Panics
///
/// If `capacity` is not a power of two in [`MIN_CAPACITY`]` ..= `[`MAX_CAPACITY`]
/// (the logger's builder validates capacities before it gets here).
///
/// # Examples
///
/// ```
/// let (mut producer, mut consumer) = llt_runtime::ring::ring(1024);
/// producer.push(b"hello").unwrap();
/// assert_eq!(consumer.pop_copy(), Some(b"hello".to_vec()));
/// assert_eq!(consumer.pop_copy(), None);
/// ```
pub fn ring(capacity: usize) -> (Producer, Consumer) {
    assert!(
        capacity.is_power_of_two() && (MIN_CAPACITY..=MAX_CAPACITY).contains(&capacity),
        "ring capacity must be a power of two in {MIN_CAPACITY}..={MAX_CAPACITY}, got {capacity}"
    );
    let buf = allocate(2 * capacity);
    prefault(buf, capacity);
    let shared = Arc::new(Shared {
        head: CachePadded(AtomicUsize::new(0)),
        producer: CachePadded(ProducerSide {
            tail: AtomicUsize::new(0),
            limit: UnsafeCell::new(capacity),
            buf,
            mask: capacity - 1,
        }),
        producer_alive: AtomicBool::new(true),
        consumer_alive: AtomicBool::new(true),
        attachment: AtomicU8::new(ATTACHED),
        buf,
        capacity,
        tracker: AccessTracker::new(2 * capacity),
    });
    let producer = Producer {
        shared: shared.clone(),
    };
    let consumer = Consumer {
        shared,
        head: 0,
        cached_tail: 0,
        published_head: 0,
    };
    (producer, consumer)
}

/// The writing end of a ring. Owned by exactly one thread at a time.
pub struct Producer {
    shared: Arc<Shared>,
}

/// The address of a ring's shared state, which is all a push needs: the
/// per-thread cache keeps it so that a log call reaches the producer's
/// fields with one pointer, not through the [`Producer`] handle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProducerSlot(NonNull<Shared>);

impl fmt::Debug for Producer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Producer")
            .field("capacity", &self.shared.capacity)
            .field("tail", &self.shared.tail().load(Relaxed))
            .finish_non_exhaustive()
    }
}

impl Producer {
    /// Capacity of the ring in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut producer, mut consumer) = llt_runtime::ring::ring(1024);
    /// assert_eq!(producer.capacity(), 1024);
    /// # let _ = &mut consumer;
    /// ```
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// Appends one record of `payload_len` bytes, written by `write`.
    ///
    /// `write` receives a pointer to `payload_len` writable bytes, aligned to
    /// [`FRAME_ALIGN`], and must initialise all of them. It is not called when
    /// the record does not fit. Nothing here allocates, locks or makes a
    /// system call.
    ///
    /// # Safety
    ///
    /// `write` must write only inside `ptr .. ptr + payload_len` and must
    /// initialise every byte of it (the consumer reads them as `u8`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut producer, mut consumer) = llt_runtime::ring::ring(1024);
    /// // SAFETY: the closure writes exactly the 4 bytes it asks for.
    /// unsafe { producer.push_with(4, |dst| dst.copy_from_nonoverlapping(b"abcd".as_ptr(), 4)) }.unwrap();
    /// assert_eq!(consumer.pop_copy().as_deref(), Some(&b"abcd"[..]));
    /// ```
    #[inline(always)]
    pub unsafe fn push_with(
        &mut self,
        payload_len: usize,
        write: impl FnOnce(*mut u8),
    ) -> Result<(), PushError> {
        // SAFETY: `&mut self` makes this the only push on the ring, and the
        // slot's state is kept alive by `self.shared`; `write`'s contract is
        // forwarded.
        unsafe { self.slot().push_with(payload_len, write) }
    }

    /// This producer's slot, for pushing without the handle.
    pub(crate) fn slot(&self) -> ProducerSlot {
        ProducerSlot(NonNull::from(&*self.shared))
    }

    /// Appends one record holding a copy of `payload`.
    ///
    /// # Examples
    ///
    /// ```
    /// use llt_runtime::ring::{ring, PushError};
    /// let (mut producer, _consumer) = ring(64);
    /// assert_eq!(producer.push(&[0; 65]), Err(PushError::TooLarge));
    /// producer.push(&[1; 40]).unwrap();
    /// assert_eq!(producer.push(&[2; 40]), Err(PushError::Full));
    /// ```
    pub fn push(&mut self, payload: &[u8]) -> Result<(), PushError> {
        // SAFETY: the closure copies exactly `payload.len()` bytes to the
        // start of the region it is given.
        unsafe {
            self.push_with(payload.len(), |dst| {
                dst.copy_from_nonoverlapping(payload.as_ptr(), payload.len())
            })
        }
    }
}

impl ProducerSlot {
    /// A slot that must never be pushed to (a placeholder in caches).
    pub(crate) const fn dangling() -> Self {
        ProducerSlot(NonNull::dangling())
    }

    /// [`Producer::push_with`] through the slot.
    ///
    /// # Safety
    ///
    /// The [`Producer`] this slot came from must be alive, and the caller
    /// must be its owner: no other push on this ring may run at the same
    /// time. `write` must write only inside `ptr .. ptr + payload_len` and
    /// write every byte of it. Unlike [`Producer::push_with`], a byte may be
    /// written uninitialised (the padding of a value copied as a whole):
    /// such records are read back only with `Consumer::peek_raw`.
    #[inline(always)]
    pub(crate) unsafe fn push_with(
        self,
        payload_len: usize,
        write: impl FnOnce(*mut u8),
    ) -> Result<(), PushError> {
        // SAFETY: the producer, which holds the Arc, is alive.
        let shared = unsafe { self.0.as_ref() };
        let side = &shared.producer.0;
        // Folds away for constant sizes; for runtime ones it bounds every
        // position difference below to `2 * MAX_CAPACITY + 15`, so the
        // wrapping differences compared as `isize` cannot change sign.
        if payload_len > MAX_CAPACITY {
            return Err(PushError::TooLarge);
        }
        let len = frame_len(payload_len);
        // Relaxed: only this producer stores `tail`; it reads its own value.
        let tail = side.tail.load(Relaxed);
        let new_tail = tail.wrapping_add(len);
        // SAFETY: only the producer (us, per the contract) touches `limit`.
        let limit = unsafe { *side.limit.get() };
        if (limit.wrapping_sub(new_tail) as isize) < 0 {
            // SAFETY: as above.
            unsafe { refresh_head(shared, tail, len)? };
        }
        let offset = tail & side.mask;
        debug_assert!(offset.is_multiple_of(FRAME_ALIGN) && offset + len <= 2 * (side.mask + 1));
        shared.tracker.write(offset, len);
        // SAFETY: `offset + len <= 2 * capacity` (offset < capacity and
        // len <= capacity), so the frame is inside the buffer, and the bytes
        // `tail .. tail + len` are free: the consumer has released them
        // (occupancy check above) and does not read past the published tail.
        unsafe {
            let frame = side.buf.as_ptr().add(offset);
            frame.cast::<u64>().write(payload_len as u64);
            write(frame.add(FRAME_HEADER));
        }
        // Release: publishes the frame's bytes, written above, to the
        // consumer's Acquire load of `tail`.
        side.tail.store(new_tail, Release);
        Ok(())
    }
}

/// The slow half of the occupancy check: re-reads the consumer's position,
/// updates the producer's limit and says whether a frame of `len` bytes
/// fits now.
///
/// # Safety
///
/// Only the ring's producer may call it (it writes `ProducerSide::limit`).
#[cold]
#[inline(never)]
unsafe fn refresh_head(shared: &Shared, tail: usize, len: usize) -> Result<(), PushError> {
    let capacity = shared.capacity;
    if len > capacity {
        return Err(PushError::TooLarge);
    }
    // Acquire: pairs with the consumer's Release store of `head`, so its
    // reads of the bytes we are about to overwrite are finished.
    let head = shared.head.0.load(Acquire);
    // SAFETY: only the producer touches `limit` (the caller's contract).
    unsafe { *shared.producer.0.limit.get() = head.wrapping_add(capacity) };
    if tail.wrapping_add(len).wrapping_sub(head) > capacity {
        return Err(PushError::Full);
    }
    Ok(())
}

impl Drop for Producer {
    fn drop(&mut self) {
        // Release: every record published before this store is visible to a
        // consumer that reads `false` with Acquire.
        self.shared.producer_alive.store(false, Release);
    }
}

/// The reading end of a ring. Owned by exactly one thread at a time.
pub struct Consumer {
    shared: Arc<Shared>,
    /// Our own position: the start of the next unread frame.
    head: usize,
    /// The producer's position as last read; records before it are complete.
    cached_tail: usize,
    /// The last value stored to the shared `head`.
    published_head: usize,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("capacity", &self.shared.capacity)
            .field("head", &self.head)
            .field("cached_tail", &self.cached_tail)
            .field("published_head", &self.published_head)
            .finish()
    }
}

impl Consumer {
    /// Capacity of the ring in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut producer, mut consumer) = llt_runtime::ring::ring(1024);
    /// assert_eq!(consumer.capacity(), 1024);
    /// # let _ = &mut producer;
    /// ```
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }

    /// Re-reads the producer's position; returns whether anything is unread.
    ///
    /// [`peek`](Self::peek) only sees records published before the last
    /// refresh, which gives the writer a stable snapshot to merge from.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut producer, mut consumer) = llt_runtime::ring::ring(1024);
    /// assert!(!consumer.refresh());
    /// producer.push(b"x").unwrap();
    /// assert!(consumer.refresh());
    /// ```
    #[inline]
    pub fn refresh(&mut self) -> bool {
        // Acquire: pairs with the producer's Release store of `tail`, making
        // the bytes of every record before it visible here.
        self.cached_tail = self.shared.tail().load(Acquire);
        self.head != self.cached_tail
    }

    /// The payload of the oldest unread record known since the last
    /// [`refresh`](Self::refresh), if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut producer, mut consumer) = llt_runtime::ring::ring(1024);
    /// producer.push(b"first").unwrap();
    /// assert_eq!(consumer.peek(), None); // not refreshed yet
    /// consumer.refresh();
    /// assert_eq!(consumer.peek(), Some(&b"first"[..]));
    /// ```
    #[inline]
    pub fn peek(&self) -> Option<&[u8]> {
        // SAFETY: records pushed through the public API (`Producer::push`,
        // `Producer::push_with`) have every byte initialised (their
        // contract); `MaybeUninit<u8>` and `u8` have the same layout.
        self.peek_raw()
            .map(|bytes| unsafe { &*(bytes as *const [MaybeUninit<u8>] as *const [u8]) })
    }

    /// [`peek`](Self::peek) for records that may hold uninitialised bytes
    /// (the padding of a logged value, pushed through a `ProducerSlot`).
    #[inline]
    pub(crate) fn peek_raw(&self) -> Option<&[MaybeUninit<u8>]> {
        if self.head == self.cached_tail {
            return None;
        }
        let shared = &*self.shared;
        let offset = self.head & shared.mask();
        // SAFETY: `head < cached_tail`, so a complete frame starts at `head`,
        // published by the Release store of `tail` we Acquire-loaded. Frames
        // are contiguous (see the module docs), 8-byte aligned, and their
        // length is at most `capacity`, so the range is inside the buffer.
        unsafe {
            let frame = shared.buf.as_ptr().add(offset);
            shared.tracker.read(offset, FRAME_HEADER);
            let payload_len = frame.cast::<u64>().read() as usize;
            debug_assert!(payload_len <= shared.capacity);
            shared.tracker.read(offset, frame_len(payload_len));
            Some(std::slice::from_raw_parts(
                frame.add(FRAME_HEADER).cast::<MaybeUninit<u8>>(),
                payload_len,
            ))
        }
    }

    /// Asks the CPU to start loading the ring's bytes `ahead` bytes past
    /// the next record, so that they are in cache when the consumer gets
    /// there (the producer wrote them on another core). A hint: it reads
    /// nothing and cannot fault, whatever those bytes hold.
    #[inline(always)]
    pub(crate) fn prefetch(&self, ahead: usize) {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
        {
            let shared = &*self.shared;
            let offset = self.head.wrapping_add(ahead) & shared.mask();
            // `wrapping_add`: only an address is computed, inside the buffer
            // since `offset` is masked; nothing is dereferenced.
            let address = shared.buf.as_ptr().wrapping_add(offset);
            // SAFETY: `prefetch` only hints the cache; it has no memory
            // effect and does not fault on any address (SSE, checked by the
            // cfg).
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    address.cast::<i8>(),
                );
            }
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
        let _ = ahead;
    }

    /// Marks the record returned by [`peek`](Self::peek) as read.
    ///
    /// Its bytes are handed back to the producer in batches: when
    /// [`release`](Self::release) is called, or automatically once a quarter
    /// of the ring has been read since the last release.
    ///
    /// # Panics
    ///
    /// In debug builds, if there is no peeked record.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut producer, mut consumer) = llt_runtime::ring::ring(1024);
    /// producer.push(b"a").unwrap();
    /// producer.push(b"b").unwrap();
    /// consumer.refresh();
    /// consumer.advance();
    /// assert_eq!(consumer.peek(), Some(&b"b"[..]));
    /// ```
    #[inline]
    pub fn advance(&mut self) {
        let payload_len = self.peek_raw().map_or(0, <[MaybeUninit<u8>]>::len);
        debug_assert!(self.head != self.cached_tail, "advance() without a record");
        if self.head == self.cached_tail {
            return;
        }
        self.head = self.head.wrapping_add(frame_len(payload_len));
        if self.head.wrapping_sub(self.published_head) >= self.shared.capacity / 4 {
            self.release();
        }
    }

    /// Hands every byte read so far back to the producer.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut producer, mut consumer) = llt_runtime::ring::ring(64);
    /// producer.push(&[0; 40]).unwrap();
    /// consumer.refresh();
    /// consumer.advance(); // read; space goes back to the producer in batches
    /// consumer.release(); // hand back everything read so far, now
    /// producer.push(&[1; 40]).unwrap();
    /// ```
    #[inline]
    pub fn release(&mut self) {
        if self.published_head != self.head {
            // Release: our reads of the records before `head` happen before
            // the producer's Acquire load that lets it overwrite them.
            self.shared.head.0.store(self.head, Release);
            self.published_head = self.head;
        }
    }

    /// Reads the oldest record into a new `Vec`, refreshing as needed.
    /// Convenient for tests; the writer uses `peek`/`advance`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut producer, mut consumer) = llt_runtime::ring::ring(1024);
    /// producer.push(b"record").unwrap();
    /// assert_eq!(consumer.pop_copy(), Some(b"record".to_vec()));
    /// assert_eq!(consumer.pop_copy(), None);
    /// ```
    pub fn pop_copy(&mut self) -> Option<Vec<u8>> {
        if self.peek().is_none() && !self.refresh() {
            return None;
        }
        let record = self.peek().map(<[u8]>::to_vec);
        self.advance();
        self.release();
        record
    }

    /// `true` once the producer is gone *and* every record it published has
    /// been read: nothing more will ever arrive, and the ring can be freed.
    ///
    /// # Examples
    ///
    /// ```
    /// let (mut producer, mut consumer) = llt_runtime::ring::ring(1024);
    /// producer.push(b"last").unwrap();
    /// drop(producer);
    /// assert!(!consumer.is_finished()); // a record is left
    /// consumer.pop_copy();
    /// assert!(consumer.is_finished());
    /// ```
    pub fn is_finished(&mut self) -> bool {
        // Acquire: pairs with the Release store in `Producer::drop`, so the
        // refresh below sees the producer's final tail.
        !self.shared.producer_alive.load(Acquire) && !self.refresh()
    }
}
