//! How the writer waits while the rings are empty: [`IdlePolicy`], and the
//! back-off that applies it.
//!
//! Three stages. A short spin catches the next line of a burst without a
//! system call. Then short sleeps, growing from `sleep` to `max_sleep`:
//! producers do not wake the writer here, so a burst pays nothing; the
//! longest short sleep is how long a line may wait (and how much a
//! `SIGKILL` may lose). After `deep_sleep_after` with nothing to write, a
//! deep sleep of up to `deep_sleep`: before it the writer sets a *wake trap*
//! in every ring, so the first line logged afterwards takes its producer's
//! slow path once and rings the writer's doorbell (one `futex` wake); the
//! rest of that burst runs as usual, with no system call.

use std::time::Duration;

/// How the writer waits while the rings are empty.
///
/// After `spins` empty passes it sleeps `sleep`, and each further empty
/// pass doubles the sleep up to `max_sleep`; any work resets it. Once
/// nothing has been written for `deep_sleep_after`, it sleeps up to
/// `deep_sleep` at a time, and the first line logged wakes it at once.
///
/// Measured with the defaults on the 2-core VM where llt is developed
/// (`cargo bench --bench idle`): a process with one logger that logs a line
/// and then idles for 30 s used 0.007 % of a core in all, with 2.7 writer
/// wake-ups a second (most of them in the first 100 ms, before the deep
/// sleep); a line logged after 10 s of silence reached the sink in 16 µs
/// (median). The price of the deep sleep is the first line after it: its
/// log call makes one `futex` system call to wake the writer.
///
/// Values are clamped when the logger is built ([`IdlePolicy::clamped`]):
/// sleeps to at least 1 µs and at most 1 s, the deep sleep to at most 10 s.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use llt_runtime::IdlePolicy;
/// // React faster after short quiet periods, at a higher idle cost.
/// let idle = IdlePolicy {
///     spins: 1000,
///     sleep: Duration::from_micros(100),
///     max_sleep: Duration::from_micros(500),
///     ..IdlePolicy::default()
/// };
/// let logger = llt_runtime::Logger::builder().idle(idle).sink(std::io::sink()).build().unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdlePolicy {
    /// Empty passes to spin through (with a CPU pause hint) before sleeping.
    pub spins: u32,
    /// The first sleep after spinning.
    pub sleep: Duration,
    /// The longest short sleep (at least `sleep`, else `sleep` is used).
    pub max_sleep: Duration,
    /// How long nothing must have been written before the deep sleep.
    pub deep_sleep_after: Duration,
    /// The longest deep sleep: also the longest a line logged at the very
    /// instant the writer falls asleep may wait (see the module docs of
    /// `ring` on wake traps).
    pub deep_sleep: Duration,
}

impl Default for IdlePolicy {
    /// 200 spins, sleeps growing from 500 µs to 2 ms, and after 100 ms with
    /// nothing to write, deep sleeps of up to 1 s.
    fn default() -> Self {
        IdlePolicy {
            spins: 200,
            sleep: Duration::from_micros(500),
            max_sleep: Duration::from_millis(2),
            deep_sleep_after: Duration::from_millis(100),
            deep_sleep: Duration::from_secs(1),
        }
    }
}

/// The shortest sleep the writer takes.
const MIN_SLEEP: Duration = Duration::from_micros(1);
/// The longest short sleep.
const MAX_SHORT_SLEEP: Duration = Duration::from_secs(1);
/// The longest deep sleep.
const MAX_DEEP_SLEEP: Duration = Duration::from_secs(10);

impl IdlePolicy {
    /// The policy with every value in a workable range: `sleep` and
    /// `max_sleep` in 1 µs ..= 1 s with `max_sleep >= sleep`, `deep_sleep`
    /// in `max_sleep ..= 10 s`, `deep_sleep_after` at most an hour.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use llt_runtime::IdlePolicy;
    /// let absurd = IdlePolicy { sleep: Duration::MAX, max_sleep: Duration::ZERO, ..IdlePolicy::default() };
    /// let clamped = absurd.clamped();
    /// assert_eq!(clamped.sleep, Duration::from_secs(1));
    /// assert_eq!(clamped.max_sleep, Duration::from_secs(1));
    /// ```
    pub fn clamped(self) -> IdlePolicy {
        let sleep = self.sleep.clamp(MIN_SLEEP, MAX_SHORT_SLEEP);
        let max_sleep = self.max_sleep.clamp(sleep, MAX_SHORT_SLEEP);
        IdlePolicy {
            spins: self.spins,
            sleep,
            max_sleep,
            deep_sleep_after: self.deep_sleep_after.min(Duration::from_secs(3600)),
            deep_sleep: self.deep_sleep.clamp(max_sleep, MAX_DEEP_SLEEP),
        }
    }
}

