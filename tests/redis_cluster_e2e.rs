//! One customer's session shared through a real local **Redis Cluster** (three primaries, one
//! replica each) by several OS processes of the `replica` example, against one real
//! `cocart-mock`, judged from the mock's journal: a storm across a token expiry makes one
//! refresh; the primary holding the customer's slot killed (SIGKILL) or handed over
//! (`CLUSTER FAILOVER`) while that refresh is in flight signs nobody out and spends no refresh
//! token twice.

mod support;

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use cocart_mock::{FaultSpec, MockServer};
use cocart_redis::RedisSessions;
use cocart_redis::testing::{RedisCluster, unique_namespace};
use serde_json::Value;
use support::*;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

/// The namespace the `replica` example uses by default.
const NAMESPACE: &str = "cocart-scenarios";
/// How long a test waits for one answer of a replica.
const ANSWER_WAIT: Duration = Duration::from_secs(30);
/// Processes in a storm, and reads each fires at once.
const PROCESSES: usize = 4;
const READS: usize = 5;

/// One `replica` process driven over stdin, with everything it printed.
struct Replica {
    name: String,
    _child: Child,
    stdin: ChildStdin,
    lines: mpsc::UnboundedReceiver<String>,
    answers: HashMap<String, Value>,
    events: Vec<Value>,
    stderr: Vec<String>,
    next: u64,
}

impl Replica {
    async fn start(name: String, store_url: &str, nodes: &str, key: &str) -> Self {
        static BINARY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
        let binary = BINARY.get_or_init(|| example_binary("replica"));
        let mut child = Command::new(binary)
            .args(["--store-url", store_url])
            .args(["--session-redis-cluster", nodes, "--session-key", key])
            // Lease 6 s; Redis commands may take 4 s (a replica has 1 s to confirm a write,
            // which a loaded machine needs), so a failover (2 to 3 s) fits in both.
            .args(["--lock-lease-ms", "6000", "--timeout-ms", "3000"])
            .args(["--redis-timeout-ms", "4000"])
            .args(["--refresh-cooldown-ms", "200"])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the replica example");
        let stdin = child.stdin.take().expect("piped stdin");
        let lines = output_lines(&mut child);
        let mut replica = Self {
            name,
            _child: child,
            stdin,
            lines,
            answers: HashMap::new(),
            events: Vec::new(),
            stderr: Vec::new(),
            next: 0,
        };
        let deadline = tokio::time::Instant::now() + ANSWER_WAIT;
        loop {
            let line = replica.line_before(deadline).await;
            if line.starts_with("{\"ready\"") {
                return replica;
            }
            replica.absorb(line);
        }
    }

    async fn line_before(&mut self, deadline: tokio::time::Instant) -> String {
        match tokio::time::timeout_at(deadline, self.lines.recv()).await {
            Ok(Some(line)) => line,
            Ok(None) => panic!("replica {} exited; stderr: {:?}", self.name, self.stderr),
            Err(_) => panic!(
                "replica {} did not answer in time; events {:?}, stderr {:?}",
                self.name, self.events, self.stderr
            ),
        }
    }

    fn absorb(&mut self, line: String) {
        if let Some(log) = line.strip_prefix("stderr: ") {
            self.stderr.push(log.to_string());
            return;
        }
        let Ok(value) = serde_json::from_str::<Value>(&line) else {
            self.stderr.push(format!("(stdout) {line}"));
            return;
        };
        if value.get("event").is_some() {
            self.events.push(value);
        } else if let Some(id) = value.get("id").and_then(Value::as_str) {
            self.answers.insert(id.to_string(), value);
        }
    }

    async fn send(&mut self, command: &str) -> String {
        self.next += 1;
        let id = format!("{}-{}", self.name, self.next);
        self.stdin
            .write_all(format!("{id} {command}\n").as_bytes())
            .await
            .expect("write to the replica");
        self.stdin.flush().await.expect("flush");
        id
    }

    async fn answer(&mut self, id: &str) -> Value {
        let deadline = tokio::time::Instant::now() + ANSWER_WAIT;
        loop {
            if let Some(answer) = self.answers.remove(id) {
                return answer;
            }
            let line = self.line_before(deadline).await;
            self.absorb(line);
        }
    }

