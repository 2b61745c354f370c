//! The judge: what must hold after a soak, checked from the mock's journal (who presented which
//! refresh token, by fingerprint), the fault log, the workers' outcome logs and what Redis holds
//! at the end.

use std::collections::{BTreeMap, HashMap};

use cocart_mock::JournalEntry;
use serde::Serialize;
use serde_json::Value;

use crate::schedule::FaultKind;

/// The refresh route.
pub const REFRESH_PATH: &str = "/wp-json/cocart/jwt/refresh-token";
/// The login route.
pub const LOGIN_PATH: &str = "/wp-json/cocart/v2/login";

/// One fault as it was carried out.
#[derive(Debug, Clone, Serialize)]
pub struct FaultRecord {
    /// What.
    pub kind: FaultKind,
    /// The worker's client label (`wI.N`), `None` for Redis.
    pub client: Option<String>,
    /// When it began (Unix ms): the SIGKILL, the SIGSTOP.
    pub at_ms: u64,
    /// When it ended (Unix ms): the SIGCONT, Redis accepting connections again, the restart.
    pub end_ms: u64,
    /// Whether the target held a refresh lock when it was hit.
    pub on_holder: bool,
}

/// One line of a worker's outcome log, with the worker it came from.
#[derive(Debug, Clone)]
pub struct WorkerLine {
    /// `wI.N`.
    pub client: String,
    /// The JSON line.
    pub line: Value,
}

/// What Redis holds for a customer at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinalState {
    /// A session whose refresh token has this fingerprint.
    Session(Option<String>),
    /// A tombstone.
    Cleared,
    /// Nothing.
    Empty,
    /// Could not be read (the reason).
    Unreadable(String),
}

/// Everything the judge reads.
#[derive(Debug, Default)]
pub struct Evidence {
    /// The journal, in arrival order.
    pub journal: Vec<JournalEntry>,
    /// The journal's capacity: a journal this long may have lost its oldest entries.
    pub journal_capacity: usize,
    /// Customer index → mock user id.
    pub users: Vec<u64>,
    /// The faults carried out.
    pub faults: Vec<FaultRecord>,
    /// Every worker's outcome log.
    pub lines: Vec<WorkerLine>,
    /// Customer index → what Redis holds at the end.
    pub final_state: Vec<FinalState>,
    /// Workers that exited by themselves with a failure (label, status).
    pub crashed: Vec<(String, String)>,
}

/// The judge's tolerances.
#[derive(Debug, Clone, Copy)]
pub struct Tolerances {
    /// How long after Redis is back a transient error is still expected.
    pub grace_ms: u64,
    /// The lock lease.
    pub lease_ms: u64,
    /// Counts a rotation whose save failed because Redis was down, and that was lost when the
    /// holder's lease lapsed, as a figure instead of a violation (`--tolerate unsaved-rotation`).
    pub tolerate_unsaved_rotation: bool,
}

/// One broken rule.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    /// The rule.
    pub kind: String,
    /// What was seen (never a token: fingerprints and labels only).
    pub detail: String,
}

/// The verdict and the figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verdict {
    /// Requests journaled.
    pub requests: u64,
    /// Reads answered, from the workers' logs.
    pub reads_ok: u64,
    /// Reads that failed with a transient error while Redis was down (plus the grace).
    pub reads_failed_redis_down: u64,
    /// Reads that failed with a transient error in a worker during its own stall (its timers
    /// ran out while it was stopped) or just after it.
    pub reads_failed_own_stall: u64,
    /// Reads that gave up waiting for a refresh lock held by a worker that was killed or
    /// stalled (the SDK's typed `Storage(Unavailable)` after a lease).
    pub reads_failed_lock_wait: u64,
    /// Successful logins.
    pub logins: u64,
    /// Refresh requests.
    pub refreshes: u64,
    /// Refreshes the store accepted (one per rotation).
    pub rotations: u64,
    /// Refreshes the store refused.
    pub refused_refreshes: u64,
    /// Refresh tokens presented a second time after their first presenter was killed or
    /// stalled past its lease before an answer came back to it.
    pub re_presented_after_lost_answer: u64,
    /// Refresh tokens presented a second time by a worker stalled past its lease with its
    /// request in flight, after the next lock holder had presented them (the README's "What
    /// cannot hold": a lease cannot fence a request in flight); the store refused them.
    pub presented_late_by_stalled_holder: u64,
    /// Rotations answered to a worker that was killed before it saved the pair (the README's
    /// "What cannot hold"): the customer signs in again.
    pub lost_rotations_killed: u64,
    /// The same, with a worker stalled past its lease instead of killed.
    pub lost_rotations_stalled: u64,
    /// Rotations whose holder got the answer but could not save it because Redis went down
    /// (its outcome log says `TokenRefreshed { saved: false }`), lost when its lease lapsed and
    /// the next holder presented the spent token: the customer is signed out. Not in the
    /// README's "What cannot hold"; a violation unless tolerated.
    pub lost_rotations_unsaved_redis_outage: u64,
    /// Logins whose session was lost because the worker was killed before saving it.
    pub lost_logins_killed: u64,
    /// Workers' sign-out events explained by those lost rotations.
    pub sign_outs_from_lost_rotations: u64,
    /// Faults carried out, by kind.
    pub faults: BTreeMap<String, u64>,
    /// Faults that hit a worker while it held a refresh lock.
    pub faults_on_lock_holders: u64,
    /// Milliseconds Redis was down in total.
    pub redis_down_ms: u64,
    /// Violations, by kind.
    pub violations_by_kind: BTreeMap<String, u64>,
    /// The violations (the first 50).
    pub violations: Vec<Violation>,
}

