// Runs one row of the fault matrix (rows.mjs) against the emulator and returns plain JSON.
// Runtime-agnostic: only global fetch, setTimeout, Date and the package's exports (passed in),
// so the same code runs in Node (node.test.mjs) and inside the matrix Worker in workerd.
// checkRow() (also here) compares a result with the row's expectations; both test files use it.

const WATCHDOG_MS = 10_000;
const realNow = Date.now.bind(Date);
let clockOffsetMs = 0;

function setClock(offsetMs) {
  clockOffsetMs = offsetMs;
  if (offsetMs === 0) Date.now = realNow;
  else Date.now = () => realNow() + clockOffsetMs;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Replaces "$SECRET" / "$APIKEY" inside strings and resolves { httpDateInMs } in faults.
function resolvePlaceholders(value, ctx) {
  if (typeof value === "string") {
    return value.replaceAll("$SECRET", ctx.creds.clientSecret).replaceAll("$APIKEY", ctx.creds.apiKey);
  }
  if (Array.isArray(value)) return value.map((v) => resolvePlaceholders(v, ctx));
  if (value && typeof value === "object") {
    if ("httpDateInMs" in value) return new Date(realNow() + value.httpDateInMs).toUTCString();
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvePlaceholders(v, ctx)]));
  }
  return value;
}

