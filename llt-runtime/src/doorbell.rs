//! How a sleeping writer thread is woken.
//!
//! The writer sleeps on a [`Doorbell`]: a futex word on Linux (a parked
//! thread elsewhere) that `flush`, the last handle's drop, the crash handler
//! and, after a long quiet period, the first log call ring. Ringing is one
//! atomic swap, plus one `futex` wake only when the writer is really asleep,
//! and it takes no lock and allocates nothing, so a signal handler may ring
//! it (see `man 7 signal-safety`: `syscall` of `FUTEX_WAKE` touches nothing
//! but the word).
//!
//! The protocol is the usual "announce, re-check, sleep" one: the writer
//! stores [`ASLEEP`], re-checks every condition that would wake it, and only
//! then waits for the word to change; a waker first makes its condition
//! true, then swaps in [`AWAKE`] and wakes the futex if it saw `ASLEEP`.
//! Both sides put a `SeqCst` fence (or a `SeqCst` RMW) between their store
//! and their load, so at least one of them sees the other's store and no
//! wake-up is lost.

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::time::Duration;

/// The writer is running (or about to re-check before sleeping).
const AWAKE: u32 = 0;
/// The writer announced that it sleeps, and will unless woken.
const ASLEEP: u32 = 1;

/// A futex word the writer sleeps on.
#[derive(Debug, Default)]
pub(crate) struct Doorbell {
    state: AtomicU32,
}

impl Doorbell {
    pub(crate) const fn new() -> Self {
        Doorbell {
            state: AtomicU32::new(AWAKE),
        }
    }

    /// Announces that the writer is about to sleep. The caller then
    /// re-checks its wake conditions and calls [`sleep`](Self::sleep) (or
    /// [`cancel`](Self::cancel) if it found work).
    pub(crate) fn announce_sleep(&self) {
        // SeqCst store, then the caller's loads of the wake conditions come
        // after it in the single total order: a waker whose condition store
        // preceded our loads is seen by them; one that came later sees
        // `ASLEEP` in its swap.
        self.state.store(ASLEEP, SeqCst);
        std::sync::atomic::fence(SeqCst);
    }

    /// The writer found work after announcing: it stays awake.
    pub(crate) fn cancel(&self) {
        // Relaxed: only the writer's own later loads depend on it, and a
        // waker that swaps first finds `AWAKE` either way.
        self.state.store(AWAKE, Relaxed);
    }

    /// Sleeps until rung or `timeout` passes (spurious wake-ups possible),
    /// then marks the writer awake. Returns whether it was rung.
    pub(crate) fn sleep(&self, timeout: Duration) -> bool {
        wait_while(&self.state, ASLEEP, timeout);
        // Relaxed: only whether a waker swapped in AWAKE matters here.
        self.state.swap(AWAKE, Relaxed) == AWAKE
    }

    /// Whether the writer has announced that it sleeps (for producers that
    /// decide whether to ring; they fence before this load).
    pub(crate) fn is_asleep(&self) -> bool {
        // Relaxed: the caller orders it with a SeqCst fence after making its
        // wake condition visible.
        self.state.load(Relaxed) == ASLEEP
    }

    /// Wakes the writer if it sleeps. Async-signal-safe.
    pub(crate) fn ring(&self) {
        // SeqCst RMW: ordered after the caller's store of its wake
        // condition, against the writer's `announce_sleep` (see module docs).
        if self.state.swap(AWAKE, SeqCst) == ASLEEP {
            wake(&self.state);
        }
    }
}

#[cfg(target_os = "linux")]
fn wait_while(word: &AtomicU32, value: u32, timeout: Duration) {
    let timeout = libc::timespec {
        tv_sec: timeout.as_secs().min(i32::MAX as u64) as libc::time_t,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: FUTEX_WAIT reads the 4-byte word at a valid, aligned address
    // (an `AtomicU32` we borrow) and a valid timespec; it returns when the
    // word differs from `value`, on a wake, a signal or the timeout.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
            value,
            &timeout as *const libc::timespec,
        );
    }
}

#[cfg(target_os = "linux")]
fn wake(word: &AtomicU32) {
    // SAFETY: FUTEX_WAKE only uses the address as a key; it is a valid
    // `AtomicU32` for the duration of the call.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            1,
        );
    }
}

// Elsewhere: short sleeps re-checking the word. Waking is then only a store,
// which keeps `ring` signal-safe; the price is up to a millisecond of latency.
#[cfg(not(target_os = "linux"))]
fn wait_while(word: &AtomicU32, value: u32, timeout: Duration) {
    let deadline = std::time::Instant::now() + timeout;
    while word.load(Relaxed) == value {
        let now = std::time::Instant::now();
        if now >= deadline {
            return;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(1)));
    }
}

#[cfg(not(target_os = "linux"))]
fn wake(_word: &AtomicU32) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn a_ring_wakes_a_long_sleep() {
        let bell = Arc::new(Doorbell::new());
        let (tx, rx) = std::sync::mpsc::channel();
        let sleeper = {
            let bell = bell.clone();
            std::thread::spawn(move || {
                bell.announce_sleep();
                tx.send(()).unwrap();
                let start = Instant::now();
                assert!(bell.sleep(Duration::from_secs(60)), "rung");
                start.elapsed()
            })
        };
        rx.recv().unwrap();
        // Ring until the sleeper is gone: a ring before it sleeps makes the
        // futex wait return at once, which is what we want too.
        while !sleeper.is_finished() {
            bell.ring();
            std::thread::yield_now();
        }
        assert!(sleeper.join().unwrap() < Duration::from_secs(60));
        assert!(!bell.is_asleep());
    }

    #[test]
    fn a_timeout_ends_the_sleep() {
        let bell = Doorbell::new();
        bell.announce_sleep();
        assert!(bell.is_asleep());
        assert!(!bell.sleep(Duration::from_millis(1)), "not rung");
        assert!(!bell.is_asleep());
    }
}
