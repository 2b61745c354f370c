//! The real `cocart` binary against an in-process `cocart-mock` on loopback: commands, output,
//! the session file and the documented exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cocart_mock::MockServer;
use serde_json::Value;

const REFRESH_PATH: &str = "/wp-json/cocart/jwt/refresh-token";

/// What one run of the binary gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// A scratch session file, removed at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("cocart-cli-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir.join("session.json"))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Runs `cocart --session-file S ARGS…` with a clean environment, off the async runtime so the
/// in-process mock keeps serving.
async fn cocart(session: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cocart"));
    cmd.arg("--session-file").arg(session).args(args);
    for var in [
        "COCART_STORE_URL",
        "COCART_SESSION_FILE",
        "COCART_USERNAME",
        "COCART_PASSWORD",
        "COCART_AUTH_HEADER",
        "COCART_TRANSFER_POLICY",
    ] {
        cmd.env_remove(var);
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let input = stdin.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("the cocart binary starts");
        if let (Some(text), Some(mut pipe)) = (input, child.stdin.take()) {
            pipe.write_all(text.as_bytes())
                .expect("stdin accepts the input");
        }
        let out = child.wait_with_output().expect("the cocart binary ends");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("the runner thread ends")
}

fn login_args(url: &str) -> Vec<&str> {
    vec![
        "--store-url",
        url,
        "login",
        "--username",
        "demo",
        "--password",
        "demo-password",
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_from_login_to_logout() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("journey");
    let url = server.base_url();

    let login = cocart(s.path(), &login_args(url), None).await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert!(
        login
            .stdout
            .contains("Signed in as Demo <demo@example.com>"),
        "{}",
        login.stdout
    );
    let saved = std::fs::read_to_string(s.path()).unwrap();
    assert!(
        saved.contains("\"access_token\":\"ey"),
        "the token pair is in the session file"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Later commands need no --store-url: the session remembers its store.
    let who = cocart(s.path(), &["whoami", "--json"], None).await;
    assert_eq!(who.code, 0, "{}", who.stderr);
    let who = who.json();
    assert_eq!(who["user"]["email"], "demo@example.com");
    assert_eq!(who["store_url"], url);
    assert!(who["token_seconds_left"].as_i64().unwrap() > 863_000);

    let add = cocart(
        s.path(),
        &["cart", "add", "MOCK-TSHIRT", "--qty", "2"],
        None,
    )
    .await;
    assert_eq!(add.code, 0, "{}", add.stderr);
    assert!(add.stdout.contains("MOCK-TSHIRT"), "{}", add.stdout);
    assert!(add.stdout.contains("$25.00"), "{}", add.stdout);

    let show = cocart(s.path(), &["cart", "show", "--json"], None).await;
    assert_eq!(show.code, 0, "{}", show.stderr);
    let cart = show.json();
    assert_eq!(
        cart["cart_key"], "1",
        "the customer's cart is keyed by the user id"
    );
    let items = cart["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["sku"], "MOCK-TSHIRT");
    assert_eq!(items[0]["id"], 101);
    // Whole quantities and counts are JSON integers, not `2.0`.
    assert_eq!(items[0]["quantity"].to_string(), "2");
    assert_eq!(cart["item_count"].to_string(), "2");
    assert_eq!(cart["line_count"], 1);
    assert_eq!(items[0]["line_total"]["minor"], 2500);
    assert_eq!(cart["total"]["display"], "$25.00");

    let products = cocart(s.path(), &["products", "--per-page", "100", "--json"], None).await;
    assert_eq!(products.code, 0, "{}", products.stderr);
    let products = products.json();
    let skus: Vec<&str> = products["products"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["sku"].as_str())
        .collect();
    assert!(
        skus.contains(&"MOCK-TSHIRT") && skus.contains(&"MOCK-HOODIE"),
        "{skus:?}"
    );

    server.clear_journal();
    let before = std::fs::read_to_string(s.path()).unwrap();
    let refresh = cocart(s.path(), &["refresh"], None).await;
    assert_eq!(refresh.code, 0, "{}", refresh.stderr);
    assert!(
        refresh.stdout.contains("Token pair rotated"),
        "{}",
        refresh.stdout
    );
    let refreshes: Vec<u16> = server
        .journal()
        .iter()
        .filter(|e| e.path == REFRESH_PATH)
        .map(|e| e.status)
        .collect();
    assert_eq!(refreshes, vec![200]);
    let after = std::fs::read_to_string(s.path()).unwrap();
    assert_ne!(before, after, "the rotated pair was saved");
    // The rotated pair works in the next process.
    assert_eq!(
        cocart(s.path(), &["whoami", "--verify"], None).await.code,
        0
    );

    let logout = cocart(s.path(), &["logout"], None).await;
    assert_eq!(logout.code, 0, "{}", logout.stderr);
    assert!(logout.stdout.contains("Signed out"), "{}", logout.stdout);
    assert!(!s.path().exists(), "the session file is removed");
    assert_eq!(
        server.journal().last().map(|e| (e.path.clone(), e.status)),
        Some(("/wp-json/cocart/v2/logout".to_string(), 200))
    );

    let who = cocart(s.path(), &["--store-url", url, "whoami"], None).await;
    assert_eq!(who.code, 2);
    assert!(who.stderr.contains("run `cocart login`"), "{}", who.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_exits_2_and_saves_nothing() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("wrong-password");
    let run = cocart(
        s.path(),
        &[
            "--store-url",
            server.base_url(),
            "login",
            "-u",
            "demo",
            "--password",
            "nope",
        ],
        None,
    )
    .await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid credentials"), "{}", run.stderr);
    assert!(
        run.stderr.contains("hint: check the username"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("nope"), "the password is never echoed");
    assert!(!s.path().exists());

    let json = cocart(
        s.path(),
        &[
            "--store-url",
            server.base_url(),
            "--json",
            "login",
            "-u",
            "demo",
            "--password",
            "nope",
        ],
        None,
    )
    .await;
    assert_eq!(json.code, 2);
    assert_eq!(json.json()["error"]["code"], "invalid_credentials");
    assert_eq!(json.json()["error"]["exit_code"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoami_and_refresh_when_logged_out_exit_2() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("logged-out");
    for args in [
        vec!["whoami"],
        vec!["--store-url", server.base_url(), "whoami"],
        vec!["refresh"],
    ] {
        let run = cocart(s.path(), &args, None).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("not signed in"), "{}", run.stderr);
    }
    assert!(server.journal().is_empty(), "nothing was sent to the store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_cart_lives_across_runs_and_moves_to_the_customer_at_login() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("guest");
    let url = server.base_url();
    let first = cocart(
        s.path(),
        &["--store-url", url, "cart", "add", "MOCK-TSHIRT"],
        None,
    )
    .await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains("guest cart"), "{}", first.stdout);
    let second = cocart(s.path(), &["cart", "add", "MOCK-MUG", "--json"], None).await;
    assert_eq!(second.code, 0, "{}", second.stderr);
    let guest = second.json();
    assert!(
        guest["cart_key"].as_str().unwrap().starts_with("t_"),
        "{guest}"
    );
    assert_eq!(
        guest["items"].as_array().unwrap().len(),
        2,
        "the same guest cart both times"
    );

    // The password comes from stdin when it is not a terminal.
    let login = cocart(s.path(), &["login", "-u", "demo"], Some("demo-password\n")).await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert!(
        login.stdout.contains(
            "Guest cart transferred: moved 2 lines from the guest cart; your account cart was empty."
        ),
        "{}",
        login.stdout
    );

    let cart = cocart(s.path(), &["cart", "show", "--json"], None)
        .await
        .json();
    assert_eq!(cart["cart_key"], "1");
    let mut skus: Vec<&str> = cart["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["sku"].as_str())
        .collect();
    skus.sort_unstable();
    assert_eq!(skus, vec!["MOCK-MUG", "MOCK-TSHIRT"]);
    let saved = std::fs::read_to_string(s.path()).unwrap();
    assert!(
        saved.contains("\"cart_key\":null"),
        "the guest key is dropped after the transfer: {saved}"
    );

    // Lines are named by SKU as well as by item key.
    let update = cocart(
        s.path(),
        &["cart", "update", "MOCK-MUG", "3", "--json"],
        None,
    )
    .await;
    assert_eq!(update.code, 0, "{}", update.stderr);
    let mug = update.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["sku"] == "MOCK-MUG")
        .cloned()
        .unwrap();
    assert_eq!(mug["quantity"].to_string(), "3");
    let remove = cocart(s.path(), &["cart", "remove", "MOCK-TSHIRT", "--json"], None).await;
    assert_eq!(remove.json()["items"].as_array().unwrap().len(), 1);
    let clear = cocart(s.path(), &["cart", "clear", "--json"], None).await;
    assert_eq!(clear.code, 0, "{}", clear.stderr);
    assert!(clear.json()["items"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_says_which_account_lines_were_kept_re_added_or_lost() {
    let server = MockServer::start().await.unwrap();
    let url = server.base_url();
    // The account cart (from another device) holds a poster and a cap; then the poster sells out.
    let account = Scratch::new("transfer-account");
    assert!(server.set_stock(105, Some(5)));
    let login = cocart(
        account.path(),
        &["--store-url", url, "login", "-u", "demo"],
        Some("demo-password\n"),
    )
    .await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    for sku in ["MOCK-POSTER", "MOCK-CAP"] {
        let add = cocart(account.path(), &["cart", "add", sku], None).await;
        assert_eq!(add.code, 0, "{}", add.stderr);
    }
    assert!(server.set_stock(105, Some(0)));

    let s = Scratch::new("transfer-guest");
    let add = cocart(
        s.path(),
        &["--store-url", url, "cart", "add", "MOCK-MUG"],
        None,
    )
    .await;
    assert_eq!(add.code, 0, "{}", add.stderr);
    assert!(add.stdout.contains("1 line (1 unit)"), "{}", add.stdout);
    let login = cocart(
        s.path(),
        &["login", "-u", "demo", "--json"],
        Some("demo-password\n"),
    )
    .await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    let out = login.json();
    let transfer = &out["transfer"];
    assert_eq!(transfer["policy"], "keep-both");
    assert_eq!(
        transfer["summary"],
        "moved 1 line from the guest cart; kept 0 lines from your account cart; re-added 1; \
         could not re-add 'Vintage Poster': out of stock"
    );
    assert_eq!(transfer["readded"], 1);
    assert_eq!(transfer["dropped"], 1);
    let poster = transfer["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Vintage Poster")
        .unwrap();
    assert_eq!(poster["origin"], "account");
    assert_eq!(poster["outcome"], "dropped");
    assert_eq!(poster["code"], "cocart_product_out_of_stock");
    assert_eq!(poster["quantity"].to_string(), "1");

    let show = cocart(s.path(), &["cart", "show"], None).await;
    assert!(show.stdout.contains("2 lines (2 units)"), "{}", show.stdout);
    assert!(
        show.stdout.contains("Cap") && show.stdout.contains("Mug"),
        "{}",
        show.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guest_replaces_policy_is_the_store_behaviour() {
    let server = MockServer::start().await.unwrap();
    let url = server.base_url();
    let account = Scratch::new("replace-account");
    let login = cocart(
        account.path(),
        &["--store-url", url, "login", "-u", "demo"],
        Some("demo-password\n"),
    )
    .await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert_eq!(
        cocart(account.path(), &["cart", "add", "MOCK-CAP"], None)
            .await
            .code,
        0
    );

    let s = Scratch::new("replace-guest");
    assert_eq!(
        cocart(
            s.path(),
            &["--store-url", url, "cart", "add", "MOCK-MUG"],
            None
        )
        .await
        .code,
        0
    );
    let login = cocart(
        s.path(),
        &["login", "-u", "demo", "--transfer-policy", "guest-replaces"],
        Some("demo-password\n"),
    )
    .await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert!(
        login.stdout.contains(
            "moved 1 line from the guest cart; the guest cart replaced your account cart"
        ),
        "{}",
        login.stdout
    );
    let cart = cocart(s.path(), &["cart", "show", "--json"], None)
        .await
        .json();
    let skus: Vec<_> = cart["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sku"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(skus, ["MOCK-MUG"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_refusals_exit_4_with_a_hint() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("refusals");
    let url = server.base_url();
    let poster = cocart(
        s.path(),
        &["--store-url", url, "cart", "add", "MOCK-POSTER"],
        None,
    )
    .await;
    assert_eq!(poster.code, 4);
    assert!(poster.stderr.contains("out of stock"), "{}", poster.stderr);
    assert!(poster.stderr.contains("hint:"), "{}", poster.stderr);
    let unknown = cocart(
        s.path(),
        &["--store-url", url, "--json", "cart", "add", "NO-SUCH-SKU"],
        None,
    )
    .await;
    assert_eq!(unknown.code, 4);
    assert_eq!(unknown.json()["error"]["code"], "cocart_unknown_product_id");
    let missing = cocart(
        s.path(),
        &["--store-url", url, "cart", "remove", "MOCK-MUG"],
        None,
    )
    .await;
    assert_eq!(missing.code, 4, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("cocart cart show"),
        "{}",
        missing.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_network_errors_have_their_own_codes() {
    let s = Scratch::new("usage");
    let no_url = cocart(s.path(), &["products"], None).await;
    assert_eq!(no_url.code, 1);
    assert!(no_url.stderr.contains("--store-url"), "{}", no_url.stderr);
    assert_eq!(cocart(s.path(), &["cart", "add"], None).await.code, 1);
    assert_eq!(cocart(s.path(), &["frobnicate"], None).await.code, 1);
    let help = cocart(s.path(), &["--help"], None).await;
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit codes:"), "{}", help.stdout);

    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let down = cocart(s.path(), &["--store-url", &dead, "products"], None).await;
    assert_eq!(down.code, 3, "{}", down.stderr);
    assert!(
        down.stderr.contains("hint: check the store URL"),
        "{}",
        down.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_never_sent_to_another_store() {
    let a = MockServer::start().await.unwrap();
    let b = MockServer::start().await.unwrap();
    let s = Scratch::new("two-stores");
    assert_eq!(
        cocart(s.path(), &login_args(a.base_url()), None).await.code,
        0
    );
    b.clear_journal();
    let run = cocart(
        s.path(),
        &["--store-url", b.base_url(), "cart", "show"],
        None,
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("belongs to"), "{}", run.stderr);
    assert!(b.journal().is_empty(), "store B never saw the token");
}

#[tokio::test]
async fn products_filter_by_attribute_rating_and_brand() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("facets");
    let url = server.base_url();
    let ids = |run: &Run| -> Vec<u64> {
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_u64().unwrap())
            .collect()
    };
    let red = cocart(
        s.path(),
        &[
            "--store-url",
            url,
            "products",
            "--attribute",
            "pa_color=red",
            "--json",
        ],
        None,
    )
    .await;
    assert_eq!(ids(&red), [101]);
    let sent = server.journal().pop().unwrap();
    assert!(
        sent.query
            .contains("attributes%5B0%5D%5Battribute%5D=pa_color"),
        "{}",
        sent.query
    );
    let both = cocart(
        s.path(),
        &[
            "--store-url",
            url,
            "products",
            "--attribute",
            "color=blue,red",
            "--attribute",
            "pa_size=small",
            "--json",
        ],
        None,
    )
    .await;
    assert_eq!(ids(&both), [201]);
    let rated = cocart(
        s.path(),
        &[
            "--store-url",
            url,
            "products",
            "--rating",
            "5",
            "--brand",
            "mock-co",
            "--json",
        ],
        None,
    )
    .await;
    assert_eq!(ids(&rated), [103]);
    let text = cocart(
        s.path(),
        &["--store-url", url, "products", "--brand", "acme"],
        None,
    )
    .await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains("Hoodie") && !text.stdout.contains("Mug"),
        "{}",
        text.stdout
    );
    for bad in [
        vec!["products", "--attribute", "pa_color"],
        vec!["products", "--rating", "6"],
    ] {
        let mut args = vec!["--store-url", url];
        args.extend(bad.iter().copied());
        let run = cocart(s.path(), &args, None).await;
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
    }
}

#[tokio::test]
async fn attributes_and_reviews_commands() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("attrs");
    let url = server.base_url();
    let attrs = cocart(
        s.path(),
        &["--store-url", url, "attributes", "--json"],
        None,
    )
    .await;
    assert_eq!(attrs.code, 0, "{}", attrs.stderr);
    let attrs = attrs.json();
    assert_eq!(attrs[0]["slug"], "pa_color");
    assert_eq!(attrs[1]["total_terms"], 3);
    let size_terms: Vec<&str> = attrs[1]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(size_terms, ["large", "small", "x-large"]);
    let used = cocart(
        s.path(),
        &["--store-url", url, "attributes", "--hide-empty"],
        None,
    )
    .await;
    assert_eq!(used.code, 0, "{}", used.stderr);
    assert!(
        used.stdout
            .contains("Size [pa_size] id 2: Large (large) 1, Small (small) 1\n"),
        "{}",
        used.stdout
    );

    let by_sku = cocart(
        s.path(),
        &["--store-url", url, "reviews", "MOCK-TSHIRT", "--json"],
        None,
    )
    .await;
    assert_eq!(by_sku.code, 0, "{}", by_sku.stderr);
    let reviews = by_sku.json();
    assert_eq!(reviews["product_id"], 101);
    assert_eq!(reviews["total"], 2);
    assert_eq!(reviews["reviews"][0]["reviewer"], "bob smith");
    assert_eq!(reviews["reviews"][0]["text"], "It is okay.");
    assert_eq!(reviews["reviews"][1]["verified"], true);
    let text = cocart(s.path(), &["--store-url", url, "reviews", "201"], None).await;
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout
            .contains("****  2024-03-12T12:00:00 Carol: Nice hoodie, runs small. Warm, though."),
        "{}",
        text.stdout
    );
    let none = cocart(s.path(), &["--store-url", url, "reviews", "104"], None).await;
    assert!(
        none.stdout.contains("No reviews for product 104."),
        "{}",
        none.stdout
    );
    let unknown = cocart(
        s.path(),
        &["--store-url", url, "reviews", "NO-SUCH-SKU"],
        None,
    )
    .await;
    assert_eq!(unknown.code, 4, "{}", unknown.stderr);
}

/// The side file beside a session, written by versions before 0.3.
fn side_file(session: &Path) -> PathBuf {
    let mut p = session.as_os_str().to_owned();
    p.push(".store.json");
    PathBuf::from(p)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_file_keeps_its_store_and_nothing_reaches_another_without_a_side_file() {
    let a = MockServer::start().await.unwrap();
    let b = MockServer::start().await.unwrap();
    let s = Scratch::new("store-inside");
    assert_eq!(
        cocart(s.path(), &login_args(a.base_url()), None).await.code,
        0
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(s.path()).unwrap()).unwrap();
    assert_eq!(saved["store"], format!("{}/wp-json/", a.base_url()));
    assert!(
        !side_file(s.path()).exists(),
        "no side file: the session file names its store"
    );
    b.clear_journal();
    for args in [
        vec!["--store-url", b.base_url(), "cart", "show", "--json"],
        vec!["--store-url", b.base_url(), "refresh", "--json"],
        vec!["--store-url", b.base_url(), "whoami", "--verify", "--json"],
        vec!["--store-url", b.base_url(), "logout", "--json"],
        vec!["--store-url", b.base_url(), "products", "--json"],
        vec![
            "--store-url",
            b.base_url(),
            "login",
            "-u",
            "demo",
            "--password",
            "demo-password",
            "--json",
        ],
    ] {
        let run = cocart(s.path(), &args, None).await;
        assert_eq!(run.code, 1, "{args:?}: {}", run.stdout);
        let err = &run.json()["error"];
        assert_eq!(err["code"], "session_of_another_store", "{args:?}");
        assert!(
            err["message"].as_str().unwrap().contains(a.base_url()),
            "{err}"
        );
        assert!(
            err["hint"].as_str().unwrap().contains("--store-url"),
            "{err}"
        );
    }
    assert!(
        b.journal().is_empty(),
        "zero requests reached store B: {:?}",
        b.journal()
    );
    // Without --store-url the session's own store is used, with no side file at all.
    let show = cocart(s.path(), &["cart", "show", "--json"], None).await;
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert_eq!(show.json()["cart_key"], "1");
    let who = cocart(s.path(), &["whoami", "--json"], None).await;
    assert_eq!(who.json()["store_url"], a.base_url());
    assert!(b.journal().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_from_before_0_3_still_gets_its_store_from_the_old_side_file() {
    let a = MockServer::start().await.unwrap();
    let b = MockServer::start().await.unwrap();
    let s = Scratch::new("legacy-side-file");
    assert_eq!(
        cocart(s.path(), &login_args(a.base_url()), None).await.code,
        0
    );
    // Make it a session as 0.2 wrote it: no store inside, the store in the side file.
    let mut saved: Value =
        serde_json::from_str(&std::fs::read_to_string(s.path()).unwrap()).unwrap();
    saved.as_object_mut().unwrap().remove("store");
    std::fs::write(s.path(), saved.to_string()).unwrap();
    std::fs::write(
        side_file(s.path()),
        serde_json::json!({"store_url": a.base_url(), "auth_header": null}).to_string(),
    )
    .unwrap();
    b.clear_journal();
    let run = cocart(
        s.path(),
        &["--store-url", b.base_url(), "cart", "show", "--json"],
        None,
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "session_of_another_store");
    assert!(b.journal().is_empty(), "zero requests reached store B");
    // Its own store still works without --store-url; the side file stays until the session
    // records its store.
    let show = cocart(s.path(), &["cart", "show"], None).await;
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert_eq!(cocart(s.path(), &["refresh"], None).await.code, 0);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(s.path()).unwrap()).unwrap();
    assert_eq!(saved["store"], format!("{}/wp-json/", a.base_url()));
    assert!(
        !side_file(s.path()).exists(),
        "the session now names its store: the old side file is gone"
    );
    assert!(b.journal().is_empty());
}

/// Three `cocart cart show` started together after the access token expired on the store: one
/// refresh between them (the file lock), and the session stays signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_parallel_commands_across_an_expiry_make_one_refresh_and_stay_signed_in() {
    let server = MockServer::builder().access_ttl(600).start().await.unwrap();
    let s = Scratch::new("parallel");
    let url = server.base_url();
    assert_eq!(cocart(s.path(), &login_args(url), None).await.code, 0);
    assert_eq!(
        cocart(s.path(), &["cart", "add", "MOCK-TSHIRT"], None)
            .await
            .code,
        0
    );
    // The store's clock passes the token's expiry; the device clock does not (the CLI learns
    // it from the store's rejection, all three at once).
    server.advance_clock(700);
    // A slow refresh, so that the three are all at it at once.
    server
        .add_fault(cocart_mock::FaultSpec::delay(REFRESH_PATH, 500, 3))
        .unwrap();
    server.clear_journal();
    let show = || cocart(s.path(), &["cart", "show", "--json"], None);
    let (one, two, three) = tokio::join!(show(), show(), show());
    for run in [&one, &two, &three] {
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_eq!(
            run.json()["items"][0]["sku"],
            "MOCK-TSHIRT",
            "{}",
            run.stdout
        );
    }
    let refreshes: Vec<u16> = server
        .journal()
        .iter()
        .filter(|e| e.path == REFRESH_PATH)
        .map(|e| e.status)
        .collect();
    assert_eq!(refreshes, vec![200], "exactly one refresh between them");
    let who = cocart(s.path(), &["whoami", "--verify", "--json"], None).await;
    assert_eq!(who.code, 0, "{}", who.stderr);
    assert_eq!(who.json()["token_valid"], true, "still signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_beside_the_session_only_remembers_the_auth_header() {
    let server = MockServer::builder()
        .host_profile(cocart_mock::HostProfile::CustomAuthHeader(
            "X-CoCart-Auth".into(),
        ))
        .start()
        .await
        .unwrap();
    let s = Scratch::new("auth-header");
    let mut login = vec!["--auth-header", "X-CoCart-Auth"];
    login.extend(login_args(server.base_url()));
    let run = cocart(s.path(), &login, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let side: Value =
        serde_json::from_str(&std::fs::read_to_string(side_file(s.path())).unwrap()).unwrap();
    assert_eq!(side, serde_json::json!({"auth_header": "X-CoCart-Auth"}));
    // No --store-url and no --auth-header: the session file and the side file give both.
    let who = cocart(s.path(), &["whoami", "--verify", "--json"], None).await;
    assert_eq!(who.code, 0, "{}", who.stderr);
    assert_eq!(who.json()["token_valid"], true);
    assert_eq!(cocart(s.path(), &["logout"], None).await.code, 0);
    // Signed out: the side file remembers the store and the header, so that logging in again
    // needs no flag (this host only reads the custom header).
    let side: Value =
        serde_json::from_str(&std::fs::read_to_string(side_file(s.path())).unwrap()).unwrap();
    assert_eq!(
        side,
        serde_json::json!({"store_url": server.base_url(), "auth_header": "X-CoCart-Auth"})
    );
    let again = cocart(
        s.path(),
        &["login", "-u", "demo", "--password", "demo-password"],
        None,
    )
    .await;
    assert_eq!(again.code, 0, "{}", again.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_survives_a_logout_and_a_session_the_store_ended() {
    let server = MockServer::builder()
        .access_ttl(600)
        .refresh_ttl(900)
        .start()
        .await
        .unwrap();
    let s = Scratch::new("store-survives");
    let url = server.base_url();
    assert_eq!(cocart(s.path(), &login_args(url), None).await.code, 0);
    assert_eq!(cocart(s.path(), &["logout"], None).await.code, 0);
    // No --store-url: the store of the session that ended.
    let guest = cocart(s.path(), &["cart", "show", "--json"], None).await;
    assert_eq!(guest.code, 0, "{}", guest.stdout);
    assert!(guest.json()["items"].as_array().unwrap().is_empty());
    let login = cocart(
        s.path(),
        &[
            "login",
            "-u",
            "demo",
            "--password",
            "demo-password",
            "--json",
        ],
        None,
    )
    .await;
    assert_eq!(login.code, 0, "{}", login.stdout);
    assert_eq!(login.json()["store_url"], url);

    // The store ends the session (the refresh token expires): the hint says to log in again,
    // and that works with no flag.
    server.advance_clock(1000);
    let ended = cocart(s.path(), &["cart", "show", "--json"], None).await;
    assert_eq!(ended.code, 2, "{}", ended.stdout);
    let hint = ended.json()["error"]["hint"].as_str().unwrap().to_string();
    assert!(hint.contains("cocart login"), "{hint}");
    let guest = cocart(s.path(), &["cart", "show"], None).await;
    assert_eq!(guest.code, 0, "{}", guest.stderr);
    assert!(guest.stdout.contains("guest cart"), "{}", guest.stdout);
    let again = cocart(
        s.path(),
        &["login", "-u", "demo", "--password", "demo-password"],
        None,
    )
    .await;
    assert_eq!(again.code, 0, "{}", again.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_url_holding_the_rest_root_is_taken_apart_into_the_site_root() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("rest-root");
    let base = server.base_url();
    // What the mock's banner prints as "REST API".
    let pasted = format!("{base}/wp-json/cocart/v2/");
    let products = cocart(
        s.path(),
        &["--store-url", &pasted, "products", "--json"],
        None,
    )
    .await;
    assert_eq!(products.code, 0, "{}", products.stdout);
    assert!(products.json()["total_products"].as_u64().unwrap() > 0);
    let paths: Vec<String> = server.journal().iter().map(|e| e.path.clone()).collect();
    assert_eq!(paths, vec!["/wp-json/cocart/v2/products"]);

    let mut login = vec!["--store-url", pasted.as_str()];
    login.extend(&login_args(base)[2..]);
    let run = cocart(s.path(), &login, None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(s.path()).unwrap()).unwrap();
    assert_eq!(saved["store"], format!("{base}/wp-json/"));
    // The same store, pasted: not "another store".
    let who = cocart(
        s.path(),
        &["--store-url", &pasted, "whoami", "--json"],
        None,
    )
    .await;
    assert_eq!(who.code, 0, "{}", who.stdout);
    assert_eq!(who.json()["store_url"], base);

    // A `?rest_route=` address: the site root, with routes addressed the same way (the session
    // records the REST root it used).
    let q = Scratch::new("rest-route");
    let query = format!("{base}/?rest_route=/cocart/v2/");
    let run = cocart(
        q.path(),
        &["--store-url", &query, "cart", "add", "MOCK-MUG", "--json"],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(q.path()).unwrap()).unwrap();
    assert_eq!(saved["store"], format!("{base}/?rest_route=%2F"));
}

/// A listener that accepts connections and never answers; counts them.
fn silent_store() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    (url, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_is_the_deadline_of_the_call_retries_included() {
    let (url, accepted) = silent_store();
    let s = Scratch::new("silent");
    let started = std::time::Instant::now();
    let run = cocart(
        s.path(),
        &["--store-url", &url, "--timeout", "1", "products", "--json"],
        None,
    )
    .await;
    let took = started.elapsed();
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "timeout");
    // One attempt: the read is not retried past the deadline (it was: 3 attempts, 3.6 s).
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(took < std::time::Duration::from_millis(2500), "{took:?}");
    let help = cocart(s.path(), &["--help"], None).await;
    assert!(help.stdout.contains("retries included"), "{}", help.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_under_json_are_one_json_object_on_stdout() {
    let s = Scratch::new("json-usage");
    for (args, needle) in [
        (vec!["--json", "cart", "add"], "<PRODUCT>"),
        (
            vec!["cart", "add", "MOCK-MUG", "--qty", "abc", "--json"],
            "abc",
        ),
        (vec!["--json", "frobnicate"], "frobnicate"),
    ] {
        let run = cocart(s.path(), &args, None).await;
        assert_eq!(run.code, 1, "{args:?}");
        assert!(run.stderr.is_empty(), "{args:?}: {}", run.stderr);
        let err = &run.json()["error"];
        assert_eq!(err["code"], "usage", "{args:?}");
        assert_eq!(err["exit_code"], 1, "{args:?}");
        assert!(
            err["message"].as_str().unwrap().contains(needle),
            "{args:?}: {err}"
        );
        assert!(err["hint"].as_str().unwrap().contains("--help"), "{err}");
    }
    // Without --json, clap's own text on stderr.
    let plain = cocart(s.path(), &["cart", "add"], None).await;
    assert_eq!(plain.code, 1);
    assert!(plain.stdout.is_empty() && plain.stderr.contains("Usage:"));
}

/// A store whose every answer is a redirect to another host.
async fn redirecting_store() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = stream.read(&mut buf).await;
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://www.shop.example/wp-json/cocart/v2/login\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_that_would_carry_credentials_has_its_own_code_and_hint() {
    let url = redirecting_store().await;
    let s = Scratch::new("redirect");
    let mut args = login_args(&url);
    args.push("--json");
    let run = cocart(s.path(), &args, None).await;
    assert_eq!(run.code, 1, "{}", run.stdout);
    let err = &run.json()["error"];
    assert_eq!(err["code"], "credentials_redirected");
    let hint = err["hint"].as_str().unwrap();
    assert!(hint.contains("https://www.shop.example"), "{hint}");
    assert!(hint.contains("--store-url"), "{hint}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_login_leaves_the_transfer_pending_and_the_next_command_finishes_it() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("sigint");
    let url = server.base_url();
    let guest = cocart(
        s.path(),
        &["--store-url", url, "cart", "add", "MOCK-TSHIRT"],
        None,
    )
    .await;
    assert_eq!(guest.code, 0, "{}", guest.stderr);
    // The transfer (the first authenticated cart read) hangs.
    server
        .add_fault(cocart_mock::FaultSpec::delay(
            "/wp-json/cocart/v2/cart",
            cocart_mock::MAX_DELAY_MS,
            1,
        ))
        .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cocart"));
    cmd.arg("--session-file")
        .arg(s.path())
        .args(["login", "-u", "demo", "--password", "demo-password"])
        .env_remove("COCART_STORE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    // Wait until the transfer is recorded as pending (saved before it is sent).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let saved = std::fs::read_to_string(s.path()).unwrap_or_default();
        if saved.contains("\"pending_transfer\":{") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no pending transfer: {saved}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(
        lines[0].contains("interrupted: signed in as demo"),
        "{stderr}"
    );
    assert!(
        lines[0].contains("transfer is saved as pending"),
        "{stderr}"
    );
    let saved = std::fs::read_to_string(s.path()).unwrap();
    assert!(saved.contains("\"pending_transfer\":{"), "{saved}");

    // The next cart command finishes the transfer: the guest line is in the customer's cart.
    let show = cocart(s.path(), &["cart", "show"], None).await;
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert!(
        show.stdout.contains("Guest cart transferred"),
        "{}",
        show.stdout
    );
    assert!(show.stdout.contains("MOCK-TSHIRT"), "{}", show.stdout);
    let saved = std::fs::read_to_string(s.path()).unwrap();
    assert!(
        saved.contains("\"pending_transfer\":null") || !saved.contains("pending_transfer\":{"),
        "{saved}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_count_in_words_and_show_the_stock_the_store_sends() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("words");
    let url = server.base_url();
    let none = cocart(
        s.path(),
        &[
            "--store-url",
            url,
            "products",
            "--search",
            "zzz-no-such-thing",
        ],
        None,
    )
    .await;
    assert_eq!(none.code, 0, "{}", none.stderr);
    assert!(!none.stdout.contains("of 0"), "{}", none.stdout);
    assert!(none.stdout.contains("no products"), "{}", none.stdout);
    let mug = cocart(
        s.path(),
        &[
            "--store-url",
            url,
            "products",
            "--search",
            "MOCK-MUG",
            "--json",
        ],
        None,
    )
    .await
    .json();
    let id = mug["products"][0]["id"].as_u64().unwrap();
    assert!(server.set_stock(id, Some(7)));
    let one = cocart(
        s.path(),
        &["--store-url", url, "products", "--search", "MOCK-MUG"],
        None,
    )
    .await;
    assert!(one.stdout.contains("7 in stock"), "{}", one.stdout);
    assert!(
        one.stdout.lines().last().unwrap() == "1 product",
        "{}",
        one.stdout
    );
    let json = cocart(
        s.path(),
        &[
            "--store-url",
            url,
            "products",
            "--search",
            "MOCK-MUG",
            "--json",
        ],
        None,
    )
    .await
    .json();
    assert_eq!(json["products"][0]["stock_quantity"], 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_a_cart_change_says_it_may_have_landed_and_how_to_see() {
    let server = MockServer::start().await.unwrap();
    let s = Scratch::new("sigint-cart");
    let url = server.base_url();
    assert_eq!(cocart(s.path(), &login_args(url), None).await.code, 0);
    let add_item = "/wp-json/cocart/v2/cart/add-item";
    server
        .add_fault(cocart_mock::FaultSpec::delay(
            add_item,
            cocart_mock::MAX_DELAY_MS,
            1,
        ))
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_cocart"))
        .arg("--session-file")
        .arg(s.path())
        .args(["cart", "add", "MOCK-MUG", "--json"])
        .env_remove("COCART_STORE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the store holds the request (the fault is taken when it arrives).
    let faults = format!("{url}/__mock/faults");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let pending = reqwest::get(&faults).await.unwrap().text().await.unwrap();
        if !pending.contains("add-item") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the add never arrived"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(130));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let err: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(err["error"]["code"], "interrupted");
    assert_eq!(err["error"]["exit_code"], 130);
    let line = err["error"]["message"].as_str().unwrap();
    assert!(line.starts_with("interrupted: signed in as demo"), "{line}");
    assert!(
        line.contains("may or may not have applied the cart change: `cocart cart show`"),
        "{line}"
    );
    // Still signed in: the next command goes on.
    let who = cocart(s.path(), &["whoami"], None).await;
    assert_eq!(who.code, 0, "{}", who.stderr);
}
