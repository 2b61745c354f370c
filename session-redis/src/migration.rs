//! Moving live sessions from one kind of key names to another (from the unkeyed names of 0.3 to
//! keyed ones, or from one [`KeyNameSecret`] to another) with no customer signed out and no
//! refresh token presented twice, while processes of both kinds run side by side.
//!
//! A customer's session can only live under one name at a time, and every process must agree
//! which one, also in the middle of a rolling deployment. So a move leaves a **marker** at the
//! old name (its revision goes up by one, and it keeps what it held, so anybody can finish the
//! move), and every process that may meet a marker follows it:
//!
//! 1. [`MigrationStep::FollowMoved`], deployed everywhere first (processes of 0.3 and of step 1
//!    may run together): a session stays under its old name; a process follows a marker to the
//!    new name when it meets one. Nothing is moved yet.
//! 2. [`MigrationStep::MoveOnUse`], deployed everywhere next (processes of steps 1 and 2 may run
//!    together): a session lives under its new name; the first use of a customer whose new name
//!    holds nothing moves what the old name holds (a session, a sign-out, or nothing: a marker
//!    then fences old-name writers all the same).
//! 3. Once every process runs step 2 and a session TTL has passed (every session not used since
//!    has expired), drop the migration: only the new names are read.
//!
//! The refresh lock follows the same steps: step 1 takes the old name's lock, step 2 takes the
//! old name's lock and then the new one's, a plain process the new one's, so any two processes
//! that may run together share one lock.

use crate::keys::{CustomerKeys, KeyNameSecret, Naming};

/// The key names sessions are moved **from** by [`RedisSessionsBuilder::migrate_key_names`](
/// crate::RedisSessionsBuilder::migrate_key_names).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum PreviousKeyNames {
    /// The unkeyed names of 0.3: a plain SHA-256 of the namespace and the customer key.
    Unkeyed,
    /// Keyed names under an earlier [`KeyNameSecret`] (to retire a secret).
    Keyed(KeyNameSecret),
}

impl PreviousKeyNames {
    pub(crate) fn naming(&self) -> Naming {
        match self {
            Self::Unkeyed => Naming::Unkeyed,
            Self::Keyed(secret) => Naming::Keyed(secret.clone()),
        }
    }
}

/// Where a process stands in a key-name migration (see the crate docs, "Key names").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MigrationStep {
    /// Step 1: sessions stay under their previous names; a session somebody moved is followed
    /// to its new name. Safe beside processes that know only the previous names.
    FollowMoved,
    /// Step 2: sessions live under the new names; one still under its previous name moves at its
    /// first use. Safe beside step-1 processes, not beside processes that know only the previous
    /// names.
    MoveOnUse,
}

/// Where one customer's keys are, for this process.
#[derive(Clone, Debug)]
pub(crate) enum Layout {
    /// One set of names (no migration).
    Single(CustomerKeys),
    /// Step 1: at home under `old`, following a marker there to `new`.
    Follow {
        old: CustomerKeys,
        new: CustomerKeys,
    },
    /// Step 2: at home under `new`, moving from `old` on first use.
    Move {
        old: CustomerKeys,
        new: CustomerKeys,
    },
}

impl Layout {
    pub(crate) fn new(
        namespace: &str,
        customer: &str,
        naming: &Naming,
        migration: Option<&(Naming, MigrationStep)>,
    ) -> Self {
        let new = naming.keys(namespace, customer);
        match migration {
            None => Self::Single(new),
            Some((previous, step)) => {
                let old = previous.keys(namespace, customer);
                match step {
                    MigrationStep::FollowMoved => Self::Follow { old, new },
                    MigrationStep::MoveOnUse => Self::Move { old, new },
                }
            }
        }
    }

    /// The names where this process keeps the session when nothing was moved: the ones its
    /// writes go to first.
    pub(crate) fn home(&self) -> &CustomerKeys {
        match self {
            Self::Single(k) | Self::Follow { old: k, .. } | Self::Move { new: k, .. } => k,
        }
    }

    /// The locks this process takes around a refresh, in the order it takes them.
    pub(crate) fn locks(&self) -> Vec<CustomerKeys> {
        match self {
            Self::Single(k) | Self::Follow { old: k, .. } => vec![k.clone()],
            Self::Move { old, new } => vec![old.clone(), new.clone()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_of_steps_that_may_run_together_shares_a_lock() {
        let secret = KeyNameSecret::from_bytes([3; 32]);
        let keyed = Naming::Keyed(secret);
        let unkeyed = Naming::Unkeyed;
        let plain_old = Layout::new("ns", "c", &unkeyed, None);
        let step1 = Layout::new(
            "ns",
            "c",
            &keyed,
            Some(&(unkeyed.clone(), MigrationStep::FollowMoved)),
        );
        let step2 = Layout::new(
            "ns",
            "c",
            &keyed,
            Some(&(unkeyed.clone(), MigrationStep::MoveOnUse)),
        );
        let plain_new = Layout::new("ns", "c", &keyed, None);
        let shares = |a: &Layout, b: &Layout| {
            a.locks()
                .iter()
                .any(|k| b.locks().iter().any(|l| l.lock == k.lock))
        };
        assert!(shares(&plain_old, &step1));
        assert!(shares(&step1, &step2));
        assert!(shares(&step2, &plain_new));
        // And the homes: step 1 keeps the old names, step 2 the new ones.
        assert_eq!(step1.home(), plain_old.home());
        assert_eq!(step2.home(), plain_new.home());
        assert_ne!(plain_old.home(), plain_new.home());
    }
}
