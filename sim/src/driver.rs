//! The scheduler: runs one schedule on a single-threaded tokio runtime with paused (virtual)
//! time. Replicas are tasks calling the SDK's public API; every call they make parks in the
//! world, and after letting the runtime go idle the driver picks, with the seeded generator, the
//! next thing to happen: complete a pending call (maybe with a fault), start a replica's next
//! action, move the clock, kill or pause a replica, take the session store down.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cocart::CoCartClient;
use cocart::auth::{AuthEvent, SignOutReason};
use cocart::clock::Clock;
use secrecy::SecretString;
use tokio::task::JoinHandle;

use crate::io::{Op, SimLock, SimStore, SimTransport};
use crate::plugin::{PASSWORD, USERNAME, Version};
use crate::rng::Rng;
use crate::world::{EPOCH, Fate, Params, Stats, World, lock_world};

/// The most steps a schedule may take before it counts as stuck.
const MAX_STEPS: u64 = 6_000;

/// What one schedule did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Its parameters.
    pub params: Params,
    /// One line per event.
    pub trace: Vec<String>,
    /// Invariant violations (empty: passed).
    pub violations: Vec<String>,
    /// Counters.
    pub stats: Stats,
    /// Captured log output of the SDK (only kept when asked for).
    pub logs: String,
}

/// The device clock of every replica: the world's virtual time.
#[derive(Debug, Clone, Copy)]
struct SimClock {
    start: tokio::time::Instant,
}

impl Clock for SimClock {
    fn now(&self) -> i64 {
        EPOCH + i64::try_from(self.start.elapsed().as_secs()).unwrap_or(i64::MAX / 2)
    }
}

/// A script step of a replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    RestoreOrLogin,
    Login,
    Count,
    RefreshNow,
    Restore,
    Logout,
}

struct Handle {
    client: Option<CoCartClient>,
    tasks: Vec<JoinHandle<()>>,
}

/// Parameters of the schedule for `seed` (the seed decides everything).
pub fn params_for(seed: u64) -> Params {
    let mut rng = Rng::new(seed ^ 0x5EED_C0CA_0000_0000);
    Params {
        seed,
        faulty: seed % 2 == 1,
        version: if (seed / 2).is_multiple_of(2) {
            Version::V3
        } else {
            Version::V2
        },
        replicas: rng.between(2, 4) as usize,
        lifetime: 600,
        leeway: 60,
        timeout: Duration::from_secs(1),
        lease: Duration::from_secs(2),
    }
}

/// Runs the schedule of `seed`; `keep_logs` keeps the SDK's log output in the outcome.
pub fn run(seed: u64, keep_logs: bool) -> Outcome {
    let params = params_for(seed);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return Outcome {
                params,
                trace: Vec::new(),
                violations: vec![format!("could not start a runtime: {e}")],
                stats: Stats::default(),
                logs: String::new(),
            };
        }
    };
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .without_time()
        .finish();
    let (mut outcome, secrets) =
        tracing::subscriber::with_default(subscriber, || runtime.block_on(drive(params.clone())));
    drop(runtime);
    let text = logs.text();
    check_secrets(&mut outcome, &secrets, &text);
    if keep_logs {
        outcome.logs = text;
    }
    outcome
}

