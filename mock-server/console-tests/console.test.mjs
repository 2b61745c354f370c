// The mock's console (/__mock/ui) in a real Chromium, driven by playwright-core: an SDK journey
// (examples/console_journey.rs) runs against the mock while the page stays open, and after each
// step the test waits for the page to update live and checks what it shows. Run by
// scripts/console-test.sh, which builds the two programs and sets:
//   COCART_MOCK_BIN      the cocart-mock binary
//   CONSOLE_JOURNEY_BIN  the console_journey example
//   CHROMIUM             the browser (default /usr/bin/chromium)
//   CONSOLE_ARTIFACTS    where the screenshots go (default target/console-screenshots)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, fill } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const MOCK_BIN = process.env.COCART_MOCK_BIN;
const JOURNEY_BIN = process.env.CONSOLE_JOURNEY_BIN;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = resolve(process.env.CONSOLE_ARTIFACTS || join(repo, 'target/console-screenshots'));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const FILL = Number(process.env.CONSOLE_FILL || 100000);
const WAIT_MS = 10000;
const LOGIN_PATH = '/wp-json/cocart/v2/login';
const LOGOUT_PATH = '/wp-json/cocart/v2/logout';
const REFRESH_PATH = '/wp-json/cocart/jwt/refresh-token';
const CART_PATH = '/wp-json/cocart/v2/cart';
const DEMO_ID = 1;

// ---- processes --------------------------------------------------------------------------------

/** A child process whose stdout is read line by line. */
function start(bin, args) {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  const waiters = [];
  let ended = false;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const w = waiters.shift();
    if (w) w.resolve(line);
    else lines.push(line);
  });
  child.on('exit', (code, signal) => {
    ended = true;
    for (const w of waiters.splice(0)) w.reject(new Error(`${bin} exited (${code ?? signal})`));
  });
  child.on('error', (e) => {
    ended = true;
    for (const w of waiters.splice(0)) w.reject(e);
  });
  const next = (ms = 120000) =>
    lines.length
      ? Promise.resolve(lines.shift())
      : ended
        ? Promise.reject(new Error(`${bin} has exited`))
        : new Promise((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`${bin}: no output within ${ms} ms`)), ms);
            waiters.push({
              resolve: (l) => (clearTimeout(t), resolve(l)),
              reject: (e) => (clearTimeout(t), reject(e)),
            });
          });
  return { child, next };
}

let mock; // { child, next }
let journey; // { child, next }
let base; // the mock's URL
let browser; // persistent context
let page;
let profileDir;
const driverLines = [];
const banner = [];
const pageErrors = [];
let expectedErrors = null; // while set, the page's console errors are collected here instead
let shot = 0;

/** Sends one step to the journey driver and waits for its `ok` line. */
async function step(line) {
  journey.child.stdin.write(line + '\n');
  const answer = await journey.next();
  driverLines.push(answer);
  assert.equal(answer, `ok ${line.split(' ')[0]}`, `journey step ${line}`);
}

// ---- HTTP helpers (the mock's JSON routes) ---------------------------------------------------

async function getJSON(path) {
  const r = await fetch(base + path);
  assert.equal(r.status, 200, `GET ${path}`);
  return r.json();
}
const lineage = async () => (await getJSON('/__mock/console/lineage')).users.find((u) => u.user_id === DEMO_ID).events;
const journal = () => getJSON('/__mock/journal');

/** The mock's fingerprint of a token (16 hex digits of a keyed SHA-256). */
const fingerprint = (token) =>
  createHash('sha256').update('cocart-mock journal fingerprint\0').update(token).digest('hex').slice(0, 16);

// ---- page helpers -----------------------------------------------------------------------------

const isoOf = (unix) => new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** The page's virtual clock (the mock's clock also runs with real time). */
const pageClock = async () => Number(await page.getAttribute('[data-testid="clock-now"]', 'data-unix'));
/** The page's clock as [data-unix, text], read at once (the page re-renders it every second). */
const clockShown = () =>
  page.$eval('[data-testid="clock-now"]', (t) => [Number(t.dataset.unix), t.textContent.trim()]);
