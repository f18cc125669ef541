//! The syslog sink against a real rsyslogd: every line arrives whole, with
//! the right severity, facility, app name, hostname and structured data,
//! over a Unix socket, UDP and TCP; across a restart of rsyslogd every line
//! is delivered or counted (written + dropped + lost == logged), the
//! connection comes back, and nothing blocks.
//!
//! Each test starts its own rsyslogd (`-n -f <config> -i <pidfile>`) in a
//! private directory, listening on a private Unix socket and on free
//! loopback ports, writing what it receives to a file through a template
//! that shows every field checked. Tests synchronise by polling that file
//! with a deadline. If rsyslogd is not installed they print why and pass
//! (`scripts/setup-rsyslog.sh` installs it; `.ci/run` calls it).

use std::fs;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use llt_rs::filter::Filter;
use llt_rs::{
    BuildError, Facility, Level, LineFormat, Logger, Syslog, SyslogError, llt_debug, llt_error,
    llt_info, llt_trace, llt_warn,
};
use llt_runtime::bridge::TracingLayer;
use tracing_subscriber::layer::SubscriberExt;

/// How long a test waits for lines to arrive before failing.
const DEADLINE: Duration = Duration::from_secs(20);

/// What the server writes for each message (one line per message).
const TEMPLATE: &str = "%syslogfacility-text% %syslogseverity% %app-name% %hostname% %procid% \
                        %structured-data% %msg%\\n";

/// The rsyslogd binary, or `None` (then the test prints why and passes).
fn rsyslogd() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").into_iter().flat_map(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("rsyslogd"))
            .collect::<Vec<_>>()
    });
    on_path
        .chain(["/usr/sbin/rsyslogd".into(), "/sbin/rsyslogd".into()])
        .find(|path| path.is_file())
}

macro_rules! require_rsyslogd {
    () => {
        match rsyslogd() {
            Some(path) => path,
            None => {
                eprintln!(
                    "skipped: rsyslogd not found on PATH or in /usr/sbin; install it with \
                     scripts/setup-rsyslog.sh (Debian package rsyslog, needs root)"
                );
                return;
            }
        }
    };
}

/// A private rsyslogd: its directory, socket, ports and output file.
struct Rsyslog {
    binary: PathBuf,
    dir: PathBuf,
    socket: PathBuf,
    udp_port: u16,
    tcp_port: u16,
    output: PathBuf,
    child: Option<Child>,
}

