//! The mock passes its own contract in every profile it claims, and `verify` reports drift
//! exactly: expectations of one profile against a mock started in another.

use cocart_contract::Contract;
use cocart_contract::model::{Environment, Host, Plugin, Profile};
use cocart_contract::runner::{Account, Options, Outcome, Report, Verdict, verify};
use cocart_mock::MockServer;

const CUSTOM: &str = "X-CoCart-Auth";

fn profiles() -> Vec<Profile> {
    let mut out = Vec::new();
    for plugin in [Plugin::V3, Plugin::V2] {
        for host in [
            Host::Standard,
            Host::StripAuthorization,
            Host::CustomHeader(CUSTOM.into()),
        ] {
            for environment in [
                Environment::Local,
                Environment::Development,
                Environment::Staging,
                Environment::Production,
            ] {
                out.push(Profile::new(plugin, host.clone(), environment));
            }
        }
    }
    out
}

async fn mock_in(profile: &Profile) -> MockServer {
    MockServer::builder()
        .plugin(profile.plugin.to_string().parse().unwrap())
        .host_profile(profile.host.to_string().parse().unwrap())
        .environment(profile.environment.to_string().parse().unwrap())
        .start()
        .await
        .unwrap()
}

fn everything() -> Options {
    let mut o = Options::default();
    o.allow_writes = true;
    o.allow_logout = true;
    o.mock_controls = true;
    o.pace = false;
    o
}

fn unpaced() -> Options {
    let mut o = Options::default();
    o.pace = false;
    o
}

async fn run(server: &MockServer, expected: &Profile, options: &Options) -> Report {
    let contract = Contract::builtin().unwrap();
    let site = url::Url::parse(server.base_url()).unwrap();
    let account = Account {
        username: "demo".into(),
        password: "demo-password".into(),
    };
    verify(&contract, &site, expected, &account, options).await
}

