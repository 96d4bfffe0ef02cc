// The API listener: GET / (the contract's banner) and the emulator-only echo route,
// both behind the x-api-key and bearer checks.
import { BANNER } from './contract.mjs';
import { copyHeaders, sendJson, sleep } from './http.mjs';
import { applyFault } from './faults.mjs';

// "Bearer", exactly one space, then the token; the scheme name is case-insensitive (RFC 7235).
const BEARER = /^Bearer ([^\s]+)$/i;

function bearerToken(req) {
  return BEARER.exec(req.headers.authorization || '')?.[1];
}

function route(req, res, url, raw) {
  if (url.pathname === '/' && req.method === 'GET') return sendJson(res, 200, BANNER);
  if (url.pathname === '/__emulator/echo') {
    return sendJson(res, 200, { method: req.method, path: req.url, headers: copyHeaders(req), body: raw });
  }
  return sendJson(res, 404, { error: 'not_found' });
}

export async function handleApi(state, req, res, { url, raw }) {
  const tenantHeader = req.headers['x-andopen-tenant'];
  const tenant = typeof tenantHeader === 'string' && tenantHeader !== '' ? tenantHeader : undefined;
  state.record({ listener: 'api', method: req.method, path: req.url, headers: copyHeaders(req), body: raw, tenant });
  state.count(tenant, (c) => { c.apiRequests += 1; });
  await sleep(state.config(tenant).apiLatencyMs);
  // Faults come before the auth checks: they stand for a gateway in front of the real API.
  const { served } = await applyFault(state, 'api', tenant, req, res);
  if (served) return;

  if (req.headers['x-api-key'] !== state.credentials.apiKey) return sendJson(res, 403, { error: 'forbidden' });
  const token = bearerToken(req);
  if (!token || !state.tokens.isAccessValid(token, tenant)) {
    state.count(tenant, (c) => { c.unauthorized += 1; });
    return sendJson(res, 401, { error: 'invalid_token' }, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
  return route(req, res, url, raw);
}
