//! The human-readable contract, generated from the data (`CONTRACT.md`).

use std::fmt::Write as _;

use crate::model::{Contract, Envelope, Expect, Observable, Step};

fn expectation(e: &Expect) -> String {
    let mut parts = vec![e.status.to_string()];
    if let Some(c) = &e.code {
        parts.push(format!("`{c}`"));
    }
    if e.envelope == Envelope::WpSendJsonError {
        parts.push("in the `wp_send_json_error` envelope".to_string());
    }
    if let Some(m) = &e.message {
        parts.push(format!("\"{m}\""));
    }
    for (pointer, matcher) in &e.body {
        parts.push(format!("`{pointer}` {matcher}"));
    }
    for h in &e.headers {
        parts.push(format!("header `{h}`"));
    }
    for h in &e.no_headers {
        parts.push(format!("no header `{h}`"));
    }
    if let Some(t) = &e.token {
        let mut checks = Vec::new();
        if let Some(h) = &t.header {
            checks.push(format!("header `{h}`"));
        }
        if t.lifetime {
            checks.push("`exp − iat` = the access-token lifetime".to_string());
        }
        match t.pat {
            Some(true) => checks.push("a `pat` claim".to_string()),
            Some(false) => checks.push("no `pat` claim".to_string()),
            None => {}
        }
        parts.push(format!("token `{}`: {}", t.at, checks.join(", ")));
    }
    parts.join(", ")
}

fn request(step: &Step) -> String {
    let mut s = format!("`{} {}`", step.request.method, step.request.route);
    if !step.request.query.is_empty() {
        let q: Vec<String> = step
            .request
            .query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        s.push_str(&format!(" `?{}`", q.join("&")));
    }
    for (k, v) in &step.request.headers {
        s.push_str(&format!(" `{k}: {v}`"));
    }
    if let Some(j) = &step.request.json {
        s.push_str(&format!(" body `{j}`"));
    }
    if step.request.no_user_agent {
        s.push_str(" (no User-Agent)");
    }
    if let Some(a) = step.advance_clock {
        s = format!("(clock +{a} s) {s}");
    }
    if step.cleanup {
        s.push_str(" (cleanup)");
    }
    s
}

/// Renders the contract as Markdown.
pub fn markdown(contract: &Contract) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# The contract cocart-mock plays\n");
    let _ = writeln!(
        out,
        "Generated from `contract/contract.toml` by `cargo run -p cocart-contract --example render-contract`; \
         do not edit by hand (a test fails when this file is stale).\n"
    );
    let _ = writeln!(out, "It plays {}.\n", contract.plays);
    let _ = writeln!(
        out,
        "Placeholders: `${{username}}`, `${{password}}` (the test account), `${{token}}` and `${{refresh}}` (its session), \
         `${{tampered}}` (the token with another signature), `${{previous_token}}` / `${{previous_refresh}}` (before a \
         rotation), `${{product_id}}` (a simple in-stock product), `${{custom-header}}` (the profile's auth header). \
         Conditions: `plugin`, `host`, `basic_refused` (a production site over plain HTTP).\n"
    );
    let store = contract
        .scenarios
        .iter()
        .filter(|s| s.observable == Observable::Store)
        .count();
    let _ = writeln!(
        out,
        "{} scenarios: {store} observable on a real store, {} need the mock's controls; {} write.\n",
        contract.scenarios.len(),
        contract.scenarios.len() - store,
        contract.scenarios.iter().filter(|s| s.writes).count()
    );
    for s in &contract.scenarios {
        let _ = writeln!(out, "## `{}`\n", s.id);
        let _ = writeln!(out, "{}\n", s.title);
        let mut facts = vec![match s.observable {
            Observable::Store => "observable on a real store".to_string(),
            Observable::MockOnly => "mock only (needs its controls)".to_string(),
        }];
        facts.push(if s.writes {
            "writes".into()
        } else {
            "read-only".into()
        });
        if !s.applies_to.is_empty() {
            let c: Vec<String> = s.applies_to.iter().map(|c| c.describe()).collect();
            facts.push(format!("applies to: {}", c.join(" or ")));
        }
        if !s.needs.is_empty() {
            let n: Vec<String> = s
                .needs
                .iter()
                .map(|n| format!("{n:?}").to_lowercase())
                .collect();
            facts.push(format!("needs: {}", n.join(", ")));
        }
        let _ = writeln!(out, "*{}*\n", facts.join("; "));
        for (i, step) in s.steps.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. {} → {}",
                i + 1,
                request(step),
                expectation(&step.expect)
            );
            for v in &step.variants {
                let _ = writeln!(
                    out,
                    "   - when {}: {}",
                    v.when.describe(),
                    expectation(&v.expect)
                );
            }
        }
        for k in &s.known {
            let _ = write!(out, "\nKnown difference in CoCart {}: {}", k.cocart, k.note);
            match &k.answer {
                Some(a) => {
                    let _ = writeln!(out, " (recognised by its answer: {})", expectation(a));
                }
                None => {
                    let _ = writeln!(out, " (recognised by the version the store sends)");
                }
            }
        }
        let _ = writeln!(out);
    }
    out
}
