import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../server.mjs';
import { CREDS, admin, adminGet, callApi, ccBody, getToken, newTenant, postToken } from '../testkit.mjs';

// This file resets globally, so it uses its own emulator per test.
async function withEmulator(fn) {
  const emu = await startEmulator({ authPort: 0, apiPort: 0 });
  try {
    await fn(emu);
  } finally {
    await emu.close();
  }
}

test('counters per tenant and global', () => withEmulator(async (emu) => {
  const a = newTenant();
  const b = newTenant();
  const tokA = await getToken(emu, a);
  await postToken(emu, { grant_type: 'refresh_token', refresh_token: tokA.refresh_token, tenant: a });
  await getToken(emu, b);
  await postToken(emu, { grant_type: 'nonsense', tenant: b });
  await callApi(emu, a, tokA.access_token);
  await callApi(emu, a, 'at_bad');
  await admin(emu.apiUrl, 'faults', { target: 'api', tenant: b, status: 500 });
  await callApi(emu, b, null);

  const stateA = await adminGet(emu.authUrl, 'state', { tenant: a });
  assert.deepEqual(stateA.counters, {
    tokenRequests: { client_credentials: 1, refresh_token: 1, total: 2 }, apiRequests: 2, unauthorized: 1, faultsServed: 0,
  });
  const stateB = await adminGet(emu.apiUrl, 'state', { tenant: b });
  assert.deepEqual(stateB.counters, {
    tokenRequests: { client_credentials: 1, refresh_token: 0, total: 2 }, apiRequests: 1, unauthorized: 0, faultsServed: 1,
  });
  const global = await adminGet(emu.authUrl, 'state');
  assert.deepEqual(global.counters, {
    tokenRequests: { client_credentials: 2, refresh_token: 1, total: 4 }, apiRequests: 3, unauthorized: 1, faultsServed: 1,
  });
  assert.deepEqual(global.config, {
    tokenLifetimeSeconds: 3600, refreshTokens: true, rotateRefreshTokens: false, authLatencyMs: 0, apiLatencyMs: 0,
  });
  assert.equal(global.pendingFaults, 0);
}));

test('reset with a tenant clears only that tenant', () => withEmulator(async (emu) => {
  const a = newTenant();
  const b = newTenant();
  const tokA = await getToken(emu, a);
  const tokB = await getToken(emu, b);
  await admin(emu.authUrl, 'config', { tenant: a, tokenLifetimeSeconds: 5 });
  await admin(emu.authUrl, 'faults', { target: 'token', tenant: a, status: 500 });
  await admin(emu.authUrl, 'faults', { target: 'token', tenant: b, status: 500 });
  await admin(emu.authUrl, 'reset', { tenant: a });

  const stateA = await adminGet(emu.authUrl, 'state', { tenant: a });
  assert.equal(stateA.counters.tokenRequests.total, 0);
  assert.equal(stateA.pendingFaults, 0);
  assert.equal(stateA.config.tokenLifetimeSeconds, 3600);
  assert.equal((await callApi(emu, a, tokA.access_token)).status, 401, 'tenant tokens are forgotten');
  assert.equal((await adminGet(emu.authUrl, 'requests', { tenant: a })).requests.length, 1, 'only the API call above');

  const stateB = await adminGet(emu.authUrl, 'state', { tenant: b });
  assert.equal(stateB.counters.tokenRequests.total, 1);
  assert.equal(stateB.pendingFaults, 1);
  assert.equal((await admin(emu.authUrl, 'faults', { target: 'api', tenant: b, latencyMs: 1 })).pending, 2);
  await admin(emu.authUrl, 'reset', { tenant: b });
  assert.equal((await callApi(emu, b, tokB.access_token)).status, 401);
}));

