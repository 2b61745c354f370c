// Time to first paint of the mock's console (/__mock/ui) with an empty journal and with a full
// one (100,000 entries), side by side in one run. Run by `BENCH_ONLY=console bash
// scripts/bench.sh`, which writes the table into BENCHMARKS.md.
//
//   node bench.mjs MOCK_BIN ROUNDS OUT.md
//
// Method: two mocks run at once, started from the same binary: one with an empty journal, one
// whose journal holds 100,000 guest cart reads (sent over 16 keep-alive connections before the
// timing starts). Each round opens the console once on each (in alternating order), each time
// in a fresh browser context (no cache, no cookies) of one headless Chromium, 1400x900, and reads
// from the page: `first-contentful-paint` (the Paint Timing entry) and the moment the page set
// `body[data-ready="1"]` (its first render of state, lineage and journal; recorded by a
// MutationObserver installed before the page's scripts run), both in ms since navigation start.
// Reported: median, min and max per case and the ratio of the medians (full / empty).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, fill } from './support.mjs';

const [bin, roundsArg, out] = process.argv.slice(2);
if (!bin || !out) {
  console.error('usage: node bench.mjs MOCK_BIN ROUNDS OUT.md');
  process.exit(2);
}
const ROUNDS = Number(roundsArg || 10);
const FULL = 100000;

function startMock() {
  const child = spawn(bin, ['--port', '0', '--exit-on-stdin-eof'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => {
      const url = line.match(/https?:\/\/\S+/)?.[0];
      if (url) resolve({ child, url });
      else reject(new Error(`no URL in the mock's first line: ${line}`));
    });
    child.once('error', reject);
  });
}

const READY_PROBE = `
  new MutationObserver((_, obs) => {
    if (document.body && document.body.dataset.ready === '1') {
      window.__readyAt = performance.now();
      obs.disconnect();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
`;

async function measure(browser, base) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(READY_PROBE);
  const page = await context.newPage();
  await page.goto(`${base}/__mock/ui`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  const t = await page.evaluate(async () => {
    // The paint entry can lag the first frame by one frame.
    for (let i = 0; i < 100 && !performance.getEntriesByName('first-contentful-paint').length; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { fcp: fcp ? fcp.startTime : null, ready: window.__readyAt ?? null };
  });
  await context.close();
  if (t.fcp == null || t.ready == null) throw new Error(`no timing from ${base}: ${JSON.stringify(t)}`);
  return t;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(0)} ms`;

const empty = await startMock();
const full = await startMock();
let browser;
try {
  const t0 = Date.now();
  const failed = await fill(full.url, FULL);
  if (failed) throw new Error(`${failed} of ${FULL} fill requests did not answer 200`);
  const fillMs = Date.now() - t0;
  const total = (await (await fetch(`${full.url}/__mock/console/state`)).json()).journal.total;
  if (total !== FULL) throw new Error(`the full mock's journal holds ${total}, not ${FULL}`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const version = browser.version();
  // One unmeasured visit each warms the browser process and both mocks.
  await measure(browser, empty.url);
  await measure(browser, full.url);
  const runs = { empty: [], full: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ['full', 'empty'] : ['empty', 'full'];
    for (const which of order) {
      runs[which].push(await measure(browser, which === 'empty' ? empty.url : full.url));
    }
  }
  const row = (name, xs, key) =>
    `| ${name} | ${ms(median(xs.map((x) => x[key])))} | ${ms(Math.min(...xs.map((x) => x[key])))} – ${ms(Math.max(...xs.map((x) => x[key])))} |`;
  const ratio = (key) =>
    (median(runs.full.map((x) => x[key])) / median(runs.empty.map((x) => x[key]))).toFixed(2);
  const body = [
    `| \`/__mock/ui\`, ${ROUNDS} rounds each | median | min – max |`,
    '|---|---|---|',
    row('first contentful paint, empty journal', runs.empty, 'fcp'),
    row(`first contentful paint, ${FULL.toLocaleString('en-US')} entries`, runs.full, 'fcp'),
    row('first render done (`data-ready`), empty journal', runs.empty, 'ready'),
    row(`first render done (\`data-ready\`), ${FULL.toLocaleString('en-US')} entries`, runs.full, 'ready'),
    '',
    `Full / empty (medians): first contentful paint ×${ratio('fcp')}, first render done ×${ratio('ready')}.`,
    `Chromium ${version} headless; the full journal took ${(fillMs / 1000).toFixed(1)} s to fill.`,
    '',
  ].join('\n');
  writeFileSync(out, body);
  process.stdout.write(body);
} finally {
  if (browser) await browser.close().catch(() => {});
  empty.child.stdin.end();
  full.child.stdin.end();
}
