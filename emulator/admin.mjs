// Emulator-only admin routes under /__emulator/, served on both listeners, no auth.
// Every route takes an optional tenant (query for GET, JSON field for POST) that scopes it.
import { oauthError, sendJson } from './http.mjs';
import { parseFault } from './faults.mjs';
import { validateConfigPatch } from './state.mjs';

const DEFAULT_LOG_LIMIT = 20;

class AdminError extends Error {}
const fail = (message) => { throw new AdminError(message); };

function tenantOf(input) {
  const { tenant } = input;
  if (tenant === undefined || tenant === null) return undefined;
  // An empty tenant would silently widen a reset to everything, so refuse it.
  if (typeof tenant !== 'string' || tenant === '') fail('tenant must be a non-empty string');
  return tenant;
}

const ROUTES = {
  'GET /__emulator/state': (state, input) => {
    const tenant = tenantOf(input);
    return { counters: state.counters(tenant), config: state.config(tenant), pendingFaults: state.faults.pending(tenant) };
  },

  'GET /__emulator/requests': (state, input) => {
    const limit = input.limit === undefined ? DEFAULT_LOG_LIMIT : Number(input.limit);
    if (!Number.isInteger(limit) || limit < 1) fail('limit must be a positive integer');
    return { requests: state.requests(tenantOf(input), limit) };
  },

  'POST /__emulator/reset': (state, input) => {
    state.reset(tenantOf(input));
    return { reset: true };
  },

  'POST /__emulator/config': (state, input) => {
    const tenant = tenantOf(input);
    const { tenant: _ignored, ...patch } = input;
    const error = validateConfigPatch(patch);
    if (error) fail(error);
    return state.updateConfig(patch, tenant);
  },

  'POST /__emulator/faults': (state, input) => {
    const { fault, error } = parseFault(input);
    if (error) fail(error);
    state.faults.add(fault);
    return { queued: fault.remaining, pending: state.faults.pending(fault.tenant) };
  },

  'POST /__emulator/revoke': (state, input) => {
    const tenant = tenantOf(input);
    if (input.refreshTokens !== undefined && typeof input.refreshTokens !== 'boolean') fail('refreshTokens must be a boolean');
    return { revoked: state.tokens.revoke(tenant, { refreshTokens: input.refreshTokens === true }) };
  },

  // Issued outside the token endpoint so it is not counted as a token request.
  'POST /__emulator/refresh-token': (state, input) => {
    const tenant = tenantOf(input) ?? fail('tenant is required');
    return { refresh_token: state.tokens.issueRefresh(tenant) };
  },
};

export function isAdminPath(pathname, listener) {
  return pathname.startsWith('/__emulator/') && !(listener === 'api' && pathname === '/__emulator/echo');
}

function readInput(req, url, raw) {
  if (req.method === 'GET') return Object.fromEntries(url.searchParams);
  if (raw.trim() === '') return {};
  let input;
  try {
    input = JSON.parse(raw);
  } catch {
    fail('body is not valid JSON');
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail('body must be a JSON object');
  return input;
}

export function handleAdmin(state, req, res, { url, raw }) {
  const handler = ROUTES[`${req.method} ${url.pathname}`];
  if (!handler) {
    const known = Object.keys(ROUTES).some((key) => key.endsWith(` ${url.pathname}`));
    return known ? sendJson(res, 405, { error: 'method_not_allowed' }) : sendJson(res, 404, { error: 'not_found' });
  }
  try {
    return sendJson(res, 200, handler(state, readInput(req, url, raw)));
  } catch (err) {
    if (err instanceof AdminError) return sendJson(res, 400, oauthError('invalid_request', err.message));
    throw err;
  }
}
