// The fault matrix: pure data plus small builders. Each row runs on a fresh emulator tenant
// (faults, config and counters are scoped to it) with a fresh client, in Node and in workerd.
//
// row = {
//   id, name,
//   setup:   [[adminRoute, body], ...]       queued before the client exists (tenant added by the runner)
//   options: client options on top of the defaults (timeoutMs 1000, maxRetries 2, emulator URLs,
//            the scan credentials); refreshToken: "$ADMIN" = one issued by the emulator's admin route
//   credentials: "refresh-only" for a client without clientId/clientSecret
//   store:   "map" (default: a Map-backed store whose contents are returned), "none", "get-throws",
//            "get-rejects", "get-garbage", "get-wrong-shape", "get-not-string", "get-too-large",
//            "put-rejects", "get-hangs", and
//            "throws" / "rejects" / "hangs" (every method of the store)
//   steps:   calls { call, path?, init?, abort?: "before" | { afterMs }, expect? } and actions
//            { admin, body } / { sleep: ms } / { clock: offsetMs } / { consumeRefreshToken: true }
//   expect:  { counts: { token, api, clientCredentials?, refreshGrants?, unauthorized? },
//              countsByRuntime?: { node|workerd: {...} }, storeErrors?, storeErrorMessages?, retries?, events?,
//              tokenLifetimeS?, tokenInfo?, storedKeys? }
//            retries: every `retry` event, in order, each as { target, status?, code?, delayMs? }
//            (delayMs a number or [lo, hi]); events: { type: exact number of events of that type };
//            tokenInfo: fields tokenInfo() must have at the end.
// }
// A call's expect is "ok" (default), { ok: true, status?, echoBody? } or
// { code, status?, retryable?, retryAfterSeconds?, oauthError?, descriptionIncludes?, message? }.
// No row asserts an elapsed time: how long the client waits is the core's decision (native tests
// with a fake clock, and the delayMs of its retry events here), and the driver's timers are
// pinned on a fake clock in tests/clock.rs. A call that never settles fails its row (watchdog).
// Strings "$SECRET" / "$APIKEY" are replaced by the run's credentials; { httpDateInMs } by an HTTP-date.

// ---------- builders ----------
const fault = (target, spec = {}) => ["faults", { target, ...spec }];
const tokenFault = (spec) => fault("token", spec);
const apiFault = (spec) => fault("api", spec);
const config = (fields) => ["config", fields];
const ping = (expect) => ({ call: "ping", ...(expect ? { expect } : {}) });
const json = (path, expect) => ({ call: "json", path, ...(expect ? { expect } : {}) });
const get = (path, expect) => ({ call: "fetch", path, ...(expect ? { expect } : {}) });
const post = (body, expect, extra = {}) => ({
  call: "fetch", path: "/__emulator/echo", init: { method: "POST", body, headers: { "content-type": "application/json" } }, ...(expect ? { expect } : {}), ...extra,
});
const token = (expect) => ({ call: "accessToken", ...(expect ? { expect } : {}) });
const refresh = (expect) => ({ call: "refresh", ...(expect ? { expect } : {}) });
const clear = (expect) => ({ call: "clear", ...(expect ? { expect } : {}) });
const err = (code, more = {}) => ({ code, ...more });
const counts = (token, api, more = {}) => ({ counts: { token, api, ...more } });
const queueApi = (spec) => ({ admin: "faults", body: { target: "api", ...spec } });

const FAST = { timeoutMs: 300, maxRetries: 1 };