fn differing(report: &Report) -> Vec<String> {
    report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Differs { .. }))
        .map(|r| r.id.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mock_passes_every_scenario_in_every_profile_it_claims() {
    let contract = Contract::builtin().unwrap();
    for profile in profiles() {
        let server = mock_in(&profile).await;
        let report = run(&server, &profile, &everything()).await;
        let text = cocart_contract::report::text(&report);
        assert_eq!(
            report.verdict,
            Verdict::Matched,
            "{}\n{text}",
            profile.describe()
        );
        assert!(report.mismatches.is_empty(), "{text}");
        assert_eq!(report.results.len(), contract.scenarios.len());
        for r in &report.results {
            if let Outcome::Skipped { why } = &r.outcome {
                // Only what the profile itself rules out: a scenario for another profile, or
                // no session where Basic is refused.
                assert!(
                    why.starts_with("does not apply")
                        || (profile.basic_refused() && why.starts_with("no session")),
                    "{}: {} skipped: {why}",
                    profile.describe(),
                    r.id
                );
            }
        }
        let (passed, ..) = report.counts();
        assert!(
            passed >= 10,
            "{}: only {passed} passed\n{text}",
            profile.describe()
        );
        let cart_written = report
            .results
            .iter()
            .any(|r| r.id == "cart.add-and-remove" && r.outcome == Outcome::Passed);
        let transferred = report
            .results
            .iter()
            .any(|r| r.id == "cart.transfer-sent-again" && r.outcome == Outcome::Passed);
        assert_eq!(transferred, cart_written, "{text}");
        let expected = cart_written.then_some(true);
        assert_eq!(report.cart_left_as_found, expected, "{text}");
        if profile.host != Host::StripAuthorization && !profile.basic_refused() {
            assert!(cart_written, "{text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_by_default_and_mock_only_scenarios_are_skipped_against_a_store() {
    let profile = Profile::default();
    let server = mock_in(&profile).await;
    let report = run(&server, &profile, &unpaced()).await;
    assert_eq!(report.verdict, Verdict::Matched);
    let skipped = |id: &str| {
        report
            .results
            .iter()
            .find(|r| r.id == id)
            .map(|r| match &r.outcome {
                Outcome::Skipped { why } => why.clone(),
                other => format!("ran: {other:?}"),
            })
            .unwrap()
    };
    assert!(skipped("cart.add-and-remove").contains("--allow-writes"));
    assert!(skipped("refresh.rotate").contains("--allow-writes"));
    assert!(skipped("auth.expired-token").contains("mock's controls"));
    // Nothing was written: no refresh, no cart change, no logout.
    let journal = server.journal();
    assert!(journal.iter().all(|e| !e.path.ends_with("/logout")));
    assert!(journal.iter().all(|e| !e.path.contains("add-item")));
    assert!(
        journal
            .iter()
            .filter(|e| e.path.ends_with("refresh-token"))
            .all(|e| e.status != 200),
        "no refresh token was spent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_is_never_sent_without_allow_logout() {
    let profile = Profile::default();
    let server = mock_in(&profile).await;
    let mut options = unpaced();
    options.allow_writes = true;
    let report = run(&server, &profile, &options).await;
    assert_eq!(
        report.verdict,
        Verdict::Matched,
        "{}",
        cocart_contract::report::text(&report)
    );
    assert!(
        server
            .journal()
            .iter()
            .all(|e| !e.path.ends_with("/logout"))
    );
}

/// Expectations for v3 against a v2 mock: exactly the scenarios whose answers differ between
/// the generations, each explained.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_a_v2_store_checked_against_v3_expectations() {
    let server = mock_in(&{
        let mut p = Profile::default();
        p.plugin = Plugin::V2;
        p
    })
    .await;
    let report = run(&server, &Profile::default(), &everything()).await;
    assert_eq!(report.verdict, Verdict::Differs);
    assert_eq!(
        report.mismatches,
        vec!["the store runs JWT plugin 2.x; your mock plays 3.x".to_string()]
    );
    assert_eq!(
        differing(&report),
        [
            "login.basic",
            "login.bearer-relogin",
            "auth.tampered-signature",
            "auth.other-user-agent",
            "refresh.missing-token",
            "refresh.unknown-token",
            "refresh.invalid-bearer-blocks",
            "refresh.rotate",
            "logout.revokes",
            "auth.expired-token",
            "refresh.expired-token",
            "auth.other-ip",
        ]
        .map(String::from)
    );
    let text = cocart_contract::report::text(&report);
    assert!(
        text.contains(
            "expected 403 cocart_authentication_error | store sent 401 cocart_authentication_error"
        ),
        "{text}"
    );
    assert!(
        text.contains("likely because the store runs JWT plugin 2.x; your mock plays 3.x"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_a_host_that_strips_authorization() {
    let server = mock_in(&{
        let mut p = Profile::default();
        p.host = Host::StripAuthorization;
        p
    })
    .await;
    let report = run(&server, &Profile::default(), &everything()).await;
    assert_eq!(report.verdict, Verdict::Differs);
    assert_eq!(
        report.mismatches,
        vec![
            "the store's host strips the Authorization header; your mock's host profile is standard"
                .to_string()
        ]
    );
    assert_eq!(
        differing(&report),
        [
            "login.wrong-password",
            "login.basic",
            "login.bearer-relogin",
            "validate.valid-bearer",
            "auth.tampered-signature",
            "auth.other-user-agent",
            "auth.no-user-agent",
            "cart.customer",
            "refresh.invalid-bearer-blocks",
            "cart.add-and-remove",
            "cart.transfer-sent-again",
            "refresh.rotate",
            "logout.revokes",
            "auth.expired-token",
            "auth.other-ip",
        ]
        .map(String::from)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_a_production_site_over_plain_http_cannot_authenticate() {
    let server = mock_in(&{
        let mut p = Profile::default();
        p.environment = Environment::Production;
        p
    })
    .await;
    let report = run(&server, &Profile::default(), &everything()).await;
    assert_eq!(report.verdict, Verdict::CannotAuthenticate);
    assert_eq!(report.verdict.exit_code(), 4);
    assert!(
        report
            .mismatches
            .iter()
            .any(|m| m.contains("refuses Basic credentials")),
        "{:?}",
        report.mismatches
    );
}

#[tokio::test]
async fn an_unreachable_store_is_reported_as_such() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let contract = Contract::builtin().unwrap();
    let site = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let account = Account {
        username: "u".into(),
        password: "p".into(),
    };
    let report = verify(
        &contract,
        &site,
        &Profile::default(),
        &account,
        &Options::default(),
    )
    .await;
    assert_eq!(report.verdict, Verdict::Unreachable);
    assert_eq!(report.verdict.exit_code(), 3);
}

#[test]
fn the_contract_document_is_up_to_date() {
    let contract = Contract::builtin().unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/CONTRACT.md"))
        .expect("CONTRACT.md exists");
    assert!(
        committed == cocart_contract::doc::markdown(&contract),
        "contract/CONTRACT.md is stale: run `cargo run -p cocart-contract --example render-contract`"
    );
}