    async fn ok(&mut self, command: &str) -> Value {
        let id = self.send(command).await;
        let answer = self.answer(&id).await;
        assert_eq!(
            answer["ok"], true,
            "replica {}: `{command}` failed: {answer}; stderr {:?}",
            self.name, self.stderr
        );
        answer["value"].clone()
    }

    async fn pat(&mut self) -> Option<String> {
        self.ok("state").await["pat"].as_str().map(str::to_string)
    }

    fn sign_outs(&self) -> Vec<&Value> {
        self.events
            .iter()
            .filter(|e| e["event"] == "SignedOut")
            .collect()
    }
}

struct World {
    server: MockServer,
    cluster: RedisCluster,
    key: String,
    replicas: Vec<Replica>,
}

impl World {
    /// A cluster, a mock whose tokens live an hour, and `PROCESSES` replicas of one signed-in
    /// customer (one login, the others restore it).
    async fn new(test: &str) -> Self {
        let server = MockServer::builder()
            .access_ttl(3600)
            .start()
            .await
            .expect("mock");
        let started = Instant::now();
        let cluster = tokio::task::block_in_place(RedisCluster::start).expect("a Redis Cluster");
        eprintln!("cluster up in {:?}", started.elapsed());
        let key = unique_namespace(test);
        let nodes = cluster.urls().join(",");
        let mut replicas = Vec::new();
        for i in 0..PROCESSES {
            replicas.push(Replica::start(format!("p{i}"), server.base_url(), &nodes, &key).await);
        }
        replicas[0].ok(&format!("login {USER} {PASSWORD}")).await;
        for r in &mut replicas[1..] {
            assert_eq!(r.ok("restore").await, 1, "the shared session is restored");
        }
        Self {
            server,
            cluster,
            key,
            replicas,
        }
    }

    fn statuses(&self, path: &str) -> Vec<u16> {
        journal_for(&self.server, path)
            .iter()
            .map(|e| e.status)
            .collect()
    }

    /// The slot of the customer's keys, as the cluster computes it.
    async fn slot(&self) -> u16 {
        let sessions = RedisSessions::cluster_builder(self.cluster.urls())
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .namespace(NAMESPACE)
            .connect_lazily()
            .expect("sessions");
        let key = sessions.store(&self.key).key_name().to_string();
        tokio::task::block_in_place(|| self.cluster.keyslot(&key)).expect("keyslot")
    }

    /// Every replica fires `READS` cart reads at once; their ids.
    async fn storm(&mut self) -> Vec<(usize, String)> {
        let mut ids = Vec::new();
        for _ in 0..READS {
            for (i, r) in self.replicas.iter_mut().enumerate() {
                ids.push((i, r.send("cart").await));
            }
        }
        ids
    }

    async fn answers(&mut self, ids: Vec<(usize, String)>) -> Vec<Value> {
        let mut answers = Vec::new();
        for (i, id) in ids {
            answers.push(self.replicas[i].answer(&id).await);
        }
        answers
    }

