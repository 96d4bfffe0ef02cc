// AndOpenError: a real Error subclass (instanceof, name, stack), built by the Rust layer.
// It lives in JS because a Rust type cannot extend Error.
export class AndOpenError extends Error {
  // `fields`: [status, retryable, oauthError, description, retryAfterSeconds] (error.rs).
  constructor(code, message, fields) {
    super(message);
    const [status, retryable, oauthError, description, retryAfterSeconds] = fields ?? [];
    this.name = "AndOpenError";
    this.code = code;
    this.status = status;
    this.retryable = retryable === true;
    this.oauthError = oauthError;
    this.description = description;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function andOpenErrorClass() {
  return AndOpenError;
}

// Guards that turn hostile or careless JS values into AndOpenErrors or nothing: options objects
// whose getters or Proxy traps throw, calls after free(). They live here, with the error class, because every extra snippet is one more module
// for the runtime (and wasm-bindgen-test's server) to load.

// A plain copy of the options' own enumerable fields, or null if reading them threw (a Proxy
// trap or a getter). Everything after this reads the copy, which cannot throw.
export function copyOptions(options) {
  try {
    const copy = {};
    for (const key of Object.keys(options)) copy[key] = options[key];
    return copy;
  } catch {
    return null;
  }
}

// What every method of a freed object (the client, a store) answers: a rejection with an
// AndOpenError (code invalid_config: the object is unusable).
export function afterFree(className, method) {
  return Promise.reject(new AndOpenError("invalid_config", `${className}.${method}() was called after free()`, [undefined, false]));
}

// wasm-bindgen's generated classes throw a raw Error("null pointer passed to rust") from a second
// free(). This makes free() (and Symbol.dispose) idempotent. `__wbg_ptr` is the glue's handle
// field: 0 once freed. The client's methods are JS (driver.js addClientMethods) and check it
// themselves.
export function idempotentFree(Class) {
  const proto = Class.prototype;
  const free = proto.free;
  const guardedFree = function () {
    if (this.__wbg_ptr !== 0) free.call(this);
  };
  proto.free = guardedFree;
  if (typeof Symbol.dispose === "symbol" && typeof proto[Symbol.dispose] === "function") proto[Symbol.dispose] = guardedFree;
}

// What the token broker needs to renew on every isolate's behalf: the options that configure
// the grant, never the handles (store, fetch, onEvent, broker), which cannot cross to it.
const BROKER_OPTIONS = [
  "apiKey", "tenant", "clientId", "clientSecret", "refreshToken", "environment", "authUrl", "apiUrl",
  "profile", "tokenUrl", "clientAuth", "scope", "audience", "resource", "refreshLeewaySeconds",
  "timeoutMs", "maxRetries",
];

export function brokerOptions(copy) {
  const picked = {};
  for (const key of BROKER_OPTIONS) if (copy[key] !== undefined && copy[key] !== null) picked[key] = copy[key];
  return picked;
}
