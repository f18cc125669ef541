//! Idle cost, the producer's side: during a burst, a logging thread makes
//! no system call after the burst's first line.
//!
//! The first line of a burst may make one: a thread's first line registers
//! its ring (a lock, a doorbell ring), and the first line after the writer
//! went into deep sleep finds the wake trap and rings the writer's doorbell
//! (one `futex` wake). Every later line of the burst must make none.
//!
//! How: this `harness = false` test re-runs itself as a child process
//! (`LLT_NO_SYSCALL_CHILD=<check>`). In the child, a thread logs the burst's
//! first line, then installs a seccomp filter that allows it only `read`,
//! `write`, `exit` and `rt_sigreturn` (what `SECCOMP_MODE_STRICT` allows;
//! see `enter_strict_mode` for why not that mode itself) and kills the
//! process with `SIGSYS` on any other system call. It logs the rest of the
//! burst with `llt_log!` and `Logger::log`, writes one byte to a pipe (a
//! `write`) and blocks forever reading another (a `read`; it can never
//! leave the filter, and ending the thread would make other system calls).
//! The child's main thread, not filtered, waits for the byte, flushes and
//! checks that every line arrived. The parent asserts that the child exited
//! with status 0: a system call on the burst shows as death by `SIGSYS`.
//!
//! Checks (each prints `ok` or `FAILED`; the test fails if any did):
//!
//! * `burst_with_the_writer_awake`: the burst follows the thread's first
//!   line at once.
//! * `burst_after_deep_sleep`: the thread logged once, then stayed silent
//!   until the writer was in deep sleep (with wake traps set); the burst's
//!   first line springs the trap.
//! * `paced_burst_longer_than_the_ring`: a burst about 50 times the size of
//!   its ring, paced (by spinning) so that the writer keeps up: the
//!   producer re-reads the consumer's position about once per lap, and the
//!   writer may be in a short sleep then. (Lines dropped if the writer
//!   falls behind anyway are allowed here; only system calls are not.)
//! * `a_forbidden_syscall_is_caught`: the control: a filtered thread that
//!   calls `sched_yield` kills its process, so the checks above can fail.
//!
//! Linux only (seccomp); elsewhere it prints that it skipped.

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use llt_rs::filter::Filter;
use llt_rs::{IdlePolicy, Level, LevelFilter, LineFormat, Logger, MemorySink, llt_log};

/// Environment variable that makes this binary a child, and its check.
const CHILD_ENV: &str = "LLT_NO_SYSCALL_CHILD";
/// Lines of each kind (`llt_log!`, `Logger::log`) in a burst.
const BURST: usize = 10_000;
/// Ring capacity (messages) for the bursts that must fit in their ring.
const BIG_RING: usize = 1 << 16;
/// Ring capacity of the paced burst, about 50 times smaller than it.
const SMALL_RING: usize = 1 << 10;
/// Only turns a hung child into a failure.
const CHILD_TIMEOUT: Duration = Duration::from_secs(120);

/// The checks: name, and the signal that must end the child (`None`: it
/// must exit with status 0).
const CHECKS: &[(&str, Option<i32>)] = &[
    ("burst_with_the_writer_awake", None),
    ("burst_after_deep_sleep", None),
    ("paced_burst_longer_than_the_ring", None),
    ("a_forbidden_syscall_is_caught", Some(SIGSYS)),
];

const SIGSYS: i32 = 31;

