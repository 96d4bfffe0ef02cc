// The `profile: "oauth2"` scenarios against oidc-provider (provider.mjs), run in Node
// (node.test.mjs) and in workerd (oauth2-worker.js, node.test.mjs's twin workerd.test.mjs) through
// the built package. Runtime-agnostic: global fetch, timers and the package's exports only. The
// provider and the API run in the Node test process; the client reaches them over loopback and
// reads their counts from the API's control endpoint. Each scenario returns its failures (empty =
// passed) and everything the client produced (errors with stacks, events, tokenInfo) for the
// secret scan.
//
// ctx = { lib, env: { tokenUrl, apiUrl, resource, controlUrl, closedUrl },
//         creds: { clientId, clientSecret, wrongSecret, refreshToken? } (this scenario's client;
//           refreshToken when the scenario has a `refreshScope`),
//         tag (this scenario's path segment on the API: its calls go to /s/<tag>/), runtime }

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What every scenario's client is given; a scenario adds or overrides options. */
function baseOptions(ctx, events) {
  return {
    profile: "oauth2",
    tokenUrl: ctx.env.tokenUrl,
    apiUrl: `${ctx.env.apiUrl}/s/${ctx.tag}`,
    clientId: ctx.creds.clientId,
    clientSecret: ctx.creds.clientSecret,
    // RFC 8707: the provider issues a JWT for the API only when the request names it.
    resource: ctx.env.resource,
    timeoutMs: 5000,
    maxRetries: 2,
    onEvent: (e) => events.push(e),
  };
}

function harness(ctx) {
  const failures = [];
  const corpus = [];
  const events = [];
  const t = {
    events,
    check(condition, message) {
      if (!condition) failures.push(message);
    },
    client(options = {}) {
      return new ctx.lib.AndOpenClient({ ...baseOptions(ctx, events), ...options });
    },
    /** The provider's and the API's records for this scenario's client. */
    async counts() {
      const res = await fetch(`${ctx.env.controlUrl}/counts?client_id=${encodeURIComponent(ctx.creds.clientId)}&tag=${ctx.tag}`);
      return res.json();
    },
    of(type) {
      return events.filter((e) => e.type === type);
    },
    async settle(promise) {
      try {
        return { ok: true, value: await promise };
      } catch (error) {
        corpus.push(errorText(error));
        return { ok: false, error };
      }
    },
    async tokenInfo(client) {
      const info = await client.tokenInfo();
      corpus.push(JSON.stringify(info));
      return info;
    },
  };
  return { t, failures, corpus, events };
}

function errorText(e) {
  if (e === null || typeof e !== "object") return String(e);
  return JSON.stringify({ name: e.name, code: e.code, status: e.status, message: e.message, description: e.description, oauthError: e.oauthError, stack: e.stack });
}

/** A 200 from the API for this client: the API verified the provider's JWT (provider.mjs). */
function checkAccepted(t, ctx, label, outcome) {
  if (!outcome.ok) return t.check(false, `${label}: rejected with ${outcome.error?.code} (${outcome.error?.message})`);
  const body = outcome.value;
  t.check(body?.ok === true && body.client_id === ctx.creds.clientId, `${label}: the API answered ${JSON.stringify(body)}`);
}

/** A valid token, obtained with `clientAuth`; scope narrowed by the provider to the API's. */
async function obtained(t, ctx, clientAuth, extra = {}) {
  const client = t.client({ clientAuth, ...extra });
  const started = Date.now();
  checkAccepted(t, ctx, "json()", await t.settle(client.json("/things")));
  const res = await t.settle(client.fetch("/things/2"));
  t.check(res.ok && res.value.status === 200, `fetch(): ${res.ok ? res.value.status : res.error?.code}`);
  if (res.ok) await res.value.text();

  const c = await t.counts();
  t.check(c.tokenRequests === 1, `token requests ${c.tokenRequests}, expected 1`);
  const req = c.token[0] ?? {};
  t.check(req.method === clientAuth, `the provider saw ${req.method}, expected ${clientAuth}`);
  t.check(req.contentType === "application/x-www-form-urlencoded", `token request content-type ${req.contentType}`);
  t.check(req.grantType === "client_credentials", `grant_type ${req.grantType}`);
  t.check(req.resource === ctx.env.resource, `resource ${req.resource}, expected ${ctx.env.resource}`);
  t.check(req.status === 200 && /^bearer$/i.test(req.tokenType ?? ""), `the provider answered ${req.status} token_type ${req.tokenType}`);
  t.check(c.apiAccepted === 2 && c.distinctJti === 1, `the API accepted ${c.apiAccepted} calls with ${c.distinctJti} distinct tokens, expected 2 with 1`);
  t.check(c.apiRefused === 0, `the API refused ${c.apiRefused} calls`);

  const tr = t.of("token_request");
  t.check(tr.length === 1 && tr[0].grant === "client_credentials" && tr[0].attempt === 1, `token_request events ${JSON.stringify(tr)}`);
  const resp = t.of("token_response");
  t.check(resp.length === 1 && resp[0].status === 200 && resp[0].expiresIn === req.expiresIn, `token_response events ${JSON.stringify(resp)} (provider expires_in ${req.expiresIn})`);

  const info = await t.tokenInfo(client);
  const expected = started + req.expiresIn * 1000;
  t.check(info && Math.abs(info.expiresAt - expected) < 5000, `tokenInfo().expiresAt ${info?.expiresAt}, expected about ${expected}`);
  t.check(info?.source === "network" && info.hasRefreshToken === false, `tokenInfo() ${JSON.stringify(info)}`);
  return { client, counts: c, info };
}

