//! Scrubbing the secrets a request carried out of what its answer says.
//!
//! A store, a proxy or a security plugin may repeat what it received in its error message
//! (`Wrong password 'hunter2' for this account`). Every error built from an answer goes through
//! [`Scrubber::error`] with the secrets sent on that request (the password and the Basic value of
//! a login, the refresh token of a refresh, the Bearer token of a session call) before it reaches
//! the caller, an event or a log.

use std::borrow::Cow;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::error::{ApiError, Error};

/// What replaces a secret in server text.
pub(crate) const SCRUBBED: &str = "[redacted]";

/// The secrets one request carried.
#[derive(Default)]
pub(crate) struct Scrubber {
    secrets: Vec<SecretString>,
}

impl Scrubber {
    /// Adds a secret; empty ones are ignored.
    pub(crate) fn add(&mut self, secret: &str) {
        if !secret.is_empty() {
            self.secrets.push(SecretString::from(secret.to_string()));
        }
    }

    /// `text` with every secret replaced, longest first (a secret inside another one is covered
    /// by the outer one's replacement).
    pub(crate) fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut secrets: Vec<&str> = self.secrets.iter().map(|s| s.expose_secret()).collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let mut out = Cow::Borrowed(text);
        for secret in secrets {
            if out.contains(secret) {
                out = Cow::Owned(out.replace(secret, SCRUBBED));
            }
        }
        out
    }

    fn string(&self, text: &mut String) {
        if let Cow::Owned(clean) = self.text(text) {
            *text = clean;
        }
    }

    fn value(&self, value: &mut Value) {
        match value {
            Value::String(s) => self.string(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    let clean = self.text(&key).into_owned();
                    if let Some(mut v) = map.remove(&key) {
                        self.value(&mut v);
                        map.insert(clean, v);
                    }
                }
            }
            _ => {}
        }
    }

    fn api(&self, api: &mut ApiError) {
        self.string(&mut api.message);
        self.string(&mut api.code);
        self.value(&mut api.data);
    }

    /// `error` with every secret of this request taken out of the text it holds.
    pub(crate) fn error(&self, mut error: Error) -> Error {
        if self.secrets.is_empty() {
            return error;
        }
        match &mut error {
            Error::Api(api) | Error::TokenRejected(api) => self.api(api),
            Error::Server { api: Some(api), .. } => self.api(api),
            Error::InvalidCredentials { message } => self.string(message),
            Error::InvalidResponse { reason, raw, .. } => {
                self.string(reason);
                self.string(raw);
            }
            Error::AuthorizationHeaderStripped { detail } => self.string(detail),
            _ => {}
        }
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_is_replaced_in_messages_data_and_raw_bodies() {
        let mut s = Scrubber::default();
        s.add("hunter2");
        s.add("");
        let api = ApiError::new(
            401,
            "cocart_authentication_error",
            "Wrong password 'hunter2' for this account",
            serde_json::json!({"echo": ["hunter2", {"hunter2": "x"}]}),
        );
        let Error::Api(api) = s.error(Error::Api(Box::new(api))) else {
            panic!("same variant");
        };
        assert_eq!(api.message, "Wrong password '[redacted]' for this account");
        assert!(!api.data.to_string().contains("hunter2"), "{}", api.data);
        let raw = s.error(Error::InvalidResponse {
            status: 500,
            reason: "x".into(),
            raw: "<p>hunter2</p>".into(),
        });
        assert!(!format!("{raw:?} {raw}").contains("hunter2"));
    }

    #[test]
    fn a_secret_inside_another_is_covered() {
        let mut s = Scrubber::default();
        s.add("abc");
        s.add("xxabcxx");
        assert_eq!(s.text("[xxabcxx] abc"), "[[redacted]] [redacted]");
    }
}