fn main() {
    if let Ok(check) = std::env::var(CHILD_ENV) {
        child(&check);
    }
    if !cfg!(target_os = "linux") {
        println!("no_syscall: skipped (seccomp is Linux only)");
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in CHECKS {
            println!("{name}: test");
        }
        return;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let selected: Vec<_> = CHECKS
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    println!("\nrunning {} no_syscall checks", selected.len());
    let mut failed = Vec::new();
    for &&(name, signal) in &selected {
        let start = Instant::now();
        match run_child(name, signal) {
            Ok(()) => println!("check {name} ... ok ({:.2?})", start.elapsed()),
            Err(why) => {
                println!("check {name} ... FAILED ({:.2?})\n{why}", start.elapsed());
                failed.push(name);
            }
        }
    }
    println!(
        "\nno_syscall result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        selected.len() - failed.len(),
        failed.len()
    );
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

// === The parent ===

/// Runs `check` in a child; `Err` says how it ended if not as expected.
fn run_child(check: &str, expected_signal: Option<i32>) -> Result<(), String> {
    let mut child = Command::new(std::env::current_exe().expect("own path"))
        .env(CHILD_ENV, check)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the child");
    let output = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = output(Box::new(child.stdout.take().expect("piped")));
    let stderr = output(Box::new(child.stderr.take().expect("piped")));
    let status = wait_with_timeout(&mut child)?;
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    let expected = match expected_signal {
        None => status.success(),
        Some(signal) => status.signal() == Some(signal),
    };
    if expected {
        return Ok(());
    }
    let how = match status.signal() {
        Some(SIGSYS) => "killed by SIGSYS: a system call the seccomp filter forbids".to_owned(),
        Some(signal) => format!("killed by signal {signal}"),
        None => format!("exited with {status}"),
    };
    Err(format!(
        "  child {check} {how} (expected {})\n  stdout: {stdout}\n  stderr: {stderr}",
        match expected_signal {
            None => "exit status 0".to_owned(),
            Some(signal) => format!("death by signal {signal}"),
        }
    ))
}

/// Waits for the child, killing it after [`CHILD_TIMEOUT`].
fn wait_with_timeout(child: &mut std::process::Child) -> Result<ExitStatus, String> {
    let deadline = Instant::now() + CHILD_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            return Ok(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "  the child hung for {CHILD_TIMEOUT:?} and was killed"
            ));
        }
        // Polling an exit with a deadline, not synchronising a result.
        thread::sleep(Duration::from_millis(10));
    }
}

// === The child ===

