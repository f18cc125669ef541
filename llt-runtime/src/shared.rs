//! The state a logger's handles, its logging threads and its writer thread
//! share.
//!
//! Every `Logger` clone points to one [`Inner`]; `Inner` and the writer
//! thread both hold the [`Shared`] state: the rings new threads hand over,
//! the counters, flush requests and the shutdown flag. Modules that need
//! this state (`local`, `sink`, `exit`, `writer`) import it from here, and
//! `logger` builds on all of them, so imports run one way.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{self, JoinHandle, ThreadId};
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::doorbell::Doorbell;
use crate::interest::FilterState;
use crate::registry::Registry;
use crate::ring::{Consumer, Producer, RingMonitor};

/// Counters that tell whether every line made it.
///
/// Once the program has stopped logging and called [`Logger::flush`](crate::Logger::flush),
/// `lines logged == written + dropped + lines_lost`.
///
/// # Examples
///
/// ```
/// let logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
/// logger.log("one");
/// logger.flush();
/// let stats = logger.stats();
/// assert_eq!((stats.written, stats.dropped), (1, 0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Lines not logged because the thread's ring was full, the record was
    /// larger than the ring, or the thread was exiting.
    pub dropped: u64,
    /// Lines handed to the sink successfully.
    pub written: u64,
    /// Lines formatted but lost because the sink returned an error.
    pub lines_lost: u64,
    /// Failed `write` or `flush` calls on the sink.
    pub sink_errors: u64,
    /// Lines whose formatting panicked or returned an error; each was
    /// replaced by a marker line (and is counted in `written` too).
    pub format_errors: u64,
}

/// Counters shared by producers (dropped) and the writer (the rest).
/// All are plain event counts: Relaxed is enough, because readers that need
/// an exact total synchronise with the writer through `flush()` or `join`.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) dropped: AtomicU64,
    pub(crate) written: AtomicU64,
    pub(crate) lines_lost: AtomicU64,
    pub(crate) sink_errors: AtomicU64,
    pub(crate) format_errors: AtomicU64,
}

/// Flush requests: tickets taken by callers, completed by the writer.
#[derive(Debug, Default)]
struct FlushState {
    /// Tickets handed out so far.
    requested: AtomicU64,
    /// Highest ticket whose lines are written and whose sink is flushed.
    completed: Mutex<u64>,
    /// The same, readable without the lock (by the crash handler, which
    /// polls it). Release by the writer, Acquire by readers: the lines of a
    /// completed ticket are in the sink.
    completed_ticket: AtomicU64,
    done: Condvar,
}

/// One thread's ring, as the writer sees it: its consumer end and whose it is.
#[derive(Debug)]
pub(crate) struct ThreadRing {
    pub(crate) consumer: Consumer,
    /// The thread's name, or its `ThreadId` when it has none.
    pub(crate) thread: Box<str>,
    /// How to make the thread's next log call take the slow path (which
    /// wakes a sleeping writer); `None` for late rings.
    pub(crate) wake_trap: Option<WakeTrap>,
    /// A late ring's producer (see `local::late_ring`), kept by the writer
    /// until it has read the ring's one record; dropping it then finishes
    /// the ring. The logging thread pushes through its slot meanwhile: it
    /// is the only pusher, and the writer never pushes.
    pub(crate) late_producer: Option<Producer>,
}

impl ThreadRing {
    /// Makes the owning thread's next log call take the slow path, if the
    /// thread is still there.
    pub(crate) fn set_wake_trap(&self) {
        if let Some(trap) = self.wake_trap {
            self.consumer.with_producer_thread(|| {
                // SAFETY: inside `with_producer_thread`, the thread has not
                // detached, so its thread-locals are alive.
                unsafe { trap.set() }
            });
        }
    }
}

/// Where a writer stores 0 to make one thread's next log call take the slow
/// path: that thread's cached logger id (see `local`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WakeTrap(*const AtomicU64);

// SAFETY: the pointer is only dereferenced by `set`, whose caller
// guarantees that the thread-local it points to is still there.
unsafe impl Send for WakeTrap {}

impl WakeTrap {
    /// # Safety
    ///
    /// `word` must stay valid until every ring registered with this trap
    /// has been detached from its thread (`Producer::detach_thread`).
    pub(crate) unsafe fn new(word: *const AtomicU64) -> WakeTrap {
        WakeTrap(word)
    }

