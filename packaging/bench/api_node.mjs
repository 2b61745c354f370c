// Times, inside one Node process, spawning the binary directly against the npm launcher's start(),
// each up to the answer of the first GET /wp-json/cocart/v2/cart; arms alternate. Prints JSON.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { start } from "cocart-mock";

const [rounds, binary] = [Number(process.argv[2]), process.argv[3]];
const PATH = "/wp-json/cocart/v2/cart";

async function direct() {
  const t0 = performance.now();
  const p = spawn(binary, ["--port", "0"], { stdio: ["ignore", "pipe", "ignore"] });
  const line = await new Promise((resolve) => createInterface({ input: p.stdout }).once("line", resolve));
  const res = await fetch(line.replace("cocart-mock listening on ", "") + PATH);
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  await new Promise((resolve) => {
    p.once("exit", resolve);
    p.kill("SIGTERM");
  });
  return ms;
}

async function launcher() {
  const t0 = performance.now();
  const mock = await start();
  const res = await fetch(mock.url + PATH);
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  await mock.stop();
  return ms;
}

const out = { direct: [], launcher: [] };
for (let r = 0; r <= rounds; r++) {
  const arms = r % 2 ? [["launcher", launcher], ["direct", direct]] : [["direct", direct], ["launcher", launcher]];
  for (const [name, f] of arms) {
    const ms = await f();
    if (r > 0) out[name].push(ms);
  }
}
console.log(JSON.stringify(out));
