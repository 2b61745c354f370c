//! WordPress-style error envelopes, and the mock's own start-up errors.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// A REST error as WordPress sends it: `{"code","message","data":{"status",…}}` with the HTTP
/// status equal to `data.status`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    /// HTTP status (also `data.status`).
    pub(crate) status: StatusCode,
    /// The machine code, e.g. `cocart_authentication_error`.
    pub(crate) code: String,
    /// The human message, exactly as the plugin words it.
    pub(crate) message: String,
    /// Extra keys merged into `data` (e.g. `params`). Boxed to keep `Result<_, ApiError>` small.
    pub(crate) data: Box<Map<String, Value>>,
    /// Extra response headers (e.g. rate-limit headers).
    pub(crate) headers: Vec<(String, String)>,
    /// The body's shape.
    pub(crate) envelope: Envelope,
}

/// The shape of an error body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Envelope {
    /// The REST envelope `{"code","message","data":{"status"}}`.
    Rest,
    /// What PHP's `wp_send_json_error` sends: `{"success":false,"data":[{"code","message"}]}`
    /// (CoCart's session handler refuses forbidden cart keys this way).
    SendJsonError,
}

impl ApiError {
    /// An error with the standard envelope.
    pub(crate) fn new(status: u16, code: &str, message: &str) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: code.to_string(),
            message: message.to_string(),
            data: Box::default(),
            headers: Vec::new(),
            envelope: Envelope::Rest,
        }
    }

    /// An error sent with `wp_send_json_error`: `{"success":false,"data":[{"code","message"}]}`.
    pub(crate) fn send_json_error(status: u16, code: &str, message: &str) -> Self {
        Self {
            envelope: Envelope::SendJsonError,
            ..Self::new(status, code, message)
        }
    }

    /// Adds a key to `data`.
    pub(crate) fn with_data(mut self, key: &str, value: Value) -> Self {
        self.data.insert(key.to_string(), value);
        self
    }

    /// Adds a response header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// 404 `rest_no_route`.
    pub(crate) fn no_route() -> Self {
        Self::new(
            404,
            "rest_no_route",
            "No route was found matching the URL and request method.",
        )
    }

    /// The JSON body of this error.
    pub(crate) fn body(&self) -> Value {
        if self.envelope == Envelope::SendJsonError {
            return json!({"success": false, "data": [{"code": self.code, "message": self.message}]});
        }
        let mut data = Map::new();
        data.insert("status".into(), json!(self.status.as_u16()));
        for (k, v) in self.data.iter() {
            data.insert(k.clone(), v.clone());
        }
        json!({"code": self.code, "message": self.message, "data": data})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body())).into_response();
        for (k, v) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(k.as_bytes()),
                http::HeaderValue::from_str(v),
            ) {
                resp.headers_mut().insert(name, value);
            }
        }
        resp
    }
}

/// Why a mock server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The address could not be bound.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address tried.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The configuration or seed is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A test control was given invalid input (e.g. an empty password, a bad fault).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// A test control named something that does not exist (e.g. an unknown user id).
    #[error("not found: {0}")]
    NotFound(String),
    /// A test control would create a duplicate (e.g. a username already registered).
    #[error("conflict: {0}")]
    Conflict(String),
}

impl MockError {
    /// The WordPress-style error envelope a test-control route answers with.
    pub(crate) fn to_api_error(&self) -> ApiError {
        let (status, code) = match self {
            Self::NotFound(_) => (404, "mock_not_found"),
            Self::Conflict(_) => (409, "mock_conflict"),
            Self::Invalid(_) | Self::Config(_) => (400, "mock_invalid_request"),
            Self::Bind { .. } => (500, "mock_internal_error"),
        };
        ApiError::new(status, code, &self.to_string())
    }
}