/// What the writer does after an empty pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Spin (a pause hint) and look again.
    Spin,
    /// Sleep this long; producers do not wake it.
    Sleep(Duration),
    /// Set wake traps and sleep this long; the first log wakes it.
    DeepSleep(Duration),
}

/// The writer's back-off state.
#[derive(Debug)]
pub(crate) struct Backoff {
    policy: IdlePolicy,
    empty_passes: u32,
    sleep: Duration,
    /// Time slept since the last pass that found work.
    idle_for: Duration,
}

impl Backoff {
    pub(crate) fn new(policy: IdlePolicy) -> Self {
        let policy = policy.clamped();
        Backoff {
            policy,
            empty_passes: 0,
            sleep: policy.sleep,
            idle_for: Duration::ZERO,
        }
    }

    /// A pass found work.
    pub(crate) fn work(&mut self) {
        self.empty_passes = 0;
        self.sleep = self.policy.sleep;
        self.idle_for = Duration::ZERO;
    }

    /// The writer woke from a deep sleep: the next waits start over with
    /// spins and short sleeps, so a record published just after the wake-up
    /// is not left for a whole deep sleep.
    pub(crate) fn woken(&mut self) {
        self.work();
    }

    /// A pass found nothing: what to do now.
    pub(crate) fn idle(&mut self) -> Wait {
        if self.empty_passes < self.policy.spins {
            self.empty_passes += 1;
            return Wait::Spin;
        }
        if self.idle_for >= self.policy.deep_sleep_after {
            return Wait::DeepSleep(self.policy.deep_sleep);
        }
        let sleep = self.sleep;
        self.idle_for = self.idle_for.saturating_add(sleep);
        self.sleep = self.sleep.saturating_mul(2).min(self.policy.max_sleep);
        Wait::Sleep(sleep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spins_then_doubles_then_sleeps_deeply() {
        let policy = IdlePolicy {
            spins: 2,
            sleep: Duration::from_millis(1),
            max_sleep: Duration::from_millis(4),
            deep_sleep_after: Duration::from_millis(10),
            deep_sleep: Duration::from_millis(500),
        };
        let mut backoff = Backoff::new(policy);
        let waits: Vec<Wait> = (0..8).map(|_| backoff.idle()).collect();
        let ms = |n| Wait::Sleep(Duration::from_millis(n));
        assert_eq!(
            waits,
            [
                Wait::Spin,
                Wait::Spin,
                ms(1),
                ms(2),
                ms(4),
                ms(4),
                Wait::DeepSleep(Duration::from_millis(500)),
                Wait::DeepSleep(Duration::from_millis(500)),
            ]
        );
        backoff.work();
        assert_eq!(backoff.idle(), Wait::Spin);
    }

    #[test]
    fn absurd_values_never_overflow() {
        let policy = IdlePolicy {
            spins: 0,
            sleep: Duration::MAX,
            max_sleep: Duration::MAX,
            deep_sleep_after: Duration::MAX,
            deep_sleep: Duration::MAX,
        };
        let mut backoff = Backoff::new(policy);
        for _ in 0..10_000 {
            match backoff.idle() {
                Wait::Spin => {}
                Wait::Sleep(d) => assert!(d <= MAX_SHORT_SLEEP),
                Wait::DeepSleep(d) => assert!(d <= MAX_DEEP_SLEEP),
            }
        }
        let zero = IdlePolicy {
            spins: 0,
            sleep: Duration::ZERO,
            max_sleep: Duration::ZERO,
            deep_sleep_after: Duration::ZERO,
            deep_sleep: Duration::ZERO,
        };
        let mut backoff = Backoff::new(zero);
        assert_eq!(backoff.idle(), Wait::DeepSleep(MIN_SLEEP));
    }
}
