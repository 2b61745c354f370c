// The launcher's API against packaging/controls.json: a callable for every control's `js` name,
// and each one reaches its route (checked by its effect: /__mock/ calls are not journaled).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { start } from "cocart-mock";

const controls = JSON.parse(readFileSync(process.env.COCART_CONTROLS_JSON, "utf8")).controls;
const cart = "/wp-json/cocart/v2/cart";
let mock;
before(async () => {
  mock = await start();
});
after(async () => {
  await mock.stop();
});

const login = (user, pw) =>
  fetch(`${mock.url}/wp-json/cocart/v2/login`, {
    method: "POST",
    headers: { authorization: "Basic " + Buffer.from(`${user}:${pw}`).toString("base64") },
  }).then((r) => r.status);
const getCart = () => fetch(mock.url + cart).then((r) => r.status);
const kim = { username: "kim", email: "kim@example.com", password: "kim-pw" };
const names = async () => (await mock.users()).map((u) => u.username);

// One effect check per launcher name; a control without one fails the test.
const effects = {
  reset: async () => {
    await mock.addUser(kim);
    await mock.setClock(2_000_000_000);
    await mock.reset();
    assert.deepEqual(await names(), ["demo"]);
    assert.notEqual(await mock.now(), 2_000_000_000);
  },
  now: async () => {
    await mock.setClock(1_900_000_000);
    assert.equal(await mock.now(), 1_900_000_000);
  },
  advanceClock: async () => {
    const t0 = await mock.now();
    assert.equal(await mock.advanceClock(100), t0 + 100);
    assert.equal(await mock.now(), t0 + 100);
  },
  setClock: async () => {
    assert.equal(await mock.setClock(2_000_000_000), 2_000_000_000);
    assert.equal(await mock.now(), 2_000_000_000);
  },
  addUser: async () => {
    const id = await mock.addUser(kim);
    assert.equal(id, 2);
    assert.equal(await login("kim", "kim-pw"), 200);
  },
  users: async () => {
    assert.deepEqual(await names(), ["demo"]);
  },
  updateUser: async () => {
    const id = await mock.addUser(kim);
    await mock.updateUser(id, { password: "new-pw" });
    assert.equal(await login("kim", "kim-pw"), 401);
    assert.equal(await login("kim", "new-pw"), 200);
  },
  deleteUser: async () => {
    const id = await mock.addUser(kim);
    await mock.deleteUser(id);
    assert.deepEqual(await names(), ["demo"]);
  },
  journal: async () => {
    await getCart();
    const j = await mock.journal();
    assert.deepEqual(
      j.map((e) => [e.method, e.path, e.status]),
      [["GET", cart, 200]],
    );
  },
  clearJournal: async () => {
    await getCart();
    await mock.clearJournal();
    assert.deepEqual(await mock.journal(), []);
  },
  configure: async () => {
    const c = await mock.configure({ access_ttl: 77 });
    assert.equal(c.access_ttl, 77);
    assert.equal((await mock.config()).access_ttl, 77);
  },
  config: async () => {
    const c = await mock.config();
    assert.equal(c.plugin, "v3");
    assert.equal(c.secret, "[redacted]");
  },
  addFault: async () => {
    await mock.addFault({ path: cart, kind: "status", status: 503 });
    assert.equal(await getCart(), 503);
    assert.equal(await getCart(), 200);
  },
  faults: async () => {
    await mock.addFault({ path: cart, kind: "status", status: 503, times: 2 });
    const f = await mock.faults();
    assert.equal(f.length, 1);
    assert.equal(f[0].path, cart);
  },
  clearFaults: async () => {
    await mock.addFault({ path: cart, kind: "status", status: 503 });
    await mock.clearFaults();
    assert.deepEqual(await mock.faults(), []);
    assert.equal(await getCart(), 200);
  },
};

test("controls.json is not empty", () => {
  assert.ok(controls.length >= 15, `${controls.length} controls`);
});

for (const c of controls) {
  test(`${c.method} ${c.path}${c.body ? ` (${c.body})` : ""}: mock.${c.js}()`, async () => {
    assert.equal(typeof mock[c.js], "function", `the JS API has no ${c.js}()`);
    const effect = effects[c.js];
    assert.ok(effect, `no effect check for ${c.js}: add one to packaging/tests/js/controls.test.mjs`);
    await mock.reset();
    await effect();
  });
}

test("the .d.ts declares every control", () => {
  const dts = readFileSync(new URL("./node_modules/cocart-mock/index.d.ts", import.meta.url), "utf8");
  for (const c of controls) {
    assert.match(dts, new RegExp(`^\\s+${c.js}\\(`, "m"), `index.d.ts lacks ${c.js}`);
  }
});

test("a failing control throws a MockError with the status", async () => {
  await assert.rejects(mock.deleteUser(999), (e) => e.name === "MockError" && e.status === 404);
});
