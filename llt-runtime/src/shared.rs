//! The state a logger's handles, its logging threads and its writer thread
//! share.
//!
//! Every `Logger` clone points to one [`Inner`]; `Inner` and the writer
//! thread both hold the [`Shared`] state: the rings new threads hand over,
//! the counters, flush requests and the shutdown flag. Modules that need
//! this state (`local`, `sink`, `exit`, `writer`) import it from here, and
//! `logger` builds on all of them, so imports run one way.

use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::interest::FilterState;
use crate::ring::Consumer;

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
    done: Condvar,
}

/// One thread's ring, as the writer sees it: its consumer end and whose it is.
#[derive(Debug)]
pub(crate) struct ThreadRing {
    pub(crate) consumer: Consumer,
    /// The thread's name, or its `ThreadId` when it has none.
    pub(crate) thread: Box<str>,
}

/// State shared by the handles, the per-thread producers and the writer.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Rings created by threads, not yet picked up by the writer.
    pending: Mutex<Vec<ThreadRing>>,
    /// `pending.len()`, readable without the lock. Release on push, Acquire
    /// on the writer's check, so a non-zero count means the rings are there.
    pending_count: AtomicUsize,
    pub(crate) counters: Counters,
    flush: FlushState,
    /// Set when the last handle is dropped; the writer drains and exits.
    /// Release/Acquire: everything logged before the drop is visible to the
    /// writer once it sees the flag.
    shutdown: AtomicBool,
    /// `false` once the writer thread has exited (normally or not).
    /// Release when the writer exits, Acquire in `flush`: a waiter that sees
    /// `false` knows no flush will complete and stops waiting.
    writer_alive: AtomicBool,
    pub(crate) writer_thread: OnceLock<Thread>,
}

impl Shared {
    pub(crate) fn new() -> Self {
        Shared {
            pending: Mutex::new(Vec::new()),
            pending_count: AtomicUsize::new(0),
            counters: Counters::default(),
            flush: FlushState::default(),
            shutdown: AtomicBool::new(false),
            writer_alive: AtomicBool::new(true),
            writer_thread: OnceLock::new(),
        }
    }

    /// Hands a new ring of the calling thread to the writer.
    pub(crate) fn register(&self, consumer: Consumer) {
        let current = thread::current();
        let thread = match current.name() {
            Some(name) => name.into(),
            None => format!("{:?}", current.id()).into(),
        };
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.push(ThreadRing { consumer, thread });
        self.pending_count.store(pending.len(), Release);
    }

    /// Rings registered since the last call (for the writer).
    pub(crate) fn take_pending(&self, into: &mut Vec<ThreadRing>) {
        if self.pending_count.load(Acquire) == 0 {
            return;
        }
        let taken = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            self.pending_count.store(0, Release);
            std::mem::take(&mut *pending)
        };
        // Outside the lock: growing `into` allocates, and an allocator that
        // logs from this thread would register a ring, taking the lock.
        into.extend(taken);
    }

    pub(crate) fn shutdown_requested(&self) -> bool {
        self.shutdown.load(Acquire)
    }

    /// The newest flush ticket (for the writer, at the start of a pass).
    pub(crate) fn flush_requested(&self) -> u64 {
        // Acquire: pairs with the AcqRel increment in `flush`, so every
        // record published before that call is visible to this pass.
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
        }
        self.flush.done.notify_all();
    }

    /// Called by the writer thread as it exits, even by unwinding.
    pub(crate) fn writer_exited(&self) {
        self.writer_alive.store(false, Release);
        let _completed = self
            .flush
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.flush.done.notify_all();
    }

    pub(crate) fn wake_writer(&self) {
        if let Some(thread) = self.writer_thread.get() {
            thread.unpark();
        }
    }

    fn is_writer_thread(&self) -> bool {
        self.writer_thread
            .get()
            .is_some_and(|t| t.id() == thread::current().id())
    }

    /// Waits until everything logged before the call is written and the
    /// sink flushed, or `timeout` passed. Returns whether it completed.
    pub(crate) fn flush(&self, timeout: Option<Duration>) -> bool {
        if self.is_writer_thread() {
            // The writer cannot wait for itself (a `Display` impl that
            // flushes); its current pass writes these lines anyway.
            return false;
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        let ticket = self.flush.requested.fetch_add(1, AcqRel) + 1;
        self.wake_writer();
        let mut completed = self
            .flush
            .completed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *completed < ticket {
            if !self.writer_alive.load(Acquire) {
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
/// drains every ring and joins the writer.
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
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Release);
        self.shared.wake_writer();
        let handle = self
            .writer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle
            && handle.thread().id() != thread::current().id()
        {
            // A panic in the writer was already reported by the panic hook.
            let _ = handle.join();
        }
    }
}

