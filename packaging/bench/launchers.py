#!/usr/bin/env python3
"""Launcher start-up, side by side: the time from "start" to the first answered request.

Usage: launchers.py ROUNDS BINARY PACKAGES_DIR JS_PROJECT VENV OUT_MARKDOWN

Two groups of arms, each measured ROUNDS times with the arms interleaved (round r runs every arm
once, in an order rotated by r), so background load hits all arms alike:

- command line: a process is started (the binary itself, `npx cocart-mock`, the venv's
  `cocart-mock` console command) with `--port 0`; the clock runs from just before the spawn
  until the answer to `GET /wp-json/cocart/v2/cart` on the address of its first stdout line has
  been read (this harness reads the line and sends the request). Then it is stopped (SIGTERM) and
  waited for, outside the timed span.
- API, in the test runner's own process: a Node child times `spawn(binary)` + first line +
  `fetch` against the launcher's `start()` + `fetch`; a Python child times `Popen(binary)` + first
  line + `urllib` against `cocart_mock.start()` + `urllib`. The runtime's own start-up is not
  counted there (a test runner is already running).

A new arm is one more entry in CLI_ARMS, or one more API child (e.g. a JVM program printing
{"direct": [ms...], "launcher": [ms...]}), added to API_CHILDREN.
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = "/wp-json/cocart/v2/cart"


def first_answer(cmd, env=None):
    t0 = time.perf_counter()
    # Its own process group: npx does not pass SIGTERM on to the bin it runs, so the whole group
    # is stopped.
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                         start_new_session=True)
    line = p.stdout.readline().decode().strip()
    url = line.removeprefix("cocart-mock listening on ")
    with urllib.request.urlopen(url + PATH, timeout=30) as r:
        r.read()
        assert r.status == 200
    ms = (time.perf_counter() - t0) * 1000
    os.killpg(p.pid, signal.SIGTERM)
    p.wait(10)
    p.stdout.close()
    # Every process of the group has ended (the mock included) before the next arm starts.
    deadline = time.monotonic() + 10
    while True:
        try:
            os.killpg(p.pid, 0)
        except ProcessLookupError:
            break
        if time.monotonic() > deadline:
            os.killpg(p.pid, signal.SIGKILL)
            raise SystemExit(f"{cmd[0]}: processes left 10 s after SIGTERM")
        time.sleep(0.01)
    return ms


def summary(xs):
    xs = sorted(xs)
    return statistics.median(xs), xs[int(0.9 * (len(xs) - 1))]


def main():
    rounds, (binary, packages, js_project, venv, out) = int(sys.argv[1]), sys.argv[2:7]
    env = dict(os.environ)
    env.pop("COCART_MOCK_BINARY", None)
    cli_arms = [
        ("binary, started directly", [binary, "--port", "0"]),
        ("`npx cocart-mock` (npm launcher's bin)",
         ["npx", "--no-install", "--prefix", js_project, "cocart-mock", "--port", "0"]),
        ("`node_modules/.bin/cocart-mock` (the same bin without npx)",
         [os.path.join(js_project, "node_modules", ".bin", "cocart-mock"), "--port", "0"]),
        ("`cocart-mock` console command (wheel)", [os.path.join(venv, "bin", "cocart-mock"), "--port", "0"]),
    ]
    results = {name: [] for name, _ in cli_arms}
    for r in range(rounds + 1):
        order = cli_arms[r % len(cli_arms):] + cli_arms[:r % len(cli_arms)]
        for name, cmd in order:
            ms = first_answer(cmd, env)
            if r > 0:  # round 0 warms the page cache
                results[name].append(ms)

    # The Node child imports "cocart-mock", which resolves from the script's own folder: it runs
    # from inside the consumer project.
    shutil.copy(os.path.join(HERE, "api_node.mjs"), js_project)
    api_children = [
        ("Node: `spawn` the binary", "Node: `start()` (npm launcher)",
         ["node", os.path.join(js_project, "api_node.mjs"), str(rounds), binary], js_project),
        ("Python: `Popen` the binary", "Python: `cocart_mock.start()` (wheel)",
         [os.path.join(venv, "bin", "python"), os.path.join(HERE, "api_python.py"), str(rounds), binary], None),
    ]
    # The JVM child: packaging/jvm/bench-start.sh on the packaged jar (it needs the jar built around
    # this binary and kotlin-stdlib in the local Maven repository, both left by package-mock.sh).
    jars = [f for f in os.listdir(packages) if f.startswith("cocart-mock-junit-") and f.endswith(".jar")]
    if jars:
        api_children.append(
            ("JVM: `ProcessBuilder` the binary", "JVM: `CoCartMock.start()` (JUnit artifact)",
             ["bash", os.path.join(HERE, "..", "jvm", "bench-start.sh"), "--json",
              os.path.join(packages, jars[0]), binary, str(rounds)], None))
    api = []
    for direct_name, launcher_name, cmd, cwd in api_children:
        data = json.loads(subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True,
                                         text=True).stdout)
        api.append((direct_name, launcher_name, data["direct"], data["launcher"]))

    size = os.path.getsize(binary)
    lines = [
        "## Launchers: binary size and start to first answered request", "",
        f"The release binary (`cargo build --release -p cocart-mock`, Cargo's default release profile: "
        f"symbol table kept, not stripped): **{size / 1e6:.2f} MB** ({size} bytes). Packages that carry it:", "",
        "| package | size |", "| --- | --- |",
    ]
    for f in sorted(os.listdir(packages)):
        p = os.path.join(packages, f)
        lines.append(f"| `{f}` | {os.path.getsize(p) / 1e6:.2f} MB |")
    lines += [
        "", f"Method (`packaging/bench/launchers.py`, {rounds} rounds after one warm-up round, arms "
        "interleaved in a rotating order): the time from the start call to the answer of the first "
        f"`GET {PATH}`. Command line: from the spawn of the process, so it includes the runtime's "
        "start-up (Node for `npx`, Python for the console command). API: inside an already running "
        "Node, Python or JVM process, from the call that starts the mock.", "",
        "| how it is started | median | p90 | median / binary started directly |",
        "| --- | --- | --- | --- |",
    ]
    base = summary(results[cli_arms[0][0]])[0]
    for name, _ in cli_arms:
        med, p90 = summary(results[name])
        lines.append(f"| command line: {name} | {med:.1f} ms | {p90:.1f} ms | {med / base:.2f}× |")
    for direct_name, launcher_name, direct, launcher in api:
        dm, dp = summary(direct)
        lm, lp = summary(launcher)
        lines.append(f"| API: {direct_name} | {dm:.1f} ms | {dp:.1f} ms | 1.00× (the base of the next row) |")
        lines.append(f"| API: {launcher_name} | {lm:.1f} ms | {lp:.1f} ms | {lm / dm:.2f}× |")
    lines.append("")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
