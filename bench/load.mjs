// `node bench/load.mjs` — a load/soak run, not a CI test: 10,000 calls at 200 concurrency through
// ONE client (Node, pkg/index.node.js) against the emulator in a child process, with 2 % of API
// responses and 5 % of token responses faulted (503 / 429 / dropped connection / latency) at
// positions drawn from a seeded PRNG, and a 5 s token lifetime so the run renews many times.
// Prints: calls succeeded / failed by code / hung, token requests against the minimum possible,
// wasm memory before and after (after warm-up), and p50/p99 of the client's added latency
// (client.fetch minus a bare fetch of the same route with a valid token, same run, same load).
// Options: --calls N (10000) --concurrency N (200) --seconds S (40, pacing) --seed N (42)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { AndOpenClient } from "../pkg/index.node.js";
import { initSync } from "../pkg/andopen_client.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const CALLS = arg("calls", 10_000);
const CONCURRENCY = arg("concurrency", 200);
const SECONDS = arg("seconds", 40);
const SEED = arg("seed", 42);
const LIFETIME_S = 5;
const LEEWAY_S = 1;
const API_FAULT_RATE = 0.02;
const TOKEN_FAULT_RATE = 0.05;
const WATCHDOG_MS = 15_000;
const CREDS = { apiKey: "emu-api-key", clientId: "andopen_client_id_emulator", clientSecret: "emu-client-secret" };

// The package instantiates its wasm on import; initSync on an initialised module returns the
// same instance's exports, `memory` among them.
const wasm = initSync({ module: readFileSync(fileURLToPath(new URL("../pkg/andopen_client_bg.wasm", import.meta.url))) });
const memBytes = () => wasm.memory.buffer.byteLength;

// mulberry32: small, seeded, good enough for picking fault positions.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);

async function startChild() {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./emulator-child.mjs", import.meta.url))], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
    createInterface({ input: child.stdout }).once("line", resolve);
  });
  return { ...JSON.parse(line), stop: () => { child.removeAllListeners("exit"); child.kill("SIGTERM"); } };
}