struct Presentation {
    at_ms: u64,
    client: String,
    status: u16,
    user: Option<u64>,
}

/// A rotation answered to a worker that could not save it, and the re-presentation it caused.
struct LostRotation {
    user: Option<u64>,
    represented_at: u64,
}

fn record(verdict: &mut Verdict, kind: &str, detail: String) {
    *verdict
        .violations_by_kind
        .entry(kind.to_string())
        .or_default() += 1;
    if verdict.violations.len() < 50 {
        verdict.violations.push(Violation {
            kind: kind.to_string(),
            detail,
        });
    }
}

fn at(line: &Value) -> u64 {
    line["t"].as_u64().unwrap_or(0)
}

/// Judges a run.
pub fn judge(ev: &Evidence, tol: Tolerances) -> Verdict {
    let mut v = Verdict {
        requests: ev.journal.len() as u64,
        ..Verdict::default()
    };
    if ev.journal.len() >= ev.journal_capacity {
        record(
            &mut v,
            "journal_overflow",
            format!("{} entries: the oldest may be gone", ev.journal.len()),
        );
    }
    // Faults: kills and stalls by client label, Redis outages.
    let mut killed: HashMap<&str, u64> = HashMap::new();
    let mut stalls: HashMap<&str, Vec<(u64, u64)>> = HashMap::new();
    let mut outages: Vec<(u64, u64)> = Vec::new();
    for f in &ev.faults {
        *v.faults.entry(f.kind.name().to_string()).or_default() += 1;
        v.faults_on_lock_holders += u64::from(f.on_holder);
        match (f.kind, f.client.as_deref()) {
            (FaultKind::KillWorker | FaultKind::KillHolder, Some(c)) => {
                killed.insert(c, f.at_ms);
            }
            (FaultKind::StallHolder, Some(c)) => {
                stalls.entry(c).or_default().push((f.at_ms, f.end_ms))
            }
            (FaultKind::RestartRedis | FaultKind::FailoverPrimary, _) => {
                v.redis_down_ms += f.end_ms.saturating_sub(f.at_ms);
                outages.push((f.at_ms, f.end_ms));
            }
            _ => {}
        }
    }
    let in_outage = |t: u64| {
        outages
            .iter()
            .any(|(s, e)| t + 200 >= *s && t <= e + tol.grace_ms)
    };
    let in_own_stall = |client: &str, t: u64| {
        stalls
            .get(client)
            .is_some_and(|l| l.iter().any(|(s, e)| t >= *s && t <= e + tol.grace_ms))
    };
    // A lock held by a killed or stalled worker keeps waiters out for up to a lease after its
    // last renewal: a waiter may give up within two leases of the fault.
    let after_holder_fault = |t: u64| {
        ev.faults.iter().any(|f| {
            !matches!(f.kind, FaultKind::RestartRedis | FaultKind::FailoverPrimary)
                && t + tol.lease_ms >= f.at_ms
                && t <= f.at_ms + 2 * tol.lease_ms + tol.grace_ms
        })
    };
    // Whether client `c`'s answer to its request that arrived at `at_ms` was lost to a fault
    // before the next presentation at `next_at`: killed in between (and the next presentation
    // came within the lease the dead holder's lock lasts, and a little more), or stalled past
    // its lease around it.
    let lost = |c: &str, at_ms: u64, next_at: u64| -> Option<&'static str> {
        if killed.get(c).is_some_and(|k| {
            *k + 50 >= at_ms && *k <= next_at && next_at <= k + 2 * tol.lease_ms + 2_000
        }) {
            return Some("killed");
        }
        let stalled = stalls.get(c).is_some_and(|list| {
            list.iter().any(|(s, e)| {
                e - s > tol.lease_ms
                    && at_ms <= *e
                    && at_ms + tol.lease_ms >= *s
                    && next_at + 50 >= *s
            })
        });
        stalled.then_some("stalled")
    };

    // Refresh tokens: who presented each, and what came of it.
    let mut presented: HashMap<&str, Vec<Presentation>> = HashMap::new();
    let mut issued: HashMap<&str, u64> = HashMap::new();
    let mut last_issued: HashMap<u64, (&str, usize)> = HashMap::new();
    let mut logins: HashMap<u64, Vec<(usize, u64, String)>> = HashMap::new();
    for (i, e) in ev.journal.iter().enumerate() {
        if e.path == REFRESH_PATH {
            v.refreshes += 1;
            if e.status == 200 {
                v.rotations += 1;
            } else if e.status != 0 {
                v.refused_refreshes += 1;
            }
            if let Some(fp) = e.refresh_presented.as_deref() {
                presented.entry(fp).or_default().push(Presentation {
                    at_ms: e.at_ms,
                    client: e.client.clone().unwrap_or_default(),
                    status: e.status,
                    user: e.user_id,
                });
            }
        }
        if e.path == LOGIN_PATH && e.status == 200 {
            v.logins += 1;
            if let Some(u) = e.user_id {
                logins.entry(u).or_default().push((
                    i,
                    e.at_ms,
                    e.client.clone().unwrap_or_default(),
                ));
            }
        }
        if let (Some(fp), Some(u)) = (e.refresh_issued.as_deref(), e.user_id)
            && e.status == 200
        {
            issued.insert(fp, u);
            last_issued.insert(u, (fp, i));
        }
    }
    // Saves that failed, from the outcome logs: (client, customer) → times.
    let mut unsaved: HashMap<(&str, u64), Vec<u64>> = HashMap::new();
    for wl in &ev.lines {
        if wl.line["ev"] == "refreshed" && wl.line["saved"] == false {
            let c = wl.line["c"].as_u64().unwrap_or(u64::MAX);
            unsaved
                .entry((wl.client.as_str(), c))
                .or_default()
                .push(at(&wl.line));
        }
    }
    let customer_of = |user: Option<u64>| {
        user.and_then(|u| ev.users.iter().position(|x| *x == u))
            .map(|c| c as u64)
    };
    let mut incidents: Vec<LostRotation> = Vec::new();
    let mut fps: Vec<_> = presented.keys().copied().collect();
    fps.sort_unstable();
    for fp in fps {
        let list = &presented[fp];
        let accepted = list.iter().filter(|p| p.status == 200).count();
        if accepted > 1 {
            record(
                &mut v,
                "refresh_token_accepted_twice",
                format!("token {fp} rotated {accepted} times"),
            );
        }
        if list.len() < 2 {
            continue;
        }
        let (p1, p2) = (&list[0], &list[1]);
        if list.len() > 2 {
            let who: Vec<_> = list.iter().map(|p| p.client.as_str()).collect();
            record(
                &mut v,
                "refresh_token_presented_3_times_or_more",
                format!("token {fp} presented by {who:?}"),
            );
            continue;
        }
        // The second presenter was stalled past its lease, the first presented during the stall
        // and the second's request arrived as it resumed: its request was in flight.
        let late = p1.client != p2.client
            && p2.status != 200
            && stalls.get(p2.client.as_str()).is_some_and(|list| {
                list.iter().any(|(s, e)| {
                    e - s > tol.lease_ms
                        && p1.at_ms >= *s
                        && p1.at_ms <= *e
                        && p2.at_ms + 50 >= *s
                        && p2.at_ms <= e + 1_000
                })
            });
        if late {
            v.presented_late_by_stalled_holder += 1;
            continue;
        }
        let cause = (p1.client != p2.client)
            .then(|| lost(&p1.client, p1.at_ms, p2.at_ms))
            .flatten();
        // The holder got the rotated pair and could not save it: Redis went down around the
        // rotation and the save failed; the next holder presented the token after the lease.
        let unsaved_in_outage = cause.is_none()
            && p1.client != p2.client
            && p1.status == 200
            && p2.at_ms >= p1.at_ms + tol.lease_ms.saturating_sub(100)
            && outages
                .iter()
                .any(|(s, _)| *s + 1_000 >= p1.at_ms && *s <= p1.at_ms + tol.lease_ms)
            && customer_of(p1.user.or(issued.get(fp).copied())).is_some_and(|c| {
                unsaved.get(&(p1.client.as_str(), c)).is_some_and(|ts| {
                    ts.iter()
                        .any(|t| *t >= p1.at_ms && *t <= p1.at_ms + tol.lease_ms + 1_000)
                })
            });
        if unsaved_in_outage {
            v.lost_rotations_unsaved_redis_outage += 1;
            if !tol.tolerate_unsaved_rotation {
                record(
                    &mut v,
                    "rotation_unsaved_during_redis_outage",
                    format!(
                        "token {fp}: {} rotated it, could not save the pair while Redis was down, \
                         and {} presented it again after the lease",
                        p1.client, p2.client
                    ),
                );
            }
            incidents.push(LostRotation {
                user: p1.user.or(issued.get(fp).copied()),
                represented_at: p2.at_ms,
            });
            continue;
        }
        match cause {
            None => record(
                &mut v,
                "refresh_token_presented_twice",
                format!(
                    "token {fp} presented by {} (status {}) then by {} (status {}) with no fault \
                     that lost the first answer",
                    p1.client, p1.status, p2.client, p2.status
                ),
            ),
            Some(cause) => {
                v.re_presented_after_lost_answer += 1;
                if p1.status == 200 {
                    if cause == "killed" {
                        v.lost_rotations_killed += 1;
                    } else {
                        v.lost_rotations_stalled += 1;
                    }
                    incidents.push(LostRotation {
                        user: p1.user.or(issued.get(fp).copied()),
                        represented_at: p2.at_ms,
                    });
                }
            }
        }
    }
    // Logins: one per customer, plus one after each lost rotation (or lost login).
    let mut relogin_windows: Vec<(Option<u64>, u64, u64)> = Vec::new();
    for (user, list) in &logins {
        let mut allowed = 1 + incidents.iter().filter(|i| i.user == Some(*user)).count();
        for (index, at_ms, client) in list {
            let next = list
                .iter()
                .find(|(i, _, _)| i > index)
                .map(|(_, t, _)| *t)
                .unwrap_or(u64::MAX);
            if killed.get(client.as_str()).is_some_and(|k| {
                // Killed within a lease of its login, and the next login came while the
                // dead worker's lock could still hold the others off.
                *k + 50 >= *at_ms
                    && *k <= at_ms + tol.lease_ms
                    && *k <= next
                    && next <= k + 2 * tol.lease_ms + 2_000
            }) {
                v.lost_logins_killed += 1;
                allowed += 1;
            }
        }
        if list.len() > allowed {
            record(
                &mut v,
                "extra_login",
                format!("user {user}: {} logins, {allowed} expected", list.len()),
            );
        }
    }
    for inc in &incidents {
        // Until the customer's next login (and a little after, for the others to notice).
        let relogin = inc
            .user
            .and_then(|u| logins.get(&u))
            .and_then(|l| l.iter().find(|(_, t, _)| *t + 1_000 >= inc.represented_at))
            .map(|(_, t, _)| *t)
            .unwrap_or(u64::MAX);
        relogin_windows.push((
            inc.user,
            inc.represented_at.saturating_sub(1_000),
            relogin.saturating_add(5_000 + tol.lease_ms),
        ));
    }
    let explained = |c: usize, t: u64| {
        let user = ev.users.get(c).copied();
        relogin_windows
            .iter()
            .any(|(u, s, e)| *u == user && t >= *s && t <= *e)
    };

    // The workers' outcome logs.
    let mut by_client: BTreeMap<&str, (u64, Option<u64>)> = BTreeMap::new();
    for wl in &ev.lines {
        let line = &wl.line;
        let t = at(line);
        let c = line["c"].as_u64().unwrap_or(u64::MAX) as usize;
        match line["ev"].as_str().unwrap_or_default() {
            "reads" => {
                by_client.entry(&wl.client).or_default().0 += line["ok"].as_u64().unwrap_or(0)
            }
            "stop" => by_client.entry(&wl.client).or_default().1 = line["reads_ok_total"].as_u64(),
            "signed_out" => {
                if explained(c, t) {
                    v.sign_outs_from_lost_rotations += 1;
                } else {
                    record(
                        &mut v,
                        "customer_signed_out",
                        format!(
                            "{} signed customer {c} out ({})",
                            wl.client,
                            line["reason"].as_str().unwrap_or("?")
                        ),
                    );
                }
            }
            kind @ ("read_err" | "login_err") => {
                let err = line["err"].as_str().unwrap_or("?");
                let transient = line["transient"].as_bool().unwrap_or(false);
                let lock_wait = line["lock_wait"].as_bool().unwrap_or(false);
                let read = u64::from(kind == "read_err");
                if transient && in_outage(t) {
                    v.reads_failed_redis_down += read;
                } else if transient && in_own_stall(&wl.client, t) {
                    v.reads_failed_own_stall += read;
                } else if lock_wait && after_holder_fault(t) {
                    v.reads_failed_lock_wait += read;
                } else if transient {
                    record(
                        &mut v,
                        "transient_error_while_redis_up",
                        format!("{} customer {c}: {kind} {err}", wl.client),
                    );
                } else if (err == "SignedOut" || err == "SessionExpired") && explained(c, t) {
                    // The read that met the lost rotation's sign-out.
                } else {
                    record(
                        &mut v,
                        &format!("{kind}_{err}"),
                        format!(
                            "{} customer {c}: {err} {}",
                            wl.client,
                            line["reason"].as_str().unwrap_or("")
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    v.reads_ok = by_client
        .values()
        .map(|(sum, total)| total.unwrap_or(*sum))
        .sum();
    for (client, status) in &ev.crashed {
        record(&mut v, "worker_crashed", format!("{client}: {status}"));
    }
    // Redis at the end: every customer signed in, with the newest pair the store issued.
    for (c, state) in ev.final_state.iter().enumerate() {
        let newest = ev
            .users
            .get(c)
            .and_then(|u| last_issued.get(u))
            .map(|(fp, _)| *fp);
        match state {
            FinalState::Session(fp) if fp.as_deref() == newest && newest.is_some() => {}
            FinalState::Session(fp) => record(
                &mut v,
                "stored_pair_not_the_newest",
                format!("customer {c}: Redis holds {fp:?}, the store issued {newest:?} last"),
            ),
            other => record(
                &mut v,
                "customer_not_signed_in_at_the_end",
                format!("customer {c}: {other:?}"),
            ),
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(
        path: &str,
        client: &str,
        at_ms: u64,
        status: u16,
        p: Option<&str>,
        i: Option<&str>,
    ) -> JournalEntry {
        serde_json::from_value(json!({
            "method": "POST", "path": path, "query": "", "status": status, "auth": "none",
            "at_ms": at_ms, "client": client, "user_id": 1,
            "refresh_presented": p, "refresh_issued": i,
        }))
        .unwrap()
    }

    fn clean() -> Evidence {
        Evidence {
            journal: vec![
                entry(LOGIN_PATH, "w0.1", 1_000, 200, None, Some("r0")),
                entry(REFRESH_PATH, "w1.1", 4_000, 200, Some("r0"), Some("r1")),
                entry(REFRESH_PATH, "w0.1", 7_000, 200, Some("r1"), Some("r2")),
                entry("/wp-json/cocart/v2/cart", "w1.1", 8_000, 200, None, None),
            ],
            journal_capacity: 100,
            users: vec![1],
            lines: vec![WorkerLine {
                client: "w0.1".into(),
                line: json!({"ev": "reads", "ok": 5, "t": 2_000}),
            }],
            final_state: vec![FinalState::Session(Some("r2".into()))],
            ..Evidence::default()
        }
    }

    const TOL: Tolerances = Tolerances {
        grace_ms: 1_000,
        lease_ms: 2_000,
        tolerate_unsaved_rotation: false,
    };

    #[test]
    fn a_clean_chain_passes_with_its_figures() {
        let v = judge(&clean(), TOL);
        assert!(v.violations.is_empty(), "{:?}", v.violations);
        assert_eq!(
            (v.logins, v.rotations, v.reads_ok, v.requests),
            (1, 2, 5, 4)
        );
    }

    #[test]
    fn a_spent_token_presented_again_by_a_live_worker_is_a_violation() {
        let mut ev = clean();
        ev.journal
            .push(entry(REFRESH_PATH, "w2.1", 9_000, 403, Some("r1"), None));
        let v = judge(&ev, TOL);
        assert_eq!(
            v.violations_by_kind.get("refresh_token_presented_twice"),
            Some(&1)
        );
    }

    #[test]
    fn a_holder_killed_after_the_rotation_is_its_own_figure_and_explains_the_sign_out() {
        let mut ev = clean();
        // w0.1 rotated r2 → r3 and was killed before saving; w1.1 presents r2 again.
        ev.journal.push(entry(
            REFRESH_PATH,
            "w0.1",
            9_000,
            200,
            Some("r2"),
            Some("r3"),
        ));
        ev.journal
            .push(entry(REFRESH_PATH, "w1.1", 12_000, 403, Some("r2"), None));
        ev.journal
            .push(entry(LOGIN_PATH, "w1.1", 12_100, 200, None, Some("r9")));
        ev.faults.push(FaultRecord {
            kind: FaultKind::KillHolder,
            client: Some("w0.1".into()),
            at_ms: 9_010,
            end_ms: 9_500,
            on_holder: true,
        });
        ev.lines.push(WorkerLine {
            client: "w1.1".into(),
            line: json!({"ev": "signed_out", "c": 0, "reason": "RefreshedElsewhereAndLost", "t": 12_050}),
        });
        ev.final_state = vec![FinalState::Session(Some("r9".into()))];
        let v = judge(&ev, TOL);
        assert!(v.violations.is_empty(), "{:?}", v.violations);
        assert_eq!(v.lost_rotations_killed, 1);
        assert_eq!(v.sign_outs_from_lost_rotations, 1);
        assert_eq!(
            v.lost_logins_killed, 0,
            "w0.1's login was long before its kill"
        );
        // Without the kill, the same journal is two violations and an unexplained sign-out.
        ev.faults.clear();
        let v = judge(&ev, TOL);
        assert_eq!(
            v.violations_by_kind.get("refresh_token_presented_twice"),
            Some(&1)
        );
        assert_eq!(v.violations_by_kind.get("customer_signed_out"), Some(&1));
        assert_eq!(v.violations_by_kind.get("extra_login"), Some(&1));
    }

    #[test]
    fn transient_errors_are_allowed_only_while_redis_is_down_and_the_store_must_be_newest() {
        let mut ev = clean();
        ev.faults.push(FaultRecord {
            kind: FaultKind::RestartRedis,
            client: None,
            at_ms: 5_000,
            end_ms: 6_000,
            on_holder: false,
        });
        for t in [5_500, 6_900, 9_000] {
            ev.lines.push(WorkerLine {
                client: "w0.1".into(),
                line: json!({"ev": "read_err", "c": 0, "err": "Storage.Unavailable", "transient": true, "t": t}),
            });
        }
        ev.final_state = vec![FinalState::Session(Some("r1".into()))];
        let v = judge(&ev, TOL);
        assert_eq!(v.reads_failed_redis_down, 2);
        assert_eq!(
            v.violations_by_kind.get("transient_error_while_redis_up"),
            Some(&1)
        );
        assert_eq!(
            v.violations_by_kind.get("stored_pair_not_the_newest"),
            Some(&1)
        );
        assert_eq!(v.redis_down_ms, 1_000);
    }

    #[test]
    fn a_lock_wait_that_gave_up_is_allowed_only_after_a_holder_fault_and_stalls_excuse_their_own_worker()
     {
        let mut ev = clean();
        let err = |client: &str, t: u64, err: &str, lock_wait: bool| WorkerLine {
            client: client.into(),
            line: json!({"ev": "read_err", "c": 0, "err": err, "transient": true,
                "lock_wait": lock_wait, "t": t}),
        };
        ev.faults.push(FaultRecord {
            kind: FaultKind::StallHolder,
            client: Some("w3.1".into()),
            at_ms: 20_000,
            end_ms: 24_000,
            on_holder: true,
        });
        ev.lines
            .push(err("w1.1", 22_600, "Storage.Unavailable", true));
        ev.lines.push(err("w3.1", 24_100, "Timeout", false));
        let v = judge(&ev, TOL);
        assert!(v.violations.is_empty(), "{:?}", v.violations);
        assert_eq!((v.reads_failed_lock_wait, v.reads_failed_own_stall), (1, 1));
        // The same errors long after the fault, or in another worker, are violations.
        ev.lines
            .push(err("w1.1", 40_000, "Storage.Unavailable", true));
        ev.lines.push(err("w2.1", 24_100, "Timeout", false));
        let v = judge(&ev, TOL);
        assert_eq!(
            v.violations_by_kind.get("transient_error_while_redis_up"),
            Some(&2)
        );
    }

    #[test]
    fn a_stalled_holder_whose_request_lands_after_the_next_holders_is_its_own_figure() {
        let mut ev = clean();
        // w0.1 is stopped (holding the lock) with r2 about to go out; w1.1 takes the lock after
        // the lease and rotates r2; w0.1's request lands as it resumes and is refused.
        ev.journal.push(entry(
            REFRESH_PATH,
            "w1.1",
            12_000,
            200,
            Some("r2"),
            Some("r3"),
        ));
        ev.journal
            .push(entry(REFRESH_PATH, "w0.1", 14_010, 403, Some("r2"), None));
        ev.final_state = vec![FinalState::Session(Some("r3".into()))];
        let stall = FaultRecord {
            kind: FaultKind::StallHolder,
            client: Some("w0.1".into()),
            at_ms: 9_000,
            end_ms: 14_000,
            on_holder: true,
        };
        ev.faults.push(stall.clone());
        let v = judge(&ev, TOL);
        assert!(v.violations.is_empty(), "{:?}", v.violations);
        assert_eq!(v.presented_late_by_stalled_holder, 1);
        // A stall too short to outlast the lease excuses nothing.
        ev.faults = vec![FaultRecord {
            at_ms: 13_000,
            ..stall
        }];
        let v = judge(&ev, TOL);
        assert_eq!(
            v.violations_by_kind.get("refresh_token_presented_twice"),
            Some(&1)
        );
    }

    #[test]
    fn a_rotation_unsaved_because_redis_went_down_is_recognised_and_fails_unless_tolerated() {
        let mut ev = clean();
        // w0.1 rotates r2 → r3 at 9 s, Redis dies at 9.001 s, its save fails (saved: false);
        // after the lease w1.1 presents r2 again and signs the customer out; one login follows.
        ev.journal.push(entry(
            REFRESH_PATH,
            "w0.1",
            9_000,
            200,
            Some("r2"),
            Some("r3"),
        ));
        ev.journal
            .push(entry(REFRESH_PATH, "w1.1", 11_100, 403, Some("r2"), None));
        ev.journal
            .push(entry(LOGIN_PATH, "w1.1", 11_200, 200, None, Some("r9")));
        ev.faults.push(FaultRecord {
            kind: FaultKind::RestartRedis,
            client: None,
            at_ms: 9_001,
            end_ms: 10_400,
            on_holder: false,
        });
        ev.lines.push(WorkerLine {
            client: "w0.1".into(),
            line: json!({"ev": "refreshed", "c": 0, "saved": false, "t": 9_540}),
        });
        ev.lines.push(WorkerLine {
            client: "w1.1".into(),
            line: json!({"ev": "signed_out", "c": 0, "reason": "RefreshedElsewhereAndLost", "t": 11_150}),
        });
        ev.final_state = vec![FinalState::Session(Some("r9".into()))];
        let v = judge(&ev, TOL);
        assert_eq!(v.lost_rotations_unsaved_redis_outage, 1);
        assert_eq!(
            v.violations_by_kind.keys().collect::<Vec<_>>(),
            ["rotation_unsaved_during_redis_outage"],
            "{:?}",
            v.violations
        );
        let tolerant = Tolerances {
            tolerate_unsaved_rotation: true,
            ..TOL
        };
        let v = judge(&ev, tolerant);
        assert!(v.violations.is_empty(), "{:?}", v.violations);
        assert_eq!(v.sign_outs_from_lost_rotations, 1);
        // Without the failed save in the log it is an unexplained double presentation.
        ev.lines.remove(1);
        let v = judge(&ev, tolerant);
        assert_eq!(
            v.violations_by_kind.get("refresh_token_presented_twice"),
            Some(&1)
        );
    }
}
