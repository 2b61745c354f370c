//! The workspace's root package: end-to-end tests (`tests/`), runnable examples (`examples/`),
//! the demo programs they share (`demos`), and the `cocart` command-line tool (`cli`).
#![warn(missing_docs)]

pub mod cli;
pub mod demos;
