//! Timestamps: a raw counter read on the hot thread, wall-clock time on the
//! writer.
//!
//! The hot path calls [`Clock::write_raw`], which reads the same counter as
//! `quanta`'s raw reading: the TSC on x86_64 when quanta finds it invariant
//! (read inline with `rdtscp`), the system counter on aarch64, and
//! `clock_gettime(CLOCK_MONOTONIC)` elsewhere or when the TSC is not
//! trustworthy. Readings are comparable across threads, so the writer can
//! merge rings by them.
//!
//! Every reading is taken after the loads that precede it in program order,
//! in the compiler and in the CPU. That is what makes the merge exact for
//! causally ordered lines: when thread B logs after seeing a flag that
//! thread A set after logging, B's reading is later than A's.
//!
//! The writer converts a reading to UTC with one anchor taken when the logger
//! is built: `(raw, SystemTime::now())`. Later wall-clock steps (NTP
//! adjustments) are not followed; a log's timestamps stay monotonic.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A clock whose raw readings are cheap enough for the hot path.
///
/// # Examples
///
/// ```
/// let clock = llt_runtime::Clock::new();
/// let a = clock.raw();
/// let b = clock.raw();
/// assert!(clock.unix_nanos(b) >= clock.unix_nanos(a));
/// ```
#[derive(Clone)]
pub struct Clock {
    inner: quanta::Clock,
    /// Whether `inner` reads the TSC, so `raw` can read it inline (quanta's
    /// `raw` is not inlinable across crates and would cost a call).
    tsc: bool,
    anchor_raw: u64,
    anchor_unix_nanos: u64,
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock")
            .field("tsc", &self.tsc)
            .field("anchor_raw", &self.anchor_raw)
            .field("anchor_unix_nanos", &self.anchor_unix_nanos)
            .finish_non_exhaustive()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    /// Calibrates (once per process, inside quanta) and anchors the clock to
    /// the current wall-clock time.
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = llt_runtime::Clock::new();
    /// assert!(clock.unix_nanos(clock.raw()) > 1_700_000_000_000_000_000);
    /// ```
    pub fn new() -> Self {
        let inner = quanta::Clock::new();
        let tsc = quanta_uses_tsc();
        let anchor_raw = inner.raw();
        let anchor_unix_nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        Clock {
            inner,
            tsc,
            anchor_raw,
            anchor_unix_nanos,
        }
    }

    /// A raw reading: a few instructions, no system call on x86_64 with an
    /// invariant TSC.
    ///
    /// The reading is taken after every memory read that precedes it in
    /// program order (see [`write_raw`](Self::write_raw)), so it is later
    /// than anything another thread did before a store this thread has
    /// already seen.
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = llt_runtime::Clock::new();
    /// let (a, b) = (clock.raw(), clock.raw());
    /// assert!(b >= a);
    /// ```
    #[inline(always)]
    pub fn raw(&self) -> u64 {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if self.tsc {
            // SAFETY: `tsc` is set only when CPUID reports `rdtscp`.
            let (low, high) = unsafe { rdtscp() };
            return u64::from(high) << 32 | u64::from(low);
        }
        fallback_raw(&self.inner)
    }

    /// A raw reading that is not reordered with the memory accesses around
    /// it (`lfence; rdtsc; lfence` on x86_64): for the writer's pass
    /// bound, where the reading must happen before the rings are read.
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = llt_runtime::Clock::new();
    /// assert!(clock.raw_ordered() <= clock.raw());
    /// ```
    pub fn raw_ordered(&self) -> u64 {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if self.tsc {
            use core::arch::x86_64::{_mm_lfence, _rdtsc};
            // SAFETY: `lfence` (SSE2, checked by the cfg) and `rdtsc` exist
            // on every x86_64 CPU and touch no memory. The second `lfence`
            // keeps the loads that follow (the writer's ring snapshots) from
            // executing before the counter is read.
            return unsafe {
                _mm_lfence();
                let now = _rdtsc();
                _mm_lfence();
                now
            };
        }
        fallback_raw(&self.inner)
    }

