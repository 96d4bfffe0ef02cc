// Tokens encrypted at rest in Workers KV (docs/API.md, "Encrypted tokens in KV"), through WebCrypto
// because that is what every runtime has (Workers, Node 20+, browsers): AES-256-GCM, the key
// derived once per KvStore by HKDF-SHA256 from the `encryptionKey` secret, a fresh 96-bit IV per
// write (NIST SP 800-38D §8.2.2: random IVs are safe far beyond one write per second per key) and
// the storage key as additional data, so a value copied under another key does not decrypt.
//
// Stored text: `aoenc1.<base64url IV>.<base64url ciphertext and 128-bit tag>` (RFC 4648 §5, no
// padding). The version prefix names the whole scheme: any change to it gets a new prefix.

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
export function hasWebCrypto() {
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
export class KvCipher {
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
