// Test support: talks to the &Open emulator's admin routes (emulator-only) and records what the
// client emits. Used by the wasm tests in Node and in headless Chromium alike.

export const API_KEY = "emu-api-key";
export const CLIENT_ID = "andopen_client_id_emulator";
export const CLIENT_SECRET = "emu-client-secret";

export async function admin(authUrl, route, body) {
  const response = await fetch(`${authUrl}/__emulator/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw new Error(`admin ${route}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

export async function counters(authUrl, tenant) {
  const response = await fetch(`${authUrl}/__emulator/state?tenant=${encodeURIComponent(tenant)}`);
  return (await response.json()).counters;
}

export async function requests(authUrl, tenant, limit) {
  const response = await fetch(`${authUrl}/__emulator/requests?tenant=${encodeURIComponent(tenant)}&limit=${limit}`);
  return (await response.json()).requests;
}

// Options for a client of `tenant` against the emulator, with an event recorder.
export function options(authUrl, apiUrl, tenant, extra) {
  const events = [];
  const opts = {
    apiKey: API_KEY,
    tenant,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    authUrl,
    apiUrl,
    dangerouslyAllowBrowser: true,
    onEvent: (event) => events.push(event),
    ...extra,
  };
  return { options: opts, events };
}

export function uniqueTenant(name) {
  return `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// Runs `n` calls of `start()` at once and returns their settled results.
export async function burst(n, start) {
  return Promise.allSettled(Array.from({ length: n }, () => start()));
}

// A store whose every method misbehaves in the given way.
export function brokenStore(kind) {
  const calls = [];
  const misbehave = (method) => (...args) => {
    calls.push(method);
    if (kind === "throws") throw new Error("store exploded");
    if (kind === "rejects") return Promise.reject(new TypeError("store rejected"));
    if (kind === "garbage") return Promise.resolve(method === "get" ? "{not json" : undefined);
    if (kind === "hangs") return new Promise(() => {});
    return Promise.resolve(null);
  };
  return { get: misbehave("get"), put: misbehave("put"), delete: misbehave("delete"), calls };
}

// A fetch that answers from a script of responses (for precise faults), counting calls.
export function scriptedFetch(script) {
  const seen = [];
  const fetchImpl = async (url, init) => {
    seen.push({ url, method: init.method, headers: Object.fromEntries(new Headers(init.headers)), body: init.body });
    const next = script.length > 1 ? script.shift() : script[0];
    if (next === "network") throw new TypeError("fetch failed");
    if (next === "deaf") return new Promise(() => {}); // ignores its AbortSignal
    if (next === "undefined") return undefined;
    if (next === "hang") {
      return new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
    }
    return new Response(next.body ?? "", { status: next.status ?? 200, headers: next.headers ?? {} });
  };
  return { fetch: fetchImpl, seen };
}

// Every string a user could see: messages, stacks, events, token info, stored values.
export function leaks(haystacks, secrets) {
  const text = JSON.stringify(haystacks);
  return secrets.filter((s) => text.includes(s));
}

export function errorFields(error) {
  return {
    isError: error instanceof Error,
    name: error?.name,
    code: error?.code,
    status: error?.status,
    retryable: error?.retryable,
    oauthError: error?.oauthError,
    description: error?.description,
    retryAfterSeconds: error?.retryAfterSeconds,
    message: error?.message,
    hasStack: typeof error?.stack === "string" && error.stack.length > 0,
  };
}

export function isBrowserWindow() {
  return typeof window !== "undefined" && typeof document !== "undefined";
}

export function isInstance(value, constructor) {
  return value instanceof constructor;
}

export function formBody() {
  return new URLSearchParams({ a: "1", b: "two" });
}

// A fake clock for the client's own timers (driver.js: attempt deadlines, retry waits, store
// call bounds) and Date.now, so a test can say "not at 999 ms, at 1000 ms" without measuring
// wall-clock time (tests/clock.rs). Installed on globalThis until restore(); nothing fires by
// itself. advance(ms) moves the clock, firing each timer that falls due in order and letting
// promise chains run (a few real macrotasks) before and after each one. Timers set before the
// clock was installed stay real.
// The real timers, taken when this module loads, before any fake clock replaces them.
const realTimers = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, now: Date.now };
// The fake clock installed now, if any. A test whose assertion fails never reaches its
// `restore()` (a panic in wasm does not unwind), so the next fakeClock() restores it first.
let installedClock = null;

export function fakeClock() {
  installedClock?.restore();
  const real = realTimers;
  let now = real.now.call(Date);
  let serial = 0;
  const timers = new Map(); // handle -> { at, serial, fn, args }
  const flush = async () => {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => real.setTimeout.call(globalThis, resolve, 0));
  };
  globalThis.setTimeout = (fn, ms, ...args) => {
    const handle = { fakeTimer: ++serial };
    timers.set(handle, { at: now + Math.max(0, Number(ms) || 0), serial, fn, args });
    return handle;
  };
  globalThis.clearTimeout = (handle) => {
    if (!timers.delete(handle)) real.clearTimeout.call(globalThis, handle);
  };
  Date.now = () => now;
  installedClock = {
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        await flush();
        let next;
        for (const [handle, t] of timers) {
          if (t.at <= until && (next === undefined || t.at < next[1].at || (t.at === next[1].at && t.serial < next[1].serial))) next = [handle, t];
        }
        if (next === undefined) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn(...next[1].args);
      }
      now = until;
      await flush();
    },
    restore() {
      installedClock = null;
      globalThis.setTimeout = real.setTimeout;
      globalThis.clearTimeout = real.clearTimeout;
      Date.now = real.now;
      timers.clear();
    },
  };
  return installedClock;
}

// Date.now shifted by `ms` (0 restores it): the client's idea of the time moves, the servers' and
// the timers' do not.
const realDateNow = Date.now;
export function shiftClock(ms) {
  Date.now = ms === 0 ? realDateNow : () => realDateNow.call(Date) + ms;
}

// A fetch that passes every request to the global fetch, except that while closed it holds the
// requests to the token endpoint (counted in `held`) until open().
export function gatedFetch() {
  let gate = null;
  let release = () => {};
  const out = {
    held: 0,
    fetch: (url, init) => {
      if (gate !== null && String(url).endsWith("/auth/token")) {
        out.held += 1;
        return gate.then(() => fetch(url, init));
      }
      return fetch(url, init);
    },
    close() {
      gate = new Promise((resolve) => { release = resolve; });
    },
    open() {
      gate = null;
      release();
    },
  };
  return out;
}

// `promise`, and whether it has settled yet: { settled, promise }. A rejection is marked handled
// (the test awaits it later, after the clock has moved).
export function watch(promise) {
  const watched = { settled: false };
  watched.promise = promise.finally(() => { watched.settled = true; });
  watched.promise.catch(() => {});
  return watched;
}
