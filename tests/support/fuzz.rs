//! What the two writer fuzz tests share (`llt-runtime/tests/writer_fuzz.rs`
//! and `tests/writer_fuzz_display.rs`, in two crates): a seeded random
//! source, a panic payload whose `Drop` panics, and a panic hook that keeps
//! the panics they cause on purpose out of the output.

#![allow(dead_code)]

use std::panic;
use std::sync::Once;

// === A seeded random source ===

/// xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift
/// generators"), seeded through splitmix64 so that every seed, 0 included,
/// gives a non-zero state.
#[derive(Debug, Clone)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0 .. n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// `true` with probability `percent` %.
    pub(crate) fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// An independent generator, for another thread.
    pub(crate) fn split(&mut self) -> Rng {
        Rng::new(self.next())
    }
}

// === Panics on purpose ===

/// A panic payload whose own `Drop` panics: whoever catches it must forget
/// it, never drop it.
pub(crate) struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("a Bomb payload's drop panics on purpose");
    }
}

/// Keeps the panics this test causes out of its output; every other panic
/// (a failed assertion) goes to the default hook.
pub(crate) fn quiet_intentional_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied());
            let intentional = match message {
                Some(m) => m.contains("on purpose"),
                None => payload.is::<Bomb>(),
            };
            if !intentional {
                default(info);
            }
        }));
    });
}
