// Where the package's cold start in workerd goes: in each fresh Miniflare, one request per step
// (the dynamic import; then, for three clients in turn, the constructor, accessToken() and
// ping()), timed from outside. The first client's steps minus the third's are what running the
// package's code for the first time costs; medians over the rounds.
// usage: node bench/cold-split.mjs [ROUNDS]   (BENCH_PKG_DIR as for bench/workerd.mjs)
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { startEmulator } from "../emulator/server.mjs";
import { CREDS } from "./contenders.mjs";
import { packageModules } from "./workerd.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PKG_DIR = process.env.BENCH_PKG_DIR ?? "pkg";
const ROUNDS = Number(process.argv[2] ?? 15);

const WORKER = `
let mod = null;
const clients = {};
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const tenant = url.searchParams.get("tenant");
    switch (url.pathname) {
      case "/bare": return Response.json({});
      case "/warm": { // the outbound connections, by hand
        const t = await (await fetch(env.AUTH_URL + "/auth/token", { method: "POST", headers: { "content-type": "application/json", "x-api-key": env.API_KEY },
          body: JSON.stringify({ grant_type: "client_credentials", client_id: env.CLIENT_ID, client_secret: env.CLIENT_SECRET, tenant }) })).json();
        await (await fetch(env.API_URL + "/", { headers: { authorization: "Bearer " + t.access_token, "x-api-key": env.API_KEY,
          "x-andopen-tenant": tenant, "x-andopen-client": env.CLIENT_ID, accept: "application/json" } })).json();
        return Response.json({});
      }
      case "/import": mod = await import("./${PKG_DIR}/index.workerd.js"); return Response.json({});
      case "/constructor":
        clients[tenant] = new mod.AndOpenClient({ apiKey: env.API_KEY, tenant, clientId: env.CLIENT_ID,
          clientSecret: env.CLIENT_SECRET, authUrl: env.AUTH_URL, apiUrl: env.API_URL });
        return Response.json({});
      case "/accessToken": await clients[tenant].accessToken(); return Response.json({});
      default: return Response.json(await clients[tenant].ping());
    }
  },
};`;

const modules = [
  { type: "ESModule", path: join(ROOT, "bench-split-worker.mjs"), contents: WORKER },
  ...packageModules(PKG_DIR),
];
const emu = await startEmulator({ authPort: 0, apiPort: 0 });
const rounds = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    const mf = new Miniflare({
      modules, modulesRoot: ROOT, compatibilityDate: "2025-09-01",
      bindings: { API_KEY: CREDS.apiKey, CLIENT_ID: CREDS.clientId, CLIENT_SECRET: CREDS.clientSecret, AUTH_URL: emu.authUrl, API_URL: emu.apiUrl },
    });
    try {
      await mf.ready;
      const time = async (step, tenant = "split") => {
        const t0 = performance.now();
        const res = await mf.dispatchFetch(`http://split.local/${step}?tenant=${tenant}-${process.pid}-${i}`);
        await res.text();
        if (!res.ok) throw new Error(`${step}: ${res.status}`);
        return performance.now() - t0;
      };
      await time("bare");
      await time("warm", "warm");
      const row = { bare: await time("bare"), import: await time("import") };
      for (const n of [1, 2, 3]) for (const step of ["constructor", "accessToken", "ping"]) row[step + n] = await time(step, `c${n}`);
      rounds.push(row);
    } finally {
      await mf.dispose();
    }
  }
} finally {
  await emu.close();
}
const median = (key) => {
  const s = rounds.map((r) => r[key]).sort((a, b) => a - b);
  return s[s.length >> 1];
};
const ms = (x) => `${x.toFixed(2)} ms`;
console.log(`${PKG_DIR}, ${rounds.length} fresh Miniflares, medians; first time minus third:`);
console.log(`  import (over a bare request)  ${ms(median("import") - median("bare"))}`);
for (const step of ["constructor", "accessToken", "ping"]) {
  console.log(`  ${step.padEnd(28)} ${ms(median(step + "1") - median(step + "3"))}  (first ${ms(median(step + "1"))}, third ${ms(median(step + "3"))})`);
}
