// The encrypted KvStore in real workerd (Miniflare 4, its KV emulation), installed from the npm
// tarball and bundled by wrangler: several Workers bound to one KV namespace, some with the same
// encryptionKey, one with another, one without. The raw KV value is read straight from the
// namespace and searched for the tokens in every encoding.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Miniflare } from "miniflare";
import { startEmulator } from "../../emulator/server.mjs";
import { bundleWorkers } from "./build.mjs";
import { SEALED_FORMAT, flipOneBit, leaks, openSealed, truncations } from "./kv-crypto-spec.mjs";

const KEY = "workerd-kv-encryption-test-key-0123456789abcdef";
const OTHER_KEY = "another-workerd-kv-encryption-key-0123456789";
const BANNER = "& for Makers - The &Open API - v0.1.0 (dd35125:dd351258)";

let script;
let emulator;
const instances = [];

before(async () => {
  script = bundleWorkers("kv-encryption", { entries: ["tests/worker/kv-encryption-worker.js"] })["kv-encryption-worker.js"];
  emulator = await startEmulator({ authPort: 0, apiPort: 0 });
});

after(async () => {
  await Promise.all(instances.map((mf) => mf.dispose()));
  await emulator?.close();
});

let tenants = 0;
function newTenant(name) {
  tenants += 1;
  return `kv-enc-${name}-${process.pid}-${tenants}`;
}

async function tokenRequests(tenant) {
  const response = await fetch(`${emulator.authUrl}/__emulator/state?tenant=${tenant}`);
  return (await response.json()).counters.tokenRequests.total;
}

/**
 * One Miniflare running a Worker per entry of `keys` (name → encryptionKey, or null for a plain
 * KvStore), each its own isolate, all bound to the same KV namespace id.
 */
function workers(tenant, keys) {
  const mf = new Miniflare({
    workers: Object.entries(keys).map(([name, key]) => ({
      name,
      modules: true,
      scriptPath: script,
      modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: "2026-04-01",
      kvNamespaces: { ANDOPEN_TOKENS: "shared-token-namespace" },
      bindings: {
        ANDOPEN_API_KEY: "emu-api-key",
        ANDOPEN_TENANT: tenant,
        ANDOPEN_CLIENT_ID: "andopen_client_id_emulator",
        ANDOPEN_CLIENT_SECRET: "emu-client-secret",
        ANDOPEN_AUTH_URL: emulator.authUrl,
        ANDOPEN_API_URL: emulator.apiUrl,
        ...(key === null ? {} : { KV_ENCRYPTION_KEY: key }),
      },
    })),
  });
  instances.push(mf);
  const get = async (name, path = "/") => {
    const worker = await mf.getWorker(name);
    const response = await worker.fetch(`http://worker${path}`);
    return { status: response.status, body: await response.json() };
  };
  const kv = () => mf.getKVNamespace("ANDOPEN_TOKENS", Object.keys(keys)[0]);
  return { mf, get, kv };
}

/** The one key in the namespace and its raw value. */
async function rawEntry(kv) {
  const { keys } = await kv.list();
  assert.equal(keys.length, 1, JSON.stringify(keys));
  return { name: keys[0].name, raw: await kv.get(keys[0].name) };
}

test("the raw KV value holds no token in any encoding, and decrypts by the documented scheme", async () => {
  const tenant = newTenant("raw");
  const { get, kv } = workers(tenant, { a: KEY });
  const first = await get("a");
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.banner, BANNER);
  const { accessToken } = (await get("a", "/token")).body;
  assert.equal(typeof accessToken, "string");
  const namespace = await kv();
  const { name, raw } = await rawEntry(namespace);
  assert.match(raw, SEALED_FORMAT);
  // What workerd's WebCrypto wrote, node:crypto reads with the documented HKDF parameters.
  const stored = JSON.parse(openSealed(KEY, name, raw));
  assert.equal(stored.accessToken, accessToken);
  const secrets = [accessToken, ...(stored.refreshToken ? [stored.refreshToken] : [])];
  assert.deepEqual(leaks(raw, secrets), []);
  assert.deepEqual(leaks(raw, ["emu-client-secret", "emu-api-key", KEY]), []);
  // The metadata KV keeps beside the value holds nothing either.
  const { keys } = await namespace.list();
  assert.deepEqual(leaks(JSON.stringify(keys), [...secrets, KEY]), []);
  assert.deepEqual(leaks(JSON.stringify((await get("a", "/events")).body), [...secrets, KEY]), []);
});

test("a second Worker (another isolate) with the same key reuses the token: 0 token requests", async () => {
  const tenant = newTenant("shared");
  const { get } = workers(tenant, { a: KEY, b: KEY });
  assert.equal((await get("a")).status, 200);
  assert.equal(await tokenRequests(tenant), 1);
  const second = await get("b");
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.equal(second.body.info.source, "store");
  assert.equal((await get("b")).status, 200);
  assert.equal(await tokenRequests(tenant), 1, "the second isolate made no token request");
  const events = (await get("b", "/events")).body;
  assert.deepEqual(events.map((e) => e.type), ["store_hit"]);
});