    /// Sets the trap.
    ///
    /// # Safety
    ///
    /// Call it inside `Consumer::with_producer_thread` of a ring registered
    /// with this trap: the thread has not detached, so the word is valid.
    unsafe fn set(self) {
        // SAFETY: valid per the contract; an atomic, so the owning thread's
        // concurrent loads and stores are fine. Release: ordered after the
        // writer's announcement of its sleep.
        unsafe { (*self.0).store(0, Ordering::Release) };
    }
}

/// The rings threads have created, under one lock.
#[derive(Debug, Default)]
struct Rings {
    /// Not yet picked up by the writer.
    pending: Vec<ThreadRing>,
    /// Every ring not known to be finished, to count what a stuck writer
    /// left unwritten (see [`Shared::abandon_stuck_writer`]).
    monitors: Vec<RingMonitor>,
}

/// Every live logger, for the exit hook, the crash handler and the fork
/// handler.
pub(crate) static LOGGERS: Registry<Shared> = Registry::new();

/// How a logger behaves when the program ends or crashes (from the builder).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EndPolicy {
    /// The crash handler drains this logger.
    pub(crate) drain_on_crash: bool,
    /// How long dropping the last handle, and the exit hook, wait for the
    /// writer before giving up on it.
    pub(crate) exit_timeout: Duration,
}

/// State shared by the handles, the per-thread producers and the writer.
#[derive(Debug)]
pub(crate) struct Shared {
    rings: Mutex<Rings>,
    /// `rings.pending.len()`, readable without the lock. Release on push,
    /// Acquire on the writer's check, so a non-zero count means the rings
    /// are there.
    pending_count: AtomicUsize,
    pub(crate) counters: Counters,
    flush: FlushState,
    /// Set when the last handle is dropped; the writer drains and exits.
    /// Release/Acquire: everything logged before the drop is visible to the
    /// writer once it sees the flag.
    shutdown: AtomicBool,
    /// `false` once the writer thread has exited (normally or not), or
    /// does not exist (in a forked child). Release when set, Acquire when
    /// read: a waiter that sees `false` knows no flush will complete.
    writer_alive: AtomicBool,
    /// Set in a `fork()`ed child: the writer thread stayed in the parent.
    /// Every line logged here is counted as dropped; nothing waits.
    orphaned: AtomicBool,
    /// Set once a thread stopped waiting for a writer stuck in its sink and
    /// counted what it left as lost; the writer then counts nothing more.
    abandoned: AtomicBool,
    /// Lines in the batch the writer is handing to the sink right now.
    /// Relaxed: read only to count what a stuck writer left behind.
    pub(crate) in_flight: AtomicU64,
    /// The newest flush ticket a crash handler took; the handler waits for
    /// it. Relaxed: only the handlers read it, after their own `fetch_max`.
    pub(crate) crash_ticket: AtomicU64,
    /// Where the writer sleeps, rung by flushes, shutdown, crashes and (after
    /// a quiet period) the first log call.
    pub(crate) doorbell: Arc<Doorbell>,
    pub(crate) end: EndPolicy,
    writer_thread: OnceLock<ThreadId>,
}

impl Shared {
    pub(crate) fn new(end: EndPolicy) -> Self {
        Shared {
            rings: Mutex::new(Rings::default()),
            pending_count: AtomicUsize::new(0),
            counters: Counters::default(),
            flush: FlushState::default(),
            shutdown: AtomicBool::new(false),
            writer_alive: AtomicBool::new(true),
            orphaned: AtomicBool::new(false),
            abandoned: AtomicBool::new(false),
            in_flight: AtomicU64::new(0),
            crash_ticket: AtomicU64::new(0),
            doorbell: Arc::new(Doorbell::new()),
            end,
            writer_thread: OnceLock::new(),
        }
    }

    fn rings(&self) -> MutexGuard<'_, Rings> {
        self.rings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands a new ring of the calling thread to the writer. If the writer
    /// is gone, the ring is abandoned at once: its pushes are refused and
    /// counted as dropped.
    pub(crate) fn register(&self, consumer: Consumer, wake_trap: WakeTrap) {
        let current = thread::current();
        let thread = match current.name() {
            Some(name) => name.into(),
            None => format!("{:?}", current.id()).into(),
        };
        self.add_ring(ThreadRing {
            consumer,
            thread,
            wake_trap: Some(wake_trap),
            late_producer: None,
        });
    }

    /// Hands a late ring to the writer (see `local::late_ring`), with its
    /// producer, which the writer drops once it has read the record.
    pub(crate) fn register_late(&self, consumer: Consumer, producer: Producer, thread: Box<str>) {
        self.add_ring(ThreadRing {
            consumer,
            thread,
            wake_trap: None,
            late_producer: Some(producer),
        });
    }

