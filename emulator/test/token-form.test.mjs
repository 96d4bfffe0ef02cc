import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CREDS, admin, counters, newTenant, useEmulator } from '../testkit.mjs';

const ctx = useEmulator();

const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function postForm(params, headers = {}, query = '') {
  return fetch(`${ctx.emu.authUrl}/auth/token-form${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': CREDS.apiKey, ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

test('client_credentials with HTTP Basic client authentication', async () => {
  const tenant = newTenant();
  const res = await postForm({ grant_type: 'client_credentials', tenant }, { authorization: basic(CREDS.clientId, CREDS.clientSecret) });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.token_type, 'bearer');
  assert.match(body.access_token, /^at_/);
  assert.deepEqual((await counters(ctx.emu, tenant)).tokenRequests, { client_credentials: 1, refresh_token: 0, total: 1 });
});

test('client credentials in the form body, tenant from header or query', async () => {
  const params = { grant_type: 'client_credentials', client_id: CREDS.clientId, client_secret: CREDS.clientSecret };
  assert.equal((await postForm(params, { 'x-andopen-tenant': newTenant() })).status, 200);
  const tenant = newTenant();
  assert.equal((await postForm(params, {}, `?tenant=${tenant}`)).status, 200);
  assert.equal((await counters(ctx.emu, tenant)).tokenRequests.total, 1);
});

test('wrong Basic secret is 401 invalid_client with a Basic challenge', async () => {
  const res = await postForm({ grant_type: 'client_credentials', tenant: newTenant() }, { authorization: basic(CREDS.clientId, 'wrong') });
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate'), /^Basic /);
  assert.equal((await res.json()).error, 'invalid_client');
});

test('refresh grant over form, api key required, JSON content type refused', async () => {
  const tenant = newTenant();
  const { refresh_token } = await admin(ctx.emu.authUrl, 'refresh-token', { tenant });
  const ok = await postForm({ grant_type: 'refresh_token', refresh_token, tenant });
  assert.equal(ok.status, 200);

  const noKey = await postForm({ grant_type: 'refresh_token', refresh_token, tenant }, { 'x-api-key': '' });
  assert.equal(noKey.status, 401);

  const json = await fetch(`${ctx.emu.authUrl}/auth/token-form`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': CREDS.apiKey },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token, tenant }),
  });
  assert.equal(json.status, 400);
  assert.equal((await json.json()).error, 'invalid_request');
});

test('form endpoint shares faults with /auth/token', async () => {
  const tenant = newTenant();
  await admin(ctx.emu.authUrl, 'faults', { target: 'token', tenant, status: 503 });
  const res = await postForm({ grant_type: 'client_credentials', tenant }, { authorization: basic(CREDS.clientId, CREDS.clientSecret) });
  assert.equal(res.status, 503);
  assert.equal((await counters(ctx.emu, tenant)).faultsServed, 1);
});
