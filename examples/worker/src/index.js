// An example Worker: GET / answers the &Open banner; /api/<path> is proxied to the &Open API
// with a bearer token the client obtains, caches in KV and renews by itself.
import { AndOpenClient, AndOpenError, KvStore } from "andopen-client";

// Module scope: one client per isolate, serving many requests. Token values are shared
// across requests (memory, then KV); in-flight renewals are not (see README, Workers).
let client;

function clientFor(env) {
  client ??= new AndOpenClient({
    apiKey: env.ANDOPEN_API_KEY,
    tenant: env.ANDOPEN_TENANT,
    clientId: env.ANDOPEN_CLIENT_ID,
    clientSecret: env.ANDOPEN_CLIENT_SECRET,
    authUrl: env.ANDOPEN_AUTH_URL || undefined,
    apiUrl: env.ANDOPEN_API_URL || undefined,
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
