// Security scenarios against hostile servers (hostile.mjs), run in Node (node.test.mjs) and in
// workerd (matrix-worker.js) through the built package. Runtime-agnostic: global fetch, timers
// and the package's exports only. Each scenario returns a list of failures (empty = passed) and
// adds everything the client produced to `corpus` for the secret scan.
//
// ctx = { lib, a: url of origin A (the one configured), b: url of origin B (another origin),
//         creds: { apiKey, clientId, clientSecret }, runtime }

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function harness(scenario, ctx) {
  const id = `${scenario.id}-${ctx.runtime}-${Math.random().toString(36).slice(2, 8)}`;
  const failures = [];
  const corpus = [];
  const events = [];
  const base = `${ctx.a}/t/${id}`;
  const t = {
    id,
    base,
    events,
    other: `${ctx.b}/t/${id}`,
    check(condition, message) {
      if (!condition) failures.push(message);
    },
    async configure(config) {
      for (const server of [ctx.a, ctx.b]) {
        const res = await fetch(`${server}/__hostile/config`, { method: "POST", body: JSON.stringify({ id, ...config }) });
        await res.text();
      }
    },
    async records(server = ctx.a) {
      const res = await fetch(`${server}/__hostile/records?id=${id}`);
      return res.json();
    },
    // The options of t.client(): this scenario's servers and credentials, plus `options`.
    options(options = {}) {
      return {
        apiKey: ctx.creds.apiKey, tenant: `tenant-${id}`, clientId: ctx.creds.clientId, clientSecret: ctx.creds.clientSecret,
        authUrl: `${base}/auth`, apiUrl: `${base}/v1`, timeoutMs: 2000, maxRetries: 1,
        onEvent: (e) => events.push(e),
        ...options,
      };
    },
    client(options = {}) {
      return new ctx.lib.AndOpenClient(this.options(options));
    },
    // Settles `promise` within `ms`, as { ok, value } or { ok: false, error }.
    async settle(promise, ms = 8000) {
      let timer;
      const watchdog = new Promise((resolve) => { timer = setTimeout(() => resolve({ hung: true }), ms); });
      const outcome = await Promise.race([
        Promise.resolve(promise).then((value) => ({ ok: true, value }), (error) => ({ ok: false, error })),
        watchdog,
      ]);
      clearTimeout(timer);
      if (outcome.error) corpus.push(errorText(outcome.error));
      return outcome;
    },
    // Expects `promise` to reject with an AndOpenError of `code` (and `status`, if given).
    async rejects(label, promise, code, more = {}) {
      const outcome = await t.settle(promise);
      if (outcome.hung) return failures.push(`${label}: hung`);
      if (outcome.ok) return failures.push(`${label}: resolved, expected ${code}`);
      const e = outcome.error;
      if (!(e instanceof ctx.lib.AndOpenError)) return failures.push(`${label}: not an AndOpenError: ${e}`);
      if (e.code !== code) failures.push(`${label}: code ${e.code} (${e.message}), expected ${code}`);
      for (const [field, want] of Object.entries(more)) {
        if (e[field] !== want) failures.push(`${label}: ${field} ${JSON.stringify(e[field])}, expected ${JSON.stringify(want)}`);
      }
      return e;
    },
  };
  return { t, failures, corpus, events };
}

function errorText(e) {
  if (e === null || typeof e !== "object") return String(e);
  return JSON.stringify({ name: e.name, code: e.code, message: e.message, description: e.description, oauthError: e.oauthError, stack: e.stack });
}

const credentialHeaders = ["x-api-key", "authorization", "x-andopen-tenant", "x-andopen-client"];

