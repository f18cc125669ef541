//! Child processes for tests that watch a process end: crash, signal,
//! `exit`, `fork`.
//!
//! Such behaviour can only be observed from outside, so the test binary (a
//! `harness = false` test with its own `main`) re-runs itself with an
//! environment variable naming the child's mode ([`Spec::this_binary`],
//! [`child_mode`]), or runs another program ([`Spec::program`]). The parent
//! gets the child's stdout and stderr, its decoded wait status
//! ([`Status`]: exit code, or signal and core dump), and how long it took.
//! A child still running at its timeout is killed, with its whole process
//! group, and reported as [`Status::TimedOut`]: a hang is a failure, never a
//! hung test.
//!
//! Also here: [`run_parallel`] runs many children, [`PARALLEL`] at a time;
//! [`check_sequence`] checks numbered lines; [`run_checks`] is the `main`
//! of a `harness = false` test (filters, `--list`, a libtest-like summary).
//!
//! Include it with `#[path = "support/child.rs"] mod child;`.
#![allow(dead_code)] // Each test binary uses a different part of it.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// Children run at once by [`run_parallel`]: the machine has 2 cores.
pub const PARALLEL: usize = 2;

/// How long a child may run unless its [`Spec`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long [`Running::wait`] waits for the pipes to close after the child
/// has ended (a grandchild that inherited them may keep them open).
const PIPE_GRACE: Duration = Duration::from_secs(5);

// ------------------------------------------------------------ the child --

/// The mode this process was started in, if it is a child: the value of the
/// environment variable `env`.
pub fn child_mode(env: &str) -> Option<String> {
    std::env::var(env).ok()
}

/// Writes `text` to file descriptor `fd` with `write(2)` directly: no lock,
/// no buffer, usable right before a crash, in a forked child or in a signal
/// handler (it allocates nothing). Errors are ignored: there is nobody to
/// tell.
pub fn raw_write(fd: i32, text: &[u8]) {
    let mut rest = text;
    while !rest.is_empty() {
        // SAFETY: `rest` is a live slice; `write` reads at most `rest.len()`
        // bytes from it.
        let n = unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) };
        if n <= 0 {
            return;
        }
        rest = &rest[n as usize..];
    }
}

/// [`raw_write`] to stderr.
pub fn raw_stderr(text: &str) {
    raw_write(libc::STDERR_FILENO, text.as_bytes());
}

/// `CLOCK_MONOTONIC` in nanoseconds: the same clock in every process, so a
/// child's and its parent's readings can be compared.
pub fn monotonic_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable `timespec`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_MONOTONIC) failed");
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

/// Blocks the calling thread for good (until a signal ends the process).
pub fn block_forever() -> ! {
    loop {
        thread::park();
    }
}

// ----------------------------------------------------------- the status --

/// How a child ended, decoded from its wait status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It exited (returned from `main` or called `exit`) with this code.
    Exited(i32),
    /// A signal ended it.
    Signaled {
        /// The signal's number (`libc::SIGSEGV`, ...).
        signal: i32,
        /// Whether the kernel wrote a core dump (only if `ulimit -c` allows).
        core_dumped: bool,
    },
    /// It was still running at its timeout and was killed (a hang).
    TimedOut(Duration),
}

impl Status {
    fn from_exit_status(status: ExitStatus) -> Status {
        match (status.code(), status.signal()) {
            (Some(code), _) => Status::Exited(code),
            (None, Some(signal)) => Status::Signaled {
                signal,
                core_dumped: status.core_dumped(),
            },
            (None, None) => unreachable!("a reaped child has a code or a signal: {status:?}"),
        }
    }

    /// The signal that ended the child, if one did.
    pub fn signal(self) -> Option<i32> {
        match self {
            Status::Signaled { signal, .. } => Some(signal),
            _ => None,
        }
    }

