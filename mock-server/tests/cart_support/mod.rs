//! Shared helpers for the shop's HTTP tests: a running mock, a client, and small request and
//! response wrappers. Included with `mod cart_support;` by `cart_*.rs` and `store_*.rs`.
#![allow(dead_code)]

use base64::Engine;
use cocart_mock::MockServer;
use serde_json::Value;

/// The cart namespace prefix.
pub const NS: &str = "/wp-json/cocart/v2";

/// A started mock and a client.
pub struct Shop {
    pub server: MockServer,
    pub http: reqwest::Client,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A header as an integer.
    pub fn header_i64(&self, name: &str) -> Option<i64> {
        self.header(name).and_then(|v| v.parse().ok())
    }

    /// The body's `cart_key`.
    pub fn cart_key(&self) -> String {
        self.body["cart_key"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Asserts a WordPress error envelope with this status and code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "status of {}", self.text);
        assert_eq!(self.body["code"], code, "code of {}", self.text);
        assert_eq!(
            self.body["data"]["status"], status,
            "data.status of {}",
            self.text
        );
    }

    /// The first item's key.
    pub fn first_item_key(&self) -> String {
        self.body["items"][0]["item_key"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// `Authorization` for the seeded demo customer.
pub fn demo_basic() -> String {
    let raw = format!(
        "{}:{}",
        cocart_mock::config::DEMO_USERNAME,
        cocart_mock::config::DEMO_PASSWORD
    );
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// One request to send.
pub struct Req<'a> {
    pub method: reqwest::Method,
    pub path: String,
    pub json: Option<Value>,
    pub form: Option<Vec<(&'a str, &'a str)>>,
    pub headers: Vec<(&'a str, String)>,
}

impl<'a> Req<'a> {
    pub fn new(method: reqwest::Method, path: &str) -> Self {
        Self {
            method,
            path: path.to_string(),
            json: None,
            form: None,
            headers: Vec::new(),
        }
    }
    pub fn json(mut self, v: Value) -> Self {
        self.json = Some(v);
        self
    }
    pub fn form(mut self, f: Vec<(&'a str, &'a str)>) -> Self {
        self.form = Some(f);
        self
    }
    pub fn header(mut self, k: &'a str, v: impl Into<String>) -> Self {
        self.headers.push((k, v.into()));
        self
    }
    pub fn basic(self) -> Self {
        self.header("Authorization", demo_basic())
    }
}

impl Shop {
    pub async fn start() -> Self {
        let server = MockServer::start().await.expect("mock starts");
        Self {
            server,
            http: reqwest::Client::new(),
        }
    }

    /// `path` under the cocart/v2 namespace (may carry a query).
    pub fn url(&self, path: &str) -> String {
        format!("{}{NS}{path}", self.server.base_url())
    }

    pub async fn send(&self, req: Req<'_>) -> Resp {
        let mut b = self.http.request(req.method, self.url(&req.path));
        if let Some(j) = req.json {
            b = b.json(&j);
        }
        if let Some(f) = req.form {
            b = b.form(&f);
        }
        for (k, v) in req.headers {
            b = b.header(k, v);
        }
        let r = b.send().await.expect("request sent");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body read");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Req::new(reqwest::Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, json: Value) -> Resp {
        self.send(Req::new(reqwest::Method::POST, path).json(json))
            .await
    }

    /// Adds `id` × `qty` to the guest cart `key`; panics unless 200.
    pub async fn add(&self, key: &str, id: &str, qty: &str) -> Resp {
        let r = self
            .post(
                &format!("/cart/add-item?cart_key={key}"),
                serde_json::json!({"id": id, "quantity": qty}),
            )
            .await;
        assert_eq!(r.status, 200, "add {id}: {}", r.text);
        r
    }

    /// The number of carts the mock stores.
    pub fn stored_carts(&self) -> usize {
        self.server.stored_carts()
    }
}
