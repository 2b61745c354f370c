// The published CoCart JS library (@cocart/cocart-rest-api) against the mock started by the
// launcher: guest cart → login with transfer → refresh after moving the clock → update → logout,
// then the mock's journal.
import { test } from "node:test";
import assert from "node:assert/strict";
import CoCartAPI from "@cocart/cocart-rest-api";
import { start } from "cocart-mock";

// The library sends its credentials itself only over https; over the mock's plain http they go
// through `axiosConfig` (which replaces the library's headers, so they are all set here: the
// JWT is bound to the User-Agent of the login and of each refresh).
const UA = "CoCart - JS Client/1.1.0";
const base = { validateStatus: () => true };
const headers = (extra = {}) => ({
  Accept: "application/json",
  "Content-Type": "application/json;charset=utf-8",
  "User-Agent": UA,
  ...extra,
});

test("guest cart, login with transfer, refresh after the clock moves, update, logout", async () => {
  const mock = await start({ accessTtl: 60, users: ["alice:alice-pw"] });
  try {
    const url = mock.url;
    const guest = new CoCartAPI({ url, axiosConfig: base });
    const asUser = (token) =>
      new CoCartAPI({ url, axiosConfig: { ...base, headers: headers({ Authorization: `Bearer ${token}` }) } });

    // Guest cart.
    const added = await guest.post("cart/add-item", { id: "101", quantity: "2" });
    assert.equal(added.status, 200);
    const guestKey = added.headers["cocart-api-cart-key"];
    assert.ok(guestKey, "the guest cart key comes back in CoCart-API-Cart-Key");
    assert.equal(added.data.cart_key, guestKey);

    // Login (Basic), then the transfer: the first authenticated call names the guest cart.
    const login = await new CoCartAPI({
      url,
      axiosConfig: { ...base, auth: { username: "alice", password: "alice-pw" } },
    }).post("login");
    assert.equal(login.status, 200);
    assert.equal(login.data.user_id, "1");
    const { jwt_token: token, jwt_refresh: refresh } = login.data.extras;
    assert.match(refresh, /^[0-9a-f]{128}$/);
    const transferred = await asUser(token).get("cart", { cart_key: guestKey });
    assert.equal(transferred.status, 200);
    assert.equal(transferred.data.cart_key, "1");
    assert.deepEqual(
      transferred.data.items.map((i) => [i.id, i.quantity.value]),
      [[101, 2]],
    );
    const itemKey = transferred.data.items[0].item_key;

    // The access token expires on the mock's clock; the refresh token gives a new pair.
    await mock.advanceClock(61);
    assert.equal((await asUser(token).get("cart")).status, 403);
    const refreshed = await new CoCartAPI({ url, version: "cocart/jwt", axiosConfig: base }).post(
      "refresh-token",
      { refresh_token: refresh },
    );
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.data.token, token);
    assert.notEqual(refreshed.data.refresh_token, refresh);
    const fresh = asUser(refreshed.data.token);

    // Update the line with the new token.
    const updated = await fresh.post(`cart/item/${itemKey}`, { quantity: "3" });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.data.items.map((i) => [i.id, i.quantity.value]), [[101, 3]]);

    // Logout ends every session of the user (plugin v3).
    const out = await fresh.post("logout");
    assert.equal(out.status, 200);
    assert.equal(out.data, true);
    assert.equal((await fresh.get("cart")).status, 403);

    // What the mock saw, in order.
    const journal = (await mock.journal()).map((e) => [e.method, e.path, e.query, e.status, e.auth]);
    const v2 = "/wp-json/cocart/v2";
    assert.deepEqual(journal, [
      ["POST", `${v2}/cart/add-item`, "", 200, "none"],
      ["POST", `${v2}/login`, "", 200, "basic"],
      ["GET", `${v2}/cart`, `cart_key=${guestKey}`, 200, "bearer"],
      ["GET", `${v2}/cart`, "", 403, "bearer"],
      ["POST", "/wp-json/cocart/jwt/refresh-token", "", 200, "none"],
      ["POST", `${v2}/cart/item/${itemKey}`, "", 200, "bearer"],
      ["POST", `${v2}/logout`, "", 200, "bearer"],
      ["GET", `${v2}/cart`, "", 403, "bearer"],
    ]);
  } finally {
    await mock.stop();
  }
});