fn child(check: &str) -> ! {
    let result = match check {
        "burst_with_the_writer_awake" => burst(Burst::Awake),
        "burst_after_deep_sleep" => burst(Burst::AfterDeepSleep),
        "paced_burst_longer_than_the_ring" => burst(Burst::PacedLongerThanTheRing),
        "a_forbidden_syscall_is_caught" => forbidden_syscall(),
        other => Err(format!("unknown check {other:?}")),
    };
    match result {
        Ok(()) => std::process::exit(0),
        Err(why) => {
            eprintln!("{why}");
            std::process::exit(1);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Burst {
    Awake,
    AfterDeepSleep,
    PacedLongerThanTheRing,
}

// `prctl(2)`, declared here: the facade package does not depend on `libc`.
#[cfg(target_os = "linux")]
unsafe extern "C" {
    fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
}

/// From `<linux/prctl.h>` and `<linux/seccomp.h>`.
const PR_SET_NO_NEW_PRIVS: std::ffi::c_int = 38;
const PR_SET_SECCOMP: std::ffi::c_int = 22;
const SECCOMP_MODE_FILTER: std::ffi::c_ulong = 2;
const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
/// Classic BPF opcodes (`<linux/filter.h>`).
const BPF_LD_W_ABS: u16 = 0x20;
const BPF_JEQ_K: u16 = 0x15;
const BPF_RET_K: u16 = 0x06;

/// The architecture (`AUDIT_ARCH_*`) and the numbers of `read`, `write`,
/// `exit` and `rt_sigreturn` on it.
#[cfg(target_arch = "x86_64")]
const ARCH_AND_ALLOWED: (u32, [u32; 4]) = (0xC000_003E, [0, 1, 60, 15]);
#[cfg(target_arch = "aarch64")]
const ARCH_AND_ALLOWED: (u32, [u32; 4]) = (0xC000_00B7, [63, 64, 93, 139]);

/// `struct sock_filter`: one classic BPF instruction.
#[repr(C)]
struct SockFilter {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

/// `struct sock_fprog`.
#[repr(C)]
struct SockFprog {
    len: std::ffi::c_ushort,
    filter: *const SockFilter,
}

/// Puts the calling thread (only it) in what amounts to seccomp's strict
/// mode: `read`, `write`, `exit` and `rt_sigreturn` are allowed, any other
/// system call kills the whole process with `SIGSYS`.
///
/// Not `SECCOMP_MODE_STRICT` itself: on x86 that mode also disables the
/// `rdtsc` instruction (the kernel sets `TIF_NOTSC` for it), so llt's clock
/// read would fault with `SIGSEGV`; and it kills only the offending thread,
/// which would leave the child waiting for ever.
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
fn enter_strict_mode() -> Result<(), String> {
    let (arch, [read, write, exit, sigreturn]) = ARCH_AND_ALLOWED;
    let jump = |nr: u32, to_allow: u8| SockFilter {
        code: BPF_JEQ_K,
        jt: to_allow,
        jf: 0,
        k: nr,
    };
    let load = |offset: u32| SockFilter {
        code: BPF_LD_W_ABS,
        jt: 0,
        jf: 0,
        k: offset,
    };
    let ret = |action: u32| SockFilter {
        code: BPF_RET_K,
        jt: 0,
        jf: 0,
        k: action,
    };
    // `struct seccomp_data`: the system call number at offset 0, the
    // architecture at 4. Jump offsets count from the next instruction.
    let program = [
        load(4),
        SockFilter {
            code: BPF_JEQ_K,
            jt: 1,
            jf: 0,
            k: arch,
        },
        ret(SECCOMP_RET_KILL_PROCESS),
        load(0),
        jump(read, 4),
        jump(write, 3),
        jump(exit, 2),
        jump(sigreturn, 1),
        ret(SECCOMP_RET_KILL_PROCESS),
        ret(SECCOMP_RET_ALLOW),
    ];
    let fprog = SockFprog {
        len: program.len() as std::ffi::c_ushort,
        filter: program.as_ptr(),
    };
    let (one, zero): (std::ffi::c_ulong, std::ffi::c_ulong) = (1, 0);
    // SAFETY: PR_SET_NO_NEW_PRIVS takes integers only (1, then three
    // zeros); it is required before an unprivileged thread may install a
    // filter.
    if unsafe { prctl(PR_SET_NO_NEW_PRIVS, one, zero, zero, zero) } != 0 {
        return Err(format!(
            "prctl(PR_SET_NO_NEW_PRIVS) failed: {}",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: `fprog` points to `program`, both alive for the call; the
    // kernel copies the filter and attaches it to the calling thread.
    let result = unsafe { prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &raw const fprog) };
    if result == 0 {
        Ok(())
    } else {
        Err(format!(
            "prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER) failed: {}",
            std::io::Error::last_os_error()
        ))
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
fn enter_strict_mode() -> Result<(), String> {
    Err("this test knows seccomp on Linux x86_64 and aarch64 only".to_owned())
}

/// Parks a filtered thread for good: `read` on a pipe whose writing
/// end stays open until the process exits.
fn park_forever(pipe: &mut std::io::PipeReader) -> ! {
    let mut byte = [0u8];
    loop {
        // Only `read`: allowed. It returns only if the writer is closed,
        // which happens as the process exits.
        let _ = pipe.read(&mut byte);
    }
}

/// An `IdlePolicy` whose deep sleep never starts during a burst: a burst is
/// lines logged less than `deep_sleep_after` apart, and a logging thread
/// of a loaded test machine may be preempted for tens of milliseconds.
fn burst_policy(deep_sleep_after: Duration) -> IdlePolicy {
    IdlePolicy {
        deep_sleep_after,
        // The longest: only the trap or a flush ends it.
        deep_sleep: Duration::from_secs(10),
        ..IdlePolicy::default()
    }
}

fn burst(kind: Burst) -> Result<(), String> {
    let (capacity, lines, deep_sleep_after) = match kind {
        Burst::Awake => (BIG_RING, BURST, Duration::from_secs(2)),
        Burst::AfterDeepSleep => (BIG_RING, BURST, Duration::from_millis(300)),
        // 2 × 40,000 records, 88 bytes a pair: about 50 laps of a 64 KiB ring.
        Burst::PacedLongerThanTheRing => (SMALL_RING, 4 * BURST, Duration::from_secs(2)),
    };
    let out = MemorySink::new();
    let logger = Logger::builder()
        .capacity(capacity)
        .format(LineFormat::MessageOnly)
        .filter(Filter::from_level(LevelFilter::Info))
        .idle(burst_policy(deep_sleep_after))
        .sink(out.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let (mut done_reader, mut done_writer) = std::io::pipe().map_err(|e| e.to_string())?;
    let (mut park_reader, park_writer) = std::io::pipe().map_err(|e| e.to_string())?;
    let (registered_tx, registered) = mpsc::channel();
    let (go, go_rx) = mpsc::channel::<()>();
    let (failed_tx, failed) = mpsc::channel();
    let handle = logger.clone();
    let mut expected: Vec<String> = Vec::new();
    if kind == Burst::AfterDeepSleep {
        expected.push("registers the ring".to_owned());
    }
    expected.push("first line of the burst 0".to_owned());
    expected.push("the burst's first seed-API line".to_owned());
    for i in 0..lines {
        expected.push(format!("burst line {i}"));
        expected.push("a seed-API line of the burst".to_owned());
    }
    let burst_thread = thread::Builder::new().name("burst".into());
    let _detached = burst_thread
        .spawn(move || {
            if kind == Burst::AfterDeepSleep {
                handle.log_str(Level::Info, "registers the ring");
                let _ = registered_tx.send(());
                let _ = go_rx.recv();
            }
            // The first lines of the burst: they may make system calls (and
            // the first `Logger::log` sets up this thread's malloc arena).
            llt_log!(handle, "first line of the burst {}", 0u64);
            handle.log("the burst's first seed-API line");
            if let Err(e) = enter_strict_mode() {
                // Not filtered: the channel may make system calls.
                let _ = failed_tx.send(e);
                let _ = done_writer.write_all(&[0]);
                return;
            }
            // From here on: no system call but `read` and `write`.
            for i in 0..lines {
                llt_log!(handle, "burst line {}", i);
                handle.log("a seed-API line of the burst");
                if kind == Burst::PacedLongerThanTheRing {
                    // Leave the writer time to keep up, without a system call.
                    for _ in 0..2_000 {
                        std::hint::spin_loop();
                    }
                }
            }
            let _ = done_writer.write_all(&[1]);
            park_forever(&mut park_reader);
        })
        .map_err(|e| e.to_string())?;
    if kind == Burst::AfterDeepSleep {
        registered.recv().map_err(|e| e.to_string())?;
        wait_for_deep_sleep(deep_sleep_after)?;
        go.send(()).map_err(|e| e.to_string())?;
    }
    let mut byte = [0u8];
    done_reader
        .read_exact(&mut byte)
        .map_err(|e| format!("waiting for the burst: {e}"))?;
    if byte[0] != 1 {
        return Err(failed.recv().unwrap_or_else(|e| e.to_string()));
    }
    logger.flush();
    let stats = logger.stats();
    let got = out.take_lines();
    // Kept open until the process exits, so the burst thread stays parked.
    std::mem::forget(park_writer);
    if kind == Burst::PacedLongerThanTheRing {
        let accounted = stats.written + stats.dropped;
        if got.len() as u64 != stats.written || accounted != expected.len() as u64 {
            return Err(format!(
                "{kind:?}: {} lines logged, {} in the sink; {stats:?}",
                expected.len(),
                got.len()
            ));
        }
    } else if stats.dropped != 0 || got != expected {
        let first_difference = got.iter().zip(&expected).position(|(a, b)| a != b);
        return Err(format!(
            "{kind:?}: {} lines expected, {} in the sink (first difference at {first_difference:?}); {stats:?}",
            expected.len(),
            got.len()
        ));
    }
    Ok(())
}

/// Waits until the writer thread is in deep sleep: it has not been woken
/// for several short sleeps' worth of time. Observed through its count of
/// voluntary context switches (one per sleep) in `/proc`.
fn wait_for_deep_sleep(deep_sleep_after: Duration) -> Result<(), String> {
    const STILL: Duration = Duration::from_millis(300);
    let deadline = Instant::now() + CHILD_TIMEOUT / 2;
    // The writer sleeps at least `deep_sleep_after` in short sleeps first.
    thread::sleep(deep_sleep_after);
    let mut last = writer_wakeups()?;
    let mut still_since = Instant::now();
    while Instant::now() < deadline {
        // Creates idleness and samples it; no result depends on its length.
        thread::sleep(Duration::from_millis(20));
        let now = writer_wakeups()?;
        if now != last {
            last = now;
            still_since = Instant::now();
        } else if still_since.elapsed() >= STILL {
            return Ok(());
        }
    }
    Err("the writer never went into deep sleep".to_owned())
}

/// The writer thread's voluntary context switches so far.
fn writer_wakeups() -> Result<u64, String> {
    for task in std::fs::read_dir("/proc/self/task").map_err(|e| e.to_string())? {
        let path = task.map_err(|e| e.to_string())?.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.trim() != "llt-writer" {
            continue;
        }
        let status = std::fs::read_to_string(path.join("status")).map_err(|e| e.to_string())?;
        return status
            .lines()
            .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
            .and_then(|n| n.trim().parse().ok())
            .ok_or_else(|| format!("no voluntary_ctxt_switches in {}", path.display()));
    }
    Err("no llt-writer thread in /proc/self/task".to_owned())
}

/// The control: `sched_yield` under the filter kills the process, so the
/// parent sees `SIGSYS`. Exiting normally fails the check.
fn forbidden_syscall() -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let _detached = thread::spawn(move || {
        let entered = enter_strict_mode();
        if entered.is_ok() {
            thread::yield_now();
        }
        let _ = tx.send(entered);
    });
    match rx.recv() {
        Ok(Err(e)) => Err(e),
        _ => Err("a sched_yield under the seccomp filter went through".to_owned()),
    }
}
