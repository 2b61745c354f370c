"""Times, inside one Python process, Popen of the binary against cocart_mock.start(), each up to the
answer of the first GET /wp-json/cocart/v2/cart; arms alternate. Prints JSON."""
import json
import subprocess
import sys
import time
import urllib.request

import cocart_mock

PATH = "/wp-json/cocart/v2/cart"
rounds, binary = int(sys.argv[1]), sys.argv[2]


def get(url):
    with urllib.request.urlopen(url + PATH, timeout=30) as r:
        r.read()
        assert r.status == 200


def direct():
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    get(p.stdout.readline().decode().strip().removeprefix("cocart-mock listening on "))
    ms = (time.perf_counter() - t0) * 1000
    p.terminate()
    p.wait(10)
    p.stdout.close()
    return ms


def launcher():
    t0 = time.perf_counter()
    mock = cocart_mock.start()
    get(mock.url)
    ms = (time.perf_counter() - t0) * 1000
    mock.stop()
    return ms


out = {"direct": [], "launcher": []}
for r in range(rounds + 1):
    arms = [("launcher", launcher), ("direct", direct)] if r % 2 else [("direct", direct), ("launcher", launcher)]
    for name, f in arms:
        ms = f()
        if r > 0:
            out[name].append(ms)
print(json.dumps(out))