async fn drive(params: Params) -> (Outcome, Vec<String>) {
    let rng = Rng::new(params.seed);
    let world = Arc::new(Mutex::new(World::new(params.clone(), rng)));
    let clock = SimClock {
        start: lock_world(&world).start,
    };
    let mut handles: Vec<Handle> = Vec::new();
    for _ in 0..params.replicas {
        spawn_replica(&world, &mut handles, clock);
    }
    let mut kills = 0u32;
    let mut stuck = true;
    for _ in 0..MAX_STEPS {
        settle().await;
        let next = step(&mut lock_world(&world), &params, &mut kills);
        match next {
            Next::Continue => {}
            Next::Done => {
                stuck = false;
                break;
            }
            Next::Sleep(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
            Next::Start(r, action) => {
                if let Some(client) = handles[r].client.clone() {
                    let task = tokio::spawn(run_action(Arc::clone(&world), client, r, action));
                    handles[r].tasks.push(task);
                }
            }
            Next::Kill(r, replace) => {
                for task in handles[r].tasks.drain(..) {
                    task.abort();
                }
                handles[r].client = None;
                if replace {
                    spawn_replica(&world, &mut handles, clock);
                    let mut w = lock_world(&world);
                    let n = w.replicas.len() - 1;
                    w.log(format!("r{n} starts as the replacement of r{r}"));
                }
            }
        }
    }
    if stuck {
        lock_world(&world).violation(format!(
            "liveness: the schedule did not settle within {MAX_STEPS} steps"
        ));
    }
    sweep(&world, &mut handles).await;
    let w = lock_world(&world);
    let mut secrets = w.plugin.secrets();
    secrets.push(PASSWORD.to_string());
    secrets.push(base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{USERNAME}:{PASSWORD}"),
    ));
    let outcome = Outcome {
        params,
        trace: w.trace.clone(),
        violations: w.violations.clone(),
        stats: w.stats.clone(),
        logs: String::new(),
    };
    (outcome, secrets)
}

/// What the driver does after a step.
enum Next {
    Continue,
    Done,
    Sleep(u64),
    Start(usize, Action),
    Kill(usize, bool),
}

