// The package in real workerd (Miniflare 4), installed from its npm tarball and bundled by
// wrangler: the example Worker, 100 concurrent cold requests, two isolates sharing KV, stale and
// failing KV, renewals and a cancelled request while other requests wait.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Miniflare } from "miniflare";
import { startEmulator } from "../../emulator/server.mjs";
import { scratchDir } from "../bundlers/pack.mjs";
import { buildWorkers } from "./build.mjs";

let workers;
let emulator;
const instances = [];

before(async () => {
  workers = buildWorkers();
  emulator = await startEmulator({ authPort: 0, apiPort: 0 });
});

after(async () => {
  await Promise.all(instances.map((mf) => mf.dispose()));
  await emulator?.close();
});

let tenants = 0;
function newTenant(name) {
  tenants += 1;
  return `worker-${name}-${process.pid}-${tenants}`;
}

async function admin(route, body) {
  const response = await fetch(`${emulator.authUrl}/__emulator/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, `admin ${route}`);
  return response.json();
}

async function counters(tenant) {
  const response = await fetch(`${emulator.authUrl}/__emulator/state?tenant=${tenant}`);
  return (await response.json()).counters;
}

/** A Worker isolate. `kvPersist` shared between two instances stands for two isolates. */
function worker(script, tenant, { kvPersist, vars = {} } = {}) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["ANDOPEN_TOKENS"],
    kvPersist: kvPersist ?? false,
    bindings: {
      ANDOPEN_API_KEY: "emu-api-key",
      ANDOPEN_TENANT: tenant,
      ANDOPEN_CLIENT_ID: "andopen_client_id_emulator",
      ANDOPEN_CLIENT_SECRET: "emu-client-secret",
      ANDOPEN_AUTH_URL: emulator.authUrl,
      ANDOPEN_API_URL: emulator.apiUrl,
      ...vars,
    },
  });
  instances.push(mf);
  return mf;
}

async function get(mf, path = "/") {
  const response = await mf.dispatchFetch(`http://worker${path}`);
  return { status: response.status, body: await response.json() };
}

const BANNER = "& for Makers - The &Open API - v0.1.0 (dd35125:dd351258)";

test("the example Worker answers the banner through the packed npm tarball", async () => {
  const tenant = newTenant("banner");
  const mf = worker(workers.example, tenant);
  const started = performance.now();
  const { status, body } = await get(mf);
  const coldMs = performance.now() - started;
  assert.equal(status, 200);
  assert.deepEqual(body, { banner: BANNER });
  const warmStarted = performance.now();
  await get(mf);
  console.log(`cold Worker: first request ${coldMs.toFixed(1)} ms, warm request ${(performance.now() - warmStarted).toFixed(1)} ms`);
  assert.equal((await counters(tenant)).tokenRequests.total, 1);
  // The proxy route relays the API's status.
  const missing = await mf.dispatchFetch("http://worker/api/nope");
  assert.equal(missing.status, 404);
  await missing.arrayBuffer();
});

test("100 concurrent requests to a cold Worker make one token request", async () => {
  const tenant = newTenant("burst");
  await admin("config", { tenant, authLatencyMs: 200 });
  const mf = worker(workers.example, tenant);
  const results = await Promise.all(Array.from({ length: 100 }, () => get(mf)));
  assert.deepEqual(results.map((r) => r.status), Array(100).fill(200));
  const c = await counters(tenant);
  assert.equal(c.tokenRequests.total, 1);
  assert.equal(c.apiRequests, 100);
});

test("a second isolate sharing the KV data makes no token request while the token is valid", async () => {
  const tenant = newTenant("shared-kv");
  const kvPersist = scratchDir("kv");
  const first = worker(workers.example, tenant, { kvPersist });
  assert.equal((await get(first)).status, 200);
  const second = worker(workers.example, tenant, { kvPersist });
  assert.equal((await get(second)).status, 200);
  assert.equal((await get(second)).status, 200);
  const c = await counters(tenant);
  assert.equal(c.tokenRequests.total, 1);
  assert.equal(c.apiRequests, 3);
});

test("a token in KV past its expiresAt, or inside the leeway, is not used", async () => {
  const tenant = newTenant("stale-kv");
  const kvPersist = scratchDir("kv");
  const first = worker(workers.example, tenant, { kvPersist });
  assert.equal((await get(first)).status, 200);
  const kv = await first.getKVNamespace("ANDOPEN_TOKENS");
  const { keys } = await kv.list();
  assert.equal(keys.length, 1);
  const stored = JSON.parse(await kv.get(keys[0].name));
  assert.equal(typeof stored.accessToken, "string");
  assert.ok(!JSON.stringify(stored).includes("emu-client-secret") && !JSON.stringify(stored).includes("emu-api-key"));
  // KV may serve a value after it expired: the expiresAt inside it decides.
  await kv.put(keys[0].name, JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }), { expirationTtl: 3600 });
  const second = worker(workers.example, tenant, { kvPersist });
  assert.equal((await get(second)).status, 200);
  let c = await counters(tenant);
  assert.equal(c.tokenRequests.total, 2, "the expired stored token was not used");
  assert.equal(c.unauthorized, 0, "and was never sent to the API");
  // Inside the leeway: still valid, but this isolate renews it with the stored refresh token.
  const latest = JSON.parse(await kv.get(keys[0].name));
  await kv.put(keys[0].name, JSON.stringify({ ...latest, expiresAt: Date.now() + 30_000 }), { expirationTtl: 3600 });
  const third = worker(workers.example, tenant, { kvPersist });
  assert.equal((await get(third)).status, 200);
  c = await counters(tenant);
  assert.equal(c.tokenRequests.total, 3);
  assert.equal(c.tokenRequests.refresh_token, 1);
});

