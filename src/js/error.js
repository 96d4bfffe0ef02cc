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

// A short, secret-free description of something JS threw (a store, a broker): the Error's name,
// or its type. The message is left out on purpose: a user's store may put anything in it. An Error
// whose `name` getter throws is described by its type.
export function describeThrown(value) {
  if (typeof value === "string") return "a thrown string";
  if (value === undefined || value === null) return "an empty rejection";
  try {
    if (value instanceof Error) return String(value.name);
  } catch {
    // a Proxy trap or a getter threw
  }
  return `a thrown ${typeof value}`;
}

// Guards that turn hostile or careless JS values into AndOpenErrors or nothing: options objects
// whose getters or Proxy traps throw, values that cannot serve as a store or a broker, calls after
// free(). They live here, with the error class, because every extra snippet is one more module
// for the runtime (and wasm-bindgen-test's server) to load.

// A plain copy of the options' own enumerable fields, or null if reading them threw (a Proxy
// trap or a getter). Everything after this reads the copy, which cannot throw. It has no
// prototype: an own "__proto__" key (JSON.parse makes one) is then a key like the others, refused
// as an unknown option, rather than the copy's prototype, whose fields would be read as options.
export function copyOptions(options) {
  try {
    const copy = Object.create(null);
    for (const key of Object.keys(options)) copy[key] = options[key];
    return copy;
  } catch {
    return null;
  }
}

// Whether `value` is an object with a function for each of `names`; false where a getter or Proxy
// trap throws.
function hasMethods(value, names) {
  try {
    return typeof value === "object" && value !== null && names.every((name) => typeof value[name] === "function");
  } catch {
    return false;
  }
}

/** Whether `value` can serve as a store: an object with get, put and delete functions. */
export const isStoreLike = (value) => hasMethods(value, ["get", "put", "delete"]);

// What the client's constructor reads of its options, all of it in JS: [copy, storeLike,
// brokerLike] (whether the copy's store can serve as one, whether its broker is a
// DurableObjectNamespace's idFromName and get), or null if reading threw. What they mean is
// decided in Rust (src/js/options.rs).
export function readOptions(options) {
  if (readAhead.has(options)) return readAhead.get(options);
  const copy = copyOptions(options);
  return copy === null ? null : [copy, isStoreLike(copy.store), hasMethods(copy.broker, ["idFromName", "get"])];
}

// What the exported class handed the wasm constructor -> readOptions's answer for it.
const readAhead = new WeakMap();

// The exported AndOpenClient (client.rs `completeClient`): the glue's class, whose constructor is
// a wasm export, behind one that reads the options first and hands that constructor their copy.
// A getter or Proxy trap of the caller's (in the options, the store or the broker) then runs in a
// JS frame, never under a wasm export (the V8 ≤ 12 crash precondition, bench/v8-crash/NOTES.md),
// and the wasm side reads nothing of the caller's again. Anything that is not an object goes
// through as it is, for the constructor to refuse.
export function readingClass(Glue) {
  const ahead = (options) => {
    if (options === null || typeof options !== "object") return options;
    const read = readOptions(options);
    // The copy, or for options that could not be read a stand-in, for which readOptions then
    // answers the same null.
    const handed = read === null ? {} : read[0];
    readAhead.set(handed, read);
    return handed;
  };
  // A declaration, not a returned class expression, whose name esbuild's syntax minifier drops:
  // the exported class is named `AndOpenClient` (its `name`, stack traces).
  class AndOpenClient extends Glue {
    constructor(options) {
      super(ahead(options));
      // The glue's handle field stays, but out of for…in, Object.keys, JSON.stringify and
      // console.log: it is the glue's, not data of the client's.
      Object.defineProperty(this, "__wbg_ptr", { enumerable: false });
    }
  }
  return AndOpenClient;
}

// What every method of a freed object (the client, a store) answers: a rejection with an
// AndOpenError (code invalid_config: the object is unusable).
export function afterFree(className, method) {
  return Promise.reject(new AndOpenError("invalid_config", `${className}.${method}() was called after free()`, [undefined, false]));
}

// AndOpenClient's methods, each the Driver method (driver.js) of the same name (their types and
// docs are in types.rs, which tests/docs/driver-codes.test.mjs compares with this list).
export const CLIENT_METHODS = ["ping", "fetch", "json", "accessToken", "tokenInfo", "refresh", "clear"];
const DRIVER = Symbol("andopen-client driver");

// Puts CLIENT_METHODS on the exported class (client.rs `completeClient`). Each rejects once the
// client is freed (`__wbg_ptr` is the glue's handle field, 0 then), else finds the client's Driver
// (driver.js) once through `driverOf` (a wasm export) and keeps it on the client, so a call reads
// the caller's arguments and starts the driver in JS frames, with no wasm export on the stack. An
// `init` of null is no init, as it was when the methods were wasm exports.
// Each is defined as a class body defines a method: named (a stack trace reads
// `AndOpenClient.fetch`, not `<computed>`), not enumerable, not a constructor.
export function addClientMethods(Class, driverOf) {
  for (const name of CLIENT_METHODS) {
    const method = {
      [name](input, init) {
        if (this.__wbg_ptr === 0) return afterFree(Class.name, name);
        const driver = this[DRIVER] ?? (this[DRIVER] = driverOf(this));
        return driver[name](input, init ?? undefined);
      },
    }[name];
    Object.defineProperty(Class.prototype, name, { value: method, writable: true, configurable: true });
  }
}

// wasm-bindgen's generated classes throw a raw Error("null pointer passed to rust") from a second
// free(). This makes free() (and Symbol.dispose) idempotent. `__wbg_ptr` is the glue's handle
// field: 0 once freed. The client's methods are JS (addClientMethods, above) and check it
// themselves.
export function idempotentFree(Class) {
  const proto = Class.prototype;
  const free = proto.free;
  // A method named `free`, as the one it replaces (the property keeps that one's attributes).
  const guardedFree = {
    free() {
      if (this.__wbg_ptr !== 0) free.call(this);
    },
  }.free;
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