test('global reset clears everything and restores config defaults', () => withEmulator(async (emu) => {
  const tenant = newTenant();
  const { access_token } = await getToken(emu, tenant);
  const cfg = await admin(emu.authUrl, 'config', { tokenLifetimeSeconds: 10, rotateRefreshTokens: true });
  assert.equal(cfg.tokenLifetimeSeconds, 10);
  assert.equal(cfg.rotateRefreshTokens, true);
  assert.equal(cfg.refreshTokens, true);
  await admin(emu.authUrl, 'faults', { target: 'api', status: 500 });
  await admin(emu.apiUrl, 'reset');

  const state = await adminGet(emu.authUrl, 'state');
  assert.equal(state.counters.tokenRequests.total, 0);
  assert.equal(state.pendingFaults, 0);
  assert.equal(state.config.tokenLifetimeSeconds, 3600);
  assert.equal(state.config.rotateRefreshTokens, false);
  assert.equal((await adminGet(emu.authUrl, 'requests')).requests.length, 0);
  assert.equal((await callApi(emu, tenant, access_token)).status, 401);
}));

test('requests log: last N, tenant filter, both listeners, no preflights or admin calls', () => withEmulator(async (emu) => {
  const tenant = newTenant();
  const { access_token } = await getToken(emu, tenant);
  await fetch(`${emu.apiUrl}/`, { method: 'OPTIONS' });
  await callApi(emu, tenant, access_token, { path: '/?q=1' });
  await getToken(emu, newTenant());
  const { requests } = await adminGet(emu.authUrl, 'requests', { tenant });
  assert.deepEqual(requests.map((r) => `${r.listener} ${r.method} ${r.path}`), ['auth POST /auth/token', 'api GET /?q=1']);
  assert.equal(requests[1].headers.authorization, `Bearer ${access_token}`);
  assert.equal(requests[1].body, '');
  assert.deepEqual(JSON.parse(requests[0].body), ccBody(tenant));
  assert.equal((await adminGet(emu.authUrl, 'requests', { limit: 1 })).requests.length, 1);
  assert.equal((await adminGet(emu.authUrl, 'requests')).requests.length, 3);
}));

test('requests log keeps at most 200 entries', () => withEmulator(async (emu) => {
  await Promise.all(Array.from({ length: 210 }, () => fetch(`${emu.apiUrl}/`).then((r) => r.arrayBuffer())));
  assert.equal((await adminGet(emu.authUrl, 'requests', { limit: 1000 })).requests.length, 200);
}));

test('admin validation and unknown routes', () => withEmulator(async (emu) => {
  const post = (route, body) => fetch(`${emu.authUrl}/__emulator/${route}`, { method: 'POST', body });
  assert.equal((await post('config', JSON.stringify({ tokenLifetimeSeconds: -1 }))).status, 400);
  assert.equal((await post('config', JSON.stringify({ rotateRefreshTokens: 'yes' }))).status, 400);
  assert.equal((await post('config', JSON.stringify({ colour: 1 }))).status, 400);
  assert.equal((await post('reset', '{')).status, 400);
  assert.equal((await post('reset', JSON.stringify({ tenant: '' }))).status, 400);
  assert.equal((await post('refresh-token', '{}')).status, 400);
  assert.equal((await fetch(`${emu.authUrl}/__emulator/state?tenant=`)).status, 400);
  assert.equal((await fetch(`${emu.authUrl}/__emulator/requests?limit=0`)).status, 400);
  assert.equal((await fetch(`${emu.authUrl}/__emulator/reset`)).status, 405);
  assert.equal((await fetch(`${emu.authUrl}/__emulator/nope`)).status, 404);
  // Admin routes need no credentials and work on both listeners.
  assert.equal((await fetch(`${emu.apiUrl}/__emulator/state`, { headers: { 'x-api-key': 'wrong' } })).status, 200);
  assert.equal(CREDS.apiKey, 'emu-api-key');
}));

test('custom credentials via options', async () => {
  const emu = await startEmulator({ authPort: 0, apiPort: 0, apiKey: 'k2', clientId: 'andopen_client_id_x', clientSecret: 's2' });
  try {
    const tenant = newTenant();
    const body = { grant_type: 'client_credentials', tenant, client_id: 'andopen_client_id_x', client_secret: 's2' };
    assert.equal((await postToken(emu, body)).status, 401, 'default api key refused');
    const res = await postToken(emu, body, { apiKey: 'k2' });
    assert.equal(res.status, 200);
    const { access_token } = await res.json();
    assert.equal((await callApi(emu, tenant, access_token, { apiKey: 'k2' })).status, 200);
  } finally {
    await emu.close();
  }
});
