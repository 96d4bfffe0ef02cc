// Token stores: MemoryStore and KvStore, and KvStore's encryption. Any object with get/put/delete
// returning promises is a store (a Workers KV binding is one as it is); driver.js calls the store,
// bounded by the client's timeout, and reports every failure as a store_error event, never as a
// failed call. The stores hold and move text; what to store, and what a stored value means, is the
// session's (src/js/session/).
//
// The encryption: tokens encrypted at rest in Workers KV (docs/API.md, "Encrypted tokens in KV"), through WebCrypto
// because that is what every runtime has (Workers, Node 20+, browsers): AES-256-GCM, the key
// derived once per KvStore by HKDF-SHA256 from the `encryptionKey` secret, a fresh 96-bit IV per
// write (NIST SP 800-38D §8.2.2: random IVs are safe far beyond one write per second per key) and
// the storage key as additional data, so a value copied under another key does not decrypt.
//
// Stored text: `aoenc1.<base64url IV>.<base64url ciphertext and 128-bit tag>` (RFC 4648 §5, no
// padding). The version prefix names the whole scheme: any change to it gets a new prefix.

import { AndOpenError, afterFree, copyOptions, isStoreLike } from "./error.js";

const PREFIX = "aoenc1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Fixed, public and purpose-bound (RFC 5869 §3.1, §3.2): a secret reused elsewhere derives an
// unrelated key here.
const HKDF_SALT = "andopen-client KvStore aoenc1 salt";
const HKDF_INFO = "andopen-client KvStore aoenc1 AES-256-GCM key for tokens at rest";
// A token value is at most 64 KB (the client's cap); its sealed text is about 4/3 of that. Anything
// far bigger is not ours, and is refused before any decoding or decryption.
const MAX_SEALED_CHARS = 128 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Whether this runtime has the WebCrypto calls a cipher needs. */
function hasWebCrypto() {
  const subtle = globalThis.crypto?.subtle;
  return (
    subtle != null &&
    typeof subtle.importKey === "function" &&
    typeof subtle.deriveKey === "function" &&
    typeof subtle.encrypt === "function" &&
    typeof subtle.decrypt === "function" &&
    typeof globalThis.crypto.getRandomValues === "function"
  );
}

// Why a value could not be read. The name tells the client's store_error event what happened
// (it reports an error's name, never its message); the message never holds key material.
function undecryptable(why) {
  const error = new Error(`the stored value could not be decrypted: ${why}`);
  error.name = "KvDecryptionError";
  return error;
}

// Uint8Array.prototype.toBase64 / Uint8Array.fromBase64 (ES2026) where the runtime has them
// (workerd does): several times faster than the btoa/atob fallback (bench/kv-crypto.mjs).
const NATIVE_BASE64 = typeof Uint8Array.prototype.toBase64 === "function" && typeof Uint8Array.fromBase64 === "function";

function toBase64url(bytes) {
  if (NATIVE_BASE64) return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// Strict: only the base64url alphabet, no padding, no length that cannot be one (RFC 4648 §5).
function fromBase64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  try {
    if (NATIVE_BASE64) return Uint8Array.fromBase64(text, { alphabet: "base64url" });
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - (text.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

async function deriveKey(secret) {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode(HKDF_SALT), info: encoder.encode(HKDF_INFO) },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/**
 * One KvStore's cipher. The CryptoKey is derived on first use and the promise kept, so every
 * later read and write costs only the AES-GCM call; a derivation that failed is tried again.
 */
class KvCipher {
  #secret;
  #key = null;

  constructor(secret) {
    this.#secret = secret;
  }

  #cryptoKey() {
    this.#key ??= deriveKey(this.#secret).catch((error) => {
      this.#key = null;
      throw error;
    });
    return this.#key;
  }

  async seal(storageKey, plaintext) {
    const key = await this.#cryptoKey();
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(storageKey), tagLength: TAG_BYTES * 8 },
      key,
      encoder.encode(plaintext),
    );
    return `${PREFIX}.${toBase64url(iv)}.${toBase64url(new Uint8Array(sealed))}`;
  }

  async open(storageKey, text) {
    if (typeof text !== "string") throw undecryptable("it is not a string");
    if (text.length > MAX_SEALED_CHARS) throw undecryptable("it is over 128 KB");
    const parts = text.split(".");
    if (parts.length !== 3 || parts[0] !== PREFIX) {
      throw undecryptable(`it is not in the ${PREFIX} format (written without encryptionKey?)`);
    }
    const iv = fromBase64url(parts[1]);
    const sealed = fromBase64url(parts[2]);
    if (iv === null || sealed === null || iv.length !== IV_BYTES || sealed.length < TAG_BYTES) {
      throw undecryptable("it is truncated or malformed");
    }
    const key = await this.#cryptoKey();
    let plain;
    try {
      plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(storageKey), tagLength: TAG_BYTES * 8 },
        key,
        sealed,
      );
      return decoder.decode(plain);
    } catch {
      // GCM cannot tell these apart, by design: the tag fails for all of them.
      throw undecryptable("another encryptionKey, another storage key, or a changed or truncated value");
    }
  }

  // The namespace is called as `namespace.get(...)`: a KV binding's methods need it as `this`.
  // Async, so a binding that throws rejects instead.
  async get(namespace, storageKey) {
    const text = await namespace.get(storageKey);
    if (text === null || text === undefined) return null;
    return this.open(storageKey, text);
  }

  async put(namespace, storageKey, value, options) {
    const sealed = await this.seal(storageKey, value);
    return namespace.put(storageKey, sealed, options);
  }
}

