//! Sending messages to the server: Unix datagrams, UDP, or TCP with
//! octet-counting framing (RFC 6587, section 3.4.1), with bounded waits and
//! reconnection.

use std::io::{self, Write as _};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{Resolved, Syslog, SyslogError, Target};
use crate::sink::MessageSink;

/// An open socket.
enum Socket {
    /// Unbound and unconnected: each message is sent to the path, so a
    /// restarted server (a new socket at the same path) is found at once.
    Unix(UnixDatagram),
    Udp(UdpSocket),
    Tcp(TcpStream),
}

/// Where to send, resolved.
#[derive(Debug, Clone)]
enum Peer {
    Unix(PathBuf),
    Udp(SocketAddr),
    Tcp(Vec<SocketAddr>),
}

/// The connection to the server, owned by the writer thread.
pub(crate) struct Transport {
    peer: Peer,
    timeout: Duration,
    retry_interval: Duration,
    socket: Option<Socket>,
    /// The server was found away: until then, lines are counted as lost
    /// without trying.
    retry_at: Option<Instant>,
    /// The error that sent the server away, repeated while it is.
    away: Option<(io::ErrorKind, String)>,
    /// TCP: the batch's frames, and where each ends.
    frames: Vec<u8>,
    frame_ends: Vec<usize>,
}

impl Transport {
    /// Opens the first connection (for a Unix socket, checks that a server
    /// listens at the path).
    pub(crate) fn connect(syslog: &Syslog) -> Result<Transport, SyslogError> {
        let peer = match &syslog.target {
            Target::Unix(path) => Peer::Unix(path.clone()),
            Target::Udp(resolved) => Peer::Udp(first(resolved)?[0]),
            Target::Tcp(resolved) => Peer::Tcp(first(resolved)?),
        };
        let mut transport = Transport {
            peer,
            timeout: syslog.timeout,
            retry_interval: syslog.retry_interval,
            socket: None,
            retry_at: None,
            away: None,
            frames: Vec::new(),
            frame_ends: Vec::new(),
        };
        transport.open().map_err(|source| SyslogError::Connect {
            to: transport.describe(),
            source,
        })?;
        if let Peer::Unix(path) = &transport.peer {
            // A connect tells whether a server listens there (datagrams
            // sent later are not connected, see `Socket::Unix`).
            let probe = UnixDatagram::unbound().and_then(|probe| probe.connect(path));
            probe.map_err(|source| SyslogError::Connect {
                to: transport.describe(),
                source,
            })?;
        }
        Ok(transport)
    }

    /// `unix:/dev/log`, `udp:127.0.0.1:514`, `tcp:127.0.0.1:601`.
    fn describe(&self) -> String {
        match &self.peer {
            Peer::Unix(path) => format!("unix:{}", path.display()),
            Peer::Udp(address) => format!("udp:{address}"),
            Peer::Tcp(addresses) => format!("tcp:{}", addresses[0]),
        }
    }

    /// Opens a socket (for TCP, connects), with the write timeout set.
    fn open(&mut self) -> io::Result<()> {
        let socket = match &self.peer {
            Peer::Unix(_) => {
                let socket = UnixDatagram::unbound()?;
                socket.set_write_timeout(Some(self.timeout))?;
                Socket::Unix(socket)
            }
            Peer::Udp(address) => {
                let local: SocketAddr = if address.is_ipv4() {
                    ([0, 0, 0, 0], 0).into()
                } else {
                    (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
                };
                let socket = UdpSocket::bind(local)?;
                socket.set_write_timeout(Some(self.timeout))?;
                Socket::Udp(socket)
            }
            Peer::Tcp(addresses) => {
                let mut last = io::Error::from(io::ErrorKind::NotFound);
                let mut stream = None;
                for address in addresses {
                    match TcpStream::connect_timeout(address, self.timeout) {
                        Ok(s) => {
                            stream = Some(s);
                            break;
                        }
                        Err(e) => last = e,
                    }
                }
                let stream = stream.ok_or(last)?;
                stream.set_write_timeout(Some(self.timeout))?;
                let _ = stream.set_nodelay(true);
                Socket::Tcp(stream)
            }
        };
        self.socket = Some(socket);
        Ok(())
    }

    /// The server is away: drop the socket (a TCP stream may hold half a
    /// frame) and wait `retry_interval` before trying again.
    fn went_away(&mut self, error: &io::Error) -> io::Error {
        if matches!(self.socket, Some(Socket::Tcp(_))) {
            self.socket = None;
        }
        self.retry_at = Some(Instant::now() + self.retry_interval);
        self.away = Some((error.kind(), error.to_string()));
        self.away_error()
    }

    fn away_error(&self) -> io::Error {
        let (kind, what) = self
            .away
            .clone()
            .unwrap_or((io::ErrorKind::NotConnected, "not connected".into()));
        io::Error::new(
            kind,
            format!(
                "syslog server at {} is unreachable ({what}); its lines are counted as lost, \
                 retried every {} ms",
                self.describe(),
                self.retry_interval.as_millis()
            ),
        )
    }

    /// Whether the server closed our TCP connection (it restarted): a
    /// non-blocking peek reads the end of the stream.
    fn tcp_closed(stream: &TcpStream) -> bool {
        let mut byte = 0u8;
        // SAFETY: `byte` is valid for a write of 1 byte; the fd is open
        // (owned by `stream`).
        let n = unsafe {
            libc::recv(
                stream.as_raw_fd(),
                (&raw mut byte).cast(),
                1,
                libc::MSG_PEEK | libc::MSG_DONTWAIT,
            )
        };
        match n {
            0 => true,
            n if n > 0 => false,
            _ => {
                let error = io::Error::last_os_error();
                !matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                )
            }
        }
    }

