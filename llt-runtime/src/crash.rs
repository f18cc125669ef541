//! Writing what is in the rings when the process dies by a signal.
//!
//! # What happens
//!
//! The first logger built with [`Builder::drain_on_crash`] left on (the
//! default) installs a handler for the signals that kill a process:
//!
//! * **Faults and aborts** — `SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE`,
//!   `SIGABRT` (which covers `abort()`, `panic = "abort"` and Rust's "stack
//!   overflow" abort): always.
//! * **Termination requests** — `SIGINT`, `SIGTERM`, `SIGHUP`, `SIGQUIT`:
//!   only when the program left them at their default action (the process
//!   would simply die). A program that handles one itself, or ignores it,
//!   keeps it: llt does not install a handler for it.
//!
//! On such a signal the handler asks every live logger's writer thread to
//! write everything already in the rings and flush its sink, waits for them
//! (at most [`drain_timeout`], default [`DEFAULT_DRAIN_TIMEOUT`]), then hands
//! the signal on: to the handler that was installed before llt's, if any
//! (Rust's own stack-overflow handler, a crash reporter), else by restoring
//! the default action and raising the signal again. So the exit status,
//! the core dump and Rust's own messages are what they would have been
//! without llt; the lines are simply there.
//!
//! # Order with other handlers
//!
//! * A handler installed **before** the first logger is called by llt's,
//!   after the drain.
//! * A handler installed **after** replaces llt's: that is the program's
//!   choice. If it calls the handler it replaced (as `signal-hook` does),
//!   llt's drains for a fault or an abort and then returns to it; for
//!   `SIGINT`/`SIGTERM`/`SIGHUP`/`SIGQUIT` it returns at once, leaving the
//!   program's handler in charge of what happens next.
//!
//! # Signal safety
//!
//! The handler formats nothing, allocates nothing and takes no lock: it
//! reads the lock-free registry of loggers, increments each one's flush
//! ticket, rings its writer's doorbell (an atomic swap and a `futex` wake)
//! and polls for completion with `clock_gettime` and `nanosleep`, all
//! async-signal-safe (`man 7 signal-safety`). It runs on the thread's
//! alternate signal stack when there is one (`SA_ONSTACK`), which Rust gives
//! every thread it starts, so it works after a stack overflow too.
//!
//! The exception is a crash on a writer thread itself (a `Display` impl or a
//! sink that faults): that writer cannot be asked to drain, so the handler
//! finishes its work in place (see `writer::drain_in_place`), formatting on
//! a 256 KiB alternate stack the writer installs for this. That path does
//! run user code in a signal handler; it is bounded by the drain timeout
//! between records, and by an `alarm` as a last resort if it hangs.
//!
//! # Not covered
//!
//! `SIGKILL` (and the OOM killer) cannot be caught: the lines logged in the
//! last moments before it may be lost. The writer's back-off bounds that
//! window (see `IdlePolicy`). A crash inside a sink's `write` loses that
//! logger's unwritten lines (the sink is not called again).
//!
//! [`Builder::drain_on_crash`]: crate::Builder::drain_on_crash

use std::cell::Cell;
use std::sync::Once;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize};
use std::time::{Duration, Instant};

use crate::shared::LOGGERS;

/// How long the crash handler waits for the writers by default.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(3);

/// The drain timeout in nanoseconds. Relaxed: a setting read as a whole.
static DRAIN_TIMEOUT_NANOS: AtomicU64 = AtomicU64::new(3_000_000_000);

/// Sets how long the crash handler waits for the writers to drain before
/// it lets the process die (default [`DEFAULT_DRAIN_TIMEOUT`]).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// llt_runtime::crash::set_drain_timeout(Duration::from_millis(500));
/// assert_eq!(llt_runtime::crash::drain_timeout(), Duration::from_millis(500));
/// # llt_runtime::crash::set_drain_timeout(llt_runtime::crash::DEFAULT_DRAIN_TIMEOUT);
/// ```
pub fn set_drain_timeout(timeout: Duration) {
    let nanos = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX);
    // Relaxed: a setting on its own, read whole; nothing else is published.
    DRAIN_TIMEOUT_NANOS.store(nanos, Relaxed);
}

