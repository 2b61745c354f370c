//! Throwaway `redis-server` processes for tests (feature `testing`; not an API).
//!
//! The binary is `redis-server` from `PATH`, or the path in `REDIS_SERVER`. A test that needs
//! Redis fails with a clear message when neither exists: it is never skipped.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` on a free loopback port, without persistence, stopped when dropped.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    tls: Option<ServerTls>,
}

/// The TLS files of a server started with [`RedisServer::start_tls`], or of every node of a
/// cluster started with `RedisCluster::start_tls` (PEM files it reads).
#[derive(Debug, Clone)]
pub struct ServerTls {
    /// The server's certificate (`tls-cert-file`).
    pub cert_file: PathBuf,
    /// Its private key (`tls-key-file`).
    pub key_file: PathBuf,
    /// The CA that client certificates must chain to (`tls-ca-cert-file`).
    pub ca_file: PathBuf,
    /// `tls-auth-clients yes` (mutual TLS) or `no`.
    pub auth_clients: bool,
}

/// A throwaway PKI made with the `openssl` CLI in a temporary directory (removed when dropped),
/// for TLS servers and clusters: a CA (`ca.crt`, `ca.key`); a server certificate for the IP
/// 127.0.0.1 only (`server.crt`, `server.key`), usable as a client certificate too (a cluster
/// node presents it to the others on the cluster bus and for replication when clients must
/// authenticate); a client certificate of that CA (`client.crt`, `client.key`); and a second
/// CA (`other-ca.crt`) with a client certificate of its own (`stranger.crt`, `stranger.key`)
/// that the servers do not know. Nothing is stored in the repository.
#[derive(Debug)]
pub struct TestPki {
    dir: PathBuf,
}

impl TestPki {
    /// Makes the CAs and certificates (elliptic-curve keys, valid two days). Fails with a clear
    /// message when `openssl` cannot run.
    pub fn new(test: &str) -> io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("cocart-redis-pki-{}", unique_namespace(test)));
        std::fs::create_dir_all(&dir)?;
        let pki = Self { dir };
        pki.ca("ca")?;
        pki.ca("other-ca")?;
        pki.leaf(
            "server",
            "ca",
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
        )?;
        pki.leaf("client", "ca", "extendedKeyUsage=clientAuth\n")?;
        pki.leaf("stranger", "other-ca", "extendedKeyUsage=clientAuth\n")?;
        Ok(pki)
    }

    fn openssl(&self, args: &[&str]) -> io::Result<()> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&self.dir)
            .output()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot run `openssl` ({e}): install Debian's openssl package"),
                )
            })?;
        if out.status.success() {
            Ok(())
        } else {
            Err(other(format!(
                "openssl {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )))
        }
    }

    fn ca(&self, name: &str) -> io::Result<()> {
        self.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
            "-days",
            "2",
            "-subj",
            &format!("/CN=cocart test {name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    fn leaf(&self, name: &str, ca: &str, extensions: &str) -> io::Result<()> {
        let ext = format!("{name}.ext");
        std::fs::write(
            self.dir.join(&ext),
            format!(
                "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n{extensions}"
            ),
        )?;
        self.openssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={name}"),
        ])?;
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.crt"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-out",
            &format!("{name}.crt"),
            "-days",
            "2",
            "-extfile",
            &ext,
        ])
    }

    /// The path of one of its files (`ca.crt`, `server.key`…).
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// The content of one of its files.
    pub fn read(&self, file: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.path(file))
    }

    /// The files of a server (or of every node of a cluster) with the server certificate, whose
    /// clients must present a certificate of the CA when `auth_clients`.
    pub fn server_tls(&self, auth_clients: bool) -> ServerTls {
        ServerTls {
            cert_file: self.path("server.crt"),
            key_file: self.path("server.key"),
            ca_file: self.path("ca.crt"),
            auth_clients,
        }
    }
}

impl Drop for TestPki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn binary() -> String {
    std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into())
}

/// Ports this process's clusters hold or are about to bind (each node's port and its cluster
/// bus port), which a free-port probe would still see as free for a moment.
static RESERVED: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());

