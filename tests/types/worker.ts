// (a) A Worker in TypeScript against the Workers runtime types that `wrangler types` generates
// (no DOM): the KV binding is a KVNamespaceLike for KvStore and a TokenStore as it is.
import { AndOpenClient, AndOpenError, KvStore, type AndOpenEvent, type TokenStore } from "andopen-client";

let client: AndOpenClient | undefined;

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const events: AndOpenEvent[] = [];
    client ??= new AndOpenClient({
      apiKey: env.ANDOPEN_API_KEY,
      tenant: env.ANDOPEN_TENANT,
      clientId: env.ANDOPEN_CLIENT_ID,
      clientSecret: env.ANDOPEN_CLIENT_SECRET,
      store: new KvStore(env.ANDOPEN_TOKENS),
      broker: env.ANDOPEN_BROKER,
      onEvent: (event) => events.push(event),
      fetch: (input, init) => fetch(input, init),
    });
    const shared: TokenStore = env.ANDOPEN_TOKENS;
    void shared;
    try {
      const path = new URL(request.url).pathname;
      const response: Response = await client.fetch(path, { method: "GET", signal: request.signal });
      ctx.waitUntil(client.tokenInfo());
      return response;
    } catch (error) {
      if (error instanceof AndOpenError) return Response.json({ code: error.code, retryable: error.retryable }, { status: 502 });
      throw error;
    }
  },
} satisfies ExportedHandler<Env>;