/** Whether `now` is `secs` after `t0`, give or take the real seconds the test took. */
const movedBy = (now, t0, secs) => now >= t0 + secs && now <= t0 + secs + 30;
/** Waits for the page's clock to show `secs` after `t0`, and its text to say the same. */
async function clockMoved(t0, secs, what) {
  await until(what, async () => movedBy(await pageClock(), t0, secs));
  const [now, text] = await clockShown();
  assert.equal(text, isoOf(now));
  return now;
}

const renders = async () => Number(await page.getAttribute('body', 'data-renders'));

/** Polls `check` (a function of nothing, in Node) until it returns a truthy value. */
async function until(what, check, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const why = last ? ` (last error: ${last.message})` : '';
      throw new Error(`the page did not show ${what} within ${ms} ms${why}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the page has rendered again since `since` (a `data-renders` value). */
const rerendered = (since) => until(`a render after #${since}`, async () => (await renders()) > since);

/** The lineage rows of the demo customer as the page shows them. */
const rows = () =>
  page.$$eval('[data-testid="lineage-user-1"] [data-testid="lineage-row"]', (lis) =>
    lis.map((li) => ({
      kind: li.dataset.kind,
      id: Number(li.dataset.eventId),
      request: li.dataset.request === '' ? null : Number(li.dataset.request),
      reused: li.dataset.reused,
      tokenState: li.dataset.tokenState,
      cls: li.className,
      text: li.textContent,
      codes: Array.from(li.querySelectorAll('code')).map((c) => c.textContent),
    })),
  );

async function screenshot(name) {
  shot += 1;
  const file = join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Runs a journey step, then waits for the page to render it live (no reload) and `expect`. */
async function live(line, what, expect) {
  const since = await renders();
  await step(line);
  await rerendered(since);
  await until(what, expect);
  await screenshot(line.split(' ')[0]);
}

// ---- set-up -----------------------------------------------------------------------------------

before(async () => {
  assert.ok(MOCK_BIN, 'COCART_MOCK_BIN must name the cocart-mock binary');
  assert.ok(JOURNEY_BIN, 'CONSOLE_JOURNEY_BIN must name the console_journey example');
  mkdirSync(ARTIFACTS, { recursive: true });
  mock = start(MOCK_BIN, ['--port', '0', '--exit-on-stdin-eof']);
  const first = await mock.next(30000);
  base = first.match(/https?:\/\/\S+/)?.[0];
  assert.ok(base, `the mock's first line names its URL: ${first}`);
  banner.push(first);
  for (;;) {
    const l = await mock.next(5000);
    banner.push(l);
    if (/^test controls:/.test(l)) break;
  }

  profileDir = mkdtempSync(join(tmpdir(), 'cocart-console-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') (expectedErrors ?? pageErrors).push(`console error: ${m.text()}`);
  });
  // Anything the page fetches from outside the mock fails the test.
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) pageErrors.push(`outside request: ${r.url()}`);
  });
  journey = start(JOURNEY_BIN, [base]);
});

after(async () => {
  if (journey) {
    journey.child.stdin.end('quit\n');
  }
  if (browser) await browser.close().catch(() => {});
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  if (mock) mock.child.stdin.end();
});

// Each test needs the ones before it; after a failure the rest are skipped, not failed again.
let broken = false;
function stepTest(name, fn) {
  test(name, { timeout: 120000 }, async (t) => {
    if (broken) return t.skip('an earlier step failed');
    try {
      await fn(t);
    } catch (e) {
      broken = true;
      await screenshot(`FAILED-${name.replace(/\W+/g, '-')}`).catch(() => {});
      throw e;
    }
  });
}

// ---- the journey ------------------------------------------------------------------------------

