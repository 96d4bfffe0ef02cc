import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, adminGet, callApi, ccBody, counters, getToken, newTenant, postToken, useEmulator } from '../testkit.mjs';

const ctx = useEmulator();
const fault = (spec) => admin(ctx.emu.authUrl, 'faults', spec);
const tokenFor = (tenant) => postToken(ctx.emu, ccBody(tenant));

test('status with Retry-After and a default error body', async () => {
  const tenant = newTenant();
  assert.deepEqual(await fault({ target: 'token', tenant, status: 429, retryAfter: '2' }), { queued: 1, pending: 1 });
  const res = await tokenFor(tenant);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '2');
  assert.deepEqual(await res.json(), { error: 'rate_limited' });

  const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
  await fault({ target: 'api', tenant, status: 503, retryAfter: date });
  const api = await callApi(ctx.emu, tenant, null);
  assert.equal(api.status, 503);
  assert.equal(api.headers.get('retry-after'), date);
  assert.deepEqual(await api.json(), { error: 'temporarily_unavailable' });
  // The fault was consumed: the next request gets the normal answer.
  assert.equal((await tokenFor(tenant)).status, 200);
  assert.equal((await counters(ctx.emu, tenant)).faultsServed, 2);
});

test('html body', async () => {
  const tenant = newTenant();
  await fault({ target: 'token', tenant, status: 502, body: 'html' });
  const res = await tokenFor(tenant);
  assert.equal(res.status, 502);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  assert.match(await res.text(), /^<!DOCTYPE html>/);
});

test('empty body', async () => {
  const tenant = newTenant();
  await fault({ target: 'token', tenant, body: 'empty' });
  const res = await tokenFor(tenant);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
});

test('truncated body: half a token JSON, complete HTTP message', async () => {
  const tenant = newTenant();
  await fault({ target: 'token', tenant, body: 'truncated' });
  const res = await tokenFor(tenant);
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /^\{"token_type":"bearer"/);
  assert.throws(() => JSON.parse(text), SyntaxError);
});

test('malformed body claims JSON but is not', async () => {
  const tenant = newTenant();
  await fault({ target: 'api', tenant, body: 'malformed' });
  const res = await callApi(ctx.emu, tenant, null);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  await assert.rejects(res.json(), SyntaxError);
});

test('verbatim string and object bodies, custom content type', async () => {
  const tenant = newTenant();
  await fault({ target: 'token', tenant, status: 400, body: 'Bad things' });
  await fault({ target: 'token', tenant, status: 401, body: { message: 'nope', code: 7 } });
  await fault({ target: 'token', tenant, status: 500, body: '<x/>', contentType: 'application/xml' });
  const text = await tokenFor(tenant);
  assert.equal(text.status, 400);
  assert.match(text.headers.get('content-type'), /^text\/plain/);
  assert.equal(await text.text(), 'Bad things');
  const obj = await tokenFor(tenant);
  assert.equal(obj.status, 401);
  assert.deepEqual(await obj.json(), { message: 'nope', code: 7 });
  const xml = await tokenFor(tenant);
  assert.equal(xml.headers.get('content-type'), 'application/xml');
  assert.equal(await xml.text(), '<x/>');
});

test('latency-only fault delays and then serves the normal response', async () => {
  const tenant = newTenant();
  await fault({ target: 'token', tenant, latencyMs: 300 });
  const started = Date.now();
  const res = await tokenFor(tenant);
  assert.ok(Date.now() - started >= 280, 'response should be delayed');
  assert.equal(res.status, 200);
  assert.match((await res.json()).access_token, /^at_/);
  assert.equal((await counters(ctx.emu, tenant)).faultsServed, 1);
});

test('configured auth/api latency applies to every request of the tenant', async () => {
  const tenant = newTenant();
  await admin(ctx.emu.authUrl, 'config', { tenant, authLatencyMs: 150, apiLatencyMs: 150 });
  let started = Date.now();
  const { access_token } = await getToken(ctx.emu, tenant);
  assert.ok(Date.now() - started >= 140);
  started = Date.now();
  assert.equal((await callApi(ctx.emu, tenant, access_token)).status, 200);
  assert.ok(Date.now() - started >= 140);
});

