//! A pluggable HTTP transport for deterministic simulations of the session protocol (feature
//! `simulation`; not part of the stable API).
//!
//! A simulation gives each client a [`Transport`] instead of the network: every request the SDK
//! would send goes to [`Transport::send`] as a [`SimRequest`], and the simulation decides when
//! and how it is answered (or whether the answer is lost). Everything else — the token policy,
//! the single-flight refresh, the persistence lane, the shared-session protocol — is the SDK's
//! own code.

use bytes::Bytes;
use futures::future::BoxFuture;
use http::{HeaderMap, Method};
use url::Url;

/// One request as the SDK would put it on the wire.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SimRequest {
    /// The method.
    pub method: Method,
    /// The full URL (route and query).
    pub url: Url,
    /// The headers (credentials are marked sensitive and never shown by `Debug`).
    pub headers: HeaderMap,
    /// The body (JSON), empty when none.
    pub body: Bytes,
}

/// A simulated answer.
#[derive(Debug, Clone)]
pub struct SimResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

/// Why a simulated exchange gave no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SimFailure {
    /// No answer came (the SDK sees a timeout). Whether the store processed the request is the
    /// simulation's business.
    Timeout,
}

/// Carries the SDK's requests in a simulation.
pub trait Transport: Send + Sync + 'static {
    /// Sends one request; the future resolves when the simulation answers it.
    fn send(&self, request: SimRequest) -> BoxFuture<'static, Result<SimResponse, SimFailure>>;
}