    /// The exit code, if the child exited.
    pub fn code(self) -> Option<i32> {
        match self {
            Status::Exited(code) => Some(code),
            _ => None,
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Status::Exited(code) => write!(f, "exit code {code}"),
            Status::Signaled {
                signal,
                core_dumped,
            } => {
                write!(f, "signal {signal} ({})", signal_name(signal))?;
                if core_dumped {
                    write!(f, ", core dumped")?;
                }
                Ok(())
            }
            Status::TimedOut(after) => write!(f, "still running after {after:?} (hung; killed)"),
        }
    }
}

/// The name of a signal, for messages.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        _ => "?",
    }
}

// ------------------------------------------------------------- the spec --

/// What to run: a program, its mode, environment and timeout.
#[derive(Debug, Clone)]
pub struct Spec {
    program: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    dir: Option<PathBuf>,
    timeout: Duration,
    label: String,
}

impl Spec {
    /// This test binary again, with `env=mode` in its environment.
    pub fn this_binary(env: &str, mode: &str) -> Spec {
        let me = std::env::current_exe().expect("the test binary's own path");
        Spec::program(me).env(env, mode).label(mode)
    }

    /// Another program.
    pub fn program(program: impl Into<PathBuf>) -> Spec {
        let program = program.into();
        Spec {
            label: program.display().to_string(),
            program,
            args: Vec::new(),
            // The filter is set in code by the children; a backtrace would
            // make panicking children slow and their stderr long.
            env: vec![("RUST_BACKTRACE".into(), "0".into())],
            dir: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Spec {
        self.args.push(arg.into());
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Spec {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The child's working directory (a core dump, if any, lands there).
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Spec {
        self.dir = Some(dir.into());
        self
    }

    /// The hard limit after which the child is killed and reported hung.
    pub fn timeout(mut self, timeout: Duration) -> Spec {
        self.timeout = timeout;
        self
    }

    /// The name used in messages.
    pub fn label(mut self, label: impl Into<String>) -> Spec {
        self.label = label.into();
        self
    }

    /// Starts the child.
    pub fn spawn(&self) -> Running {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .env_remove("LLT_LOG")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group: a timeout kills grandchildren too, and
            // a Ctrl-C at the terminal does not reach the children.
            .process_group(0);
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        let started = Instant::now();
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.program.display()));
        let stdout = Captured::start(child.stdout.take().expect("piped stdout"));
        let stderr = Captured::start(child.stderr.take().expect("piped stderr"));
        let pid = child.id() as i32;
        let (tx, status) = mpsc::channel();
        thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        Running {
            pid,
            label: self.label.clone(),
            started,
            deadline: started + self.timeout,
            timeout: self.timeout,
            status,
            stdout,
            stderr,
            waited: false,
        }
    }

    /// Starts the child and waits for its end.
    pub fn run(&self) -> Outcome {
        self.spawn().wait()
    }
}

// ---------------------------------------------------------- the running --

/// The bytes read so far from one of the child's pipes.
struct Captured {
    /// The bytes, and whether the pipe is closed.
    state: Mutex<(Vec<u8>, bool)>,
    changed: Condvar,
}

impl Captured {
    fn start(mut pipe: impl Read + Send + 'static) -> Arc<Captured> {
        let captured = Arc::new(Captured {
            state: Mutex::new((Vec::new(), false)),
            changed: Condvar::new(),
        });
        let writer = captured.clone();
        thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = pipe.read(&mut buf).unwrap_or(0);
                let mut state = writer.state.lock().unwrap_or_else(PoisonError::into_inner);
                if n == 0 {
                    state.1 = true;
                } else {
                    state.0.extend_from_slice(&buf[..n]);
                }
                writer.changed.notify_all();
                if n == 0 {
                    return;
                }
            }
        });
        captured
    }

    /// Waits until `done(bytes, closed)` or `deadline`; returns `done`'s
    /// last answer.
    fn wait_until(&self, deadline: Instant, done: impl Fn(&[u8], bool) -> bool) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if done(&state.0, state.1) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner).0)
    }
}

/// A child that has been started.
pub struct Running {
    pid: i32,
    label: String,
    started: Instant,
    deadline: Instant,
    timeout: Duration,
    status: Receiver<std::io::Result<ExitStatus>>,
    stdout: Arc<Captured>,
    stderr: Arc<Captured>,
    /// Set by `wait`; a child dropped without waiting is killed.
    waited: bool,
}