stepTest('the console opens, renders and goes live', async () => {
  const r = await page.goto(`${base}/__mock/ui`);
  assert.equal(r.status(), 200);
  assert.match(r.headers()['content-type'], /^text\/html/);
  // At least the contract's policy: everything from the mock itself, no inline or eval'd script.
  const csp = r.headers()['content-security-policy'] ?? '';
  const directives = csp.split(';').map((d) => d.trim());
  assert.ok(directives.includes("default-src 'self'"), csp);
  assert.ok(directives.includes("img-src 'self' data:"), csp);
  assert.ok(!/unsafe-|script-src|style-src/.test(csp), csp);
  await page.waitForSelector('body[data-ready="1"]', { timeout: WAIT_MS });
  await until('live-status "live"', async () => (await page.textContent('[data-testid="live-status"]')).trim() === 'live');
  const state = await getJSON('/__mock/console/state');
  const [now, text] = await clockShown();
  assert.ok(Math.abs(now - state.now) <= 5, `the page's clock ${now}, the mock's ${state.now}`);
  assert.equal(text, isoOf(now));
  const profile = await page.textContent('[data-testid="profile"]');
  for (const want of [state.profile.plugin, state.profile.host_profile, state.profile.environment, state.profile.site_url]) {
    assert.ok(profile.includes(want), `profile shows ${want}: ${profile}`);
  }
  assert.equal(await page.locator('[data-testid="user-1"]').count(), 1);
  assert.equal(await page.locator('[data-testid="lineage-row"]').count(), 0, 'no token events yet');
  await screenshot('empty');
});

test("the mock's banner names the console", async () => {
  assert.ok(banner.some((l) => l.includes(`${base}/__mock/ui`)), `the banner:\n${banner.join('\n')}`);
});

let guestKey;
stepTest('guest-cart: the guest cart and its lines appear', async () => {
  await live('guest-cart', 'a guest cart with a T-Shirt ×2 and a Mug', async () => {
    const carts = page.locator('[data-testid="guest-cart"]');
    if ((await carts.count()) !== 1) return false;
    const text = await carts.first().textContent();
    return /2\s*×\s*T-Shirt/.test(text) && /1\s*×\s*Mug/.test(text);
  });
  const row = page.locator('[data-testid="guest-cart"]').first();
  guestKey = await row.getAttribute('data-key');
  assert.match(guestKey, /^t_/);
  assert.equal(await row.getAttribute('data-transferred-to'), '');
  const state = await getJSON('/__mock/console/state');
  assert.deepEqual(
    state.guest_carts.map((g) => g.key),
    [guestKey],
  );
});

let loginRow;
stepTest('login: the transfer, the customer cart and the login row', async () => {
  await live('login', 'the transfer to user 1 and a login row', async () => {
    const moved = await page.getAttribute(`[data-testid="guest-cart"][data-key="${guestKey}"]`, 'data-transferred-to');
    return moved === '1' && (await rows()).some((r) => r.kind === 'login');
  });
  assert.match(await page.textContent(`[data-testid="guest-cart"][data-key="${guestKey}"]`), /moved to user 1/);
  const lines = await page.locator('[data-testid="cart-user-1"] [data-testid="cart-line"]').allTextContents();
  assert.equal(lines.length, 2, lines.join(' | '));
  assert.ok(lines.some((l) => /2\s*×\s*T-Shirt/.test(l) && l.includes('25.00')), lines.join(' | '));
  assert.ok(lines.some((l) => /1\s*×\s*Mug/.test(l) && l.includes('9.99')), lines.join(' | '));
  assert.match(await page.textContent('[data-testid="cart-user-1"] [data-testid="cart-total"]'), /34\.99/);
  assert.equal((await page.textContent('[data-testid="user-1"] [data-testid="live-sessions"]')).trim(), '1');

  const shown = await rows();
  assert.deepEqual(shown.map((r) => r.kind), ['login']);
  const [ev] = (await lineage()).filter((e) => e.kind === 'login');
  assert.equal(ev.status, 200);
  assert.equal(ev.client, 'app-1');
  assert.match(ev.access.fingerprint, /^[0-9a-f]{16}$/);
  assert.match(ev.refresh_issued.fingerprint, /^[0-9a-f]{16}$/);
  // The row shows the access token's and the refresh token's fingerprints (8 hex), never more.
  assert.ok(shown[0].codes.includes(ev.access.fingerprint.slice(0, 8)), JSON.stringify(shown[0].codes));
  assert.ok(shown[0].codes.includes(ev.refresh_issued.fingerprint.slice(0, 8)), JSON.stringify(shown[0].codes));
  assert.ok(!shown[0].text.includes(ev.access.fingerprint), 'the whole fingerprint is not shown');
  assert.ok(shown[0].text.includes(`request #${ev.request}`), shown[0].text);
  loginRow = ev;
});

