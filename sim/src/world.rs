//! The world: the shop (plugin model), the shared session store and lock, the queue of pending
//! calls, the replicas as the scheduler sees them, and the records the invariants are checked
//! against. Completing a pending call happens here, in one step, with its fault.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use cocart::session_store::{
    MemoryStore, PersistedSession, SessionStore, SessionStoreError, Stored,
};
use cocart::shared_session::{MemoryLock, SessionLock};
use cocart::simulation::SimFailure;
use futures::FutureExt;
use tokio::sync::oneshot;

use crate::io::{Op, OpResult};
use crate::plugin::{Effect, Kill, Plugin, RefreshOutcome, Version, error};
use crate::rng::Rng;

/// Unix time (seconds) of the virtual clock's zero.
pub const EPOCH: i64 = 1_750_000_000;

/// Locks the world (a panic while it was held leaves records that are still worth printing).
pub fn lock_world(world: &Mutex<World>) -> MutexGuard<'_, World> {
    world.lock().unwrap_or_else(|p| p.into_inner())
}

/// How a pending call completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Processed and answered.
    Normal,
    /// Not processed: HTTP 500, or the store unreachable.
    Fail,
    /// Not processed and no answer (HTTP: the request was lost; the client times out).
    Dropped,
    /// Processed, but the answer was lost (HTTP: timeout; store: `Unavailable`).
    AppliedLost,
}

/// A parked call.
#[derive(Debug)]
pub struct Pending {
    /// Who made it.
    pub replica: usize,
    /// What it is.
    pub op: Op,
    /// Where the answer goes.
    pub tx: oneshot::Sender<OpResult>,
    /// Virtual milliseconds when it was made.
    pub since: u64,
}

/// What happened to the answer of a refresh presentation the store processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The presenter got the answer.
    Delivered,
    /// The answer was lost (timeout, or the presenter died).
    Lost,
}

/// One processed presentation of a refresh token.
#[derive(Debug, Clone)]
pub struct Presentation {
    /// Who presented it.
    pub replica: usize,
    /// Whether it rotated.
    pub rotated: bool,
    /// Whether its answer arrived (a presenter that died before saving the new pair counts as
    /// lost: the pair went with it).
    pub delivery: Delivery,
    /// The pair it minted.
    pub minted: Option<usize>,
}

/// A replica as the scheduler and the invariants see it.
#[derive(Debug, Clone, Default)]
pub struct ReplicaState {
    /// Killed replicas never act again.
    pub dead: bool,
    /// An action of the script is running.
    pub busy: bool,
    /// Actions left in its script.
    pub budget: u32,
    /// Has started its first action (`restore_or_login`).
    pub started: bool,
    /// Paused (a stop-the-world pause) until this virtual millisecond.
    pub paused_until: Option<u64>,
    /// `logout()` calls started / `SignedOut { LoggedOut }` events seen.
    pub logouts_started: u32,
    /// See `logouts_started`.
    pub logged_out_seen: u32,
    /// While a `logout()` runs: the number of access tokens issued when it started.
    pub logout_from: Option<usize>,
    /// The last refused refresh answer it received since it last signed in/out: whether the
    /// store's newest pair was dead then.
    pub refusal: Option<bool>,
    /// Fault-free schedules: its running action (a logout or login) runs alone.
    pub exclusive: bool,
    /// Its last delivered refusal was of a token that an earlier presentation had rotated into
    /// a pair nobody saved (the truth behind `RefreshedElsewhereAndLost`).
    pub refused_lost_rotation: bool,
    /// Key rotation: this replica opens values sealed with the new key `k2`.
    pub opens_k2: bool,
    /// Key rotation: this replica seals what it saves with `k2` (only once every replica opens
    /// it, as the rotation procedure requires).
    pub seals_k2: bool,
    /// One of its store calls failed (or lost its answer) since its last refresh presentation:
    /// the only reason a rotated pair may stay unsaved (`TokenRefreshed { saved: false }`).
    pub store_failed: bool,
    /// Virtual ms until which its last lease (taken or renewed) runs.
    pub lease_until: u64,
    /// Its last lock grant said the lease before it lapsed with a refresh marked in flight (a
    /// fact of the lock: that holder died, stalled, or lost the store for longer than a lease
    /// before its refresh's outcome was settled).
    pub lapsed_grant: bool,
}

