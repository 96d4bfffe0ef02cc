// AndOpenTokenBroker in real workerd (Miniflare 4, the packed npm tarball bundled by wrangler):
// several Workers standing for several isolates, bound to one broker namespace, against the
// emulator. "direct" isolates call the broker's RPC themselves (the broker alone); "client"
// isolates use AndOpenClient's `broker` option.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startEmulator } from "../../emulator/server.mjs";
import { admin as testkitAdmin, counters as testkitCounters, newTenant as testkitTenant } from "../../emulator/testkit.mjs";
import { Miniflare } from "miniflare";
import { scratchDir } from "../bundlers/pack.mjs";
import { bundleWorkers } from "../worker/build.mjs";
import { buildBrokerWorkers, deployment, percentile } from "./harness.mjs";

const API_KEY = `broker-api-key-${process.pid}-a8f3`;
const CLIENT_SECRET = `broker-client-secret-${process.pid}-77c1`;
const CLIENT_ID = "andopen_client_id_emulator";

let workers;
let emulator;
const open = [];

before(async () => {
  workers = buildBrokerWorkers();
  emulator = await startEmulator({ authPort: 0, apiPort: 0, apiKey: API_KEY, clientSecret: CLIENT_SECRET });
});

after(async () => {
  await Promise.all(open.map((d) => d.dispose()));
  await emulator?.close();
});

const newTenant = (name) => testkitTenant(`broker-${name}`);
const admin = (route, body) => testkitAdmin(emulator.authUrl, route, body);
const counters = (tenant) => testkitCounters(emulator, tenant);

/** An isolate's env: `mode` "direct" (the broker's RPC called by the fixture) or "client". */
function env(mode, tenant, extra = {}) {
  return {
    MODE: mode,
    STORE_KEY: key(mode, tenant),
    ANDOPEN_API_KEY: API_KEY,
    ANDOPEN_TENANT: tenant,
    ANDOPEN_CLIENT_ID: CLIENT_ID,
    ANDOPEN_CLIENT_SECRET: CLIENT_SECRET,
    ANDOPEN_AUTH_URL: emulator.authUrl,
    ANDOPEN_API_URL: emulator.apiUrl,
    ...extra,
  };
}

function deploy(options) {
  const d = deployment({ workers, ...options });
  open.push(d);
  return d;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The broker object's name: the client's store key (set explicitly here). */
const key = (mode, tenant) => `${mode}:${tenant}`;
const MODES = ["direct", "client"];
const title = (mode) => (mode === "direct" ? "the broker's RPC" : "clients with broker");

function assertNoSecret(label, value) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  for (const secret of [CLIENT_SECRET, API_KEY]) {
    assert.ok(!text.includes(secret), `${label} holds a secret`);
    assert.ok(!text.includes(Buffer.from(secret).toString("base64")), `${label} holds a secret (base64)`);
  }
}

/** Requests from every isolate, one after another in each, for `ms`; returns their latencies. */
async function traffic(d, isolates, ms, path = "/") {
  const latencies = Array.from({ length: isolates }, () => []);
  const failures = [];
  const end = Date.now() + ms;
  await Promise.all(
    Array.from({ length: isolates }, async (_, i) => {
      while (Date.now() < end) {
        const r = await d.get(i, path);
        if (r.status === 200) latencies[i].push(r.ms);
        else failures.push(r.body);
        await sleep(50);
      }
    }),
  );
  return { latencies, failures };
}

/** No isolate called the auth server or saw the broker fail. */
async function assertIsolatesNeverAsked(d, isolates) {
  for (let i = 0; i < isolates; i += 1) {
    const events = (await d.get(i, "/events")).body;
    assert.deepEqual(events.filter((e) => e.type === "token_request" || e.type === "broker_error"), [], `isolate ${i}`);
  }
}

