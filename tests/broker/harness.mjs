// Several Workers standing for several isolates, all bound to one broker namespace hosted by
// another Worker, in one Miniflare (workerd), over the packed npm tarball. Used by
// tests/broker/broker.test.mjs and bench/isolates.mjs.
import { Miniflare } from "miniflare";
import { bundleWorkers } from "../worker/build.mjs";

export function buildBrokerWorkers() {
  const bundled = bundleWorkers("broker", { entries: ["tests/broker/broker-host.js", "tests/broker/isolate-worker.js"] });
  return { host: bundled["broker-host.js"], isolate: bundled["isolate-worker.js"] };
}

const common = {
  modules: true,
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2026-04-01",
};

/**
 * One Miniflare: "broker-host" (class `className`, TestBroker by default, bound as BROKER) and
 * `isolates` Workers "isolate-0".. bound to it as ANDOPEN_BROKER, each with `vars(i)` on top
 * of the credentials in `env`. `broker` replaces the isolates' binding (a failing one, say).
 */
export function deployment({ workers, env, isolates = 4, className = "TestBroker", vars = () => ({}), persist = false, kv = false }) {
  const list = [
    { ...common, name: "broker-host", scriptPath: workers.host, durableObjects: { BROKER: { className, useSQLite: true } } },
  ];
  for (let i = 0; i < isolates; i += 1) {
    list.push({
      ...common,
      name: `isolate-${i}`,
      scriptPath: workers.isolate,
      bindings: { ...env, ...vars(i) },
      durableObjects: { ANDOPEN_BROKER: { className, scriptName: "broker-host", useSQLite: true } },
      ...(kv ? { kvNamespaces: { ANDOPEN_TOKENS: "andopen-tokens" } } : {}),
    });
  }
  const mf = new Miniflare({ workers: list, durableObjectsPersist: persist, kvPersist: false });
  const fetchers = new Map();
  const isolate = async (i) => {
    if (!fetchers.has(i)) fetchers.set(i, await mf.getWorker(`isolate-${i}`));
    return fetchers.get(i);
  };
  return {
    mf,
    /** GET `path` on isolate `i`: {status, body, ms} with ms measured here, around the call. */
    async get(i, path = "/") {
      const worker = await isolate(i);
      const started = performance.now();
      const response = await worker.fetch(`http://isolate${path}`);
      const body = await response.json();
      return { status: response.status, body, ms: performance.now() - started };
    },
    async stats(name) {
      const host = await mf.getWorker("broker-host");
      const response = await host.fetch(`http://host/stats?name=${encodeURIComponent(name)}`);
      if (!response.ok) throw new Error(`stats: ${response.status} ${await response.text()}`);
      return response.json();
    },
    dispose: () => mf.dispose(),
  };
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}