impl Rsyslog {
    fn start(binary: PathBuf, name: &str) -> Rsyslog {
        let dir = std::env::temp_dir().join(format!("llt-rsyslog-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("work")).expect("rsyslog work dir");
        let mut server = Rsyslog {
            binary,
            socket: dir.join("log.sock"),
            udp_port: free_udp_port(),
            tcp_port: free_tcp_port(),
            output: dir.join("received.log"),
            dir,
            child: None,
        };
        let config = format!(
            r#"global(workDirectory="{dir}/work" maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
module(load="imudp")
module(load="imtcp")
input(type="imuxsock" Socket="{socket}" UseSpecialParser="off" ParseHostname="on" RateLimit.Interval="0")
input(type="imudp" address="127.0.0.1" port="{udp}" RateLimit.Interval="0")
input(type="imtcp" address="127.0.0.1" port="{tcp}")
template(name="llt" type="string" string="{TEMPLATE}")
action(type="omfile" file="{output}" template="llt")
"#,
            dir = server.dir.display(),
            socket = server.socket.display(),
            udp = server.udp_port,
            tcp = server.tcp_port,
            output = server.output.display(),
        );
        fs::write(server.dir.join("rsyslog.conf"), config).expect("rsyslog config");
        server.spawn();
        server
    }

    /// Starts rsyslogd and waits until all three inputs take messages.
    fn spawn(&mut self) {
        let log = fs::File::create(self.dir.join("rsyslogd.out")).expect("rsyslogd log");
        let child = Command::new(&self.binary)
            .arg("-n")
            .arg("-f")
            .arg(self.dir.join("rsyslog.conf"))
            .arg("-i")
            .arg(self.dir.join("rsyslogd.pid"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log fd"))
            .stderr(log)
            .spawn()
            .expect("start rsyslogd");
        self.child = Some(child);
        self.wait_ready();
    }

    /// Sends a probe message over each transport until all three arrived.
    fn wait_ready(&mut self) {
        let started = Instant::now();
        let id = started.elapsed().as_nanos() ^ u128::from(std::process::id());
        let mut pending = vec!["unix", "udp", "tcp"];
        while !pending.is_empty() {
            self.assert_running();
            assert!(
                started.elapsed() < DEADLINE,
                "rsyslogd did not take messages on {pending:?} within {DEADLINE:?}; its output: {}",
                fs::read_to_string(self.dir.join("rsyslogd.out")).unwrap_or_default()
            );
            let received = fs::read_to_string(&self.output).unwrap_or_default();
            pending.retain(|transport| {
                let probe = format!("<14>1 - - probe - - - ready {transport} {id}");
                if received.contains(&probe[probe.find("ready").unwrap()..]) {
                    return false;
                }
                let bytes = probe.as_bytes();
                let _ = match *transport {
                    "unix" => UnixDatagram::unbound().and_then(|s| s.send_to(bytes, &self.socket)),
                    "udp" => UdpSocket::bind("127.0.0.1:0")
                        .and_then(|s| s.send_to(bytes, ("127.0.0.1", self.udp_port))),
                    _ => TcpStream::connect(("127.0.0.1", self.tcp_port)).and_then(|mut s| {
                        use std::io::Write;
                        s.write_all(format!("{} ", bytes.len()).as_bytes())?;
                        s.write_all(bytes).map(|()| bytes.len())
                    }),
                };
                true
            });
            std::thread::sleep(Duration::from_millis(20)); // polling interval, not a synchronisation
        }
    }

    fn assert_running(&mut self) {
        let child = self.child.as_mut().expect("rsyslogd started");
        if let Some(status) = child.try_wait().expect("rsyslogd status") {
            panic!(
                "rsyslogd exited ({status}): {}",
                fs::read_to_string(self.dir.join("rsyslogd.out")).unwrap_or_default()
            );
        }
    }

    /// Stops rsyslogd (SIGTERM) and waits for it to exit.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: kill(2) on our own child's pid; it is not reaped yet,
            // so the pid is still ours.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
            child.wait().expect("rsyslogd exit");
        }
    }

    /// The messages received from `app`, as `(facility severity, hostname
    /// procid, structured data, msg)` split out of the template's line.
    fn received(&self, app: &str) -> Vec<Received> {
        fs::read_to_string(&self.output)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| Received::parse(line, app))
            .collect()
    }

    /// Polls the output until `done` holds for `app`'s messages.
    fn wait_for(&self, app: &str, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received(app);
            if done(&received) {
                return received;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "waited {DEADLINE:?} for {what}; received {} messages: {:#?}",
                received.len(),
                received.iter().rev().take(5).collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(20)); // polling interval
        }
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        self.stop();
        if !std::thread::panicking() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// One message as the server wrote it.
#[derive(Debug, Clone, PartialEq)]
struct Received {
    facility: String,
    severity: u8,
    hostname: String,
    procid: String,
    structured_data: String,
    msg: String,
}

impl Received {
    fn parse(line: &str, app: &str) -> Option<Received> {
        let mut parts = line.splitn(6, ' ');
        let facility = parts.next()?.to_owned();
        let severity = parts.next()?.parse().ok()?;
        if parts.next()? != app {
            return None;
        }
        let hostname = parts.next()?.to_owned();
        let procid = parts.next()?.to_owned();
        let rest = parts.next()?;
        // The structured data is `-` or `[...]`, whose values may hold
        // `\]` and `\"`; then a space and the message.
        let split = if rest.starts_with('-') {
            1
        } else {
            sd_end(rest)?
        };
        Some(Received {
            facility,
            severity,
            hostname,
            procid,
            structured_data: rest[..split].to_owned(),
            msg: rest[split..].trim_start_matches(' ').to_owned(),
        })
    }
}

/// The length of the structured-data elements at the start of `text`.
fn sd_end(text: &str) -> Option<usize> {
    let (mut quoted, mut escaped) = (false, false);
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted && !text[at + 1..].starts_with('[') => return Some(at + 1),
            _ => {}
        }
    }
    None
}

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free TCP port")
        .port()
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("free UDP port")
        .port()
}