// The least expirationTtl Workers KV accepts, in seconds.
const KV_MIN_TTL_SECONDS = 60;
// The shortest encryptionKey accepted: 32 characters, as many bytes as the AES-256 key that HKDF
// derives from it (a shorter secret would be the weakest link).
const MIN_ENCRYPTION_KEY_CHARS = 32;

const configError = (message) => new AndOpenError("invalid_config", message, [undefined, false]);

// The `expirationTtl` of a put's options, or undefined (also for options whose getter throws).
function ttlOf(options) {
  try {
    const ttl = options?.expirationTtl;
    return typeof ttl === "number" && Number.isFinite(ttl) ? ttl : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A store in this isolate's memory, honouring `expirationTtl`. Each client has one of its own
 * unless given a store; pass one MemoryStore to several clients to share their tokens.
 */
export class MemoryStore {
  // key -> [value, expires at in ms since the epoch, or undefined]
  #entries = new Map();
  #freed = false;

  get(key) {
    if (this.#freed) return afterFree("MemoryStore", "get");
    const entry = this.#entries.get(key);
    if (entry === undefined) return Promise.resolve(null);
    if (entry[1] !== undefined && !(entry[1] > Date.now())) {
      this.#entries.delete(key);
      return Promise.resolve(null);
    }
    return Promise.resolve(entry[0]);
  }

  put(key, value, options) {
    if (this.#freed) return afterFree("MemoryStore", "put");
    const ttl = ttlOf(options);
    this.#entries.set(key, [value, ttl !== undefined && ttl > 0 ? Date.now() + ttl * 1000 : undefined]);
    return Promise.resolve();
  }

  delete(key) {
    if (this.#freed) return afterFree("MemoryStore", "delete");
    this.#entries.delete(key);
    return Promise.resolve();
  }

  /** Drops every entry; a method called after it rejects. Idempotent. */
  free() {
    this.#freed = true;
    this.#entries.clear();
  }
}

// The options of `new KvStore(namespace, options)`: the `encryptionKey` secret, if any.
function readKvOptions(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object") throw configError("KvStore options must be an object");
  // Read once into a plain copy: a getter or Proxy trap that throws is a typed error here.
  const copy = copyOptions(options);
  if (copy === null) throw configError("KvStore options could not be read (a getter or Proxy trap threw)");
  const keys = Object.keys(copy);
  for (const key of keys) if (key !== "encryptionKey") throw configError(`unknown KvStore option "${key}"`);
  if (keys.length === 0) return undefined;
  // Present but undefined is refused, not taken as "no encryption": it is what an unset Worker
  // secret (`env.X`) gives, and tokens would then be stored in the clear unnoticed.
  const secret = copy.encryptionKey;
  if (typeof secret !== "string") throw configError("encryptionKey must be a string of at least 32 characters (is the Worker secret set?)");
  if ([...secret].length < MIN_ENCRYPTION_KEY_CHARS) throw configError(`encryptionKey must be at least ${MIN_ENCRYPTION_KEY_CHARS} characters long`);
  if (!hasWebCrypto()) throw configError("encryptionKey needs WebCrypto (crypto.subtle), which this runtime does not have");
  return secret;
}

/**
 * Wraps a Workers KV namespace binding and applies KV's rules: `expirationTtl` is never below 60 s
 * (KV refuses it; the `expiresAt` inside the value keeps a short-lived token from being used late),
 * and values are plain strings. With `encryptionKey`, every value is encrypted (AES-256-GCM, above),
 * and one that does not decrypt makes `get` reject, which the client reports as `store_error` and
 * treats as a miss.
 */
export class KvStore {
  #namespace;
  #cipher;
  #freed = false;

  constructor(namespace, options) {
    if (!isStoreLike(namespace)) throw configError("KvStore needs a KV namespace binding (an object with get, put and delete)");
    const secret = readKvOptions(options);
    this.#namespace = namespace;
    this.#cipher = secret === undefined ? undefined : new KvCipher(secret);
  }

  // The namespace is called as `namespace.get(...)`: a KV binding's methods need it as `this`.
  #call(method, args) {
    try {
      return Promise.resolve(this.#namespace[method](...args));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get(key) {
    if (this.#freed) return afterFree("KvStore", "get");
    return this.#cipher === undefined ? this.#call("get", [key]) : this.#cipher.get(this.#namespace, key);
  }

  put(key, value, options) {
    if (this.#freed) return afterFree("KvStore", "put");
    const ttl = ttlOf(options) ?? KV_MIN_TTL_SECONDS;
    const kvOptions = { expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttl)) };
    return this.#cipher === undefined ? this.#call("put", [key, value, kvOptions]) : this.#cipher.put(this.#namespace, key, value, kvOptions);
  }

  delete(key) {
    if (this.#freed) return afterFree("KvStore", "delete");
    return this.#call("delete", [key]);
  }

  /** A method called after it rejects. Idempotent. */
  free() {
    this.#freed = true;
  }
}

for (const Class of [MemoryStore, KvStore]) {
  if (typeof Symbol.dispose === "symbol") Class.prototype[Symbol.dispose] = Class.prototype.free;
}

/** The classes, for the package entries to export (src/js/store.rs `storeClasses`). */
export function storeClasses() {
  return [MemoryStore, KvStore];
}