stepTest('clock-jump: one proactive refresh spends the login refresh token, no rejection', async () => {
  await live('clock-jump', 'a refresh row', async () => (await rows()).some((r) => r.kind === 'refresh'));
  const shown = await rows();
  assert.deepEqual(shown.map((r) => r.kind), ['login', 'refresh']);
  const refresh = (await lineage()).find((e) => e.kind === 'refresh');
  assert.equal(refresh.status, 200);
  assert.equal(refresh.reused, false);
  assert.equal(refresh.refresh_presented.state, 'live');
  assert.equal(refresh.refresh_presented.fingerprint, loginRow.refresh_issued.fingerprint);
  const presented = loginRow.refresh_issued.fingerprint.slice(0, 8);
  assert.ok(shown[1].codes.includes(presented), `the refresh row shows the login's refresh token ${presented}: ${shown[1].codes}`);
  assert.equal(shown[1].reused, 'false');
  assert.equal(await page.locator('[data-testid="lineage-row"][data-kind="rejection"]').count(), 0);
});

stepTest('forced-403: a rejection (403, expired) followed by a refresh', async () => {
  await live('forced-403', 'a rejection row followed by a refresh row', async () => {
    const kinds = (await rows()).map((r) => r.kind);
    return kinds.length === 4;
  });
  const shown = await rows();
  assert.deepEqual(shown.map((r) => r.kind), ['login', 'refresh', 'rejection', 'refresh']);
  const rejection = shown[2];
  assert.equal(rejection.tokenState, 'expired');
  assert.match(rejection.text, /\b403\b/);
  assert.match(rejection.text, /expired/);
  assert.ok(shown[3].id > rejection.id && shown[3].request > rejection.request);
  const ev = (await lineage()).find((e) => e.id === rejection.id);
  assert.equal(ev.status, 403);
  assert.equal(ev.token_state, 'expired');
  assert.equal(ev.request_line, `GET ${CART_PATH}`);
});