/// One scheduler decision, made with the world locked (no await inside).
fn step(w: &mut World, params: &Params, kills: &mut u32) -> Next {
    w.stats.steps += 1;
    w.prune();
    let now = w.now_ms();
    for r in 0..w.replicas.len() {
        if w.replicas[r].paused_until.is_some_and(|until| until <= now) {
            w.replicas[r].paused_until = None;
            w.log(format!("r{r} resumes"));
        }
    }
    // A request older than the client's timeout gets no answer: processed or not.
    let timeout_ms = params.timeout.as_millis() as u64;
    if let Some(i) = w.eligible().into_iter().find(|&i| {
        matches!(w.pending[i].op, Op::Http(_))
            && now.saturating_sub(w.pending[i].since) > timeout_ms
    }) {
        let fate = if w.rng.chance(500) {
            Fate::AppliedLost
        } else {
            Fate::Dropped
        };
        w.complete(i, fate);
        return Next::Continue;
    }
    let eligible = w.eligible();
    // Fault-free: a logout or re-login runs alone (a login racing a logout has no single
    // right outcome, and I4 is about refreshes).
    let exclusive = !params.faulty && w.replicas.iter().any(|s| s.busy && s.exclusive);
    let idle: Vec<usize> = (0..w.replicas.len())
        .filter(|&r| {
            let s = &w.replicas[r];
            !s.dead && !s.busy && s.budget > 0 && !exclusive
        })
        .collect();
    if eligible.is_empty() && idle.is_empty() {
        let running = w.replicas.iter().any(|s| !s.dead && s.busy);
        let paused = w
            .replicas
            .iter()
            .any(|s| !s.dead && s.paused_until.is_some());
        if !running && !paused && w.pending.is_empty() {
            return Next::Done;
        }
        // Someone waits on a timer (a lock poll, a pause): let time pass.
        return Next::Sleep(20);
    }
    let faulty = params.faulty;
    let quiet = w.pending.is_empty();
    let live: Vec<usize> = (0..w.replicas.len())
        .filter(|&r| !w.replicas[r].dead)
        .collect();
    // Weighted choice of the next move.
    let moves: [(u64, u8); 9] = [
        (if eligible.is_empty() { 0 } else { 60 }, 0),
        (if idle.is_empty() { 0 } else { 14 }, 1),
        (if faulty || quiet { 5 } else { 0 }, 2),
        (if faulty || quiet { 4 } else { 0 }, 3),
        (
            if faulty && live.len() > 1 && *kills < 2 {
                1
            } else {
                0
            },
            4,
        ),
        (if faulty && !live.is_empty() { 1 } else { 0 }, 5),
        (if faulty { 1 } else { 0 }, 6),
        (if faulty { 2 } else { 0 }, 7),
        (if faulty { 1 } else { 0 }, 8),
    ];
    let total: u64 = moves.iter().map(|m| m.0).sum();
    let mut pick = w.rng.below(total);
    let mut chosen = 0;
    for (weight, id) in moves {
        if pick < weight {
            chosen = id;
            break;
        }
        pick -= weight;
    }
    match chosen {
        0 => {
            let i = eligible[w.rng.index(eligible.len())];
            let fate = if faulty && w.rng.chance(120) {
                match (w.pending[i].op.is_storage(), w.rng.below(3)) {
                    (_, 0) => Fate::Fail,
                    (true, 1) if matches!(w.pending[i].op, Op::Load) => Fate::Fail,
                    (false, 1) => Fate::Dropped,
                    _ => Fate::AppliedLost,
                }
            } else {
                Fate::Normal
            };
            w.complete(i, fate);
            Next::Continue
        }
        1 => {
            let r = idle[w.rng.index(idle.len())];
            let mut action = next_action(w, r);
            let others_busy = w.replicas.iter().any(|s| !s.dead && s.busy);
            let user_act = matches!(action, Action::Login | Action::Logout)
                || (action == Action::RestoreOrLogin && w.replicas[r].started);
            if !faulty && user_act && others_busy {
                action = Action::Count;
            }
            w.replicas[r].exclusive = !faulty && user_act && !others_busy;
            w.replicas[r].budget -= 1;
            w.replicas[r].busy = true;
            w.replicas[r].started = true;
            if action == Action::Logout {
                w.replicas[r].logouts_started += 1;
                w.replicas[r].logout_from = Some(w.plugin.access.len());
            }
            w.log(format!("r{r} starts {action:?}"));
            Next::Start(r, action)
        }
        2 => {
            let ms = w.rng.between(20, 400);
            w.log(format!("time +{ms} ms"));
            Next::Sleep(ms)
        }
        3 => {
            // Across the refresh point of the current tokens (or a lease, when faulty).
            let lease_ms = params.lease.as_millis() as u64;
            let ms = if faulty && w.rng.chance(500) {
                lease_ms + w.rng.between(100, 1500)
            } else {
                w.rng.between(60, 400) * 1000
            };
            w.log(format!("time +{ms} ms"));
            Next::Sleep(ms)
        }
        4 => {
            let r = live[w.rng.index(live.len())];
            *kills += 1;
            w.kill(r);
            Next::Kill(r, w.rng.chance(700))
        }
        5 => {
            let r = live[w.rng.index(live.len())];
            let ms = params.lease.as_millis() as u64 + w.rng.between(100, 3000);
            let until = now + ms;
            w.replicas[r].paused_until = Some(until);
            w.stats.faults += 1;
            w.log(format!("r{r} PAUSED for {ms} ms"));
            Next::Continue
        }
        6 => {
            let ms = w.rng.between(100, 3000);
            w.store_down_until = now + ms;
            w.stats.faults += 1;
            w.log(format!("session store UNREACHABLE for {ms} ms"));
            Next::Continue
        }
        8 => {
            if w.rotate_key_step() {
                w.stats.faults += 1;
            }
            Next::Continue
        }
        _ => {
            // A slow answer: time passes while calls are pending.
            let ms = w.rng.between(200, 1500);
            w.log(format!("time +{ms} ms (slow answers)"));
            Next::Sleep(ms)
        }
    }
}

/// Lets every task run until all of them wait (on a parked call or a timer).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

fn next_action(w: &mut World, r: usize) -> Action {
    if !w.replicas[r].started {
        return Action::RestoreOrLogin;
    }
    let faulty = w.params.faulty;
    let table: [(u64, Action); 6] = [
        (55, Action::Count),
        (12, Action::Restore),
        (if faulty { 10 } else { 0 }, Action::RefreshNow),
        (4, Action::Logout),
        (3, Action::Login),
        (6, Action::RestoreOrLogin),
    ];
    let total: u64 = table.iter().map(|t| t.0).sum();
    let mut pick = w.rng.below(total);
    for (weight, action) in table {
        if pick < weight {
            return action;
        }
        pick -= weight;
    }
    Action::Count
}

