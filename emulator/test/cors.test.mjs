import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, callApi, counters, getToken, newTenant, useEmulator } from '../testkit.mjs';

const ctx = useEmulator();

function preflight(url, requestHeaders) {
  const headers = { origin: 'http://localhost:8000', 'access-control-request-method': 'POST' };
  if (requestHeaders) headers['access-control-request-headers'] = requestHeaders;
  return fetch(url, { method: 'OPTIONS', headers });
}

test('preflight on both listeners and admin routes', async () => {
  for (const url of [`${ctx.emu.authUrl}/auth/token`, `${ctx.emu.apiUrl}/`, `${ctx.emu.apiUrl}/__emulator/faults`]) {
    const res = await preflight(url);
    assert.equal(res.status, 204, url);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
    assert.equal(res.headers.get('access-control-allow-headers'), 'authorization, content-type, x-api-key, x-andopen-tenant, x-andopen-client');
    assert.equal(res.headers.get('access-control-max-age'), '600');
  }
  const echoed = await preflight(`${ctx.emu.apiUrl}/`, 'authorization,x-api-key,x-extra');
  assert.equal(echoed.headers.get('access-control-allow-headers'), 'authorization,x-api-key,x-extra');
});

test('preflights are neither counted nor faulted', async () => {
  const tenant = newTenant();
  await admin(ctx.emu.authUrl, 'faults', { tenant, target: 'api', status: 500 });
  await admin(ctx.emu.authUrl, 'faults', { target: 'token', status: 500 });
  const res = await fetch(`${ctx.emu.apiUrl}/`, { method: 'OPTIONS', headers: { 'x-andopen-tenant': tenant } });
  assert.equal(res.status, 204);
  assert.equal((await fetch(`${ctx.emu.authUrl}/auth/token`, { method: 'OPTIONS' })).status, 204);
  const c = await counters(ctx.emu, tenant);
  assert.equal(c.apiRequests, 0);
  assert.equal(c.faultsServed, 0);
  assert.equal((await counters(ctx.emu)).tokenRequests.total, 0);
  // Both faults are still pending.
  assert.equal((await (await fetch(`${ctx.emu.authUrl}/__emulator/state`)).json()).pendingFaults, 2);
  await admin(ctx.emu.authUrl, 'reset');
});

test('every response exposes Retry-After, WWW-Authenticate, Content-Type', async () => {
  const tenant = newTenant();
  const { access_token } = await getToken(ctx.emu, tenant);
  const responses = [
    await callApi(ctx.emu, tenant, access_token),
    await callApi(ctx.emu, tenant, null),
    await fetch(`${ctx.emu.authUrl}/__emulator/state`),
  ];
  await admin(ctx.emu.authUrl, 'faults', { tenant, target: 'api', status: 503, retryAfter: '1', body: 'html' });
  responses.push(await callApi(ctx.emu, tenant, access_token));
  for (const res of responses) {
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-expose-headers'), 'Retry-After, WWW-Authenticate, Content-Type');
    await res.arrayBuffer();
  }
});