for (const mode of MODES) {
  test(`${title(mode)}: 4 isolates × 50 concurrent cold requests make 1 token request`, async () => {
    const tenant = newTenant(`cold-${mode}`);
    await admin("config", { tenant, authLatencyMs: 200 });
    const d = deploy({ env: env(mode, tenant), className: "AndOpenTokenBroker" });
    const results = await Promise.all(Array.from({ length: 200 }, (_, n) => d.get(n % 4)));
    assert.deepEqual(results.filter((r) => r.status !== 200), []);
    const c = await counters(tenant);
    assert.equal(c.tokenRequests.total, 1);
    assert.equal(c.apiRequests, 200);
    if (mode === "client") {
      assert.deepEqual(new Set(results.map((r) => r.body.source)), new Set(["broker"]));
      await assertIsolatesNeverAsked(d, 4);
    }
  });

  // The long runs (16-18 s each) with the client only; the broker's RPC alone passes them too.
  if (mode === "client") {
    test(`${title(mode)}: 3 token lifetimes of traffic, every renewal by the alarm, no request waits`, async () => {
      const tenant = newTenant(`lifetimes-${mode}`);
      const steady = newTenant(`steady-${mode}`);
      const lifetime = 6;
      const leeway = 3;
      // A slow auth server, so a request that waited for a renewal would show it.
      await admin("config", { tenant, tokenLifetimeSeconds: lifetime, authLatencyMs: 400 });
      await admin("config", { tenant: steady, authLatencyMs: 400 });
      const d = deploy({ env: env(mode, tenant, { LEEWAY_SECONDS: String(leeway) }), isolates: 8, vars: (i) => (i >= 4 ? { ANDOPEN_TENANT: steady, STORE_KEY: key(mode, steady) } : {}) });
      // The first token (cold), in both tenants.
      await Promise.all(Array.from({ length: 8 }, (_, i) => d.get(i)));
      const started = Date.now();
      const run = await traffic(d, 8, lifetime * 3 * 1000);
      const elapsed = Date.now() - started;
      assert.deepEqual(run.failures, []);
      const stats = await d.stats(key(mode, tenant));
      const c = await counters(tenant);
      // The broker renews at expiresAt - (3 s + 25%): every 2.25 s with 6 s tokens.
      const cycle = (lifetime - leeway * 1.25) * 1000;
      console.log(`3 lifetimes (${elapsed} ms): ${c.tokenRequests.total} token requests (${stats.tokenRequests.ask} asked, ${stats.tokenRequests.alarm} by the alarm; renewal every ${cycle} ms), ${stats.alarms} alarms`);
      if (stats.tokenRequests.ask !== 1) console.log(stats.events.map((e) => `${e.at - started} ${e.type}${e.inAlarm ? " (alarm)" : ""}${e.expiresIn ? ` ${e.expiresIn}` : ""}`).join("\n"));
      assert.equal(stats.tokenRequests.ask, 1, "only the cold start asks the auth server");
      assert.equal(c.tokenRequests.total, stats.tokenRequests.ask + stats.tokenRequests.alarm);
      assert.ok(Math.abs(stats.tokenRequests.alarm - elapsed / cycle) <= 1.5, `renewals ${stats.tokenRequests.alarm} for ${elapsed / cycle} cycles`);
      // Latency: the isolates of `tenant` (0-3) against those of `steady` (a token that outlives
      // the run, so never renewed), in the same run.
      const renewing = run.latencies.slice(0, 4).flat();
      const never = run.latencies.slice(4).flat();
      const [p99, p99Steady] = [percentile(renewing, 99), percentile(never, 99)];
      console.log(`latency p99: renewing ${p99.toFixed(1)} ms, never renewing ${p99Steady.toFixed(1)} ms; max ${Math.max(...renewing).toFixed(1)} / ${Math.max(...never).toFixed(1)} ms (auth latency 400 ms; ${renewing.length} + ${never.length} requests)`);
      // A request that waited for a renewal would take 400 ms more; the asks are counted above.
      assert.ok(p99 < p99Steady + 150, "renewals added latency");
      if (mode === "client") await assertIsolatesNeverAsked(d, 8);
    });

    test(`${title(mode)}: rotating refresh tokens, refresh-token-only client, 4 isolates, 4 lifetimes: no invalid_grant`, async () => {
      const tenant = newTenant(`rotation-${mode}`);
      await admin("config", { tenant, tokenLifetimeSeconds: 4, refreshTokens: true, rotateRefreshTokens: true });
      const { refresh_token: refreshToken } = await admin("refresh-token", { tenant });
      const d = deploy({
        env: env(mode, tenant, { LEEWAY_SECONDS: "1", ANDOPEN_CLIENT_SECRET: "", ANDOPEN_REFRESH_TOKEN: refreshToken }),
      });
      const run = await traffic(d, 4, 16000);
      assert.deepEqual(run.failures, []);
      const stats = await d.stats(key(mode, tenant));
      const c = await counters(tenant);
      const errors = stats.events.filter((e) => e.type === "token_error");
      console.log(`rotation: ${c.tokenRequests.refresh_token} refresh grants, ${c.tokenRequests.client_credentials} client credentials, ${errors.length} token errors`);
      assert.deepEqual(errors, []);
      assert.equal(c.tokenRequests.client_credentials, 0);
      assert.ok(c.tokenRequests.refresh_token >= 4);
    });
  }

  test(`${title(mode)}: all tokens revoked, every isolate's next call succeeds after 1 renewal in all`, async () => {
    const tenant = newTenant(`revoke-${mode}`);
    const d = deploy({ env: env(mode, tenant) });
    for (let i = 0; i < 4; i += 1) assert.equal((await d.get(i)).status, 200);
    assert.equal((await counters(tenant)).tokenRequests.total, 1);
    await admin("revoke", { tenant });
    const results = await Promise.all(Array.from({ length: 40 }, (_, n) => d.get(n % 4)));
    assert.deepEqual(results.filter((r) => r.status !== 200), []);
    assert.equal((await counters(tenant)).tokenRequests.total, 2);
  });

  test(`${title(mode)}: the broker restarted with its storage kept: 0 token requests while the stored token is valid`, async () => {
    const tenant = newTenant(`restart-${mode}`);
    const persist = scratchDir("broker");
    const first = deploy({ env: env(mode, tenant), persist });
    for (let i = 0; i < 4; i += 1) assert.equal((await first.get(i)).status, 200);
    assert.equal((await counters(tenant)).tokenRequests.total, 1);
    await first.dispose();
    open.splice(open.indexOf(first), 1);
    const second = deploy({ env: env(mode, tenant), persist });
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => second.get(n % 4)));
    assert.deepEqual(results.filter((r) => r.status !== 200), []);
    assert.equal((await counters(tenant)).tokenRequests.total, 1);
    const stats = await second.stats(key(mode, tenant));
    assert.equal(stats.events.filter((e) => e.type === "store_hit").length, 1);
    await second.dispose();
    open.splice(open.indexOf(second), 1);
    // The persisted files (SQLite) hold the tokens, never a secret.
    const files = [];
    const walk = (dir) => readdirSync(dir).forEach((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : files.push(join(dir, f))));
    walk(persist);
    assert.ok(files.length > 0);
    for (const file of files) assertNoSecret(file, readFileSync(file).toString("latin1"));
  });

  test(`${title(mode)}: secret scan of its storage, events and errors`, async () => {
    const tenant = newTenant(`scan-${mode}`);
    await admin("config", { tenant, refreshTokens: true });
    const d = deploy({ env: env(mode, tenant) });
    assert.equal((await d.get(0)).status, 200);
    // A refused secret: the broker's error crosses RPC to the isolate.
    const wrong = deploy({ env: env(mode, newTenant(`scan-wrong-${mode}`), { ANDOPEN_CLIENT_SECRET: `${CLIENT_SECRET}-wrong` }), isolates: 1 });
    const refused = await wrong.get(0);
    assert.equal(refused.status, 502);
    assertNoSecret("the error", refused.body);
    assert.ok(!JSON.stringify(refused.body).includes(`${CLIENT_SECRET}-wrong`));
    const stats = await d.stats(key(mode, tenant));
    assert.deepEqual(Object.keys(stats.stored), ["token"]);
    const stored = JSON.parse(stats.stored.token);
    assert.ok(stored.accessToken && stored.refreshToken, "the broker keeps the access and refresh tokens");
    assertNoSecret("the broker's storage", stats.stored);
    assertNoSecret("the broker's events", stats.events);
    if (mode === "client") {
      assertNoSecret("the isolates' events", (await d.get(0, "/events")).body);
      assertNoSecret("the refused isolate's events", (await wrong.get(0, "/events")).body);
    }
    assert.ok(stats.alarmAt > Date.now(), "an alarm is set for the renewal");
  });
}

