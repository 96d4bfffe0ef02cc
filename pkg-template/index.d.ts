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
import type { AndOpenErrorCode } from "./andopen_client.js";

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

// wasm-bindgen types the classes' `[Symbol.dispose]()` (for `using`). `Symbol.dispose` is in
// TypeScript's lib from ES2025 / esnext.disposable on; this declares it for older `lib`
// settings (ES2022 + DOM, the Workers template's ES2024), the same way @types/node does.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
