//! The writer thread's side of binary logs: turns ring records into
//! entries, copying argument bytes, and defines each callsite and thread
//! the first time a segment needs it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::mem::{MaybeUninit, size_of};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;

use super::{
    FIELD_IN_MESSAGE, FLAG_BIG_ENDIAN, MAGIC, SITE_FIELDS, SITE_MESSAGE, SITE_PREFORMATTED,
    SITE_TARGET_IN_RECORD, VERSION, control, line_format_code, put_varint, spec, zigzag,
};
use crate::callsite::{Callsite, is_string_callsite};
use crate::clock::Clock;
use crate::fields::{Fields, Value};
use crate::line::{LineFormat, format_message};
use crate::record::{ArgKind, Line, Payload, RECORD_HEADER, init_view, read_header_raw};
use crate::shared::Counters;

/// How a callsite's records are stored.
#[derive(Debug)]
enum Body {
    /// The arguments, all of known kinds. `fixed` is their total size
    /// when none is a string (the bytes are then copied in one piece).
    Arguments {
        kinds: Box<[ArgKind]>,
        fixed: Option<usize>,
    },
    /// The payload is the message's bytes (`Logger::log`), after the
    /// target for `log` bridge records.
    Message { target_in_payload: bool },
    /// The message, formatted on the writer (after the target, for
    /// `tracing` events), then the field list if the decoder announced one
    /// (`SITE_FIELDS`).
    Preformatted { target_in_payload: bool },
}

#[derive(Debug)]
struct Site {
    index: u64,
    body: Body,
}

/// Entries of the encoder's direct-mapped callsite cache.
const FAST_SLOTS: usize = 64;

/// The cache slot of a callsite address (callsites are at least 8-byte
/// aligned and a few dozen bytes apart).
#[inline(always)]
fn fast_slot(address: usize) -> usize {
    ((address >> 3).wrapping_mul(0x9e37_79b9) >> 7) & (FAST_SLOTS - 1)
}

