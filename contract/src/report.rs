//! The report as text (one line per scenario, expected beside actual for a difference), JSON
//! and JUnit XML.

use std::fmt::Write as _;

use crate::runner::{Outcome, Report, Verdict};

/// The human report.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "store:    {}", report.store);
    let _ = writeln!(out, "expected: {} (the mock's profile)", report.profile);
    let d = &report.detected;
    let _ = writeln!(
        out,
        "detected: CoCart {}, JWT plugin {}, permalinks {}, Authorization {}{}{}",
        d.cocart_version.as_deref().unwrap_or("(version not sent)"),
        d.plugin.map_or("unknown".to_string(), |p| p.to_string()),
        d.permalinks.unwrap_or("unknown"),
        match d.authorization_reaches {
            Some(true) => "reaches the store",
            Some(false) => "is stripped by the host",
            None => "unknown",
        },
        match d.basic_refused {
            Some(true) => ", Basic refused (production over plain HTTP)",
            _ => "",
        },
        d.access_ttl
            .map(|t| format!(", tokens live {t} s"))
            .unwrap_or_default(),
    );
    for m in &report.mismatches {
        let _ = writeln!(out, "  note: {m}");
    }
    if let Some(fatal) = &report.fatal {
        let _ = writeln!(out, "error: {fatal}");
    }
    let _ = writeln!(out);
    for r in &report.results {
        match &r.outcome {
            Outcome::Passed => {
                let _ = writeln!(out, "passed   {}  {}", r.id, r.title);
            }
            Outcome::Skipped { why } => {
                let _ = writeln!(out, "skipped  {}  ({why})", r.id);
            }
            Outcome::Known {
                cocart,
                note,
                diffs,
            } => {
                let _ = writeln!(
                    out,
                    "known    {}  known difference in CoCart {cocart}: {note}",
                    r.id
                );
                for diff in diffs {
                    let _ = writeln!(
                        out,
                        "           {}: mock {} | store {}",
                        diff.what, diff.expected, diff.actual
                    );
                }
            }
            Outcome::Differs {
                step,
                request,
                diffs,
                explanations,
            } => {
                let _ = writeln!(
                    out,
                    "DIFFERS  {}  {} (step {step}: {request})",
                    r.id, r.title
                );
                for diff in diffs {
                    let _ = writeln!(
                        out,
                        "           {}: expected {} | store sent {}",
                        diff.what, diff.expected, diff.actual
                    );
                }
                for e in explanations {
                    let _ = writeln!(out, "           likely because {e}");
                }
            }
        }
    }
    if report.cart_left_as_found == Some(false) {
        let _ = writeln!(
            out,
            "DIFFERS  the test account's cart was not left as it was found"
        );
    }
    let (passed, differs, known, skipped) = report.counts();
    let _ = writeln!(
        out,
        "\n{passed} passed, {differs} differ, {known} known differences, {skipped} skipped: {}",
        match report.verdict {
            Verdict::Matched => "the store matches the mock's contract",
            Verdict::Differs => "the store differs from the mock's contract",
            Verdict::Unreachable => "the store could not be checked",
            Verdict::CannotAuthenticate => "the test account could not log in",
            Verdict::NothingChecked =>
                "nothing was checked (every scenario selected was skipped, or none was selected)",
        }
    );
    out
}

/// The report as JSON.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The report as one JUnit test suite (differences are failures; skips are skipped).
pub fn junit(report: &Report) -> String {
    let (_, differs, _, skipped) = report.counts();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuite name=\"cocart-mock verify\" tests=\"{}\" failures=\"{differs}\" skipped=\"{skipped}\" errors=\"{}\">",
        report.results.len(),
        usize::from(report.fatal.is_some())
    );
    let _ = writeln!(
        out,
        "  <properties><property name=\"store\" value=\"{}\"/><property name=\"profile\" value=\"{}\"/></properties>",
        xml(&report.store),
        xml(&report.profile)
    );
    if let Some(fatal) = &report.fatal {
        let _ = writeln!(
            out,
            "  <testcase classname=\"verify\" name=\"setup\"><error message=\"{}\"/></testcase>",
            xml(fatal)
        );
    }
    for r in &report.results {
        let _ = write!(
            out,
            "  <testcase classname=\"contract\" name=\"{}\">",
            xml(&r.id)
        );
        match &r.outcome {
            Outcome::Passed => {}
            Outcome::Skipped { why } => {
                let _ = write!(out, "<skipped message=\"{}\"/>", xml(why));
            }
            Outcome::Known { cocart, note, .. } => {
                let _ = write!(
                    out,
                    "<system-out>known difference in CoCart {}: {}</system-out>",
                    xml(cocart),
                    xml(note)
                );
            }
            Outcome::Differs {
                diffs,
                explanations,
                request,
                ..
            } => {
                let detail: Vec<String> = diffs
                    .iter()
                    .map(|d| {
                        format!(
                            "{}: expected {} | store sent {}",
                            d.what, d.expected, d.actual
                        )
                    })
                    .chain(explanations.iter().map(|e| format!("likely because {e}")))
                    .collect();
                let _ = write!(
                    out,
                    "<failure message=\"{} differs\">{}</failure>",
                    xml(request),
                    xml(&detail.join("\n"))
                );
            }
        }
        let _ = writeln!(out, "</testcase>");
    }
    out.push_str("</testsuite>\n");
    out
}
