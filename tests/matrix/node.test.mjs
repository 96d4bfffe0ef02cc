// The fault matrix (rows.mjs) in Node, through the built package (pkg/index.node.js), with a
// secret scan over everything the whole run produced. `node --test tests/matrix/node.test.mjs`
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AndOpenClient, AndOpenError, MemoryStore } from "../../pkg/index.node.js";
import { rows } from "./rows.mjs";
import { checkRow, runRow } from "./runner.mjs";
import { CREDS, counters, newTenant, secretScan, startScanEmulator } from "./harness.mjs";
import { startHostile } from "./hostile.mjs";
import { scenarios, runScenario } from "./security.mjs";
import { readFileSync } from "node:fs";
import { initSync } from "../../pkg/andopen_client.js";
import { captureConsole } from "../support/console-capture.mjs";

let emu;
let issued;
let hostileA;
let hostileB;
const corpus = [];
const stored = [];
let consoleOut = [];
let restoreConsole;

before(async () => {
  ({ emu, issued } = await startScanEmulator());
  hostileA = await startHostile("A");
  hostileB = await startHostile("B");
  // Capture what the client (or its glue) prints; node:test reports through its own stream.
  ({ lines: consoleOut, restore: restoreConsole } = captureConsole());
});
after(async () => {
  restoreConsole?.();
  await emu?.close();
  await hostileA?.close();
  await hostileB?.close();
});

for (const row of rows) {
  test(`${row.id}: ${row.name}`, async () => {
    const tenant = newTenant("node", row.id);
    const result = await runRow(row, {
      lib: { AndOpenClient, AndOpenError, MemoryStore }, authUrl: emu.authUrl, apiUrl: emu.apiUrl, tenant, creds: CREDS, runtime: "node",
    });
    const c = await counters(emu, tenant);
    const { store, clientTokens, ...rest } = result;
    corpus.push(rest);
    stored.push(store);
    clientTokens.forEach((t) => issued.add(t));
    const fails = checkRow(row, result, c, "node");
    assert.deepEqual(fails, [], `${row.id}\ncounters: ${JSON.stringify(c)}\noutcomes: ${JSON.stringify(result.outcomes.map(({ error, ...o }) => ({ ...o, error: error && { code: error.code, status: error.status, message: error.message } })))}`);
  });
}

for (const scenario of scenarios) {
  test(`security ${scenario.id}: ${scenario.name}`, async () => {
    const result = await runScenario(scenario, {
      lib: { AndOpenClient, AndOpenError, MemoryStore }, a: hostileA.url, b: hostileB.url, creds: CREDS, runtime: "node",
      watchUnhandled(listener) {
        process.on("unhandledRejection", listener);
        return () => process.off("unhandledRejection", listener);
      },
    });
    corpus.push(result.corpus);
    result.issued.forEach((t) => issued.add(t));
    assert.deepEqual(result.failures, []);
  });
}

test("wasm memory does not grow with the size of an API body (a 50 MB json() body)", async () => {
  // The package's glue module is a singleton: initSync returns the instance index.node.js made.
  const wasm = initSync({ module: readFileSync(new URL("../../pkg/andopen_client_bg.wasm", import.meta.url)) });
  const id = `memory-${process.pid}`;
  await fetch(`${hostileA.url}/__hostile/config`, { method: "POST", body: JSON.stringify({ id, api: { mode: "big", bytes: 50_000_000 } }) });
  const client = new AndOpenClient({
    apiKey: CREDS.apiKey, tenant: id, clientId: CREDS.clientId, clientSecret: CREDS.clientSecret,
    authUrl: `${hostileA.url}/t/${id}/auth`, apiUrl: `${hostileA.url}/t/${id}/v1`, timeoutMs: 30_000,
  });
  await client.accessToken();
  // Both ways into json(): the warm path (no init) and the full one (with init).
  const before = wasm.memory.buffer.byteLength;
  const warm = await client.json("/big");
  const full = await client.json("/big", { headers: { "x-trace": "1" } });
  const after = wasm.memory.buffer.byteLength;
  assert.equal(warm.pad.length, 50_000_000);
  assert.equal(full.pad.length, 50_000_000);
  assert.ok(after - before <= 64 * 1024, `wasm memory grew from ${before} to ${after} bytes`);
  client.free();
});

test("secret scan: no client secret, API key or issued token in any error, event, tokenInfo or console output; no secret in the store", () => {
  assert.ok(issued.size > 20, `the emulator issued ${issued.size} tokens`);
  assert.ok(corpus.length === rows.length + scenarios.length, "every row and scenario ran");
  const hits = secretScan({ corpus: { corpus, console: consoleOut }, stored, issued, extraSecrets: [`${CREDS.clientSecret}-WRONG`, `${CREDS.apiKey}-WRONG`] });
  assert.deepEqual(hits, []);
});