    /// Writes a raw reading (as a native-endian `u64`) to `dst`.
    ///
    /// Same value as [`raw`](Self::raw); on x86_64 the two halves `rdtscp`
    /// returns are stored as they are, which saves merging them.
    ///
    /// The reading is ordered after the memory reads before it: `rdtscp`
    /// waits until every earlier instruction has executed and every
    /// earlier load is globally visible (a plain `rdtsc` may execute before
    /// an earlier load, such as the one that saw another thread's signal,
    /// and stamp a line earlier than the line that caused it), and the
    /// compiler may not move it above earlier memory accesses either. It
    /// costs no more instructions than `rdtsc`. Stores after it become
    /// visible only after it has executed, as every store on x86_64 waits
    /// for the instructions before it to retire.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for an unaligned write of 8 bytes.
    #[inline(always)]
    pub unsafe fn write_raw(&self, dst: *mut u8) {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if self.tsc {
            // SAFETY: `tsc` is set only when CPUID reports `rdtscp`.
            let (low, high) = unsafe { rdtscp() };
            // SAFETY: the caller guarantees 8 writable bytes; x86_64 is
            // little-endian, so low then high is the u64's layout.
            unsafe {
                dst.cast::<u32>().write_unaligned(low);
                dst.add(4).cast::<u32>().write_unaligned(high);
            }
            return;
        }
        // Where a TSC is the rule (x86_64), the fallback is cold, so the
        // compiler lays the `rdtscp` path out straight (one jump fewer per
        // call); elsewhere it is the only path and stays inline.
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        let raw = fallback_raw_cold(&self.inner);
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        let raw = fallback_raw(&self.inner);
        // SAFETY: the caller guarantees 8 writable bytes.
        unsafe { dst.cast::<u64>().write_unaligned(raw) }
    }

    /// Nanoseconds since the Unix epoch for a raw reading.
    ///
    /// Readings taken before the anchor (possible by a few cycles across
    /// cores) map to the anchor itself.
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = llt_runtime::Clock::new();
    /// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    /// let ours = clock.unix_nanos(clock.raw());
    /// assert!(ours.abs_diff(now) < 1_000_000_000, "within a second of the system clock");
    /// ```
    pub fn unix_nanos(&self, raw: u64) -> u64 {
        let since_anchor = if raw > self.anchor_raw {
            self.inner.delta_as_nanos(self.anchor_raw, raw)
        } else {
            0
        };
        self.anchor_unix_nanos.saturating_add(since_anchor)
    }
}

/// Reads the TSC with `rdtscp`: `(low, high)` halves of the counter.
///
/// `rdtscp` reads the same counter as `rdtsc` (quanta's TSC reading), but
/// only once every earlier instruction has executed and every earlier load
/// is globally visible. The `asm!` is not `nomem`, so the compiler treats
/// it as a memory access and keeps it below earlier loads (an Acquire load
/// keeps every later memory access below it).
///
/// # Safety
///
/// The CPU must support `rdtscp` (CPUID 8000_0001h EDX bit 27).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
unsafe fn rdtscp() -> (u32, u32) {
    let (low, high): (u32, u32);
    // SAFETY: the caller guarantees `rdtscp` exists; it writes eax, edx
    // and ecx (the TSC_AUX value, unused) and no memory.
    unsafe {
        core::arch::asm!(
            "rdtscp",
            out("eax") low,
            out("edx") high,
            out("ecx") _,
            options(nostack, preserves_flags),
        );
    }
    (low, high)
}

/// quanta's raw reading, when the TSC is not read inline: the system
/// counter on aarch64, `clock_gettime(CLOCK_MONOTONIC)` elsewhere.
///
/// Ordered after earlier loads like the TSC reading: `clock_gettime` is a
/// vDSO call or a system call, opaque to the compiler, and the vDSO reads
/// the TSC with `lfence; rdtsc` or `rdtscp` (the kernel's
/// `rdtsc_ordered`). On aarch64 quanta reads `cntvct_el0` with a bare
/// `mrs`, which may be read speculatively before an earlier load; an `isb`
/// first prevents that (the Arm ARM's recipe for reading the counter after
/// a signal read from memory).
#[inline(always)]
fn fallback_raw(inner: &quanta::Clock) -> u64 {
    #[cfg(target_arch = "aarch64")]
    // SAFETY: `isb` has no operands and touches no memory or flags.
    unsafe {
        core::arch::asm!("isb", options(nostack, preserves_flags));
    }
    inner.raw()
}

/// [`fallback_raw`] out of line and cold, for the log call's path on
/// x86_64, where the TSC is the rule.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[cold]
#[inline(never)]
fn fallback_raw_cold(inner: &quanta::Clock) -> u64 {
    fallback_raw(inner)
}

