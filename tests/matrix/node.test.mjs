// The fault matrix (rows.mjs) in Node, through the built package (pkg/index.node.js), with a
// secret scan over everything the whole run produced. `node --test tests/matrix/node.test.mjs`
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AndOpenClient, AndOpenError, MemoryStore } from "../../pkg/index.node.js";
import { rows } from "./rows.mjs";
import { checkRow, runRow } from "./runner.mjs";
import { CREDS, counters, newTenant, secretScan, startScanEmulator } from "./harness.mjs";

let emu;
let issued;
const corpus = [];
const stored = [];
const consoleOut = [];
const originalConsole = {};

before(async () => {
  ({ emu, issued } = await startScanEmulator());
  // Capture what the client (or its glue) prints; node:test reports through its own stream.
  for (const m of ["log", "info", "warn", "error", "debug", "trace"]) {
    originalConsole[m] = console[m];
    console[m] = (...args) => { consoleOut.push(`${m}: ${args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`); };
  }
});
after(async () => {
  Object.assign(console, originalConsole);
  await emu?.close();
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

test("secret scan: no client secret, API key or issued token in any error, event, tokenInfo or console output; no secret in the store", () => {
  assert.ok(issued.size > 20, `the emulator issued ${issued.size} tokens`);
  assert.ok(corpus.length === rows.length, "every row ran");
  const hits = secretScan({ corpus: { corpus, console: consoleOut }, stored, issued, extraSecrets: [`${CREDS.clientSecret}-WRONG`, `${CREDS.apiKey}-WRONG`] });
  assert.deepEqual(hits, []);
});
