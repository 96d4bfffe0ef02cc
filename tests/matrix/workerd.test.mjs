// The fault matrix (rows.mjs) in workerd (Miniflare 4): the package is packed, installed into a
// scratch Worker project and bundled by wrangler like tests/worker/build.mjs does, with the
// matrix Worker (matrix-worker.js) that runs one row per request. Same rows, same checks and the
// same secret scan as node.test.mjs. `node --test tests/matrix/workerd.test.mjs`
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Miniflare } from "miniflare";
import { bundleWorkers } from "../worker/build.mjs";
import { rows } from "./rows.mjs";
import { checkRow } from "./runner.mjs";
import { CREDS, counters, newTenant, secretScan, startScanEmulator } from "./harness.mjs";
import { startHostile } from "./hostile.mjs";
import { scenarios } from "./security.mjs";

/** The matrix Worker, bundled against the packed package (tests/worker/build.mjs). */
function buildMatrixWorker() {
  const bundled = bundleWorkers("matrix", {
    entries: ["tests/matrix/matrix-worker.js"],
    sources: ["tests/matrix/rows.mjs", "tests/matrix/runner.mjs", "tests/matrix/security.mjs", "tests/support/console-capture.mjs"],
  });
  return bundled["matrix-worker.js"];
}

let emu;
let issued;
let mf;
let hostileA;
let hostileB;
const corpus = [];
const stored = [];

before(async () => {
  const script = buildMatrixWorker();
  ({ emu, issued } = await startScanEmulator());
  hostileA = await startHostile("A");
  hostileB = await startHostile("B");
  mf = new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
  });
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  await emu?.close();
  await hostileA?.close();
  await hostileB?.close();
});

for (const row of rows) {
  test(`${row.id}: ${row.name}`, async () => {
    const tenant = newTenant("wd", row.id);
    const response = await mf.dispatchFetch("http://matrix/", {
      method: "POST",
      body: JSON.stringify({ rowId: row.id, authUrl: emu.authUrl, apiUrl: emu.apiUrl, tenant, creds: CREDS }),
    });
    const result = await response.json();
    assert.equal(response.status, 200, result.harnessError);
    const c = await counters(emu, tenant);
    const { store, clientTokens, ...rest } = result;
    corpus.push(rest);
    stored.push(store);
    clientTokens.forEach((t) => issued.add(t));
    const fails = checkRow(row, result, c, "workerd");
    assert.deepEqual(fails, [], `${row.id}\ncounters: ${JSON.stringify(c)}\noutcomes: ${JSON.stringify(result.outcomes.map(({ error, ...o }) => ({ ...o, error: error && { code: error.code, status: error.status, message: error.message } })))}`);
  });
}

for (const scenario of scenarios) {
  test(`security ${scenario.id}: ${scenario.name}`, async () => {
    const response = await mf.dispatchFetch("http://matrix/", {
      method: "POST",
      body: JSON.stringify({ scenarioId: scenario.id, a: hostileA.url, b: hostileB.url, creds: CREDS }),
    });
    const result = await response.json();
    assert.equal(response.status, 200, result.harnessError ?? JSON.stringify(result));
    corpus.push({ corpus: result.corpus, console: result.console });
    result.issued.forEach((t) => issued.add(t));
    assert.deepEqual(result.failures, []);
  });
}

test("secret scan (workerd): no client secret, API key or issued token in any error, event, tokenInfo or console output; no secret in the store", () => {
  assert.ok(issued.size > 20, `the emulator issued ${issued.size} tokens`);
  assert.equal(corpus.length, rows.length + scenarios.length, "every row and scenario ran");
  const hits = secretScan({ corpus, stored, issued, extraSecrets: [`${CREDS.clientSecret}-WRONG`, `${CREDS.apiKey}-WRONG`] });
  assert.deepEqual(hits, []);
});
