//! Buffering store request bodies up to [`MAX_BODY_BYTES`]; larger ones get 413
//! `rest_request_too_large` (after draining a bounded amount, so the client can read the answer).

use crate::error::ApiError;
use crate::params::MAX_BODY_BYTES;
use axum::body::Body;
use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use http_body_util::BodyExt;

/// How much of an oversized body is read and discarded before answering 413.
const DRAIN_LIMIT: usize = 8 * 1024 * 1024;

/// Why a body could not be buffered.
pub(crate) enum BodyError {
    /// Larger than the limit: answer with this error.
    TooLarge(ApiError),
    /// The client went away mid-body: no answer is possible.
    Broken,
}

/// 413 with a WordPress-style envelope.
pub(crate) fn too_large() -> ApiError {
    ApiError::new(
        413,
        "rest_request_too_large",
        &format!("The request body is larger than the maximum of {MAX_BODY_BYTES} bytes."),
    )
}

async fn drain(mut body: Body, mut seen: usize) {
    while seen < DRAIN_LIMIT {
        match body.frame().await {
            Some(Ok(frame)) => seen += frame.data_ref().map_or(0, Bytes::len),
            _ => return,
        }
    }
}

/// Reads the whole body, or fails with 413 when it exceeds the limit.
pub(crate) async fn read(headers: &HeaderMap, mut body: Body) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        drain(body, 0).await;
        return Err(BodyError::TooLarge(too_large()));
    }
    let mut buf = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(BodyError::Broken);
        };
        if let Some(data) = frame.data_ref() {
            if buf.len() + data.len() > MAX_BODY_BYTES {
                drain(body, buf.len() + data.len()).await;
                return Err(BodyError::TooLarge(too_large()));
            }
            buf.extend_from_slice(data);
        }
    }
    Ok(buf.freeze())
}
