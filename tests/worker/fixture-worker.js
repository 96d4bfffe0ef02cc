// A test Worker: like examples/worker, with the client's knobs and KV faults taken from env so
// the workerd tests can drive renewals and failing KV writes. Not part of the package.
import { AndOpenClient, AndOpenError, KvStore } from "andopen-client";

// Bundled with examples/worker/wrangler.toml, which binds the broker: wrangler wants its class.
export { AndOpenTokenBroker } from "andopen-client";

let client;
const events = [];

function kvFor(env) {
  const kv = env.ANDOPEN_TOKENS;
  if (env.KV_FAULT !== "put-rejects") return kv;
  // A KV binding whose writes fail, as they do past one write per second per key.
  return {
    get: (key) => kv.get(key),
    put: () => Promise.reject(new Error("KV PUT failed: 429 Too Many Requests")),
    delete: (key) => kv.delete(key),
  };
}

function clientFor(env) {
  client ??= new AndOpenClient({
    apiKey: env.ANDOPEN_API_KEY,
    tenant: env.ANDOPEN_TENANT,
    clientId: env.ANDOPEN_CLIENT_ID,
    clientSecret: env.ANDOPEN_CLIENT_SECRET,
    authUrl: env.ANDOPEN_AUTH_URL,
    apiUrl: env.ANDOPEN_API_URL,
    store: new KvStore(kvFor(env)),
    refreshLeewaySeconds: Number(env.LEEWAY_SECONDS ?? 60),
    timeoutMs: Number(env.TIMEOUT_MS ?? 10000),
    maxRetries: Number(env.MAX_RETRIES ?? 2),
    onEvent: (event) => events.push(event),
  });
  return client;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/events") return Response.json(events);
    try {
      const andOpen = clientFor(env);
      const banner = await andOpen.ping();
      return Response.json({ banner, info: await andOpen.tokenInfo() });
    } catch (error) {
      if (error instanceof AndOpenError) {
        return Response.json({ error: error.code, message: error.message }, { status: 502 });
      }
      return Response.json({ error: "not_and_open_error", message: String(error) }, { status: 500 });
    }
  },
};