test('drop before headers: fetch rejects', async () => {
  const tenant = newTenant();
  await fault({ target: 'token', tenant, drop: 'before_headers' });
  await assert.rejects(tokenFor(tenant), TypeError);
  // Exactly one attempt reached the emulator (fetch did not silently retry).
  const c = await counters(ctx.emu, tenant);
  assert.equal(c.tokenRequests.total, 1);
  assert.equal(c.faultsServed, 1);

  await fault({ target: 'api', tenant, drop: 'before_headers' });
  await assert.rejects(callApi(ctx.emu, tenant, null), TypeError);
});

test('drop after headers: status arrives, reading the body rejects', async () => {
  const tenant = newTenant();
  await fault({ target: 'token', tenant, drop: 'after_headers' });
  const res = await tokenFor(tenant);
  assert.equal(res.status, 200);
  await assert.rejects(res.text());

  await fault({ target: 'api', tenant, drop: 'after_headers' });
  const api = await callApi(ctx.emu, tenant, null);
  assert.equal(api.status, 200);
  await assert.rejects(api.json());
});

test('tokenResponse overrides fields of a real token response', async () => {
  const tenant = newTenant();
  await fault({ target: 'token', tenant, tokenResponse: { expires_in: 'abc' } });
  await fault({ target: 'token', tenant, tokenResponse: { token_type: 'mac', scope: 'x y' } });
  const a = await (await tokenFor(tenant)).json();
  assert.equal(a.expires_in, 'abc');
  assert.match(a.access_token, /^at_/);
  // The token is real: the API accepts it.
  assert.equal((await callApi(ctx.emu, tenant, a.access_token)).status, 200);
  const b = await (await tokenFor(tenant)).json();
  assert.equal(b.token_type, 'mac');
  assert.equal(b.scope, 'x y');
  assert.equal(b.expires_in, 3600);
});

test('tenant scoping: a tenant fault never hits another tenant; an untenanted one hits anyone', async () => {
  const mine = newTenant();
  const other = newTenant();
  await fault({ target: 'token', tenant: mine, status: 500 });
  assert.equal((await tokenFor(other)).status, 200);
  assert.equal((await tokenFor(mine)).status, 500);
  assert.equal((await counters(ctx.emu, other)).faultsServed, 0);
  // The target matters too: an api fault does not touch token requests.
  await fault({ target: 'api', tenant: mine, status: 500 });
  assert.equal((await tokenFor(mine)).status, 200);
  assert.equal((await adminGet(ctx.emu.authUrl, 'state', { tenant: mine })).pendingFaults, 1);
  await admin(ctx.emu.authUrl, 'reset', { tenant: mine });
  assert.equal((await adminGet(ctx.emu.authUrl, 'state', { tenant: mine })).pendingFaults, 0);
});

test('FIFO order and count', async () => {
  const tenant = newTenant();
  await fault({ target: 'token', tenant, status: 503, count: 2 });
  await fault({ target: 'token', tenant, status: 429 });
  assert.equal((await adminGet(ctx.emu.authUrl, 'state', { tenant })).pendingFaults, 3);
  const statuses = [];
  for (let i = 0; i < 4; i += 1) statuses.push((await tokenFor(tenant)).status);
  assert.deepEqual(statuses, [503, 503, 429, 200]);
  assert.equal((await counters(ctx.emu, tenant)).faultsServed, 3);
});

test('api 401 fault carries the bearer challenge', async () => {
  const tenant = newTenant();
  await fault({ target: 'api', tenant, status: 401 });
  const res = await callApi(ctx.emu, tenant, null);
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  assert.deepEqual(await res.json(), { error: 'invalid_token' });
});

test('invalid fault specs are refused with 400', async () => {
  for (const spec of [{ target: 'nope' }, { target: 'api', count: 0 }, { target: 'api', drop: 'sometimes' },
    { target: 'api', tokenResponse: {} }, { target: 'token', colour: 'red' }, { target: 'token', tenant: '' }]) {
    const res = await fetch(`${ctx.emu.authUrl}/__emulator/faults`, { method: 'POST', body: JSON.stringify(spec) });
    assert.equal(res.status, 400, JSON.stringify(spec));
    assert.equal((await res.json()).error, 'invalid_request');
  }
});
