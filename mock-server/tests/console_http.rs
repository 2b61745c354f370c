//! The console's JSON routes over real HTTP: the token lineage of a journey (login with a cart
//! transfer, refresh, a staged double refresh, refusals diagnosed check by check, logout, control
//! revocations), the state at a glance, journal pages, the event stream, the page's assets, and
//! that no answer carries a secret.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::Duration;

async fn get(server: &cocart_mock::MockServer, path: &str) -> Value {
    let (status, body) = json(client().get(url(server, path)).send().await.unwrap()).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The demo customer's lineage events.
async fn demo_events(server: &cocart_mock::MockServer) -> Vec<Value> {
    let lineage = get(server, "/__mock/console/lineage").await;
    lineage["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user_id"] == DEMO_ID)
        .map(|u| u["events"].as_array().unwrap().clone())
        .unwrap_or_default()
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_journey_leaves_a_lineage_that_explains_every_refusal() {
    let server = server().await;
    let c = client();
    // A guest cart, then a login that takes it over.
    let resp = c
        .post(url(&server, "/wp-json/cocart/v2/cart/add-item"))
        .json(&json!({"id": "MOCK-TSHIRT", "quantity": "2"}))
        .send()
        .await
        .unwrap();
    let (status, guest) = json(resp).await;
    assert_eq!(status, 200, "{guest}");
    let guest_key = guest["cart_key"].as_str().unwrap().to_string();
    let state = get(&server, "/__mock/console/state").await;
    assert_eq!(state["guest_carts"][0]["key"], guest_key.as_str());
    assert_eq!(state["guest_carts"][0]["transferred_to"], Value::Null);
    let resp = login_request(&c, &server, "demo", "demo-password")
        .query(&[("cart_key", guest_key.as_str())])
        .header(cocart_mock::CLIENT_HEADER, "app-1")
        .send()
        .await
        .unwrap();
    let (status, body) = json(resp).await;
    assert_eq!(status, 200, "{body}");
    let first_token = body["extras"]["jwt_token"].as_str().unwrap().to_string();
    let first_refresh = body["extras"]["jwt_refresh"].as_str().unwrap().to_string();
    // The transfer happens on the first cart call that names the guest cart as the customer.
    let resp = c
        .get(url(&server, "/wp-json/cocart/v2/cart"))
        .query(&[("cart_key", guest_key.as_str())])
        .header("Authorization", bearer(&first_token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let state = get(&server, "/__mock/console/state").await;
    let moved = state["guest_carts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == guest_key.as_str())
        .unwrap();
    assert_eq!(moved["transferred_to"], DEMO_ID);
    let demo = &state["users"][0];
    assert_eq!(demo["live_sessions"], 1);
    assert_eq!(demo["cart"]["items"][0]["sku"], "MOCK-TSHIRT");
    assert_eq!(demo["cart"]["items"][0]["quantity"], 2.0);
    assert_eq!(
        demo["cart"]["total"],
        demo["cart"]["items"][0]["line_total"]
    );

    // The login event names its request, its client and the pair it issued (fingerprints).
    let events = demo_events(&server).await;
    assert_eq!(kinds(&events), ["login"]);
    let login_event = &events[0];
    assert_eq!(login_event["client"], "app-1");
    assert_eq!(login_event["request_line"], "POST /wp-json/cocart/v2/login");
    let journal = server.journal();
    let seq = login_event["request"].as_u64().unwrap() as usize;
    assert_eq!(journal[seq].path, "/wp-json/cocart/v2/login");
    assert_eq!(
        login_event["refresh_issued"]["fingerprint"],
        cocart_mock::token_fingerprint(&first_refresh)
    );
    assert_eq!(
        login_event["access"]["fingerprint"],
        cocart_mock::token_fingerprint(&first_token)
    );
    let exp = payload(&first_token)["exp"].as_i64().unwrap();
    assert_eq!(login_event["access"]["expires_at"], exp);
    assert_eq!(
        login_event["access"]["pat"],
        payload(&first_token)["data"]["user"]["pat"]
    );

    // A staged race: the same refresh token twice at once. One wins; the other is marked.
    let (a, b) = tokio::join!(
        refresh(&c, &server, &first_refresh),
        refresh(&c, &server, &first_refresh)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 403]);
    let winner = if a.0 == 200 { a.1 } else { b.1 };
    let second_token = winner["token"].as_str().unwrap().to_string();
    let events = demo_events(&server).await;
    assert_eq!(kinds(&events), ["login", "refresh", "refresh"]);
    let (won, lost) = (&events[1], &events[2]);
    assert_eq!(won["reused"], false);
    assert_eq!(won["refresh_presented"]["state"], "live");
    assert_eq!(
        won["refresh_presented"]["fingerprint"],
        login_event["refresh_issued"]["fingerprint"]
    );
    assert_eq!(lost["reused"], true);
    assert_eq!(lost["status"], 403);
    assert_eq!(lost["refresh_presented"]["state"], "rotated away");

    // The first access token: refused, its session rotated away by the winning refresh.
    let (status, _) = validate(&c, &server, &first_token, None).await;
    assert_eq!(status, 403);
    // The second one from another User-Agent, then another IP.
    let resp = client_without_ua()
        .post(url(&server, "/wp-json/cocart/jwt/validate-token"))
        .header("Authorization", bearer(&second_token))
        .header("User-Agent", "another-app/2.0")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let (status, _) = validate(&c, &server, &second_token, Some("203.0.113.9")).await;
    assert_eq!(status, 403);
    // A forged signature.
    let forged = resign(&second_token, |_| {});
    let forged = format!("{}x", &forged[..forged.len() - 1]);
    let (status, _) = validate(&c, &server, &forged, None).await;
    assert_eq!(status, 403);
    // Past its expiry on the mock's clock.
    server.advance_clock(864_000 + 120);
    let (status, _) = validate(&c, &server, &second_token, None).await;
    assert_eq!(status, 403);
    let lineage = get(&server, "/__mock/console/lineage").await;
    let events = demo_events(&server).await;
    let states: Vec<&str> = events[3..]
        .iter()
        .map(|e| e["token_state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "rotated away",
            "bound to another User-Agent",
            "bound to another IP",
            "expired"
        ]
    );
    assert!(
        events[3]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("event {}", won["id"])),
        "{}",
        events[3]
    );
    assert!(
        events[6]["detail"]
            .as_str()
            .unwrap()
            .contains("2 min before"),
        "{}",
        events[6]
    );
    // The forged token cannot be attributed to anyone.
    let unattributed = lineage["unattributed"].as_array().unwrap();
    assert_eq!(unattributed.len(), 1);
    assert_eq!(unattributed[0]["token_state"], "bad signature");

    // A wrong password, a logout, then a control that revokes a new session.
    let (status, _) = json(
        login_request(&c, &server, "demo", "not-the-password")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    let third = login(&c, &server).await;
    let resp = c
        .post(url(&server, "/wp-json/cocart/v2/logout"))
        .header("Authorization", bearer(&third.token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let fourth = login(&c, &server).await;
    server
        .update_user(DEMO_ID, Some("new-password"), None)
        .unwrap();
    let (status, _) = validate(&c, &server, &fourth.token, None).await;
    assert_eq!(status, 403);
    let events = demo_events(&server).await;
    let tail: Vec<&str> = kinds(&events)[7..].to_vec();
    assert_eq!(
        tail,
        [
            "login_refused",
            "login",
            "logout",
            "login",
            "revocation",
            "rejection"
        ]
    );
    let revocation = &events[11];
    assert_eq!(revocation["request"], Value::Null);
    assert!(
        revocation["detail"]
            .as_str()
            .unwrap()
            .starts_with("password changed"),
        "{revocation}"
    );
    assert_eq!(events[12]["token_state"], "revoked");
    assert!(
        events[12]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("event {}", revocation["id"])),
        "{}",
        events[12]
    );
    assert_eq!(
        get(&server, "/__mock/console/state").await["users"][0]["live_sessions"],
        0
    );

    // No answer of the console carries a token or a password.
    let mut everything = String::new();
    for path in [
        "/__mock/console/state",
        "/__mock/console/lineage",
        "/__mock/console/journal?limit=1000",
    ] {
        everything.push_str(&get(&server, path).await.to_string());
    }
    for secret in [
        first_token.as_str(),
        first_refresh.as_str(),
        second_token.as_str(),
        third.token.as_str(),
        third.refresh.as_str(),
        fourth.refresh.as_str(),
        "demo-password",
        "not-the-password",
        "new-password",
        common::SECRET,
    ] {
        assert!(!everything.contains(secret), "a secret leaked");
    }
}

#[tokio::test]
async fn credentials_in_a_query_are_redacted_in_journal_pages() {
    let server = server().await;
    let c = client();
    let resp = c
        .post(url(&server, "/wp-json/cocart/v2/login"))
        .query(&[("username", "demo"), ("password", "demo-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let page = get(&server, "/__mock/console/journal").await;
    assert_eq!(
        page["entries"][0]["query"],
        "username=demo&password=[redacted]"
    );
    assert!(
        server.journal()[0].query.contains("demo-password"),
        "the raw journal keeps the query as sent"
    );
    // A login through plain permalinks (`?rest_route=`) is in the lineage as the route it is.
    let resp = login_request(&c, &server, "demo", "demo-password")
        .header("X-Mock-Client", "plain-permalinks")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = c
        .post(url(&server, "/?rest_route=/cocart/v2/login"))
        .header("Authorization", basic("demo", "demo-password"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let events = demo_events(&server).await;
    assert_eq!(kinds(&events), ["login", "login", "login"]);
    assert_eq!(events[1]["client"], "plain-permalinks");
    assert_eq!(events[2]["request_line"], "POST /wp-json/cocart/v2/login");
    assert_eq!(events[2]["request"], 2);
}

#[tokio::test]
async fn journal_pages_walk_every_entry_once_newest_first() {
    let server = server().await;
    let c = client();
    for _ in 0..2_345 {
        let resp = c
            .get(url(&server, "/wp-json/cocart/v2/cart"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let mut seen = Vec::new();
    let mut before: Option<u64> = None;
    loop {
        let path = match before {
            Some(b) => format!("/__mock/console/journal?limit=1000&before={b}"),
            None => "/__mock/console/journal?limit=5000".to_string(),
        };
        let page = get(&server, &path).await;
        assert_eq!(page["total"], 2_345);
        let entries = page["entries"].as_array().unwrap();
        assert!(entries.len() <= 1_000, "a page is at most 1000 entries");
        seen.extend(entries.iter().map(|e| e["seq"].as_u64().unwrap()));
        match page["next_before"].as_u64() {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    let expected: Vec<u64> = (0..2_345).rev().collect();
    assert_eq!(seen, expected);
    let first = get(&server, "/__mock/console/journal").await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 100, "default");
    let (status, body) = json(
        c.get(url(&server, "/__mock/console/journal?before=x"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "mock_invalid_request");
    let state = get(&server, "/__mock/console/state").await;
    assert_eq!(state["journal"], json!({"total": 2_345, "last_seq": 2_344}));
}

/// Reads the next server-sent event's data line from a streaming response.
async fn next_event(resp: &mut reqwest::Response, buf: &mut String) -> Value {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) {
                assert!(block.contains("event: change"), "{block}");
                return serde_json::from_str(data).unwrap();
            }
            continue;
        }
        let chunk = tokio::time::timeout(Duration::from_secs(5), resp.chunk())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .expect("the stream stays open");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_event_stream_tells_of_requests_clock_moves_and_controls() {
    let server = server().await;
    let c = client();
    let mut stream = c
        .get(url(&server, "/__mock/console/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stream.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut buf = String::new();
    let first = next_event(&mut stream, &mut buf).await;
    login(&c, &server).await;
    let after_login = next_event(&mut stream, &mut buf).await;
    assert!(
        after_login["journal"].as_u64() > first["journal"].as_u64()
            || after_login["lineage"].as_u64() > first["lineage"].as_u64(),
        "{first} then {after_login}"
    );
    // Let the login settle fully, then move only the clock.
    tokio::time::sleep(Duration::from_millis(300)).await;
    while tokio::time::timeout(
        Duration::from_millis(300),
        next_event(&mut stream, &mut buf),
    )
    .await
    .is_ok()
    {}
    let resp = c
        .post(url(&server, "/__mock/clock"))
        .json(&json!({"advance": 3600}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let moved = next_event(&mut stream, &mut buf).await;
    assert!(moved["now"].as_i64().unwrap() >= first["now"].as_i64().unwrap() + 3_600);
    let resp = c
        .post(url(&server, "/__mock/faults"))
        .json(&json!({"path": "/wp-json/cocart/v2/cart", "kind": "drop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let faulted = next_event(&mut stream, &mut buf).await;
    assert!(faulted["world"].as_u64() > moved["world"].as_u64());
    let state = get(&server, "/__mock/console/state").await;
    assert_eq!(state["faults"][0]["kind"], "drop");
}

#[tokio::test]
async fn the_page_and_its_assets_come_from_the_mock_alone() {
    let server = server().await;
    let c = client();
    let page = c.get(url(&server, "/__mock/ui")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    let mut assets = vec![html.clone()];
    for (path, kind) in [
        ("/__mock/ui/console.js", "text/javascript"),
        ("/__mock/ui/console.css", "text/css"),
    ] {
        assert!(html.contains(path), "the page loads {path}");
        let resp = c.get(url(&server, path)).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        assets.push(resp.text().await.unwrap());
    }
    for text in &assets {
        assert!(
            !text.contains("http://") && !text.contains("https://") && !text.contains("//cdn"),
            "an asset refers to another origin"
        );
    }
    // The console's routes are not store routes: they are not journaled.
    assert!(server.journal().is_empty());
}

#[tokio::test]
async fn every_other_refusal_is_named_and_the_lineage_answers_the_newest_500_per_user() {
    let server = server().await;
    let c = client();
    let kim = server
        .create_user("kim", "kim@example.com", "kim-password")
        .unwrap();
    let first = login(&c, &server).await;
    let other_site = resign(&first.token, |p| {
        p["iss"] = json!("https://elsewhere.example")
    });
    let no_user = resign(&first.token, |p| p["data"]["user"]["id"] = Value::Null);
    for token in [&other_site, &no_user] {
        let (status, _) = validate(&c, &server, token, None).await;
        assert_eq!(status, 403);
    }
    let kims = login_as(&c, &server, "kim", "kim-password", None).await;
    server.delete_user(kim).unwrap();
    let (status, _) = validate(&c, &server, &kims.token, None).await;
    assert_eq!(status, 403);
    server.set_config(&serde_json::from_value(json!({"secret": null})).unwrap());
    let (status, _) = validate(&c, &server, &first.token, None).await;
    assert_eq!(status, 403);
    server.set_config(&serde_json::from_value(json!({"secret": common::SECRET})).unwrap());
    // Refresh tokens: one past its expiry, one never issued.
    server.advance_clock(2_592_000 + 1);
    let (status, _) = refresh(&c, &server, &first.refresh).await;
    assert_eq!(status, 403);
    let (status, _) = refresh(&c, &server, "0123abcd").await;
    assert_eq!(status, 403);
    let lineage = get(&server, "/__mock/console/lineage").await;
    let demo = demo_events(&server).await;
    let states: Vec<&str> = demo
        .iter()
        .filter_map(|e| e["token_state"].as_str())
        .collect();
    assert_eq!(states, ["issued by another site"]);
    let kim_events = lineage["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user_id"] == kim)
        .unwrap()["events"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(kinds(&kim_events), ["login", "revocation", "rejection"]);
    assert_eq!(kim_events[2]["token_state"], "user deleted");
    assert_eq!(
        kim_events[1]["detail"].as_str().unwrap(),
        "user deleted: 1 session(s) and refresh token(s) revoked"
    );
    let expired = demo.last().unwrap();
    assert_eq!(expired["refresh_presented"]["state"], "expired");
    let unattributed = lineage["unattributed"].as_array().unwrap();
    let states: Vec<&str> = unattributed
        .iter()
        .map(|e| {
            e["token_state"]
                .as_str()
                .or(e["refresh_presented"]["state"].as_str())
                .unwrap()
        })
        .collect();
    // A token without a user id names nobody; without a secret nothing is verified.
    assert_eq!(states, ["malformed", "no secret configured", "unknown"]);

    // 600 logins: the lineage answers the newest 500 and says how many there were.
    server.reset().unwrap();
    for _ in 0..600 {
        login(&c, &server).await;
    }
    let lineage = get(&server, "/__mock/console/lineage").await;
    let demo = &lineage["users"][0];
    assert_eq!(demo["total"], 600);
    let events = demo["events"].as_array().unwrap();
    assert_eq!(events.len(), 500);
    assert_eq!(events[0]["id"], 100, "the oldest 100 are left out");
    assert_eq!(
        get(&server, "/__mock/console/state").await["lineage"]["total"],
        600
    );
}
