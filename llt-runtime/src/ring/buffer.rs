//! A ring's buffer: where its `2 * capacity` bytes come from, the global
//! allocator or (for 16 KiB and more, where the target has `mmap`) a
//! private anonymous mapping, how they go back, and how the first pages
//! are made resident before the first push. Why, and what stays resident,
//! is in the [ring's docs on memory](super#memory).

use std::alloc::{self, Layout};
use std::ptr::NonNull;

/// Buffers (`2 * capacity` bytes) at least this long are mapped from the
/// kernel where `mmap` is available; smaller ones come from the allocator.
const MAP_MIN_LEN: usize = 16 * 1024;

/// At most this many bytes of a new ring are touched when it is created.
const PREFAULT_MAX: usize = 1 << 20;

/// Step of [`prefault`]: the smallest page size of the supported targets.
const PAGE: usize = 4096;

/// Layout of a buffer of `len` bytes from the allocator.
fn buffer_layout(len: usize) -> Layout {
    Layout::from_size_align(len, 128).expect("capacity is bounded by MAX_CAPACITY")
}

/// Whether a buffer of `len` bytes is mapped rather than allocated.
fn is_mapped(len: usize) -> bool {
    map::AVAILABLE && len >= MAP_MIN_LEN
}

/// A new, uninitialised buffer of `len` bytes, aligned to 128 (see the
/// [ring's docs on memory](super#memory)). Aborts like `alloc` if memory
/// is exhausted.
pub(super) fn allocate(len: usize) -> NonNull<u8> {
    if is_mapped(len) {
        return map::map(len).unwrap_or_else(|| alloc::handle_alloc_error(buffer_layout(len)));
    }
    let layout = buffer_layout(len);
    // SAFETY: the layout has a non-zero size (at least 2 * MIN_CAPACITY).
    let raw = unsafe { alloc::alloc(layout) };
    NonNull::new(raw).unwrap_or_else(|| alloc::handle_alloc_error(layout))
}

/// Frees a buffer.
///
/// # Safety
///
/// `buf` must come from [`allocate`]`(len)`, and is not used again.
pub(super) unsafe fn free(buf: NonNull<u8>, len: usize) {
    if is_mapped(len) {
        // SAFETY: forwarded: `allocate(len)` mapped it.
        unsafe { map::unmap(buf, len) };
    } else {
        // SAFETY: forwarded: `allocate(len)` allocated it with this layout.
        unsafe { alloc::dealloc(buf.as_ptr(), buffer_layout(len)) }
    }
}

/// Private anonymous mappings, whose pages the kernel zero-fills on first
/// touch (so untouched pages are not resident).
#[cfg(all(unix, not(loom)))]
mod map {
    use std::ptr::{self, NonNull};

    /// Whether buffers can be mapped on this target.
    pub(super) const AVAILABLE: bool = true;

    /// Maps `len` bytes of fresh memory, page aligned; `None` if the kernel
    /// refuses.
    pub(super) fn map(len: usize) -> Option<NonNull<u8>> {
        // SAFETY: a new private anonymous mapping at an address the kernel
        // chooses: it aliases no existing memory.
        let addr = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if addr == libc::MAP_FAILED {
            return None;
        }
        NonNull::new(addr.cast())
    }

    /// Unmaps a buffer.
    ///
    /// # Safety
    ///
    /// `buf` must come from [`map`]`(len)`, and is not used again.
    pub(super) unsafe fn unmap(buf: NonNull<u8>, len: usize) {
        // SAFETY: the caller's contract: exactly a mapping of ours, unused
        // from now on. It cannot fail for a whole mapping we made.
        let result = unsafe { libc::munmap(buf.as_ptr().cast(), len) };
        debug_assert_eq!(result, 0, "munmap of a ring buffer failed");
    }
}

/// No mappings here (or under loom, which models the ring with small
/// buffers): every buffer comes from the allocator.
#[cfg(not(all(unix, not(loom))))]
mod map {
    use std::ptr::NonNull;

    /// Whether buffers can be mapped on this target.
    pub(super) const AVAILABLE: bool = false;

    /// Never called: [`AVAILABLE`] is false.
    pub(super) fn map(_len: usize) -> Option<NonNull<u8>> {
        None
    }

    /// Never called: [`AVAILABLE`] is false.
    ///
    /// # Safety
    ///
    /// None needed; it does nothing.
    pub(super) unsafe fn unmap(_buf: NonNull<u8>, _len: usize) {}
}

/// Writes a byte to every page of the first [`PREFAULT_MAX`] bytes of the
/// buffer's first half, so that the producer's first lap over them takes
/// no page faults on the hot path (see the [ring's docs on
/// memory](super#memory)).
pub(super) fn prefault(buf: NonNull<u8>, capacity: usize) {
    for offset in (0..capacity.min(PREFAULT_MAX)).step_by(PAGE) {
        // SAFETY: `offset < capacity`, inside the buffer, which no other
        // thread can see yet. The value does not matter (the producer
        // writes every byte before it is read); the volatile write cannot
        // be optimised away, so it makes the page resident.
        unsafe { buf.as_ptr().add(offset).write_volatile(0) }
    }
}
