//! The TSC timer of the per-call and batch methods: an `lfence; rdtsc;
//! lfence` pair around the measured code (`rdtscp; lfence` at the end),
//! converted to nanoseconds with a calibration against `Instant`.

use std::arch::x86_64::{__rdtscp, _mm_lfence, _rdtsc};
use std::sync::atomic::{Ordering, compiler_fence};
use std::time::{Duration, Instant};

/// Reads the TSC at the start of a measured region: earlier instructions
/// retire first, later ones start after the read.
#[inline(always)]
pub fn start() -> u64 {
    compiler_fence(Ordering::SeqCst);
    // SAFETY: lfence and rdtsc exist on every x86_64 CPU.
    let t = unsafe {
        _mm_lfence();
        let t = _rdtsc();
        _mm_lfence();
        t
    };
    compiler_fence(Ordering::SeqCst);
    t
}

/// Reads the TSC at the end of a measured region: `rdtscp` waits for the
/// measured instructions to retire, `lfence` keeps later ones out.
#[inline(always)]
pub fn end() -> u64 {
    compiler_fence(Ordering::SeqCst);
    let mut aux = 0u32;
    // SAFETY: rdtscp is present on the CPUs this harness targets (invariant
    // TSC, checked by `Clock::calibrate`); lfence on every x86_64 CPU.
    let t = unsafe {
        let t = __rdtscp(&mut aux);
        _mm_lfence();
        t
    };
    compiler_fence(Ordering::SeqCst);
    t
}

/// A plain TSC read (no fences), for spinning.
#[inline(always)]
pub fn now() -> u64 {
    // SAFETY: rdtsc exists on every x86_64 CPU.
    unsafe { _rdtsc() }
}

/// A TSC read ordered after the loads before it (`rdtscp`, no fences
/// around it): what a logger does whose stamps keep causal order.
#[inline(always)]
pub fn ordered_now() -> u64 {
    let mut aux = 0u32;
    // SAFETY: rdtscp is present on the CPUs this harness targets (see
    // `end`).
    unsafe { __rdtscp(&mut aux) }
}

/// TSC frequency and the cost of the timer itself.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// TSC ticks per nanosecond.
    pub ticks_per_ns: f64,
    /// Mean of `end() - start()` with nothing in between (samples above
    /// the 99th percentile left out), in ticks. A mean, not a median: on
    /// AMD Zen the TSC advances in steps of about 10 ns, and only an average
    /// over random phases resolves below a step.
    pub timer_cost: f64,
    /// The TSC's step (the smallest difference between two consecutive
    /// reads that occurs in at least 1% of them), in ticks.
    pub step: u64,
}

impl Clock {
    /// Calibrates the TSC against `Instant` over `window`, then measures the
    /// timer's own cost (median of five trimmed means of 20,000 empty
    /// pairs) and the TSC's step.
    pub fn calibrate(window: Duration) -> Clock {
        let detected = std::arch::is_x86_feature_detected!("sse2");
        assert!(detected, "the harness needs an x86_64 CPU with SSE2");
        let i0 = Instant::now();
        let t0 = start();
        while i0.elapsed() < window {
            std::hint::spin_loop();
        }
        let t1 = end();
        let elapsed = i0.elapsed();
        let ticks_per_ns = (t1 - t0) as f64 / elapsed.as_nanos() as f64;
        // Five trimmed means of 20,000 empty pairs; their median.
        let mut means: Vec<f64> = (0..5)
            .map(|_| {
                let mut costs: Vec<u64> = (0..20_000)
                    .map(|_| {
                        let a = start();
                        let b = end();
                        b.saturating_sub(a)
                    })
                    .collect();
                costs.sort_unstable();
                let kept = &costs[..costs.len() * 99 / 100];
                kept.iter().sum::<u64>() as f64 / kept.len() as f64
            })
            .collect();
        means.sort_by(f64::total_cmp);
        let timer_cost = means[2];
        // The step: the smallest difference between consecutive reads that
        // is not a 1-tick adjustment and occurs in at least 1% of them.
        let mut steps = std::collections::BTreeMap::new();
        let mut prev = now();
        let reads = 100_000u64;
        for _ in 0..reads {
            let t = now();
            if t > prev {
                *steps.entry(t - prev).or_insert(0u64) += 1;
            }
            prev = t;
        }
        let step = steps
            .into_iter()
            .find(|&(d, n)| d >= 2 && n * 100 >= reads)
            .map_or(1, |(d, _)| d);
        Clock {
            ticks_per_ns,
            timer_cost,
            step,
        }
    }

    /// Ticks to nanoseconds.
    pub fn ns(&self, ticks: f64) -> f64 {
        ticks / self.ticks_per_ns
    }

    /// A measured `end() - start()` difference minus the timer's cost, in
    /// nanoseconds (may be slightly negative for calls cheaper than the
    /// TSC's step).
    pub fn net_ns(&self, ticks: u64) -> f64 {
        self.ns(ticks as f64 - self.timer_cost)
    }

    /// Nanoseconds to ticks.
    pub fn ticks(&self, ns: f64) -> u64 {
        (ns * self.ticks_per_ns) as u64
    }

    /// Busy-waits `ticks` TSC ticks.
    #[inline(always)]
    pub fn spin(&self, ticks: u64) {
        let t0 = now();
        while now().wrapping_sub(t0) < ticks {
            std::hint::spin_loop();
        }
    }
}

/// A small xorshift generator for the spin lengths (no dependency, no
/// syscalls).
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator seeded with `seed` (0 is replaced).
    pub fn new(seed: u64) -> Self {
        XorShift(seed.max(1))
    }

    /// Next value.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value in `lo..hi`.
    #[inline(always)]
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo).max(1)
    }
}