fn spawn_replica(world: &Arc<Mutex<World>>, handles: &mut Vec<Handle>, clock: SimClock) {
    let (r, params, budget) = {
        let mut w = lock_world(world);
        let budget = w.rng.between(4, 10) as u32;
        let (opens_k2, seals_k2) = w.key_config_now();
        w.replicas.push(crate::world::ReplicaState {
            budget,
            opens_k2,
            seals_k2,
            ..Default::default()
        });
        (w.replicas.len() - 1, w.params.clone(), budget)
    };
    let built = CoCartClient::builder("http://shop.sim")
        .allow_insecure_http(true)
        .timeout(params.timeout)
        .refresh_leeway(Duration::from_secs(params.leeway as u64))
        .refresh_cooldown(Duration::from_millis(500))
        .retry_base_delay(Duration::from_millis(50))
        .clock(clock)
        .session_store(SimStore {
            world: Arc::clone(world),
            replica: r,
        })
        .session_lock(SimLock {
            world: Arc::clone(world),
            replica: r,
        })
        .lock_lease(params.lease)
        .transport(Arc::new(SimTransport {
            world: Arc::clone(world),
            replica: r,
        }))
        .build();
    let client = match built {
        Ok(c) => c,
        Err(e) => {
            let mut w = lock_world(world);
            w.violation(format!("r{r}: the client did not build: {e}"));
            w.replicas[r].dead = true;
            handles.push(Handle {
                client: None,
                tasks: Vec::new(),
            });
            return;
        }
    };
    lock_world(world).log(format!("r{r} up (script of {budget} actions)"));
    let mut events = client.subscribe();
    let w2 = Arc::clone(world);
    let listener = tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let mut w = lock_world(&w2);
            match &event {
                AuthEvent::InitialSession { .. } => continue,
                // A login replaces an unsaved logout: its tombstone is never written after it.
                AuthEvent::SignedIn { .. } => {
                    w.replicas[r].logout_from = None;
                    w.log(format!("r{r} event SignedIn"));
                }
                AuthEvent::TokenRefreshed { saved } => {
                    w.log(format!("r{r} event TokenRefreshed {{ saved: {saved} }}"));
                    w.on_token_refreshed(r, *saved);
                }
                AuthEvent::SignedOut { reason } => {
                    let reason = format!("{reason:?}");
                    w.log(format!("r{r} event SignedOut({reason})"));
                    w.on_signed_out(r, &reason);
                }
                other => {
                    let line = format!("r{r} event {other:?}");
                    w.log(line);
                }
            }
        }
    });
    handles.push(Handle {
        client: Some(client),
        tasks: vec![listener],
    });
}

async fn run_action(world: Arc<Mutex<World>>, client: CoCartClient, r: usize, action: Action) {
    let password = SecretString::from(PASSWORD.to_string());
    let result: Result<String, cocart::Error> = match action {
        Action::RestoreOrLogin => client
            .restore_or_login(USERNAME, &password)
            .await
            .map(|u| format!("user {}", u.id)),
        Action::Login => client
            .login_secret(USERNAME, &password)
            .await
            .map(|u| format!("user {}", u.id)),
        Action::Count => client.cart().count().await.map(|n| format!("count {n}")),
        Action::RefreshNow => client.refresh_now().await.map(|()| "refreshed".into()),
        Action::Restore => client
            .restore_session()
            .await
            .map(|u| format!("user {:?}", u.map(|u| u.id))),
        Action::Logout => client
            .logout()
            .await
            .map(|o| format!("server confirmed: {}", o.server_confirmed)),
    };
    let mut w = lock_world(&world);
    if w.replicas[r].dead {
        return;
    }
    w.replicas[r].busy = false;
    // A logout whose tombstone could not be saved stays the user's act until the replica
    // writes it (at its next store read) or logs in again.
    match result {
        Ok(what) => w.log(format!("r{r} {action:?} -> {what}")),
        Err(e) => {
            let line = format!("r{r} {action:?} -> error {e:?}");
            w.log(line);
            let ended_by_logout = matches!(
                &e,
                cocart::Error::SessionExpired { reason }
                    if matches!(reason, SignOutReason::LoggedOut | SignOutReason::SignedOutElsewhere)
            ) && w.tombstones > 0;
            let benign = matches!(e, cocart::Error::NotSignedIn) || ended_by_logout;
            if !w.params.faulty && !benign && !w.sweeping {
                w.violation(format!(
                    "I4: r{r} {action:?} failed in a fault-free schedule: {e}"
                ));
            }
        }
    }
}