/// Whether `quanta::Clock::new` chose the TSC: it does exactly when CPUID
/// reports an invariant TSC and `rdtscp` (quanta's `has_counter_support`).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn quanta_uses_tsc() -> bool {
    use core::arch::x86_64::__cpuid;
    let max_extended = __cpuid(0x8000_0000).eax;
    if max_extended < 0x8000_0007 {
        return false;
    }
    let (power, features) = (__cpuid(0x8000_0007), __cpuid(0x8000_0001));
    let invariant_tsc = power.edx & (1 << 8) != 0;
    let rdtscp = features.edx & (1 << 27) != 0;
    invariant_tsc && rdtscp
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn quanta_uses_tsc() -> bool {
    false
}

/// Formats Unix timestamps as RFC 3339 UTC with microseconds
/// (`2026-11-25T14:47:42.123456Z`), caching the date-and-seconds part.
///
/// # Examples
///
/// ```
/// let mut ts = llt_runtime::clock::Rfc3339::default();
/// let mut out = Vec::new();
/// ts.write(&mut out, 1_764_082_062_123_456_789);
/// assert_eq!(out, b"2025-11-25T14:47:42.123456Z");
/// ```
#[derive(Debug, Default)]
pub struct Rfc3339 {
    cached_second: Option<u64>,
    cached_prefix: [u8; 20],
}

impl Rfc3339 {
    /// Appends the timestamp for `unix_nanos` to `out`.
    pub fn write(&mut self, out: &mut Vec<u8>, unix_nanos: u64) {
        let second = unix_nanos / 1_000_000_000;
        if self.cached_second != Some(second) {
            self.cached_prefix = date_time_prefix(second);
            self.cached_second = Some(second);
        }
        out.extend_from_slice(&self.cached_prefix);
        let micros = (unix_nanos % 1_000_000_000) / 1_000;
        let mut frac = *b"000000Z";
        write_digits(&mut frac[..6], micros);
        out.extend_from_slice(&frac);
    }
}

/// `YYYY-MM-DDTHH:MM:SS.` for a Unix second.
fn date_time_prefix(unix_second: u64) -> [u8; 20] {
    let days = unix_second / 86_400;
    let second_of_day = unix_second % 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    let mut out = *b"0000-00-00T00:00:00.";
    write_digits(&mut out[0..4], year.clamp(0, 9999) as u64);
    write_digits(&mut out[5..7], u64::from(month));
    write_digits(&mut out[8..10], u64::from(day));
    write_digits(&mut out[11..13], second_of_day / 3600);
    write_digits(&mut out[14..16], second_of_day / 60 % 60);
    write_digits(&mut out[17..19], second_of_day % 60);
    out
}

/// Writes `value` as zero-padded decimal filling `out` (extra high digits are
/// dropped).
fn write_digits(out: &mut [u8], mut value: u64) {
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Year, month, day from days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, public-domain algorithm).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        let cases = [
            (0u64, "1970-01-01T00:00:00.000000Z"),
            (951_782_400_000_000_000, "2000-02-29T00:00:00.000000Z"),
            (1_709_164_799_999_999_999, "2024-02-28T23:59:59.999999Z"),
            (4_102_444_800_000_001_000, "2100-01-01T00:00:00.000001Z"),
        ];
        let mut ts = Rfc3339::default();
        for (nanos, want) in cases {
            let mut out = Vec::new();
            ts.write(&mut out, nanos);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{nanos}");
        }
    }

    #[test]
    fn inline_tsc_readings_agree_with_quanta() {
        // If `raw` reads the TSC inline, quanta must be in TSC mode too:
        // its own reading lies between two of ours.
        let clock = Clock::new();
        let before = clock.raw();
        let theirs = clock.inner.raw();
        let after = clock.raw();
        assert!(
            before <= theirs && theirs <= after,
            "{before} {theirs} {after}"
        );
        let mut written = [0u8; 8];
        // SAFETY: `written` has 8 bytes.
        unsafe { clock.write_raw(written.as_mut_ptr()) };
        let written = u64::from_ne_bytes(written);
        assert!(after <= written && written <= clock.raw());
    }

    #[test]
    fn cached_prefix_changes_with_the_second() {
        let mut ts = Rfc3339::default();
        let mut out = Vec::new();
        ts.write(&mut out, 59_999_999_999);
        out.push(b' ');
        ts.write(&mut out, 60_000_000_000);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1970-01-01T00:00:59.999999Z 1970-01-01T00:01:00.000000Z"
        );
    }
}