    /// Waits until the journal shows a refresh in flight (status 0).
    async fn refresh_in_flight(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.statuses(REFRESH_PATH).contains(&0) {
            assert!(Instant::now() < deadline, "no refresh in flight");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// After the storm: every replica reads again, nobody was signed out, all hold the one
    /// rotated token, and the journal shows one login and exactly one refresh, answered 200
    /// (a refresh token presented twice would be refused).
    async fn assert_one_rotation_and_nobody_signed_out(&mut self, pat_before: &str) {
        for r in &mut self.replicas {
            r.ok("cart").await;
        }
        let mut pats = Vec::new();
        for r in &mut self.replicas {
            pats.push(r.pat().await.expect("a token"));
        }
        for r in &self.replicas {
            assert!(
                r.sign_outs().is_empty(),
                "replica {} was signed out: {:?}; stderr {:?}",
                r.name,
                r.sign_outs(),
                r.stderr
            );
        }
        assert!(pats.iter().all(|p| *p == pats[0]), "{pats:?}");
        assert_ne!(pats[0], pat_before, "the pair was rotated");
        assert_eq!(
            self.statuses("/wp-json/cocart/v2/login"),
            vec![200],
            "one login"
        );
        assert_eq!(
            self.statuses(REFRESH_PATH),
            vec![200],
            "one refresh, never refused: no refresh token presented twice"
        );
    }
}

fn failed(answers: &[Value]) -> Vec<&Value> {
    answers.iter().filter(|a| a["ok"] != true).collect()
}

/// `PROCESSES` processes fire `READS` reads each right after the store's clock passed the
/// token's expiry: one refresh between them all, every read served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_processes_across_an_expiry_makes_one_refresh_through_the_cluster() {
    let started = Instant::now();
    let mut world = World::new("cluster-storm").await;
    let pat = world.replicas[0].pat().await.expect("a token");
    world.server.advance_clock(3700);
    let ids = world.storm().await;
    let answers = world.answers(ids).await;
    assert!(failed(&answers).is_empty(), "{:?}", failed(&answers));
    world.assert_one_rotation_and_nobody_signed_out(&pat).await;
    let reads = world.statuses(CART_PATH);
    assert!(
        reads.contains(&403),
        "the storm did meet the expiry: {reads:?}"
    );
    eprintln!("storm test took {:?}", started.elapsed());
}

/// How the primary of the customer's slot goes away while the refresh is in flight.
#[derive(Clone, Copy, Debug)]
enum Loss {
    /// SIGKILL; its replica takes over; it comes back as a replica (so writes are confirmed
    /// again).
    Kill,
    /// `CLUSTER FAILOVER` on its replica: a coordinated hand-over.
    ManualFailover,
}

async fn storm_through_a_failover(loss: Loss) {
    let started = Instant::now();
    let mut world = World::new(&format!("cluster-{loss:?}")).await;
    let pat = world.replicas[0].pat().await.expect("a token");
    let slot = world.slot().await;
    // The refresh hangs 1.5 s in the store: the primary goes away meanwhile, so the holder's
    // save of the rotated pair meets the failover.
    world
        .server
        .add_fault(FaultSpec::delay(REFRESH_PATH, 1500, 1))
        .expect("fault");
    world.server.advance_clock(3700);
    let ids = world.storm().await;
    world.refresh_in_flight().await;
    let lost = Instant::now();
    let cluster = &mut world.cluster;
    tokio::task::block_in_place(|| -> std::io::Result<()> {
        match loss {
            Loss::Kill => {
                let old = cluster.primary_of_slot(slot)?;
                cluster.kill_primary_and_wait_for_failover(slot)?;
                eprintln!("failover after SIGKILL: {:?}", lost.elapsed());
                cluster.restart(old)?;
                eprintln!("old primary back as a replica: {:?}", lost.elapsed());
            }
            Loss::ManualFailover => {
                cluster.failover(slot)?;
                eprintln!("CLUSTER FAILOVER: {:?}", lost.elapsed());
            }
        }
        Ok(())
    })
    .expect("the failover");
    let answers = world.answers(ids).await;
    // Reads that met the failover may fail as transient errors; none may end the session.
    for a in failed(&answers) {
        assert!(
            a["error"] != "SessionExpired" && a["error"] != "SignedOut",
            "a read ended the session: {a}"
        );
    }
    let kinds: Vec<String> = failed(&answers)
        .iter()
        .map(|a| format!("{} {}", a["error"], a["message"]))
        .collect();
    eprintln!(
        "{loss:?}: {} of {} reads failed transiently: {kinds:?}",
        kinds.len(),
        answers.len()
    );
    world.assert_one_rotation_and_nobody_signed_out(&pat).await;
    eprintln!("{loss:?} test took {:?}", started.elapsed());
}

/// The primary holding the customer's slot is killed (SIGKILL) while the refresh is in flight:
/// no sign-out, no refresh token presented twice, one refresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_primary_killed_mid_refresh_costs_no_sign_out_and_no_second_refresh() {
    storm_through_a_failover(Loss::Kill).await;
}

/// The same with a coordinated `CLUSTER FAILOVER`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_failover_mid_refresh_costs_no_sign_out_and_no_second_refresh() {
    storm_through_a_failover(Loss::ManualFailover).await;
}
