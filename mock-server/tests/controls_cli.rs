//! The `cocart-mock` binary: machine-readable first line, `--port 0`, options, `--help`.

mod common;

use common::*;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running binary, killed on drop.
struct Running {
    child: Child,
    base_url: String,
    lines: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cocart-mock"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut reader = BufReader::new(stdout);
    let mut lines = Vec::new();
    for _ in 0..5 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        lines.push(line.trim_end().to_string());
    }
    let base_url = lines
        .first()
        .and_then(|l| l.strip_prefix("cocart-mock listening on "))
        .unwrap_or_default()
        .to_string();
    Running {
        child,
        base_url,
        lines,
    }
}

async fn post_login(base: &str, user: &str, pass: &str) -> (u16, serde_json::Value) {
    let resp = client()
        .post(format!("{base}/wp-json/cocart/v2/login"))
        .header("Authorization", basic(user, pass))
        .send()
        .await
        .unwrap();
    json(resp).await
}

#[tokio::test]
async fn binary_prints_its_url_first_and_serves_the_demo_customer() {
    let run = spawn(&["--port", "0"]);
    assert!(
        run.base_url.starts_with("http://127.0.0.1:"),
        "{:?}",
        run.lines
    );
    let port: u16 = run.base_url.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    assert!(
        run.lines
            .iter()
            .any(|l| l.contains("demo") && l.contains("demo-password")),
        "{:?}",
        run.lines
    );
    let (status, body) = post_login(&run.base_url, "demo", "demo-password").await;
    assert_eq!(status, 200);
    assert_eq!(body["user_id"], "1");
    // The banner names the console, and it is there.
    let console = format!("{}/__mock/ui", run.base_url);
    assert!(
        run.lines
            .iter()
            .any(|l| *l == format!("console: {console} (open it in a browser)")),
        "{:?}",
        run.lines
    );
    let page = client().get(&console).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("/__mock/ui/console.js"));
}

#[tokio::test]
async fn binary_options_configure_the_store() {
    let dir = std::env::temp_dir().join(format!("cocart-mock-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = dir.join("seed.toml");
    std::fs::write(
        &seed,
        "[[users]]\nusername = \"tom\"\nemail = \"tom@example.com\"\npassword = \"tom-pw\"\nfirst_name = \"Tom\"\n",
    )
    .unwrap();
    let run = spawn(&[
        "--port",
        "0",
        "--no-secret",
        "--plugin",
        "v2",
        "--access-ttl",
        "60",
        "--user",
        "ann:ann-pw",
        "--seed",
        seed.to_str().unwrap(),
        "--rate-limit",
        "--host-profile",
        "standard",
        "--environment",
        "local",
    ]);
    let (status, body) = post_login(&run.base_url, "ann", "ann-pw").await;
    assert_eq!((status, &body["extras"]), (200, &json!([])));
    let (status, body) = post_login(&run.base_url, "tom", "tom-pw").await;
    assert_eq!((status, body["first_name"].as_str()), (200, Some("Tom")));
    assert_eq!(
        post_login(&run.base_url, "demo", "demo-password").await.0,
        401
    );
    let config = client()
        .get(format!("{}/__mock/config", run.base_url))
        .send()
        .await
        .unwrap();
    let (_, config) = json(config).await;
    assert_eq!(
        config,
        json!({"plugin": "v2", "host_profile": "standard", "access_ttl": 60, "refresh_ttl": 2_592_000,
               "secret": null, "rate_limit": true, "environment": "local"})
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_documents_every_option() {
    let out = Command::new(env!("CARGO_BIN_EXE_cocart-mock"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--host",
        "--port",
        "--secret",
        "--no-secret",
        "--access-ttl",
        "--refresh-ttl",
        "--plugin",
        "--host-profile",
        "--environment",
        "--user",
        "--seed",
        "--rate-limit",
        "--exit-on-stdin-eof",
    ] {
        assert!(help.contains(option), "--help lacks {option}");
    }
}

#[test]
fn invalid_options_are_refused() {
    for args in [
        &["--plugin", "v9"][..],
        &["--host-profile", "weird"],
        &["--user", "nopassword"],
        &["--secret", "x", "--no-secret"],
        &["--seed", "/nonexistent/seed.json", "--port", "0"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_cocart-mock"))
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(!out.stderr.is_empty());
    }
}

#[tokio::test]
async fn no_fast_paths_serves_the_same_store_and_says_so() {
    let mut run = spawn(&["--port", "0", "--no-fast-paths"]);
    let (status, body) = post_login(&run.base_url, "demo", "demo-password").await;
    assert_eq!(status, 200, "{body}");
    let token = body["extras"]["jwt_token"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let resp = client()
            .get(format!("{}/wp-json/cocart/v2/cart", run.base_url))
            .header("Authorization", bearer(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let _ = run.child.kill();
    let _ = run.child.wait();
    let mut stderr = String::new();
    if let Some(mut err) = run.child.stderr.take() {
        use std::io::Read;
        err.read_to_string(&mut stderr).unwrap();
    }
    assert!(stderr.contains("fast paths off"), "{stderr}");
}
