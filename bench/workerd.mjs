// Cold start of the package in workerd (via miniflare): a tiny Worker that imports
// pkg/index.workerd.js (the .wasm as a CompiledWasm module) and pings the emulator.
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { CREDS } from "./contenders.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// BENCH_PKG_DIR (a folder under the repository, default pkg) measures another build, e.g. an
// older one, for a before/after in the same run.
const PKG_DIR = process.env.BENCH_PKG_DIR ?? "pkg";
const PKG = join(ROOT, PKG_DIR);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

// The Worker. The package is imported dynamically on the first request so that module
// evaluation (wasm instantiation + the glue) happens inside a request and can be timed.
// workerd only advances Date.now()/performance.now() across I/O, so the in-Worker numbers
// are expected to read 0 for pure CPU work; they are reported as measured.
const WORKER = `
let mod = null, client = null;
function make(mod, env, tenant) {
  return new mod.AndOpenClient({ apiKey: env.API_KEY, tenant, clientId: env.CLIENT_ID,
    clientSecret: env.CLIENT_SECRET, authUrl: env.AUTH_URL, apiUrl: env.API_URL });
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const tenant = url.searchParams.get("tenant");
    const out = {};
    if (url.pathname === "/bare") return Response.json({ ok: true });
    if (url.pathname === "/first" || url.pathname === "/new") {
      const d0 = Date.now(), p0 = performance.now();
      if (!mod) { mod = await import("./${PKG_DIR}/index.workerd.js"); out.imported = true; }
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

export async function workerdColdStart(emu, { rounds = 5 } = {}) {
  const pkgModules = walk(PKG)
    .filter((f) => f.endsWith(".js") || f.endsWith(".wasm"))
    .map((f) => {
      const path = join(ROOT, relative(ROOT, f));
      return { type: f.endsWith(".wasm") ? "CompiledWasm" : "ESModule", path, contents: readFileSync(f) };
    });
  const bindings = {
    API_KEY: CREDS.apiKey, CLIENT_ID: CREDS.clientId, CLIENT_SECRET: CREDS.clientSecret,
    AUTH_URL: emu.authUrl, API_URL: emu.apiUrl,
  };
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const tenant = `workerd-${process.pid}-${i}`;
    const mf = new Miniflare({
      modules: [{ type: "ESModule", path: join(ROOT, "bench-worker.mjs"), contents: WORKER }, ...pkgModules],
      modulesRoot: ROOT,
      compatibilityDate: "2025-09-01",
      bindings,
    });
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
    samples.push({
      readyMs, bareMs: bare.ms, floorColdMs: floorCold.ms, firstMs: first.ms, newClientMs: again.ms,
      warmPingMs: warm.ms, floorWarmMs: floorWarm.ms, coldStartMs: first.ms - again.ms,
      inWorker: { importDateMs: first.body.importDateMs, importPerfMs: first.body.importPerfMs, pingDateMs: first.body.pingDateMs },
      banner: first.body.banner,
    });
    await mf.dispose();
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