#[derive(Debug, Clone, Copy)]
enum Transport {
    Unix,
    Udp,
    Tcp,
}

impl Transport {
    fn name(self) -> &'static str {
        match self {
            Transport::Unix => "unix",
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }

    fn syslog(self, server: &Rsyslog) -> Syslog {
        match self {
            Transport::Unix => Syslog::unix(&server.socket),
            Transport::Udp => Syslog::udp(("127.0.0.1", server.udp_port)),
            Transport::Tcp => Syslog::tcp(("127.0.0.1", server.tcp_port)),
        }
    }
}

fn logger(server: &Rsyslog, transport: Transport, app: &str) -> Logger {
    Logger::builder()
        .syslog(
            transport
                .syslog(server)
                .app_name(app)
                .hostname("llt-test-host")
                .facility(Facility::Local3)
                .timeout(Duration::from_millis(500))
                .retry_interval(Duration::from_millis(50)),
        )
        .filter(Filter::parse("trace").0)
        .build()
        .expect("logger with a syslog sink")
}

/// Every level, `Logger::log`, a long line and a `tracing` event with
/// fields that need escaping arrive whole, with the right header fields.
fn lines_arrive_whole(transport: Transport) {
    let binary = require_rsyslogd!();
    let name = transport.name();
    let server = Rsyslog::start(binary, &format!("whole-{name}"));
    let app = format!("llt-{name}");
    let logger = logger(&server, transport, &app);
    let long = "x".repeat(3000);
    llt_error!(logger, "error {} via {}", 1, name);
    llt_warn!(logger, "warn {}", 2);
    llt_info!(logger, "info {:.2}", 3.0_f64);
    llt_debug!(logger, "debug {}", 4);
    llt_trace!(logger, "trace {}", 5);
    logger.log_str(Level::Info, &long);
    let subscriber = tracing_subscriber::registry().with(TracingLayer::new(logger.clone()));
    tracing::subscriber::with_default(subscriber, || {
        let _span = tracing::info_span!("order").entered();
        tracing::warn!(
            qty = 5u64,
            px = 1.5,
            ok = true,
            note = r#"a "quoted" \ and ] here"#,
            "filled"
        );
    });
    assert!(logger.flush_timeout(DEADLINE), "flush blocked");
    let stats = logger.stats();
    assert_eq!(
        (stats.written, stats.dropped, stats.lines_lost),
        (7, 0, 0),
        "{stats:?}"
    );

    let received = server.wait_for(&app, "7 messages", |r| r.len() >= 7);
    assert_eq!(received.len(), 7, "{received:#?}");
    let expected: [(u8, &str, &str); 7] = [
        (3, "-", "error 1 via NAME"),
        (4, "-", "warn 2"),
        (6, "-", "info 3.00"),
        (7, "-", "debug 4"),
        (7, "-", "trace 5"),
        (6, "-", &long),
        (
            4,
            r#"[fields@32473 qty="5" px="1.5" ok="true" note="a \"quoted\" \\ and \] here"]"#,
            "order: filled",
        ),
    ];
    let pid = std::process::id().to_string();
    for (got, (severity, structured_data, msg)) in received.iter().zip(expected) {
        let msg = msg.replace("NAME", name);
        assert_eq!(got.facility, "local3", "{got:?}");
        assert_eq!(got.severity, severity, "{got:?}");
        assert_eq!(got.hostname, "llt-test-host", "{got:?}");
        assert_eq!(got.procid, pid, "{got:?}");
        assert_eq!(got.structured_data, structured_data, "{got:?}");
        assert_eq!(got.msg, msg, "{got:?}");
    }
}

#[test]
fn lines_arrive_whole_over_a_unix_socket() {
    lines_arrive_whole(Transport::Unix);
}

#[test]
fn lines_arrive_whole_over_udp() {
    lines_arrive_whole(Transport::Udp);
}

#[test]
fn lines_arrive_whole_over_tcp() {
    lines_arrive_whole(Transport::Tcp);
}

