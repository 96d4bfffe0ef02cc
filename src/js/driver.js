// The driver: it runs the steps the session (src/js/session/) returns, and reports what came of
// each.
// It owns the I/O and nothing else: fetch with its timeout and the caller's AbortSignal, bounded
// body reads, timers, store and broker calls, delivering events, and sharing one renewal among
// every caller. Every decision (what to send, whether to retry, how long to wait, what an answer
// means, what to store) is the session's, made by the Rust core's flows.
//
// It is one module with the attempt below because every snippet is one more module to load, and
// wasm-bindgen-test's server (tiny_http) starves a connection when a page opens five at once.

// It imports nothing: a bundler (esbuild) inlines the constants below only in a module whose code
// before them runs nothing, and an import might (error.js holds what the exported class needs).

// One HTTP attempt, in one call: the headers, fetch, the per-attempt timeout and the
// caller's AbortSignal, and (when asked) the body read under the same deadline. Doing this in JS
// keeps the hot path to a single crossing of the wasm boundary (bench/: the per-call overhead).
//
// Redirects are never followed here (`redirect: "manual"`): the Rust core decides which ones to
// follow, so credentials never reach another origin (docs/API.md, Security).
//
// Rejects with a number, never with the runtime's error (whose text differs in every runtime):
export const ABORTED = 1; // the caller's signal fired
export const TIMEOUT = 2; // timeoutMs passed (even if the fetch ignores its signal)
export const NETWORK = 3; // no response, or the body broke off
export const BAD_HEADERS = 4; // init.headers could not be read
export const NO_FETCH = 5; // no fetch to call
export const BAD_RESPONSE = 6; // fetch resolved to something that is not a usable Response

// How the body is read (Rust passes one of these):
export const READ_NONE = 0; // client.fetch(): the caller reads it
export const READ_TEXT = 1; // token responses: text, at most `textLimit` bytes, then jsonMembers
export const READ_JSON = 2; // json()/ping(): a 2xx is parsed here with JSON.parse (at most
//                             `jsonLimit` bytes); any other status is read as READ_TEXT is

// What the body came to (the last element of the resolved array):
export const BODY_NOT_READ = 0;
export const BODY_TEXT = 1;
export const BODY_JSON = 2;
export const BODY_TOO_LARGE = 3;
export const BODY_NOT_JSON = 4;

const TOO_LARGE = Symbol("too large");

// `request` is [url, method, clientHeaders, userHeaders, body]; `reading` is [timeoutMs, read,
// textLimit, jsonLimit] (made once per client in Rust: http.rs `readings`).
// Resolves with [response, status, retryAfter, location, members, value, bodyState]: `members` is
// jsonMembers of a body read as text, `value` a 2xx body of json()/ping() as JSON.parse made it.
// The status and headers are read here, once, inside a try: a Response whose getters throw is
// BAD_RESPONSE, never an exception escaping from wasm. `location` is absolute (resolved against
// `url`).
function sendAttempt(fetchFn, request, signal, reading) {
  const [url, method, clientHeaders, userHeaders, body] = request;
  const [timeoutMs, read, textLimit, jsonLimit] = reading;
  return new Promise((resolve, reject) => {
    if (signal != null && signal.aborted) return reject(ABORTED);
    const call = fetchFn ?? globalThis.fetch;
    if (typeof call !== "function") return reject(NO_FETCH);
    const hasBody = body !== undefined && body !== null;
    let headers;
    try {
      headers = buildHeaders(clientHeaders, userHeaders, hasBody && !typedBody(body));
    } catch {
      return reject(BAD_HEADERS);
    }
    const controller = new AbortController();
    let settled = false;
    const fail = (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwire();
      controller.abort();
      reject(code);
    };
    const timer = setTimeout(fail, timeoutMs, TIMEOUT);
    const onAbort = () => {
      // After client.fetch() resolved, the caller's signal still aborts the body it is reading.
      if (settled) controller.abort(signal.reason);
      else fail(ABORTED);
    };
    const unwire = () => signal?.removeEventListener("abort", onAbort);
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = (result, keepSignal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!keepSignal) unwire();
      resolve(result);
    };
    const init = { method, headers, signal: controller.signal, redirect: "manual" };
    if (hasBody) init.body = body;
    // A stream body needs `duplex` in Node's fetch (and in the Fetch standard); others ignore it.
    if (hasBody && typeof ReadableStream !== "undefined" && body instanceof ReadableStream) init.duplex = "half";
    let pending;
    try {
      // The global fetch is called unbound (browsers refuse another `this`).
      pending = fetchFn == null ? call(url, init) : fetchFn(url, init);
    } catch {
      return fail(NETWORK);
    }
    Promise.resolve(pending).then(
      (response) => {
        let head;
        try {
          head = snapshot(response, url);
        } catch {
          return fail(BAD_RESPONSE);
        }
        const ok = head.status >= 200 && head.status < 300;
        if (read === READ_NONE || head.status === 0) {
          return done([response, head.status, head.retryAfter, head.location, undefined, undefined, BODY_NOT_READ], read === READ_NONE);
        }
        const parse = read === READ_JSON && ok;
        readBody(response, parse ? jsonLimit : textLimit).then(
          (text) => {
            if (text === TOO_LARGE) return done([response, head.status, head.retryAfter, head.location, undefined, undefined, BODY_TOO_LARGE]);
            if (!parse) return done([response, head.status, head.retryAfter, head.location, jsonMembers(text), undefined, BODY_TEXT]);
            let value;
            try {
              value = JSON.parse(text);
            } catch {
              return done([response, head.status, head.retryAfter, head.location, undefined, undefined, BODY_NOT_JSON]);
            }
            done([response, head.status, head.retryAfter, head.location, undefined, value, BODY_JSON]);
          },
          () => fail(NETWORK),
        );
      },
      () => fail(NETWORK),
    );
  });
}