/// How long the crash handler waits for the writers to drain.
///
/// # Examples
///
/// ```
/// assert!(llt_runtime::crash::drain_timeout() > std::time::Duration::ZERO);
/// ```
pub fn drain_timeout() -> Duration {
    Duration::from_nanos(DRAIN_TIMEOUT_NANOS.load(Relaxed))
}

/// Whether llt's handler is installed for `signal` (for tests and
/// diagnostics): `false` for a signal the program handles or ignores
/// itself, or before the first logger with crash draining was built.
///
/// # Examples
///
/// ```
/// let _logger = llt_runtime::Logger::builder().sink(std::io::sink()).build().unwrap();
/// assert!(llt_runtime::crash::is_installed(libc::SIGSEGV));
/// ```
pub fn is_installed(signal: i32) -> bool {
    index_of(signal).is_some_and(|i| PREVIOUS[i].installed.load(Acquire) != 0)
}

/// Faults and aborts: always handled, and chained.
const FATAL: [libc::c_int; 5] = [
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGILL,
    libc::SIGFPE,
    libc::SIGABRT,
];
/// Termination requests: handled only while at their default action.
const TERMINATING: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// The disposition a signal had before llt's handler.
struct Previous {
    /// 1 once llt's handler is installed for the signal. Release when set,
    /// Acquire when read: `handler` and `flags` are then visible.
    installed: AtomicUsize,
    /// `sa_sigaction` of the previous action (`SIG_DFL`, or a function).
    handler: AtomicUsize,
    /// `sa_flags` of the previous action.
    flags: AtomicI32,
}

static PREVIOUS: [Previous; 9] = [const {
    Previous {
        installed: AtomicUsize::new(0),
        handler: AtomicUsize::new(0),
        flags: AtomicI32::new(0),
    }
}; 9];

fn index_of(signal: libc::c_int) -> Option<usize> {
    FATAL
        .iter()
        .chain(TERMINATING.iter())
        .position(|&s| s == signal)
}

static INSTALL: Once = Once::new();

/// Installs the handlers (once per process).
pub(crate) fn install() {
    INSTALL.call_once(|| {
        for (index, &signal) in FATAL.iter().chain(TERMINATING.iter()).enumerate() {
            install_one(index, signal, TERMINATING.contains(&signal));
        }
    });
}

/// The action installed for `signal` now. Async-signal-safe.
fn current_action(signal: libc::c_int) -> Option<libc::sigaction> {
    // SAFETY: a zeroed `sigaction` is a valid value; `sigaction` with a null
    // new action only writes the current one into it.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        (libc::sigaction(signal, std::ptr::null(), &mut current) == 0).then_some(current)
    }
}

fn install_one(index: usize, signal: libc::c_int, only_if_default: bool) {
    let Some(old) = current_action(signal) else {
        return;
    };
    if old.sa_sigaction == libc::SIG_IGN || (only_if_default && old.sa_sigaction != libc::SIG_DFL) {
        return;
    }
    let slot = &PREVIOUS[index];
    // Relaxed: published by the Release store of `installed` below.
    slot.handler.store(old.sa_sigaction, Relaxed);
    slot.flags.store(old.sa_flags, Relaxed);
    // SAFETY: a zeroed `sigaction` is valid; we fill in the handler (an
    // `extern "C"` function with the SA_SIGINFO signature that stays valid
    // for the whole program), an empty mask and the flags.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as *const () as usize;
    action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_RESTART;
    // SAFETY: `sa_mask` is a valid sigset_t inside `action`; the new action
    // is fully initialised.
    let installed = unsafe {
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(signal, &action, std::ptr::null_mut()) == 0
    };
    if installed {
        slot.installed.store(1, Release);
    }
}

thread_local! {
    /// Set while this thread runs the handler: a second signal on the same
    /// thread (a fault during the drain) skips straight to the hand-over.
    static IN_HANDLER: Cell<bool> = const { Cell::new(false) };
}