    /// Makes sure a socket is open; `Err` if the server is away.
    fn ready(&mut self) -> io::Result<()> {
        if let Some(Socket::Tcp(stream)) = &self.socket
            && Self::tcp_closed(stream)
        {
            self.socket = None;
            // Closed by the server, not failed: reconnect now.
            self.retry_at = None;
        }
        if self.socket.is_some() && self.retry_at.is_none() {
            return Ok(());
        }
        if let Some(at) = self.retry_at
            && Instant::now() < at
        {
            return Err(self.away_error());
        }
        self.retry_at = None;
        if self.socket.is_none()
            && let Err(error) = self.open()
        {
            return Err(self.went_away(&error));
        }
        Ok(())
    }

    /// Sends each line as one datagram.
    fn send_datagrams(&mut self, batch: &[u8], line_ends: &[usize]) -> (u64, Option<io::Error>) {
        let mut sent = 0;
        let mut error = None;
        let mut start = 0;
        for &end in line_ends {
            let message = message(batch, start, end);
            start = end;
            let result = match (&self.socket, &self.peer) {
                (Some(Socket::Unix(socket)), Peer::Unix(path)) => socket.send_to(message, path),
                (Some(Socket::Udp(socket)), Peer::Udp(address)) => socket.send_to(message, address),
                _ => Err(io::Error::from(io::ErrorKind::NotConnected)),
            };
            match result {
                Ok(_) => sent += 1,
                // Too long for one datagram: this line only.
                Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => {
                    error = Some(io::Error::new(
                        e.kind(),
                        format!(
                            "a {}-byte line is too long for one syslog datagram: {e}",
                            message.len()
                        ),
                    ));
                }
                Err(e) => return (sent, Some(self.went_away(&e))),
            }
        }
        (sent, error)
    }

    /// Sends the lines as octet-counted frames, in as few writes as the
    /// socket takes.
    fn send_stream(&mut self, batch: &[u8], line_ends: &[usize]) -> (u64, Option<io::Error>) {
        let Some(Socket::Tcp(stream)) = &self.socket else {
            return (0, Some(io::Error::from(io::ErrorKind::NotConnected)));
        };
        self.frames.clear();
        self.frame_ends.clear();
        let mut start = 0;
        for &end in line_ends {
            let message = message(batch, start, end);
            start = end;
            // Writing into a Vec cannot fail.
            let _ = write!(self.frames, "{} ", message.len());
            self.frames.extend_from_slice(message);
            self.frame_ends.push(self.frames.len());
        }
        let fd = stream.as_raw_fd();
        let mut done = 0;
        while done < self.frames.len() {
            let rest = &self.frames[done..];
            // SAFETY: `rest` is valid for reads of its length; the fd is
            // open. MSG_NOSIGNAL: a closed peer is an EPIPE error, not a
            // SIGPIPE that would kill a program that did not ignore it.
            let n = unsafe { libc::send(fd, rest.as_ptr().cast(), rest.len(), libc::MSG_NOSIGNAL) };
            if n > 0 {
                done += n as usize;
                continue;
            }
            let error = if n == 0 {
                io::Error::from(io::ErrorKind::WriteZero)
            } else {
                io::Error::last_os_error()
            };
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            let sent = self.frame_ends.partition_point(|&end| end <= done) as u64;
            return (sent, Some(self.went_away(&error)));
        }
        (line_ends.len() as u64, None)
    }
}

impl MessageSink for Transport {
    fn send(&mut self, batch: &[u8], line_ends: &[usize]) -> (u64, Option<io::Error>) {
        if let Err(error) = self.ready() {
            return (0, Some(error));
        }
        match self.peer {
            Peer::Tcp(_) => self.send_stream(batch, line_ends),
            Peer::Unix(_) | Peer::Udp(_) => self.send_datagrams(batch, line_ends),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        // Every `send` hands its bytes to the kernel before it returns.
        Ok(())
    }
}

/// The line between `start` and `end`, without its newline.
fn message(batch: &[u8], start: usize, end: usize) -> &[u8] {
    let line = &batch[start..end];
    line.strip_suffix(b"\n").unwrap_or(line)
}

/// The resolved addresses, or the resolver's error.
fn first(resolved: &Resolved) -> Result<Vec<SocketAddr>, SyslogError> {
    resolved
        .clone()
        .map_err(|(address, kind, what)| SyslogError::Resolve {
            address,
            source: io::Error::new(kind, what),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_has_no_newline() {
        assert_eq!(message(b"a\nbc\n", 2, 5), b"bc");
        assert_eq!(message(b"abc", 0, 3), b"abc");
    }
}