// The parts of a response the client decides on, read once. Throws if the object is not a
// Response or one of its getters throws (a hostile or broken custom fetch).
function snapshot(response, url) {
  if (typeof Response !== "undefined" && !(response instanceof Response)) throw new TypeError("not a Response");
  const status = response.status;
  if (typeof status !== "number") throw new TypeError("no status");
  const headers = response.headers;
  if (typeof headers?.get !== "function") throw new TypeError("no headers");
  // Only an answer the session may retry or follow needs these (a 2xx is the warm path's case).
  if (status >= 200 && status < 300) return { status, retryAfter: undefined, location: undefined };
  const retryAfter = headers.get("retry-after") ?? undefined;
  let location;
  const raw = status >= 300 && status < 400 ? headers.get("location") : null;
  if (raw != null) {
    try {
      location = new URL(raw, url).href;
    } catch {
      location = undefined; // an unparsable Location is as good as none
    }
  }
  return { status, retryAfter, location };
}

// The body as text, or TOO_LARGE as soon as it passes `limit` bytes: the reader stops there and
// the rest is cancelled, so the connection is released and nothing more is buffered.
async function readBody(response, limit) {
  if (!(limit < Infinity)) return response.text();
  // A declared, unencoded length decides without streaming: over the limit, nothing is read; within
  // it, text() is cheaper than a reader (fetch itself holds the server to that length). An
  // encoded (compressed) body's length says nothing about what it expands to, so it streams.
  const declared = declaredLength(response);
  if (declared !== undefined && declared > limit) {
    response.body?.cancel().catch(() => {});
    return TOO_LARGE;
  }
  if (declared !== undefined) {
    const text = await response.text();
    return text.length > limit ? TOO_LARGE : text;
  }
  const stream = response.body;
  if (stream == null || typeof stream.getReader !== "function") {
    const text = await response.text();
    return text.length > limit ? TOO_LARGE : text;
  }
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function declaredLength(response) {
  const headers = response.headers;
  const encoding = headers.get("content-encoding");
  if (encoding != null && encoding.trim().toLowerCase() !== "identity") return undefined;
  const length = headers.get("content-length");
  return length != null && /^\d{1,15}$/.test(length.trim()) ? Number(length) : undefined;
}

// What the core reads of a JSON text (src/js/json.rs, src/core/json.rs): undefined when it is not
// JSON, null when it is not an object, else [name, value, …] with undefined for a nested value
// (token responses, error bodies and stored tokens are flat). The runtime's JSON.parse does the
// parsing, so the .wasm needs no parser and the text is never copied into wasm memory.
export function jsonMembers(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const members = [];
  for (const name of Object.keys(value)) {
    const member = value[name];
    members.push(name, member !== null && typeof member === "object" ? undefined : member);
  }
  return members;
}

// Reads a body that sendAttempt did not (a final 401 in client.fetch), under its own deadline and
// the same cap; "" if it cannot be read in time or is too large.
function readText(response, timeoutMs, limit) {
  const text = () => readBody(response, limit).then((text) => (text === TOO_LARGE ? "" : text), () => "");
  return bounded(text, timeoutMs, (resolve) => resolve(""));
}

// FormData, URLSearchParams and Blob bodies carry their own Content-Type, which fetch sends.
function typedBody(body) {
  return (
    (typeof FormData !== "undefined" && body instanceof FormData) ||
    (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams) ||
    (typeof Blob !== "undefined" && body instanceof Blob)
  );
}

// `clientHeaders` is the client's complete set for this call, built once per token in Rust and
// passed as it is when nothing is added (fetch does not modify it). The client's headers win over
// the caller's, except Accept and Content-Type, which the caller may set (docs/API.md:
// Content-Type only with a body, unless the caller set one).
function buildHeaders(clientHeaders, userHeaders, jsonBody) {
  if (userHeaders == null) {
    // The client's own Content-Type (a form-encoded token request) wins over the JSON default.
    return jsonBody ? { "content-type": "application/json", ...clientHeaders } : clientHeaders;
  }
  const headers = new Headers(userHeaders);
  for (const name in clientHeaders) {
    if (!(name === "accept" && headers.has(name))) headers.set(name, clientHeaders[name]);
  }
  if (jsonBody && !headers.has("content-type")) headers.set("content-type", "application/json");
  return headers;
}

// Lets go of a response that will not be read, so its connection is freed. A body already read
// (or locked) is left alone; a failed cancel is nobody's business (no unhandled rejection).
export function discard(response) {
  try {
    if (response.body != null && !response.bodyUsed && !response.body.locked) {
      response.body.cancel().catch(() => {});
    }
  } catch {
    // a Response whose getters throw: nothing to free
  }
}

// The runtime's own URL parser (the one fetch uses), so `..`, `%2e%2e` and backslashes are
// resolved exactly as they will be sent. `undefined` for something that is not a URL.
export function resolveUrl(text) {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}

// A browser window: a global `window` and `document` (docs/API.md, Security); Workers, Node and
// web workers have neither. A getter that throws counts as absent.
export function isBrowserWindow() {
  try {
    return globalThis.window !== undefined && globalThis.document !== undefined;
  } catch {
    return false;
  }
}

// A call's `input` and `init` as plain values, [href, init], read here once, before the session
// sees them: a getter or Proxy trap of the caller's that throws makes `undefined`, which the
// session refuses as invalid_config (a bad init), rather than a field silently read as missing.
// `href` is `input` itself for a string, else its `href` (a URL). The copy also says whether the
// signal is an AbortSignal and the body a stream: `instanceof` runs a Proxy's getPrototypeOf
// trap, which belongs here, in a JS frame, rather than under a session method (a wasm export).
function readCall(input, init) {
  try {
    const href = typeof input === "string" ? input : input?.href;
    if (init === null || typeof init !== "object") return [href, init];
    const { method, signal, headers, body, redirect } = init;
    const signalIsAbortSignal = isInstance(signal, globalThis.AbortSignal);
    const bodyIsStream = isInstance(body, globalThis.ReadableStream);
    return [href, { method, signal, headers, body, redirect, signalIsAbortSignal, bodyIsStream }];
  } catch {
    return undefined;
  }
}

// `value instanceof Class`, false where the class is missing or a trap throws.
function isInstance(value, Class) {
  try {
    return typeof Class === "function" && value instanceof Class;
  } catch {
    return false;
  }
}

// The waits around attempts, abortable by a caller's AbortSignal.

// Resolves after `ms`, or as soon as `signal` aborts (so a backoff never outlives an abort).
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal != null && signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      if (signal != null) signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal != null) signal.addEventListener("abort", onAbort, { once: true });
  });
}