async function admin(emu, route, body) {
  const res = await fetch(`${emu.authUrl}/__emulator/${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  return res.json();
}
const state = async (emu, tenant) => (await (await fetch(`${emu.authUrl}/__emulator/state?tenant=${encodeURIComponent(tenant)}`)).json());

/**
 * Fault schedule: one queue slot per expected request, in order. A slot is either a real fault or
 * a no-op (latencyMs 0 / tokenResponse {} pass through untouched), so faults land on random
 * request positions instead of on the first requests. Runs of no-ops are merged with `count`.
 */
function schedule(target, slots, rate, pick) {
  const entries = [];
  let noops = 0;
  const noop = target === "api" ? { latencyMs: 0 } : { tokenResponse: {} };
  const flush = () => { if (noops) entries.push({ target, count: noops, ...noop }); noops = 0; };
  const kinds = {};
  const positions = [];
  for (let i = 0; i < slots; i++) {
    if (random() < rate) {
      flush();
      const f = pick();
      positions.push(i);
      kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
      entries.push({ target, ...f.spec });
    } else noops += 1;
  }
  flush();
  // How many real faults the first n requests of this target met.
  return { entries, kinds, slots, hitBy: (n) => positions.filter((p) => p < n).length };
}
function pickFault() {
  const r = random();
  if (r < 0.35) return { kind: "503", spec: { status: 503 } };
  if (r < 0.6) return { kind: "429", spec: { status: 429, retryAfter: "1" } };
  if (r < 0.8) return { kind: "drop", spec: { drop: "before_headers" } };
  return { kind: "latency 300 ms", spec: { latencyMs: 300 } };
}

const pct = (values, p) => {
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

async function main() {
  const emu = await startChild();
  const tenant = `load-${process.pid}`;
  const bareTenant = `load-bare-${process.pid}`;
  try {
    await admin(emu, "config", { tenant, tokenLifetimeSeconds: LIFETIME_S });
    // API slots: every call plus headroom for retries and re-auth replays; token slots likewise.
    const api = schedule("api", Math.ceil(CALLS * 1.1), API_FAULT_RATE, pickFault);
    // Token slots: about the number of renewals the run needs (one per lifetime minus leeway), x3.
    const tok = schedule("token", Math.ceil((SECONDS / (LIFETIME_S - LEEWAY_S)) * 3 + 10), TOKEN_FAULT_RATE, pickFault);
    for (const e of [...tok.entries, ...api.entries]) await admin(emu, "faults", { tenant, ...e });

    // The bare route: same emulator, a token of its own (no faults on that tenant).
    const bareToken = (await (await fetch(`${emu.authUrl}/auth/token`, {
      method: "POST", headers: { "content-type": "application/json", "x-api-key": CREDS.apiKey },
      body: JSON.stringify({ grant_type: "client_credentials", tenant: bareTenant, client_id: CREDS.clientId, client_secret: CREDS.clientSecret }),
    })).json()).access_token;
    const bareHeaders = { "x-api-key": CREDS.apiKey, "x-andopen-tenant": bareTenant, "x-andopen-client": bareTenant, authorization: `Bearer ${bareToken}`, accept: "application/json" };

    const events = { retry: 0, unauthorized_retry: 0, token_request: 0, store_error: 0 };
    // The client's own fetch option, wrapping the global fetch only to count API attempts per call
    // (x-bench-call header), so the latency of calls answered on their first attempt is known.
    const attempts = new Map();
    const countingFetch = (input, init) => {
      const id = init?.headers?.get?.("x-bench-call");
      if (id) attempts.set(id, (attempts.get(id) ?? 0) + 1);
      return fetch(input, init);
    };
    const client = new AndOpenClient({
      ...CREDS, tenant, authUrl: emu.authUrl, apiUrl: emu.apiUrl, fetch: countingFetch,
      refreshLeewaySeconds: LEEWAY_S, timeoutMs: 2000, maxRetries: 2,
      onEvent: (e) => { if (e.type in events) events[e.type] += 1; },
    });

    // Warm-up (unfaulted tenant-wise: a separate client, same wasm instance), then the baseline.
    const warm = new AndOpenClient({ ...CREDS, tenant: `${tenant}-warm`, authUrl: emu.authUrl, apiUrl: emu.apiUrl });
    for (let i = 0; i < 500; i++) await (await warm.fetch("/")).text();
    warm.free();
    global.gc?.();
    const memBefore = memBytes();
    const memSamples = [];

    const outcome = { ok: 0, failed: {}, hung: 0 };
    const clientMs = [];
    const firstAttemptMs = [];
    const bareMs = [];
    let next = 0;
    const started = performance.now();
    const interval = (SECONDS * 1000) / CALLS;

    const watchdog = (p) => {
      let timer;
      return Promise.race([p, new Promise((r) => { timer = setTimeout(() => r("hung"), WATCHDOG_MS); })]).finally(() => clearTimeout(timer));
    };

    async function worker() {
      for (;;) {
        const i = next++;
        if (i >= CALLS) return;
        const wait = started + i * interval - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const t0 = performance.now();
        const result = await watchdog(client.fetch("/", { headers: { "x-bench-call": String(i) } }).then(async (res) => { await res.text(); return res.status; }, (e) => e));
        const dt = performance.now() - t0;
        if (result === "hung") outcome.hung += 1;
        else if (result === 200) {
          outcome.ok += 1;
          clientMs.push(dt);
          if (attempts.get(String(i)) === 1) firstAttemptMs.push(dt);
        }
        else {
          const code = typeof result === "number" ? `http_${result}` : result?.code ?? String(result);
          outcome.failed[code] = (outcome.failed[code] ?? 0) + 1;
        }
        if (i % 4 === 0) {
          const b0 = performance.now();
          const res = await fetch(`${emu.apiUrl}/`, { headers: bareHeaders });
          await res.text();
          if (res.status === 200) bareMs.push(performance.now() - b0);
        }
        if (i % 1000 === 0) memSamples.push(memBytes());
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsedS = (performance.now() - started) / 1000;
    const memAfter = memBytes();
    const s = await state(emu, tenant);
    const settled = outcome.ok + outcome.hung + Object.values(outcome.failed).reduce((a, b) => a + b, 0);
    const minTokens = Math.ceil(elapsedS / LIFETIME_S);
    const minWithLeeway = Math.ceil(elapsedS / (LIFETIME_S - LEEWAY_S));

    const lines = [
      `andopen-client load run — ${new Date().toISOString()} — Node ${process.version}, seed ${SEED}`,
      `calls: ${CALLS} at concurrency ${CONCURRENCY}, paced over ~${SECONDS} s; took ${elapsedS.toFixed(1)} s`,
      `faults queued (seeded): API ${JSON.stringify(api.kinds)} over ${Math.ceil(CALLS * 1.1)} request slots (${API_FAULT_RATE * 100} %), token ${JSON.stringify(tok.kinds)} over ${tok.slots} slots (${TOKEN_FAULT_RATE * 100} %)`,
      `faults met: API ${api.hitBy(s.counters.apiRequests)} of ${s.counters.apiRequests} API responses, token ${tok.hitBy(s.counters.tokenRequests.total)} of ${s.counters.tokenRequests.total} token responses`,
      `calls settled: ${settled}/${CALLS} (lost: ${CALLS - settled}, hung > ${WATCHDOG_MS / 1000} s: ${outcome.hung})`,
      `calls succeeded: ${outcome.ok}`,
      `calls failed by code: ${JSON.stringify(outcome.failed)}`,
      `client events: ${JSON.stringify(events)}`,
      `API requests: ${s.counters.apiRequests} (${(s.counters.apiRequests / CALLS).toFixed(3)} per call), API 401s: ${s.counters.unauthorized}`,
      `token requests: ${s.counters.tokenRequests.total} (client_credentials ${s.counters.tokenRequests.client_credentials}, refresh_token ${s.counters.tokenRequests.refresh_token}); minimum possible ${minTokens} (one per ${LIFETIME_S} s lifetime elapsed), ${minWithLeeway} with the ${LEEWAY_S} s leeway`,
      `wasm memory: ${(memBefore / 1024).toFixed(0)} KiB after warm-up, ${(memAfter / 1024).toFixed(0)} KiB after the run; samples every 1000 calls (KiB): ${memSamples.map((b) => (b / 1024).toFixed(0)).join(" ")}`,
      `latency, successful client.fetch (n=${clientMs.length}): p50 ${pct(clientMs, 50).toFixed(2)} ms, p99 ${pct(clientMs, 99).toFixed(2)} ms`,
      `latency, bare fetch of GET / (n=${bareMs.length}): p50 ${pct(bareMs, 50).toFixed(2)} ms, p99 ${pct(bareMs, 99).toFixed(2)} ms`,
      `latency, successful client.fetch answered on the first API attempt (n=${firstAttemptMs.length}): p50 ${pct(firstAttemptMs, 50).toFixed(2)} ms, p99 ${pct(firstAttemptMs, 99).toFixed(2)} ms`,
      `client added latency, first-attempt calls: p50 ${(pct(firstAttemptMs, 50) - pct(bareMs, 50)).toFixed(2)} ms, p99 ${(pct(firstAttemptMs, 99) - pct(bareMs, 99)).toFixed(2)} ms (includes the few calls that waited for a renewal and 300 ms latency faults)`,
      `client added latency, all successful calls: p50 ${(pct(clientMs, 50) - pct(bareMs, 50)).toFixed(2)} ms, p99 ${(pct(clientMs, 99) - pct(bareMs, 99)).toFixed(2)} ms (p99 includes retried/faulted calls: 429 Retry-After 1 s, 300 ms latency faults, renewals)`,
    ];
    console.log(lines.join("\n"));
    client.free();
    if (settled !== CALLS || outcome.hung) process.exitCode = 1;
  } finally {
    emu.stop();
  }
}

await main();