/// A hasher for callsite addresses: they are distinct already.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_usize(&mut self, value: usize) {
        self.0 = (value as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// Encodes records for a binary log.
#[derive(Debug)]
pub(crate) struct Encoder {
    format: LineFormat,
    /// Callsites described in this segment, by address.
    sites: HashMap<usize, Site, BuildHasherDefault<AddressHasher>>,
    /// Callsites whose arguments are all of fixed size, direct-mapped by
    /// address: (address, entry tag, their size). A hit skips the lookup
    /// in `sites`.
    fast: Box<[(usize, u64, usize); FAST_SLOTS]>,
    /// Threads defined in this segment, by name.
    threads: HashMap<String, u64>,
    /// The current thread (records are attributed to it).
    thread: Option<u64>,
    /// The ring of the last record, and whether `thread` is its thread
    /// (ring indexes are stable during a pass).
    last_ring: Option<usize>,
    /// Timestamp of the last entry (Unix nanoseconds).
    last_nanos: u64,
    /// The base timestamp, written in the segment header.
    base_nanos: u64,
    /// The next entry starts a new segment (header, empty dictionary).
    restart: bool,
    kinds: Vec<ArgKind>,
    scratch: Line,
    /// A record's fields, encoded before their count is known.
    fields: Vec<u8>,
    /// Set by the `BinaryFile` when it rotated (see there).
    rotated: Arc<AtomicBool>,
}

impl Encoder {
    pub(crate) fn new(clock: &Clock, format: LineFormat, rotated: Arc<AtomicBool>) -> Self {
        Encoder {
            format,
            sites: HashMap::default(),
            fast: Box::new([(0, 0, 0); FAST_SLOTS]),
            threads: HashMap::new(),
            thread: None,
            last_ring: None,
            last_nanos: 0,
            base_nanos: clock.unix_nanos(0),
            restart: true,
            kinds: Vec::new(),
            scratch: Line::default(),
            fields: Vec::new(),
            rotated,
        }
    }

    /// Starts a new segment at the next entry: what was written since the
    /// last one may be lost (a failed write, a dropped partial entry), so
    /// nothing after it may refer to it.
    pub(crate) fn restart(&mut self) {
        self.restart = true;
    }

    /// After a batch went to the sink: a failed write or a rotated file
    /// starts a new segment.
    pub(crate) fn after_write(&mut self, failed: bool) {
        // Relaxed: set and read on this (the writer) thread only.
        if failed | self.rotated.swap(false, Relaxed) {
            self.restart();
        }
    }

    /// Ring indexes may change between passes.
    pub(crate) fn new_pass(&mut self) {
        self.last_ring = None;
    }

    #[inline(always)]
    fn begin_entry(&mut self, out: &mut Vec<u8>) {
        if self.restart {
            self.start_segment(out);
        }
    }

    /// Writes a segment header and forgets the dictionary.
    #[cold]
    fn start_segment(&mut self, out: &mut Vec<u8>) {
        self.restart = false;
        self.sites.clear();
        self.fast.fill((0, 0, 0));
        self.threads.clear();
        self.thread = None;
        self.last_ring = None;
        self.last_nanos = self.base_nanos;
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        out.push(if cfg!(target_endian = "big") {
            FLAG_BIG_ENDIAN
        } else {
            0
        });
        out.push(size_of::<usize>() as u8);
        out.push(line_format_code(self.format));
        out.extend_from_slice(&self.base_nanos.to_le_bytes());
    }

    fn put_timestamp(&mut self, out: &mut Vec<u8>, nanos: u64) {
        put_varint(out, zigzag(nanos.wrapping_sub(self.last_nanos) as i64));
        self.last_nanos = nanos;
    }

    /// Appends the entries for one ring record (with the definitions it
    /// needs first).
    ///
    /// Inlined into the writer's loop: a record of a callsite already in
    /// the fast cache, from the same thread as the last one, is a few
    /// stores; anything else goes to [`record_slow`](Self::record_slow).
    #[inline(always)]
    pub(crate) fn record(
        &mut self,
        out: &mut Vec<u8>,
        payload: &[MaybeUninit<u8>],
        ring: usize,
        thread: &str,
        clock: &Clock,
        counters: &Counters,
    ) {
        if !self.restart
            && self.last_ring == Some(ring)
            && let Some((address, raw)) = read_header_raw(payload)
        {
            let args = &payload[RECORD_HEADER..];
            let (fast_address, tag, len) = self.fast[fast_slot(address)];
            if address == fast_address && args.len() == len {
                self.put_fast(out, tag, raw, args, clock);
                return;
            }
        }
        self.record_slow(out, payload, ring, thread, clock, counters);
    }

    /// The entry of a record whose callsite is in the fast cache, with
    /// that entry's `tag`.
    #[inline(always)]
    fn put_fast(
        &mut self,
        out: &mut Vec<u8>,
        tag: u64,
        raw: u64,
        args: &[MaybeUninit<u8>],
        clock: &Clock,
    ) {
        let nanos = clock.unix_nanos(raw);
        let delta = zigzag(nanos.wrapping_sub(self.last_nanos) as i64);
        self.last_nanos = nanos;
        // SAFETY: `fast` only holds callsites whose arguments are all
        // primitives without padding (see `Body::Arguments` in
        // `record_slow`): the bytes their encoders wrote are initialised.
        put_record(out, tag, delta, unsafe { init(args) });
    }

    /// [`record`](Self::record) for every other case: a new segment, a new
    /// thread, a callsite not in the fast cache (defined first if new).
    #[inline(never)]
    fn record_slow(
        &mut self,
        out: &mut Vec<u8>,
        payload: &[MaybeUninit<u8>],
        ring: usize,
        thread: &str,
        clock: &Clock,
        counters: &Counters,
    ) {
        self.begin_entry(out);
        let Some((address, raw)) = read_header_raw(payload) else {
            put_varint(out, control::CORRUPTED * 2 + 1);
            // Relaxed: an event count (see `Counters`).
            counters.format_errors.fetch_add(1, Relaxed);
            return;
        };
        if self.last_ring != Some(ring) {
            self.switch_thread(out, thread);
            self.last_ring = Some(ring);
        }
        let args = &payload[RECORD_HEADER..];
        let slot = fast_slot(address);
        let (fast_address, tag, len) = self.fast[slot];
        if address == fast_address && args.len() == len {
            self.put_fast(out, tag, raw, args, clock);
            return;
        }
        if !self.sites.contains_key(&address) {
            // SAFETY: every record's header is written by the push path
            // with the address of a `&'static Callsite`.
            let callsite: &'static Callsite = unsafe { &*(address as *const Callsite) };
            self.define(out, address, callsite);
        }
        let site = &self.sites[&address];
        if let Body::Arguments {
            fixed: Some(len), ..
        } = site.body
        {
            self.fast[slot] = (address, site.index * 2, len);
        }
        let start = out.len();
        put_varint(out, site.index * 2);
        let nanos = clock.unix_nanos(raw);
        put_varint(out, zigzag(nanos.wrapping_sub(self.last_nanos) as i64));
        self.last_nanos = nanos;
        let copied = match &site.body {
            Body::Arguments {
                fixed: Some(len), ..
            } if args.len() == *len => {
                // SAFETY: every kind but `Opaque` is a primitive without
                // padding, so the `len` bytes its encoder wrote are
                // initialised.
                out.extend_from_slice(unsafe { init(args) });
                true
            }
            Body::Arguments { kinds, .. } => copy_arguments(out, args, kinds),
            Body::Message { target_in_payload } => {
                let mut rest = Payload::new(args);
                // SAFETY: records of string callsites are written by
                // `Logger::log_str` (the message's bytes) or the `log` bridge
                // (a usize-prefixed target, then the message's bytes).
                unsafe {
                    if *target_in_payload {
                        let target = rest.take_str().unwrap_or("<corrupted target>");
                        put_str(out, target.as_bytes());
                    }
                    put_str(out, rest.remaining_init());
                }
                true
            }
            Body::Preformatted { target_in_payload } => {
                // SAFETY: as above; the callsite's decoder reads its own
                // records.
                let callsite: &'static Callsite = unsafe { &*(address as *const Callsite) };
                let mut args = Payload::new(args);
                if *target_in_payload {
                    // SAFETY: records of callsites with `target_in_payload`
                    // start with a usize length and a `&str` (the `tracing`
                    // layer's `push`), as the text writer reads them.
                    let target = unsafe { args.take_str() }.unwrap_or("<corrupted target>");
                    put_str(out, target.as_bytes());
                }
                let line = &mut self.scratch;
                line.clear();
                // Named arguments are recorded as fields whatever the
                // writer's format: a JSON decoding shows them.
                line.named_wanted = true;
                line.named.clear();
                let follows = format_message(callsite, &mut args, line, counters);
                put_str(out, line.as_bytes());
                // SAFETY: the decoder called `fields::follow`: the bytes
                // after what it read are a field list written in this
                // process (as `line::format_record` reads them). A list too
                // short for its count is no list, there as here.
                let record = follows.then(|| unsafe { Fields::new(&args) }).flatten();
                if record.is_none() && line.named.is_empty() {
                    put_varint(out, 0);
                    true
                } else {
                    // SAFETY: `line.named` is a whole field list written by
                    // `fields::NamedFields` in this process, if not empty.
                    let named = unsafe { Fields::new(&Payload::new(init_view(&line.named))) };
                    put_fields(out, &mut self.fields, named, record)
                }
            }
        };
        if !copied {
            out.truncate(start);
            put_varint(out, control::CORRUPTED * 2 + 1);
            // Relaxed: an event count (see `Counters`).
            counters.format_errors.fetch_add(1, Relaxed);
        }
    }

    /// Appends the writer's report of `since` dropped messages, stamped
    /// `raw`.
    pub(crate) fn drops(&mut self, out: &mut Vec<u8>, raw: u64, since: u64, clock: &Clock) {
        self.begin_entry(out);
        put_varint(out, control::DROPS * 2 + 1);
        self.put_timestamp(out, clock.unix_nanos(raw));
        put_varint(out, since);
    }

    fn switch_thread(&mut self, out: &mut Vec<u8>, name: &str) {
        match self.threads.get(name) {
            Some(&index) if self.thread == Some(index) => {}
            Some(&index) => {
                put_varint(out, control::SWITCH_THREAD * 2 + 1);
                put_varint(out, index);
                self.thread = Some(index);
            }
            None => {
                let index = self.threads.len() as u64;
                self.threads.insert(name.to_owned(), index);
                put_varint(out, control::THREAD * 2 + 1);
                put_varint(out, index);
                put_str(out, name.as_bytes());
                self.thread = Some(index);
            }
        }
    }

    /// Describes `callsite` and remembers how its records are stored.
    fn define(&mut self, out: &mut Vec<u8>, address: usize, callsite: &Callsite) {
        let meta = &callsite.metadata;
        self.kinds.clear();
        (callsite.kinds)(&mut self.kinds);
        let (body, mut flags) = if is_string_callsite(callsite) {
            let target_in_payload = callsite.target_in_payload;
            let flags = if target_in_payload {
                SITE_TARGET_IN_RECORD | SITE_MESSAGE
            } else {
                SITE_MESSAGE
            };
            (Body::Message { target_in_payload }, flags)
        } else if !callsite.target_in_payload && spec::parse_for(meta.format, &self.kinds).is_some()
        {
            let fixed = self
                .kinds
                .iter()
                .map(|kind| kind.size())
                .sum::<Option<usize>>();
            let kinds = self.kinds.clone().into_boxed_slice();
            (Body::Arguments { kinds, fixed }, 0)
        } else {
            let target_in_payload = callsite.target_in_payload;
            (
                Body::Preformatted { target_in_payload },
                SITE_PREFORMATTED | SITE_FIELDS,
            )
        };
        if callsite.target_in_payload {
            flags |= SITE_TARGET_IN_RECORD;
        }
        let index = self.sites.len() as u64;
        put_varint(out, control::CALLSITE * 2 + 1);
        put_varint(out, index);
        out.push(meta.level as u8);
        out.push(flags);
        put_varint(out, u64::from(meta.line));
        put_str(out, meta.module_path.as_bytes());
        put_str(out, meta.file.as_bytes());
        put_str(out, meta.format.as_bytes());
        match &body {
            Body::Preformatted { .. } => put_varint(out, 0),
            _ => {
                put_varint(out, self.kinds.len() as u64);
                out.extend(self.kinds.iter().map(|&kind| kind as u8));
            }
        }
        self.sites.insert(address, Site { index, body });
    }
}

/// Appends a record's field list (`SITE_FIELDS`): a varint, the number of
/// fields plus one, then each field's kind, name (a string, where the ring
/// holds a pointer) and value (numbers in native byte order, text as
/// strings). The statement's named arguments come first, their kind marked
/// `FIELD_IN_MESSAGE`, as the text writer joins them in JSON lines.
/// `scratch` holds the fields until they are counted. Returns `false` if a
/// list is corrupted (the caller drops the record).
fn put_fields<'n, 'v, I>(
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
    named: Option<I>,
    record: Option<I>,
) -> bool
where
    I: Iterator<Item = Result<(&'n str, Value<'v>), ()>>,
{
    scratch.clear();
    let mut count = 0u64;
    let named = named
        .into_iter()
        .flatten()
        .map(|field| (FIELD_IN_MESSAGE, field));
    let record = record.into_iter().flatten().map(|field| (0, field));
    for (flag, field) in named.chain(record) {
        let Ok((name, value)) = field else {
            return false;
        };
        count += 1;
        scratch.push(value.kind() as u8 | flag);
        put_str(scratch, name.as_bytes());
        match value {
            Value::U64(v) => scratch.extend_from_slice(&v.to_ne_bytes()),
            Value::I64(v) => scratch.extend_from_slice(&v.to_ne_bytes()),
            Value::U128(v) => scratch.extend_from_slice(&v.to_ne_bytes()),
            Value::I128(v) => scratch.extend_from_slice(&v.to_ne_bytes()),
            Value::F64(v) => scratch.extend_from_slice(&v.to_bits().to_ne_bytes()),
            Value::Bool(v) => scratch.push(u8::from(v)),
            Value::Str(text) | Value::Debug(text) => put_str(scratch, text.as_bytes()),
        }
    }
    put_varint(out, count + 1);
    out.extend_from_slice(scratch);
    true
}

/// Appends a record of a callsite whose arguments are all of fixed size:
/// its tag, its timestamp delta and the argument bytes, with one capacity
/// check (the writer's hottest path).
#[inline(always)]
fn put_record(out: &mut Vec<u8>, tag: u64, delta: u64, args: &[u8]) {
    const VARINT_MAX: usize = 10;
    out.reserve(2 * VARINT_MAX + args.len());
    let spare = out.spare_capacity_mut();
    let mut at = put_varint_into(spare, 0, tag);
    at = put_varint_into(spare, at, delta);
    let dst = &mut spare[at..at + args.len()];
    // SAFETY: `u8` and `MaybeUninit<u8>` have the same layout.
    let src = unsafe { &*(args as *const [u8] as *const [MaybeUninit<u8>]) };
    let n = src.len();
    if (8..=16).contains(&n) {
        // One or two integers or floats, the usual case: two 8-byte
        // copies (overlapping when `n < 16`) instead of a call to memcpy.
        dst[..8].copy_from_slice(&src[..8]);
        dst[n - 8..].copy_from_slice(&src[n - 8..]);
    } else {
        dst.copy_from_slice(src);
    }
    let len = out.len() + at + args.len();
    // SAFETY: the bytes up to `len` were written just above, inside the
    // capacity reserved.
    unsafe { out.set_len(len) };
}

/// Writes a varint at `spare[at..]` (which has room for 10 bytes); returns
/// the index after it.
#[inline(always)]
fn put_varint_into(spare: &mut [MaybeUninit<u8>], mut at: usize, mut value: u64) -> usize {
    while value >= 0x80 {
        spare[at].write(value as u8 | 0x80);
        value >>= 7;
        at += 1;
    }
    spare[at].write(value as u8);
    at + 1
}

/// Appends a varint length and the bytes.
#[inline]
fn put_str(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Views bytes as initialised.
///
/// # Safety
///
/// They must be initialised.
#[inline]
unsafe fn init(bytes: &[MaybeUninit<u8>]) -> &[u8] {
    // SAFETY: initialised per the caller; same layout.
    unsafe { &*(bytes as *const [MaybeUninit<u8>] as *const [u8]) }
}

/// Copies arguments of `kinds` (some strings), each string's `usize`
/// length rewritten as a varint. Returns `false` if the bytes do not match
/// the kinds.
fn copy_arguments(out: &mut Vec<u8>, mut args: &[MaybeUninit<u8>], kinds: &[ArgKind]) -> bool {
    for &kind in kinds {
        let (len, skip) = match kind.size() {
            Some(size) => (size, 0),
            None => {
                let Some(prefix) = args.get(..size_of::<usize>()) else {
                    return false;
                };
                // SAFETY: `StrEnc` wrote an initialised usize length here.
                let len = unsafe { prefix.as_ptr().cast::<usize>().read_unaligned() };
                put_varint(out, len as u64);
                (len, size_of::<usize>())
            }
        };
        let Some(bytes) = args.get(skip..skip.saturating_add(len)) else {
            return false;
        };
        // SAFETY: a primitive's bytes (no padding) or a string's bytes, all
        // written by their encoders: initialised.
        out.extend_from_slice(unsafe { init(bytes) });
        args = &args[skip + len..];
    }
    args.is_empty()
}