/// Lines before a restart arrive; lines while rsyslogd is down are
/// delivered or counted; after the restart the sink comes back by itself
/// and every later line arrives. No call blocks, and the accounting holds.
fn survives_a_restart(transport: Transport) {
    let binary = require_rsyslogd!();
    let name = transport.name();
    let mut server = Rsyslog::start(binary, &format!("restart-{name}"));
    let app = format!("llt-restart-{name}");
    let logger = logger(&server, transport, &app);
    let mut logged = 0u64;
    let mut log = |tag: &str, i: u64| {
        llt_info!(logger, "{} {}", tag, i);
        logged += 1;
    };
    let count = |received: &[Received], tag: &str| {
        received
            .iter()
            .filter(|r| r.msg.starts_with(&format!("{tag} ")))
            .count()
    };

    for i in 0..20 {
        log("before", i);
    }
    assert!(logger.flush_timeout(DEADLINE), "flush blocked");
    server.wait_for(&app, "the lines before the restart", |r| {
        count(r, "before") == 20
    });

    server.stop();
    for i in 0..20 {
        log("down", i);
    }
    let started = Instant::now();
    assert!(
        logger.flush_timeout(DEADLINE),
        "flush blocked while rsyslogd is down"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "flush took {:?} while rsyslogd was down",
        started.elapsed()
    );
    server.spawn();

    // Until the sink has noticed the restart (its retry interval), lines
    // are lost and counted: log one at a time until one arrives.
    let started = Instant::now();
    let mut probe = 0;
    loop {
        log("probe", probe);
        probe += 1;
        assert!(logger.flush_timeout(DEADLINE), "flush blocked");
        if count(&server.received(&app), "probe") > 0 {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "no line arrived within {DEADLINE:?} after rsyslogd restarted: {:?}",
            logger.stats()
        );
        std::thread::sleep(Duration::from_millis(20)); // pacing the probes
    }
    for i in 0..20 {
        log("after", i);
    }
    assert!(logger.flush_timeout(DEADLINE), "flush blocked");
    let received = server.wait_for(&app, "the lines after the restart", |r| {
        count(r, "after") == 20
    });

    let stats = logger.stats();
    eprintln!(
        "{name}: logged {logged}, {} arrived, {probe} probes; {stats:?}",
        received.len()
    );
    assert_eq!(
        stats.written + stats.dropped + stats.lines_lost,
        logged,
        "every line written or counted: {stats:?}"
    );
    assert!(
        received.len() as u64 <= stats.written,
        "more arrived ({}) than written: {stats:?}",
        received.len()
    );
    // Whole lines only, each one once, in order per tag.
    for tag in ["before", "down", "probe", "after"] {
        let numbers: Vec<u64> = received
            .iter()
            .filter_map(|r| r.msg.strip_prefix(&format!("{tag} ")))
            .map(|n| {
                n.parse()
                    .unwrap_or_else(|_| panic!("not a whole line: {n:?}"))
            })
            .collect();
        assert!(
            numbers.windows(2).all(|w| w[0] < w[1]),
            "{tag}: {numbers:?}"
        );
    }
    let before: Vec<u64> = (0..20).collect();
    let got: Vec<u64> = received
        .iter()
        .filter_map(|r| r.msg.strip_prefix("before "))
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(got, before);
}

#[test]
fn survives_a_restart_over_a_unix_socket() {
    survives_a_restart(Transport::Unix);
}

#[test]
fn survives_a_restart_over_udp() {
    survives_a_restart(Transport::Udp);
}

#[test]
fn survives_a_restart_over_tcp() {
    survives_a_restart(Transport::Tcp);
}

#[test]
fn an_unreachable_server_is_a_build_error() {
    let missing = Path::new("/nonexistent/llt-test/log.sock");
    let err = Logger::builder()
        .syslog(Syslog::unix(missing))
        .build()
        .expect_err("no server there");
    assert!(
        matches!(err, BuildError::Syslog(SyslogError::Connect { .. })),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("unix:/nonexistent/llt-test/log.sock"),
        "{err}"
    );

    let port = free_tcp_port();
    let err = Logger::builder()
        .syslog(Syslog::tcp(("127.0.0.1", port)))
        .build()
        .expect_err("nothing listens there");
    assert!(
        err.to_string().contains(&format!("tcp:127.0.0.1:{port}")),
        "{err}"
    );

    let err = Logger::builder()
        .syslog(Syslog::udp("127.0.0.1:99999")) // no such port: fails without a DNS query
        .build()
        .expect_err("not an address");
    assert!(
        matches!(err, BuildError::Syslog(SyslogError::Resolve { .. })),
        "{err:?}"
    );

    let err = Logger::builder()
        .syslog(Syslog::local().hostname(""))
        .format(LineFormat::Json)
        .build()
        .expect_err("empty hostname");
    assert!(err.to_string().contains("hostname"), "{err}");
}

