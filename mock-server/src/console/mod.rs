//! The mock's console: a page at `/__mock/ui` that shows why an app was signed out. It reads
//! the token lineage ([`lineage`]), the state at a glance and the journal through JSON routes
//! under `/__mock/console/`, and follows changes live through server-sent events.

#[cfg(feature = "console")]
mod assets;
pub(crate) mod lineage;
pub(crate) mod observe;
mod routes;
mod views;

pub(crate) use routes::routes;
