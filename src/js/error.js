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

// wasm-bindgen's generated classes throw a raw Error("null pointer passed to rust") from every
// method after free(), and from a second free(). This makes free() idempotent and every method
// of a freed object reject with an AndOpenError (code invalid_config: the object is unusable).
// `__wbg_ptr` is the glue's handle field: 0 once freed.
export function guardFreed(Class) {
  const proto = Class.prototype;
  const free = proto.free;
  const guardedFree = function () {
    if (this.__wbg_ptr !== 0) free.call(this);
  };
  proto.free = guardedFree;
  if (typeof Symbol.dispose === "symbol" && typeof proto[Symbol.dispose] === "function") proto[Symbol.dispose] = guardedFree;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    // `__destroy_into_raw` and the like are the glue's own, which free() calls.
    if (name === "constructor" || name === "free" || name.startsWith("__") || typeof descriptor.value !== "function") continue;
    const method = descriptor.value;
    proto[name] = function (...args) {
      if (this.__wbg_ptr === 0) {
        return Promise.reject(new AndOpenError("invalid_config", `${Class.name}.${name}() was called after free()`, [undefined, false]));
      }
      return method.apply(this, args);
    };
  }
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
