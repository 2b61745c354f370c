//! What `cargo install cocart-cli` builds: the SDK and an HTTP client, no server. The CLI's
//! normal dependency tree holds neither the mock nor any server framework.

#[test]
fn the_cli_ships_without_the_mock_or_a_server() {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .args(["-p", "cocart-cli", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains(&"cocart"), "{tree}");
    for server in [
        "cocart-mock",
        "axum",
        "wiremock",
        "tracing-subscriber",
        "cocart-e2e",
    ] {
        assert!(
            !crates.contains(&server),
            "{server} is in the CLI's tree:\n{tree}"
        );
    }
}
