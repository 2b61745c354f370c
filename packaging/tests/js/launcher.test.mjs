// The launcher as a process manager: start with a profile, stop, no process left when the test
// runner is SIGKILLed, `npx cocart-mock` with the binary's own flags.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { start, argsFor } from "cocart-mock";

const serves = async (url) => {
  try {
    return (await fetch(`${url}/__mock/clock`)).status === 200;
  } catch {
    return false;
  }
};
const waitFor = async (what, f, ms = 10000) => {
  const t0 = Date.now();
  while (!(await f())) {
    if (Date.now() - t0 > ms) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("a profile reaches the binary as its flags", async () => {
  const mock = await start({
    plugin: "v2",
    hostProfile: "strip-authorization",
    environment: "development",
    accessTtl: 60,
    refreshTtl: 600,
    users: ["alice:alice-pw", { username: "bob", password: "bob-pw" }],
  });
  try {
    const c = await mock.config();
    assert.equal(c.plugin, "v2");
    assert.equal(c.host_profile, "strip-authorization");
    assert.equal(c.environment, "development");
    assert.equal(c.access_ttl, 60);
    assert.equal(c.refresh_ttl, 600);
    assert.deepEqual((await mock.users()).map((u) => u.username), ["alice", "bob"]);
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    // The console's address, and the page is there.
    assert.equal(mock.consoleUrl, `${mock.url}/__mock/ui`);
    const page = await fetch(mock.consoleUrl);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type"), /^text\/html/);
  } finally {
    await mock.stop();
  }
});

test("seed, noSecret, rateLimit and extra args reach the binary; secret too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cocart-mock-seed-"));
  const seed = join(dir, "seed.json");
  writeFileSync(seed, JSON.stringify({ users: [{ username: "sam", email: "sam@example.com", password: "sam-pw" }] }));
  const a = await start({ seed, noSecret: true, rateLimit: true, args: ["--environment", "staging"] });
  const b = await start({ secret: "s3cret" });
  try {
    assert.deepEqual((await a.users()).map((u) => u.username), ["sam"]);
    const c = await a.config();
    assert.equal(c.secret, null);
    assert.equal(c.rate_limit, true);
    assert.equal(c.environment, "staging");
    assert.equal((await b.config()).secret, "[redacted]");
  } finally {
    await a.stop();
    await b.stop();
    rmSync(dir, { recursive: true });
  }
});

test("the binary is started with --port 0 --exit-on-stdin-eof", () => {
  assert.deepEqual(argsFor({}).slice(0, 3), ["--port", "0", "--exit-on-stdin-eof"]);
});

test("stop() ends the process", async () => {
  const mock = await start();
  assert.ok(alive(mock.pid));
  await mock.stop();
  assert.equal(alive(mock.pid), false);
  assert.equal(await serves(mock.url), false);
});

test("a bad profile is refused with the binary's message", async () => {
  await assert.rejects(start({ plugin: "v9" }), /exited .*v9/s);
});

test("a SIGKILLed test runner leaves no mock behind", async () => {
  const runner = spawn(
    process.execPath,
    ["--input-type=module", "-e", `import { start } from "cocart-mock";
       const m = await start(); console.log(m.url); setInterval(() => {}, 1000);`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise((resolve) => createInterface({ input: runner.stdout }).once("line", resolve));
  assert.ok(await serves(url));
  runner.kill("SIGKILL");
  await waitFor("the mock to stop after its runner was SIGKILLed", async () => !(await serves(url)));
});

test("a runner that exits without stop() leaves no mock behind", async () => {
  const out = execFileSync(process.execPath, [
    "--input-type=module",
    "-e",
    `import { start } from "cocart-mock"; const m = await start(); console.log(m.url);`,
  ]).toString();
  const url = out.trim();
  await waitFor("the mock to stop after its runner exited", async () => !(await serves(url)));
});

test("npx cocart-mock passes the binary's flags", () => {
  const version = execFileSync("npx", ["--no-install", "cocart-mock", "--version"]).toString();
  assert.match(version, /^cocart-mock \d+\.\d+\.\d+/);
  const help = execFileSync("npx", ["--no-install", "cocart-mock", "--help"]).toString();
  assert.match(help, /--exit-on-stdin-eof/);
});

test("the cocart-mock bin serves with the given flags and stops on SIGTERM", async () => {
  // The bin npx runs, started directly: npx itself does not pass SIGTERM on to it.
  const p = spawn("node_modules/.bin/cocart-mock", ["--port", "0", "--user", "zoe:zoe-pw"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const first = await new Promise((resolve) => createInterface({ input: p.stdout }).once("line", resolve));
  const url = first.replace("cocart-mock listening on ", "");
  const users = await (await fetch(`${url}/__mock/users`)).json();
  assert.deepEqual(users.map((u) => u.username), ["zoe"]);
  p.kill("SIGTERM");
  await waitFor("the bin to stop", async () => !(await serves(url)));
  await new Promise((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once("exit", resolve)));
});