extern "C" fn on_signal(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: reading and restoring errno, which the code below may change,
    // is what a handler must do; `__errno_location` is this thread's.
    let errno = unsafe { *libc::__errno_location() };
    let Some(index) = index_of(signal) else {
        return;
    };
    let ours = is_current_handler(signal);
    let fatal = FATAL.contains(&signal);
    if fatal || ours {
        let nested = IN_HANDLER.replace(true);
        if !nested {
            drain_all(Instant::now() + drain_timeout());
        }
        IN_HANDLER.set(nested);
    }
    if ours {
        hand_on(index, signal, info, context);
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

/// Whether llt's handler is the one installed for `signal` now (and not a
/// later handler that called it).
fn is_current_handler(signal: libc::c_int) -> bool {
    current_action(signal).is_some_and(|a| a.sa_sigaction == on_signal as *const () as usize)
}

/// Does with `signal` what would have happened without llt.
fn hand_on(
    index: usize,
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    let slot = &PREVIOUS[index];
    // Relaxed: stored before `sigaction` installed this handler, and the
    // handler runs only after that system call, whose kernel entry and exit
    // order the stores for every thread the signal can reach.
    let handler = slot.handler.load(Relaxed);
    if handler == libc::SIG_DFL {
        // SAFETY: restoring the default action and re-raising the signal:
        // it is blocked while this handler runs, so it is delivered (and
        // kills the process, by this signal) when the handler returns. A
        // fault would also recur when the faulting instruction re-runs.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = libc::SIG_DFL;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
            libc::raise(signal);
        }
    } else if handler != libc::SIG_IGN {
        if slot.flags.load(Relaxed) & libc::SA_SIGINFO != 0 {
            // SAFETY: the previous action had SA_SIGINFO, so `handler` is a
            // function of this signature, installed by the program, which
            // expects exactly these arguments from the kernel.
            let previous: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                unsafe { std::mem::transmute(handler) };
            previous(signal, info, context);
        } else {
            // SAFETY: without SA_SIGINFO the previous handler is a plain
            // `void (*)(int)`.
            let previous: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(handler) };
            previous(signal);
        }
    }
}

/// Asks every logger that drains on crashes to write what it holds, and
/// waits for them until `deadline`. Async-signal-safe, except for the
/// in-place drain of a logger whose writer is this thread.
fn drain_all(deadline: Instant) {
    LOGGERS.for_each(|shared| {
        if shared.end.drain_on_crash && !shared.is_orphaned() {
            shared
                .crash_ticket
                // Relaxed: only the crash handlers read it, each after its own
                // `fetch_max`; the ticket's own ordering is `request_drain`'s.
                .fetch_max(shared.request_drain(), Relaxed);
        }
    });
    LOGGERS.for_each(|shared| {
        if shared.end.drain_on_crash && !shared.is_orphaned() {
            arm_alarm_once(deadline);
            crate::writer::drain_in_place(shared, deadline);
        }
    });
    loop {
        let mut waiting = false;
        LOGGERS.for_each(|shared| {
            if shared.end.drain_on_crash
                && !shared.is_orphaned()
                && !crate::writer::is_writer_of(shared)
                && !shared.drained(shared.crash_ticket.load(Relaxed))
            {
                waiting = true;
            }
        });
        if !waiting || Instant::now() >= deadline {
            return;
        }
        let pause = libc::timespec {
            tv_sec: 0,
            tv_nsec: 50_000,
        };
        // SAFETY: `nanosleep` with a valid timespec and no remainder output.
        unsafe { libc::nanosleep(&pause, std::ptr::null_mut()) };
    }
}

/// Before an in-place drain (user code run in a signal handler), arms an
/// `alarm` a second past `deadline` as a last resort against a hang, if
/// `SIGALRM` is at its default action (which ends the process).
fn arm_alarm_once(deadline: Instant) {
    if !crate::writer::is_writer_thread() {
        return;
    }
    if current_action(libc::SIGALRM).is_some_and(|a| a.sa_sigaction == libc::SIG_DFL) {
        let seconds = deadline
            .saturating_duration_since(Instant::now())
            .as_secs()
            .saturating_add(2);
        // SAFETY: `alarm` is async-signal-safe and only schedules SIGALRM.
        unsafe { libc::alarm(seconds.min(u64::from(u32::MAX)) as libc::c_uint) };
    }
}
