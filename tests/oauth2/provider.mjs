// A real authorization server for the `profile: "oauth2"` end-to-end tests: oidc-provider (panva's
// certified OpenID Connect / OAuth 2.0 server) on loopback, with confidential clients allowed the
// client_credentials grant, and one resource server (RFC 8707 resource indicator) for which it
// issues JWT access tokens (RFC 9068). Beside it, a small protected API (node:http) that accepts
// only those tokens: signature by the provider's JWKS, issuer, audience and `typ: at+jwt`, with
// `jose`. Both count what they receive, per client, for the tests to assert on.
//
//   const env = await startOAuth2Env({ clients: [{ clientId, clientSecret, ttl }] });
//   env.tokenUrl, env.apiUrl, env.resource, env.controlUrl;  env.counts(clientId);  env.close()
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import Provider, { errors } from "oidc-provider";
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from "jose";

/** The one scope the API knows (the resource server's scope). */
export const API_SCOPE = "api:read";

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** oidc-provider's storage, in memory (its own in-memory adapter warns on every start). */
function memoryAdapter() {
  const store = new Map();
  return class MapAdapter {
    constructor(name) { this.name = name; }
    key(id) { return `${this.name}:${id}`; }
    async upsert(id, payload) { store.set(this.key(id), payload); }
    async find(id) { return store.get(this.key(id)); }
    async findByUid(uid) { return [...store.values()].find((p) => p.uid === uid); }
    async findByUserCode(userCode) { return [...store.values()].find((p) => p.userCode === userCode); }
    async consume(id) { const p = store.get(this.key(id)); if (p) p.consumed = Math.floor(Date.now() / 1000); }
    async destroy(id) { store.delete(this.key(id)); }
    async revokeByGrantId(grantId) { for (const [k, p] of store) if (p.grantId === grantId) store.delete(k); }
  };
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort() {
  const server = createServer();
  const url = await listen(server);
  await closeServer(server);
  return url;
}

/**
 * Starts the provider and the API. `clients`: [{ clientId, clientSecret, ttl? }], every one a
 * confidential client (client_secret_basic registered; oidc-provider accepts client_secret_post
 * for such a client too) allowed client_credentials and refresh_token; `ttl` is the lifetime in
 * seconds of the access tokens it gets for the API (default `accessTokenTTL`).
 */
export async function startOAuth2Env({ clients, accessTokenTTL = 3600 }) {
  const ttlByClient = new Map(clients.map((c) => [c.clientId, c.ttl ?? accessTokenTTL]));
  const tokenRequests = []; // { clientId, method, status, resource, scope, error, errorDescription, wwwAuthenticate }
  const apiRequests = []; // { clientId, status, jti, aud, scope, error }
  const issued = new Set(); // every access token the provider handed out, for the secret scan

  // ---- the authorization server ----
  let providerHandler = (req, res) => { res.statusCode = 503; res.end(); };
  const providerServer = createServer((req, res) => providerHandler(req, res));
  const issuer = await listen(providerServer);

  // The API's identifier, the resource indicator the client must send (RFC 8707 §2).
  const apiServer = createServer((req, res) => apiHandler(req, res));
  const apiOrigin = await listen(apiServer);
  const resource = `${apiOrigin}/`;

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: `k-${randomUUID()}`, alg: "RS256", use: "sig" };

  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      grant_types: ["client_credentials", "refresh_token"],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: "client_secret_basic",
      scope: API_SCOPE,
    })),
    scopes: ["openid", "offline_access", API_SCOPE],
    jwks: { keys: [signingKey] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // No defaultResource: a token request must name the API (`resource`); without one the
        // provider issues an opaque token with no audience, which the API cannot verify.
        async getResourceServerInfo(ctx, resourceIndicator, client) {
          if (resourceIndicator !== resource) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPE,
            audience: resource,
            accessTokenTTL: ttlByClient.get(client.clientId) ?? accessTokenTTL,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
    // Client credentials tokens take the resource server's accessTokenTTL (above); these are
    // the fallbacks for a token without a resource server.
    ttl: {
      ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTTL,
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTTL,
      Grant: 86400,
      IdToken: 3600,
      RefreshToken: 86400,
    },
    adapter: memoryAdapter(),
    // Keeps oidc-provider from warning about its development defaults.
    cookies: { keys: [randomUUID()] },
    // The one end user behind the refresh tokens that mintRefreshToken() makes.
    findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });

  // Every request to the token endpoint, recorded after the provider answered it.
  const tokenPath = new URL(provider.issuer).pathname.replace(/\/$/, "") + "/token";
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== "POST" || ctx.path !== tokenPath) return;
    const params = ctx.oidc?.params ?? {};
    const body = ctx.oidc?.body ?? {};
    const authorization = ctx.get("authorization");
    let clientId = ctx.oidc?.client?.clientId ?? body.client_id;
    if (!clientId && /^basic /i.test(authorization)) {
      const decoded = Buffer.from(authorization.slice(6), "base64").toString("utf8");
      clientId = decodeURIComponent(decoded.slice(0, decoded.indexOf(":")).replace(/\+/g, "%20"));
    }
    const answer = typeof ctx.body === "object" && ctx.body !== null ? ctx.body : {};
    const format = (t) => (t === undefined ? undefined : t.split(".").length === 3 ? "jwt" : "opaque");
    if (answer.access_token) issued.add(answer.access_token);
    if (answer.refresh_token) issued.add(answer.refresh_token);
    tokenRequests.push({
      clientId,
      method: authorization ? "client_secret_basic" : body.client_secret ? "client_secret_post" : "none",
      contentType: ctx.get("content-type"),
      grantType: params.grant_type ?? body.grant_type,
      resource: params.resource ?? body.resource,
      scope: params.scope ?? body.scope,
      status: ctx.status,
      error: answer.error,
      errorDescription: answer.error_description,
      tokenType: answer.token_type,
      expiresIn: answer.expires_in,
      grantedScope: answer.scope,
      accessTokenFormat: format(answer.access_token),
      refreshTokenIssued: answer.refresh_token !== undefined,
      wwwAuthenticate: ctx.response.get("www-authenticate") || undefined,
    });
  });
  providerHandler = provider.callback();

  // ---- the protected API ----
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  async function apiHandler(req, res) {
    const url = new URL(req.url, apiOrigin);
    if (url.pathname === "/__control/counts") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(countsFor(url.searchParams.get("client_id"), url.searchParams.get("tag"))));
      return;
    }
    // A scenario calls the API under /s/<tag>/, so that refused calls (whose token names no
    // client the API could trust) are still counted per scenario.
    const tag = /^\/s\/([^/]+)/.exec(url.pathname)?.[1];
    const reply = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    const match = /^Bearer ([\x21-\x7e]+)$/.exec(req.headers.authorization ?? "");
    if (!match) {
      apiRequests.push({ clientId: undefined, tag, status: 401, error: "no bearer token" });
      return reply(401, { error: "invalid_request" }, { "www-authenticate": 'Bearer realm="api"' });
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(match[1], jwks, {
        issuer,
        audience: resource,
        typ: "at+jwt",
        algorithms: ["RS256"],
      });
      apiRequests.push({ clientId: payload.client_id, tag, status: 200, jti: payload.jti, aud: payload.aud, scope: payload.scope, exp: payload.exp, iat: payload.iat, kid: protectedHeader.kid, path: url.pathname });
      return reply(200, { ok: true, client_id: payload.client_id, scope: payload.scope ?? null, jti: payload.jti, path: url.pathname });
    } catch (error) {
      apiRequests.push({ clientId: undefined, tag, status: 401, error: `${error.code ?? error.name}: ${error.message}` });
      return reply(401, { error: "invalid_token" }, { "www-authenticate": 'Bearer realm="api", error="invalid_token"' });
    }
  }

  function countsFor(clientId, tag) {
    const tokens = tokenRequests.filter((r) => r.clientId === clientId);
    const api = apiRequests.filter((r) => r.clientId === clientId);
    return {
      tokenRequests: tokens.length,
      tokensIssued: tokens.filter((r) => r.status === 200).length,
      token: tokens,
      apiAccepted: api.length,
      distinctJti: new Set(api.map((r) => r.jti)).size,
      api,
      // Calls the API refused under /s/<tag>/ (it knows no client for a token it could not verify).
      apiRefused: apiRequests.filter((r) => r.status !== 200 && r.tag === tag).length,
    };
  }

  /**
   * A refresh token for `clientId`, as an authorization code flow with `offline_access` would
   * leave it (client credentials never yield one): a Grant of `scope` for the API, saved through
   * the provider's own models.
   */
  async function mintRefreshToken(clientId, { scope = `offline_access ${API_SCOPE}` } = {}) {
    const client = await provider.Client.find(clientId);
    const accountId = "end-user-1";
    const grant = new provider.Grant({ clientId, accountId });
    const oidcScopes = scope.split(" ").filter((s) => s === "openid" || s === "offline_access");
    grant.addOIDCScope(oidcScopes.join(" "));
    grant.addResourceScope(resource, API_SCOPE);
    const grantId = await grant.save();
    const refreshToken = new provider.RefreshToken({
      client, accountId, grantId, scope, resource, gty: "authorization_code", expiresWithSession: false,
    });
    const value = await refreshToken.save();
    issued.add(value);
    return value;
  }

  return {
    issuer,
    mintRefreshToken,
    tokenUrl: `${issuer}/token`,
    apiUrl: apiOrigin,
    resource,
    controlUrl: `${apiOrigin}/__control`,
    provider,
    counts: countsFor,
    tokenRequests,
    apiRequests,
    issued,
    async close() {
      await closeServer(providerServer);
      await closeServer(apiServer);
    },
  };
}