stepTest('staged-race: the refresh token presented twice is marked, once', async () => {
  await live('staged-race', 'a row marked "presented twice"', async () =>
    (await page.locator('[data-testid="lineage-row"].reused').count()) > 0,
  );
  const reused = page.locator('[data-testid="lineage-row"].reused');
  assert.equal(await reused.count(), 1, 'exactly one reused row');
  assert.equal(await reused.getAttribute('data-reused'), 'true');
  assert.equal(await reused.getAttribute('data-kind'), 'refresh');
  // A label of its own saying "presented twice" (not only the server's sentence), and red: the
  // label or the row in a red colour, so the mark is neither colour-only nor text-only.
  const mark = await reused.evaluate((li) => {
    const red = (c) => {
      const m = c.match(/rgba?\((\d+), (\d+), (\d+)/);
      return !!m && Number(m[1]) > 150 && Number(m[2]) < 100 && Number(m[3]) < 100;
    };
    const label = Array.from(li.querySelectorAll('*')).find(
      (n) => /presented twice/i.test(n.textContent) && n.textContent.trim().length <= 30,
    );
    const styles = [label, li].filter(Boolean).map((n) => getComputedStyle(n));
    const colours = styles.flatMap((s) => [s.color, s.backgroundColor, s.borderLeftColor]);
    return { label: label?.textContent.trim() ?? null, red: colours.some(red), colours };
  });
  assert.ok(mark.label, 'a "presented twice" label in the reused row');
  assert.ok(mark.red, `the reused row is marked red: ${mark.colours.join(' ')}`);
  const evs = await lineage();
  const twice = evs.filter((e) => e.reused);
  assert.equal(twice.length, 1);
  assert.equal(twice[0].client, 'device-2');
  assert.ok(twice[0].status >= 400, `the second presentation is refused: ${twice[0].status}`);
  assert.equal(twice[0].refresh_presented.state, 'rotated away');
  assert.equal(await page.getAttribute(`[data-event-id="${twice[0].id}"]`, 'data-reused'), 'true');
});

stepTest('logout: a logout row', async () => {
  await live('logout', 'a logout row', async () => (await rows()).some((r) => r.kind === 'logout'));
  const logout = (await rows()).filter((r) => r.kind === 'logout');
  assert.equal(logout.length, 1);
  assert.ok(logout[0].text.includes(`POST ${LOGOUT_PATH}`), logout[0].text);
});

stepTest('lineage rows point at the journal entries that caused them', async () => {
  const entries = await journal();
  const evs = await lineage();
  const pathOf = { login: LOGIN_PATH, refresh: REFRESH_PATH, logout: LOGOUT_PATH, rejection: CART_PATH };
  assert.ok(evs.length >= 7, `${evs.length} events`);
  for (const e of evs) {
    const entry = entries[e.request];
    assert.ok(entry, `event ${e.id}: request #${e.request} is in the journal`);
    assert.equal(entry.path, pathOf[e.kind], `event ${e.id} (${e.kind}) -> journal #${e.request}`);
    assert.equal(`${entry.method} ${entry.path}`, e.request_line);
    assert.equal(entry.status, e.status, `event ${e.id}: the journal's status`);
    // The page's journal table shows the same request under the same number.
    const tr = page.locator(`[data-testid="journal-row"][data-seq="${e.request}"]`);
    assert.equal(await tr.count(), 1, `journal row #${e.request}`);
    assert.ok((await tr.textContent()).includes(entry.path));
  }
  // "request #SEQ" in a row takes the reader to that journal row.
  const last = evs[evs.length - 1];
  await page.click(`[data-event-id="${last.id}"] >> text=request #${last.request}`);
  await until(`journal row #${last.request} focused`, () =>
    page.evaluate((seq) => document.activeElement?.dataset?.seq === String(seq), last.request),
  );
});

stepTest('advance clock in the page: the clock moves and the next call shows a refresh', async () => {
  await step('login');
  await until('a second login row', async () => (await rows()).filter((r) => r.kind === 'login').length === 2);
  const t0 = (await getJSON('/__mock/clock')).now;
  const since = await renders();
  await page.click('[data-testid="clock-advance-10d"]');
  await rerendered(since);
  await clockMoved(t0, 864000, 'the clock 10 days later');
  assert.ok(movedBy((await getJSON('/__mock/clock')).now, t0, 864000), "the mock's clock moved 10 days");
  // Plus an hour from the seconds field: now past the access token's ten days.
  await page.fill('[data-testid="clock-advance-seconds"]', '3600');
  await page.click('[data-testid="clock-advance"]');
  await clockMoved(t0, 867600, 'the clock another hour later');
  const before = (await rows()).length;
  // The app's own clock did not move: it sends its token, which the store now finds expired.
  await live('cart', 'a rejection and the next refresh', async () => (await rows()).length === before + 2);
  const [rejection, refresh] = (await rows()).slice(-2);
  assert.equal(rejection.kind, 'rejection');
  assert.equal(rejection.tokenState, 'expired');
  assert.equal(refresh.kind, 'refresh');
  assert.equal(refresh.reused, 'false');
});

stepTest('faults: one added through the form is listed; a bad one shows the server error', async () => {
  const form = page.locator('[data-testid="fault-form"]');
  assert.equal(await page.locator('[data-testid="fault"]').count(), 0);
  await form.getByLabel('Path', { exact: true }).fill('/wp-json/cocart/v2/products');
  await form.getByLabel(/^Kind\b/).selectOption('status');
  await form.getByLabel('Status', { exact: true }).fill('503');
  await form.getByLabel('Times', { exact: true }).fill('2');
  await form.locator('button[type="submit"]').click();
  await until('the fault listed', async () => (await page.locator('[data-testid="fault"]').count()) === 1);
  const text = await page.textContent('[data-testid="fault"]');
  assert.ok(text.includes('/wp-json/cocart/v2/products') && text.includes('503'), text);
  const faults = await getJSON('/__mock/faults');
  assert.deepEqual(
    faults.map((f) => [f.path, f.kind, f.status, f.times]),
    [['/wp-json/cocart/v2/products', 'status', 503, 2]],
  );
  await screenshot('fault');
  // The README's picture: the journey, a pending fault.
  await page.screenshot({ path: join(ARTIFACTS, 'console.png'), fullPage: true });

  assert.equal((await page.textContent('[data-testid="fault-error"]')).trim(), '');
  await form.getByLabel('Status', { exact: true }).fill('200');
  expectedErrors = [];
  await form.locator('button[type="submit"]').click();
  const alert = page.locator('[data-testid="fault-error"]');
  await until('the server error', async () => (await alert.textContent()).trim() !== '');
  // The browser logs the refused POST (400), and nothing else.
  await until('the 400 logged', async () => expectedErrors.length > 0);
  assert.ok(expectedErrors.every((e) => /status of 400/.test(e)), expectedErrors.join('\n'));
  expectedErrors = null;
  assert.match(await alert.textContent(), /status/i, 'the server says what is wrong');
  assert.equal(await alert.getAttribute('role'), 'alert');
  assert.ok(await alert.isVisible());
  assert.equal((await getJSON('/__mock/faults')).length, 1, 'the bad fault was not added');
  await screenshot('fault-error');
  const r = await fetch(`${base}/__mock/faults`, { method: 'DELETE' });
  assert.equal(r.status, 200);
  await until('no faults listed', async () => (await page.locator('[data-testid="fault"]').count()) === 0);
});

stepTest('keyboard: Tab reaches the clock buttons, with a visible focus', async () => {
  await page.evaluate(() => document.activeElement?.blur());
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.click(1, 1);
  const reached = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.dataset?.testid ?? document.activeElement?.tagName);
    reached.push(id);
    if (id === 'clock-advance-1h') break;
  }
  assert.equal(reached[reached.length - 1], 'clock-advance-1h', `Tab order: ${reached.join(', ')}`);
  const focus = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow };
  });
  assert.ok(
    (focus.outline !== 'none' && focus.width !== '0px') || focus.shadow !== 'none',
    `a visible focus: ${JSON.stringify(focus)}`,
  );
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'clock-advance-1d');
  // Enter on the focused button moves the clock a day.
  const t0 = (await getJSON('/__mock/clock')).now;
  await page.keyboard.press('Enter');
  await clockMoved(t0, 86400, 'the clock a day later');
});

