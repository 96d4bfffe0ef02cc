// One HTTP attempt, in one call from Rust: the headers, fetch, the per-attempt timeout and the
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
export const READ_TEXT = 1; // token responses: text, at most `textLimit` bytes
export const READ_JSON = 2; // json()/ping(): a 2xx is parsed here with JSON.parse (at most
//                             `jsonLimit` bytes); any other status is read as text (`textLimit`)

// What the body came to (the last element of the resolved array):
export const BODY_NOT_READ = 0;
export const BODY_TEXT = 1;
export const BODY_JSON = 2;
export const BODY_TOO_LARGE = 3;
export const BODY_NOT_JSON = 4;

const TOO_LARGE = Symbol("too large");

// `request` is [url, method, clientHeaders, userHeaders, body]; `reading` is [timeoutMs, read,
// textLimit, jsonLimit] (made once per client in Rust: http.rs `Limits`).
// Resolves with [response, status, retryAfter, location, text, value, bodyState]. The status
// and headers are read here, once, inside a try: a Response whose getters throw is BAD_RESPONSE,
// never an exception escaping from wasm. `location` is absolute (resolved against `url`).
export function sendAttempt(fetchFn, request, signal, reading) {
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
            if (!parse) return done([response, head.status, head.retryAfter, head.location, text, undefined, BODY_TEXT]);
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

// Reads a body that sendAttempt did not (a final 401 in client.fetch), under its own deadline and
// the same cap; "" if it cannot be read in time or is too large.
export function readText(response, timeoutMs, limit) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs, "");
    let reading;
    try {
      reading = readBody(response, limit);
    } catch {
      reading = Promise.resolve("");
    }
    reading.then(
      (text) => {
        clearTimeout(timer);
        resolve(text === TOO_LARGE ? "" : text);
      },
      () => {
        clearTimeout(timer);
        resolve("");
      },
    );
  });
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

// The warm path of client.fetch(path) / client.json(path) (api_request.rs `fast`): one GET with
// the current token. Only a 2xx (parsed, for json) is final here; anything else (a 401, a
// retryable status, a redirect, a failure) is handed to `carryOn` (Rust) with what happened, and
// Rust carries on exactly as if it had made the attempt itself, so every decision stays there.
export function fastCall(fetchFn, url, clientHeaders, reading, carryOn, generation) {
  const asJson = reading[1] === READ_JSON;
  // The attempt starts in a microtask, after the wasm call that made it has returned: a fetch
  // running inside that call can make V8 before 13 (Node 20 and 22) deoptimise a frame whose
  // wasm result is an externref, which aborts the process (bench/v8-crash/NOTES.md).
  return Promise.resolve()
    .then(() => sendAttempt(fetchFn, [url, "GET", clientHeaders, undefined, undefined], undefined, reading))
    .then(
      (result) => {
        const status = result[1];
        if (status >= 200 && status < 300) {
          if (!asJson) return result[0];
          if (result[6] === BODY_JSON) return result[5];
        }
        return carryOn(url, generation, asJson, result, undefined);
      },
      (code) => carryOn(url, generation, asJson, undefined, code),
    );
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

// The waits around attempts, abortable by a caller's AbortSignal (event listeners are simplest
// in JS). They live in this module rather than their own because every snippet is one more
// module to load, and wasm-bindgen-test's server (tiny_http) can starve a connection when a page
// opens many at once.

// Resolves after `ms`, or as soon as `signal` aborts (so a backoff never outlives an abort).
export function sleep(ms, signal) {
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
export function raceAbort(promise, signal, deadlineMs) {
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
// attempt. It lives here, with the other bounded calls, rather than in a module of its own
// (see the note on snippet modules above). Rejects with TIMEOUT when the broker does not answer.
export function askBroker(namespace, name, options, report, timeoutMs) {
  return bounded(() => namespace.get(namespace.idFromName(name)).token(options, report ?? null), timeoutMs);
}

export function clearBroker(namespace, name, timeoutMs) {
  return bounded(() => namespace.get(namespace.idFromName(name)).clear(), timeoutMs);
}

function bounded(start, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(reject, timeoutMs, TIMEOUT);
    let pending;
    try {
      pending = Promise.resolve(start());
    } catch (error) {
      clearTimeout(timer);
      return reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