// Settles like `promise`, or rejects as soon as `signal` aborts; the caller then sees
// `signal.aborted` and reports `aborted`. Handlers are attached to `promise` either way, so a
// shared renewal that this caller stops waiting for never becomes an unhandled rejection.
// With `deadlineMs`, resolves to `undefined` if `promise` has not settled by then: in Workers a
// renewal started by another request never settles if that request is cancelled, so a waiter
// must be able to give up on it (the timer is the waiter's own, in its own request).
function raceAbort(promise, signal, deadlineMs) {
  promise.catch(() => {});
  if (signal == null && deadlineMs == null) return promise;
  return new Promise((resolve, reject) => {
    if (signal != null && signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = deadlineMs == null ? undefined : setTimeout(() => {
      if (signal != null) signal.removeEventListener("abort", onAbort);
      resolve(undefined);
    }, deadlineMs);
    if (signal != null) signal.addEventListener("abort", onAbort, { once: true });
    const settle = (finish) => (value) => {
      clearTimeout(timer);
      if (signal != null) signal.removeEventListener("abort", onAbort);
      finish(value);
    };
    promise.then(settle(resolve), settle(reject));
  });
}

// The token broker (a Durable Object, called by RPC): one ask, bounded by timeoutMs like an
// attempt. Rejects with TIMEOUT when the broker does not answer.
function askBroker(namespace, name, options, report, timeoutMs) {
  return bounded(() => namespace.get(namespace.idFromName(name)).token(options, report ?? null), timeoutMs, timedOut);
}

function clearBroker(namespace, name, timeoutMs) {
  return bounded(() => namespace.get(namespace.idFromName(name)).clear(), timeoutMs, timedOut);
}

const timedOut = (resolve, reject) => reject(TIMEOUT);

// Settles like the promise `start()` returns (a synchronous throw rejects), or as `onTimeout`
// (given resolve and reject) decides once `timeoutMs` has passed: the one deadline of the broker,
// store and late-body calls.
function bounded(start, timeoutMs, onTimeout) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(onTimeout, timeoutMs, resolve, reject);
    const settle = (finish) => (value) => {
      clearTimeout(timer);
      finish(value);
    };
    try {
      Promise.resolve(start()).then(settle(resolve), settle(reject));
    } catch (error) {
      settle(reject)(error);
    }
  });
}

