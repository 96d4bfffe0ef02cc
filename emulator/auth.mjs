// The auth listener: POST /auth/token (JSON, the contract) and POST /auth/token-form
// (emulator-only, form-encoded, for peer OAuth2 libraries).
import { copyHeaders, mediaType, oauthError, sendJson, sleep } from './http.mjs';
import { applyFault } from './faults.mjs';
import { runGrant } from './grants.mjs';

const GRANT_TYPES = ['client_credentials', 'refresh_token'];

// Each decoder turns the raw request into { params, client, error?, usedBasic? }.
// Parsing never throws: a bad body still needs to be counted and logged.
function decodeJson(req, raw) {
  if (mediaType(req) !== 'application/json') return { params: {}, error: 'Content-Type must be application/json' };
  let params;
  try {
    params = JSON.parse(raw);
  } catch {
    return { params: {}, error: 'body is not valid JSON' };
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    return { params: {}, error: 'body must be a JSON object' };
  }
  return { params, client: { clientId: params.client_id, clientSecret: params.client_secret } };
}

// RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64.
function decodeBasic(header) {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header || '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const unescape = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
  try {
    return { clientId: unescape(decoded.slice(0, colon)), clientSecret: unescape(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

function decodeForm(req, raw, url) {
  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    return { params: {}, error: 'Content-Type must be application/x-www-form-urlencoded' };
  }
  const params = Object.fromEntries(new URLSearchParams(raw));
  // Generic OAuth2 libraries cannot always add body fields, so the tenant may also come
  // from the query string or the x-andopen-tenant header.
  params.tenant ??= url.searchParams.get('tenant') ?? req.headers['x-andopen-tenant'];
  const basic = decodeBasic(req.headers.authorization);
  if (req.headers.authorization && !basic) return { params, error: 'unsupported Authorization header' };
  if (basic && (params.client_id !== undefined || params.client_secret !== undefined)) {
    return { params, error: 'use only one client authentication method' };
  }
  const client = basic ?? { clientId: params.client_id, clientSecret: params.client_secret };
  return { params, client, usedBasic: Boolean(basic) };
}

const ROUTES = { '/auth/token': decodeJson, '/auth/token-form': decodeForm };

export async function handleAuth(state, req, res, { url, raw }) {
  const decode = ROUTES[url.pathname];
  const decoded = decode ? decode(req, raw, url) : { params: {} };
  const tenant = typeof decoded.params.tenant === 'string' && decoded.params.tenant !== '' ? decoded.params.tenant : undefined;
  state.record({ listener: 'auth', method: req.method, path: req.url, headers: copyHeaders(req), body: raw, tenant });

  if (!decode) return sendJson(res, 404, { error: 'not_found' });
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed' }, { Allow: 'POST, OPTIONS' });

  const grantType = decoded.params.grant_type;
  state.count(tenant, (c) => {
    c.tokenRequests.total += 1;
    if (GRANT_TYPES.includes(grantType)) c.tokenRequests[grantType] += 1;
  });
  await sleep(state.config(tenant).authLatencyMs);
  const { served, fault } = await applyFault(state, 'token', tenant, req, res);
  if (served) return;

  if (req.headers['x-api-key'] !== state.credentials.apiKey) {
    return sendJson(res, 401, oauthError('invalid_client', 'invalid api key'));
  }
  if (decoded.error) return sendJson(res, 400, oauthError('invalid_request', decoded.error));

  const result = runGrant(state, decoded.params, decoded.client);
  // A tokenResponse fault issues a real token, then lets the test break individual fields.
  const body = result.status === 200 && fault?.tokenResponse ? { ...result.body, ...fault.tokenResponse } : result.body;
  const headers = result.invalidClient && decoded.usedBasic ? { 'WWW-Authenticate': 'Basic realm="andopen-emulator"' } : {};
  return sendJson(res, result.status, body, headers);
}
