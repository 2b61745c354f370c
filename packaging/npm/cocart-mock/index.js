// cocart-mock: start the cocart-mock binary from JavaScript tests and drive its /__mock/ controls.
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");
const fs = require("node:fs");

const PLATFORM_PACKAGE = `cocart-mock-${process.platform}-${process.arch}`;

/** The path of the cocart-mock binary: COCART_MOCK_BINARY, else the platform package's. */
function binaryPath() {
  if (process.env.COCART_MOCK_BINARY) return process.env.COCART_MOCK_BINARY;
  let dir;
  try {
    dir = path.dirname(require.resolve(`${PLATFORM_PACKAGE}/package.json`));
  } catch {
    throw new Error(
      `no cocart-mock binary for ${process.platform}-${process.arch}: the optional package ` +
        `${PLATFORM_PACKAGE} is not installed (is this platform built? set COCART_MOCK_BINARY to a binary)`,
    );
  }
  const exe = path.join(dir, "bin", process.platform === "win32" ? "cocart-mock.exe" : "cocart-mock");
  if (!fs.existsSync(exe)) throw new Error(`${PLATFORM_PACKAGE} carries no binary at ${exe}`);
  return exe;
}

/** The binary's flags for a profile. */
function argsFor(profile = {}) {
  const args = ["--port", "0", "--exit-on-stdin-eof"];
  const flag = (name, v) => {
    if (v !== undefined && v !== null) args.push(name, String(v));
  };
  flag("--plugin", profile.plugin);
  flag("--host-profile", profile.hostProfile);
  flag("--environment", profile.environment);
  flag("--access-ttl", profile.accessTtl);
  flag("--refresh-ttl", profile.refreshTtl);
  flag("--seed", profile.seed);
  flag("--secret", profile.secret);
  if (profile.noSecret) args.push("--no-secret");
  if (profile.rateLimit) args.push("--rate-limit");
  for (const u of profile.users ?? []) {
    args.push("--user", typeof u === "string" ? u : `${u.username}:${u.password}`);
  }
  for (const a of profile.args ?? []) args.push(String(a));
  return args;
}

const running = new Set();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

class MockError extends Error {
  constructor(message, status, body) {
    super(message);
    this.name = "MockError";
    this.status = status;
    this.body = body;
  }
}

class CocartMock {
  constructor(child, url) {
    this._child = child;
    /** The store's base URL, `http://127.0.0.1:PORT` (also the JWT `iss`). */
    this.url = url;
    /** The mock's console, a web page that shows each user's token lineage: `${url}/__mock/ui`. */
    this.consoleUrl = `${url}/__mock/ui`;
    this.pid = child.pid;
  }

  async _control(method, route, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(`${this.url}/__mock/${route}`, init);
    const text = await res.text();
    let value;
    try {
      value = text === "" ? null : JSON.parse(text);
    } catch {
      value = text;
    }
    if (!res.ok) {
      const msg = value && value.message ? value.message : text;
      throw new MockError(`${method} /__mock/${route}: ${res.status} ${msg}`, res.status, value);
    }
    return value;
  }

  /** Back to the seeded state (users, sessions, carts, config, journal, faults, clock). */
  reset() { return this._control("POST", "reset"); }
  /** The virtual clock, Unix seconds. */
  async now() { return (await this._control("GET", "clock")).now; }
  /** Moves the virtual clock forward; answers the new time. */
  async advanceClock(seconds) { return (await this._control("POST", "clock", { advance: seconds })).now; }
  /** Sets the virtual clock; answers the new time. */
  async setClock(unixSeconds) { return (await this._control("POST", "clock", { set: unixSeconds })).now; }
  /** Adds a customer; answers its id. */
  async addUser(user) { return (await this._control("POST", "users", user)).id; }
  /** The customers (no passwords). */
  users() { return this._control("GET", "users"); }
  /** Changes a customer's password and/or email (revokes their tokens, as the plugin does). */
  updateUser(id, patch) { return this._control("PATCH", `users/${encodeURIComponent(id)}`, patch); }
  /** Deletes a customer (and their tokens). */
  deleteUser(id) { return this._control("DELETE", `users/${encodeURIComponent(id)}`); }
  /** Every store request so far, in arrival order. */
  journal() { return this._control("GET", "journal"); }
  /** Empties the journal. */
  async clearJournal() { await this._control("DELETE", "journal"); }
  /** Changes the runtime configuration (any subset); answers the result, secret redacted. */
  configure(patch) { return this._control("PUT", "config", patch); }
  /** The runtime configuration, secret redacted. */
  config() { return this._control("GET", "config"); }
  /** A fault for the next requests to a route. */
  addFault(fault) { return this._control("POST", "faults", fault); }
  /** The pending faults with their remaining counts. */
  faults() { return this._control("GET", "faults"); }
  /** Cancels every pending fault. */
  async clearFaults() { await this._control("DELETE", "faults"); }

  /** Stops the mock and waits for the process to end. */
  stop() {
    const child = this._child;
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      return Promise.resolve();
    }
    // The process was unref'd at start; waiting for its end must keep the event loop alive.
    child.ref();
    return new Promise((resolve) => {
      child.once("exit", () => {
        running.delete(child);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }
}

/**
 * Starts a mock (on a free port of 127.0.0.1) and waits until it serves. The process stops with
 * `stop()`, when this process exits, and when this process is killed (its stdin pipe closes).
 */
function start(profile = {}) {
  const bin = profile.binary ?? binaryPath();
  const timeoutMs = profile.startTimeoutMs ?? 10000;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, argsFor(profile), { stdio: ["pipe", "pipe", "pipe"] });
    running.add(child);
    let out = "";
    let err = "";
    let done = false;
    const fail = (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      running.delete(child);
      child.kill("SIGKILL");
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new Error(`cocart-mock did not print its address within ${timeoutMs} ms: ${err.trim()}`)),
      timeoutMs,
    );
    child.on("error", (e) => fail(new Error(`cannot run ${bin}: ${e.message}`)));
    child.on("exit", (code, signal) => {
      running.delete(child);
      fail(new Error(`cocart-mock exited (${signal ?? code}) before serving: ${err.trim()}`));
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.stdout.setEncoding("utf8");
    const onData = (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl < 0 || done) return;
      const m = /^cocart-mock listening on (http:\/\/\S+)$/.exec(out.slice(0, nl).trim());
      if (!m) return fail(new Error(`unexpected first line from cocart-mock: ${out.slice(0, nl)}`));
      done = true;
      clearTimeout(timer);
      child.stdout.removeListener("data", onData);
      child.stdout.resume();
      child.stderr.resume();
      // The handles must not keep the test runner's event loop alive.
      child.stdout.unref?.();
      child.stderr.unref?.();
      child.stdin.unref?.();
      child.unref();
      resolve(new CocartMock(child, m[1]));
    };
    child.stdout.on("data", onData);
  });
}

module.exports = { start, binaryPath, argsFor, CocartMock, MockError };