/// Fixed parameters of one schedule.
#[derive(Debug, Clone)]
pub struct Params {
    /// The seed.
    pub seed: u64,
    /// Faults injected or not.
    pub faulty: bool,
    /// Plugin version.
    pub version: Version,
    /// Replicas at the start.
    pub replicas: usize,
    /// Access-token lifetime (s).
    pub lifetime: i64,
    /// The SDK's refresh leeway (s).
    pub leeway: i64,
    /// The client request timeout.
    pub timeout: Duration,
    /// The lock lease.
    pub lease: Duration,
}

/// Counters for the report.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Ops completed.
    pub ops: u64,
    /// Refresh presentations processed by the store.
    pub presentations: u64,
    /// Rotations.
    pub rotations: u64,
    /// Faults injected.
    pub faults: u64,
    /// Steps of the scheduler.
    pub steps: u64,
}

/// Everything shared between the scheduler, the replicas' I/O and the checks.
pub struct World {
    /// Schedule parameters.
    pub params: Params,
    /// The scheduler's choices.
    pub rng: Rng,
    /// The shop.
    pub plugin: Plugin,
    /// The shared session store (the SDK's own).
    pub store: Arc<MemoryStore>,
    /// The shared session lock (the SDK's own).
    pub lock: Arc<MemoryLock>,
    /// Calls waiting for the scheduler.
    pub pending: Vec<Pending>,
    /// Calls of dead replicas: never answered, never dropped (a dropped sender would wake them).
    graveyard: Vec<oneshot::Sender<OpResult>>,
    /// The replicas.
    pub replicas: Vec<ReplicaState>,
    /// What happened, one line per event (no secrets: tokens appear as numbers).
    pub trace: Vec<String>,
    /// Invariant violations.
    pub violations: Vec<String>,
    /// Counters.
    pub stats: Stats,
    /// Virtual-time zero.
    pub start: tokio::time::Instant,
    /// The session store and lock answer `Unavailable` until this virtual millisecond.
    pub store_down_until: u64,
    /// Faults are off (the final sweep).
    pub sweeping: bool,
    presentations: BTreeMap<usize, Vec<Presentation>>,
    /// The newest pair saved in the store (refresh token), cleared or not since.
    last_saved: Option<String>,
    /// Tombstones written.
    pub tombstones: u64,
    /// After a logout's tombstone: access tokens numbered below this were issued before it.
    pub logout_floor: Option<usize>,
    /// Key rotation: the key each stored revision was sealed with (2: `k2`; absent: `k1`).
    sealed_with: BTreeMap<u64, u8>,
    /// Which replica's login minted each login pair.
    login_by: BTreeMap<usize, usize>,
    /// Pairs that reached the session store.
    saved_pairs: std::collections::BTreeSet<usize>,
}

impl World {
    /// A world for `params`.
    pub fn new(params: Params, rng: Rng) -> Self {
        let plugin = Plugin::new(params.version, params.lifetime);
        Self {
            replicas: Vec::new(),
            params,
            rng,
            plugin,
            store: Arc::new(MemoryStore::new()),
            lock: Arc::new(MemoryLock::new()),
            pending: Vec::new(),
            graveyard: Vec::new(),
            trace: Vec::new(),
            violations: Vec::new(),
            stats: Stats::default(),
            start: tokio::time::Instant::now(),
            store_down_until: 0,
            sweeping: false,
            presentations: BTreeMap::new(),
            last_saved: None,
            tombstones: 0,
            logout_floor: None,
            sealed_with: BTreeMap::new(),
            login_by: BTreeMap::new(),
            saved_pairs: std::collections::BTreeSet::new(),
        }
    }

    /// Virtual milliseconds since the start.
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The store's clock (Unix seconds).
    pub fn now_secs(&self) -> i64 {
        EPOCH + i64::try_from(self.start.elapsed().as_secs()).unwrap_or(i64::MAX / 2)
    }

    /// Adds a line to the trace.
    pub fn log(&mut self, line: impl AsRef<str>) {
        let now = self.now_ms();
        self.trace.push(format!(
            "{:>7}.{:03} {}",
            now / 1000,
            now % 1000,
            line.as_ref()
        ));
    }