stepTest('secrets: the page never holds a token or a password', async () => {
  // A login of the test's own, so it knows the exact strings to look for.
  const r = await fetch(base + LOGIN_PATH, {
    method: 'POST',
    headers: {
      authorization: 'Basic ' + Buffer.from('demo:demo-password').toString('base64'),
      'user-agent': 'console-test-secrets/1.0',
      'x-mock-client': 'secrets-check',
    },
  });
  assert.equal(r.status, 200);
  const body = await r.json();
  const jwt = body.extras.jwt_token;
  const refresh = body.extras.jwt_refresh;
  assert.ok(jwt && refresh);
  const refreshed = await fetch(base + REFRESH_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'console-test-secrets/1.0' },
    body: JSON.stringify({ refresh_token: refresh }),
  });
  assert.equal(refreshed.status, 200);
  const second = await refreshed.json();
  const mine = fingerprint(refresh).slice(0, 8);
  await until(`the refresh row spending ${mine}`, async () =>
    (await rows()).some((row) => row.kind === 'refresh' && row.codes.includes(mine)),
  );
  const html = await page.content();
  for (const [name, secret] of [
    ['access token', jwt],
    ['refresh token', refresh],
    ['refreshed access token', second.token],
    ['refreshed refresh token', second.refresh_token],
    ['password', 'demo-password'],
  ]) {
    assert.ok(secret && secret.length > 8, name);
    assert.ok(!html.includes(secret), `the page's HTML contains the ${name}`);
  }
  // The JSON behind the page does not hold them either.
  for (const path of ['/__mock/console/state', '/__mock/console/lineage', '/__mock/console/journal?limit=1000']) {
    const text = await (await fetch(base + path)).text();
    for (const secret of [jwt, refresh, second.token, second.refresh_token, 'demo-password']) {
      assert.ok(!text.includes(secret), `${path} holds a secret`);
    }
  }
  // The driver printed nothing but its step answers.
  for (const l of driverLines) assert.match(l, /^ok [a-z0-9-]+$/);
});

