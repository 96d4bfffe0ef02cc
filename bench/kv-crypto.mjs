// The cost of KvStore's encryptionKey: the added time per store read and write (median, µs) of
// `new KvStore(ns, { encryptionKey })` against the plain `new KvStore(ns)`, in Node (pkg/
// index.node.js) and in workerd (Miniflare, pkg/index.workerd.js). The namespace is an
// in-memory object in both, so what is measured is KvStore itself: the wasm crossing, KV's TTL
// rules, and (encrypted) AES-256-GCM through crypto.subtle plus the base64url text. A real KV
// read or write takes milliseconds, which this leaves out on purpose.
//
//   scripts/build-pkg.sh && node bench/kv-crypto.mjs [--rounds 41] [--ops 200] [--no-workerd]
//
// Node: each round times `ops` awaited calls of each kind, the two stores interleaved, and the
// median over rounds is reported. workerd advances its clocks only at I/O, so there each round is
// one request doing `ops` calls, timed from outside, minus a request doing none.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "41" },
    ops: { type: "string", default: "200" },
    "no-workerd": { type: "boolean", default: false },
  },
});
const ROUNDS = Number(args.rounds);
const OPS = Number(args.ops);
const KEY = "bench-encryption-key-0123456789abcdefghijklmnop";

// What the client stores: a JWT-sized access token, a refresh token and a scope (~1.1 KB).
const VALUE = JSON.stringify({
  v: 1,
  accessToken: "eyJ" + "A".repeat(900),
  expiresAt: Date.now() + 3_600_000,
  refreshToken: "r".repeat(64),
  scope: "read write",
});
const STORE_KEY = "andopen:v1:0123456789abcdef0123456789abcdef";

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (us) => `${us.toFixed(1).padStart(7)} µs`;

/** An in-memory KV namespace: promises, like the binding. */
function memoryNamespace() {
  const values = new Map();
  return {
    get: async (key) => values.get(key) ?? null,
    put: async (key, value) => void values.set(key, value),
    delete: async (key) => void values.delete(key),
  };
}

async function node() {
  const { KvStore } = await import(join(ROOT, "pkg/index.node.js"));
  const stores = {
    plain: new KvStore(memoryNamespace()),
    encrypted: new KvStore(memoryNamespace(), { encryptionKey: KEY }),
  };
  const options = { expirationTtl: 3600 };
  // The one-off: the first write of a new encrypted KvStore derives its key (HKDF).
  const firsts = [];
  for (let i = 0; i < 21; i += 1) {
    const fresh = new KvStore(memoryNamespace(), { encryptionKey: KEY });
    const t0 = performance.now();
    await fresh.put(STORE_KEY, VALUE, options);
    const first = performance.now() - t0;
    const t1 = performance.now();
    await fresh.put(STORE_KEY, VALUE, options);
    firsts.push((first - (performance.now() - t1)) * 1000);
    fresh.free();
  }
  for (const store of Object.values(stores)) {
    for (let i = 0; i < 500; i += 1) {
      await store.put(STORE_KEY, VALUE, options);
      if ((await store.get(STORE_KEY)) !== VALUE) throw new Error("the value did not read back");
    }
  }
  const samples = { plain: { write: [], read: [] }, encrypted: { write: [], read: [] } };
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 ? ["encrypted", "plain"] : ["plain", "encrypted"];
    for (const mode of order) {
      const store = stores[mode];
      let t0 = performance.now();
      for (let i = 0; i < OPS; i += 1) await store.put(STORE_KEY, VALUE, options);
      samples[mode].write.push(((performance.now() - t0) * 1000) / OPS);
      t0 = performance.now();
      for (let i = 0; i < OPS; i += 1) await store.get(STORE_KEY);
      samples[mode].read.push(((performance.now() - t0) * 1000) / OPS);
    }
  }
  return { samples, keyDerivationUs: median(firsts) };
}