export const scenarios = [
  // ---- 1. token requests never follow a redirect ----
  ...[301, 302, 303, 307, 308].map((status) => ({
    id: `token-redirect-${status}`,
    name: `a ${status} from the token endpoint to another origin is an http_error; nothing reaches the other origin`,
    async run(t) {
      await t.configure({ token: { mode: "redirect", status, location: `${t.other}/steal/auth/token?code=SHOULD-NOT-APPEAR` } });
      const e = await t.rejects("accessToken()", t.client().accessToken(), "http_error", { status, retryable: false });
      if (e) {
        t.check(e.message.includes(new URL(t.other).host), `message names the Location host: ${e.message}`);
        t.check(!e.message.includes("SHOULD-NOT-APPEAR"), `message holds the Location's query: ${e.message}`);
      }
      const other = await t.records(t.otherServer);
      t.check(other.records.length === 0, `the other origin received ${other.records.length} requests`);
    },
  })),

  // ---- 2. API redirects ----
  {
    id: "api-redirect-cross-origin",
    name: "API 301/302/307/308 to another origin: not followed; json() rejects with http_error, fetch() resolves with the 3xx; nothing reaches it",
    async run(t) {
      for (const status of [301, 302, 307, 308]) {
        await t.configure({ api: { mode: "redirect", status, location: `${t.other}/v1/moved` } });
        const client = t.client();
        const e = await t.rejects(`json() ${status}`, client.json("/x"), "http_error", { status });
        if (e) t.check(e.message.includes(new URL(t.other).host), `json() ${status} message names the host: ${e.message}`);
        const got = await t.settle(client.fetch("/x"));
        t.check(got.ok && got.value.status === status, `fetch() ${status}: ${got.ok ? got.value.status : got.error?.code}`);
        const post = await t.settle(client.fetch("/x", { method: "POST", body: JSON.stringify({ secret: "body" }) }));
        t.check(post.ok && post.value.status === status, `POST ${status}: ${post.ok ? post.value.status : post.error?.code}`);
        const other = await t.records(t.otherServer);
        t.check(other.records.length === 0, `${status}: the other origin received ${JSON.stringify(other.records.map((r) => [r.method, Object.keys(r.headers).filter((h) => credentialHeaders.includes(h))]))}`);
      }
    },
  },
  {
    id: "api-redirect-same-origin",
    name: "API redirects inside apiUrl's path are followed (303 → GET, 307 keeps the POST body); outside it they are not",
    async run(t) {
      await t.configure({ api: { mode: "redirect", status: 307, location: `${t.base}/v1/landing` } });
      // The redirect answers every path, so following it loops: five hops, then http_error.
      const client = t.client();
      await t.rejects("json() looping inside the scope", client.json("/start"), "http_error", { status: 307 });
      const rec = (await t.records()).records.filter((r) => !r.path.endsWith("/auth/token"));
      t.check(rec.length === 6, `1 request + 5 followed redirects, got ${rec.length}`);
      t.check(rec.slice(1).every((r) => r.path.endsWith("/v1/landing") && r.headers.authorization?.startsWith("Bearer ")), "followed requests carry the credentials inside the scope");

      for (const [status, method, sentAgain] of [[307, "POST", "POST"], [308, "PUT", "PUT"], [303, "POST", "GET"], [302, "POST", "GET"]]) {
        await t.configure({ api: { mode: "redirect", status, location: `${t.base}/v1/landing`, times: 1 } });
        const out = await t.settle(t.client().json("/start", { method, body: JSON.stringify({ n: status }) }));
        t.check(out.ok && out.value.path.endsWith("/v1/landing") && out.value.method === sentAgain, `${status} after ${method}: ${JSON.stringify(out.value ?? out.error?.code)}`);
        const landing = (await t.records()).records.find((r) => r.path.endsWith("/v1/landing"));
        const wantBody = sentAgain === method ? JSON.stringify({ n: status }) : "";
        t.check(landing?.body === wantBody, `${status}: body sent again ${JSON.stringify(landing?.body)}, expected ${JSON.stringify(wantBody)}`);
      }

      await t.configure({ api: { mode: "redirect", status: 302, location: `${t.base}/admin` } });
      const out = await t.settle(t.client().fetch("/x"));
      t.check(out.ok && out.value.status === 302, `outside the base path: fetch() resolves with the 302, got ${out.ok ? out.value.status : out.error?.code}`);
      const rec2 = (await t.records()).records.filter((r) => r.path.endsWith("/admin"));
      t.check(rec2.length === 0, "nothing was sent outside apiUrl's path");
    },
  },
  {
    id: "api-redirect-init-modes",
    name: "init.redirect: \"manual\" resolves with the 3xx unfollowed; \"error\" rejects with http_error",
    async run(t) {
      await t.configure({ api: { mode: "redirect", status: 302, location: `${t.base}/v1/next` } });
      const client = t.client();
      const manual = await t.settle(client.fetch("/x", { redirect: "manual" }));
      t.check(manual.ok && manual.value.status === 302, `manual: ${manual.ok ? manual.value.status : manual.error?.code}`);
      await t.rejects("redirect: error", client.fetch("/x", { redirect: "error" }), "http_error", { status: 302 });
      const followed = (await t.records()).records.filter((r) => r.path.endsWith("/v1/next"));
      t.check(followed.length === 0, `no redirect was followed, got ${followed.length}`);
    },
  },

  // ---- 3. a 401 storm with a server that re-issues the same token text ----
  {
    id: "storm-same-token",
    name: "100 concurrent calls that all get 401, the auth server re-issuing the same text: one shared re-authentication (2 token requests)",
    async run(t) {
      await t.configure({ token: { mode: "same" }, api: { mode: "401-until-tokens", tokens: 2, spreadMs: 300 } });
      const client = t.client({ maxRetries: 0 });
      await client.accessToken();
      const results = await Promise.all(Array.from({ length: 100 }, () => t.settle(client.json("/x"))));
      const failed = results.filter((r) => !r.ok);
      t.check(failed.length === 0, `${failed.length} calls failed: ${failed.slice(0, 3).map((f) => f.error?.code ?? "hung")}`);
      const tokenRequests = (await t.records()).records.filter((r) => r.path.endsWith("/auth/token")).length;
      t.check(tokenRequests === 2, `token requests ${tokenRequests}, expected exactly 2`);
    },
  },

  // ---- 4. body limits ----
  {
    id: "token-body-over-64k",
    name: "a 100 KB token response is invalid_response, not retried",
    async run(t) {
      for (const declared of [false, true]) {
        await t.configure({ token: { mode: "big", bytes: 100_000, declared } });
        await t.rejects(`accessToken() (${declared ? "Content-Length" : "chunked"})`, t.client().accessToken(), "invalid_response", { status: 200 });
        const n = (await t.records()).records.length;
        t.check(n === 1, `token requests ${n}, expected 1 (not retried)`);
      }
      // Within the limit with a declared length: read whole, accepted.
      await t.configure({ token: { mode: "big", bytes: 1_000, declared: true } });
      const small = await t.settle(t.client().accessToken());
      t.check(small.ok, `a 1 KB token response with Content-Length: ${small.error?.code}`);
    },
  },
  {
    id: "api-body-caps",
    name: "json(): maxResponseBytes caps a 5 MB body (invalid_response); a 500 KB 404 body is not_found; without a cap the body is parsed",
    async run(t) {
      await t.configure({ api: { mode: "big", bytes: 5_000_000 } });
      await t.rejects("json() over maxResponseBytes", t.client({ maxResponseBytes: 1_000_000 }).json("/big"), "invalid_response", { status: 200 });
      const whole = await t.settle(t.client().json("/big"));
      t.check(whole.ok && whole.value.pad.length === 5_000_000, `uncapped json(): ${whole.ok ? whole.value.pad.length : whole.error?.code}`);
      await t.configure({ api: { mode: "big", status: 404, bytes: 500_000 } });
      await t.rejects("404 with 500 KB body", t.client().json("/big"), "not_found", { status: 404 });
    },
  },

  // ---- 5. onEvent that rejects ----
  {
    id: "async-on-event-rejects",
    name: "an async onEvent that rejects (and one that throws) never changes the outcome and leaves no unhandled rejection",
    async run(t, ctx) {
      const unhandled = [];
      const stop = ctx.watchUnhandled?.((reason) => unhandled.push(String(reason)));
      await t.configure({});
      const rejecting = t.client({ onEvent: async () => { throw new Error("listener rejected"); } });
      const ok1 = await t.settle(rejecting.json("/x"));
      const throwing = t.client({ onEvent: () => { throw new Error("listener threw"); } });
      const ok2 = await t.settle(throwing.json("/x"));
      const thenable = t.client({ onEvent: () => ({ get then() { throw new Error("then getter"); } }) });
      const ok3 = await t.settle(thenable.json("/x"));
      await sleep(50);
      stop?.();
      t.check(ok1.ok && ok2.ok && ok3.ok, `calls failed: ${[ok1, ok2, ok3].map((o) => o.ok || o.error?.code)}`);
      t.check(unhandled.length === 0, `unhandled rejections: ${unhandled}`);
    },
  },

  // ---- 6. every token the client sent is redacted, not only the current one ----
  {
    id: "echoed-old-token",
    name: "an API that echoes the old and the new token in error_description: both are [redacted] in message, description and stack",
    async run(t) {
      await t.configure({ api: { mode: "always-401-echo" } });
      const e = await t.rejects("json() after re-authentication", t.client().json("/x"), "unauthorized", { status: 401 });
      const { issued } = await t.records();
      t.check(issued.length === 2, `tokens issued ${issued.length}, expected 2`);
      if (e) {
        const text = `${e.message}\n${e.description}\n${e.stack}`;
        for (const token of issued) t.check(!text.includes(token), `token ${token.slice(0, 12)}… in the error`);
        t.check(String(e.description).includes("[redacted]"), `description: ${e.description}`);
      }
    },
  },

  // ---- 7. hostile Responses and fetches ----
  {
    id: "hostile-response-getters",
    name: "a Response whose status or headers getter throws, and a fetch that never settles: typed errors, never a hang",
    async run(t, ctx) {
      await t.configure({});
      const throwing = (field) => async () => new Proxy(new Response("{}", { status: 200 }), {
        get(target, prop) {
          if (prop === field) throw new Error(`${field} getter exploded`);
          const value = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      for (const field of ["status", "headers"]) {
        await t.rejects(`${field} getter throws`, t.client({ fetch: throwing(field) }).accessToken(), "invalid_response");
      }
      // Given up at timeoutMs exactly: tests/clock.rs pins that on a fake clock.
      const never = t.client({ fetch: () => ({ then() {} }), timeoutMs: 300, maxRetries: 0 });
      await t.rejects("fetch returns a thenable that never settles", never.accessToken(), "timeout");
      // The API call's Response throwing, after a good token.
      let calls = 0;
      const good = ctx.fetchImpl ?? fetch;
      const apiHostile = t.client({ fetch: (url, init) => (++calls === 1 ? good(url, init) : throwing("status")()) });
      await t.rejects("API Response status getter throws", apiHostile.json("/x"), "invalid_response");
    },
  },
  {
    id: "hostile-options-proxy",
    name: "options given as a Proxy whose traps throw: AndOpenError invalid_config (\"could not be read\") from the constructor, never a raw Error",
    async run(t, ctx) {
      for (const trap of ["ownKeys", "get", "getOwnPropertyDescriptor"]) {
        const options = new Proxy({ apiKey: "k", tenant: "t", clientId: "c", clientSecret: "s" }, { [trap]() { throw new Error(`${trap} trap`); } });
        let thrown;
        try { new ctx.lib.AndOpenClient(options); } catch (e) { thrown = e; }
        t.check(thrown instanceof ctx.lib.AndOpenError && thrown.code === "invalid_config" && /could not be read/.test(thrown.message), `${trap}: ${thrown?.name} ${thrown?.code} ${thrown?.message}`);
      }
      const getter = { apiKey: "k", tenant: "t", clientId: "c", get clientSecret() { throw new Error("getter"); } };
      let thrown;
      try { new ctx.lib.AndOpenClient(getter); } catch (e) { thrown = e; }
      t.check(thrown instanceof ctx.lib.AndOpenError && thrown.code === "invalid_config" && /could not be read/.test(thrown.message), `throwing getter: ${thrown?.name} ${thrown?.code} ${thrown?.message}`);
    },
  },
  {
    id: "options-proto-key",
    name: "options with an own \"__proto__\" key (as JSON.parse makes it): invalid_config, unknown option; the fields under it are not read as options",
    async run(t, ctx) {
      const options = JSON.parse('{"__proto__": {"apiKey": "k", "tenant": "t", "clientId": "c", "clientSecret": "s"}}');
      let thrown;
      try { new ctx.lib.AndOpenClient(options); } catch (e) { thrown = e; }
      t.check(thrown instanceof ctx.lib.AndOpenError && thrown.code === "invalid_config" && thrown.message === 'unknown option "__proto__"', `${thrown?.name} ${thrown?.code} ${thrown?.message}`);
    },
  },

  {
    id: "hostile-init",
    name: "an init or URL whose getter or Proxy trap throws: invalid_config, no request sent",
    async run(t) {
      await t.configure({});
      const client = t.client();
      await t.settle(client.json("/warm-up"));
      const before = (await t.records()).records.length;
      const getterInit = { get method() { throw new Error("method getter"); } };
      const proxyInit = new Proxy({}, { get() { throw new Error("get trap"); } });
      const url = { get href() { throw new Error("href getter"); } };
      await t.rejects("init.method getter throws", client.fetch("/x", getterInit), "invalid_config");
      await t.rejects("init Proxy get trap throws", client.json("/x", proxyInit), "invalid_config");
      await t.rejects("input.href getter throws", client.fetch(url), "invalid_config");
      const sent = (await t.records()).records.length - before;
      t.check(sent === 0, `${sent} requests sent for unreadable calls`);
    },
  },

  {
    id: "no-wasm-frames",
    name: "the caller's fetch, store, onEvent, options, init getters and Proxy traps never run with a wasm frame on the stack (the V8 ≤ 12 crash precondition, bench/v8-crash)",
    async run(t, ctx) {
      await t.configure({});
      const seen = [];
      const ran = new Set();
      // V8 (Node and workerd) names a wasm frame "wasm://wasm/…" or "wasm-function[…]"; the whole
      // stack is taken, not the default 10 frames.
      const note = (what) => {
        ran.add(what.split(" ")[0]);
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = Infinity;
        const stack = new Error().stack ?? "";
        Error.stackTraceLimit = limit;
        if (/wasm:\/\/|wasm-function\[/.test(stack)) seen.push(what);
      };
      const real = ctx.fetchImpl ?? fetch;
      const memory = new ctx.lib.MemoryStore();
      const store = {
        get: (key) => { note("store.get"); return memory.get(key); },
        put: (key, value, options) => { note("store.put"); return memory.put(key, value, options); },
        delete: (key) => { note("store.delete"); return memory.delete(key); },
      };
      const client = t.client({ store, fetch: (url, init) => { note("fetch"); return real(url, init); }, onEvent: (e) => note(`onEvent ${e.type}`) });
      const init = { get method() { note("init.method getter"); return "GET"; }, get headers() { note("init.headers getter"); return { "x-a": "1" }; } };
      // Type checks of init's values walk their prototype chains, which runs a Proxy's trap.
      const realSignal = new AbortController().signal;
      const signal = new Proxy(realSignal, {
        getPrototypeOf(target) { note("init.signal getPrototypeOf trap"); return Reflect.getPrototypeOf(target); },
        get(target, key) { const value = Reflect.get(target, key, target); return typeof value === "function" ? value.bind(target) : value; },
      });
      const body = new Proxy({}, { getPrototypeOf() { note("init.body getPrototypeOf trap"); return Object.prototype; } });
      // The constructor reads the options (here every one a getter), then whether the store and
      // the broker have their methods (here through Proxy traps).
      const traced = (target, what) => new Proxy(target, { get(object, key, receiver) { note(`${what} get trap (${String(key)})`); return Reflect.get(object, key, receiver); } });
      const namespace = { idFromName: (name) => name, get: () => ({ token: () => Promise.reject(new Error("no broker here")), clear: () => Promise.resolve() }) };
      const gettered = (plain) => Object.defineProperties({}, Object.fromEntries(Object.keys(plain).map((key) => [key, { enumerable: true, get() { note(`options getter (${key})`); return plain[key]; } }])));
      const construct = () => {
        new ctx.lib.AndOpenClient(gettered(t.options({ store: traced(store, "store-proxy"), broker: traced(namespace, "broker-proxy") }))).free();
        return Promise.resolve();
      };
      const methods = [
        ["new AndOpenClient with getter options, a Proxy store and a Proxy broker", construct],
        ["json (cold)", () => client.json("/x")], ["json (warm)", () => client.json("/x")], ["fetch with a getter init", () => client.fetch("/x", init)],
        ["fetch with Proxy signal and body", () => client.fetch("/x", { method: "POST", signal, body })],
        ["refresh", () => client.refresh()], ["accessToken", () => client.accessToken()], ["tokenInfo", () => client.tokenInfo()],
        ["clear", () => client.clear()], ["accessToken after clear", () => client.accessToken()], ["ping", () => client.ping()],
      ];
      for (const [label, method] of methods) {
        seen.length = 0;
        const outcome = await t.settle(method());
        t.check(!outcome.hung, `${label}: hung`);
        t.check(seen.length === 0, `${label}: ran with a wasm frame on the stack: ${seen.join(", ")}`);
      }
      // Each of the caller's functions above was called at least once, so none passed unexamined.
      const expected = ["fetch", "store.get", "store.put", "store.delete", "onEvent", "init.method", "init.headers", "init.signal", "init.body", "options", "store-proxy", "broker-proxy"];
      const missing = expected.filter((what) => !ran.has(what));
      t.check(missing.length === 0, `never called, so not examined: ${missing.join(", ")}`);
    },
  },

  // ---- 8. dot segments never leave apiUrl's path ----
  {
    id: "path-dot-segments",
    name: "/../admin, /%2e%2e/admin, /..\\admin, /x/../../admin (strings and URLs) are invalid_config; nothing reaches /admin",
    async run(t) {
      await t.configure({});
      const client = t.client();
      for (const path of ["/../admin", "/%2e%2e/admin", "/%2E%2E/admin", "/..\\admin", "/x/../../admin", "/.%2e/admin"]) {
        await t.rejects(`json(${path})`, client.json(path), "invalid_config");
        await t.rejects(`fetch(URL ${path})`, client.fetch(new URL(`${t.base}/v1${path}`)), "invalid_config");
      }
      const inside = await t.settle(client.json("/x/../y"));
      t.check(inside.ok && inside.value.path.endsWith("/v1/y"), `"/x/../y" stays inside: ${JSON.stringify(inside.value ?? inside.error?.code)}`);
      const admin = (await t.records()).records.filter((r) => r.path.includes("admin"));
      t.check(admin.length === 0, `${admin.length} requests reached an admin path`);
    },
  },

  // ---- 9. the HTTP status decides the code ----
  {
    id: "status-decides-code",
    name: "token 503/429 with {error: invalid_client} stay server_error/rate_limited (retried); 200 with an error body keeps status 200",
    async run(t) {
      await t.configure({ token: { mode: "status", status: 503, body: { error: "invalid_client" } } });
      await t.rejects("503 + invalid_client", t.client().accessToken(), "server_error", { status: 503, retryable: true, oauthError: "invalid_client" });
      const n = (await t.records()).records.length;
      t.check(n === 2, `503 was retried: ${n} token requests, expected 2`);
      await t.configure({ token: { mode: "status", status: 429, body: { error: "invalid_client" } } });
      await t.rejects("429 + invalid_client", t.client({ maxRetries: 0 }).accessToken(), "rate_limited", { status: 429, retryable: true });
      await t.configure({ token: { mode: "status", status: 200, body: { error: "invalid_grant" } } });
      await t.rejects("200 + invalid_grant", t.client().accessToken(), "invalid_grant", { status: 200 });
    },
  },

  // ---- 10. free() ----
  {
    id: "use-after-free",
    name: "free() twice is fine; every method after free() rejects with an AndOpenError (invalid_config)",
    async run(t, ctx) {
      await t.configure({});
      const client = t.client();
      let thrown;
      try { client.free(); client.free(); } catch (e) { thrown = e; }
      t.check(thrown === undefined, `a second free() threw ${thrown}`);
      for (const call of [() => client.json("/x"), () => client.fetch("/x"), () => client.ping(), () => client.accessToken(), () => client.tokenInfo(), () => client.refresh(), () => client.clear()]) {
        let sync;
        let promise;
        try { promise = call(); } catch (e) { sync = e; }
        t.check(sync === undefined, `a method threw synchronously after free(): ${sync}`);
        if (promise) await t.rejects(`${call} after free()`, promise, "invalid_config");
      }
      const store = new ctx.lib.MemoryStore();
      store.free();
      try { store.free(); } catch (e) { thrown = e; }
      t.check(thrown === undefined, `MemoryStore: a second free() threw ${thrown}`);
      await t.rejects("MemoryStore.get after free()", store.get("k"), "invalid_config");
    },
  },

  // ---- 10b. the client's methods are methods ----
  {
    id: "client-methods",
    name: "the exported classes and the client's methods are named; the methods are not enumerable, as a class body makes them, and a client lists nothing",
    async run(t, ctx) {
      for (const name of Object.keys(ctx.lib)) {
        t.check(ctx.lib[name].name === name, `${name}.name is "${ctx.lib[name].name}"`);
      }
      // Every method on the exported class and the glue class under it (the use-after-free row
      // calls each public one, so none is missing from this walk unnoticed).
      const proto = ctx.lib.AndOpenClient.prototype;
      const methods = [];
      for (const layer of [proto, Object.getPrototypeOf(proto)]) {
        for (const name of Object.getOwnPropertyNames(layer)) {
          const own = Object.getOwnPropertyDescriptor(layer, name);
          if (name !== "constructor" && typeof own.value === "function") methods.push([name, own]);
        }
      }
      t.check(methods.some(([name]) => name === "fetch") && methods.some(([name]) => name === "free"), `methods: ${methods.map(([name]) => name)}`);
      for (const [name, own] of methods) {
        t.check(!own.enumerable && own.writable && own.configurable, `${name}: enumerable ${own.enumerable}, writable ${own.writable}, configurable ${own.configurable}`);
        t.check(own.value.name === name, `${name}.name is "${own.value.name}"`);
      }
      // Nothing is listed: no method, nor wasm-bindgen's handle field (`__wbg_ptr`, an own
      // property, not enumerable).
      const client = t.client();
      const listed = [];
      for (const key in client) listed.push(key);
      t.check(listed.length === 0, `for…in lists ${listed.join(", ")}`);
      t.check(JSON.stringify(client) === "{}", `JSON.stringify(client) is ${JSON.stringify(client)}`);
      // And the handle still works through the property: a new client has no token yet.
      const info = await client.tokenInfo();
      t.check(info === null, `tokenInfo() is ${JSON.stringify(info)}`);
    },
  },

  // ---- 11. the caller's signal still aborts the body after fetch() resolved ----
  {
    id: "abort-after-resolve",
    name: "a 1-byte-per-200-ms body: aborting the caller's signal after fetch() resolved stops the read",
    async run(t) {
      await t.configure({ api: { mode: "drip" } });
      const controller = new AbortController();
      const res = await t.client().fetch("/drip", { signal: controller.signal });
      const reading = res.text();
      await sleep(300);
      controller.abort();
      // The body never ends: only the abort can settle the read.
      const out = await t.settle(reading, 5000);
      t.check(!out.hung && !out.ok, `the body read ${out.hung ? "hung" : "finished"} after abort`);
    },
  },

  // ---- 12. one set of limits for every source ----
  {
    id: "limits-everywhere",
    name: "a 10 MB stored token is a miss (store_error) and the call succeeds from the network; 1 MB credentials and a blank tenant are invalid_config",
    async run(t, ctx) {
      await t.configure({});
      const huge = JSON.stringify({ v: 1, accessToken: "a".repeat(10_000_000), expiresAt: Date.now() + 3_600_000 });
      const store = { get: async () => huge, put: async () => {}, delete: async () => {} };
      const out = await t.settle(t.client({ store }).json("/x"));
      t.check(out.ok, `call with a 10 MB stored token: ${out.error?.code}`);
      t.check(t.events.some((e) => e.type === "store_error" && e.operation === "get"), "a store_error event for the huge value");
      const tokenRequests = (await t.records()).records.filter((r) => r.path.endsWith("/auth/token")).length;
      t.check(tokenRequests === 1, `token requests ${tokenRequests}, expected 1`);
      const big = "x".repeat(1_000_000);
      for (const [field, value] of [["tenant", big], ["clientId", big], ["clientSecret", big], ["apiKey", big], ["tenant", "   "]]) {
        let thrown;
        try { t.client({ [field]: value }); } catch (e) { thrown = e; }
        t.check(thrown instanceof ctx.lib.AndOpenError && thrown.code === "invalid_config", `${field} of ${value.length} chars: ${thrown?.code ?? "accepted"}`);
        if (thrown) t.check(thrown.message.length < 200, `${field}: the message repeats the value (${thrown.message.length} chars)`);
      }
    },
  },
];

export const scenarioById = Object.fromEntries(scenarios.map((s) => [s.id, s]));

/** Runs one scenario; returns { failures, corpus }. */
export async function runScenario(scenario, ctx) {
  const { t, failures, corpus, events } = harness(scenario, ctx);
  t.otherServer = ctx.b;
  try {
    await scenario.run(t, ctx);
  } catch (error) {
    failures.push(`scenario threw: ${error?.stack ?? error}`);
  }
  corpus.push(JSON.stringify(events));
  const records = await t.records();
  return { failures, corpus, issued: records.issued };
}
