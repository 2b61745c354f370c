"""cocart-mock: start the cocart-mock binary from Python tests and drive its /__mock/ controls.

    mock = cocart_mock.start(access_ttl=60, users=["alice:alice-pw"])
    mock.url             # http://127.0.0.1:PORT
    mock.advance_clock(61)
    mock.journal()
    mock.stop()

The pytest plugin (installed with the package) gives the fixtures ``cocart_mock`` (one mock per
test, profile from ``@pytest.mark.cocart_mock(...)``) and ``cocart_mock_session`` (one per session).
"""

import atexit
import json
import os
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

__all__ = ["CocartMock", "MockError", "binary_path", "args_for", "start"]

_running = set()


def binary_path():
    """The cocart-mock binary: COCART_MOCK_BINARY, else the one this wheel carries."""
    env = os.environ.get("COCART_MOCK_BINARY")
    if env:
        return env
    exe = Path(__file__).parent / "bin" / ("cocart-mock.exe" if os.name == "nt" else "cocart-mock")
    if not exe.is_file():
        raise RuntimeError(f"this cocart-mock wheel carries no binary at {exe}")
    return str(exe)


def args_for(plugin=None, host_profile=None, environment=None, access_ttl=None, refresh_ttl=None,
             seed=None, users=(), secret=None, no_secret=False, rate_limit=False, args=()):
    """The binary's flags for a profile."""
    out = ["--port", "0", "--exit-on-stdin-eof"]
    for flag, value in (("--plugin", plugin), ("--host-profile", host_profile),
                        ("--environment", environment), ("--access-ttl", access_ttl),
                        ("--refresh-ttl", refresh_ttl), ("--seed", seed), ("--secret", secret)):
        if value is not None:
            out += [flag, str(value)]
    if no_secret:
        out.append("--no-secret")
    if rate_limit:
        out.append("--rate-limit")
    for u in users:
        out += ["--user", u if isinstance(u, str) else f"{u['username']}:{u['password']}"]
    out += [str(a) for a in args]
    return out


class MockError(Exception):
    """A control answered with an error status."""

    def __init__(self, message, status, body):
        super().__init__(message)
        self.status = status
        self.body = body


class CocartMock:
    """A running cocart-mock process."""

    def __init__(self, process, url):
        self._process = process
        self.url = url
        #: The mock's console, a web page that shows each user's token lineage.
        self.console_url = f"{url}/__mock/ui"
        self.pid = process.pid

    def _control(self, method, route, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/__mock/{route}", data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read().decode()
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            try:
                value = json.loads(text)
            except ValueError:
                value = text
            msg = value.get("message", text) if isinstance(value, dict) else text
            raise MockError(f"{method} /__mock/{route}: {e.code} {msg}", e.code, value) from None
        return json.loads(text) if text else None

    def reset(self):
        """Back to the seeded state (users, sessions, carts, config, journal, faults, clock)."""
        return self._control("POST", "reset")

    def now(self):
        """The virtual clock, Unix seconds."""
        return self._control("GET", "clock")["now"]

    def advance_clock(self, seconds):
        """Moves the virtual clock forward; returns the new time."""
        return self._control("POST", "clock", {"advance": seconds})["now"]

    def set_clock(self, unix_seconds):
        """Sets the virtual clock; returns the new time."""
        return self._control("POST", "clock", {"set": unix_seconds})["now"]

    def add_user(self, username, email, password, **names):
        """Adds a customer (first_name=, last_name=); returns its id."""
        return self._control("POST", "users", {"username": username, "email": email,
                                               "password": password, **names})["id"]

    def users(self):
        """The customers (no passwords)."""
        return self._control("GET", "users")

    def update_user(self, user_id, password=None, email=None):
        """Changes a customer's password and/or email (revokes their tokens)."""
        patch = {k: v for k, v in (("password", password), ("email", email)) if v is not None}
        return self._control("PATCH", f"users/{urllib.parse.quote(str(user_id))}", patch)

    def delete_user(self, user_id):
        """Deletes a customer (and their tokens)."""
        return self._control("DELETE", f"users/{urllib.parse.quote(str(user_id))}")

    def journal(self):
        """Every store request so far, in arrival order."""
        return self._control("GET", "journal")

    def clear_journal(self):
        """Empties the journal."""
        self._control("DELETE", "journal")

    def configure(self, **patch):
        """Changes the runtime configuration (plugin=, host_profile=, access_ttl=, …)."""
        return self._control("PUT", "config", patch)

    def config(self):
        """The runtime configuration, secret redacted."""
        return self._control("GET", "config")

    def add_fault(self, path, kind, **spec):
        """A fault for the next requests to a route (status=, ms=, times=)."""
        return self._control("POST", "faults", {"path": path, "kind": kind, **spec})

    def faults(self):
        """The pending faults with their remaining counts."""
        return self._control("GET", "faults")

    def clear_faults(self):
        """Cancels every pending fault."""
        self._control("DELETE", "faults")

    def stop(self):
        """Stops the mock and waits for the process to end."""
        p = self._process
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for stream in (p.stdin, p.stdout, p.stderr):
            if stream is not None:
                stream.close()
        _running.discard(p)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start(binary=None, start_timeout=10.0, **profile):
    """Starts a mock on a free port of 127.0.0.1 and waits until it serves.

    Profile keywords: plugin, host_profile, environment, access_ttl, refresh_ttl, seed, users,
    secret, no_secret, rate_limit, args. The process stops with stop(), at interpreter exit, and
    when this process is killed (its stdin pipe closes).
    """
    cmd = [binary or binary_path(), *args_for(**profile)]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    _running.add(p)
    first = []
    reader = threading.Thread(target=lambda: first.append(p.stdout.readline()), daemon=True)
    reader.start()
    reader.join(start_timeout)
    line = first[0].decode().strip() if first else ""
    prefix = "cocart-mock listening on "
    if not line.startswith(prefix):
        p.kill()
        p.wait()
        _running.discard(p)
        err = p.stderr.read().decode().strip() if not reader.is_alive() else ""
        raise RuntimeError(f"cocart-mock did not start (first line {line!r}): {err}")
    # The rest of stdout (and stderr) is drained so the mock never blocks on a full pipe.
    for stream in (p.stdout, p.stderr):
        threading.Thread(target=stream.read, daemon=True).start()
    return CocartMock(p, line[len(prefix):])


@atexit.register
def _stop_all():
    for p in list(_running):
        if p.poll() is None:
            p.kill()