#[test]
fn drop_reports_arrive_as_warnings() {
    let binary = require_rsyslogd!();
    let server = Rsyslog::start(binary, "drops");
    let logger = Logger::builder()
        .syslog(Syslog::unix(&server.socket).app_name("llt-drops"))
        .capacity(1) // a ring of 64 bytes: most of a burst is dropped
        .build()
        .expect("logger");
    for i in 0..100 {
        llt_info!(
            logger,
            "burst line {} with some padding to fill the ring",
            i
        );
    }
    assert!(logger.flush_timeout(DEADLINE), "flush blocked");
    let stats = logger.stats();
    assert!(stats.dropped > 0, "{stats:?}");
    // The writer may report the drops in several lines: they add up.
    let reported = |received: &[Received]| -> u64 {
        received
            .iter()
            .filter_map(|m| m.msg.strip_prefix("llt: "))
            .filter_map(|m| m.strip_suffix(" messages dropped since the last report"))
            .map(|n| n.parse::<u64>().expect("a count"))
            .sum()
    };
    let received = server.wait_for("llt-drops", "the drop reports", |r| {
        reported(r) == stats.dropped
    });
    for report in received.iter().filter(|m| m.msg.starts_with("llt: ")) {
        assert_eq!(report.severity, 4, "{report:?}");
    }
    let lines = received
        .iter()
        .filter(|m| m.msg.starts_with("burst line"))
        .count();
    assert_eq!(lines as u64, stats.written, "{stats:?}");
    assert_eq!(stats.written + stats.dropped, 100, "{stats:?}");
}

/// A server that accepts messages but never reads them: the kernel's
/// buffers fill, sends time out, and the lines are counted as lost. The
/// program never waits longer than the timeouts, and `flush` returns.
#[test]
fn a_stuck_server_never_blocks_the_program() {
    let dir = std::env::temp_dir().join(format!("llt-stuck-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    let socket = dir.join("stuck.sock");
    let _unix_server = UnixDatagram::bind(&socket).expect("bind a Unix socket");
    let tcp_server = TcpListener::bind("127.0.0.1:0").expect("bind TCP");
    let tcp_address = tcp_server.local_addr().expect("address");
    // Connections are accepted (by the kernel's backlog, and here) but
    // never read.
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let acceptor = std::thread::spawn(move || {
        tcp_server.set_nonblocking(true).expect("nonblocking");
        let mut held = Vec::new();
        while stopped.try_recv().is_err() {
            if let Ok((stream, _)) = tcp_server.accept() {
                held.push(stream);
            }
            std::thread::sleep(Duration::from_millis(5)); // polling, not synchronising
        }
    });
    for (name, syslog) in [
        ("unix", Syslog::unix(&socket)),
        ("tcp", Syslog::tcp(tcp_address)),
    ] {
        let logger = Logger::builder()
            .syslog(
                syslog
                    .timeout(Duration::from_millis(100))
                    .retry_interval(Duration::from_millis(50)),
            )
            .capacity(16_384)
            .build()
            .expect("logger");
        let padding = "p".repeat(1000);
        let started = Instant::now();
        let mut logged = 0u64;
        for round in 0..40 {
            for i in 0..500 {
                llt_info!(logger, "{} {} {}", round, i, padding);
                logged += 1;
            }
            assert!(logger.flush_timeout(DEADLINE), "{name}: flush blocked");
        }
        let elapsed = started.elapsed();
        let stats = logger.stats();
        eprintln!("{name}: {logged} lines in {elapsed:?}; {stats:?}");
        assert!(
            stats.lines_lost > 0,
            "{name}: the server never filled up: {stats:?}"
        );
        assert_eq!(
            stats.written + stats.dropped + stats.lines_lost,
            logged,
            "{name}: {stats:?}"
        );
        assert!(
            elapsed < Duration::from_secs(30),
            "{name}: took {elapsed:?}"
        );
    }
    stop.send(()).expect("acceptor alive");
    acceptor.join().expect("acceptor");
    let _ = fs::remove_dir_all(&dir);
}