export const rows = [
  // ---- baseline ----
  { id: "baseline", name: "no fault: one token request, one API request",
    steps: [ping()], expect: { ...counts(1, 1), storedKeys: 1 } },

  // ---- dropped connections ----
  { id: "token-drop-before-headers", name: "token connection dropped before the headers: retried, recovered",
    setup: [tokenFault({ drop: "before_headers" })], steps: [ping()], expect: counts(2, 1) },
  { id: "token-drop-after-headers", name: "token connection dropped mid-body: retried, recovered",
    setup: [tokenFault({ drop: "after_headers" })], steps: [ping()], expect: counts(2, 1) },
  { id: "api-drop-before-headers", name: "API connection dropped before the headers (GET): retried, recovered",
    setup: [apiFault({ drop: "before_headers" })], steps: [ping()], expect: counts(1, 2) },
  { id: "api-drop-after-headers", name: "API connection dropped mid-body (GET json): retried, recovered",
    setup: [apiFault({ drop: "after_headers" })], steps: [json("/")], expect: counts(1, 2) },
  { id: "api-drop-until-retries-run-out", name: "API dropped on every attempt: network, retryable, maxRetries+1 attempts",
    options: { maxRetries: 1 }, setup: [apiFault({ drop: "before_headers", count: 2 })],
    steps: [ping(err("network", { retryable: true }))], expect: counts(1, 2) },
  { id: "api-connection-refused", name: "API port closed: network after the retries, nothing reaches the API",
    options: { maxRetries: 1, apiUrl: "http://127.0.0.1:9" },
    steps: [ping(err("network", { retryable: true }))], expect: { ...counts(1, 0), retries: [{ target: "api", code: "network" }] } },

  // ---- timeouts ----
  { id: "token-timeout-exhausted", name: "token request slower than timeoutMs on every attempt: timeout",
    options: FAST, setup: [tokenFault({ latencyMs: 1500, count: 2 })],
    steps: [ping(err("timeout", { retryable: true }))], expect: { ...counts(2, 0), retries: [{ target: "token", code: "timeout" }] } },
  { id: "token-timeout-recovered", name: "token request times out once: retried, recovered",
    options: FAST, setup: [tokenFault({ latencyMs: 1500 })], steps: [ping()], expect: counts(2, 1) },
  { id: "api-timeout", name: "API call slower than timeoutMs, no retries: timeout",
    options: { timeoutMs: 300, maxRetries: 0 },
    steps: [token(), queueApi({ latencyMs: 1500 }), ping(err("timeout", { retryable: true }))], expect: { ...counts(1, 1), retries: [] } },
  { id: "api-timeout-get-retried", name: "GET times out once: replayed, recovered",
    options: FAST, setup: [apiFault({ latencyMs: 1500 })], steps: [ping()], expect: counts(1, 2) },

  // ---- 429 ----
  { id: "api-429-retry-after-seconds", name: "429 with Retry-After: 1 → one retry announced for 1000 ms, recovered",
    setup: [apiFault({ status: 429, retryAfter: "1" })],
    steps: [ping()], expect: { ...counts(1, 2), retries: [{ target: "api", status: 429, code: "rate_limited", delayMs: 1000 }] } },
  { id: "api-429-retry-after-http-date", name: "429 with Retry-After as an HTTP-date (~2 s ahead) → honoured",
    setup: [apiFault({ status: 429, retryAfter: { httpDateInMs: 2000 } })],
    steps: [ping()], expect: { ...counts(1, 2), retries: [{ target: "api", status: 429, delayMs: [1000, 3000] }] } },
  { id: "api-429-no-retry-after", name: "429 without Retry-After → backoff, recovered",
    setup: [apiFault({ status: 429 })], steps: [ping()], expect: { ...counts(1, 2), retries: [{ target: "api", status: 429, delayMs: [50, 1000] }] } },
  { id: "api-429-exhausted", name: "429 until retries run out → rate_limited with retryAfterSeconds",
    options: { maxRetries: 1 }, setup: [apiFault({ status: 429, retryAfter: "1", count: 2 })],
    steps: [json("/", err("rate_limited", { status: 429, retryable: true, retryAfterSeconds: 1 }))], expect: counts(1, 2) },
  { id: "token-429-retry-after", name: "token endpoint 429 with Retry-After: 1 → recovered",
    setup: [tokenFault({ status: 429, retryAfter: "1" })], steps: [ping()], expect: counts(2, 1) },

  // ---- 5xx ----
  ...[500, 502, 503, 504].map((status) => ({
    id: `api-${status}-once`, name: `API ${status} once → retried, recovered`,
    setup: [apiFault({ status })], steps: [ping()], expect: counts(1, 2),
  })),
  { id: "api-503-exhausted-json", name: "503 until retries run out → json() rejects server_error; fetch() resolves with the 503",
    setup: [apiFault({ status: 503, count: 6 })],
    steps: [json("/", err("server_error", { status: 503, retryable: true })), get("/", { ok: true, status: 503 })],
    expect: { ...counts(1, 6), retries: Array(4).fill({ target: "api", status: 503, code: "server_error" }) } },
  { id: "api-500-exhausted-fetch", name: "500 until retries run out → fetch() resolves with the 500",
    setup: [apiFault({ status: 500, count: 3 })],
    steps: [get("/", { ok: true, status: 500 })], expect: { ...counts(1, 3), retries: [{ target: "api", status: 500 }, { target: "api", status: 500 }] } },
  { id: "token-502-503-recovered", name: "token endpoint 502 then 503 → recovered on the third attempt",
    setup: [tokenFault({ status: 502 }), tokenFault({ status: 503 })], steps: [ping()],
    expect: { ...counts(3, 1), retries: [{ target: "token", status: 502 }, { target: "token", status: 503 }] } },
  { id: "token-504-exhausted", name: "token endpoint 504 until retries run out → server_error, no API call",
    options: { maxRetries: 1 }, setup: [tokenFault({ status: 504, count: 2 })],
    steps: [ping(err("server_error", { status: 504, retryable: true }))], expect: counts(2, 0) },

  // ---- hostile token bodies (never retried; the next call starts afresh) ----
  // Raw text bodies go through the runtime's JSON.parse: its edges (nesting, Infinity, a
  // "__proto__" name, lone surrogates) still end in invalid_response.
  ...[["html", "html"], ["empty", "empty"], ["truncated", "truncated"], ["malformed", "malformed"],
    ["wrong-shape", { unexpected: "shape" }], ["deeply-nested", "[".repeat(30_000) + "]".repeat(30_000)],
    ["infinite-expires-in", '{"access_token":"at-x","token_type":"bearer","expires_in":1e999}'],
    ["proto-member", '{"__proto__":{"access_token":"at-x","token_type":"bearer","expires_in":3600}}'],
    ["nested-access-token", '{"access_token":{"value":"at-x"},"token_type":"bearer","expires_in":3600}'],
    ["lone-surrogate-token", '{"access_token":"at-\\ud800","token_type":"bearer","expires_in":3600}']].map(([label, body]) => ({
    id: `token-body-${label}`, name: `token 200 with a ${label} body → invalid_response, not retried`,
    setup: [tokenFault({ body })], steps: [ping(err("invalid_response", { retryable: false })), ping()], expect: counts(2, 1),
  })),

  // ---- hostile API bodies for json()/ping() ----
  ...["html", "empty", "truncated"].map((body) => ({
    id: `api-body-${body}`, name: `API 200 with a ${body} body → json() invalid_response, not retried`,
    setup: [apiFault({ body })], steps: [json("/", err("invalid_response", { retryable: false }))], expect: counts(1, 1),
  })),
  { id: "api-body-wrong-shape-ping", name: "API 200 with an object where ping() wants the banner string → invalid_response",
    setup: [apiFault({ body: { unexpected: 1 } })], steps: [ping(err("invalid_response"))], expect: counts(1, 1) },

  // ---- expires_in / token_type ----
  { id: "expires-in-missing", name: "expires_in null (≈ missing; the emulator cannot delete a field) → invalid_response",
    setup: [tokenFault({ tokenResponse: { expires_in: null } })], steps: [ping(err("invalid_response"))], expect: counts(1, 0) },
  ...[["zero", 0], ["negative", -5], ["non-numeric-string", "abc"]].map(([label, v]) => ({
    id: `expires-in-${label}`, name: `expires_in ${JSON.stringify(v)} → invalid_response, not retried; the next call starts afresh`,
    setup: [tokenFault({ tokenResponse: { expires_in: v } })], steps: [ping(err("invalid_response", { retryable: false })), ping()], expect: counts(2, 1),
  })),
  { id: "expires-in-fractional", name: "expires_in 59.5 (with a scope) → accepted (floored), the scope kept", options: { refreshLeewaySeconds: 5 },
    setup: [tokenFault({ tokenResponse: { expires_in: 59.5, scope: "read" } })], steps: [ping()],
    expect: { ...counts(1, 1), tokenLifetimeS: [50, 60], tokenInfo: { scope: "read" } } },
  { id: "expires-in-huge", name: "expires_in 1e12 → accepted, expiry capped and finite",
    setup: [tokenFault({ tokenResponse: { expires_in: 1e12 } })], steps: [ping(), ping()], expect: { ...counts(1, 2), tokenLifetimeS: [86_400, 366 * 86_400] } },
  { id: "expires-in-numeric-string", name: 'expires_in "120" → accepted as 120 s',
    setup: [tokenFault({ tokenResponse: { expires_in: "120" } })], steps: [ping()], expect: { ...counts(1, 1), tokenLifetimeS: [110, 120] } },
  { id: "token-type-mac", name: 'token_type "mac" → invalid_response, not retried; the next call starts afresh',
    setup: [tokenFault({ tokenResponse: { token_type: "mac" } })], steps: [ping(err("invalid_response", { retryable: false })), ping()], expect: counts(2, 1) },
  { id: "access-token-not-a-token", name: 'access_token "has space" → invalid_response, not retried; the next call starts afresh',
    setup: [tokenFault({ tokenResponse: { access_token: "has space" } })], steps: [ping(err("invalid_response", { retryable: false })), ping()], expect: counts(2, 1) },
  { id: "token-type-Bearer", name: 'token_type "Bearer" (case differs) → accepted',
    setup: [tokenFault({ tokenResponse: { token_type: "Bearer" } })], steps: [ping()], expect: counts(1, 1) },

  // ---- 401 / revocation / refresh tokens ----
  { id: "revoked-mid-life", name: "access token revoked mid-life → one re-auth (refresh grant), call replayed; the revoked token in the store is not used again",
    steps: [ping(), { admin: "revoke" }, ping(), ping()],
    expect: { ...counts(2, 4, { unauthorized: 1, clientCredentials: 1, refreshGrants: 1 }), events: { unauthorized_retry: 1, store_hit: 0 } } },
  { id: "persistent-401", name: "401 again after re-auth → unauthorized, no loop",
    setup: [apiFault({ status: 401, count: 2 })], steps: [ping(err("unauthorized", { status: 401, retryable: false }))], expect: counts(2, 2) },
  { id: "refresh-refused-fallback", name: "refresh token refused → falls back to client_credentials",
    steps: [ping(), { admin: "revoke", body: { refreshTokens: true } }, refresh(), ping()],
    expect: { ...counts(3, 2, { clientCredentials: 2, refreshGrants: 1 }), events: { token_error: 1 } } },
  { id: "refresh-rotation-uses-new-token", name: "rotateRefreshTokens: each refresh uses the newest refresh token",
    setup: [config({ rotateRefreshTokens: true })], steps: [ping(), refresh(), refresh(), ping()],
    expect: counts(3, 2, { clientCredentials: 1, refreshGrants: 2 }) },
  { id: "refresh-rotated-then-reused-no-secret", name: "saved refresh token already rotated away, no secret → invalid_grant",
    credentials: "refresh-only", options: { refreshToken: "$ADMIN" }, setup: [config({ rotateRefreshTokens: true })],
    steps: [{ consumeRefreshToken: true }, ping(err("invalid_grant", { retryable: false }))], expect: counts(2, 0, { refreshGrants: 2 }) },
  { id: "refresh-rotated-then-reused-with-secret", name: "saved refresh token already rotated away, with a secret → client_credentials",
    options: { refreshToken: "$ADMIN" }, setup: [config({ rotateRefreshTokens: true })],
    steps: [{ consumeRefreshToken: true }, ping()], expect: counts(3, 1, { refreshGrants: 2, clientCredentials: 1 }) },
  { id: "invalid-client", name: "wrong client secret → invalid_client, exactly one token request (no retry storm)",
    options: { clientSecret: "$SECRET-WRONG" },
    steps: [ping(err("invalid_client", { status: 401, retryable: false })), ping(err("invalid_client"))], expect: counts(2, 0) },
  { id: "invalid-api-key", name: "wrong API key at the auth server → invalid_client, one token request",
    options: { apiKey: "$APIKEY-WRONG" }, steps: [ping(err("invalid_client", { status: 401 }))], expect: counts(1, 0) },
  { id: "secret-echoed-in-token-error", name: "auth error description repeating the secret and API key → redacted",
    setup: [tokenFault({ status: 401, body: { error: "invalid_client", error_description: "client_secret $SECRET with key $APIKEY refused" } })],
    steps: [ping(err("invalid_client", { oauthError: "invalid_client", descriptionIncludes: "[redacted]" }))], expect: counts(1, 0) },
  { id: "api-key-echoed-in-403", name: "API 403 whose description repeats the API key → forbidden, redacted",
    setup: [apiFault({ status: 403, body: { error: "forbidden", error_description: "key $APIKEY is not allowed here" } })],
    steps: [json("/", err("forbidden", { status: 403, descriptionIncludes: "[redacted]" }))], expect: counts(1, 1) },

  // ---- stores ----
  { id: "store-get-throws", name: "store.get throws synchronously → miss + store_error, call succeeds",
    store: "get-throws", steps: [ping(), ping()], expect: { ...counts(1, 2), storeErrors: ["get"] } },
  { id: "store-get-garbage", name: "store.get returns garbage → miss + store_error, call succeeds",
    store: "get-garbage", steps: [ping(), ping()], expect: { ...counts(1, 2), storeErrors: ["get"] } },
  { id: "store-get-wrong-shape", name: "store.get returns JSON of the wrong shape → miss + store_error",
    store: "get-wrong-shape", steps: [ping()], expect: { ...counts(1, 1), storeErrors: ["get"] } },
  { id: "store-get-not-string", name: "store.get returns an object (a valid token's fields, not its text) → miss + store_error",
    store: "get-not-string", steps: [ping()], expect: { ...counts(1, 1), storeErrors: ["get"] } },
  { id: "store-get-too-large", name: "store.get returns a valid token's text padded past 64 KB → not read: miss + store_error",
    store: "get-too-large", steps: [ping()], expect: { ...counts(1, 1), storeErrors: ["get"] } },
  { id: "store-put-rejects", name: "store.put rejects → store_error, call succeeds, one token",
    store: "put-rejects", steps: [ping(), ping()], expect: { ...counts(1, 2), storeErrors: ["put"] } },
  { id: "store-get-hangs", name: "store.get never settles → bounded by timeoutMs, call succeeds",
    store: "get-hangs", options: { timeoutMs: 300 }, steps: [ping()], expect: { ...counts(1, 1), storeErrors: ["get"] } },
  ...[["throws", {}], ["rejects", {}], ["hangs", { timeoutMs: 300 }]].map(([kind, options]) => ({
    id: `store-all-${kind}`, name: `every store method ${kind} → store_error events, calls succeed on one token from memory; clear() rejects with storage (no event)`,
    store: kind, options, steps: [ping(), ping(), clear(err("storage"))], expect: { ...counts(1, 2), storeErrors: ["get", "put"] },
  })),

  { id: "store-odd-throws", name: "store methods fail with a string, an Error whose name getter throws, a number → store_error messages say which, never what was thrown",
    store: "odd-throws", steps: [ping(), ping(), clear(err("storage", { message: "clearing the store failed: store.delete rejected with a thrown number" }))],
    expect: { ...counts(1, 2), storeErrors: ["get", "put"], storeErrorMessages: ["store.get threw a thrown string", "store.put rejected with a thrown object"] } },

  // ---- abort ----
  { id: "abort-before", name: "signal aborted before the call → aborted, nothing sent",
    steps: [token(), { ...get("/", err("aborted", { retryable: false })), abort: "before" }], expect: counts(1, 0) },
  { id: "abort-during-api", name: "signal aborted during a slow API call → aborted, not retried",
    steps: [token(), queueApi({ latencyMs: 2000 }), { ...get("/", err("aborted", { retryable: false })), abort: { afterMs: 100 } }], expect: counts(1, 1) },
  { id: "abort-during-token", name: "signal aborted while the token request is in flight → aborted, no API call",
    setup: [tokenFault({ latencyMs: 1500 })],
    steps: [{ ...get("/", err("aborted", { retryable: false })), abort: { afterMs: 100 } }], expect: counts(1, 0) },

  // ---- clock ----
  { id: "clock-jumps-forward", name: "Date.now jumps 2 h forward → the token looks expired → one renewal",
    steps: [ping(), { clock: 2 * 3600_000 }, ping()], expect: counts(2, 2, { unauthorized: 0 }) },
  { id: "clock-jumps-backward", name: "Date.now jumps 1 h back → token kept past its real expiry → the 401 triggers one re-auth",
    options: { refreshLeewaySeconds: 0 }, setup: [config({ tokenLifetimeSeconds: 1 })],
    steps: [ping(), { clock: -3600_000 }, { sleep: 1300 }, ping()], expect: counts(2, 3, { unauthorized: 1 }) },

  // ---- non-idempotent bodies ----
  { id: "post-not-replayed-after-timeout", name: "POST timing out is not replayed",
    options: { timeoutMs: 300, maxRetries: 2 },
    steps: [token(), queueApi({ latencyMs: 1000 }), post('{"n":1}', err("timeout"))], expect: counts(1, 1) },
  { id: "post-not-replayed-after-drop", name: "POST whose connection drops after sending is not replayed",
    steps: [token(), queueApi({ drop: "before_headers" }), post('{"n":2}', err("network"))], expect: counts(1, 1) },
  { id: "post-replayed-after-401", name: "POST answered 401 (token revoked) is replayed once with the same body",
    steps: [token(), { admin: "revoke" }, post('{"n":3,"text":"ünïcode"}', { ok: true, status: 200, echoBody: '{"n":3,"text":"ünïcode"}' })],
    expect: counts(2, 2, { unauthorized: 1 }) },
  { id: "post-503-not-replayed", name: "POST answered 503 is not replayed; fetch resolves with the 503",
    steps: [token(), queueApi({ status: 503 }), post('{"n":4}', { ok: true, status: 503 })], expect: counts(1, 1) },
];

export const rowById = Object.fromEntries(rows.map((r) => [r.id, r]));
