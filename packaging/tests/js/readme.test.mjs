// The JavaScript example of the README's "Use the mock from your test suite", run as it is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

test("the README's JavaScript example runs", () => {
  const readme = readFileSync(process.env.COCART_README, "utf8");
  const section = readme.split("## Use the mock from your test suite")[1]?.split("\n## ")[0];
  assert.ok(section, "the README has the section");
  const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "the section has a js block");
  assert.equal(block.trim().split("\n").length, 5, "a five-line example");
  writeFileSync("readme-example.mjs", block);
  const out = execFileSync(process.execPath, ["readme-example.mjs"], { timeout: 30000 }).toString();
  assert.equal(out.trim(), "200 /wp-json/cocart/v2/cart");
});