async function admin(ctx, route, body) {
  const res = await fetch(`${ctx.authUrl}/__emulator/${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...body, tenant: ctx.tenant }),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`admin ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// A store kept in a Map (so its contents can be returned for the secret scan), optionally broken.
function makeStore(kind, map, lib, creds) {
  const base = {
    get: async (k) => (map.has(k) ? map.get(k) : null),
    put: async (k, v) => { map.set(k, v); },
    delete: async (k) => { map.delete(k); },
  };
  switch (kind) {
    case undefined:
    case "map": return base;
    case "none": return undefined; // the client's own memory
    case "memory-store": return new lib.MemoryStore();
    case "get-throws": return { ...base, get() { throw new Error("store get exploded"); } };
    case "get-rejects": return { ...base, get: () => Promise.reject(new Error("store get rejected")) };
    case "get-garbage": return { ...base, get: async () => "\u0000{garbage, not json" };
    case "get-wrong-shape": return { ...base, get: async () => '{"v":1,"accessToken":42,"expiresAt":"soon"}' };
    case "get-not-string": return { ...base, get: async () => ({ v: 1, accessToken: "stored-at", expiresAt: Date.now() + 3_600_000 }) };
    // A token the client would use, were it not over 64 KB (it is not a value the client wrote).
    case "get-too-large": return { ...base, get: async () => JSON.stringify({ v: 1, accessToken: "stored-at", expiresAt: Date.now() + 3_600_000, pad: "x".repeat(65_536) }) };
    case "put-rejects": return { ...base, put: () => Promise.reject(new Error("KV PUT failed: 429 Too Many Requests")) };
    case "get-hangs": return { ...base, get: () => new Promise(() => {}) };
    // Every method misbehaving the same way.
    case "throws": return { get() { throw new Error("store get exploded"); }, put() { throw new Error("store put exploded"); }, delete() { throw new Error("store delete exploded"); } };
    case "rejects": return { get: () => Promise.reject(new TypeError("store get rejected")), put: () => Promise.reject(new TypeError("store put rejected")), delete: () => Promise.reject(new TypeError("store delete rejected")) };
    case "hangs": return { get: () => new Promise(() => {}), put: () => new Promise(() => {}), delete: () => new Promise(() => {}) };
    // Each method fails with something that is not a plain Error: a string (the client secret,
    // which the run's secret scan then looks for), an Error whose `name` getter throws, a number.
    case "odd-throws": {
      const nameless = new Error("store put exploded");
      Object.defineProperty(nameless, "name", { get() { throw new Error("name getter"); } });
      return { get() { throw creds.clientSecret; }, put: () => Promise.reject(nameless), delete: () => Promise.reject(42) };
    }
    default: throw new Error(`unknown store kind ${kind}`);
  }
}

function errorFields(e, lib) {
  if (e === null || typeof e !== "object") return { thrown: String(e) };
  return {
    isAndOpenError: e instanceof lib.AndOpenError,
    isError: e instanceof Error,
    name: e.name, code: e.code, status: e.status, retryable: e.retryable, oauthError: e.oauthError,
    description: e.description, retryAfterSeconds: e.retryAfterSeconds,
    message: e.message, stack: typeof e.stack === "string" ? e.stack : undefined,
  };
}

async function invoke(client, step, ctx, pathInit) {
  const { path = "/" } = step;
  switch (step.call) {
    case "ping": return { value: await client.ping() };
    case "json": return { value: await client.json(path, pathInit) };
    case "accessToken": {
      const token = await client.accessToken();
      ctx.clientTokens.push(token);
      return { value: { tokenLength: token.length } };
    }
    case "refresh": await client.refresh(); return { value: null };
    case "clear": await client.clear(); return { value: null };
    case "tokenInfo": return { value: await client.tokenInfo() };
    case "fetch": {
      const res = await client.fetch(path, pathInit);
      const text = await res.text();
      const out = { status: res.status };
      if (path === "/__emulator/echo" && res.status === 200) {
        // The echo route repeats the request's headers (bearer, api key): keep only what the row
        // checks, so the API's own echo is not mistaken for a client leak by the secret scan.
        const echo = JSON.parse(text);
        out.echo = { method: echo.method, body: echo.body };
      } else {
        out.bodyLength = text.length;
      }
      return { value: out };
    }
    default: throw new Error(`unknown call ${step.call}`);
  }
}

async function runCall(client, step, ctx) {
  const init = step.init ? { ...resolvePlaceholders(step.init, ctx) } : undefined;
  let controller;
  if (step.abort) {
    controller = new AbortController();
    if (step.abort === "before") controller.abort();
    else setTimeout(() => controller.abort(), step.abort.afterMs);
  }
  const pathInit = controller ? { ...init, signal: controller.signal } : init;
  const started = realNow();
  let timer;
  const watchdog = new Promise((resolve) => { timer = setTimeout(() => resolve({ hung: true }), ctx.watchdogMs ?? WATCHDOG_MS); });
  const attempt = invoke(client, step, ctx, pathInit).then(
    (r) => ({ ok: true, ...r }),
    (e) => ({ ok: false, error: errorFields(e, ctx.lib) }),
  );
  const outcome = await Promise.race([attempt, watchdog]);
  clearTimeout(timer);
  return { call: step.call, ...outcome, elapsedMs: realNow() - started };
}

/**
 * ctx: { lib: { AndOpenClient, AndOpenError, MemoryStore }, authUrl, apiUrl, tenant,
 *        creds: { apiKey, clientId, clientSecret }, runtime }
 */
export async function runRow(row, ctx) {
  ctx = { ...ctx, clientTokens: [] };
  const events = [];
  const outcomes = [];
  const storeMap = new Map();
  let constructError;
  let tokenInfo;
  try {
    for (const [route, body] of row.setup ?? []) await admin(ctx, route, resolvePlaceholders(body, ctx));
    const opts = { ...(row.options ?? {}) };
    let refreshToken;
    if (opts.refreshToken === "$ADMIN") {
      refreshToken = (await admin(ctx, "refresh-token", {})).refresh_token;
      opts.refreshToken = refreshToken;
    }
    const credentials = row.credentials === "refresh-only"
      ? {}
      : { clientId: ctx.creds.clientId, clientSecret: ctx.creds.clientSecret };
    const options = {
      apiKey: ctx.creds.apiKey,
      tenant: ctx.tenant,
      ...credentials,
      authUrl: ctx.authUrl,
      apiUrl: ctx.apiUrl,
      timeoutMs: 1000,
      maxRetries: 2,
      onEvent: (e) => events.push(e),
      ...resolvePlaceholders(opts, ctx),
      refreshToken: opts.refreshToken,
    };
    if (options.refreshToken === undefined) delete options.refreshToken;
    const store = makeStore(row.store, storeMap, ctx.lib, ctx.creds);
    if (store) options.store = store;
    let client;
    try {
      client = new ctx.lib.AndOpenClient(options);
    } catch (e) {
      constructError = errorFields(e, ctx.lib);
    }
    if (client) {
      for (const step of row.steps) {
        if (step.call) outcomes.push(await runCall(client, step, ctx));
        else if (step.admin) await admin(ctx, step.admin, resolvePlaceholders(step.body ?? {}, ctx));
        else if (step.sleep !== undefined) await sleep(step.sleep);
        else if (step.clock !== undefined) setClock(step.clock);
        else if (step.consumeRefreshToken) {
          // Someone else (another isolate, a stale copy) uses the saved refresh token first.
          const res = await fetch(`${ctx.authUrl}/auth/token`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-api-key": ctx.creds.apiKey },
            body: JSON.stringify({ grant_type: "refresh_token", refresh_token: refreshToken, tenant: ctx.tenant }),
          });
          await res.text();
        } else throw new Error(`unknown step ${JSON.stringify(step)}`);
      }
      try {
        tokenInfo = await Promise.race([client.tokenInfo(), sleep(WATCHDOG_MS).then(() => "hung")]);
      } catch (e) {
        tokenInfo = { error: errorFields(e, ctx.lib) };
      }
    }
  } finally {
    setClock(0);
  }
  return {
    id: row.id, runtime: ctx.runtime, tenant: ctx.tenant, constructError, outcomes, events, tokenInfo, finishedAt: realNow(),
    store: Object.fromEntries(storeMap), clientTokens: ctx.clientTokens,
  };
}

// ---------- expectations ----------

function countsFor(row, runtime) {
  return { ...row.expect.counts, ...(row.expect.countsByRuntime?.[runtime] ?? {}) };
}

/** Returns a list of human-readable failures (empty when the row passed). */
export function checkRow(row, result, counters, runtime) {
  const fails = [];
  const want = row.expect;
  if (result.constructError) fails.push(`constructor threw ${JSON.stringify(result.constructError)}`);
  const calls = row.steps.filter((s) => s.call);
  calls.forEach((step, i) => {
    const got = result.outcomes[i];
    const label = `call ${i + 1} (${step.call}${step.path ? " " + step.path : ""})`;
    if (!got) return fails.push(`${label}: no outcome`);
    if (got.hung) return fails.push(`${label}: HUNG (no settlement within the watchdog)`);
    const exp = step.expect ?? "ok";
    if (exp === "ok" || exp.ok) {
      if (!got.ok) return fails.push(`${label}: expected success, got ${got.error.code} (${got.error.message})`);
      if (exp.status !== undefined && got.value?.status !== exp.status) fails.push(`${label}: status ${got.value?.status}, expected ${exp.status}`);
      if (exp.echoBody !== undefined && got.value?.echo?.body !== exp.echoBody) fails.push(`${label}: echoed body ${JSON.stringify(got.value?.echo?.body)}, expected ${JSON.stringify(exp.echoBody)}`);
      if (exp.value !== undefined && JSON.stringify(got.value) !== JSON.stringify(exp.value)) fails.push(`${label}: value ${JSON.stringify(got.value)}`);
    } else {
      if (got.ok) return fails.push(`${label}: expected ${exp.code}, got success ${JSON.stringify(got.value)}`);
      const e = got.error;
      if (!e.isAndOpenError || !e.isError || e.name !== "AndOpenError") fails.push(`${label}: not an AndOpenError: ${JSON.stringify(e)}`);
      if (typeof e.stack !== "string") fails.push(`${label}: no stack`);
      if (e.code !== exp.code) fails.push(`${label}: code ${e.code} (${e.message}), expected ${exp.code}`);
      for (const f of ["status", "retryable", "retryAfterSeconds", "oauthError"]) {
        if (exp[f] !== undefined && e[f] !== exp[f]) fails.push(`${label}: ${f} ${e[f]}, expected ${exp[f]}`);
      }
      if (exp.descriptionIncludes && !String(e.description).includes(exp.descriptionIncludes)) fails.push(`${label}: description ${JSON.stringify(e.description)} lacks ${exp.descriptionIncludes}`);
      if (exp.message !== undefined && e.message !== exp.message) fails.push(`${label}: message ${JSON.stringify(e.message)}, expected ${JSON.stringify(exp.message)}`);
    }
  });
  const c = countsFor(row, runtime);
  if (c.token !== undefined && counters.tokenRequests.total !== c.token) fails.push(`token requests ${counters.tokenRequests.total}, expected exactly ${c.token}`);
  if (c.api !== undefined && counters.apiRequests !== c.api) fails.push(`API requests ${counters.apiRequests}, expected exactly ${c.api}`);
  if (c.clientCredentials !== undefined && counters.tokenRequests.client_credentials !== c.clientCredentials) fails.push(`client_credentials grants ${counters.tokenRequests.client_credentials}, expected ${c.clientCredentials}`);
  if (c.refreshGrants !== undefined && counters.tokenRequests.refresh_token !== c.refreshGrants) fails.push(`refresh_token grants ${counters.tokenRequests.refresh_token}, expected ${c.refreshGrants}`);
  if (c.unauthorized !== undefined && counters.unauthorized !== c.unauthorized) fails.push(`API 401s ${counters.unauthorized}, expected ${c.unauthorized}`);
  if (want.storeErrors !== undefined) {
    const ops = result.events.filter((e) => e.type === "store_error").map((e) => e.operation);
    if (JSON.stringify(ops) !== JSON.stringify(want.storeErrors)) fails.push(`store_error operations ${JSON.stringify(ops)}, expected ${JSON.stringify(want.storeErrors)}`);
  }
  if (want.storeErrorMessages !== undefined) {
    const messages = result.events.filter((e) => e.type === "store_error").map((e) => e.message);
    if (JSON.stringify(messages) !== JSON.stringify(want.storeErrorMessages)) fails.push(`store_error messages ${JSON.stringify(messages)}, expected ${JSON.stringify(want.storeErrorMessages)}`);
  }
  if (want.retries) {
    const got = result.events.filter((e) => e.type === "retry");
    const show = (list) => JSON.stringify(list.map(({ target, status, code, delayMs }) => ({ target, status, code, delayMs })));
    if (got.length !== want.retries.length) fails.push(`retry events ${show(got)}, expected ${want.retries.length}: ${JSON.stringify(want.retries)}`);
    else {
      want.retries.forEach((w, i) => {
        const e = got[i];
        for (const f of ["target", "status", "code"]) {
          if (w[f] !== undefined && e[f] !== w[f]) fails.push(`retry ${i + 1}: ${f} ${e[f]}, expected ${w[f]}`);
        }
        if (w.delayMs !== undefined) {
          const [lo, hi] = Array.isArray(w.delayMs) ? w.delayMs : [w.delayMs, w.delayMs];
          if (!(e.delayMs >= lo && e.delayMs <= hi)) fails.push(`retry ${i + 1}: delayMs ${e.delayMs}, expected ${lo === hi ? lo : `in [${lo}, ${hi}]`}`);
        }
      });
    }
  }
  if (want.events) {
    for (const [type, n] of Object.entries(want.events)) {
      const got = result.events.filter((e) => e.type === type).length;
      if (got !== n) fails.push(`${type} events ${got}, expected ${n}`);
    }
  }
  if (want.tokenLifetimeS) {
    // expiresAt relative to when the row finished, in seconds (wide bounds: only the order matters).
    const [lo, hi] = want.tokenLifetimeS;
    const ti = result.tokenInfo;
    const left = ti && typeof ti.expiresAt === "number" ? (ti.expiresAt - result.finishedAt) / 1000 : NaN;
    if (!(left >= lo && left <= hi)) fails.push(`token lifetime left ${left} s, expected in [${lo}, ${hi}] (tokenInfo ${JSON.stringify(ti)})`);
  }
  if (want.tokenInfo) {
    for (const [f, v] of Object.entries(want.tokenInfo)) {
      if (result.tokenInfo?.[f] !== v) fails.push(`tokenInfo.${f} ${JSON.stringify(result.tokenInfo?.[f])}, expected ${JSON.stringify(v)} (tokenInfo ${JSON.stringify(result.tokenInfo)})`);
    }
  }
  if (want.storedKeys !== undefined && Object.keys(result.store).length !== want.storedKeys) fails.push(`store holds ${Object.keys(result.store).length} values, expected ${want.storedKeys}`);
  return fails;
}
