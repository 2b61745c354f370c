//! Demo programs shared by the examples and the end-to-end tests.

mod common;
pub mod concurrent;
pub mod guest_to_customer;

pub use common::{SharedSessionArgs, StoreArgs};
