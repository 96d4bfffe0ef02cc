// N concurrent json("/") calls against an API that answers 401 to everything.
// Env: PKG (old|new|path to index.node.js; default old), N (5000), INIT (1 = json("/", {}), skips
//      the warm path), RETRIES (maxRetries; default 0; "default" = leave unset),
//      SERVER (child|inproc; default child: the API runs in a separate process), ROUNDS (1),
//      WARM (1 = one json("/") first, so a token is held and the storm takes the warm path).
import { spawn } from "node:child_process";
import { once } from "node:events";

const PKGS = { old: "/tmp/old/pkg/index.node.js", new: "/tmp/newpkg/index.node.js", fix: "/tmp/fixpkg/index.node.js" };
const pkgPath = PKGS[process.env.PKG ?? "old"] ?? process.env.PKG;
const N = Number(process.env.N ?? 5000);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const useInit = process.env.INIT === "1";
const retries = process.env.RETRIES ?? "0";

const { AndOpenClient } = await import(pkgPath);

let port, child;
if ((process.env.SERVER ?? "child") === "inproc") {
  const { start401 } = await import("./server401.mjs");
  ({ port } = await start401());
} else {
  child = spawn(process.execPath, [new URL("./server401.mjs", import.meta.url).pathname], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = await once(child.stdout, "data");
  ({ port } = JSON.parse(String(line)));
}
const base = `http://127.0.0.1:${port}`;
const opts = { apiKey: "k", tenant: "t", clientId: "andopen_client_id_x", clientSecret: "s", authUrl: base, apiUrl: base };
if (retries !== "default") opts.maxRetries = Number(retries);
const c = new AndOpenClient(opts);

if (process.env.WARM === "1") await c.json("/").catch(() => {});
const t0 = Date.now();
const tally = {};
try {
  for (let r = 0; r < ROUNDS; r++) {
    const calls = [];
    for (let i = 0; i < N; i++) calls.push(useInit ? c.json("/", {}) : c.json("/"));
    const out = await Promise.allSettled(calls);
    for (const o of out) {
      const k = o.status === "fulfilled" ? "ok" : (o.reason?.code ?? String(o.reason));
      tally[k] = (tally[k] ?? 0) + 1;
    }
  }
} finally {
  child?.kill();
}
console.log(JSON.stringify({ node: process.version, pkg: process.env.PKG ?? "old", N, ROUNDS, init: useInit, warm: process.env.WARM === "1", retries, ms: Date.now() - t0, tally }));
process.exit(0);
