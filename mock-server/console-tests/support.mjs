// What the console's browser test (console.test.mjs) and its benchmark (bench.mjs) share: the
// flags Debian's Chromium runs with, and a filler that sends guest cart reads to a mock.
import http from 'node:http';

/** Headless Chromium with nothing of its own going on the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Sends `n` guest cart reads (`GET /wp-json/cocart/v2/cart`) to the mock at `base` over 16
 * keep-alive connections, with the `X-Mock-Client` label `client` when given; resolves to the
 * number that did not answer 200.
 */
export async function fill(base, n, client) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const headers = client ? { 'x-mock-client': client } : {};
  let sent = 0;
  let failed = 0;
  const one = () =>
    new Promise((resolve) => {
      const req = http.get(
        { host: url.hostname, port: url.port, path: '/wp-json/cocart/v2/cart', agent, headers },
        (res) => {
          if (res.statusCode !== 200) failed += 1;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', () => {
        failed += 1;
        resolve();
      });
    });
  const worker = async () => {
    while (sent < n) {
      sent += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  agent.destroy();
  return failed;
}