stepTest('accessibility: axe-core finds no WCAG 2 A/AA violation', async () => {
  await page.evaluate(() => window.scrollTo(0, 0));
  // The page's CSP refuses inline scripts, so a <script> tag (addScriptTag) would be blocked:
  // axe goes in as the test's own evaluation (DevTools evaluations are not subject to the CSP).
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return {
      passes: r.passes.length,
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
      })),
    };
  });
  assert.ok(result.passes > 10, `axe ran its rules (${result.passes} passed)`);
  assert.deepEqual(result.violations, [], JSON.stringify(result.violations, null, 2));
});

stepTest(`a full journal (${FILL.toLocaleString('en-US')} requests): paged, and the page stays responsive`, async () => {
  const rowsOf = () =>
    page.$$eval('[data-testid="journal-row"]', (trs) => trs.map((tr) => Number(tr.dataset.seq)));
  const info = page.locator('[data-testid="journal-page-info"]');
  const follow = page.locator('[data-testid="journal-follow"]');
  const t0 = Date.now();
  // The driver's own fill for the first thousand: the first page follows the newest entries.
  assert.ok(await follow.isChecked(), 'follow is on by default');
  await step('fill 1000');
  const afterDriver = await getJSON('/__mock/console/state');
  await until('the first page following the newest entry', async () => (await rowsOf())[0] === afterDriver.journal.last_seq);
  // Follow off: the page stays where it is while the test's keep-alive requests fill the rest.
  await follow.uncheck();
  const pinned = await rowsOf();
  const t1 = Date.now();
  assert.equal(await fill(base, FILL - 1000, 'filler'), 0, 'every fill request answered 200');
  const filled = Date.now() - t0;
  console.log(`# driver fill 1000: ${t1 - t0} ms; test fill ${FILL - 1000}: ${Date.now() - t1} ms`);
  const state = await getJSON('/__mock/console/state');
  const total = state.journal.total;
  assert.ok(total >= Math.min(FILL, 100000), `journal total ${total}`);
  const totalText = total.toLocaleString('en-US');
  const since = await renders();
  await rerendered(since);
  await until(`page info "of ${totalText}" with follow off`, async () => (await info.textContent()).includes(`of ${totalText}`));
  assert.deepEqual(await rowsOf(), pinned, 'with follow off the page did not jump');
  // Follow on again: the newest page.
  await follow.check();
  await until(`page info "of ${totalText}"`, async () => (await info.textContent()).includes(`of ${totalText}`));
  await until('the newest page', async () => (await rowsOf())[0] === state.journal.last_seq);
  const newest = await rowsOf();
  assert.equal(newest.length, 100, 'one page of 100 rows');
  assert.ok(newest.every((s, i) => i === 0 || s === newest[i - 1] - 1), 'newest first, consecutive');
  await screenshot('full-journal');

  // Older, then newer: each click answered within a generous bound.
  const firstInfo = await info.textContent();
  let at = Date.now();
  await page.click('[data-testid="journal-older"]');
  await until('the older page', async () => (await rowsOf())[0] === newest[99] - 1);
  const olderMs = Date.now() - at;
  const older = await rowsOf();
  assert.equal(older.length, 100);
  assert.notEqual(await info.textContent(), firstInfo);
  assert.ok((await info.textContent()).includes(`of ${totalText}`));
  await screenshot('journal-older');
  at = Date.now();
  await page.click('[data-testid="journal-newer"]');
  await until('the newest page again', async () => (await rowsOf())[0] === newest[0]);
  const newerMs = Date.now() - at;
  assert.ok(olderMs < WAIT_MS && newerMs < WAIT_MS);
  // A click elsewhere (the clock) is still answered.
  const c0 = (await getJSON('/__mock/clock')).now;
  at = Date.now();
  await page.click('[data-testid="clock-advance-1h"]');
  await clockMoved(c0, 3600, 'the clock an hour later');
  const clockMs = Date.now() - at;
  assert.ok(await page.evaluate(() => document.querySelectorAll('tr').length <= 102), 'no more than a page of rows');
  console.log(
    `# fill ${FILL} in ${filled} ms; older page ${olderMs} ms, newer ${newerMs} ms, clock click ${clockMs} ms`,
  );
});

stepTest('no page errors, no request outside the mock', async () => {
  assert.deepEqual(pageErrors, []);
});
