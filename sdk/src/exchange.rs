//! One HTTP exchange with the store, in its own tracing span: build the request, send it once,
//! refuse an answer that followed a redirect with our credentials, and keep the raw answer. No
//! retry, no refresh, no interpretation of the body (see `transport.rs` and `response.rs`).

use http::HeaderValue;
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::inner::Inner;
use crate::request::{self, ApiRequest};
use crate::response::{RawResponse, host_of};

impl Inner {
    /// Sends `req` once with the session's `bearer` header (if the request uses the session),
    /// giving it the client's whole timeout. No secret is ever recorded in the span.
    pub(crate) async fn send_once(
        &self,
        req: &ApiRequest,
        bearer: Option<&HeaderValue>,
        attempt: u32,
    ) -> Result<RawResponse> {
        self.send_within(req, bearer, attempt, self.config.timeout)
            .await
    }

    /// [`Inner::send_once`] with at most `timeout` for the exchange (what is left of a call's
    /// deadline).
    pub(crate) async fn send_within(
        &self,
        req: &ApiRequest,
        bearer: Option<&HeaderValue>,
        attempt: u32,
        timeout: std::time::Duration,
    ) -> Result<RawResponse> {
        let cart_key = if req.cart {
            self.cart_key_to_send()
        } else {
            None
        };
        let credentials = req.credentials(bearer)?;
        let sends_credentials = credentials.is_some();
        if sends_credentials {
            self.config.check_credentials_transport()?;
        }
        let (builder, url) = request::build(
            &self.config,
            &self.http,
            req,
            cart_key.as_deref(),
            credentials,
            timeout,
        )?;
        let span = tracing::debug_span!(
            "cocart.http",
            method = %req.method,
            route = %req.route,
            attempt,
            status = tracing::field::Empty,
        );
        #[cfg(feature = "simulation")]
        if let Some(transport) = self.config.transport.clone() {
            return simulated(transport, builder).instrument(span).await;
        }
        async {
            let mut response = builder.send().await.map_err(Error::from_reqwest)?;
            // An injected HTTP client that follows redirects has already sent the credentials
            // on; the answer is not used, and the error says where it went.
            if sends_credentials && response.url() != &url {
                return Err(Error::CredentialsRedirected {
                    to: host_of(response.url()),
                });
            }
            let status = response.status().as_u16();
            tracing::Span::current().record("status", status);
            let headers = std::mem::take(response.headers_mut());
            let bytes = response.bytes().await.map_err(Error::from_reqwest)?;
            Ok(RawResponse {
                status,
                headers,
                bytes,
            })
        }
        .instrument(span)
        .await
    }
}

/// One exchange through a simulation's transport instead of the network.
#[cfg(feature = "simulation")]
async fn simulated(
    transport: std::sync::Arc<dyn crate::simulation::Transport>,
    builder: reqwest::RequestBuilder,
) -> Result<RawResponse> {
    use crate::simulation::SimRequest;
    let request = builder
        .build()
        .map_err(|e| Error::Internal(format!("simulated request: {}", e.without_url())))?;
    let body = request
        .body()
        .and_then(|b| b.as_bytes())
        .map(bytes::Bytes::copy_from_slice)
        .unwrap_or_default();
    let sent = SimRequest {
        method: request.method().clone(),
        url: request.url().clone(),
        headers: request.headers().clone(),
        body,
    };
    match transport.send(sent).await {
        Ok(answer) => Ok(RawResponse {
            status: answer.status,
            headers: answer.headers,
            bytes: answer.body,
        }),
        Err(_) => Err(Error::Timeout),
    }
}
