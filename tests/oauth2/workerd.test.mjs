// `profile: "oauth2"` against a real authorization server (oidc-provider, provider.mjs) in workerd
// (Miniflare): the package is packed, installed into a scratch Worker project and bundled by
// wrangler (tests/worker/build.mjs) with oauth2-worker.js, which runs one scenario per request.
// The provider and the API run here, in Node; the Worker reaches them over loopback. Same
// scenarios and the same secret scan as node.test.mjs. `node --test tests/oauth2/workerd.test.mjs`
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Miniflare } from "miniflare";
import { bundleWorkers } from "../worker/build.mjs";
import { scenarios } from "./scenarios.mjs";
import { startScenarioEnv } from "./setup.mjs";

let setup;
let mf;
const corpus = [];

before(async () => {
  const bundled = bundleWorkers("oauth2", { entries: ["tests/oauth2/oauth2-worker.js"], sources: ["tests/oauth2/scenarios.mjs", "tests/support/console-capture.mjs"] });
  setup = await startScenarioEnv("workerd");
  mf = new Miniflare({
    modules: true,
    scriptPath: bundled["oauth2-worker.js"],
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
  });
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  await setup?.close();
});

for (const scenario of scenarios) {
  test(`${scenario.id}: ${scenario.name}`, { todo: scenario.todo }, async () => {
    const response = await mf.dispatchFetch("http://oauth2/", {
      method: "POST",
      body: JSON.stringify({ scenarioId: scenario.id, ...(await setup.ctxFor(scenario)) }),
    });
    const result = await response.json();
    assert.equal(response.status, 200, JSON.stringify(result));
    corpus.push({ corpus: result.corpus, console: result.console });
    assert.deepEqual(result.failures, []);
  });
}

test("secret scan (workerd): no client secret, wrong secret or issued token in any error, event, tokenInfo or console output", () => {
  assert.equal(corpus.length, scenarios.length, "every scenario ran");
  assert.ok(setup.env.issued.size >= 6, `the provider issued ${setup.env.issued.size} tokens`);
  assert.deepEqual(setup.secretScan(corpus), []);
});
