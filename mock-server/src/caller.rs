//! Who is calling: the [`Caller`] the request pipeline puts into a request's extensions after
//! authentication, and the extractor store handlers take it out with.

/// How the app saw the caller authenticate (after the host profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthKind {
    /// No credentials reached the app (or a Bearer that did not match the regex).
    None,
    /// Basic credentials (header, body or query) authenticated the request.
    Basic,
    /// A valid JWT authenticated the request.
    Bearer,
}

impl AuthKind {
    /// `"none"`, `"basic"` or `"bearer"` as the journal writes it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Basic => "basic",
            Self::Bearer => "bearer",
        }
    }
}

/// Who is calling: put into the request extensions by the auth middleware before any store
/// route runs. Store handlers take it out with the [`TakeCaller`] extractor.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The authenticated WordPress user id, if any.
    pub(crate) user_id: Option<u64>,
    /// How the caller authenticated.
    pub(crate) auth: AuthKind,
    /// The client IP as CoCart resolves it (X-Forwarded-For from a loopback peer).
    pub(crate) ip: String,
    /// The sanitised User-Agent, if one was sent.
    pub(crate) user_agent: Option<String>,
}

impl Caller {
    /// A guest caller (used by tests of the shop routes).
    pub(crate) fn guest() -> Self {
        Self {
            user_id: None,
            auth: AuthKind::None,
            ip: "127.0.0.1".into(),
            user_agent: None,
        }
    }
}

/// Extracts the [`Caller`] by moving it out of the request extensions (no copy); a guest when
/// the request has none (routes outside the pipeline, unit tests).
#[derive(Debug, Clone)]
pub(crate) struct TakeCaller(pub Caller);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for TakeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .remove::<Caller>()
                .unwrap_or_else(Caller::guest),
        ))
    }
}
