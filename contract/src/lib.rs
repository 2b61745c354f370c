//! The HTTP contract `cocart-mock` plays, as **data** (`contract.toml`): for each scenario the
//! requests, the expected status, error code, headers and JSON shape, the profiles it applies to
//! (JWT plugin v3 or v2, a host that strips `Authorization` or reads a custom header, a local or
//! production site), whether a real store can answer it or it needs the mock's controls, and
//! whether it writes.
//!
//! [`runner::verify`] checks any store against it (`cocart-mock verify`, whose command line is
//! [`cli::run`]), after finding out what the store is, so that each difference comes with its
//! likely cause. [`probe::Prober`] is the raw HTTP prober that `cocart doctor` uses too. The
//! profile values (`--plugin`, `--host-profile`, `--environment`) are parsed by one set of
//! functions in [`model`], which the mock's flags use too.
//!
//! This crate depends on neither the SDK nor the mock's internals: it is the contract both sides
//! are judged by.
//!
//! ```no_run
//! # async fn demo() {
//! use cocart_contract::{Contract, model::Profile, runner::{Account, Options, verify}};
//! let contract = Contract::builtin().expect("the shipped contract parses");
//! let site = url::Url::parse("https://staging.shop.example/").expect("url");
//! let account = Account { username: "ci-bot".into(), password: "…".into() };
//! let report = verify(&contract, &site, &Profile::default(), &account, &Options::default()).await;
//! // 0 matches, 1 differs, 3 unreachable, 4 cannot log in, 5 nothing was checked.
//! let _exit_code = report.verdict.exit_code();
//! print!("{}", cocart_contract::report::text(&report));
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
mod detect;
pub mod doc;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod matcher;
pub mod model;
pub mod probe;
pub mod report;
pub mod runner;

pub use model::Contract;
