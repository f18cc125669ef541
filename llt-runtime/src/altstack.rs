//! Alternate signal stacks large enough for llt's crash handler.
//!
//! A signal handler installed with `SA_ONSTACK` runs on the thread's
//! alternate stack. Rust gives each thread it starts one of about 8 KiB,
//! enough for its own stack-overflow handler but not for llt's handler plus
//! the one it chains to (in debug builds, whose frames are large), nor for
//! a writer that drains in place after a crash on its own thread. Threads
//! that log get a 64 KiB one at their first log, writer threads 256 KiB;
//! each is put back as it was when the thread is done with it.

/// A larger alternate signal stack for a writer thread, so that an in-place
/// drain after a crash on it has room to format and write. Restores the
/// thread's previous alternate stack when dropped.
#[derive(Debug)]
pub(crate) struct AltStack {
    previous: libc::stack_t,
    base: *mut libc::c_void,
    len: usize,
}

/// Size of a writer's alternate signal stack.
const WRITER_ALT_STACK_BYTES: usize = 256 * 1024;

/// Size of a logging thread's alternate signal stack: room for llt's
/// handler *and* the one it chains to (Rust's stack-overflow handler prints
/// its message, then aborts, which runs llt's handler again, nested), also
/// in debug builds, whose frames are large. Rust's own is 8 KiB or so.
const THREAD_ALT_STACK_BYTES: usize = 64 * 1024;

impl AltStack {
    /// Installs a 256 KiB one on a writer thread; `None` if that fails (the
    /// thread then keeps the stack it had).
    pub(crate) fn for_writer() -> Option<AltStack> {
        Self::install(WRITER_ALT_STACK_BYTES)
    }

    /// Installs a 64 KiB one on a thread that logs, unless its alternate
    /// stack is that large already.
    pub(crate) fn for_logging_thread() -> Option<AltStack> {
        // SAFETY: a null new stack only reads the current one into `current`,
        // a zeroed (valid) stack_t.
        let current = unsafe {
            let mut current: libc::stack_t = std::mem::zeroed();
            libc::sigaltstack(std::ptr::null(), &mut current);
            current
        };
        if current.ss_flags & libc::SS_DISABLE == 0 && current.ss_size >= THREAD_ALT_STACK_BYTES {
            return None;
        }
        Self::install(THREAD_ALT_STACK_BYTES)
    }

    fn install(bytes: usize) -> Option<AltStack> {
        // SAFETY: an anonymous private mapping of fresh pages; checked below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        let stack = libc::stack_t {
            ss_sp: base,
            ss_flags: 0,
            ss_size: bytes,
        };
        // SAFETY: a zeroed stack_t is a valid value to receive the previous
        // one; `stack` describes the mapping above, which outlives its use
        // (it is unmapped only after the previous stack is restored in
        // `drop`).
        let (installed, previous) = unsafe {
            let mut previous: libc::stack_t = std::mem::zeroed();
            (libc::sigaltstack(&stack, &mut previous) == 0, previous)
        };
        if !installed {
            // SAFETY: the mapping is ours and unused.
            unsafe { libc::munmap(base, bytes) };
            return None;
        }
        Some(AltStack {
            previous,
            base,
            len: bytes,
        })
    }
}

impl Drop for AltStack {
    /// If the thread's alternate stack is still this one, puts back the one
    /// it replaced (or none); then unmaps this one. (On a thread Rust
    /// started, Rust's own stack is disabled and freed when the thread's
    /// main function returns, which is before thread-locals are destroyed:
    /// a logging thread's stack, kept in a thread-local, finds itself
    /// disabled by then, and the stale previous one is not put back.)
    fn drop(&mut self) {
        // SAFETY: we are not running on the alternate stack (this is plain
        // code, not a handler), so it can be replaced or disabled, and then
        // unmapped; `current` is a zeroed (valid) stack_t to read into.
        unsafe {
            let mut current: libc::stack_t = std::mem::zeroed();
            libc::sigaltstack(std::ptr::null(), &mut current);
            if current.ss_sp != self.base || current.ss_flags & libc::SS_DISABLE != 0 {
                // Not ours any more: leave it.
            } else if self.previous.ss_flags & libc::SS_DISABLE != 0
                || self.previous.ss_sp.is_null()
            {
                let disable = libc::stack_t {
                    ss_sp: std::ptr::null_mut(),
                    ss_flags: libc::SS_DISABLE,
                    ss_size: 0,
                };
                libc::sigaltstack(&disable, std::ptr::null_mut());
            } else {
                libc::sigaltstack(&self.previous, std::ptr::null_mut());
            }
            libc::munmap(self.base, self.len);
        }
    }
}
