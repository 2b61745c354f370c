//! The virtual clock. Every expiry in the mock (access tokens, refresh tokens, carts, rate-limit
//! windows) reads this clock, never the wall clock directly, so tests can move time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A clock that is the wall clock plus an adjustable offset, in whole Unix seconds.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: AtomicI64,
}

impl Clock {
    /// A clock that starts at the wall clock.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn wall() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }

    /// The current virtual time in Unix seconds.
    pub(crate) fn now(&self) -> i64 {
        Self::wall() + self.offset.load(Ordering::SeqCst)
    }

    /// The offset from the wall clock, in seconds (changes only when the clock is moved).
    pub(crate) fn offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }

    /// Moves the clock forward (or backward, with a negative value) by `seconds`.
    pub(crate) fn advance(&self, seconds: i64) -> i64 {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
        self.now()
    }

    /// Sets the clock so that `now()` returns `unix` at this instant.
    pub(crate) fn set(&self, unix: i64) -> i64 {
        self.offset.store(unix - Self::wall(), Ordering::SeqCst);
        self.now()
    }

    /// Back to the wall clock.
    pub(crate) fn reset(&self) {
        self.offset.store(0, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_and_set_move_now() {
        let c = Clock::new();
        let start = c.now();
        let after = c.advance(100);
        assert!(after >= start + 100 && after <= start + 101);
        assert_eq!(c.set(1_000_000), 1_000_000);
        c.reset();
        assert!(c.now() >= start);
    }
}
