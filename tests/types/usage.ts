// Compiled by tests/types/types.test.mjs under (b) and (c) (no output): the published .d.ts
// must type what docs/API.md shows, and refuse what it does not allow.
import {
  AndOpenClient,
  AndOpenError,
  KvStore,
  MemoryStore,
  type AndOpenClientOptions,
  type AndOpenErrorCode,
  type AndOpenEvent,
  type TokenInfo,
  type TokenStore,
} from "andopen-client";

declare const env: { ANDOPEN_TOKENS: { get(k: string): Promise<string | null>; put(k: string, v: string, o?: { expirationTtl?: number }): Promise<void>; delete(k: string): Promise<void> } };

const events: AndOpenEvent[] = [];
const options: AndOpenClientOptions = {
  apiKey: "k",
  tenant: "t",
  clientId: "c",
  clientSecret: "s",
  environment: "staging",
  store: new KvStore(env.ANDOPEN_TOKENS),
  refreshLeewaySeconds: 60,
  timeoutMs: 10_000,
  maxRetries: 2,
  onEvent: (event) => events.push(event),
  fetch: (input, init) => fetch(input, init),
};
const client = new AndOpenClient(options);
const memory: TokenStore = new MemoryStore();
new AndOpenClient({ apiKey: "k", tenant: "t", refreshToken: "r", store: memory });

async function use(): Promise<void> {
  const banner: string = await client.ping();
  const response: Response = await client.fetch("/things", { method: "POST", body: "{}" });
  const data: unknown = await client.json(new URL("https://api.andopen.co/"));
  const token: string = await client.accessToken();
  const info: TokenInfo | null = await client.tokenInfo();
  const expiresAt: number | undefined = info?.expiresAt;
  const source: "store" | "network" | "broker" | undefined = info?.source;
  await client.refresh();
  await client.clear();
  client.free();
  try {
    await client.ping();
  } catch (error) {
    if (error instanceof AndOpenError) {
      const code: AndOpenErrorCode = error.code;
      const status: number | undefined = error.status;
      const retryable: boolean = error.retryable;
      const after: number | undefined = error.retryAfterSeconds;
      void [code, status, retryable, after];
    }
  }
  void [banner, response, data, token, expiresAt, source];
}
void use;

// Events are discriminated on `type`: each variant has its own fields.
function describe(event: AndOpenEvent): string {
  switch (event.type) {
    case "retry":
      return `${event.target} retry ${event.attempt} in ${event.delayMs} ms`;
    case "store_error":
      return `${event.operation}: ${event.message}`;
    case "broker_error":
      return event.message;
    default:
      return event.type;
  }
}
void describe;

// Any OAuth2 server: tokenUrl and apiUrl, no apiKey or tenant needed.
new AndOpenClient({ profile: "oauth2", tokenUrl: "https://idp.example/token", apiUrl: "https://api.example", clientId: "c", clientSecret: "s", clientAuth: "client_secret_post", resource: "https://api.example/" });
// @ts-expect-error: the oauth2 profile needs tokenUrl
new AndOpenClient({ profile: "oauth2", apiUrl: "https://api.example", clientId: "c", clientSecret: "s" });

// @ts-expect-error: environment is "production" | "staging"
new AndOpenClient({ apiKey: "k", tenant: "t", environment: "prod" });
// @ts-expect-error: apiKey is required
new AndOpenClient({ tenant: "t", clientId: "c", clientSecret: "s" });
// @ts-expect-error: a store needs get/put/delete
new AndOpenClient({ apiKey: "k", tenant: "t", clientId: "c", clientSecret: "s", store: { get: async () => null } });
