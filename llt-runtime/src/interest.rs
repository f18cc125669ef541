//! A logger's runtime filter, and each statement's cached decision about it.
//!
//! The hot path of `llt_log!` reads one byte of the logger ([`FilterState`]'s
//! `max_level`): the most verbose level any module may log at, with the
//! [`HAS_DIRECTIVES`] bit set when the filter names modules. Without module
//! directives, that byte decides. With them, the statement asks its
//! [`Interest`], a per-callsite cache of "the level the filter allows for my
//! module", keyed by the filter it was computed for, so the module path is
//! matched once per statement and filter, not once per call (tracing caches
//! a callsite's interest the same way).

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicU8, AtomicU64};
use std::sync::{PoisonError, RwLock};

use crate::callsite::{Level, LevelFilter};
use crate::filter::Filter;

/// Bit of `max_level` set when the filter has module directives.
pub(crate) const HAS_DIRECTIVES: u8 = 0x80;

/// Source of filter keys: every filter installed in any logger gets a new
/// one, so a cached decision can never be taken for another filter's.
/// Relaxed: only uniqueness matters, which `fetch_add` gives under any
/// ordering.
static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

/// Key values fit in 56 bits (the cache packs a level byte next to them).
const KEY_BITS: u32 = 56;

/// A logger's filter, in the forms its readers need.
#[derive(Debug)]
pub(crate) struct FilterState {
    /// `filter.max_level()`, `| HAS_DIRECTIVES` when it names modules.
    /// Relaxed everywhere: a filter change needs no ordering with other
    /// memory; a statement that sees the old value for a moment logs or
    /// skips one line as the old filter said.
    max_level: AtomicU8,
    /// The filter's default level: what applies to lines without a module
    /// (`Logger::log`).
    default_level: AtomicU8,
    /// The full filter, for statements whose cached decision is stale and
    /// for the `log` bridge.
    filter: RwLock<Filter>,
    /// Identifies `filter`; changes whenever it does. Release after the new
    /// filter is in place, Acquire before reading it, so a decision cached
    /// under a key was computed with that key's filter or a newer one.
    key: AtomicU64,
}

impl FilterState {
    pub(crate) fn new(filter: Filter) -> Self {
        let state = FilterState {
            max_level: AtomicU8::new(0),
            default_level: AtomicU8::new(0),
            filter: RwLock::new(Filter::from_level(LevelFilter::Off)),
            key: AtomicU64::new(0),
        };
        state.set(filter);
        state
    }

    /// Installs a new filter.
    pub(crate) fn set(&self, filter: Filter) {
        let max = filter.max_level() as u8
            | if filter.has_directives() {
                HAS_DIRECTIVES
            } else {
                0
            };
        let default = filter.level_for("") as u8;
        // All stores under the write lock: two racing `set` calls cannot
        // leave the bytes of one filter beside the other filter.
        let mut current = self.filter.write().unwrap_or_else(PoisonError::into_inner);
        *current = filter;
        let key = NEXT_KEY.fetch_add(1, Relaxed) & ((1 << KEY_BITS) - 1);
        self.key.store(key, Release);
        self.default_level.store(default, Relaxed);
        self.max_level.store(max, Relaxed);
        drop(current);
    }

    /// A copy of the current filter.
    pub(crate) fn get(&self) -> Filter {
        self.filter
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The byte the hot path reads.
    #[inline(always)]
    pub(crate) fn max_level(&self) -> u8 {
        self.max_level.load(Relaxed)
    }

    /// Whether a line of `level` without a module passes.
    #[inline(always)]
    pub(crate) fn default_enables(&self, level: Level) -> bool {
        level as u8 <= self.default_level.load(Relaxed)
    }

    /// The default level, as a filter.
    pub(crate) fn default_level(&self) -> LevelFilter {
        LevelFilter::from_u8(self.default_level.load(Relaxed))
    }

    /// Whether a line of `level` from `module_path` passes (uncached: for
    /// the `log` bridge, whose targets are not known statically).
    pub(crate) fn enables(&self, module_path: &str, level: Level) -> bool {
        let max = self.max_level();
        if level as u8 > max {
            return false;
        }
        max & HAS_DIRECTIVES == 0
            || self
                .filter
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .enabled(module_path, level)
    }
}

/// One statement's cached filter decision. `llt_log!` declares one per
/// statement as a `static`.
#[derive(Debug)]
pub struct Interest {
    /// `key << 8 | level filter`, or 0 before the first decision.
    /// Relaxed: the value is self-contained and any value is safe to use
    /// (a stale one just makes the next call recompute).
    cached: AtomicU64,
}

impl Default for Interest {
    fn default() -> Self {
        Self::new()
    }
}

impl Interest {
    /// An empty cache.
    pub const fn new() -> Self {
        Interest {
            cached: AtomicU64::new(0),
        }
    }

    /// Whether a line of `level` from `module_path` passes `state`, from
    /// the cache when it was filled for the current filter.
    #[inline]
    pub(crate) fn enables(&self, state: &FilterState, module_path: &str, level: Level) -> bool {
        let key = state.key.load(Acquire);
        let cached = self.cached.load(Relaxed);
        let allowed = if cached >> 8 == key {
            (cached & 0xff) as u8
        } else {
            self.refill(state, key, module_path)
        };
        level as u8 <= allowed
    }

    /// Computes the module's level under the filter with `key` and caches it.
    #[cold]
    #[inline(never)]
    fn refill(&self, state: &FilterState, key: u64, module_path: &str) -> u8 {
        let allowed = state
            .filter
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .level_for(module_path) as u8;
        self.cached.store(key << 8 | u64::from(allowed), Relaxed);
        allowed
    }
}
