// The package from a CommonJS file in Node 22.12+ (`require` of an ES module): the `node` entry
// loads the .wasm synchronously (no top-level await), so `require("andopen-client")` works, and
// a real authenticated call goes through it against the emulator.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { startEmulator } from "../../emulator/server.mjs";
import { installPacked } from "./pack.mjs";

const run = promisify(execFile);
let emulator;
let dir;

before(async () => {
  dir = installPacked("require", { type: "commonjs" });
  emulator = await startEmulator({ authPort: 0, apiPort: 0 });
});
after(() => emulator?.close());

test(`require("andopen-client") in a CommonJS file (Node ${process.version})`, async () => {
  writeFileSync(
    join(dir, "main.js"),
    `"use strict";
const { AndOpenClient, AndOpenError, MemoryStore, KvStore } = require("andopen-client");
const client = new AndOpenClient({
  apiKey: "emu-api-key", tenant: process.env.TENANT, clientId: "andopen_client_id_emulator",
  clientSecret: "emu-client-secret", authUrl: process.env.AUTH_URL, apiUrl: process.env.API_URL,
});
client.ping().then(async (banner) => {
  let code;
  try { new AndOpenClient({}); } catch (e) { code = e instanceof AndOpenError && e.code; }
  console.log(JSON.stringify({ banner, code, classes: [typeof MemoryStore, typeof KvStore], info: await client.tokenInfo() }));
});
`,
  );
  const tenant = `require-${process.pid}`;
  const { stdout, stderr } = await run(process.execPath, ["main.js"], {
    cwd: dir,
    env: { ...process.env, TENANT: tenant, AUTH_URL: emulator.authUrl, API_URL: emulator.apiUrl },
  });
  const result = JSON.parse(stdout);
  assert.match(result.banner, /^& for Makers - The &Open API/);
  assert.equal(result.code, "invalid_config");
  assert.deepEqual(result.classes, ["function", "function"]);
  assert.equal(result.info.source, "network");
  assert.doesNotMatch(stderr, /ExperimentalWarning|Error/, "require() of the package prints no warning or error");
  const state = await (await fetch(`${emulator.authUrl}/__emulator/state?tenant=${tenant}`)).json();
  assert.equal(state.counters.tokenRequests.total, 1);
});

test("the package's exports give require() the node entry", async () => {
  const { stdout } = await run(process.execPath, ["-p", 'require.resolve("andopen-client")'], { cwd: dir });
  assert.match(stdout.trim(), /index\.node\.js$/);
});
