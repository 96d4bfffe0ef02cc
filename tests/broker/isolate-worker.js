// A Worker standing for one isolate of a deployment (tests/broker, bench/isolates.mjs). MODE:
// "client" (AndOpenClient with `broker`), "memory" (no store), "kv" (KvStore), or "direct"
// (asks the broker's RPC itself, as the client does: token until the leeway, a refused token
// reported once). GET / pings the API and answers {ok, ms} or {error}; /events lists events.
import { AndOpenClient, AndOpenError, KvStore } from "andopen-client";

let client;
const events = [];

function options(env) {
  const o = {
    apiKey: env.ANDOPEN_API_KEY,
    tenant: env.ANDOPEN_TENANT,
    clientId: env.ANDOPEN_CLIENT_ID,
    authUrl: env.ANDOPEN_AUTH_URL,
    apiUrl: env.ANDOPEN_API_URL,
    refreshLeewaySeconds: Number(env.LEEWAY_SECONDS ?? 60),
    timeoutMs: Number(env.TIMEOUT_MS ?? 10000),
  };
  if (env.ANDOPEN_CLIENT_SECRET) o.clientSecret = env.ANDOPEN_CLIENT_SECRET;
  if (env.ANDOPEN_REFRESH_TOKEN) o.refreshToken = env.ANDOPEN_REFRESH_TOKEN;
  return o;
}

// BROKER_FAULT: a binding whose get() throws, whose stub never answers, or whose stub answers a
// valid token's text padded past 64 KB (not a value a broker writes, so not read).
function brokerFor(env) {
  const namespace = env.ANDOPEN_BROKER;
  if (env.BROKER_FAULT === "throws") {
    return { idFromName: (name) => namespace.idFromName(name), get: () => { throw new Error("broker binding failed"); } };
  }
  if (env.BROKER_FAULT === "too-large") {
    const token = () => Promise.resolve(JSON.stringify({ v: 1, accessToken: "padded-at", expiresAt: Date.now() + 3_600_000, pad: "x".repeat(65_536) }));
    return { idFromName: (name) => namespace.idFromName(name), get: () => ({ token, clear: () => Promise.resolve() }) };
  }
  if (env.BROKER_FAULT === "hangs") {
    const never = () => new Promise(() => {});
    return { idFromName: (name) => namespace.idFromName(name), get: () => ({ token: never, clear: never }) };
  }
  return namespace;
}

function clientFor(env) {
  if (client) return client;
  const o = { ...options(env), onEvent: (event) => events.push(event) };
  if (env.MODE === "client") o.broker = brokerFor(env);
  if (env.STORE_KEY) o.storeKey = env.STORE_KEY;
  if (env.MODE === "kv") o.store = new KvStore(env.ANDOPEN_TOKENS);
  client = new AndOpenClient(o);
  return client;
}

// "direct": the client side of the broker contract, in a few lines, to test the broker alone.
let held = null;
let asking = null;
function ask(env, report) {
  const stub = env.ANDOPEN_BROKER.get(env.ANDOPEN_BROKER.idFromName(env.STORE_KEY));
  return stub.token(options(env), report).then((text) => (held = JSON.parse(text)));
}
async function directToken(env) {
  const leewayMs = Number(env.LEEWAY_SECONDS ?? 60) * 1000;
  if (held && held.expiresAt - leewayMs > Date.now()) return held;
  asking ??= ask(env, null).finally(() => (asking = null));
  return asking;
}
async function directPing(env) {
  const call = (token) =>
    fetch(`${env.ANDOPEN_API_URL}/`, {
      headers: {
        authorization: `Bearer ${token.accessToken}`,
        "x-api-key": env.ANDOPEN_API_KEY,
        "x-andopen-tenant": env.ANDOPEN_TENANT,
        accept: "application/json",
      },
    });
  let token = await directToken(env);
  let response = await call(token);
  if (response.status === 401) {
    await response.arrayBuffer();
    token = await ask(env, { refused: { accessToken: token.accessToken, expiresAt: token.expiresAt } });
    response = await call(token);
  }
  if (!response.ok) throw new Error(`API answered ${response.status}`);
  return response.json();
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/events") return Response.json(events);
    if (url.pathname === "/clear") {
      await clientFor(env).clear();
      return Response.json({ ok: true });
    }
    const started = Date.now();
    try {
      const banner = env.MODE === "direct" ? await directPing(env) : await clientFor(env).ping();
      const info = env.MODE === "direct" ? null : await clientFor(env).tokenInfo();
      return Response.json({ ok: true, banner, ms: Date.now() - started, source: info?.source ?? null });
    } catch (error) {
      const body = { error: error instanceof AndOpenError ? error.code : "other", message: String(error?.message ?? error) };
      return Response.json(body, { status: 502 });
    }
  },
};
