// An example Worker: GET / answers the &Open banner; /api/<path> is proxied to the &Open API
// with a bearer token from the token broker (a Durable Object that renews it ahead of expiry
// for every isolate), or, without a broker binding, one the client renews itself through KV.
import { AndOpenClient, AndOpenError, AndOpenTokenBroker, KvStore } from "andopen-client";

// The Worker exports the broker's class; wrangler.toml binds it as ANDOPEN_BROKER.
export { AndOpenTokenBroker };

// Module scope: one client per isolate, serving many requests. With the broker, one token
// request per token lifetime across all isolates; KV alone shares token values, not renewals
// (see README, Workers).
let client;

function clientFor(env) {
  client ??= new AndOpenClient({
    apiKey: env.ANDOPEN_API_KEY,
    tenant: env.ANDOPEN_TENANT,
    clientId: env.ANDOPEN_CLIENT_ID,
    clientSecret: env.ANDOPEN_CLIENT_SECRET,
    authUrl: env.ANDOPEN_AUTH_URL || undefined,
    apiUrl: env.ANDOPEN_API_URL || undefined,
    broker: env.ANDOPEN_BROKER,
    store: new KvStore(env.ANDOPEN_TOKENS),
  });
  return client;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      const andOpen = clientFor(env);
      if (url.pathname === "/") {
        return Response.json({ banner: await andOpen.ping() });
      }
      if (url.pathname.startsWith("/api/")) {
        const upstream = await andOpen.fetch(url.pathname.slice(4) + url.search, {
          method: request.method,
          body: request.body,
          headers: { "content-type": request.headers.get("content-type") ?? "application/json" },
        });
        return new Response(upstream.body, { status: upstream.status, headers: upstream.headers });
      }
      return Response.json({ error: "not_found" }, { status: 404 });
    } catch (error) {
      if (error instanceof AndOpenError) {
        // The code and status only: messages are secret-free, but a proxy need not relay them.
        return Response.json({ error: error.code, status: error.status ?? null }, { status: 502 });
      }
      throw error;
    }
  },
};
