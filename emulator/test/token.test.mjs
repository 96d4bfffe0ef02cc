import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CREDS, admin, adminGet, ccBody, counters, getToken, newTenant, postToken, useEmulator } from '../testkit.mjs';

const ctx = useEmulator();

test('client_credentials returns the contract token shape', async () => {
  const tenant = newTenant();
  const res = await postToken(ctx.emu, ccBody(tenant));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const body = await res.json();
  assert.deepEqual(Object.keys(body), ['token_type', 'expires_in', 'access_token', 'refresh_token', 'scope']);
  assert.equal(body.token_type, 'bearer');
  assert.equal(body.expires_in, 3600);
  assert.match(body.access_token, /^at_[A-Za-z0-9_-]{20,}$/);
  assert.match(body.refresh_token, /^rt_[A-Za-z0-9_-]{20,}$/);
  assert.equal(body.scope, null);
  // The request as the emulator saw it: JSON body and the api key header.
  const [seen] = (await adminGet(ctx.emu.authUrl, 'requests', { tenant, limit: 1 })).requests;
  assert.equal(seen.listener, 'auth');
  assert.equal(seen.method, 'POST');
  assert.equal(seen.path, '/auth/token');
  assert.equal(seen.headers['x-api-key'], CREDS.apiKey);
  assert.deepEqual(JSON.parse(seen.body), ccBody(tenant));
});

test('tokens are random per request', async () => {
  const tenant = newTenant();
  const a = await getToken(ctx.emu, tenant);
  const b = await getToken(ctx.emu, tenant);
  assert.notEqual(a.access_token, b.access_token);
  assert.notEqual(a.refresh_token, b.refresh_token);
});

test('refresh tokens can be switched off and lifetime configured (per tenant)', async () => {
  const tenant = newTenant();
  await admin(ctx.emu.authUrl, 'config', { tenant, refreshTokens: false, tokenLifetimeSeconds: 42 });
  const body = await getToken(ctx.emu, tenant);
  assert.equal('refresh_token' in body, false);
  assert.equal(body.expires_in, 42);
  // Another tenant still sees the defaults.
  assert.equal((await getToken(ctx.emu, newTenant())).expires_in, 3600);
});

test('wrong client id or secret is invalid_client 401', async () => {
  for (const extra of [{ client_secret: 'nope' }, { client_id: 'andopen_client_id_other' }, { client_secret: undefined }]) {
    const res = await postToken(ctx.emu, ccBody(newTenant(), extra));
    assert.equal(res.status, 401);
    const body = await res.json();
    assert.equal(body.error, 'invalid_client');
    assert.equal(typeof body.error_description, 'string');
  }
});

test('missing or wrong x-api-key is 401 invalid api key', async () => {
  for (const apiKey of [null, 'wrong-key']) {
    const res = await postToken(ctx.emu, ccBody(newTenant()), { apiKey });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { error: 'invalid_client', error_description: 'invalid api key' });
  }
});

test('bad requests: missing tenant, wrong content type, malformed JSON, unknown grant', async () => {
  const missingTenant = await postToken(ctx.emu, ccBody(undefined));
  assert.equal(missingTenant.status, 400);
  assert.equal((await missingTenant.json()).error, 'invalid_request');

  const form = await postToken(ctx.emu, 'grant_type=client_credentials', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 400);
  assert.equal((await form.json()).error, 'invalid_request');

  const malformed = await postToken(ctx.emu, '{"grant_type":');
  assert.equal(malformed.status, 400);
  assert.equal((await malformed.json()).error, 'invalid_request');

  const unknown = await postToken(ctx.emu, { grant_type: 'password', tenant: newTenant() });
  assert.equal(unknown.status, 400);
  assert.deepEqual(await unknown.json(), { error: 'unsupported_grant_type' });
});

test('refresh without rotation: new access token, no refresh_token field, old one stays valid', async () => {
  const tenant = newTenant();
  const first = await getToken(ctx.emu, tenant);
  for (let i = 0; i < 2; i += 1) {
    const res = await postToken(ctx.emu, { grant_type: 'refresh_token', refresh_token: first.refresh_token, tenant });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal('refresh_token' in body, false);
    assert.notEqual(body.access_token, first.access_token);
    assert.equal(body.token_type, 'bearer');
  }
  const c = await counters(ctx.emu, tenant);
  assert.deepEqual(c.tokenRequests, { client_credentials: 1, refresh_token: 2, total: 3 });
});

test('refresh with rotation: new refresh token, reusing the old one is invalid_grant', async () => {
  const tenant = newTenant();
  await admin(ctx.emu.authUrl, 'config', { tenant, rotateRefreshTokens: true });
  const first = await getToken(ctx.emu, tenant);
  const res = await postToken(ctx.emu, { grant_type: 'refresh_token', refresh_token: first.refresh_token, tenant });
  assert.equal(res.status, 200);
  const second = await res.json();
  assert.match(second.refresh_token, /^rt_/);
  assert.notEqual(second.refresh_token, first.refresh_token);

  const reuse = await postToken(ctx.emu, { grant_type: 'refresh_token', refresh_token: first.refresh_token, tenant });
  assert.equal(reuse.status, 400);
  assert.equal((await reuse.json()).error, 'invalid_grant');

  const next = await postToken(ctx.emu, { grant_type: 'refresh_token', refresh_token: second.refresh_token, tenant });
  assert.equal(next.status, 200);
});

test('refresh token of another tenant, unknown, or revoked is invalid_grant', async () => {
  const tenant = newTenant();
  const { refresh_token } = await getToken(ctx.emu, tenant);
  const cases = [
    { grant_type: 'refresh_token', refresh_token, tenant: newTenant() },
    { grant_type: 'refresh_token', refresh_token: 'rt_unknown', tenant },
  ];
  for (const body of cases) {
    const res = await postToken(ctx.emu, body);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, 'invalid_grant');
  }
  await admin(ctx.emu.authUrl, 'revoke', { tenant, refreshTokens: true });
  const revoked = await postToken(ctx.emu, { grant_type: 'refresh_token', refresh_token, tenant });
  assert.equal(revoked.status, 400);
  assert.equal((await revoked.json()).error, 'invalid_grant');
});

test('admin refresh-token issues a usable refresh token without counting a token request', async () => {
  const tenant = newTenant();
  const { refresh_token } = await admin(ctx.emu.authUrl, 'refresh-token', { tenant });
  assert.match(refresh_token, /^rt_/);
  assert.equal((await counters(ctx.emu, tenant)).tokenRequests.total, 0);
  const res = await postToken(ctx.emu, { grant_type: 'refresh_token', refresh_token, tenant });
  assert.equal(res.status, 200);
  assert.deepEqual((await counters(ctx.emu, tenant)).tokenRequests, { client_credentials: 0, refresh_token: 1, total: 1 });
});

test('wrong method and unknown path on the auth listener', async () => {
  const get = await fetch(`${ctx.emu.authUrl}/auth/token`);
  assert.equal(get.status, 405);
  const other = await fetch(`${ctx.emu.authUrl}/oauth/token`, { method: 'POST' });
  assert.equal(other.status, 404);
  assert.deepEqual(await other.json(), { error: 'not_found' });
});