    fn add_ring(&self, mut ring: ThreadRing) {
        let mut rings = self.rings();
        // Under the lock: the writer marks itself gone, then takes the
        // pending rings under it, so a ring is either taken or refused here.
        if !self.writer_alive.load(Acquire) {
            ring.consumer.abandon();
            return;
        }
        rings.monitors.retain(|m| !m.is_done());
        rings.monitors.push(ring.consumer.monitor());
        rings.pending.push(ring);
        self.pending_count.store(rings.pending.len(), Release);
        drop(rings);
        // A writer in deep sleep would not look at this ring before its
        // timeout (it set no wake trap in it): wake it. This is a thread's
        // first log, not the hot path.
        self.doorbell.ring();
    }

    /// Rings registered since the last call (for the writer).
    pub(crate) fn take_pending(&self, into: &mut Vec<ThreadRing>) {
        if self.pending_count.load(Acquire) == 0 {
            return;
        }
        let taken = {
            let mut rings = self.rings();
            self.pending_count.store(0, Release);
            std::mem::take(&mut rings.pending)
        };
        // Outside the lock: growing `into` allocates, and an allocator that
        // logs from this thread would register a ring, taking the lock.
        into.extend(taken);
    }

    /// Whether rings wait to be picked up (for the writer's last check
    /// before sleeping).
    pub(crate) fn has_pending(&self) -> bool {
        self.pending_count.load(Acquire) != 0
    }

    pub(crate) fn shutdown_requested(&self) -> bool {
        self.shutdown.load(Acquire)
    }

    /// The newest flush ticket (for the writer, at the start of a pass).
    pub(crate) fn flush_requested(&self) -> u64 {
        // Acquire: pairs with the AcqRel increment in `request_drain`, so
        // every record published before that call is visible to this pass.
        self.flush.requested.load(Acquire)
    }

    /// Marks flush tickets up to `ticket` as done (for the writer).
    pub(crate) fn complete_flush(&self, ticket: u64) {
        let mut completed = self
            .flush
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if *completed < ticket {
            *completed = ticket;
            self.flush.completed_ticket.store(ticket, Release);
        }
        self.flush.done.notify_all();
    }

    /// Records that the writer thread runs on the calling thread.
    pub(crate) fn set_writer_thread(&self) {
        let _ = self.writer_thread.set(thread::current().id());
    }

    /// Called by the writer as it exits, even by unwinding: marks it gone
    /// and moves the rings no one picked up into `into`. A ring registered
    /// later is abandoned at once (see [`register`](Self::register)).
    pub(crate) fn stop_registration(&self, into: &mut Vec<ThreadRing>) {
        let mut rings = self.rings();
        // Release: pairs with the Acquire loads in `writer_gone`.
        self.writer_alive.store(false, Release);
        self.pending_count.store(0, Release);
        into.append(&mut rings.pending);
    }

    /// Tells every waiter that the writer has exited (after it counted
    /// what it left, so their `stats()` are final).
    pub(crate) fn notify_writer_exited(&self) {
        let _completed = self
            .flush
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.flush.done.notify_all();
    }

    /// Whether the writer exited (or never existed in this process).
    pub(crate) fn writer_gone(&self) -> bool {
        !self.writer_alive.load(Acquire)
    }

    /// Whether this is a `fork()`ed child's copy of a logger.
    pub(crate) fn is_orphaned(&self) -> bool {
        self.orphaned.load(Acquire)
    }

    /// In a forked child (called by the `fork` handler on the only thread):
    /// the writer thread is not here; nothing may wait for it and no lock
    /// it might have held may be taken.
    pub(crate) fn orphan(&self) {
        // Release: pairs with the Acquire loads in `is_orphaned`/`writer_gone`.
        self.orphaned.store(true, Release);
        self.writer_alive.store(false, Release);
    }

    /// Whether the writer was given up on (stuck in its sink).
    pub(crate) fn is_abandoned(&self) -> bool {
        self.abandoned.load(Acquire)
    }

    fn is_writer_thread(&self) -> bool {
        self.writer_thread
            .get()
            .is_some_and(|&id| id == thread::current().id())
    }

    /// Takes a flush ticket and wakes the writer; the ticket is done when
    /// [`drained`](Self::drained) says so. Async-signal-safe: one atomic
    /// increment and a doorbell ring.
    pub(crate) fn request_drain(&self) -> u64 {
        // AcqRel: the Release half publishes every record this thread pushed
        // before to the writer's Acquire load of the ticket.
        let ticket = self.flush.requested.fetch_add(1, AcqRel) + 1;
        self.doorbell.ring();
        ticket
    }

