import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BANNER } from '../contract.mjs';
import { CREDS, admin, callApi, counters, getToken, newTenant, useEmulator } from '../testkit.mjs';

const ctx = useEmulator();

async function assertInvalidToken(res) {
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  assert.deepEqual(await res.json(), { error: 'invalid_token' });
}

test('GET / answers the banner as a JSON string', async () => {
  const tenant = newTenant();
  const { access_token } = await getToken(ctx.emu, tenant);
  const res = await callApi(ctx.emu, tenant, access_token);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.equal(await res.text(), '"& for Makers - The &Open API - v0.1.0 (dd35125:dd351258)"');
  assert.equal(JSON.stringify(BANNER), '"& for Makers - The &Open API - v0.1.0 (dd35125:dd351258)"');
});

test('bearer scheme is case-insensitive but needs exactly one space', async () => {
  const tenant = newTenant();
  const { access_token } = await getToken(ctx.emu, tenant);
  const lower = await callApi(ctx.emu, tenant, null, { headers: { authorization: `bearer ${access_token}` } });
  assert.equal(lower.status, 200);
  await assertInvalidToken(await callApi(ctx.emu, tenant, null, { headers: { authorization: `Bearer  ${access_token}` } }));
  await assertInvalidToken(await callApi(ctx.emu, tenant, null, { headers: { authorization: access_token } }));
});

test('wrong or missing api key is 403 forbidden', async () => {
  const tenant = newTenant();
  const { access_token } = await getToken(ctx.emu, tenant);
  for (const apiKey of [null, 'wrong']) {
    const res = await callApi(ctx.emu, tenant, access_token, { apiKey });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { error: 'forbidden' });
  }
});

test('missing, unknown and other-tenant tokens are 401 invalid_token, and counted', async () => {
  const tenant = newTenant();
  const { access_token } = await getToken(ctx.emu, tenant);
  await assertInvalidToken(await callApi(ctx.emu, tenant, null));
  await assertInvalidToken(await callApi(ctx.emu, tenant, 'at_made_up'));
  const other = newTenant();
  await assertInvalidToken(await callApi(ctx.emu, other, access_token));
  assert.equal((await counters(ctx.emu, tenant)).unauthorized, 2);
  assert.equal((await counters(ctx.emu, other)).unauthorized, 1);
});

test('revoked access tokens are refused; other tenants unaffected', async () => {
  const tenant = newTenant();
  const bystander = newTenant();
  const { access_token } = await getToken(ctx.emu, tenant);
  const kept = await getToken(ctx.emu, bystander);
  assert.equal((await callApi(ctx.emu, tenant, access_token)).status, 200);
  const { revoked } = await admin(ctx.emu.apiUrl, 'revoke', { tenant });
  assert.equal(revoked.accessTokens, 1);
  await assertInvalidToken(await callApi(ctx.emu, tenant, access_token));
  assert.equal((await callApi(ctx.emu, bystander, kept.access_token)).status, 200);
});

test('access tokens expire after their lifetime', async () => {
  const tenant = newTenant();
  await admin(ctx.emu.authUrl, 'config', { tenant, tokenLifetimeSeconds: 1 });
  const { access_token, expires_in } = await getToken(ctx.emu, tenant);
  assert.equal(expires_in, 1);
  assert.equal((await callApi(ctx.emu, tenant, access_token)).status, 200);
  await new Promise((r) => setTimeout(r, 1100));
  await assertInvalidToken(await callApi(ctx.emu, tenant, access_token));
});

test('echo route reflects the request after auth checks', async () => {
  const tenant = newTenant();
  const { access_token } = await getToken(ctx.emu, tenant);
  const res = await callApi(ctx.emu, tenant, access_token, {
    path: '/__emulator/echo?x=1', method: 'PUT', body: '{"a":1}', headers: { 'content-type': 'application/json', 'X-Custom': 'Yes' },
  });
  assert.equal(res.status, 200);
  const echo = await res.json();
  assert.equal(echo.method, 'PUT');
  assert.equal(echo.path, '/__emulator/echo?x=1');
  assert.equal(echo.body, '{"a":1}');
  assert.equal(echo.headers['x-custom'], 'Yes');
  assert.equal(echo.headers['x-api-key'], CREDS.apiKey);
  assert.equal((await callApi(ctx.emu, tenant, null, { path: '/__emulator/echo' })).status, 401);
});

test('unknown routes are 404 (after auth), and API requests are counted', async () => {
  const tenant = newTenant();
  const { access_token } = await getToken(ctx.emu, tenant);
  const res = await callApi(ctx.emu, tenant, access_token, { path: '/v1/nothing' });
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: 'not_found' });
  assert.equal((await callApi(ctx.emu, tenant, access_token, { method: 'POST' })).status, 404);
  assert.equal((await counters(ctx.emu, tenant)).apiRequests, 2);
});

test('the auth listener does not serve the API (wrong host fails)', async () => {
  const tenant = newTenant();
  const { access_token } = await getToken(ctx.emu, tenant);
  const res = await fetch(`${ctx.emu.authUrl}/`, { headers: { 'x-api-key': CREDS.apiKey, authorization: `Bearer ${access_token}` } });
  assert.equal(res.status, 404);
});