export const scenarios = [
  {
    id: "basic",
    name: "client_secret_basic (id and secret form-urlencoded, RFC 6749 §2.3.1): the API accepts the provider's JWT",
    async run(t, ctx) {
      // The requested scope is wider than the API's: the provider narrows it and says so.
      const { info, counts } = await obtained(t, ctx, "client_secret_basic", { scope: "api:read api:write" });
      t.check(counts.token[0].scope === "api:read api:write", `scope sent ${counts.token[0].scope}`);
      t.check(counts.token[0].grantedScope === "api:read", `scope granted ${counts.token[0].grantedScope}`);
      t.check(info?.scope === "api:read", `tokenInfo().scope ${info?.scope}, expected the granted "api:read"`);
      t.check(counts.api.every((r) => r.scope === "api:read"), `JWT scope ${counts.api.map((r) => r.scope)}`);
    },
  },
  {
    id: "post",
    name: "client_secret_post: the API accepts the provider's JWT",
    async run(t, ctx) {
      const { info, counts } = await obtained(t, ctx, "client_secret_post");
      // No scope asked, none granted: the response has no `scope`, the JWT no scope claim.
      t.check(counts.token[0].scope === undefined && counts.token[0].grantedScope === undefined, `scope ${JSON.stringify(counts.token[0])}`);
      t.check(info?.scope === null, `tokenInfo().scope ${info?.scope}, expected null`);
    },
  },
  {
    id: "cached",
    name: "cached: 20 sequential calls, 1 token request",
    async run(t) {
      const client = t.client();
      for (let i = 0; i < 20; i++) {
        const out = await t.settle(client.json(`/things/${i}`));
        t.check(out.ok, `call ${i}: ${out.error?.code}`);
      }
      const c = await t.counts();
      t.check(c.tokenRequests === 1, `token requests ${c.tokenRequests}, expected 1`);
      t.check(c.apiAccepted === 20 && c.distinctJti === 1, `the API accepted ${c.apiAccepted} calls with ${c.distinctJti} tokens`);
      t.check(t.of("token_request").length === 1, `${t.of("token_request").length} token_request events`);
    },
  },
  {
    id: "burst",
    name: "single flight: 50 concurrent calls on a cold client, 1 token request",
    async run(t) {
      const client = t.client();
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => t.settle(client.json(`/burst/${i}`))));
      const failed = results.filter((r) => !r.ok);
      t.check(failed.length === 0, `${failed.length} calls failed: ${failed.slice(0, 3).map((f) => f.error?.code)}`);
      const c = await t.counts();
      t.check(c.tokenRequests === 1, `token requests ${c.tokenRequests}, expected 1`);
      t.check(c.apiAccepted === 50 && c.distinctJti === 1, `the API accepted ${c.apiAccepted} calls with ${c.distinctJti} tokens`);
    },
  },
  {
    id: "renewal",
    name: "renewed after expiry (accessTokenTTL 6 s): exactly one more token request",
    ttl: 6,
    async run(t) {
      // The default leeway (60 s) is longer than this token's life: every call would renew. 2 s
      // keeps the renewal clear of the JWT's whole-second `exp`.
      const client = t.client({ refreshLeewaySeconds: 2 });
      const first = await t.settle(client.json("/before"));
      t.check(first.ok, `first call: ${first.error?.code}`);
      const infoBefore = await t.tokenInfo(client);
      const again = await t.settle(client.json("/still-valid"));
      t.check(again.ok, `second call: ${again.error?.code}`);
      let c = await t.counts();
      t.check(c.tokenRequests === 1, `before expiry: token requests ${c.tokenRequests}, expected 1`);
      t.check(c.token[0]?.expiresIn === 6, `the provider's expires_in ${c.token[0]?.expiresIn}, expected 6`);
      // Past the token's whole lifetime.
      await sleep(Math.max(0, infoBefore.expiresAt - Date.now()) + 500);
      const after = await t.settle(client.json("/after"));
      t.check(after.ok, `after expiry: ${after.error?.code} ${after.error?.message}`);
      const second = await t.settle(client.json("/after-2"));
      t.check(second.ok, `after renewal: ${second.error?.code}`);
      c = await t.counts();
      t.check(c.tokenRequests === 2, `after expiry: token requests ${c.tokenRequests}, expected exactly 2`);
      t.check(c.apiAccepted === 4 && c.distinctJti === 2, `the API accepted ${c.apiAccepted} calls with ${c.distinctJti} tokens, expected 4 with 2`);
      t.check(c.apiRefused === 0, `the API refused ${c.apiRefused} calls (an expired token was sent)`);
      t.check(t.of("unauthorized_retry").length === 0, "no 401 re-authentication: the client renewed before sending");
      const infoAfter = await t.tokenInfo(client);
      t.check(infoAfter.expiresAt > infoBefore.expiresAt, `expiresAt ${infoBefore.expiresAt} → ${infoAfter.expiresAt}`);
    },
  },
  ...["client_secret_basic", "client_secret_post"].map((clientAuth) => ({
    id: `wrong-secret-${clientAuth.replace("client_secret_", "")}`,
    name: `a wrong secret (${clientAuth}) is invalid_client with the provider's error_description, no secret anywhere, not retried`,
    wrongSecret: true,
    async run(t, ctx) {
      const client = t.client({ clientAuth, clientSecret: ctx.creds.wrongSecret });
      const out = await t.settle(client.json("/things"));
      const e = out.error;
      t.check(!out.ok && e instanceof ctx.lib.AndOpenError, `expected an AndOpenError, got ${out.ok ? "a result" : e}`);
      if (e) {
        t.check(e.code === "invalid_client" && e.status === 401 && e.retryable === false, `code ${e.code} status ${e.status} retryable ${e.retryable}`);
        t.check(e.oauthError === "invalid_client", `oauthError ${e.oauthError}`);
        const c = await t.counts();
        const provider = c.token[0] ?? {};
        t.check(provider.status === 401 && provider.error === "invalid_client", `the provider answered ${provider.status} ${provider.error}`);
        t.check(typeof e.description === "string" && e.description === provider.errorDescription, `description ${JSON.stringify(e.description)}, the provider said ${JSON.stringify(provider.errorDescription)}`);
        t.check(e.message.includes(provider.errorDescription), `message ${e.message}`);
        t.check(typeof e.stack === "string" && e.stack.length > 0, "stack");
        t.check(c.tokenRequests === 1, `token requests ${c.tokenRequests}, expected 1 (invalid_client is final)`);
        t.check(c.apiAccepted === 0, "no API call");
        // Basic authentication is answered with a WWW-Authenticate challenge (RFC 6749 §5.2).
        if (clientAuth === "client_secret_basic") t.check(/^Basic /.test(provider.wwwAuthenticate ?? ""), `WWW-Authenticate ${provider.wwwAuthenticate}`);
      }
      const te = t.of("token_error");
      t.check(te.length === 1 && te[0].code === "invalid_client" && te[0].status === 401, `token_error events ${JSON.stringify(te)}`);
      t.check(t.of("retry").length === 0, "not retried");
    },
  })),
  {
    id: "unreachable",
    name: "the provider unreachable (a closed port): network after the retries",
    async run(t, ctx) {
      const maxRetries = 2;
      const client = t.client({ tokenUrl: `${ctx.env.closedUrl}/token`, maxRetries, timeoutMs: 2000 });
      const out = await t.settle(client.json("/things"));
      const e = out.error;
      t.check(!out.ok && e instanceof ctx.lib.AndOpenError, `expected an AndOpenError, got ${out.ok ? "a result" : e}`);
      if (e) t.check(e.code === "network" && e.retryable === true && e.status === undefined, `code ${e.code} retryable ${e.retryable} status ${e.status}`);
      const retries = t.of("retry");
      t.check(retries.length === maxRetries && retries.every((r, i) => r.target === "token" && r.attempt === i + 1 && r.code === "network"), `retry events ${JSON.stringify(retries)}`);
      const attempts = t.of("token_request").map((r) => r.attempt);
      t.check(JSON.stringify(attempts) === JSON.stringify([1, 2, 3]), `token_request attempts ${attempts}`);
      const te = t.of("token_error");
      t.check(te.length === 1 && te[0].code === "network" && te[0].status === undefined, `token_error events ${JSON.stringify(te)}`);
      const c = await t.counts();
      t.check(c.tokenRequests === 0 && c.apiAccepted === 0, "nothing reached the provider or the API");
    },
  },
  {
    id: "refresh",
    name: "a saved refresh token (refreshToken option): the refresh grant first, with client_secret_basic; the API accepts the JWT",
    refreshScope: "offline_access api:read",
    async run(t, ctx) {
      const client = t.client({ refreshToken: ctx.creds.refreshToken });
      const out = await t.settle(client.json("/things"));
      checkAccepted(t, ctx, "json()", out);
      const c = await t.counts();
      t.check(c.tokenRequests === 1, `token requests ${c.tokenRequests}, expected 1`);
      const req = c.token[0] ?? {};
      t.check(req.grantType === "refresh_token" && req.method === "client_secret_basic" && req.status === 200, `the provider saw ${req.grantType} by ${req.method}: ${req.status} ${req.error ?? ""}`);
      t.check(req.accessTokenFormat === "jwt", `access token ${req.accessTokenFormat}`);
      const tr = t.of("token_request");
      t.check(tr.length === 1 && tr[0].grant === "refresh_token", `token_request events ${JSON.stringify(tr)}`);
      const info = await t.tokenInfo(client);
      t.check(info?.hasRefreshToken === true && info.scope === "api:read", `tokenInfo() ${JSON.stringify(info)}`);
      t.check(c.api.every((r) => r.scope === "api:read"), `JWT scope ${c.api.map((r) => r.scope)}`);
    },
  },
  {
    id: "refresh-openid",
    name: "a refresh token granted with openid: the refresh request names the API (RFC 8707 §2.2), so the provider issues the API's JWT",
    refreshScope: "openid offline_access api:read",
    // Without `resource` on the refresh grant the provider issued an opaque userinfo token and
    // the API refused it twice (`unauthorized`); the client now repeats it (token_request.rs).
    async run(t, ctx) {
      const client = t.client({ refreshToken: ctx.creds.refreshToken });
      const out = await t.settle(client.json("/things"));
      checkAccepted(t, ctx, "json()", out);
      const c = await t.counts();
      const req = c.token[0] ?? {};
      t.check(req.grantType === "refresh_token" && req.resource === ctx.env.resource, `refresh request: grant ${req.grantType}, resource ${req.resource}`);
      t.check(req.accessTokenFormat === "jwt", `access token ${req.accessTokenFormat}, expected the API's JWT`);
    },
  },
  {
    id: "refresh-invalid-grant",
    name: "a refresh token the provider does not know: invalid_grant, then client credentials (one each)",
    async run(t, ctx) {
      // Made of the secret's random part, so the secret scan would see it leak anywhere.
      const client = t.client({ refreshToken: `unknown-${ctx.creds.clientSecret.slice(7, 31)}` });
      const out = await t.settle(client.json("/things"));
      checkAccepted(t, ctx, "json()", out);
      const c = await t.counts();
      const seen = c.token.map((r) => `${r.grantType}:${r.status}:${r.error ?? "ok"}`);
      t.check(JSON.stringify(seen) === JSON.stringify(["refresh_token:400:invalid_grant", "client_credentials:200:ok"]), `the provider saw ${JSON.stringify(seen)}`);
      const grants = t.of("token_request").map((e) => e.grant);
      t.check(JSON.stringify(grants) === JSON.stringify(["refresh_token", "client_credentials"]), `token_request events ${grants}`);
      const info = await t.tokenInfo(client);
      t.check(info?.hasRefreshToken === false, `tokenInfo() ${JSON.stringify(info)}`);
    },
  },
  {
    id: "no-resource",
    name: "without `resource` the provider issues an opaque token the API cannot verify: unauthorized after one re-authentication",
    async run(t, ctx) {
      const client = t.client({ resource: undefined });
      const out = await t.settle(client.json("/things"));
      t.check(!out.ok && out.error?.code === "unauthorized" && out.error?.status === 401, `expected unauthorized, got ${out.ok ? JSON.stringify(out.value) : out.error?.code}`);
      const c = await t.counts();
      t.check(c.tokenRequests === 2 && c.tokensIssued === 2, `token requests ${c.tokenRequests} (${c.tokensIssued} issued), expected 2: one, then one after the 401`);
      t.check(c.token.every((r) => r.resource === undefined), "no resource was sent");
      t.check(t.of("unauthorized_retry").length === 1, `${t.of("unauthorized_retry").length} unauthorized_retry events`);
    },
  },
];

export const scenarioById = Object.fromEntries(scenarios.map((s) => [s.id, s]));

export async function runScenario(scenario, ctx) {
  const { t, failures, corpus, events } = harness(ctx);
  try {
    await scenario.run(t, ctx);
  } catch (error) {
    failures.push(`scenario threw: ${error?.stack ?? error}`);
  }
  corpus.push(JSON.stringify(events));
  return { failures, corpus };
}
