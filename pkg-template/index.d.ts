export { AndOpenClient, MemoryStore, KvStore } from "./andopen_client.js";
export type {
  AndOpenClientOptions,
  AndOpenErrorCode,
  AndOpenEvent,
  AndOpenEventType,
  AndOpenProfileOptions,
  CommonClientOptions,
  KVNamespaceLike,
  KvStoreOptions,
  OAuth2ProfileOptions,
  TokenInfo,
  TokenStore,
} from "./andopen_client.js";
import type { AndOpenErrorCode, AndOpenEvent } from "./andopen_client.js";

/** Every rejection of the client. Messages never contain a secret or a token. */
export declare class AndOpenError extends Error {
  readonly name: "AndOpenError";
  readonly code: AndOpenErrorCode;
  /** The HTTP status, where there was a response. */
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** RFC 6749 §5.2 `error`, where the body had one. */
  readonly oauthError: string | undefined;
  /** RFC 6749 §5.2 `error_description`, with secrets replaced by `[redacted]`. */
  readonly description: string | undefined;
  /** From `Retry-After` (429/503). */
  readonly retryAfterSeconds: number | undefined;
}

/** What `AndOpenTokenBroker` uses of its `DurableObjectState` (a Workers one is assignable). */
export interface AndOpenBrokerState {
  readonly storage: {
    get(key: string): Promise<unknown>;
    put(key: string, value: string): Promise<void>;
    delete(key: string): Promise<boolean>;
    setAlarm(scheduledTime: number): Promise<void>;
    deleteAlarm(): Promise<void>;
  };
}

/** The options an isolate sends the broker: its client's credentials and renewal settings. */
export interface AndOpenBrokerOptions {
  apiKey?: string;
  tenant?: string;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  environment?: "production" | "staging";
  authUrl?: string;
  apiUrl?: string;
  profile?: "andopen" | "oauth2";
  tokenUrl?: string;
  clientAuth?: "client_secret_basic" | "client_secret_post";
  scope?: string;
  audience?: string;
  resource?: string;
  refreshLeewaySeconds?: number;
  timeoutMs?: number;
  maxRetries?: number;
}

/** What an isolate reports with an ask: a token the API refused, or `refresh()`. */
export type AndOpenBrokerReport =
  | { refused: { accessToken: string; expiresAt: number } }
  | { refresh: true };

/**
 * The token broker, a Durable Object class (Cloudflare Workers entry only): one object per
 * (auth URL, tenant, client) owns the token for every isolate, renews it ahead of expiry with
 * an alarm and keeps the tokens (never a secret) in its storage. Export it from the Worker, bind
 * it, and pass the binding as the client's `broker` option (docs/API.md, "Many isolates").
 */
export declare class AndOpenTokenBroker {
  /**
   * The brand of a `DurableObject` subclass in the Workers runtime types (a string key there),
   * so `DurableObjectNamespace<AndOpenTokenBroker>` from `wrangler types` type-checks without
   * this file depending on those types.
   */
  readonly __DURABLE_OBJECT_BRAND: never;
  constructor(ctx: AndOpenBrokerState, env: unknown);
  /** The stored-token JSON text the client decodes (access token, expiry, scope). */
  token(options: AndOpenBrokerOptions, report: AndOpenBrokerReport | null): Promise<string>;
  /** Forgets the tokens, in memory and in storage. */
  clear(): Promise<void>;
  alarm(): Promise<void>;
  /** Called with each event of the broker's client (no secret or token); does nothing by default. */
  onClientEvent(event: AndOpenEvent): void;
}

// wasm-bindgen types the classes' `[Symbol.dispose]()` (for `using`). `Symbol.dispose` is in
// TypeScript's lib from ES2025 / esnext.disposable on; this declares it for older `lib`
// settings (ES2022 + DOM, the Workers template's ES2024), the same way @types/node does.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
