// Cold start of the package in workerd (via miniflare): a tiny Worker that imports
// pkg/index.workerd.js (the .wasm as a CompiledWasm module) and pings the emulator, and the same
// Worker around @badgateway/oauth2-client (pure JS) as the baseline, in the same rounds.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { CREDS } from "./contenders.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// BENCH_PKG_DIR (a folder under the repository, default pkg) measures another build, e.g. an
// older one, for a before/after in the same run.
const PKG_DIR = process.env.BENCH_PKG_DIR ?? "pkg";

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Miniflare's modules for a built package in `dir` (a folder under the repository): its JS and its .wasm. */
export function packageModules(dir) {
  return walk(join(ROOT, dir))
    .filter((f) => f.endsWith(".js") || f.endsWith(".wasm"))
    .map((f) => ({ type: f.endsWith(".wasm") ? "CompiledWasm" : "ESModule", path: f, contents: readFileSync(f) }));
}

// The Worker, around one client library: `LOAD` imports it, `MAKE` makes a client for `tenant`
// with a `ping()` that resolves to the API's banner. It is imported dynamically on the first
// request so that module evaluation (for ours: wasm instantiation + the glue) happens inside a
// request and can be timed. workerd only advances Date.now()/performance.now() across I/O, so the
// in-Worker numbers are expected to read 0 for pure CPU work; they are reported as measured.
const worker = (LOAD, MAKE) => `
let mod = null, client = null;
const make = ${MAKE};
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const tenant = url.searchParams.get("tenant");
    const out = {};
    if (url.pathname === "/bare") return Response.json({ ok: true });
    if (url.pathname === "/first" || url.pathname === "/new") {
      const d0 = Date.now(), p0 = performance.now();
      if (!mod) { mod = await ${LOAD}; out.imported = true; }
      out.importDateMs = Date.now() - d0; out.importPerfMs = performance.now() - p0;
      client = make(mod, env, tenant);
    }
    if (url.pathname === "/floor") {
      const t = await (await fetch(env.AUTH_URL + "/auth/token", { method: "POST",
        headers: { "content-type": "application/json", "x-api-key": env.API_KEY },
        body: JSON.stringify({ grant_type: "client_credentials", client_id: env.CLIENT_ID, client_secret: env.CLIENT_SECRET, tenant }) })).json();
      const r = await fetch(env.API_URL + "/", { headers: { authorization: "Bearer " + t.access_token,
        "x-api-key": env.API_KEY, "x-andopen-tenant": tenant, "x-andopen-client": env.CLIENT_ID, accept: "application/json" } });
      out.banner = await r.json();
      return Response.json(out);
    }
    const d1 = Date.now();
    out.banner = await client.ping();
    out.pingDateMs = Date.now() - d1;
    return Response.json(out);
  },
};
`;

const OURS = worker(
  `import("./${PKG_DIR}/index.workerd.js")`,
  `(mod, env, tenant) => new mod.AndOpenClient({ apiKey: env.API_KEY, tenant, clientId: env.CLIENT_ID,
    clientSecret: env.CLIENT_SECRET, authUrl: env.AUTH_URL, apiUrl: env.API_URL })`,
);

// The baseline: @badgateway/oauth2-client (pure JS; bench/contenders.mjs sets it up the same way
// for the warm calls), bundled by esbuild as wrangler would bundle it, in the same harness.
const BADGATEWAY_MODULE = "bench-badgateway.mjs";
const BADGATEWAY = worker(
  `import("./${BADGATEWAY_MODULE}")`,
  `(mod, env, tenant) => {
    const c = new mod.OAuth2Client({ server: env.AUTH_URL, tokenEndpoint: "/auth/token-form?tenant=" + encodeURIComponent(tenant),
      clientId: env.CLIENT_ID, clientSecret: env.CLIENT_SECRET,
      fetch: (input, init = {}) => fetch(input, { ...init, headers: { ...init.headers, "x-api-key": env.API_KEY } }) });
    const f = new mod.OAuth2Fetch({ client: c, getNewToken: () => c.clientCredentials(), scheduleRefresh: false });
    const headers = { "x-api-key": env.API_KEY, "x-andopen-tenant": tenant, "x-andopen-client": env.CLIENT_ID, accept: "application/json" };
    return { ping: async () => (await f.fetch(env.API_URL + "/", { headers })).json() };
  }`,
);