/// Which of the child's output pipes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pipe {
    /// Its stdout.
    Stdout,
    /// Its stderr.
    Stderr,
}

impl Running {
    /// The child's process id.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Waits until `needle` appears on `pipe`; fails if the pipe closes
    /// (the child ended) or the child's timeout passes first.
    pub fn wait_for(&self, pipe: Pipe, needle: &str) -> Result<(), String> {
        let captured = match pipe {
            Pipe::Stdout => &self.stdout,
            Pipe::Stderr => &self.stderr,
        };
        let needle = needle.as_bytes();
        let found = |bytes: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        captured.wait_until(self.deadline, |bytes, closed| found(bytes) || closed);
        if found(&self.output_so_far(pipe)) {
            return Ok(());
        }
        Err(format!(
            "{}: {pipe:?} never showed {:?} (the child ended or {:?} passed); stderr so far: {:?}",
            self.label,
            String::from_utf8_lossy(needle),
            self.timeout,
            tail(
                &String::from_utf8_lossy(&self.output_so_far(Pipe::Stderr)),
                300
            )
        ))
    }

    /// A copy of what the child has written to `pipe` so far.
    pub fn output_so_far(&self, pipe: Pipe) -> Vec<u8> {
        let captured = match pipe {
            Pipe::Stdout => &self.stdout,
            Pipe::Stderr => &self.stderr,
        };
        captured
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .clone()
    }

    /// Sends `signal` to the child (not to its process group).
    pub fn signal(&self, signal: i32) {
        // SAFETY: `kill` has no memory-safety preconditions. The child is
        // not reaped before `wait` (which consumes `self`) reads its status,
        // so `pid` still names it (a zombie at worst), never a reused pid.
        let rc = unsafe { libc::kill(self.pid, signal) };
        assert_eq!(rc, 0, "kill({}, {signal}) failed", self.pid);
    }

    /// Waits for the child to end (killing it and its process group at its
    /// timeout), then for its pipes to close.
    pub fn wait(mut self) -> Outcome {
        self.waited = true;
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let status = match self.status.recv_timeout(remaining) {
            Ok(status) => Status::from_exit_status(status.expect("wait for the child")),
            Err(_) => {
                // SAFETY: as in `signal`; the negative pid names the process
                // group the child leads (`process_group(0)`).
                unsafe { libc::kill(-self.pid, libc::SIGKILL) };
                let _ = self.status.recv();
                Status::TimedOut(self.timeout)
            }
        };
        let elapsed = self.started.elapsed();
        let grace = Instant::now() + PIPE_GRACE;
        let mut pipes_closed = true;
        for captured in [&self.stdout, &self.stderr] {
            pipes_closed &= captured.wait_until(grace, |_, closed| closed);
        }
        Outcome {
            label: self.label.clone(),
            status,
            stdout: self.stdout.take(),
            stderr: self.stderr.take(),
            elapsed,
            pipes_closed,
        }
    }
}

impl Drop for Running {
    /// A child nobody waits for (its check failed early) is killed with its
    /// process group, and reaped by the thread waiting for it.
    fn drop(&mut self) {
        if !self.waited {
            // SAFETY: as in `signal` (the waiting thread has not reaped it
            // unless it already ended, and then its group is gone too).
            unsafe { libc::kill(-self.pid, libc::SIGKILL) };
        }
    }
}

/// What a child did.
#[derive(Debug)]
pub struct Outcome {
    /// The spec's label.
    pub label: String,
    /// How it ended.
    pub status: Status,
    /// Everything it wrote to stdout.
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr.
    pub stderr: Vec<u8>,
    /// From start to end (to being killed, if it hung).
    pub elapsed: Duration,
    /// Whether both pipes closed within a few seconds of the child's end
    /// (a grandchild may hold them open).
    pub pipes_closed: bool,
}

impl Outcome {
    /// Stdout as text (invalid UTF-8 replaced).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Stderr as text (invalid UTF-8 replaced).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// The end of stderr, for failure messages.
    pub fn stderr_tail(&self) -> String {
        tail(&self.stderr_text(), 600)
    }
}

