// The ways of making an authenticated GET / that the benchmark compares. Each factory
// returns { kind, name, call(): Promise<number> (status, body fully read), close() }.
import { AndOpenClient } from "../pkg/index.node.js";
import { OAuth2Client, OAuth2Fetch } from "@badgateway/oauth2-client";
import * as oauth from "oauth4webapi";

export const CREDS = {
  apiKey: "emu-api-key",
  clientId: "andopen_client_id_emulator",
  clientSecret: "emu-client-secret",
};

// The per-attempt timeout of ours, and of the hand-written fetch it is compared with: the client's
// default timeoutMs (src/core/config.rs DEFAULT_TIMEOUT_MS, docs/API.md), passed explicitly to
// ours so that both always use the same value.
export const TIMEOUT_MS = 10_000;

export function apiHeaders(tenant) {
  return {
    "x-api-key": CREDS.apiKey,
    "x-andopen-tenant": tenant,
    // the &Open contract: x-andopen-client carries the tenant reference, as ours sends it
    "x-andopen-client": tenant,
    accept: "application/json",
  };
}

// The contract's JSON token endpoint, once, by hand.
export async function rawToken(emu, tenant) {
  const res = await fetch(emu.authUrl + "/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": CREDS.apiKey },
    body: JSON.stringify({ grant_type: "client_credentials", client_id: CREDS.clientId, client_secret: CREDS.clientSecret, tenant }),
  });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

// floor: hand-written fetch with the same headers and a token obtained once, no timeout.
export async function floor(emu, tenant) {
  const token = await rawToken(emu, tenant);
  const url = emu.apiUrl + "/";
  const headers = { authorization: "Bearer " + token, ...apiHeaders(tenant) };
  return {
    kind: "floor",
    name: "floor (hand-written fetch)",
    async call() {
      const res = await fetch(url, { headers });
      await res.text();
      return res.status;
    },
    close() {},
  };
}

// floor + timeout: the same hand-written fetch bounded by the abortable timeout ours uses per
// attempt (an AbortController and a timer of TIMEOUT_MS), the timer cleared after the body is read.
export async function floorTimeout(emu, tenant, timeoutMs = TIMEOUT_MS) {
  const token = await rawToken(emu, tenant);
  const headers = { authorization: "Bearer " + token, ...apiHeaders(tenant) };
  return {
    kind: "floorTimeout",
    name: "floor + timeout (hand-written fetch, AbortController + setTimeout, cleared after the body is read)",
    call: timedGet(fetch, emu.apiUrl + "/", headers, timeoutMs),
    close() {},
  };
}

// The hand-written GET with an abortable timeout, over `fetchFn`: the floor + timeout contender,
// and the same over an in-process fetch in run.mjs (the client's own time).
export function timedGet(fetchFn, url, headers, timeoutMs) {
  return async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await fetchFn(url, { headers, signal: controller.signal });
      await res.text();
      return res.status;
    } finally {
      clearTimeout(timer);
    }
  };
}

export function ours(emu, tenant, extra = {}) {
  const client = new AndOpenClient({
    apiKey: CREDS.apiKey, tenant, clientId: CREDS.clientId, clientSecret: CREDS.clientSecret,
    authUrl: emu.authUrl, apiUrl: emu.apiUrl, timeoutMs: TIMEOUT_MS, ...extra,
  });
  return {
    kind: "ours",
    name: "andopen-client (ours)",
    client,
    async call() {
      const res = await client.fetch("/");
      await res.text();
      return res.status;
    },
    close() { client.free(); },
  };
}

// @badgateway/oauth2-client: OAuth2Fetch over the emulator's form-encoded token endpoint,
// client auth by HTTP Basic (its default), tenant in the query, x-api-key added by a fetch wrapper.
export function badgateway(emu, tenant) {
  const client = new OAuth2Client({
    server: emu.authUrl,
    tokenEndpoint: `/auth/token-form?tenant=${encodeURIComponent(tenant)}`,
    clientId: CREDS.clientId,
    clientSecret: CREDS.clientSecret,
    fetch: (input, init = {}) => fetch(input, { ...init, headers: { ...init.headers, "x-api-key": CREDS.apiKey } }),
  });
  const wrapper = new OAuth2Fetch({
    client,
    getNewToken: () => client.clientCredentials(),
    scheduleRefresh: false, // a 59-minute timer would otherwise keep the process alive
  });
  const url = emu.apiUrl + "/";
  const headers = apiHeaders(tenant);
  return {
    kind: "badgateway",
    name: "@badgateway/oauth2-client OAuth2Fetch",
    async call() {
      const res = await wrapper.fetch(url, { headers });
      await res.text();
      return res.status;
    },
    close() {},
  };
}

// The &Open contract answers `"scope": null`; oauth4webapi (strict RFC 6749 §5.1) rejects a
// non-string scope, so its token response goes through this fetch that removes a null scope.
async function dropNullScope(url, init) {
  const res = await fetch(url, init);
  const body = await res.json();
  if (body && body.scope === null) delete body.scope;
  return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
}

// oauth4webapi has no token cache of its own: this is the small wrapper a user would write.
// singleFlight: concurrent callers share one in-flight token request (false = the naive cache).
export function oauth4(emu, tenant, { singleFlight = true } = {}) {
  const as = { issuer: emu.authUrl, token_endpoint: `${emu.authUrl}/auth/token-form?tenant=${encodeURIComponent(tenant)}` };
  const client = { client_id: CREDS.clientId };
  const clientAuth = oauth.ClientSecretBasic(CREDS.clientSecret);
  const opts = { [oauth.allowInsecureRequests]: true };
  let token = null; // { value, expiresAt }
  let inflight = null;
  async function obtain() {
    const response = await oauth.clientCredentialsGrantRequest(as, client, clientAuth, new URLSearchParams(), {
      ...opts, headers: new Headers({ "x-api-key": CREDS.apiKey }), [oauth.customFetch]: dropNullScope,
    });
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    token = { value: result.access_token, expiresAt: Date.now() + (result.expires_in ?? 3600) * 1000 - 60_000 };
    return token.value;
  }
  function accessToken() {
    if (token && token.expiresAt > Date.now()) return token.value;
    if (!singleFlight) return obtain();
    inflight ??= obtain().finally(() => { inflight = null; });
    return inflight;
  }
  const url = new URL(emu.apiUrl + "/");
  const headerInit = apiHeaders(tenant);
  return {
    kind: singleFlight ? "oauth4" : "oauth4-naive",
    name: singleFlight ? "oauth4webapi + cache wrapper" : "oauth4webapi + naive cache (no single-flight)",
    async call() {
      const value = await accessToken();
      const res = await oauth.protectedResourceRequest(value, "GET", url, new Headers(headerInit), null, opts);
      await res.text();
      return res.status;
    },
    close() {},
  };
}