// The session's operations, run through its one export, `session.op(code, id, a, b, c)`
// (src/js/session/ops.rs `OP_*`, which also says each one's arguments).
export const OP_TOKEN = 0;
export const OP_CLEAR = 1;
export const OP_ERROR = 2;
export const OP_TOKEN_INFO = 3;
export const OP_CALL_START = 4;
export const OP_CALL_REQUEST = 5;
export const OP_CALL_ANSWER = 6;
export const OP_CALL_REFUSED = 7;
export const OP_CALL_END = 8;
export const OP_RESOLVE_PATH = 9;
export const OP_RENEW_START = 10;
export const OP_RENEW_STEP = 11;
export const OP_RENEW_BROKER = 12;
export const OP_RENEW_STORE = 13;
export const OP_RENEW_ANSWER = 14;
export const OP_RENEW_RESUME = 15;
export const OP_RENEW_END = 16;
export const OP_BROKER_CLEAR_FAILED = 17;
export const OP_STORE_CLEARED = 18;

// The session's step kinds (src/js/session/ `STEP_*`): a step is [kind, events, ...payload].
export const STEP_BROKER = 0;
export const STEP_GET = 1;
export const STEP_PUT = 2;
export const STEP_SEND = 3;
export const STEP_WAIT = 4;
export const STEP_DONE = 5;
export const STEP_FAIL = 6;
export const STEP_AGAIN = 7;
export const STEP_RETURN = 8;
export const STEP_READ = 9;

// How a store call ended (src/js/session/renewal.rs `STORE_*`).
export const STORE_OK = 0;
export const STORE_THREW = 1;
export const STORE_REJECTED = 2;
export const STORE_TIMEOUT = 3;
export const STORE_MISSING = 4;