fn reserved(port: u16) -> bool {
    RESERVED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains(&port)
}

fn free_port() -> io::Result<u16> {
    for _ in 0..100 {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        if !reserved(port) {
            return Ok(port);
        }
    }
    Err(io::Error::other("no free port found"))
}

impl RedisServer {
    /// Starts a server and waits until it accepts connections.
    pub fn start() -> io::Result<Self> {
        Self::start_with(None)
    }

    /// Starts a server that speaks TLS only (`port 0`, `tls-port`), and waits until its port
    /// accepts TCP connections. [`RedisServer::url`] is then `rediss://`.
    pub fn start_tls(tls: ServerTls) -> io::Result<Self> {
        Self::start_with(Some(tls))
    }

    fn start_with(tls: Option<ServerTls>) -> io::Result<Self> {
        let port = free_port()?;
        let dir = std::env::temp_dir().join(format!("cocart-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut server = Self {
            child: None,
            port,
            dir,
            tls,
        };
        server.spawn()?;
        Ok(server)
    }

    fn spawn(&mut self) -> io::Result<()> {
        let port = self.port.to_string();
        let mut command = Command::new(binary());
        match &self.tls {
            None => command.args(["--port", &port]),
            Some(tls) => command
                .args(["--port", "0", "--tls-port", &port])
                .arg("--tls-cert-file")
                .arg(&tls.cert_file)
                .arg("--tls-key-file")
                .arg(&tls.key_file)
                .arg("--tls-ca-cert-file")
                .arg(&tls.ca_file)
                .args([
                    "--tls-auth-clients",
                    if tls.auth_clients { "yes" } else { "no" },
                ]),
        };
        let child = command
            .args(["--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "yes"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot start `{}` ({e}): install Debian's redis-server or set REDIS_SERVER",
                        binary()
                    ),
                )
            })?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                return Err(io::Error::other(format!(
                    "redis-server exited at start ({status}): check its arguments"
                )));
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "redis-server did not start within 10 s",
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// `redis://127.0.0.1:PORT/`, or `rediss://127.0.0.1:PORT/` for a TLS server.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://127.0.0.1:{}/", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server at once (SIGKILL): everything in it is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) -> io::Result<()> {
        self.kill();
        self.spawn()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The Redis a test should use: the one in `COCART_TEST_REDIS_URL` (CI starts one), or a fresh
/// server of its own.
#[derive(Debug)]
pub enum TestRedis {
    /// A server somebody else runs.
    External(String),
    /// A server this test started; stopped when dropped.
    Own(RedisServer),
}

impl TestRedis {
    /// `COCART_TEST_REDIS_URL`, or a fresh [`RedisServer`].
    pub fn get() -> io::Result<Self> {
        match std::env::var("COCART_TEST_REDIS_URL") {
            Ok(url) if !url.is_empty() => Ok(Self::External(url)),
            _ => RedisServer::start().map(Self::Own),
        }
    }

    /// Its URL.
    pub fn url(&self) -> String {
        match self {
            Self::External(url) => url.clone(),
            Self::Own(server) => server.url(),
        }
    }
}

/// The server's `total_commands_processed` (`INFO stats`), to count what a piece of code sent.
/// The `INFO` call itself counts as one command.
pub async fn commands_processed(
    conn: &mut redis::aio::MultiplexedConnection,
) -> redis::RedisResult<u64> {
    let info: String = redis::cmd("INFO").arg("stats").query_async(conn).await?;
    info.lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            redis::RedisError::from((
                redis::ErrorKind::Parse,
                "no total_commands_processed in INFO stats",
            ))
        })
}

