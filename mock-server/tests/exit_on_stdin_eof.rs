//! `--exit-on-stdin-eof`: the binary stops when the process holding its stdin pipe closes it or
//! dies, even by SIGKILL; without the flag it keeps serving.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cocart-mock");

/// Answers `GET /__mock/clock` with status 200 (the mock serves).
fn serves(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let req = "GET /__mock/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.starts_with("HTTP/1.1 200")
}

fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn port_of(line: &str) -> u16 {
    line.trim()
        .strip_prefix("cocart-mock listening on http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("not the listening line: {line:?}"))
}

/// Kills a process by pid (the mock left behind by the control case).
fn kill_pid(pid: u32) {
    let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
}

struct Reaped(Child);
impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn closing_stdin_stops_the_binary() {
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let port = port_of(&first);
    let mut child = Reaped(child);
    assert!(serves(port));
    // Bytes written to stdin are ignored: the mock keeps serving.
    let mut stdin = stdin;
    stdin.write_all(b"anything\n").unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(child.0.try_wait().unwrap().is_none(), "stopped on input");
    assert!(serves(port));
    drop(stdin);
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "still running 10 s after stdin closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    assert!(!serves(port));
}

/// A parent shell holds the write end of a FIFO that is the mock's stdin and is then SIGKILLed.
/// Returns the mock's port and pid.
fn mock_under_a_killed_parent(flag: &[&str], tag: &str) -> (u16, u32) {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("cocart-mock-eof-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("stdin");
    // The background mock reads the FIFO; the shell opens its write end (fd 3) afterwards, so
    // only the shell holds it, prints the mock's pid and waits.
    let script =
        r#"mkfifo "$1" && { "$0" --port 0 $2 < "$1" & } && exec 3>"$1" && echo "pid $!" && wait"#;
    let mut parent = Command::new("sh")
        .args(["-c", script, BIN, fifo.to_str().unwrap(), &flag.join(" ")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(parent.stdout.take().unwrap());
    let (mut port, mut pid) = (None, None);
    while port.is_none() || pid.is_none() {
        let mut line = String::new();
        assert_ne!(
            reader.read_line(&mut line).unwrap(),
            0,
            "parent ended early"
        );
        if let Some(p) = line.trim().strip_prefix("pid ") {
            pid = Some(p.parse::<u32>().unwrap());
        } else if line.starts_with("cocart-mock listening on ") {
            port = Some(port_of(&line));
        }
    }
    let (port, pid) = (port.unwrap(), pid.unwrap());
    assert!(serves(port));
    parent.kill().unwrap(); // SIGKILL: the shell cannot clean up
    parent.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (port, pid)
}

#[test]
fn a_sigkilled_parent_leaves_no_mock_behind() {
    let (port, pid) = mock_under_a_killed_parent(&["--exit-on-stdin-eof"], "flag");
    let start = Instant::now();
    while serves(port) {
        if start.elapsed() > Duration::from_secs(10) {
            kill_pid(pid);
            panic!("the mock still serves 10 s after its parent was killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn without_the_flag_the_mock_outlives_its_killed_parent() {
    let (port, pid) = mock_under_a_killed_parent(&[], "noflag");
    std::thread::sleep(Duration::from_millis(500));
    let alive = serves(port);
    kill_pid(pid);
    assert!(
        alive,
        "without --exit-on-stdin-eof the mock should keep serving"
    );
    wait_until("the leftover mock to stop", Duration::from_secs(10), || {
        !serves(port)
    });
}