test("clients with broker: a broker binding whose get() throws, whose stub never answers, or answers over 64 KB: calls succeed, broker_error, bounded token requests", async () => {
  for (const fault of ["throws", "hangs", "too-large"]) {
    const tenant = newTenant(`fault-${fault}`);
    await admin("config", { tenant, authLatencyMs: 100 });
    const d = deploy({ env: env("client", tenant, { BROKER_FAULT: fault, TIMEOUT_MS: "500" }) });
    const results = await Promise.all(Array.from({ length: 200 }, (_, n) => d.get(n % 4)));
    assert.deepEqual(results.filter((r) => r.status !== 200), [], fault);
    const c = await counters(tenant);
    // Each isolate renews by itself once: at most one token request per isolate.
    assert.ok(c.tokenRequests.total >= 1 && c.tokenRequests.total <= 4, `${fault}: ${c.tokenRequests.total} token requests`);
    let brokerErrors = 0;
    for (let i = 0; i < 4; i += 1) {
      const events = (await d.get(i, "/events")).body;
      const errors = events.filter((e) => e.type === "broker_error");
      brokerErrors += errors.length;
      assertNoSecret(`isolate ${i}'s events`, events);
      // The padded answer is refused unread: its token is never sent to the API.
      if (fault === "too-large") assert.deepEqual(errors.map((e) => e.message).filter((m) => m !== "the broker answered something that is not a token"), [], `isolate ${i}`);
    }
    if (fault === "too-large") assert.equal(c.unauthorized, 0, "the padded token reached the API");
    console.log(`broker ${fault}: ${c.tokenRequests.total} token requests for 4 isolates, ${brokerErrors} broker_error events, 200/200 calls ok`);
    assert.ok(brokerErrors >= 1, `${fault}: no broker_error`);
  }
});

test("the example Worker (examples/worker, its wrangler.toml): two isolates with separate KV share one token through the broker", async () => {
  const { "index.js": script } = bundleWorkers("broker-example", {
    entries: ["examples/worker/src/index.js"],
    wranglerToml: "examples/worker/wrangler.toml",
  });
  const tenant = newTenant("example");
  const bindings = env("client", tenant);
  const worker = (name, broker, kv) => ({
    name,
    modules: true,
    scriptPath: script,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    bindings,
    kvNamespaces: { ANDOPEN_TOKENS: kv },
    durableObjects: { ANDOPEN_BROKER: broker },
  });
  const mf = new Miniflare({
    workers: [
      worker("example", { className: "AndOpenTokenBroker", useSQLite: true }, "kv-1"),
      worker("example-2", { className: "AndOpenTokenBroker", scriptName: "example", useSQLite: true }, "kv-2"),
    ],
  });
  open.push(mf);
  for (const name of ["example", "example-2", "example", "example-2"]) {
    const response = await (await mf.getWorker(name)).fetch("http://worker/");
    assert.equal(response.status, 200, name);
    assert.ok((await response.json()).banner.startsWith("& for Makers"));
  }
  assert.equal((await counters(tenant)).tokenRequests.total, 1);
});