async function badgatewayBundle() {
  const { build } = await import("esbuild");
  const bundled = await build({
    stdin: { contents: 'export { OAuth2Client, OAuth2Fetch } from "@badgateway/oauth2-client";', resolveDir: ROOT },
    bundle: true, format: "esm", platform: "neutral", mainFields: ["module", "main"], write: false, logLevel: "silent",
    // Only its authorization-code flow imports Node's crypto, and only when that flow runs.
    external: ["crypto"],
  });
  return bundled.outputFiles[0].contents;
}

// One round in a fresh Miniflare: the steps of the cold-start table, in order.
async function round(emu, tenant, modules) {
  const mf = new Miniflare({
    modules,
    modulesRoot: ROOT,
    compatibilityDate: "2025-09-01",
    bindings: {
      API_KEY: CREDS.apiKey, CLIENT_ID: CREDS.clientId, CLIENT_SECRET: CREDS.clientSecret,
      AUTH_URL: emu.authUrl, API_URL: emu.apiUrl,
    },
  });
  try {
    const tReady0 = performance.now();
    await mf.ready;
    const readyMs = performance.now() - tReady0;
    const time = async (path, t = tenant) => {
      const t0 = performance.now();
      const res = await mf.dispatchFetch(`http://worker.local${path}?tenant=${encodeURIComponent(t)}`);
      const body = await res.json();
      if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - t0, body };
    };
    const bare = await time("/bare"); // the isolate and the dispatch path, without the package
    const floorCold = await time("/floor", tenant + "-f1"); // first outbound connections, hand-written token + GET /
    const first = await time("/first"); // import + instantiate + new client + token + GET /
    const again = await time("/new", tenant + "-b"); // new client, token + GET / (module already loaded)
    const warm = await time("/ping"); // same client, warm token: GET / only
    const floorWarm = await time("/floor", tenant + "-f2"); // hand-written token + GET /, warm isolate
    return {
      readyMs, bareMs: bare.ms, floorColdMs: floorCold.ms, firstMs: first.ms, newClientMs: again.ms,
      warmPingMs: warm.ms, floorWarmMs: floorWarm.ms, coldStartMs: first.ms - again.ms,
      inWorker: { importDateMs: first.body.importDateMs, importPerfMs: first.body.importPerfMs, pingDateMs: first.body.pingDateMs },
      banner: first.body.banner,
    };
  } finally {
    await mf.dispose();
  }
}

/**
 * The cold start of the package, and of the baseline in the same rounds (each round measures
 * both, in alternating order, each in its own fresh Miniflare): `samples` for ours, with
 * `badgatewayColdStartMs` and `badgatewayBanner` added from the baseline's round.
 */
export async function workerdColdStart(emu, { rounds = 5 } = {}) {
  const ours = [{ type: "ESModule", path: join(ROOT, "bench-worker.mjs"), contents: OURS }, ...packageModules(PKG_DIR)];
  const badgateway = [
    { type: "ESModule", path: join(ROOT, "bench-worker.mjs"), contents: BADGATEWAY },
    { type: "ESModule", path: join(ROOT, BADGATEWAY_MODULE), contents: await badgatewayBundle() },
  ];
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const tenant = `workerd-${process.pid}-${i}`;
    const oursFirst = i % 2 === 0;
    const one = await round(emu, `${tenant}-a`, oursFirst ? ours : badgateway);
    const two = await round(emu, `${tenant}-b`, oursFirst ? badgateway : ours);
    const [sample, baseline] = oursFirst ? [one, two] : [two, one];
    samples.push({ ...sample, badgatewayColdStartMs: baseline.coldStartMs, badgatewayBanner: baseline.banner });
  }
  return samples;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { startEmulator } = await import("../emulator/server.mjs");
  const emu = await startEmulator({ authPort: 0, apiPort: 0 });
  try {
    console.log(JSON.stringify(await workerdColdStart(emu, { rounds: 2 }), null, 1));
  } finally {
    await emu.close();
  }
}
