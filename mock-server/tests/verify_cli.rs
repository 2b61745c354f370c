//! `cocart-mock verify` as a CI job runs it: the real binary against a running mock, with the
//! documented exit codes, text, JSON and JUnit reports, and no secret in any of them.

use std::process::{Command, Output, Stdio};

use cocart_mock::MockServer;

const PASSWORD: &str = "demo-password";

fn verify(args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cocart-mock"));
    cmd.arg("verify")
        .args(args)
        .env_remove("COCART_VERIFY_PASSWORD")
        .env_remove("COCART_VERIFY_USERNAME")
        .stdin(Stdio::null());
    if let Some(p) = password {
        cmd.env("COCART_VERIFY_PASSWORD", p);
    }
    cmd.output().expect("run cocart-mock verify")
}

/// Whether a text holds something token-shaped: a JWT or a run of 32+ hex digits.
fn holds_a_token(text: &str) -> bool {
    text.contains("eyJ")
        || text
            .split(|c: char| !c.is_ascii_hexdigit())
            .any(|w| w.len() >= 32)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_like_the_mock_matches_with_exit_0_and_read_only_by_default() {
    let server = MockServer::start().await.unwrap();
    let out = verify(
        &[server.base_url(), "--username", "demo", "--no-pacing"],
        Some(PASSWORD),
    );
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("passed   store.info"), "{shown}");
    assert!(
        shown.contains("passed   auth.tampered-signature"),
        "{shown}"
    );
    assert!(
        shown.contains("skipped  refresh.rotate  (writes to the store (run with --allow-writes))"),
        "{shown}"
    );
    assert!(
        shown.contains("skipped  auth.expired-token  (needs the mock's controls"),
        "{shown}"
    );
    assert!(!shown.contains(PASSWORD), "the password never shows");
    assert!(!holds_a_token(&shown), "no token shows: {shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_exits_1_with_expected_and_actual_side_by_side_in_text_json_and_junit() {
    let server = MockServer::start().await.unwrap();
    let junit = std::env::temp_dir().join(format!("verify-{}.xml", std::process::id()));
    let out = verify(
        &[
            server.base_url(),
            "--username",
            "demo",
            "--no-pacing",
            "--plugin",
            "v2",
            "--junit",
            junit.to_str().unwrap(),
        ],
        Some(PASSWORD),
    );
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        !holds_a_token(&shown),
        "no token shows, not even a differing one: {shown}"
    );
    assert!(
        shown.contains("note: the store runs JWT plugin 3.x; your mock plays 2.x"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "status: expected 401 cocart_authentication_error | store sent 403 cocart_authentication_error"
        ),
        "{shown}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testsuite name=\"cocart-mock verify\""),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"GET cocart/v2/cart differs\">"),
        "{xml}"
    );
    assert!(!xml.contains(PASSWORD));
    let _ = std::fs::remove_file(junit);

    let json = verify(
        &[
            server.base_url(),
            "--username",
            "demo",
            "--no-pacing",
            "--plugin",
            "v2",
            "--json",
        ],
        Some(PASSWORD),
    );
    assert_eq!(json.status.code(), Some(1));
    assert!(!holds_a_token(&String::from_utf8_lossy(&json.stdout)));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["verdict"], "differs");
    let tampered = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "auth.tampered-signature")
        .unwrap();
    assert_eq!(tampered["outcome"], "differs");
    assert_eq!(
        tampered["diffs"][0]["actual"],
        "403 cocart_authentication_error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_for_a_wrong_password_an_unreachable_store_and_usage_errors() {
    let server = MockServer::start().await.unwrap();
    let wrong = verify(
        &[server.base_url(), "--username", "demo", "--no-pacing"],
        Some("not-the-password"),
    );
    assert_eq!(wrong.status.code(), Some(4), "{}", text(&wrong));
    assert!(!text(&wrong).contains("not-the-password"));

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let gone = verify(
        &[&format!("http://127.0.0.1:{port}/"), "--username", "demo"],
        Some(PASSWORD),
    );
    assert_eq!(gone.status.code(), Some(3), "{}", text(&gone));

    let no_password = verify(&[server.base_url(), "--username", "demo"], None);
    assert_eq!(no_password.status.code(), Some(2), "{}", text(&no_password));
    assert!(text(&no_password).contains("COCART_VERIFY_PASSWORD"));

    let remote_http = verify(
        &["http://shop.example/", "--username", "demo"],
        Some(PASSWORD),
    );
    assert_eq!(remote_http.status.code(), Some(2), "{}", text(&remote_http));
    assert!(text(&remote_http).contains("plain HTTP"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_writes_and_controls_the_mock_passes_everything_and_leaves_the_cart_as_found() {
    let server = MockServer::start().await.unwrap();
    let out = verify(
        &[
            server.base_url(),
            "--username",
            "demo",
            "--no-pacing",
            "--allow-writes",
            "--allow-logout",
            "--mock-controls",
        ],
        Some(PASSWORD),
    );
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("passed   cart.add-and-remove"), "{shown}");
    assert!(shown.contains("passed   logout.revokes"), "{shown}");
    assert!(shown.contains("passed   auth.expired-token"), "{shown}");
    assert!(shown.contains(" 0 differ,"), "{shown}");
}

/// Whether `cocart-mock --FLAG VALUE` starts (it prints its listening line), or is refused as a
/// usage error (exit 2, clap's "invalid value").
fn mock_accepts(flag: &str, value: &str) -> bool {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_cocart-mock"))
        .args(["--port", "0", flag, value])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cocart-mock");
    let mut first = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = std::io::BufReader::new(out).read_line(&mut first);
    }
    if first.starts_with("cocart-mock listening on ") {
        let _ = child.kill();
        let _ = child.wait();
        return true;
    }
    let out = child.wait_with_output().expect("cocart-mock exits");
    let shown = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{flag} {value:?}: {shown}");
    assert!(shown.contains("invalid value"), "{flag} {value:?}: {shown}");
    false
}

/// Whether `cocart-mock verify … --FLAG VALUE` gets past its arguments (it then finds nothing
/// listening: exit 3), or is refused as a usage error (exit 2, "invalid value").
fn verify_accepts(flag: &str, value: &str, closed: &str) -> bool {
    let out = verify(&[closed, "--username", "u", flag, value], Some(PASSWORD));
    match out.status.code() {
        Some(3) => true,
        Some(2) => {
            assert!(text(&out).contains("invalid value"), "{}", text(&out));
            false
        }
        other => panic!("{flag} {value:?}: exit {other:?}: {}", text(&out)),
    }
}

#[test]
fn the_mock_and_verify_accept_and_refuse_the_same_profile_values() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!(
        "http://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    drop(listener);
    // (flag, value, whether WordPress / CoCart / a web server make it a valid value)
    let cases = [
        ("--plugin", "v3", true),
        ("--plugin", "2", true),
        ("--plugin", "v4", false),
        ("--plugin", "V3", false),
        ("--environment", "local", true),
        ("--environment", "development", true),
        ("--environment", "staging", true),
        ("--environment", "production", true),
        ("--environment", "Production", false),
        ("--environment", "", false),
        ("--host-profile", "standard", true),
        ("--host-profile", "strip-authorization", true),
        ("--host-profile", "custom-auth-header:X-CoCart-Auth", true),
        ("--host-profile", "custom-auth-header:X_CoCart_Auth", false),
        ("--host-profile", "custom-auth-header:X.Auth", false),
        ("--host-profile", "custom-auth-header:X Auth", false),
        ("--host-profile", "custom-auth-header:Authorization", false),
        ("--host-profile", "custom-auth-header:", false),
        ("--host-profile", "custom", false),
    ];
    for (flag, value, valid) in cases {
        let mock = mock_accepts(flag, value);
        let verify = verify_accepts(flag, value, &closed);
        assert_eq!(
            (mock, verify),
            (valid, valid),
            "{flag} {value:?}: the mock and verify must both {}",
            if valid { "accept it" } else { "refuse it" }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_checked_is_said_and_has_its_own_exit_code() {
    let server = MockServer::start().await.unwrap();
    let none_selected = verify(
        &[
            server.base_url(),
            "--username",
            "demo",
            "--no-pacing",
            "--only",
            "no-such-scenario",
        ],
        Some(PASSWORD),
    );
    let shown = text(&none_selected);
    assert_eq!(none_selected.status.code(), Some(5), "{shown}");
    assert!(shown.contains("nothing was checked"), "{shown}");
    assert!(!shown.contains("the store matches"), "{shown}");
    // Selected, but every one skipped (a write without --allow-writes).
    let all_skipped = verify(
        &[
            server.base_url(),
            "--username",
            "demo",
            "--no-pacing",
            "--only",
            "refresh.rotate",
        ],
        Some(PASSWORD),
    );
    let shown = text(&all_skipped);
    assert_eq!(all_skipped.status.code(), Some(5), "{shown}");
    assert!(shown.contains("1 skipped: nothing was checked"), "{shown}");
}
