//! What the fast paths (`MockConfig::fast_paths`) must not change; these run with the switch on
//! and, under `COCART_MOCK_FAST_PATHS=0`, off. A token whose signature was already verified (and
//! remembered) is still rejected at once after logout, a password change, a secret change, user
//! deletion and expiry; a memoised cart body is never served after the cart or the catalogue
//! changed; and the journal, with its own lock, still records every request in arrival order and
//! forgets everything on reset.

mod common;

use cocart_mock::{ConfigPatch, MockServer};
use common::*;
use reqwest::Client;

const CART: &str = "/wp-json/cocart/v2/cart";

/// `GET /cart` with a Bearer token: status, body text and ETag.
async fn get_cart(c: &Client, server: &MockServer, token: &str) -> (u16, String, String) {
    let resp = c
        .get(url(server, CART))
        .header("Authorization", bearer(token))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let etag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, resp.text().await.unwrap(), etag)
}

/// Uses the token twice so that its verification is remembered, and checks it works.
async fn warm(c: &Client, server: &MockServer, token: &str) {
    for _ in 0..2 {
        assert_eq!(get_cart(c, server, token).await.0, 200);
    }
}

async fn add(c: &Client, server: &MockServer, token: &str, id: &str, qty: &str) {
    let resp = c
        .post(url(server, "/wp-json/cocart/v2/cart/add-item"))
        .header("Authorization", bearer(token))
        .json(&serde_json::json!({"id": id, "quantity": qty}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
}

#[tokio::test]
async fn remembered_tokens_are_rejected_at_once_after_logout_and_password_change() {
    let server = server().await;
    let c = client();
    let first = login(&c, &server).await;
    warm(&c, &server, &first.token).await;
    let resp = c
        .post(url(&server, "/wp-json/cocart/v2/logout"))
        .header("Authorization", bearer(&first.token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(get_cart(&c, &server, &first.token).await.0, 403);

    let second = login(&c, &server).await;
    warm(&c, &server, &second.token).await;
    server
        .update_user(DEMO_ID, Some("another-password"), None)
        .unwrap();
    assert_eq!(get_cart(&c, &server, &second.token).await.0, 403);
    assert_eq!(validate(&c, &server, &second.token, None).await.0, 403);
}

#[tokio::test]
async fn remembered_tokens_follow_secret_changes_both_ways() {
    let server = server().await;
    let c = client();
    let s = login(&c, &server).await;
    warm(&c, &server, &s.token).await;

    server.set_config(&ConfigPatch {
        secret: Some(Some("a-completely-different-secret".into())),
        ..ConfigPatch::default()
    });
    assert_eq!(get_cart(&c, &server, &s.token).await.0, 403);
    // The token is signed with the old secret: valid again once it is back.
    server.set_config(&ConfigPatch {
        secret: Some(Some(SECRET.into())),
        ..ConfigPatch::default()
    });
    assert_eq!(get_cart(&c, &server, &s.token).await.0, 200);
    // A configuration written straight into the state, bypassing the control, is checked by
    // the crate's own tests (`fast::tests`): the state is not public.
}

#[tokio::test]
async fn remembered_tokens_expire_and_die_with_their_user() {
    let server = MockServer::builder().access_ttl(60).start().await.unwrap();
    let c = client();
    let s = login(&c, &server).await;
    warm(&c, &server, &s.token).await;
    server.advance_clock(61);
    assert_eq!(get_cart(&c, &server, &s.token).await.0, 403);
    server.advance_clock(-61);
    assert_eq!(get_cart(&c, &server, &s.token).await.0, 200);
    server.delete_user(DEMO_ID).unwrap();
    assert_eq!(get_cart(&c, &server, &s.token).await.0, 403);
}

#[tokio::test]
async fn memoised_cart_bodies_follow_the_cart_and_the_catalogue() {
    let server = server().await;
    let c = client();
    let s = login(&c, &server).await;
    add(&c, &server, &s.token, "107", "2").await;
    let (_, first, first_tag) = get_cart(&c, &server, &s.token).await;
    let (_, again, again_tag) = get_cart(&c, &server, &s.token).await;
    assert_eq!(first, again);
    assert_eq!(first_tag, again_tag);
    assert!(first_tag.starts_with("W/\""));

    // 304 against the memoised tag.
    let resp = c
        .get(url(&server, CART))
        .header("Authorization", bearer(&s.token))
        .header("If-None-Match", &first_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 304);
    assert_eq!(resp.headers()["cocart-cache"], "HIT");

    // Stock falls under the unchanged cart: the body must carry the stock notice now.
    assert!(server.set_stock(107, Some(1)));
    let (_, low, low_tag) = get_cart(&c, &server, &s.token).await;
    assert_ne!(low, first);
    assert_ne!(low_tag, first_tag);
    assert!(
        low.contains("in stock to fulfill your order (1 available)"),
        "{low}"
    );

    // A change to the cart: a new body.
    add(&c, &server, &s.token, "101", "1").await;
    let (_, more, _) = get_cart(&c, &server, &s.token).await;
    assert_ne!(more, low);
    assert!(more.contains("\"id\":101"), "{more}");

    // Other options never get the default body.
    let resp = c
        .get(url(&server, &format!("{CART}?thumb=false")))
        .header("Authorization", bearer(&s.token))
        .send()
        .await
        .unwrap();
    let thumbless = resp.text().await.unwrap();
    assert!(thumbless.contains("\"featured_image\":\"\""), "{thumbless}");
    assert!(!more.contains("\"featured_image\":\"\""), "{more}");
}

#[tokio::test]
async fn the_journal_records_concurrent_requests_and_reset_empties_it() {
    let server = server().await;
    let c = client();
    let s = login(&c, &server).await;
    server.clear_journal();
    let requests = (0..40).map(|i| {
        let c = c.clone();
        let u = url(&server, &format!("{CART}?n={i}"));
        let auth = bearer(&s.token);
        async move {
            c.get(u)
                .header("Authorization", auth)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_join(requests).await;
    assert!(statuses.iter().all(|s| *s == 200));
    let journal = server.journal();
    assert_eq!(journal.len(), 40);
    let mut seen: Vec<String> = journal.iter().map(|e| e.query.clone()).collect();
    seen.sort();
    let mut want: Vec<String> = (0..40).map(|i| format!("n={i}")).collect();
    want.sort();
    assert_eq!(seen, want);
    assert!(
        journal
            .iter()
            .all(|e| e.auth == "bearer" && e.status == 200 && e.method == "GET")
    );
    server.reset().unwrap();
    assert!(server.journal().is_empty());
    let c2 = client();
    let after = login(&c2, &server).await;
    assert_eq!(get_cart(&c2, &server, &after.token).await.0, 200);
    let paths: Vec<String> = server.journal().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["/wp-json/cocart/v2/login", CART]);
}

/// Runs the futures concurrently on the test runtime and collects their outputs in order.
async fn futures_join<F: std::future::Future<Output = u16> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// `GET /cart` on the client's connection with extra headers: the status.
async fn get_cart_with(
    c: &Client,
    server: &MockServer,
    token: &str,
    extra: &[(&str, &str)],
) -> u16 {
    let mut req = c
        .get(url(server, CART))
        .header("Authorization", bearer(token));
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn what_a_connection_remembers_of_its_last_request_follows_every_header() {
    // One connection (the client keeps it alive): after the same request twice, any change in
    // the headers the token is bound to is seen, and the original request still works.
    let server = server().await;
    let c = client();
    let s = login(&c, &server).await;
    warm(&c, &server, &s.token).await;
    assert_eq!(
        get_cart_with(
            &c,
            &server,
            &s.token,
            &[("User-Agent", "another-agent/2.0")]
        )
        .await,
        403
    );
    assert_eq!(get_cart(&c, &server, &s.token).await.0, 200);
    assert_eq!(
        get_cart_with(&c, &server, &s.token, &[("X-Forwarded-For", "203.0.113.9")]).await,
        403
    );
    assert_eq!(get_cart(&c, &server, &s.token).await.0, 200);
    // The same headers in another order mean the same request.
    assert_eq!(
        get_cart_with(&c, &server, &s.token, &[("Accept", "application/json")]).await,
        200
    );
    // A token that differs in one character is checked afresh.
    let mut forged = s.token.clone();
    forged.push('x');
    assert_eq!(get_cart(&c, &server, &forged).await.0, 403);
    assert_eq!(get_cart(&c, &server, &s.token).await.0, 200);
    // Without the header: a guest.
    let guest = c.get(url(&server, CART)).send().await.unwrap();
    assert_eq!(guest.status().as_u16(), 200);
    assert_ne!(
        guest.headers()["cocart-api-cart-key"].to_str().unwrap(),
        "1"
    );
}

/// Header names in order and values, except those that move with the clock.
fn stable_headers(resp: &reqwest::Response) -> Vec<(String, String)> {
    resp.headers()
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "date"
                    | "cocart-timestamp"
                    | "cocart-api-cart-expiring"
                    | "cocart-api-cart-expiration"
            )
        })
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").to_string()))
        .collect()
}

#[tokio::test]
async fn get_cart_answers_like_the_router_whichever_way_it_arrives() {
    // `GET /cart` skips the router; HEAD (routed) must carry the same headers, and every
    // rewrite that lands on `GET /cart` the same answer.
    let server = server().await;
    let c = client();
    let s = login(&c, &server).await;
    add(&c, &server, &s.token, "107", "2").await;
    let auth = bearer(&s.token);
    let direct = c
        .get(url(&server, CART))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    let headers = stable_headers(&direct);
    let body = direct.text().await.unwrap();
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-length" && *v == body.len().to_string())
    );

    let head = c
        .head(url(&server, CART))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(stable_headers(&head), headers);

    let base = server.base_url();
    for req in [
        c.get(format!("{base}/wp-json/cocart/v2/cart/")),
        c.get(format!("{base}/?rest_route=/cocart/v2/cart")),
        c.get(format!("{base}/index.php?rest_route=%2Fcocart%2Fv2%2Fcart")),
        c.post(url(&server, CART))
            .header("X-HTTP-Method-Override", "GET"),
        c.post(format!("{base}{CART}?_method=get")),
    ] {
        let resp = req.header("Authorization", &auth).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(stable_headers(&resp), headers);
        assert_eq!(resp.text().await.unwrap(), body);
    }
    // The journal has the method as sent and the path as routed.
    let journal = server.journal();
    let last: Vec<(&str, &str)> = journal
        .iter()
        .rev()
        .take(5)
        .map(|e| (e.method.as_str(), e.path.as_str()))
        .collect();
    assert_eq!(
        last,
        [
            ("POST", CART),
            ("POST", CART),
            ("GET", CART),
            ("GET", CART),
            ("GET", CART)
        ]
    );
}