test("a failing KV write never fails the call", async () => {
  const tenant = newTenant("kv-put-fails");
  const mf = worker(workers.fixture, tenant, { vars: { KV_FAULT: "put-rejects" } });
  const first = await get(mf);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.banner, BANNER);
  assert.equal((await get(mf)).status, 200);
  const events = (await get(mf, "/events")).body;
  const storeErrors = events.filter((e) => e.type === "store_error");
  assert.deepEqual(storeErrors.map((e) => e.operation), ["put"]);
  assert.ok(!JSON.stringify(events).includes("emu-client-secret"));
  assert.equal((await counters(tenant)).tokenRequests.total, 1);
});

test("requests arriving while a refresh is in flight all succeed, with one refresh request", async () => {
  const tenant = newTenant("renewal");
  await admin("config", { tenant, tokenLifetimeSeconds: 3 });
  const mf = worker(workers.fixture, tenant, { vars: { LEEWAY_SECONDS: "2" } });
  assert.equal((await get(mf)).status, 200);
  await new Promise((r) => setTimeout(r, 1100)); // inside the leeway now
  await admin("config", { tenant, authLatencyMs: 400 });
  const results = await Promise.all(Array.from({ length: 50 }, () => get(mf)));
  assert.deepEqual(results.map((r) => r.status), Array(50).fill(200));
  // Past real expiry every request needs the new token: they wait for one shared renewal.
  await new Promise((r) => setTimeout(r, 3100));
  const late = await Promise.all(Array.from({ length: 50 }, () => get(mf)));
  assert.deepEqual(late.map((r) => r.status), Array(50).fill(200), JSON.stringify(late.find((r) => r.status !== 200)));
  const c = await counters(tenant);
  assert.equal(c.tokenRequests.client_credentials, 1);
  assert.equal(c.tokenRequests.refresh_token, 2);
});

test("a request cancelled while it renews the token does not hang the others", async () => {
  const tenant = newTenant("cancelled");
  await admin("config", { tenant, authLatencyMs: 1500 });
  const mf = worker(workers.fixture, tenant, { vars: { TIMEOUT_MS: "2000", MAX_RETRIES: "0" } });
  const controller = new AbortController();
  const starter = mf.dispatchFetch("http://worker/", { signal: controller.signal }).catch((e) => e);
  await new Promise((r) => setTimeout(r, 200));
  controller.abort();
  await starter;
  const started = performance.now();
  const others = await Promise.all(Array.from({ length: 5 }, () => get(mf)));
  const waited = performance.now() - started;
  assert.deepEqual(others.map((r) => r.status), Array(5).fill(200), JSON.stringify(others));
  // Bounded: one grant's worst case (2 s) plus a timeout, then a renewal of its own (1.5 s).
  assert.ok(waited < 8000, `waited ${waited} ms`);
  console.log(`after a cancelled renewal the other requests answered in ${waited.toFixed(0)} ms`);
});
