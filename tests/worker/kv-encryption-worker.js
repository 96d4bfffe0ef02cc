// A test Worker for the encrypted KvStore (kv-encryption.test.mjs): its KvStore takes
// `encryptionKey` from the KV_ENCRYPTION_KEY binding (plain without one). Several of these share
// one KV namespace in one Miniflare, as Workers bound to the same namespace do. Not part of the
// package.
import { AndOpenClient, AndOpenError, KvStore } from "andopen-client";

let client;
let events = [];

function clientFor(env) {
  const options = env.KV_ENCRYPTION_KEY === undefined ? undefined : { encryptionKey: env.KV_ENCRYPTION_KEY };
  client ??= new AndOpenClient({
    apiKey: env.ANDOPEN_API_KEY,
    tenant: env.ANDOPEN_TENANT,
    clientId: env.ANDOPEN_CLIENT_ID,
    clientSecret: env.ANDOPEN_CLIENT_SECRET,
    authUrl: env.ANDOPEN_AUTH_URL,
    apiUrl: env.ANDOPEN_API_URL,
    store: new KvStore(env.ANDOPEN_TOKENS, options),
    onEvent: (event) => events.push(event),
  });
  return client;
}

function failure(error) {
  if (error instanceof AndOpenError) {
    return Response.json({ error: error.code, message: error.message }, { status: 502 });
  }
  return Response.json({ error: "not_and_open_error", name: error?.name, message: String(error) }, { status: 500 });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      switch (url.pathname) {
        case "/events":
          return Response.json(events);
        // A cold start: the next request builds a new client, which reads KV first.
        case "/cold":
          client?.free();
          client = undefined;
          events = [];
          return Response.json({ ok: true });
        // The token, so the test can look for it in the raw KV value.
        case "/token":
          return Response.json({ accessToken: await clientFor(env).accessToken() });
        case "/construct": {
          const encryptionKey = url.searchParams.get("key");
          try {
            new KvStore(env.ANDOPEN_TOKENS, { encryptionKey });
            return Response.json({ constructed: true });
          } catch (error) {
            return Response.json({ isAndOpenError: error instanceof AndOpenError, code: error.code, message: error.message });
          }
        }
        default: {
          const andOpen = clientFor(env);
          const banner = await andOpen.ping();
          return Response.json({ banner, info: await andOpen.tokenInfo() });
        }
      }
    } catch (error) {
      return failure(error);
    }
  },
};
