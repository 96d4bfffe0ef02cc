// KvStore's encryptionKey in Node (pkg/index.node.js, WebCrypto's crypto.subtle), over a KV
// namespace kept in a Map, and the client over it against the emulator. The workerd side, with
// real KV through Miniflare, is kv-encryption.test.mjs.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AndOpenClient, AndOpenError, KvStore, MemoryStore } from "../../pkg/index.node.js";
import { startEmulator } from "../../emulator/server.mjs";
import { SEALED_FORMAT, encodedForms, flipOneBit, leaks, openSealed, seal, truncations } from "./kv-crypto-spec.mjs";

const KEY = "k".repeat(24) + "-node-test-secret-0123456789";
const OTHER_KEY = "o".repeat(24) + "-node-test-secret-0123456789";

/** A KV namespace in a Map that records its puts' options. */
function fakeNamespace() {
  const values = new Map();
  const puts = [];
  return {
    values,
    puts,
    async get(key) {
      return values.get(key) ?? null;
    },
    async put(key, value, options) {
      puts.push({ key, options });
      values.set(key, value);
    },
    async delete(key) {
      values.delete(key);
    },
  };
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

function constructorError(...args) {
  try {
    new KvStore(...args);
  } catch (error) {
    return error;
  }
  assert.fail(`new KvStore(${JSON.stringify(args.slice(1))}) did not throw`);
}

test("with encryptionKey, values are stored as aoenc1 text that decrypts to them, with KV's TTL rules", async () => {
  const ns = fakeNamespace();
  const store = new KvStore(ns, { encryptionKey: KEY });
  const value = JSON.stringify({ v: 1, accessToken: "at-secret-value-12345", expiresAt: Date.now() + 60_000 });
  await store.put("tokens:a", value, { expirationTtl: 5 });
  const raw = ns.values.get("tokens:a");
  assert.match(raw, SEALED_FORMAT);
  assert.deepEqual(leaks(raw, ["at-secret-value-12345"]), []);
  assert.equal(await store.get("tokens:a"), value);
  // The documented scheme, checked with node:crypto rather than WebCrypto.
  assert.equal(openSealed(KEY, "tokens:a", raw), value);
  assert.equal(await store.get("absent"), null);
  assert.deepEqual(ns.puts.map((p) => p.options), [{ expirationTtl: 60 }]);
  // A value sealed by the spec's own code reads back: the two sides agree in both directions.
  ns.values.set("tokens:b", seal(KEY, "tokens:b", "from node:crypto"));
  assert.equal(await store.get("tokens:b"), "from node:crypto");
});

test("every write has a fresh IV: the same value written twice is stored differently", async () => {
  const ns = fakeNamespace();
  const store = new KvStore(ns, { encryptionKey: KEY });
  const seen = new Set();
  for (let i = 0; i < 50; i += 1) {
    await store.put("k", "same value", {});
    const raw = ns.values.get("k");
    seen.add(raw.split(".")[1]);
  }
  assert.equal(seen.size, 50);
});

test("the CryptoKey is derived once per KvStore, lazily", async () => {
  const subtle = globalThis.crypto.subtle;
  const original = subtle.deriveKey;
  let derivations = 0;
  subtle.deriveKey = function (...args) {
    derivations += 1;
    return original.apply(this, args);
  };
  try {
    const ns = fakeNamespace();
    const store = new KvStore(ns, { encryptionKey: KEY });
    assert.equal(derivations, 0, "not derived by the constructor");
    await Promise.all([store.put("a", "1", {}), store.put("b", "2", {}), store.get("a")]);
    for (let i = 0; i < 10; i += 1) await store.get("b");
    assert.equal(derivations, 1);
    const another = new KvStore(ns, { encryptionKey: KEY });
    assert.equal(await another.get("a"), "1");
    assert.equal(derivations, 2, "one per KvStore");
  } finally {
    delete subtle.deriveKey;
    if (subtle.deriveKey !== original) subtle.deriveKey = original;
  }
});

test("a value that does not decrypt makes get reject with KvDecryptionError, no key material in it", async () => {
  const ns = fakeNamespace();
  const store = new KvStore(ns, { encryptionKey: KEY });
  await store.put("tokens:a", JSON.stringify({ v: 1, accessToken: "at-0123456789" }), {});
  const good = ns.values.get("tokens:a");
  ns.values.set("tokens:copy", good);
  ns.values.set("plain", JSON.stringify({ v: 1, accessToken: "x", expiresAt: 1 }));
  ns.values.set("empty", "");
  ns.values.set("v9", good.replace(/^aoenc1/, "aoenc9"));
  ns.values.set("b64", good.replace(/-|_/g, "+") + "+/");
  ns.values.set("huge", "aoenc1." + "A".repeat(200_000));
  ns.values.set("iv-flip", good.replace(/^(aoenc1\.)(.)/, (_, p, c) => p + (c === "A" ? "B" : "A")));
  const cases = {
    "another key": () => new KvStore(ns, { encryptionKey: OTHER_KEY }).get("tokens:a"),
    "another storage key (the value copied)": () => store.get("tokens:copy"),
    "an unencrypted value": () => store.get("plain"),
    "an empty string": () => store.get("empty"),
    "a wrong version prefix": () => store.get("v9"),
    "characters outside base64url": () => store.get("b64"),
    "a 200 KB value": () => store.get("huge"),
    "the IV changed": () => store.get("iv-flip"),
  };
  for (let bit = 0; bit < 8; bit += 1) {
    ns.values.set(`flip${bit}`, flipOneBit(good, bit));
    cases[`bit ${bit} flipped`] = () => store.get(`flip${bit}`);
  }
  for (const [name, text] of Object.entries(truncations(good))) {
    ns.values.set(`cut:${name}`, text);
    cases[`truncated: ${name}`] = () => store.get(`cut:${name}`);
  }
  for (const [name, read] of Object.entries(cases)) {
    const error = await rejection(read());
    assert.ok(error instanceof Error, name);
    assert.equal(error.name, "KvDecryptionError", name);
    assert.match(error.message, /could not be decrypted/, name);
    assert.deepEqual(leaks(`${error.message} ${error.stack}`, [KEY, OTHER_KEY]), [], name);
  }
});

test("the namespace's own failures pass through unchanged (and delete is not encrypted)", async () => {
  const failing = {
    get: () => {
      throw new Error("KV GET failed");
    },
    put: () => Promise.reject(new Error("KV PUT failed")),
    delete: async () => {},
  };
  const store = new KvStore(failing, { encryptionKey: KEY });
  assert.equal((await rejection(store.get("k"))).message, "KV GET failed");
  assert.equal((await rejection(store.put("k", "v", {}))).message, "KV PUT failed");
  const ns = fakeNamespace();
  ns.values.set("k", "anything");
  await new KvStore(ns, { encryptionKey: KEY }).delete("k");
  assert.equal(ns.values.has("k"), false);
});

test("options: a key under 32 characters, a non-string or unset key, an unknown option are invalid_config", () => {
  const ns = fakeNamespace();
  const refused = {
    "31 characters": { encryptionKey: "x".repeat(31) },
    "empty string": { encryptionKey: "" },
    "undefined (an unset Worker secret)": { encryptionKey: undefined },
    null: { encryptionKey: null },
    "a number": { encryptionKey: 12345678901234567890123456789012345 },
    "bytes": { encryptionKey: new Uint8Array(32) },
    "an unknown option": { encryptionKey: KEY, encryptionkey: KEY },
    "a typo": { encryption_key: KEY },
    // An own "__proto__" key is an unknown option (it used to become the options copy's
    // prototype: the key under it was ignored, and the store was plain).
    "an own __proto__ key": JSON.parse(`{"__proto__": {"encryptionKey": "${KEY}"}}`),
    "a string for options": "x".repeat(40),
    "options whose getter throws": Object.defineProperty({}, "encryptionKey", { enumerable: true, get() { throw new Error("boom"); } }),
  };
  for (const [name, options] of Object.entries(refused)) {
    const error = constructorError(ns, options);
    assert.ok(error instanceof AndOpenError, name);
    assert.equal(error.code, "invalid_config", name);
    assert.ok(!error.message.includes("x".repeat(31)) && !error.message.includes(KEY), `${name}: ${error.message}`);
  }
  // 32 characters (not bytes: 32 non-ASCII characters count as 32) is enough; none means plain.
  new KvStore(ns, { encryptionKey: "x".repeat(32) });
  new KvStore(ns, { encryptionKey: "é".repeat(32) });
  new KvStore(ns);
  new KvStore(ns, undefined);
  new KvStore(ns, {});
  assert.equal(constructorError({}, { encryptionKey: KEY }).code, "invalid_config");
});

test("without encryptionKey nothing changes: values are stored as given", async () => {
  const ns = fakeNamespace();
  const store = new KvStore(ns);
  await store.put("k", "plain text", { expirationTtl: 120 });
  assert.equal(ns.values.get("k"), "plain text");
  assert.equal(await store.get("k"), "plain text");
});

// The client over an encrypted KvStore, against the emulator.
let emulator;
let tenants = 0;
before(async () => {
  emulator = await startEmulator({ authPort: 0, apiPort: 0 });
});
after(async () => {
  await emulator?.close();
});

function newClient(tenant, store, events) {
  return new AndOpenClient({
    apiKey: "emu-api-key",
    tenant,
    clientId: "andopen_client_id_emulator",
    clientSecret: "emu-client-secret",
    authUrl: emulator.authUrl,
    apiUrl: emulator.apiUrl,
    store,
    onEvent: (event) => events.push(event),
  });
}

async function tokenRequests(tenant) {
  const response = await fetch(`${emulator.authUrl}/__emulator/state?tenant=${tenant}`);
  return (await response.json()).counters.tokenRequests.total;
}

test("the client: tokens encrypted at rest, shared by clients with the key, a miss plus store_error otherwise", async () => {
  tenants += 1;
  const tenant = `kv-enc-node-${process.pid}-${tenants}`;
  const ns = fakeNamespace();
  const events = [];
  const first = newClient(tenant, new KvStore(ns, { encryptionKey: KEY }), events);
  assert.match(await first.ping(), /^& for Makers/);
  const accessToken = await first.accessToken();
  assert.equal(ns.values.size, 1);
  const [[storageKey, raw]] = ns.values;
  assert.match(raw, SEALED_FORMAT);
  const stored = JSON.parse(openSealed(KEY, storageKey, raw));
  assert.equal(stored.accessToken, accessToken);
  const secrets = [accessToken, ...(stored.refreshToken ? [stored.refreshToken] : [])];
  assert.deepEqual(leaks(raw, secrets), []);
  // The scan itself finds a token that is only encoded.
  assert.ok(leaks(Buffer.from(JSON.stringify(stored)).toString("base64"), [accessToken]).length > 0);
  assert.ok(leaks(Buffer.from(`x${JSON.stringify(stored)}`).toString("hex"), [accessToken]).length > 0);

  // Another client (a cold isolate) with the same key reuses it.
  const secondEvents = [];
  const second = newClient(tenant, new KvStore(ns, { encryptionKey: KEY }), secondEvents);
  await second.ping();
  assert.equal(await tokenRequests(tenant), 1);
  assert.deepEqual(secondEvents.map((e) => e.type), ["store_hit"]);

  // Each unreadable value: the call succeeds, with store_error (get) and a token request.
  const unreadable = {
    "another key": null,
    "one bit flipped": flipOneBit(raw),
    truncated: raw.slice(0, -4),
    "an old unencrypted value": JSON.stringify(stored),
  };
  let expected = 1;
  for (const [name, value] of Object.entries(unreadable)) {
    if (value !== null) ns.values.set(storageKey, value);
    const caseEvents = [];
    const key = name === "another key" ? OTHER_KEY : KEY;
    const client = newClient(tenant, new KvStore(ns, { encryptionKey: key }), caseEvents);
    assert.match(await client.ping(), /^& for Makers/, name);
    expected += 1;
    assert.equal(await tokenRequests(tenant), expected, name);
    const errors = caseEvents.filter((e) => e.type === "store_error");
    assert.deepEqual(errors.map((e) => e.operation), ["get"], `${name}: ${JSON.stringify(caseEvents)}`);
    assert.match(errors[0].message, /KvDecryptionError/, name);
    assert.ok(!caseEvents.some((e) => e.type === "store_hit"), name);
    // The new token is written back encrypted with this client's key.
    assert.equal(JSON.parse(openSealed(key, storageKey, ns.values.get(storageKey))).accessToken, await client.accessToken(), name);
    const all = JSON.stringify(caseEvents);
    assert.deepEqual(leaks(all, [KEY, OTHER_KEY, accessToken, await client.accessToken()]), [], name);
    client.free();
    // Put the original back for the next case.
    ns.values.set(storageKey, raw);
  }
  first.free();
  second.free();
});

test("a plain KvStore reading an encrypted value: unreadable, a miss plus store_error", async () => {
  tenants += 1;
  const tenant = `kv-enc-node-${process.pid}-${tenants}`;
  const ns = fakeNamespace();
  const writer = newClient(tenant, new KvStore(ns, { encryptionKey: KEY }), []);
  await writer.ping();
  const events = [];
  const reader = newClient(tenant, new KvStore(ns), events);
  await reader.ping();
  assert.deepEqual(events.filter((e) => e.type.startsWith("store_")).map((e) => `${e.type}:${e.operation ?? ""}`), ["store_error:get", "store_miss:"]);
  assert.equal(await tokenRequests(tenant), 2);
  writer.free();
  reader.free();
  // A MemoryStore is untouched by any of this.
  assert.equal(typeof new MemoryStore().get, "function");
});
