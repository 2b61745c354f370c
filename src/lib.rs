//! The workspace's root package: end-to-end tests (`tests/`), runnable examples (`examples/`),
//! benchmarks (`benches/`) and the demo programs the examples and tests share (`demos`). It is
//! not published; the `cocart` command-line tool is its own crate (`cli/`).
#![warn(missing_docs)]

pub mod demos;

/// The README's Rust code blocks, compiled (and run, unless marked `no_run`) by `cargo test`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