// The errors the driver raises, made by the session (`OP_ERROR`'s id; src/js/session/ `ERROR_*`).
export const ERROR_BANNER = 0;
export const ERROR_ABORTED = 1;
export const ERROR_TIMEOUT = 2;

// The cached token's state, the first element of session.token() (src/js/session/ `TOKEN_*`).
export const TOKEN_MISSING = 0;
export const TOKEN_FRESH = 1;
export const TOKEN_RENEWABLE = 2;

// How many recent (path, URL) pairs the warm path keeps: an API client calls a few paths over and
// over, and the URL parser is the largest cost of a warm call.
const RESOLVED_PATHS = 32;

// [result, undefined] when an attempt resolved, [undefined, code] when it failed: what the session
// takes.
const outcome = (promise) => promise.then((result) => [result, undefined], (code) => [undefined, code]);

// One per client (client.rs makes it). `handles`: [fetch, store, broker namespace, broker options,
// onEvent]; `settings`: [storeKey, timeoutMs, joinDeadlineMs, readings], where `readings` holds
// sendAttempt's `reading` for each READ_* mode (http.rs `readings`).
export class Driver {
  constructor(session, handles, settings) {
    this.s = session;
    [this.fetchFn, this.store, this.brokerNamespace, this.brokerOptions, this.onEvent] = handles;
    [this.storeKey, this.timeoutMs, this.joinDeadlineMs, this.readings] = settings;
    // The renewal in flight ({ id, promise }), shared by every caller that needs a token meanwhile.
    this.renewal = null;
    // { headers, generation, until } of session.token() while it said FRESH: the warm path's.
    this.fresh = undefined;
    this.paths = new Map();
  }

  ping() {
    return this.json("/", undefined).then((value) => {
      if (typeof value === "string") return value;
      throw this.s.op(OP_ERROR, ERROR_BANNER);
    });
  }

  fetch(input, init) {
    return (init === undefined && this.warm(input, READ_NONE)) || this.call(input, init, READ_NONE, undefined);
  }

  json(input, init) {
    return (init === undefined && this.warm(input, READ_JSON)) || this.call(input, init, READ_JSON, undefined);
  }

  accessToken() {
    return this.token(undefined).then((held) => held.text);
  }

  tokenInfo() {
    return Promise.resolve(this.s.op(OP_TOKEN_INFO, 0));
  }

  refresh() {
    const renewal = this.renewal;
    return (renewal !== null ? this.join(renewal, undefined) : this.own(true, undefined)).then(() => undefined);
  }

  // Memory is cleared before this returns; the broker and the store follow.
  async clear() {
    this.s.op(OP_CLEAR, 0);
    this.renewal = null;
    this.fresh = undefined;
    if (this.brokerNamespace != null) {
      try {
        await clearBroker(this.brokerNamespace, this.storeKey, this.timeoutMs);
      } catch (thrown) {
        this.emit(this.s.op(OP_BROKER_CLEAR_FAILED, 0, thrown)[1]);
      }
    }
    const [done, value] = await this.storeCall("delete", [this.storeKey]);
    const error = this.s.op(OP_STORE_CLEARED, 0, done, value);
    if (error !== undefined) throw error;
  }

  // The warm path of fetch(path) and json(path) without init: while the token is fresh, one GET
  // goes out with no call into the session, and only an answer that needs handling (anything but a
  // 2xx, or a body that is not JSON) goes to the session, exactly as if `call` had made the
  // attempt. `undefined` when the call does not qualify.
  warm(input, read) {
    const fresh = this.fresh;
    if (fresh === undefined || typeof input !== "string" || input.charCodeAt(0) !== 47 || !(Date.now() < fresh.until)) return undefined;
    let url = this.paths.get(input);
    if (url === undefined) {
      url = this.s.op(OP_RESOLVE_PATH, 0, input);
      if (url === undefined) return undefined;
      if (this.paths.size === RESOLVED_PATHS) this.paths.delete(this.paths.keys().next().value);
      this.paths.set(input, url);
    }
    const { headers, generation } = fresh;
    const reading = this.readings[read];
    // The caller's fetch runs here, from the client's JS method, with no wasm frame on the stack
    // (the V8 ≤ 12 crash precondition, bench/v8-crash/NOTES.md; security row no-wasm-frames).
    return sendAttempt(this.fetchFn, [url, "GET", headers, undefined, undefined], undefined, reading)
      .then(
        (result) => {
          const status = result[1];
          if (status >= 200 && status < 300) {
            if (read === READ_NONE) return result[0];
            if (result[6] === BODY_JSON) return result[5];
          }
          return this.call(url, undefined, read, { generation, result, code: undefined });
        },
        (code) => this.call(url, undefined, read, { generation, result: undefined, code }),
      );
  }