/// A namespace no other test uses, for isolation on a shared server.
pub fn unique_namespace(test: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "t-{test}-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The key-name secret the tests share across their processes (a fixed test value, never for
/// production).
pub fn key_name_secret() -> crate::KeyNameSecret {
    crate::KeyNameSecret::from_bytes(*b"cocart-tests-key-name-secret-32b")
}

/// A local Redis Cluster of three primaries with one replica each (Debian's `redis-server`,
/// `redis-cli --cluster create`), without persistence, on free loopback ports whose cluster bus
/// ports (port + 10000) are free too; every node is stopped when dropped. Node timeout 1 s, so
/// a killed primary's replica takes over within about three seconds.
///
/// `RedisCluster::start_tls` (feature `tls`) starts one that speaks TLS only, to its clients,
/// on the cluster bus and for replication; its own connections (every helper here, and
/// `redis-cli`) then speak TLS too.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<ClusterNode>,
    dir: PathBuf,
    /// The TLS files of every node, for a TLS-only cluster.
    tls: Option<ServerTls>,
    /// What the helpers' own connections present to a TLS-only cluster.
    #[cfg(feature = "tls")]
    admin: Option<AdminTls>,
}

/// The CA a helper's connection trusts, and the certificate it presents when the nodes require
/// one (the nodes' own, which may serve as a client certificate: see [`TestPki`]).
#[cfg(feature = "tls")]
#[derive(Clone)]
struct AdminTls {
    certificates: redis::TlsCertificates,
}

#[cfg(feature = "tls")]
impl std::fmt::Debug for AdminTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A test key, but a key all the same: not printed.
        f.debug_struct("AdminTls")
            .field(
                "client_certificate",
                &self.certificates.client_tls.is_some(),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "tls")]
impl AdminTls {
    fn new(tls: &ServerTls) -> io::Result<Self> {
        let client_tls = if tls.auth_clients {
            Some(redis::ClientTlsConfig {
                client_cert: std::fs::read(&tls.cert_file)?,
                client_key: std::fs::read(&tls.key_file)?,
            })
        } else {
            None
        };
        Ok(Self {
            certificates: redis::TlsCertificates {
                client_tls,
                root_cert: Some(std::fs::read(&tls.ca_file)?),
            },
        })
    }
}

#[derive(Debug)]
struct ClusterNode {
    port: u16,
    child: Option<Child>,
}

/// One line of `CLUSTER NODES`, the parts the tests need.
#[derive(Debug, Clone)]
struct NodeLine {
    id: String,
    port: u16,
    primary: bool,
    failed: bool,
    /// The node id of its primary, for a replica.
    primary_id: Option<String>,
    /// Slot ranges it serves, inclusive.
    slots: Vec<(u16, u16)>,
}

const CLUSTER_SIZE: usize = 6;
const NODE_TIMEOUT_MS: u64 = 1000;

fn other(message: impl Into<String>) -> io::Error {
    io::Error::other(message.into())
}

fn redis_err(e: redis::RedisError) -> io::Error {
    other(format!("redis: {e}"))
}

/// A free port below 55536 whose port + 10000 is free too (the cluster bus), both reserved for
/// this process's clusters until [`release`].
fn free_cluster_port() -> io::Result<u16> {
    for _ in 0..200 {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        if port > 55535 {
            continue;
        }
        let bus_free = TcpListener::bind(("127.0.0.1", port + 10000)).is_ok();
        let mut reserved = RESERVED.lock().unwrap_or_else(|p| p.into_inner());
        if bus_free && !reserved.contains(&port) && !reserved.contains(&(port + 10000)) {
            reserved.extend([port, port + 10000]);
            return Ok(port);
        }
    }
    Err(other("no free port pair (port, port + 10000) found"))
}

fn release(ports: &[u16]) {
    RESERVED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|p| !ports.contains(p) && !ports.contains(&p.wrapping_sub(10000)));
}

fn parse_nodes(text: &str) -> Vec<NodeLine> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 8 {
                return None;
            }
            let port = fields[1]
                .split('@')
                .next()?
                .rsplit(':')
                .next()?
                .parse()
                .ok()?;
            let flags = fields[2];
            let slots = fields[8..]
                .iter()
                .filter(|s| !s.starts_with('['))
                .filter_map(|s| match s.split_once('-') {
                    Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
                    None => s.parse().ok().map(|n| (n, n)),
                })
                .collect();
            Some(NodeLine {
                id: fields[0].to_string(),
                port,
                primary: flags.contains("master"),
                failed: flags.contains("fail") || flags.contains("noaddr"),
                primary_id: (fields[3] != "-").then(|| fields[3].to_string()),
                slots,
            })
        })
        .collect()
}

