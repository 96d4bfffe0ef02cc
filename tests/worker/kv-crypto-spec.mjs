// The encrypted KvStore's stored format, written out independently of src/js/kv_crypto.js with
// node:crypto (not WebCrypto), so the tests check the documented scheme rather than the code
// against itself: `aoenc1.<base64url IV>.<base64url ciphertext+tag>`, AES-256-GCM, the key by
// HKDF-SHA256 from the UTF-8 secret with the salt and info below, the storage key as AAD.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

export const HKDF_SALT = "andopen-client KvStore aoenc1 salt";
export const HKDF_INFO = "andopen-client KvStore aoenc1 AES-256-GCM key for tokens at rest";
export const SEALED_FORMAT = /^aoenc1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,}$/;

function keyFor(secret) {
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), HKDF_SALT, HKDF_INFO, 32));
}

/** The plaintext of a stored value, or throws. */
export function openSealed(secret, storageKey, text) {
  const [prefix, iv64, sealed64] = text.split(".");
  if (prefix !== "aoenc1") throw new Error("not aoenc1");
  const iv = Buffer.from(iv64, "base64url");
  const sealed = Buffer.from(sealed64, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", keyFor(secret), iv);
  decipher.setAAD(Buffer.from(storageKey, "utf8"));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString("utf8");
}

/** A stored value as KvStore would write it (for reads of values this side wrote). */
export function seal(secret, storageKey, plaintext) {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(secret), iv);
  cipher.setAAD(Buffer.from(storageKey, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `aoenc1.${iv.toString("base64url")}.${body.toString("base64url")}`;
}

/** The same value with one bit of its ciphertext flipped (still well-formed base64url). */
export function flipOneBit(text, bit = 0) {
  const [prefix, iv64, sealed64] = text.split(".");
  const sealed = Buffer.from(sealed64, "base64url");
  sealed[Math.floor(sealed.length / 2)] ^= 1 << bit;
  return `${prefix}.${iv64}.${sealed.toString("base64url")}`;
}

/** Truncations of a stored value: one character less, the tag cut off, the IV only, half. */
export function truncations(text) {
  const dot = text.lastIndexOf(".");
  return {
    "last character": text.slice(0, -1),
    "last 4 characters (3 bytes of the tag)": text.slice(0, -4),
    "the whole tag": text.slice(0, -22),
    "the ciphertext": text.slice(0, dot + 1),
    half: text.slice(0, Math.floor(text.length / 2)),
  };
}

/**
 * Every text form a secret could leak in: itself, hex, and base64 and base64url at each of the
 * three byte alignments it could start at inside a bigger encoded blob (the characters that
 * depend on the neighbouring bytes dropped), plus its URI encoding.
 */
export function encodedForms(secret) {
  const bytes = Buffer.from(secret, "utf8");
  const forms = new Set([secret, encodeURIComponent(secret), bytes.toString("hex"), bytes.toString("hex").toUpperCase()]);
  for (let shift = 0; shift < 3; shift += 1) {
    const shifted = Buffer.concat([Buffer.alloc(shift), bytes]);
    for (const encoding of ["base64", "base64url"]) {
      const text = shifted.toString(encoding).replace(/=+$/, "");
      // Leading characters that carry bits of the padding bytes, and the trailing two that carry
      // bits of what follows, are not stable: keep the part that is.
      const lead = Math.ceil((shift * 8) / 6);
      forms.add(text.slice(lead, text.length - 2));
    }
  }
  return [...forms].filter((f) => f.length >= 8);
}

/** The forms of `secrets` found in `text` (an empty list when none is). */
export function leaks(text, secrets) {
  return secrets.flatMap((s) => encodedForms(s).filter((form) => text.includes(form)).map((form) => ({ secret: s.slice(0, 4) + "…", form })));
}
