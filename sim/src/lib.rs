//! A deterministic simulation of cocart's shared-session protocol (see `README.md`).
//!
//! N replicas run the SDK's own refresh state machine, persistence lane and shared-session
//! protocol (each a `CoCartClient` on a shared session store and lock) against a model of the
//! JWT plugin's v3 and v2 token rules, on a virtual clock. A seeded scheduler chooses the
//! interleaving and injects faults, and the invariants I1–I6 are checked after every step.

pub mod driver;
pub mod io;
pub mod plugin;
pub mod rng;
pub mod world;

pub use driver::{Outcome, params_for, run};