/** Asserts that a cold client of `worker` treats the KV value as a miss plus store_error. */
async function assertMissWithStoreError(get, worker, tenant, requestsBefore, what) {
  await get(worker, "/cold");
  const response = await get(worker);
  assert.equal(response.status, 200, `${what}: ${JSON.stringify(response.body)}`);
  assert.equal(response.body.banner, BANNER, what);
  assert.equal(response.body.info.source, "network", what);
  assert.equal(await tokenRequests(tenant), requestsBefore + 1, `${what}: one token request`);
  const events = (await get(worker, "/events")).body;
  const errors = events.filter((e) => e.type === "store_error");
  assert.deepEqual(errors.map((e) => e.operation), ["get"], `${what}: ${JSON.stringify(events)}`);
  assert.ok(!events.some((e) => e.type === "store_hit"), what);
  return errors[0];
}

test("another key: a miss plus store_error, never a failed call", async () => {
  const tenant = newTenant("wrong-key");
  const { get, kv } = workers(tenant, { a: KEY, c: OTHER_KEY });
  assert.equal((await get("a")).status, 200);
  const error = await assertMissWithStoreError(get, "c", tenant, 1, "another key");
  assert.match(error.message, /KvDecryptionError/);
  assert.deepEqual(leaks(error.message, [KEY, OTHER_KEY]), []);
  // c wrote its token back, under its own key.
  const { name, raw } = await rawEntry(await kv());
  assert.equal(JSON.parse(openSealed(OTHER_KEY, name, raw)).accessToken, (await get("c", "/token")).body.accessToken);
});

test("a tampered value (one bit flipped) and truncated values: each a miss plus store_error", async () => {
  const tenant = newTenant("tampered");
  const { get, kv } = workers(tenant, { a: KEY });
  assert.equal((await get("a")).status, 200);
  const namespace = await kv();
  const { name, raw } = await rawEntry(namespace);
  const cut = truncations(raw);
  const cases = {
    "one bit flipped": flipOneBit(raw),
    "truncated by one character": cut["last character"],
    "truncated by 3 bytes": cut["last 4 characters (3 bytes of the tag)"],
    "truncated to half": cut.half,
  };
  let requests = 1;
  for (const [what, value] of Object.entries(cases)) {
    await namespace.put(name, value, { expirationTtl: 3600 });
    const error = await assertMissWithStoreError(get, "a", tenant, requests, what);
    requests += 1;
    assert.match(error.message, /KvDecryptionError/, what);
  }
  // The last renewal wrote a good value again: a cold client reads it.
  await get("a", "/cold");
  assert.equal((await get("a")).body.info.source, "store");
  assert.equal(await tokenRequests(tenant), requests);
});

test("an old unencrypted value: a miss plus store_error, then stored encrypted", async () => {
  const tenant = newTenant("plain");
  const { get, kv } = workers(tenant, { a: KEY, plain: null });
  // A Worker still on the plain KvStore wrote the value.
  assert.equal((await get("plain")).status, 200);
  const namespace = await kv();
  const { name, raw } = await rawEntry(namespace);
  assert.equal(typeof JSON.parse(raw).accessToken, "string", "the plain KvStore stored JSON");
  const error = await assertMissWithStoreError(get, "a", tenant, 1, "an old unencrypted value");
  assert.match(error.message, /KvDecryptionError/);
  const rewritten = await rawEntry(namespace);
  assert.equal(rewritten.name, name);
  assert.match(rewritten.raw, SEALED_FORMAT);
  // And the plain Worker, reading the encrypted value, sees an unreadable value: a miss too.
  await get("plain", "/cold");
  const plainAgain = await get("plain");
  assert.equal(plainAgain.status, 200);
  const events = (await get("plain", "/events")).body;
  assert.deepEqual(events.filter((e) => e.type.startsWith("store_")).map((e) => e.type), ["store_error", "store_miss"]);
});

test("an encryptionKey under 32 characters is invalid_config (an AndOpenError from the constructor)", async () => {
  const tenant = newTenant("short");
  const { get } = workers(tenant, { a: KEY });
  const short = await get("a", `/construct?key=${"s".repeat(31)}`);
  assert.deepEqual(
    { isAndOpenError: short.body.isAndOpenError, code: short.body.code },
    { isAndOpenError: true, code: "invalid_config" },
  );
  assert.ok(!short.body.message.includes("s".repeat(31)));
  assert.deepEqual((await get("a", `/construct?key=${"s".repeat(32)}`)).body, { constructed: true });
  // A Worker whose KvStore cannot be built fails its calls with that error, typed.
  const { get: getShort } = workers(newTenant("short-worker"), { short: "too-short-key" });
  const failed = await getShort("short");
  assert.equal(failed.status, 502);
  assert.equal(failed.body.error, "invalid_config");
});