/// The last `max` bytes of `text` (at a character boundary).
pub fn tail(text: &str, max: usize) -> String {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let prefix = if start > 0 { "…" } else { "" };
    format!("{prefix}{}", &text[start..])
}

// --------------------------------------------------------------- runs --

/// Calls `each(run)` for `run` in `0..runs`, [`PARALLEL`] at a time; the
/// results in run order.
pub fn run_parallel<T: Send>(runs: usize, each: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(runs));
    thread::scope(|scope| {
        for _ in 0..PARALLEL.min(runs) {
            scope.spawn(|| {
                loop {
                    // Relaxed: the counter only hands out each run index
                    // once (the read-modify-write is atomic); the results
                    // are published by the mutex and the scope's join.
                    let run = next.fetch_add(1, Ordering::Relaxed);
                    if run >= runs {
                        return;
                    }
                    let result = each(run);
                    results
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((run, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    results.sort_by_key(|(run, _)| *run);
    results.into_iter().map(|(_, result)| result).collect()
}

/// Runs per check: `default`, or the number in the environment variable
/// `env` (to run fewer locally).
pub fn runs(env: &str, default: usize) -> usize {
    std::env::var(env)
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(default)
}

/// Panics, listing how many runs failed and the first distinct reasons, if
/// any result is an error.
pub fn assert_runs(what: &str, results: &[Result<(), String>]) {
    let failures: Vec<(usize, &String)> = results
        .iter()
        .enumerate()
        .filter_map(|(run, r)| r.as_ref().err().map(|e| (run, e)))
        .collect();
    if failures.is_empty() {
        return;
    }
    let mut shown: Vec<String> = Vec::new();
    for (run, why) in &failures {
        // One example of each kind of failure: the text before the first
        // number-heavy detail is the same for runs that failed alike.
        let kind: String = why.chars().take(40).collect();
        if shown.iter().all(|s| !s.contains(&kind)) && shown.len() < 3 {
            shown.push(format!("run {run}: {why}"));
        }
    }
    panic!(
        "{what}: {} of {} runs failed:\n  {}",
        failures.len(),
        results.len(),
        shown.join("\n  ")
    );
}

// -------------------------------------------------------------- lines --

/// Checks that the lines of `text` beginning with `prefix` are exactly
/// `{prefix}0`, `{prefix}1`, ... `{prefix}{n - 1}`: each once, in order.
/// Other lines are ignored. A last line without its newline is an error
/// (half a line was written).
pub fn check_sequence(text: &str, prefix: &str, n: usize) -> Result<(), String> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(format!(
            "the output ends in the middle of a line: {:?}",
            tail(text, 40)
        ));
    }
    let mut seen = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(prefix) else {
            continue;
        };
        match rest.parse::<usize>() {
            Ok(seq) => seen.push(seq),
            Err(_) => return Err(format!("unexpected line {line:?}")),
        }
    }
    if seen.len() == n && seen.iter().enumerate().all(|(i, &seq)| i == seq) {
        return Ok(());
    }
    Err(describe_sequence(prefix, &seen, n))
}

/// Says how `seen` differs from `0..n`.
fn describe_sequence(prefix: &str, seen: &[usize], n: usize) -> String {
    let mut count = vec![0usize; n];
    let mut beyond = 0;
    for &seq in seen {
        match count.get_mut(seq) {
            Some(c) => *c += 1,
            None => beyond += 1,
        }
    }
    let missing: Vec<usize> = (0..n).filter(|&i| count[i] == 0).collect();
    let duplicated = count.iter().filter(|&&c| c > 1).count();
    let first_disorder = seen.windows(2).position(|w| w[1] <= w[0]);
    let mut why = format!("{prefix:?}: {} of {n} lines", seen.len());
    if let (Some(first), Some(last)) = (missing.first(), missing.last()) {
        let contiguous = last - first + 1 == missing.len();
        why += &format!(
            "; {} missing ({}{first}..={last})",
            missing.len(),
            if contiguous { "" } else { "not contiguous, " }
        );
    }
    if duplicated > 0 {
        why += &format!("; {duplicated} written more than once");
    }
    if beyond > 0 {
        why += &format!("; {beyond} numbered >= {n}");
    }
    if let Some(at) = first_disorder {
        why += &format!(
            "; out of order at position {at}: {} then {}",
            seen[at],
            seen[at + 1]
        );
    }
    why
}

// ------------------------------------------------------------- checks --

/// A named check; it fails by panicking.
pub type Check = (&'static str, fn());

/// The `main` of a `harness = false` test: runs the `checks` selected by
/// the command line (positional arguments are substring filters, as with
/// libtest; other flags are ignored; `--list` lists), prints one line per
/// check and a libtest-like summary, and exits with 1 if any failed.
pub fn run_checks(title: &str, checks: &[Check]) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in checks {
            println!("{name}: test");
        }
        return;
    }
    let filters = filters(&args);
    let exact = args.iter().any(|a| a == "--exact");
    let selected: Vec<&Check> = checks
        .iter()
        .filter(|(name, _)| {
            filters.is_empty()
                || filters.iter().any(|f| {
                    if exact {
                        name == f
                    } else {
                        name.contains(f.as_str())
                    }
                })
        })
        .collect();
    // A failed check's message, without a backtrace of the test harness.
    panic::set_hook(Box::new(|info| eprintln!("{info}")));
    let start = Instant::now();
    println!("\nrunning {} {title} checks", selected.len());
    let mut failed = Vec::new();
    for (name, check) in &selected {
        let check_start = Instant::now();
        match panic::catch_unwind(AssertUnwindSafe(check)) {
            Ok(()) => println!("check {name} ... ok ({:.2?})", check_start.elapsed()),
            Err(_) => {
                println!("check {name} ... FAILED ({:.2?})", check_start.elapsed());
                failed.push(*name);
            }
        }
    }
    if !failed.is_empty() {
        println!("\nfailures:");
        for name in &failed {
            println!("    {name}");
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {} filtered out; finished in {:.2}s\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        selected.len() - failed.len(),
        failed.len(),
        checks.len() - selected.len(),
        start.elapsed().as_secs_f64()
    );
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

/// The positional arguments, skipping flags and the values of the libtest
/// flags that take one.
fn filters(args: &[String]) -> Vec<String> {
    const WITH_VALUE: &[&str] = &[
        "--test-threads",
        "--skip",
        "--format",
        "--color",
        "--logfile",
        "-Z",
    ];
    let mut filters = Vec::new();
    let mut skip_next = false;
    for arg in args {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if WITH_VALUE.contains(&arg.as_str()) {
            skip_next = true;
        } else if !arg.starts_with('-') {
            filters.push(arg.clone());
        }
    }
    filters
}

// ---------------------------------------------------------- scratch dirs --

/// A fresh directory for one run's files, removed when dropped.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// Creates `<tmp>/llt-<name>-<pid>-<n>`.
    pub fn new(name: &str) -> ScratchDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        // Relaxed: only uniqueness of the number matters.
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("llt-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        ScratchDir(dir)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The contents of a file in it as text ("" if it does not exist).
    pub fn read(&self, file: &str) -> String {
        std::fs::read(self.0.join(file))
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// -------------------------------------------------------------- self-test --

/// Checks of this module's own logic, run by the test files as one check:
/// a harness that cannot fail would make every test built on it useless.
pub fn self_test() {
    assert_eq!(check_sequence("a0\nx\na1\n", "a", 2), Ok(()));
    assert!(check_sequence("a0\na2\n", "a", 3).is_err(), "a gap");
    assert!(check_sequence("a1\na0\n", "a", 2).is_err(), "disorder");
    assert!(
        check_sequence("a0\na0\na1\n", "a", 2).is_err(),
        "a duplicate"
    );
    assert!(check_sequence("a0\na1", "a", 2).is_err(), "half a line");
    assert!(check_sequence("a0\nab\n", "a", 1).is_err(), "garbage");
    let why = check_sequence("a0\na1\na5\n", "a", 6).unwrap_err();
    assert!(why.contains("3 missing (2..=4)"), "{why}");
}
