// Many isolates, one token: token requests per token lifetime across N isolates, and the p99
// latency renewals add, for no store (each isolate's memory), KvStore and the token broker,
// side by side in one run (Miniflare/workerd, the packed tarball, the emulator with short
// tokens and a slow auth server). Needs pkg/ (scripts/build-pkg.sh).
// Usage: node bench/isolates.mjs [--isolates N] [--lifetime S] [--lifetimes K]
// Miniflare's KV is local and consistent at once; production KV is not (up to 60 s), so the
// KvStore row is its best case.
import { startEmulator } from "../emulator/server.mjs";
import { admin, counters, newTenant } from "../emulator/testkit.mjs";
import { buildBrokerWorkers, deployment, percentile } from "../tests/broker/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ISOLATES = arg("isolates", 4);
const LIFETIME = arg("lifetime", 8);
const LIFETIMES = arg("lifetimes", 3);
const LEEWAY = 2;
const AUTH_LATENCY_MS = 200;

const emu = await startEmulator({ authPort: 0, apiPort: 0 });
const workers = buildBrokerWorkers();
const rows = [];
const deployments = [];
const modes = [
  { name: "no store (memory)", mode: "memory" },
  { name: "KvStore", mode: "kv" },
  { name: "broker", mode: "client" },
  { name: "baseline: token never renewed", mode: "memory", steady: true },
];
for (const m of modes) {
  m.tenant = newTenant(`bench-isolates-${m.mode}`);
  await admin(emu.authUrl, "config", { tenant: m.tenant, tokenLifetimeSeconds: m.steady ? 3600 : LIFETIME, authLatencyMs: AUTH_LATENCY_MS });
  m.d = deployment({
    workers,
    isolates: ISOLATES,
    kv: m.mode === "kv",
    env: {
      MODE: m.mode, STORE_KEY: `bench:${m.tenant}`, LEEWAY_SECONDS: String(LEEWAY),
      ANDOPEN_API_KEY: "emu-api-key", ANDOPEN_TENANT: m.tenant, ANDOPEN_CLIENT_ID: "andopen_client_id_emulator",
      ANDOPEN_CLIENT_SECRET: "emu-client-secret", ANDOPEN_AUTH_URL: emu.authUrl, ANDOPEN_API_URL: emu.apiUrl,
    },
  });
  deployments.push(m.d);
}
// Cold start (the first token), then the same traffic in every deployment at once.
for (const m of modes) await Promise.all(Array.from({ length: ISOLATES }, (_, i) => m.d.get(i)));
for (const m of modes) m.before = (await counters(emu, m.tenant)).tokenRequests.total;
const started = Date.now();
const end = started + LIFETIME * LIFETIMES * 1000;
await Promise.all(
  modes.flatMap((m) => {
    m.latencies = [];
    m.failures = 0;
    return Array.from({ length: ISOLATES }, async (_, i) => {
      while (Date.now() < end) {
        const r = await m.d.get(i);
        if (r.status === 200) m.latencies.push(r.ms);
        else m.failures += 1;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    });
  }),
);
const elapsed = (Date.now() - started) / 1000;
const baseline = modes.find((m) => m.steady);
const baseP99 = percentile(baseline.latencies, 99);
for (const m of modes) {
  const requests = (await counters(emu, m.tenant)).tokenRequests.total - m.before;
  rows.push({
    setup: m.name,
    tokenRequests: requests,
    perLifetime: requests / (elapsed / LIFETIME),
    p99: percentile(m.latencies, 99),
    max: Math.max(...m.latencies),
    calls: m.latencies.length,
    failures: m.failures,
  });
}
await Promise.all(deployments.map((d) => d.dispose()));
await emu.close();

const f1 = (x) => x.toFixed(1);
console.log(`### Many isolates: ${ISOLATES} isolates, ${LIFETIME} s tokens, leeway ${LEEWAY} s, auth latency ${AUTH_LATENCY_MS} ms, ${f1(elapsed)} s of traffic (${f1(elapsed / LIFETIME)} lifetimes)\n`);
console.log("| set-up | token requests | per token lifetime (all isolates) | p99 ms | added p99 vs baseline ms | max ms | calls | failed |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(`| ${r.setup} | ${r.tokenRequests} | ${f1(r.perLifetime)} | ${f1(r.p99)} | ${r.setup.startsWith("baseline") ? "-" : f1(r.p99 - baseP99)} | ${f1(r.max)} | ${r.calls} | ${r.failures} |`);
}
