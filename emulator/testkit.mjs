// Helpers for the emulator's own tests (kept outside test/ so `node --test emulator/test/`
// does not run this file as a test). Uses only global fetch.
import { before, after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { DEFAULT_CREDENTIALS } from './contract.mjs';
import { startEmulator } from './server.mjs';

export const CREDS = DEFAULT_CREDENTIALS;

// Tenants keep tests independent even though they share one emulator.
export const newTenant = (label = 't') => `${label}-${randomBytes(6).toString('hex')}`;

// One emulator per test file on random ports; returns a holder filled in by before().
export function useEmulator(options = {}) {
  const holder = {};
  before(async () => {
    holder.emu = await startEmulator({ authPort: 0, apiPort: 0, ...options });
  });
  after(() => holder.emu.close());
  return holder;
}

export function postToken(emu, body, { apiKey = CREDS.apiKey, path = '/auth/token', headers = {} } = {}) {
  return fetch(emu.authUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const ccBody = (tenant, extra = {}) => ({
  grant_type: 'client_credentials', tenant, client_id: CREDS.clientId, client_secret: CREDS.clientSecret, ...extra,
});

// Successful client_credentials exchange; returns the parsed token body.
export async function getToken(emu, tenant) {
  const res = await postToken(emu, ccBody(tenant));
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export function callApi(emu, tenant, accessToken, { path = '/', method = 'GET', apiKey = CREDS.apiKey, headers = {}, body } = {}) {
  const h = { ...headers };
  if (apiKey) h['x-api-key'] = apiKey;
  if (tenant) h['x-andopen-tenant'] = tenant;
  if (accessToken) h.authorization = `Bearer ${accessToken}`;
  return fetch(emu.apiUrl + path, { method, headers: h, body });
}

export async function admin(baseUrl, route, body = {}) {
  const res = await fetch(`${baseUrl}/__emulator/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`admin ${route} failed: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function adminGet(baseUrl, route, params = {}) {
  const query = new URLSearchParams(params).toString();
  const res = await fetch(`${baseUrl}/__emulator/${route}${query ? `?${query}` : ''}`);
  if (res.status !== 200) throw new Error(`admin ${route} failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export const counters = async (emu, tenant) => (await adminGet(emu.authUrl, 'state', tenant ? { tenant } : {})).counters;
