// The JavaScript examples of the README's "Use the mock from your test suite" and of the npm
// package's README, run as they are.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const repo = process.env.COCART_REPO;
const sources = [
  ["README.md", (t) => t.split("## Use the mock from your test suite")[1]?.split("\n## ")[0]],
  ["packaging/npm/cocart-mock/README.md", (t) => t],
];

for (const [file, section] of sources) {
  test(`the JavaScript example of ${file} runs`, () => {
    const text = section(readFileSync(`${repo}/${file}`, "utf8"));
    assert.ok(text, `${file} has the section`);
    const block = /```js\n([\s\S]*?)```/.exec(text)?.[1];
    assert.ok(block, "the section has a js block");
    assert.equal(block.trim().split("\n").length, 5, "a five-line example");
    writeFileSync("readme-example.mjs", block);
    const out = execFileSync(process.execPath, ["readme-example.mjs"], { timeout: 30000 }).toString();
    assert.match(out, /\/wp-json\/cocart\/v2\/cart/);
  });
}