    /// Whether the lines of `ticket` are in the sink, or will never be (the
    /// writer is gone). Async-signal-safe.
    pub(crate) fn drained(&self, ticket: u64) -> bool {
        self.flush.completed_ticket.load(Acquire) >= ticket || self.writer_gone()
    }

    /// Waits until everything logged before the call is written and the
    /// sink flushed, or `timeout` passed. Returns whether it completed.
    pub(crate) fn flush(&self, timeout: Option<Duration>) -> bool {
        if self.is_orphaned() || self.is_writer_thread() {
            // A forked child has no writer. And the writer cannot wait for
            // itself (a `Display` impl that flushes); its current pass
            // writes these lines anyway.
            return false;
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        let ticket = self.request_drain();
        let mut completed = self
            .flush
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *completed < ticket {
            if self.writer_gone() {
                return false;
            }
            let wait = match deadline {
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) => left.min(Duration::from_millis(50)),
                    None => return false,
                },
                None => Duration::from_millis(50),
            };
            completed = self
                .flush
                .done
                .wait_timeout(completed, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Waits until the writer thread has exited, at most until `deadline`.
    /// Returns whether it did.
    fn wait_writer_exit(&self, deadline: Instant) -> bool {
        let mut completed = self
            .flush
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while !self.writer_gone() {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            completed = self
                .flush
                .done
                .wait_timeout(completed, left.min(Duration::from_millis(50)))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    /// Gives up on a writer that did not finish in time (its sink is
    /// stuck): counts every line it has not written as lost and says so on
    /// stderr, once. `when` completes the sentence "... within {timeout}".
    pub(crate) fn abandon_stuck_writer(&self, when: &str) {
        if self.abandoned.swap(true, AcqRel) || self.writer_gone() {
            return;
        }
        let queued: u64 = self.rings().monitors.iter().map(RingMonitor::unread).sum();
        let unwritten = queued + self.in_flight.load(Relaxed);
        self.counters.lines_lost.fetch_add(unwritten, Relaxed);
        let _ = writeln!(
            std::io::stderr(),
            "llt: {unwritten} lines not written: the sink did not take them within {:?} {when}; \
             they are counted in lines_lost",
            self.end.exit_timeout
        );
    }

    /// Asks the writer to write everything and exit, and waits for it at
    /// most the logger's exit timeout; gives up on it (counting what it did
    /// not write) after that. `handle` is the writer's join handle.
    fn shut_down(&self, handle: Option<JoinHandle<()>>) {
        self.shutdown.store(true, Release);
        self.doorbell.ring();
        if self.is_orphaned() {
            // The handle names a thread of the parent process: joining or
            // detaching it here would act on a thread that does not exist.
            std::mem::forget(handle);
            return;
        }
        if self.is_writer_thread() {
            // Dropped from a `Display` on the writer: it exits after this
            // pass by itself (the handle is detached).
            return;
        }
        let deadline = Instant::now() + self.end.exit_timeout;
        if self.wait_writer_exit(deadline) {
            if let Some(handle) = handle {
                // A panic in the writer was already reported by the panic hook.
                let _ = handle.join();
            }
        } else {
            self.abandon_stuck_writer("when the last handle was dropped");
        }
    }

    pub(crate) fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            dropped: c.dropped.load(Relaxed),
            written: c.written.load(Relaxed),
            lines_lost: c.lines_lost.load(Relaxed),
            sink_errors: c.sink_errors.load(Relaxed),
            format_errors: c.format_errors.load(Relaxed),
        }
    }
}

/// What a handle points to. Dropping it (with the last `Logger` clone)
/// drains every ring and joins the writer, waiting at most the exit timeout.
#[derive(Debug)]
pub(crate) struct Inner {
    /// Unique for the life of the process (never reused), so a thread's
    /// cached producer can never be mistaken for another logger's.
    pub(crate) id: u64,
    /// The runtime filter (levels per module).
    pub(crate) filter: FilterState,
    pub(crate) clock: Clock,
    /// Size of each thread's ring in bytes (a power of two).
    pub(crate) ring_bytes: usize,
    pub(crate) shared: Arc<Shared>,
    pub(crate) writer: Mutex<Option<JoinHandle<()>>>,
    /// This logger's slot in the registry of live loggers, if it got one.
    pub(crate) registry_slot: Option<usize>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let handle = self
            .writer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.shared.shut_down(handle);
        if let Some(slot) = self.registry_slot {
            LOGGERS.remove(slot);
        }
    }
}
