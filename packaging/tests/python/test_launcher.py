"""The launcher as a process manager: the marker's profile, stop, the session fixture, no process
left when the Python process is SIGKILLed, and the `cocart-mock` console command."""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import requests

import cocart_mock as cm


def serves(url):
    try:
        return requests.get(f"{url}/__mock/clock", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def wait_until_stopped(url, limit=10.0):
    t0 = time.monotonic()
    while serves(url):
        assert time.monotonic() - t0 < limit, f"{url} still serves after {limit} s"
        time.sleep(0.05)


@pytest.mark.cocart_mock(plugin="v2", host_profile="strip-authorization", environment="development",
                         access_ttl=60, refresh_ttl=600,
                         users=["alice:alice-pw", {"username": "bob", "password": "bob-pw"}])
def test_the_marker_sets_the_profile(cocart_mock):
    c = cocart_mock.config()
    assert (c["plugin"], c["host_profile"], c["environment"], c["access_ttl"], c["refresh_ttl"]) == \
        ("v2", "strip-authorization", "development", 60, 600)
    assert [u["username"] for u in cocart_mock.users()] == ["alice", "bob"]


def test_seed_no_secret_rate_limit_args_and_secret_reach_the_binary(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text('{"users":[{"username":"sam","email":"sam@example.com","password":"sam-pw"}]}')
    with cm.start(seed=str(seed), no_secret=True, rate_limit=True,
                  args=["--environment", "staging"]) as a, cm.start(secret="s3cret") as b:
        assert [u["username"] for u in a.users()] == ["sam"]
        c = a.config()
        assert (c["secret"], c["rate_limit"], c["environment"]) == (None, True, "staging")
        assert b.config()["secret"] == "[redacted]"


def test_without_a_marker_the_default_profile(cocart_mock):
    assert cocart_mock.config()["plugin"] == "v3"
    assert [u["username"] for u in cocart_mock.users()] == ["demo"]
    # The console's address, and the page is there.
    assert cocart_mock.console_url == f"{cocart_mock.url}/__mock/ui"
    page = requests.get(cocart_mock.console_url, timeout=5)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")


_session_urls = []


@pytest.mark.parametrize("run", [1, 2])
def test_the_session_fixture_is_one_mock(cocart_mock_session, run):
    _session_urls.append(cocart_mock_session.url)
    assert len(set(_session_urls)) == 1


_function_urls = []


@pytest.mark.parametrize("run", [1, 2])
def test_the_function_fixture_is_a_new_mock_per_test(cocart_mock, run):
    _function_urls.append(cocart_mock.url)
    assert len(set(_function_urls)) == run
    if run == 2:
        wait_until_stopped(_function_urls[0])


def test_stop_ends_the_process():
    mock = cm.start()
    assert serves(mock.url)
    mock.stop()
    assert mock._process.poll() is not None
    assert not serves(mock.url)


def test_a_bad_profile_is_refused_with_the_binarys_message():
    with pytest.raises(RuntimeError, match="v9"):
        cm.start(plugin="v9")


def test_a_sigkilled_python_process_leaves_no_mock_behind():
    code = "import cocart_mock, time; m = cocart_mock.start(); print(m.url, flush=True); time.sleep(600)"
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    url = p.stdout.readline().strip()
    assert serves(url)
    p.send_signal(signal.SIGKILL)
    p.wait()
    wait_until_stopped(url)


def test_an_interpreter_that_exits_without_stop_leaves_no_mock_behind():
    code = "import cocart_mock; print(cocart_mock.start().url)"
    url = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    wait_until_stopped(url)


def test_the_console_command_runs_the_binary():
    exe = shutil.which("cocart-mock", path=os.path.dirname(sys.executable))
    assert exe, "pip installed no cocart-mock command"
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("cocart-mock ")
    p = subprocess.Popen([exe, "--port", "0", "--user", "zoe:zoe-pw"], stdout=subprocess.PIPE,
                         text=True)
    try:
        url = p.stdout.readline().strip().removeprefix("cocart-mock listening on ")
        assert [u["username"] for u in requests.get(f"{url}/__mock/users").json()] == ["zoe"]
    finally:
        p.terminate()
        p.wait(10)
    wait_until_stopped(url)
