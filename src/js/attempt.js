// One HTTP attempt, in one call from Rust: the headers, fetch, the per-attempt timeout and the
// caller's AbortSignal, and (when asked) the body read under the same deadline. Doing this in JS
// keeps the hot path to a single crossing of the wasm boundary (bench/: the per-call overhead).
//
// Rejects with a number, never with the runtime's error (whose text differs in every runtime):
export const ABORTED = 1; // the caller's signal fired
export const TIMEOUT = 2; // timeoutMs passed (even if the fetch ignores its signal)
export const NETWORK = 3; // no response, or the body broke off
export const BAD_HEADERS = 4; // init.headers could not be read
export const NO_FETCH = 5; // no fetch to call

export function sendAttempt(fetchFn, url, method, clientHeaders, userHeaders, body, signal, timeoutMs, readBody) {
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
    let failure = NETWORK;
    const fail = (code) => {
      failure = code;
      finish();
      controller.abort();
      reject(code);
    };
    const timer = setTimeout(fail, timeoutMs, TIMEOUT);
    const onAbort = () => fail(ABORTED);
    if (signal != null) signal.addEventListener("abort", onAbort, { once: true });
    function finish() {
      clearTimeout(timer);
      if (signal != null) signal.removeEventListener("abort", onAbort);
    }
    const init = { method, headers, signal: controller.signal };
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
        if (!readBody || response == null || typeof response.text !== "function") {
          finish();
          return resolve([response, undefined]);
        }
        response.text().then(
          (text) => {
            finish();
            resolve([response, text]);
          },
          () => fail(failure),
        );
      },
      () => fail(failure),
    );
  });
}

// Reads a body that sendAttempt did not (a final 401 in client.fetch), under its own deadline.
export function readText(response, timeoutMs) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs, "");
    response.text().then(
      (text) => {
        clearTimeout(timer);
        resolve(text);
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
// the caller's, except Accept and Content-Type, which the caller may set (js-api.md:
// Content-Type only with a body, unless the caller set one).
function buildHeaders(clientHeaders, userHeaders, jsonBody) {
  if (userHeaders == null) {
    return jsonBody ? { ...clientHeaders, "content-type": "application/json" } : clientHeaders;
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
  if (response.body != null && !response.bodyUsed && !response.body.locked) {
    response.body.cancel().catch(() => {});
  }
}

// Statuses the client handles itself (a 401 re-authenticates; these are retried): they go back
// to Rust. Keep in step with `is_retryable_status` in src/core/retry_policy.rs.
const HANDLED = new Set([401, 408, 429, 500, 502, 503, 504]);

// The warm path of client.fetch(path) / client.json(path) (api_request.rs `fast`): one GET with
// the current token; a final answer resolves here, anything else is handed to `carryOn`
// (Rust) with what happened, and Rust carries on exactly as if it had made the attempt itself.
export function fastCall(fetchFn, url, clientHeaders, timeoutMs, asJson, carryOn, token) {
  return sendAttempt(fetchFn, url, "GET", clientHeaders, undefined, undefined, undefined, timeoutMs, asJson).then(
    (pair) => {
      const response = pair[0];
      if (response == null || typeof response.status !== "number" || HANDLED.has(response.status)) {
        return carryOn(url, token, asJson, pair, undefined);
      }
      if (!asJson) return response;
      if (response.ok) {
        try {
          return JSON.parse(pair[1]);
        } catch {
          // not JSON: Rust reports invalid_response
        }
      }
      return carryOn(url, token, asJson, pair, undefined);
    },
    (code) => carryOn(url, token, asJson, undefined, code),
  );
}
