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

/// The TLS files of a server started with [`RedisServer::start_tls`] (PEM files it reads).
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

fn binary() -> String {
    std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into())
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
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