    /// Records a violation (and traces it).
    pub fn violation(&mut self, what: impl Into<String>) {
        let what = what.into();
        self.log(format!("VIOLATION {what}"));
        self.violations.push(what);
    }

    /// Parks a call (a dead replica's call goes straight to the graveyard).
    pub fn park(&mut self, replica: usize, op: Op, tx: oneshot::Sender<OpResult>) {
        if self.replicas.get(replica).is_none_or(|r| r.dead) {
            self.graveyard.push(tx);
            return;
        }
        let since = self.now_ms();
        self.pending.push(Pending {
            replica,
            op,
            tx,
            since,
        });
    }

    /// Drops parked calls whose caller went away (a `select!` that finished on its other branch):
    /// they have no effect, and dropping them keeps the schedule the same whichever branch a
    /// select polled first.
    pub fn prune(&mut self) {
        self.pending.retain(|p| !p.tx.is_closed());
    }

    /// The indices of pending calls the scheduler may complete now.
    pub fn eligible(&self) -> Vec<usize> {
        let now = self.now_ms();
        self.pending
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                self.replicas[p.replica]
                    .paused_until
                    .is_none_or(|until| until <= now)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// One step of a rolling key rotation, done as an operator must: first every replica learns
    /// to open the new key, one at a time; only then do they start sealing with it, one at a
    /// time. Replacement replicas start with the configuration of the moment. Returns whether a
    /// step was left to take.
    pub fn rotate_key_step(&mut self) -> bool {
        let live: Vec<usize> = (0..self.replicas.len())
            .filter(|&r| !self.replicas[r].dead)
            .collect();
        if let Some(&r) = live.iter().find(|&&r| !self.replicas[r].opens_k2) {
            self.replicas[r].opens_k2 = true;
            self.log(format!("KEY ROTATION: r{r} opens k2"));
            return true;
        }
        if let Some(&r) = live.iter().find(|&&r| !self.replicas[r].seals_k2) {
            self.replicas[r].seals_k2 = true;
            self.log(format!("KEY ROTATION: r{r} seals with k2"));
            return true;
        }
        false
    }

    /// The key configuration a replica started now gets.
    pub fn key_config_now(&self) -> (bool, bool) {
        let any_opens = self.replicas.iter().any(|r| r.opens_k2);
        let any_seals = self.replicas.iter().any(|r| r.seals_k2);
        (any_opens, any_seals)
    }

    /// Kills `replica`: its pending calls are processed with their answers lost, or never
    /// processed, and it never acts again.
    pub fn kill(&mut self, replica: usize) {
        self.log(format!("r{replica} KILLED"));
        self.replicas[replica].dead = true;
        // A rotation it got but had not saved dies with it: for I1 its answer was lost.
        for list in self.presentations.values_mut() {
            for p in list.iter_mut().filter(|p| p.replica == replica) {
                if p.minted.is_some_and(|m| !self.saved_pairs.contains(&m)) {
                    p.delivery = Delivery::Lost;
                }
            }
        }
        self.replicas[replica].busy = false;
        let mine: Vec<usize> = (0..self.pending.len())
            .rev()
            .filter(|&i| self.pending[i].replica == replica)
            .collect();
        for i in mine {
            let p = self.pending.remove(i);
            let fate = if self.rng.chance(500) {
                Fate::AppliedLost
            } else {
                Fate::Dropped
            };
            let name = p.op.name();
            let _ = self.apply(replica, p.op, fate, &name);
            self.graveyard.push(p.tx);
        }
    }

    /// Completes pending call `index` with `fate`.
    pub fn complete(&mut self, index: usize, fate: Fate) {
        let p = self.pending.remove(index);
        self.stats.ops += 1;
        if fate != Fate::Normal {
            self.stats.faults += 1;
        }
        let name = p.op.name();
        let result = self.apply(p.replica, p.op, fate, &name);
        let _ = p.tx.send(result);
    }

    fn apply(&mut self, replica: usize, op: Op, fate: Fate, name: &str) -> OpResult {
        let down = self.now_ms() < self.store_down_until;
        let fate = if op.is_storage() && down && fate == Fate::Normal {
            Fate::Fail
        } else {
            fate
        };
        let tag = match fate {
            Fate::Normal => "",
            Fate::Fail => " [FAULT: failed]",
            Fate::Dropped => " [FAULT: lost request]",
            Fate::AppliedLost => " [FAULT: answer lost]",
        };
        let unavailable = || SessionStoreError::Unavailable("simulated outage".into());
        if op.is_storage() && fate != Fate::Normal {
            self.replicas[replica].store_failed = true;
        }
        match op {
            Op::Http(req) => match fate {
                Fate::Fail => {
                    self.log(format!("r{replica} {name} -> 500{tag}"));
                    OpResult::Http(Ok(error(
                        500,
                        "internal_server_error",
                        "Simulated failure.",
                    )))
                }
                Fate::Dropped => {
                    self.log(format!("r{replica} {name} -> timeout{tag}"));
                    OpResult::Http(Err(SimFailure::Timeout))
                }
                Fate::Normal | Fate::AppliedLost => {
                    let now = self.now_secs();
                    let (resp, effect) = self.plugin.handle(&mut self.rng, &req, now);
                    let delivered = fate == Fate::Normal && !self.replicas[replica].dead;
                    self.record_http(replica, name, resp.status, &effect, delivered, tag);
                    if fate == Fate::Normal {
                        OpResult::Http(Ok(resp))
                    } else {
                        OpResult::Http(Err(SimFailure::Timeout))
                    }
                }
            },
            Op::Load => {
                if fate != Fate::Normal {
                    self.log(format!("r{replica} {name} -> unavailable{tag}"));
                    return OpResult::Load(Err(unavailable()));
                }
                let mut got = now(self.store.load());
                if let Ok(Stored::Session(s)) = &got
                    && self.sealed_with.get(&s.revision) == Some(&2)
                    && !self.replicas[replica].opens_k2
                {
                    // What an encrypting store answers for a value sealed with a key this
                    // process lacks.
                    got = Err(SessionStoreError::Corrupt(
                        "sealed with key id 'k2', which this process does not have".into(),
                    ));
                }
                let what = match &got {
                    Ok(Stored::Session(s)) => format!("rev {} {}", s.revision, self.describe(s)),
                    Ok(Stored::Cleared { revision }) => format!("tombstone rev {revision}"),
                    Ok(_) => "nothing".into(),
                    Err(e) => format!("{e}"),
                };
                self.log(format!("r{replica} {name} -> {what}"));
                OpResult::Load(got)
            }
            Op::Save(expected, session) => {
                if matches!(fate, Fate::Fail | Fate::Dropped) {
                    self.log(format!("r{replica} {name} -> unavailable{tag}"));
                    return OpResult::Revision(Err(unavailable()));
                }
                let got = now(self.store.save(expected, &session));
                let what = self.describe(&session);
                self.log(format!("r{replica} {name} {what} -> {got:?}{tag}"));
                if let Ok(revision) = got {
                    let key = if self.replicas[replica].seals_k2 {
                        2
                    } else {
                        1
                    };
                    self.sealed_with.insert(revision, key);
                    self.on_saved(replica, &session);
                }
                lost_or(fate, OpResult::Revision(got), || {
                    OpResult::Revision(Err(unavailable()))
                })
            }
            Op::Clear(expected) => {
                if matches!(fate, Fate::Fail | Fate::Dropped) {
                    self.log(format!("r{replica} {name} -> unavailable{tag}"));
                    return OpResult::Revision(Err(unavailable()));
                }
                let before = now_load(&self.store);
                let got = now(self.store.clear(expected));
                self.log(format!("r{replica} {name} -> {got:?}{tag}"));
                if got.is_ok() {
                    self.on_cleared(replica, before.as_ref());
                }
                lost_or(fate, OpResult::Revision(got), || {
                    OpResult::Revision(Err(unavailable()))
                })
            }
            Op::Acquire { owner, lease } => {
                if matches!(fate, Fate::Fail | Fate::Dropped) {
                    self.log(format!("r{replica} {name} -> unavailable{tag}"));
                    return OpResult::Grant(Err(unavailable()));
                }
                let got = now(self.lock.try_acquire(&owner, lease));
                self.log(format!("r{replica} {name} -> {got:?}{tag}"));
                if let Ok(Some(grant)) = &got {
                    if grant.lapsed_refresh {
                        // The lock treats a holder whose lease lapsed mid-refresh as dead: an
                        // answer it got and never saved counts as lost, as for a killed replica.
                        for list in self.presentations.values_mut() {
                            for p in list.iter_mut() {
                                if p.minted.is_none_or(|m| !self.saved_pairs.contains(&m)) {
                                    p.delivery = Delivery::Lost;
                                }
                            }
                        }
                    }
                    self.replicas[replica].lapsed_grant = grant.lapsed_refresh;
                    self.replicas[replica].lease_until = self.now_ms() + lease.as_millis() as u64;
                }
                lost_or(fate, OpResult::Grant(got), || {
                    OpResult::Grant(Err(unavailable()))
                })
            }
            Op::Mark { owner } => {
                if matches!(fate, Fate::Fail | Fate::Dropped) {
                    self.log(format!("r{replica} {name} -> unavailable{tag}"));
                    return OpResult::Bool(Err(unavailable()));
                }
                let got = now(self.lock.mark_refreshing(&owner));
                self.log(format!("r{replica} {name} -> {got:?}{tag}"));
                lost_or(fate, OpResult::Bool(got), || {
                    OpResult::Bool(Err(unavailable()))
                })
            }
            Op::Renew { owner, lease } => {
                if matches!(fate, Fate::Fail | Fate::Dropped) {
                    self.log(format!("r{replica} {name} -> unavailable{tag}"));
                    return OpResult::Bool(Err(unavailable()));
                }
                let got = now(self.lock.renew(&owner, lease));
                self.log(format!("r{replica} {name} -> {got:?}{tag}"));
                if let Ok(true) = got {
                    self.replicas[replica].lease_until = self.now_ms() + lease.as_millis() as u64;
                }
                lost_or(fate, OpResult::Bool(got), || {
                    OpResult::Bool(Err(unavailable()))
                })
            }
            Op::Release { owner } => {
                if matches!(fate, Fate::Fail | Fate::Dropped) {
                    self.log(format!("r{replica} {name} -> unavailable{tag}"));
                    return OpResult::Unit(Err(unavailable()));
                }
                let got = now(self.lock.release(&owner));
                self.log(format!("r{replica} {name} -> {got:?}{tag}"));
                lost_or(fate, OpResult::Unit(got), || {
                    OpResult::Unit(Err(unavailable()))
                })
            }
        }
    }

    /// A stored session as the trace shows it: token numbers, never tokens.
    pub fn describe(&self, s: &PersistedSession) -> String {
        let access = s
            .access_token
            .as_ref()
            .and_then(|a| self.plugin.access_of(a.expose_secret()));
        let pair = s
            .refresh_token
            .as_ref()
            .and_then(|r| self.plugin.pair_of_refresh(r.expose_secret()));
        match (access, pair) {
            (None, None) => "(no tokens)".into(),
            (a, p) => format!("(access #{} pair #{})", opt(a), opt(p)),
        }
    }

    /// Whether the store's newest saved pair can no longer be refreshed (or none was saved).
    fn stored_pair_dead(&self) -> bool {
        self.last_saved
            .as_ref()
            .is_none_or(|r| !self.plugin.refresh_alive(r))
    }

    fn record_http(
        &mut self,
        replica: usize,
        name: &str,
        status: u16,
        effect: &Effect,
        delivered: bool,
        tag: &str,
    ) {
        let now_secs = self.now_secs();
        let delivery = if delivered {
            Delivery::Delivered
        } else {
            Delivery::Lost
        };
        let what = match effect {
            Effect::Login { pair } => format!("login -> pair #{pair}"),
            Effect::Refresh(RefreshOutcome::Rotated { old, new }) => {
                format!("pair #{old} rotated -> pair #{new}")
            }
            Effect::Refresh(RefreshOutcome::Refused { old }) => {
                format!("pair #{} REFUSED", opt(*old))
            }
            Effect::Refresh(RefreshOutcome::Malformed) => "malformed refresh".into(),
            Effect::Logout => "logout (all sessions revoked)".into(),
            Effect::Read { authenticated } => format!("read (signed in: {authenticated})"),
            Effect::TokenRefused => "token refused".into(),
            Effect::Other => "other".into(),
        };
        self.log(format!("r{replica} {name} -> {status} {what}{tag}"));
        if let Effect::Login { pair } = effect {
            self.login_by.insert(*pair, replica);
        }
        let Effect::Refresh(outcome) = effect else {
            return;
        };
        let (pair, rotated, minted) = match outcome {
            RefreshOutcome::Rotated { old, new } => (*old, true, Some(*new)),
            RefreshOutcome::Refused { old: Some(old) } => (*old, false, None),
            _ => return,
        };
        self.stats.presentations += 1;
        self.replicas[replica].store_failed = false;
        if rotated {
            self.stats.rotations += 1;
        }
        // I1: a refresh token is presented at most once, or twice when the first presentation's
        // answer was lost, or its presenter's lease lapsed before the outcome reached the store
        // (it died, stalled past its lease, or lost the store for longer than a lease: the lock
        // itself says so to the next holder).
        let earlier = self.presentations.entry(pair).or_default().clone();
        // Put exactly: a token is never presented again once a live presenter got the store's
        // answer to it. Every earlier presentation's answer was lost, except that the last one
        // may have reached a presenter whose lease then lapsed before it settled the outcome.
        // A presenter whose own lease lapsed while its request was on its way (a process
        // stalled past its lease) can present after the next holder did: a lease cannot fence a
        // request already sent, and the README says so.
        let presenter_lapsed = self.now_ms() > self.replicas[replica].lease_until;
        let allowed = match earlier.split_last() {
            None => true,
            Some(_) if self.params.faulty && presenter_lapsed => true,
            Some((last, before)) => {
                self.params.faulty
                    && before.iter().all(|p| p.delivery == Delivery::Lost)
                    && (last.delivery == Delivery::Lost || self.replicas[replica].lapsed_grant)
            }
        };
        if !allowed {
            self.violation(format!(
                "I1: r{replica} presented refresh token of pair #{pair} again (earlier: {earlier:?})"
            ));
        }
        self.presentations
            .entry(pair)
            .or_default()
            .push(Presentation {
                replica,
                rotated,
                delivery,
                minted,
            });
        if !self.params.faulty {
            // I4: with nothing failing, every presentation rotates the newest stored pair, and
            // only once it is due.
            // A refusal that a logout (or a v2 login) caused is the user's act, not a failure.
            let killed_by = self.plugin.refresh[pair].killed_by;
            if !rotated && killed_by == Some(Kill::Rotation) {
                self.violation(format!(
                    "I4: pair #{pair} refused in a fault-free schedule (it was already rotated)"
                ));
            }
            let newest = self
                .last_saved
                .as_ref()
                .and_then(|r| self.plugin.pair_of_refresh(r));
            let login_since = self.plugin.refresh[pair + 1..].iter().any(|r| r.from_login);
            if rotated && newest != Some(pair) && !login_since {
                self.violation(format!(
                    "I4: r{replica} refreshed pair #{pair}, but the store's newest pair is #{}",
                    opt(newest)
                ));
            }
            let access = self.plugin.refresh[pair].access;
            let due = self.plugin.access[access].exp - self.params.leeway - 2;
            if rotated && now_secs < due {
                self.violation(format!(
                    "I4: r{replica} refreshed pair #{pair} {} s before it was due",
                    due - now_secs
                ));
            }
        }
        if !rotated && delivered {
            let dead = self.stored_pair_dead();
            self.replicas[replica].refusal = Some(dead);
            let lost = self.presentations.get(&pair).is_some_and(|list| {
                list.iter()
                    .any(|p| p.minted.is_some_and(|m| !self.saved_pairs.contains(&m)))
            });
            self.replicas[replica].refused_lost_rotation = lost;
        }
    }

    fn on_saved(&mut self, replica: usize, session: &PersistedSession) {
        let Some(refresh) = session.refresh_token.as_ref() else {
            return;
        };
        self.last_saved = Some(refresh.expose_secret().to_string());
        if let Some(pair) = self.plugin.pair_of_refresh(refresh.expose_secret()) {
            self.saved_pairs.insert(pair);
        }
        // I3: the store never holds a session issued before a logout's tombstone.
        let access = session
            .access_token
            .as_ref()
            .and_then(|a| self.plugin.access_of(a.expose_secret()));
        // A login's own save is the user's explicit act, written above whatever is stored (a
        // login racing a logout may land after it).
        let own_login = session
            .refresh_token
            .as_ref()
            .and_then(|r| self.plugin.pair_of_refresh(r.expose_secret()))
            .is_some_and(|p| {
                self.plugin.refresh[p].from_login && self.login_by.get(&p) == Some(&replica)
            });
        if let (Some(floor), Some(access)) = (self.logout_floor, access)
            && access < floor
            && !own_login
        {
            self.violation(format!(
                "I3: r{replica} saved access #{access}, issued before the logout (first after: #{floor})"
            ));
        }
    }

    fn on_cleared(&mut self, replica: usize, before: Option<&PersistedSession>) {
        self.tombstones += 1;
        if let Some(from) = self.replicas[replica].logout_from.take() {
            self.logout_floor = Some(self.logout_floor.map_or(from, |f| f.max(from)));
            return;
        }
        // I2: a sign-out that is not a logout never erases a session that still works.
        let live = before
            .and_then(|s| s.refresh_token.as_ref())
            .filter(|r| self.plugin.refresh_alive(r.expose_secret()))
            .and_then(|r| self.plugin.pair_of_refresh(r.expose_secret()));
        if let Some(pair) = live {
            self.violation(format!(
                "I2: r{replica}'s sign-out cleared the stored session of pair #{pair}, which the store still accepts"
            ));
        }
    }

    /// A `TokenRefreshed { saved }` event of `replica`: "not saved" only when its store failed; a
    /// rotation whose save met another replica's newer session adopts that one and sends nothing.
    pub fn on_token_refreshed(&mut self, replica: usize, saved: bool) {
        if !saved && !self.replicas[replica].store_failed {
            self.violation(format!(
                "event: r{replica} says its rotated pair was not saved though its store never failed"
            ));
        }
    }

    /// A `SignedOut` event of `replica` (`reason` as its Debug name).
    pub fn on_signed_out(&mut self, replica: usize, reason: &str) {
        if self.replicas[replica].dead {
            return;
        }
        let state = self.replicas[replica].clone();
        self.replicas[replica].refusal = None;
        let ok = match reason {
            "LoggedOut" => {
                let ok = state.logouts_started > state.logged_out_seen;
                self.replicas[replica].logged_out_seen += 1;
                ok
            }
            "SignedOutElsewhere" => self.tombstones > 0,
            // Only when the refused token had been rotated into a pair nobody saved, or the lock
            // told this replica that a holder's lease lapsed with a refresh of it in flight.
            "RefreshedElsewhereAndLost" => {
                state.refusal.is_some() && (state.refused_lost_rotation || state.lapsed_grant)
            }
            _ => {
                state.refusal.is_some() && (state.refusal == Some(true) || self.stored_pair_dead())
            }
        };
        if !ok {
            self.violation(format!(
                "I2: r{replica} signed out ({reason}) though the user did not log out and the store's newest pair still works (refusal seen: {:?})",
                state.refusal
            ));
        }
        if !self.params.faulty && !matches!(reason, "LoggedOut" | "SignedOutElsewhere") {
            self.violation(format!(
                "I4: r{replica} signed out ({reason}) in a fault-free schedule"
            ));
        }
    }
}

fn opt(v: Option<usize>) -> String {
    v.map_or_else(|| "?".into(), |v| v.to_string())
}

fn lost_or(fate: Fate, normal: OpResult, lost: impl FnOnce() -> OpResult) -> OpResult {
    if fate == Fate::AppliedLost {
        lost()
    } else {
        normal
    }
}

/// Runs one call on the in-memory store or lock, which never waits.
fn now<T>(
    fut: impl std::future::Future<Output = Result<T, SessionStoreError>>,
) -> Result<T, SessionStoreError> {
    fut.now_or_never()
        .unwrap_or_else(|| Err(SessionStoreError::Io("the memory store waited".into())))
}

/// What the shared store holds now (read directly, outside any schedule step).
pub fn now_load(store: &MemoryStore) -> Option<PersistedSession> {
    match now(store.load()) {
        Ok(Stored::Session(s)) => Some(s),
        _ => None,
    }
}