impl RedisCluster {
    /// Starts six nodes, makes them a cluster (three primaries, one replica each) and waits
    /// until every node reports `cluster_state:ok` and every replica is in sync. A node that
    /// cannot bind its ports (another process took one meanwhile) makes it start over on other
    /// ports, up to three times.
    pub fn start() -> io::Result<Self> {
        Self::start_with(None)
    }

    /// Starts a cluster as [`RedisCluster::start`] does, whose nodes speak TLS only (`port 0`,
    /// `tls-port`, `tls-cluster yes`, `tls-replication yes`) with the files of `tls`; with
    /// `auth_clients`, every client must present a certificate of its CA (the nodes present
    /// their own to each other). [`RedisCluster::urls`] are then `rediss://`.
    #[cfg(feature = "tls")]
    pub fn start_tls(tls: &ServerTls) -> io::Result<Self> {
        Self::start_with(Some(tls))
    }

    fn start_with(tls: Option<&ServerTls>) -> io::Result<Self> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Self::start_once(tls) {
                Err(e) if attempt < 3 && e.kind() == io::ErrorKind::AddrInUse => continue,
                other => return other,
            }
        }
    }

    fn start_once(tls: Option<&ServerTls>) -> io::Result<Self> {
        let dir = std::env::temp_dir().join(format!(
            "cocart-redis-cluster-{}-{}",
            std::process::id(),
            unique_namespace("c")
        ));
        std::fs::create_dir_all(&dir)?;
        let mut ports = Vec::new();
        for _ in 0..CLUSTER_SIZE {
            match free_cluster_port() {
                Ok(port) => ports.push(port),
                Err(e) => {
                    release(&ports);
                    return Err(e);
                }
            }
        }
        let mut cluster = Self {
            nodes: ports
                .iter()
                .map(|&port| ClusterNode { port, child: None })
                .collect(),
            dir,
            tls: tls.cloned(),
            #[cfg(feature = "tls")]
            admin: tls.map(AdminTls::new).transpose()?,
        };
        for i in 0..CLUSTER_SIZE {
            cluster.spawn(i)?;
        }
        let cli = std::env::var("REDIS_CLI").unwrap_or_else(|_| "redis-cli".into());
        let mut create = Command::new(&cli);
        if let Some(tls) = tls {
            create.arg("--tls").arg("--cacert").arg(&tls.ca_file);
            if tls.auth_clients {
                create
                    .arg("--cert")
                    .arg(&tls.cert_file)
                    .arg("--key")
                    .arg(&tls.key_file);
            }
        }
        let created = create
            .arg("--cluster")
            .arg("create")
            .args(ports.iter().map(|p| format!("127.0.0.1:{p}")))
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot run `{cli}` ({e}): install Debian's redis-tools or set REDIS_CLI"
                    ),
                )
            })?;
        if !created.status.success() {
            return Err(other(format!(
                "redis-cli --cluster create failed: {}",
                String::from_utf8_lossy(&created.stderr)
            )));
        }
        cluster.wait_until_healthy(Duration::from_secs(20))?;
        Ok(cluster)
    }

    fn spawn(&mut self, i: usize) -> io::Result<()> {
        let port = self.nodes[i].port;
        let mut command = Command::new(binary());
        match &self.tls {
            None => command.args(["--port", &port.to_string()]),
            Some(tls) => command
                .args(["--port", "0", "--tls-port", &port.to_string()])
                .args(["--tls-cluster", "yes", "--tls-replication", "yes"])
                .arg("--tls-cert-file")
                .arg(&tls.cert_file)
                .arg("--tls-key-file")
                .arg(&tls.key_file)
                .arg("--tls-ca-cert-file")
                .arg(&tls.ca_file)
                .args([
                    "--tls-auth-clients",
                    if tls.auth_clients { "yes" } else { "no" },
                ]),
        };
        let child = command
            .args(["--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes"])
            .args(["--cluster-config-file", &format!("nodes-{port}.conf")])
            .args(["--cluster-node-timeout", &NODE_TIMEOUT_MS.to_string()])
            // A replica may always take over, however long it was cut off.
            .args(["--cluster-replica-validity-factor", "0"])
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "yes"])
            .args(["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot start `{}` ({e}): install Debian's redis-server or set REDIS_SERVER",
                        binary()
                    ),
                )
            })?;
        self.nodes[i].child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = self.nodes[i]
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if let Some(status) = exited {
                self.nodes[i].child = None;
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!("redis-server on {port} exited at start ({status}): port taken?"),
                ));
            }
            if Instant::now() > deadline {
                return Err(other(format!(
                    "redis-server on {port} did not start within 10 s"
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// `redis://127.0.0.1:PORT/` of every node (the cluster client's initial nodes), or
    /// `rediss://127.0.0.1:PORT/` for a TLS-only cluster.
    pub fn urls(&self) -> Vec<String> {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        self.nodes
            .iter()
            .map(|n| format!("{scheme}://127.0.0.1:{}/", n.port))
            .collect()
    }

    /// The ports of the nodes that run.
    pub fn ports(&self) -> Vec<u16> {
        self.nodes
            .iter()
            .filter(|n| n.child.is_some())
            .map(|n| n.port)
            .collect()
    }

    /// A client of the node at `port`: TLS with the cluster's CA (and the nodes' certificate
    /// when they require one) for a TLS-only cluster.
    fn node_client(&self, port: u16) -> io::Result<redis::Client> {
        #[cfg(feature = "tls")]
        if let Some(admin) = &self.admin {
            crate::tls::ensure_crypto_provider();
            return redis::Client::build_with_tls(
                format!("rediss://127.0.0.1:{port}/"),
                admin.certificates.clone(),
            )
            .map_err(redis_err);
        }
        redis::Client::open(format!("redis://127.0.0.1:{port}/")).map_err(redis_err)
    }

    /// Runs one command on the node at `port` (a direct connection, over TLS for a TLS-only
    /// cluster: no redirection).
    pub fn query<T: redis::FromRedisValue>(&self, port: u16, cmd: &redis::Cmd) -> io::Result<T> {
        let client = self.node_client(port)?;
        let mut conn = client
            .get_connection_with_timeout(Duration::from_secs(2))
            .map_err(redis_err)?;
        cmd.query(&mut conn).map_err(redis_err)
    }

    fn cluster_nodes(&self) -> io::Result<Vec<NodeLine>> {
        let mut last = other("no node runs");
        for port in self.ports() {
            match self.query::<String>(port, redis::cmd("CLUSTER").arg("NODES")) {
                Ok(text) => return Ok(parse_nodes(&text)),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The slot of `key` (`CLUSTER KEYSLOT`, answered by the cluster itself).
    pub fn keyslot(&self, key: &str) -> io::Result<u16> {
        let port = self
            .ports()
            .first()
            .copied()
            .ok_or_else(|| other("no node runs"))?;
        self.query(port, redis::cmd("CLUSTER").arg("KEYSLOT").arg(key))
    }

    /// The port of the primary that serves `slot`, as the running nodes see it.
    pub fn primary_of_slot(&self, slot: u16) -> io::Result<u16> {
        self.cluster_nodes()?
            .into_iter()
            .find(|n| {
                n.primary && !n.failed && n.slots.iter().any(|&(a, b)| a <= slot && slot <= b)
            })
            .map(|n| n.port)
            .ok_or_else(|| other(format!("no primary serves slot {slot}")))
    }

    /// The port of a replica of the primary at `primary`.
    pub fn replica_of(&self, primary: u16) -> io::Result<u16> {
        let nodes = self.cluster_nodes()?;
        let id = nodes
            .iter()
            .find(|n| n.port == primary)
            .map(|n| n.id.clone())
            .ok_or_else(|| other(format!("no node on {primary}")))?;
        nodes
            .iter()
            .find(|n| !n.failed && n.primary_id.as_deref() == Some(id.as_str()))
            .map(|n| n.port)
            .ok_or_else(|| other(format!("the primary on {primary} has no replica")))
    }

    /// A primary other than `port`.
    pub fn other_primary(&self, port: u16) -> io::Result<u16> {
        self.cluster_nodes()?
            .into_iter()
            .find(|n| n.primary && !n.failed && n.port != port && !n.slots.is_empty())
            .map(|n| n.port)
            .ok_or_else(|| other("no other primary"))
    }

    fn node_id(&self, port: u16) -> io::Result<String> {
        self.query(port, redis::cmd("CLUSTER").arg("MYID"))
    }

    /// Kills the node at `port` at once (SIGKILL).
    pub fn kill(&mut self, port: u16) {
        if let Some(node) = self.nodes.iter_mut().find(|n| n.port == port)
            && let Some(mut child) = node.child.take()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes the node at `port` (SIGSTOP): it reads nothing, answers nothing, until
    /// [`RedisCluster::resume`].
    pub fn pause(&self, port: u16) -> io::Result<()> {
        self.signal(port, "-STOP")
    }

    /// Lets a paused node run again (SIGCONT).
    pub fn resume(&self, port: u16) -> io::Result<()> {
        self.signal(port, "-CONT")
    }

    fn signal(&self, port: u16, signal: &str) -> io::Result<()> {
        let pid = self
            .nodes
            .iter()
            .find(|n| n.port == port)
            .and_then(|n| n.child.as_ref())
            .map(Child::id)
            .ok_or_else(|| other(format!("no running node on {port}")))?;
        let status = Command::new("kill")
            .arg(signal)
            .arg(pid.to_string())
            .status()?;
        if status.success() {
            Ok(())
        } else {
            Err(other(format!("kill {signal} {pid} failed")))
        }
    }

    /// Waits until the node at `port` serves `slot` as a primary and the cluster is `ok` (after
    /// its primary was killed, for instance).
    pub fn wait_for_failover_to(&self, slot: u16, port: u16) -> io::Result<()> {
        self.wait_for_primary(slot, port, Duration::from_secs(15))
    }

    /// Kills the primary of `slot` (SIGKILL) and waits until its replica serves the slot and
    /// the cluster is `ok` again; the new primary's port.
    pub fn kill_primary_and_wait_for_failover(&mut self, slot: u16) -> io::Result<u16> {
        let primary = self.primary_of_slot(slot)?;
        let replica = self.replica_of(primary)?;
        self.kill(primary);
        self.wait_for_primary(slot, replica, Duration::from_secs(15))?;
        Ok(replica)
    }

    /// `CLUSTER FAILOVER` on the replica of the primary of `slot` (a coordinated hand-over:
    /// nothing is lost); waits until it serves the slot. The new primary's port.
    pub fn failover(&self, slot: u16) -> io::Result<u16> {
        let primary = self.primary_of_slot(slot)?;
        let replica = self.replica_of(primary)?;
        // A manual failover the primary does not join in time is dropped by Redis after 5 s
        // (for instance when the replica rejoined a moment ago): asked again then.
        let mut last = other("no attempt");
        for _ in 0..3 {
            let _: String = self.query(replica, redis::cmd("CLUSTER").arg("FAILOVER"))?;
            match self.wait_for_primary(slot, replica, Duration::from_secs(6)) {
                Ok(()) => return Ok(replica),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn wait_for_primary(&self, slot: u16, port: u16, limit: Duration) -> io::Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            let serves = self.ports().iter().all(|&p| {
                self.query::<String>(p, redis::cmd("CLUSTER").arg("NODES"))
                    .map(|text| {
                        parse_nodes(&text).iter().any(|n| {
                            n.port == port
                                && n.primary
                                && n.slots.iter().any(|&(a, b)| a <= slot && slot <= b)
                        })
                    })
                    .unwrap_or(false)
            });
            if serves && self.all_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(other(format!(
                    "the node on {port} did not take slot {slot} over within {limit:?}"
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts a killed node again (same port, same cluster config file, no data): it rejoins
    /// as a replica of whoever took its slots over. Waits until every replica is in sync.
    pub fn restart(&mut self, port: u16) -> io::Result<()> {
        let i = self
            .nodes
            .iter()
            .position(|n| n.port == port)
            .ok_or_else(|| other(format!("no node on {port}")))?;
        self.kill(port);
        self.spawn(i)?;
        self.wait_until_healthy(Duration::from_secs(20))
    }

    fn all_ok(&self) -> bool {
        self.ports().iter().all(|&p| {
            self.query::<String>(p, redis::cmd("CLUSTER").arg("INFO"))
                .map(|info| info.contains("cluster_state:ok"))
                .unwrap_or(false)
        })
    }

    /// Every running node `ok`, and every running replica's link to its primary up.
    fn wait_until_healthy(&self, limit: Duration) -> io::Result<()> {
        let deadline = Instant::now() + limit;
        loop {
            // Three primaries; every other running node a replica whose link is up and synced.
            let ports = self.ports();
            let in_sync = ports
                .iter()
                .filter(|&&p| {
                    self.query::<String>(p, redis::cmd("INFO").arg("replication"))
                        .map(|info| {
                            info.contains("role:slave")
                                && info.contains("master_link_status:up")
                                && info.contains("master_sync_in_progress:0")
                        })
                        .unwrap_or(false)
                })
                .count();
            // As the primaries see them: online (a replica's own view goes up before that).
            let online: usize = ports
                .iter()
                .map(|&p| {
                    self.query::<String>(p, redis::cmd("INFO").arg("replication"))
                        .map(|info| info.matches("state=online").count())
                        .unwrap_or(0)
                })
                .sum();
            let replicas_up = in_sync == ports.len().saturating_sub(3) && online == in_sync;
            let replicas_known = self
                .cluster_nodes()
                .map(|nodes| nodes.iter().filter(|n| !n.failed && !n.primary).count() == in_sync)
                .unwrap_or(false);
            if self.all_ok() && replicas_up && replicas_known {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(other(format!(
                    "the cluster was not healthy within {limit:?}"
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Step 1 of moving `slot` from the primary at `from` to the one at `to`: `to` imports it,
    /// `from` migrates it. Meanwhile a key still on `from` is served there and a missing one
    /// answers `ASK` towards `to`.
    pub fn begin_slot_migration(&self, slot: u16, from: u16, to: u16) -> io::Result<()> {
        let from_id = self.node_id(from)?;
        let to_id = self.node_id(to)?;
        let _: String = self.query(
            to,
            redis::cmd("CLUSTER")
                .arg("SETSLOT")
                .arg(slot)
                .arg("IMPORTING")
                .arg(&from_id),
        )?;
        let _: String = self.query(
            from,
            redis::cmd("CLUSTER")
                .arg("SETSLOT")
                .arg(slot)
                .arg("MIGRATING")
                .arg(&to_id),
        )?;
        Ok(())
    }

    /// Step 2: moves the given keys of the slot from `from` to `to` (`MIGRATE … KEYS`).
    pub fn migrate_keys(&self, from: u16, to: u16, keys: &[&str]) -> io::Result<()> {
        let mut cmd = redis::cmd("MIGRATE");
        cmd.arg("127.0.0.1")
            .arg(to)
            .arg("")
            .arg(0)
            .arg(5000)
            .arg("KEYS");
        for key in keys {
            cmd.arg(*key);
        }
        let _: String = self.query(from, &cmd)?;
        Ok(())
    }

    /// Step 3: the slot belongs to `to`, on every primary (`SETSLOT NODE`); `from` answers
    /// `MOVED` from then on.
    pub fn finish_slot_migration(&self, slot: u16, from: u16, to: u16) -> io::Result<()> {
        let to_id = self.node_id(to)?;
        for port in [to, from] {
            let _: String = self.query(
                port,
                redis::cmd("CLUSTER")
                    .arg("SETSLOT")
                    .arg(slot)
                    .arg("NODE")
                    .arg(&to_id),
            )?;
        }
        Ok(())
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(mut child) = node.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        release(&self.nodes.iter().map(|n| n.port).collect::<Vec<_>>());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
