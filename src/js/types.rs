//! TypeScript for the option objects, stores, events and errors (docs/API.md: no `any` in the
//! published `.d.ts`). wasm-bindgen copies this text into the generated `andopen_client.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** The stable error codes of `AndOpenError.code`. */
export type AndOpenErrorCode =
  | "invalid_config" | "invalid_client" | "invalid_grant" | "unauthorized" | "forbidden"
  | "not_found" | "rate_limited" | "server_error" | "http_error" | "network" | "timeout"
  | "aborted" | "invalid_response" | "storage" | "browser_secret";

/** Any object with these methods is a token store; a Workers KV namespace binding is one. */
export interface TokenStore {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The part of a Workers `KVNamespace` binding that `KvStore` uses. */
export interface KVNamespaceLike {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The second argument of `new KvStore(namespace, options)`. */
export interface KvStoreOptions {
  /**
   * Encrypts every value at rest (AES-256-GCM, key derived by HKDF-SHA256 from this secret).
   * At least 32 characters; keep it as a Worker secret. A stored value that does not decrypt
   * (another key, tampered, written unencrypted) is a miss plus a `store_error` event.
   */
  encryptionKey?: string;
}

/**
 * A store in this isolate's memory, honouring `expirationTtl`. Each client has one of its own
 * unless given a store; pass one `MemoryStore` to several clients to share their tokens.
 */
export class MemoryStore implements TokenStore {
  constructor();
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Drops every entry. Idempotent; a method called after it rejects with `invalid_config`. */
  free(): void;
  [Symbol.dispose](): void;
}

/**
 * Wraps a Workers KV namespace binding: `expirationTtl` is never below 60 s (KV's minimum), and
 * with `encryptionKey` every value is encrypted at rest. Throws `AndOpenError`
 * (`invalid_config`) for a namespace without get/put/delete or bad options.
 */
export class KvStore implements TokenStore {
  constructor(namespace: KVNamespaceLike, options?: KvStoreOptions);
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Idempotent; a method called after it rejects with `invalid_config`. */
  free(): void;
  [Symbol.dispose](): void;
}

export interface TokenInfo {
  /** Milliseconds since the epoch, like `Date.now()`. */
  expiresAt: number;
  scope: string | null;
  hasRefreshToken: boolean;
  /** Where the current token came from. */
  source: "store" | "network" | "broker";
}

export type AndOpenEventType =
  | "token_request" | "token_response" | "token_error" | "store_hit" | "store_miss"
  | "store_error" | "retry" | "unauthorized_retry" | "broker_error";

export type TokenGrantName = "client_credentials" | "refresh_token";

/** A token request is about to be sent. */
export interface TokenRequestEvent { type: "token_request"; grant: TokenGrantName; /** 1-based */ attempt: number }
/** The auth server answered with a token. */
export interface TokenResponseEvent { type: "token_response"; grant: TokenGrantName; status?: number; /** seconds */ expiresIn: number }
/** A token request failed and will not be retried. */
export interface TokenErrorEvent { type: "token_error"; grant: TokenGrantName; status?: number; code: AndOpenErrorCode }
/** `key`: the store key (derived from a hash; holds no secret). */
export interface StoreHitEvent { type: "store_hit"; key: string }
export interface StoreMissEvent { type: "store_miss"; key: string }
export interface StoreErrorEvent { type: "store_error"; operation: "get" | "put" | "delete"; message: string }
/** `attempt`: the 1-based retry number. */
export interface RetryEvent { type: "retry"; target: "token" | "api"; attempt: number; delayMs: number; status?: number; code: AndOpenErrorCode }
export interface UnauthorizedRetryEvent { type: "unauthorized_retry"; status: 401 }
/** The broker could not be reached, threw or did not answer: the client renewed by itself. */
export interface BrokerErrorEvent { type: "broker_error"; message: string }

/** What `onEvent` receives, discriminated on `type`. Never carries a secret or a token value. */
export type AndOpenEvent =
  | TokenRequestEvent | TokenResponseEvent | TokenErrorEvent | StoreHitEvent | StoreMissEvent
  | StoreErrorEvent | RetryEvent | UnauthorizedRetryEvent | BrokerErrorEvent;

/** The part of a Workers `DurableObjectNamespace` (bound to `AndOpenTokenBroker`) the client uses. */
export interface BrokerNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): unknown;
}

/** What every profile shares. */
export interface CommonClientOptions {
  /** Required unless `refreshToken` is given. */
  clientId?: string;
  clientSecret?: string;
  /** Start from a saved refresh token (a client with only this works until it is refused). */
  refreshToken?: string;
  /** Default: the client's own memory. */
  store?: TokenStore;
  storeKey?: string;
  /** Renew this long before expiry. Default 60. */
  refreshLeewaySeconds?: number;
  /** Per HTTP attempt. Default 10000. */
  timeoutMs?: number;
  /** For 429 / 5xx / network errors, with backoff. Default 2. */
  maxRetries?: number;
  /** The most `json()`/`ping()` read of a body, in bytes. Default: no limit. */
  maxResponseBytes?: number;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** May return a promise; a rejection is ignored like a throw. */
  onEvent?: (event: AndOpenEvent) => unknown;
  /** Allow a clientSecret in a browser page (demos and trusted setups only). */
  dangerouslyAllowBrowser?: boolean;
  /** A Durable Object namespace bound to `AndOpenTokenBroker`: one token for every isolate. */
  broker?: BrokerNamespaceLike;
}

/** The &Open API (the default profile). */
export interface AndOpenProfileOptions extends CommonClientOptions {
  profile?: "andopen";
  /** Sent as `x-api-key` to both servers. */
  apiKey: string;
  /** The tenant reference (`x-andopen-tenant`). */
  tenant: string;
  environment?: "production" | "staging";
  authUrl?: string;
  apiUrl?: string;
}

/** Any RFC 6749 authorization server and bearer-protected API. */
export interface OAuth2ProfileOptions extends CommonClientOptions {
  profile: "oauth2";
  /** The token endpoint's full URL. */
  tokenUrl: string;
  apiUrl: string;
  /** RFC 6749 §2.3.1. Default "client_secret_basic". */
  clientAuth?: "client_secret_basic" | "client_secret_post";
  scope?: string;
  audience?: string;
  resource?: string;
  /** Sent as `x-api-key` when given. */
  apiKey?: string;
  /** Sent as `x-andopen-tenant` when given. */
  tenant?: string;
}

export type AndOpenClientOptions = AndOpenProfileOptions | OAuth2ProfileOptions;

/** The methods of `AndOpenClient` (its constructor and `free()` are on the class). */
export interface AndOpenClient {
    /** `GET /` on the API: the banner string. Rejects with `AndOpenError` on any failure. */
    ping(): Promise<string>;
    /** An authenticated `fetch` against the API server; resolves with the last `Response`. */
    fetch(input: string | URL, init?: RequestInit): Promise<Response>;
    /** An authenticated fetch that parses the JSON body; rejects on any non-2xx status. */
    json(input: string | URL, init?: RequestInit): Promise<unknown>;
    /** A valid access token (renewed if needed). */
    accessToken(): Promise<string>;
    /** Metadata of the current token, never the token itself; `null` before any token. */
    tokenInfo(): Promise<TokenInfo | null>;
    /** Forces a new token from the auth server now. */
    refresh(): Promise<void>;
    /**
     * Forgets the access and refresh tokens, in memory and in the store. Rejects with `storage`
     * if the store's `delete` fails (memory is cleared regardless).
     */
    clear(): Promise<void>;
}
"#;