// The Worker: /run?mode=plain|encrypted&ops=N does N writes or reads on one KvStore per mode.
const WORKER = `
import { KvStore } from "./pkg/index.workerd.js";
function memoryNamespace() {
  const values = new Map();
  return {
    get: async (key) => values.get(key) ?? null,
    put: async (key, value) => void values.set(key, value),
    delete: async (key) => void values.delete(key),
  };
}
const stores = {
  plain: new KvStore(memoryNamespace()),
  encrypted: new KvStore(memoryNamespace(), { encryptionKey: ${JSON.stringify(KEY)} }),
};
const VALUE = ${JSON.stringify(VALUE)};
const STORE_KEY = ${JSON.stringify(STORE_KEY)};
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const store = stores[url.searchParams.get("mode")];
    const ops = Number(url.searchParams.get("ops"));
    const write = url.searchParams.get("op") === "write";
    let ok = true;
    for (let i = 0; i < ops; i += 1) {
      if (write) await store.put(STORE_KEY, VALUE, { expirationTtl: 3600 });
      else ok = (await store.get(STORE_KEY)) === VALUE && ok;
    }
    return Response.json({ ok });
  },
};
`;

async function workerd() {
  const { Miniflare } = await import("miniflare");
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  const pkgModules = walk(join(ROOT, "pkg"))
    .filter((f) => f.endsWith(".js") || f.endsWith(".wasm"))
    .map((path) => ({ type: path.endsWith(".wasm") ? "CompiledWasm" : "ESModule", path, contents: readFileSync(path) }));
  const mf = new Miniflare({
    modules: [{ type: "ESModule", path: join(ROOT, "bench-kv-crypto-worker.mjs"), contents: WORKER }, ...pkgModules],
    modulesRoot: ROOT,
    compatibilityDate: "2026-04-01",
  });
  try {
    const time = async (mode, op, ops) => {
      const t0 = performance.now();
      const response = await mf.dispatchFetch(`http://bench/run?mode=${mode}&op=${op}&ops=${ops}`);
      const body = await response.json();
      if (!body.ok) throw new Error(`${mode} ${op}: the value did not read back`);
      return (performance.now() - t0) * 1000;
    };
    for (const mode of ["plain", "encrypted"]) {
      await time(mode, "write", 500);
      await time(mode, "read", 500);
    }
    const samples = { plain: { write: [], read: [] }, encrypted: { write: [], read: [] } };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 ? ["encrypted", "plain"] : ["plain", "encrypted"];
      for (const mode of order) {
        for (const op of ["write", "read"]) {
          const none = await time(mode, op, 0);
          const some = await time(mode, op, OPS);
          samples[mode][op].push((some - none) / OPS);
        }
      }
    }
    return { samples };
  } finally {
    await mf.dispose();
  }
}

function report(runtime, { samples, keyDerivationUs }) {
  console.log(`\n${runtime}: median per call over ${ROUNDS} rounds of ${OPS} calls, value ${VALUE.length} B`);
  console.log("            plain KvStore   encrypted KvStore    added");
  const added = {};
  for (const op of ["write", "read"]) {
    const plain = median(samples.plain[op]);
    const encrypted = median(samples.encrypted[op]);
    added[op] = encrypted - plain;
    console.log(`  ${op.padEnd(6)}  ${fmt(plain)}      ${fmt(encrypted)}     ${fmt(encrypted - plain)}`);
  }
  if (keyDerivationUs !== undefined) {
    console.log(`  once per KvStore (HKDF key derivation, on its first call): ${fmt(keyDerivationUs)}`);
  }
  return added;
}

console.log(`KvStore encryptionKey cost; Node ${process.version}, ${new Date().toISOString()}`);
const results = { node: report(`Node ${process.version}`, await node()) };
if (!args["no-workerd"]) {
  const version = JSON.parse(readFileSync(join(ROOT, "node_modules/miniflare/package.json"), "utf8")).version;
  results.workerd = report(`workerd (Miniflare ${version}), timed from outside the Worker`, await workerd());
}
console.log(`\n${JSON.stringify(results)}`);