/// The end: faults stop, pauses end, leases lapse, every call completes; then each live replica
/// reads the store (`restore_session`) and the final invariants are checked.
async fn sweep(world: &Arc<Mutex<World>>, handles: &mut [Handle]) {
    {
        let mut w = lock_world(world);
        w.sweeping = true;
        w.store_down_until = 0;
        for s in &mut w.replicas {
            s.paused_until = None;
        }
        w.log("sweep: faults off");
    }
    drain(world).await;
    let lease = lock_world(world).params.lease;
    tokio::time::sleep(lease * 2).await;
    drain(world).await;
    let live: Vec<usize> = {
        let w = lock_world(world);
        (0..w.replicas.len())
            .filter(|&r| !w.replicas[r].dead)
            .collect()
    };
    // Two rounds: the first lets every replica write what it could not save before (its next
    // store read does that), the second reads what they all wrote.
    let mut restored = Vec::new();
    for &r in live.iter().chain(live.iter()) {
        let Some(client) = handles[r].client.clone() else {
            continue;
        };
        let w2 = Arc::clone(world);
        let task = tokio::spawn(async move {
            let result = client.restore_session().await;
            let mut w = lock_world(&w2);
            w.log(format!(
                "r{r} sweep restore -> {:?}",
                result.as_ref().map(|u| u.as_ref().map(|u| u.id))
            ));
            result.is_ok()
        });
        drain(world).await;
        if let Ok(true) = task.await
            && !restored.contains(&r)
        {
            restored.push(r);
        }
    }
    let mut w = lock_world(world);
    let stored = crate::world::now_load(&w.store);
    let stored_access = stored
        .as_ref()
        .and_then(|s| s.access_token.as_ref())
        .and_then(|a| w.plugin.access_of(a.expose_secret()));
    w.log(format!("sweep: store holds access #{stored_access:?}"));
    for r in restored {
        let Some(client) = handles[r].client.as_ref() else {
            continue;
        };
        let held = client
            .token_claims()
            .and_then(|c| c.pat)
            .and_then(|pat| w.plugin.access_of_pat(&pat));
        let signed_in = client.is_signed_in();
        // I5: replicas that read the store agree with it.
        if held != stored_access || (signed_in != stored_access.is_some()) {
            w.violation(format!(
                "I5: after quiescence r{r} holds access #{held:?} (signed in: {signed_in}), the store access #{stored_access:?}"
            ));
        }
        // I3: nobody ends signed in on a pair issued before the last logout.
        // (A replica that holds what the store holds is judged by the store's check, I3 at
        // save time: a login's own save may land after a logout it raced.)
        if let (Some(floor), Some(held)) = (w.logout_floor, held)
            && held < floor
            && Some(held) != stored_access
        {
            w.violation(format!(
                "I3: r{r} is still signed in on access #{held}, issued before the logout (first after: #{floor})"
            ));
        }
    }
}

/// Completes every pending call in order, without faults, until all replicas are idle.
async fn drain(world: &Arc<Mutex<World>>) {
    for _ in 0..2_000 {
        settle().await;
        let running = {
            let mut w = lock_world(world);
            w.prune();
            if w.pending.is_empty() {
                Some(w.replicas.iter().any(|s| !s.dead && s.busy))
            } else {
                w.complete(0, Fate::Normal);
                None
            }
        };
        let Some(running) = running else {
            continue;
        };
        if !running {
            // Let spawned tasks finish their last step.
            settle().await;
            if lock_world(world).pending.is_empty() {
                return;
            }
            continue;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    lock_world(world).violation("liveness: the sweep did not settle");
}

/// I6: no secret in any log line, trace line, event or error.
fn check_secrets(outcome: &mut Outcome, secrets: &[String], logs: &str) {
    for secret in secrets {
        if logs.contains(secret.as_str()) {
            outcome.violations.push(format!(
                "I6: a secret ({}…) appears in the SDK's log output",
                &secret[..4]
            ));
        }
        if outcome
            .trace
            .iter()
            .any(|line| line.contains(secret.as_str()))
        {
            outcome.violations.push(format!(
                "I6: a secret ({}…) appears in an event or error (trace)",
                &secret[..4]
            ));
        }
    }
}

/// Collects the SDK's log output of one schedule.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
