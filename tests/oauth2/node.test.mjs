// `profile: "oauth2"` against a real authorization server (oidc-provider, provider.mjs) in Node,
// through the built package (pkg/index.node.js): the scenarios of scenarios.mjs, then a secret
// scan over all they produced. `node --test tests/oauth2/node.test.mjs`
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AndOpenClient, AndOpenError, MemoryStore } from "../../pkg/index.node.js";
import { runScenario, scenarios } from "./scenarios.mjs";
import { startScenarioEnv } from "./setup.mjs";
import { captureConsole } from "../support/console-capture.mjs";

let setup;
const corpus = [];
let consoleOut = [];
let restoreConsole;

before(async () => {
  setup = await startScenarioEnv("node");
  // What the client (or its glue) prints, for the scan; node:test reports through its own stream.
  ({ lines: consoleOut, restore: restoreConsole } = captureConsole());
});
after(async () => {
  restoreConsole?.();
  await setup?.close();
});

for (const scenario of scenarios) {
  test(`${scenario.id}: ${scenario.name}`, { todo: scenario.todo }, async () => {
    const result = await runScenario(scenario, { lib: { AndOpenClient, AndOpenError, MemoryStore }, ...(await setup.ctxFor(scenario)) });
    corpus.push(result.corpus);
    assert.deepEqual(result.failures, []);
  });
}

test("secret scan (Node): no client secret, wrong secret or issued token in any error, event, tokenInfo or console output", () => {
  assert.equal(corpus.length, scenarios.length, "every scenario ran");
  assert.ok(setup.env.issued.size >= 6, `the provider issued ${setup.env.issued.size} tokens`);
  assert.deepEqual(setup.secretScan({ corpus, console: consoleOut }), []);
});
