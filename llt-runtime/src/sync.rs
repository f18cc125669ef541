//! The one place where the ring's atomics and shared pointers come from.
//!
//! Under `RUSTFLAGS="--cfg loom"` they are loom's model-checked types; otherwise
//! std's. Code that must be checked by loom uses only what this module exports
//! (the pattern of tokio's `src/loom/` and crossbeam's `primitive` module).

#[cfg(loom)]
pub(crate) use loom::sync::Arc;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize};

#[cfg(not(loom))]
pub(crate) use std::sync::Arc;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize};

/// Tracks which bytes of a ring buffer each thread touches, so that loom can
/// report a read of bytes that were not published to the reader (a data race
/// on the raw buffer, which loom cannot see by itself).
///
/// Without loom this is a zero-sized no-op that compiles away.
#[derive(Debug)]
pub(crate) struct AccessTracker {
    #[cfg(loom)]
    words: Box<[loom::cell::UnsafeCell<()>]>,
}

/// Granularity of [`AccessTracker`]: one tracked cell per 8 bytes.
#[cfg(loom)]
const TRACK_WORD: usize = 8;

impl AccessTracker {
    /// A tracker for a buffer of `len` bytes.
    #[cfg_attr(not(loom), allow(unused_variables))]
    pub(crate) fn new(len: usize) -> Self {
        #[cfg(loom)]
        {
            let words = (0..len.div_ceil(TRACK_WORD))
                .map(|_| loom::cell::UnsafeCell::new(()))
                .collect();
            Self { words }
        }
        #[cfg(not(loom))]
        Self {}
    }

    /// Records a write of the physical byte range `start .. start + len`.
    #[cfg_attr(not(loom), allow(unused_variables))]
    #[inline(always)]
    pub(crate) fn write(&self, start: usize, len: usize) {
        #[cfg(loom)]
        for word in &self.words[start / TRACK_WORD..(start + len).div_ceil(TRACK_WORD)] {
            word.with_mut(|_| ());
        }
    }

    /// Records a read of the physical byte range `start .. start + len`.
    #[cfg_attr(not(loom), allow(unused_variables))]
    #[inline(always)]
    pub(crate) fn read(&self, start: usize, len: usize) {
        #[cfg(loom)]
        for word in &self.words[start / TRACK_WORD..(start + len).div_ceil(TRACK_WORD)] {
            word.with(|_| ());
        }
    }
}