  // One API call: attempts with a valid token until the session's call flow returns or fails.
  // `first` is the attempt the warm path already made: { generation, result, code }.
  async call(input, init, read, first) {
    const started = this.s.op(OP_CALL_START, 0, readCall(input, init), read);
    if (!Array.isArray(started)) throw started; // invalid_config: a bad input or init
    const [id, signal, userHeaders, body] = started;
    try {
      let made = first;
      for (;;) {
        if (made === undefined) {
          const held = await this.token(signal);
          const [url, method, withBody] = this.s.op(OP_CALL_REQUEST, id);
          const request = [url, method, held.headers, userHeaders, withBody ? body : undefined];
          const [result, code] = await outcome(sendAttempt(this.fetchFn, request, signal, this.readings[read]));
          made = { generation: held.generation, result, code };
        }
        const [kind, events, payload] = this.s.op(OP_CALL_ANSWER, id, made.generation, made.result, made.code);
        made = undefined;
        this.emit(events);
        // A refused token ends in `again`, `read` or `fail`: the warm path stops using it until
        // the next token() asks the session again.
        if (kind !== STEP_RETURN && kind !== STEP_WAIT) this.fresh = undefined;
        switch (kind) {
          case STEP_RETURN:
            return payload;
          case STEP_AGAIN:
            break;
          case STEP_WAIT:
            await sleep(payload, signal);
            if (signal != null && signal.aborted) made = { generation: 0, result: undefined, code: ABORTED };
            break;
          case STEP_READ: {
            const text = await readText(payload, this.timeoutMs, this.readings[READ_TEXT][2]);
            const [, refusedEvents, error] = this.s.op(OP_CALL_REFUSED, id, jsonMembers(text));
            this.emit(refusedEvents);
            throw error;
          }
          default:
            throw payload;
        }
      }
    } finally {
      this.s.op(OP_CALL_END, id);
    }
  }

  // A valid token, as { headers, generation, text }. Inside the leeway window only the caller that
  // starts the renewal waits for it; the others go on with the still-valid token (docs/API.md).
  async token(signal) {
    const [state, headers, generation, until, text] = this.s.op(OP_TOKEN, 0);
    const held = { headers, generation, text };
    this.fresh = state === TOKEN_FRESH ? { headers, generation, until } : undefined;
    const renewal = this.renewal;
    if (state === TOKEN_FRESH || (state === TOKEN_RENEWABLE && renewal !== null)) return held;
    if (state === TOKEN_RENEWABLE) {
      try {
        return await this.own(false, signal);
      } catch (error) {
        // The old token is still valid: a failed early renewal does not fail this call.
        if (signal != null && signal.aborted) throw error;
        return held;
      }
    }
    return renewal !== null ? this.join(renewal, signal) : this.own(false, signal);
  }

  // Starts a renewal and waits for it, however long its retries take.
  own(force, signal) {
    return this.wait(this.start(force), signal, undefined);
  }

  // Waits for a renewal another call started. In Workers that call may belong to a request that
  // gets cancelled, and then its renewal never settles: past the longest time a renewal can take,
  // this caller starts its own (once) instead of hanging.
  async join(renewal, signal) {
    const held = await this.wait(renewal, signal, this.joinDeadlineMs);
    if (held !== undefined) return held;
    const current = this.renewal;
    const again = current !== null && current.id !== renewal.id
      ? await this.wait(current, signal, this.joinDeadlineMs)
      : await this.wait(this.start(false), signal, undefined);
    if (again === undefined) throw this.s.op(OP_ERROR, ERROR_TIMEOUT);
    return again;
  }

  // Every waiter gets the same token, or the same AndOpenError; `undefined` past `deadlineMs`.
  async wait(renewal, signal, deadlineMs) {
    try {
      return await raceAbort(renewal.promise, signal, deadlineMs);
    } catch (error) {
      if (signal != null && signal.aborted) throw this.s.op(OP_ERROR, ERROR_ABORTED);
      throw error;
    }
  }

  start(force) {
    const id = this.s.op(OP_RENEW_START, 0, force);
    this.fresh = undefined;
    const renewal = { id, promise: undefined };
    renewal.promise = this.renew(id).finally(() => {
      if (this.renewal === renewal) this.renewal = null;
    });
    this.renewal = renewal;
    return renewal;
  }

  // Runs one renewal's steps: broker, store, token requests, waits. A step's payload (a, b, c) is,
  // by kind: broker: the report; get: the key; put: key, value, TTL in seconds; send: URL, headers,
  // body; wait: milliseconds; done: headers, generation, the token's text; fail: the error.
  async renew(id) {
    // The caller's fetch, store and onEvent run from a microtask, after own() has made this the
    // renewal in flight: one of them that calls the client again joins it instead of starting a
    // second one.
    await undefined;
    try {
      let step = this.s.op(OP_RENEW_STEP, id);
      for (;;) {
        const [kind, events, a, b, c] = step;
        this.emit(events);
        switch (kind) {
          case STEP_DONE:
            return { headers: a, generation: b, text: c };
          case STEP_BROKER: {
            let answered = true;
            let value;
            try {
              value = await askBroker(this.brokerNamespace, this.storeKey, this.brokerOptions, a, this.timeoutMs);
            } catch (thrown) {
              answered = false;
              value = thrown;
            }
            step = this.s.op(OP_RENEW_BROKER, id, answered, value);
            break;
          }
          case STEP_GET: {
            const [done, value] = await this.storeCall("get", [a]);
            step = this.s.op(OP_RENEW_STORE, id, false, done, value);
            break;
          }
          case STEP_PUT: {
            const [done, value] = await this.storeCall("put", [a, b, { expirationTtl: c }]);
            step = this.s.op(OP_RENEW_STORE, id, true, done, value);
            break;
          }
          case STEP_SEND: {
            // Not tied to any caller's signal: the renewal is shared, and one caller giving up
            // must not fail it for the others.
            const request = [a, "POST", b, undefined, c];
            const [result, code] = await outcome(sendAttempt(this.fetchFn, request, undefined, this.readings[READ_TEXT]));
            step = this.s.op(OP_RENEW_ANSWER, id, result, code);
            break;
          }
          case STEP_WAIT:
            await sleep(a, undefined);
            step = this.s.op(OP_RENEW_RESUME, id);
            break;
          default:
            throw a;
        }
      }
    } finally {
      this.s.op(OP_RENEW_END, id);
    }
  }

  // A store call bounded by timeoutMs: resolves with [STORE_*, value or what was thrown].
  storeCall(method, args) {
    let returned;
    try {
      const call = this.store[method];
      if (typeof call !== "function") return Promise.resolve([STORE_MISSING, undefined]);
      returned = call.apply(this.store, args);
    } catch (thrown) {
      return Promise.resolve([STORE_THREW, thrown]);
    }
    const settled = () => Promise.resolve(returned).then((value) => [STORE_OK, value], (thrown) => [STORE_REJECTED, thrown]);
    return bounded(settled, this.timeoutMs, (resolve) => resolve([STORE_TIMEOUT, undefined]));
  }

  // Delivers a step's events. A listener that throws, or returns a promise that rejects, is
  // ignored: observing must not break a call (nor end a Node process with an unhandled rejection).
  emit(events) {
    if (events === undefined || typeof this.onEvent !== "function") return;
    for (const event of events) {
      try {
        settleQuietly(this.onEvent.call(undefined, event));
      } catch {
        // the listener threw: nothing to do
      }
    }
  }
}

// An onEvent listener may be async: its promise gets a catch, so a rejecting listener is never an
// unhandled rejection (which ends a Node process under its defaults).
function settleQuietly(value) {
  try {
    if (value != null && typeof value.then === "function") value.then(undefined, () => {});
  } catch {
    // a `then` getter that throws: nothing was started, nothing to catch
  }
}
