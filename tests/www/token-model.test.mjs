// The demo page's model of the token's life (www/token-model.js) and the marks the timeline
// draws from it (www/timeline-marks.js), in Node with explicit times: no browser, no clock.
// node --test tests/www/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenLifeModel } from '../../www/token-model.js';
import { scaleFor } from '../../www/timeline-layout.js';
import { drawClientMarks, drawTokenRequests, drawTokens } from '../../www/timeline-marks.js';

const T = 1_700_000_000_000;
const cc = 'client_credentials';
const rt = 'refresh_token';

// A token obtained at T + at ms with the grant, lifetime 30 s.
function obtain(model, at, grant = cc, attempt = 1) {
  model.record({ type: 'token_request', grant, attempt }, T + at);
  model.record({ type: 'token_response', grant, status: 200, expiresIn: 30 }, T + at + 40);
}

const drawn = (parts) => parts.join('');
const scale = (now) => scaleFor(now, [T - 1_000, T + 60_000]);

test('a new token ends the one before it as renewed, and the timeline says so', () => {
  const model = new TokenLifeModel();
  obtain(model, 0);
  obtain(model, 21_000, rt);
  assert.equal(model.tokens.length, 2);
  assert.deepEqual(model.tokens[0], {
    grant: cc, obtainedAt: T + 40, expiresAt: T + 30_040, endedAt: T + 21_040, endReason: 'renewed',
  });
  assert.equal(model.currentToken.grant, rt);
  assert.equal(model.currentToken.endedAt, undefined);
  assert.deepEqual(model.tokenRequests.map((r) => [r.grant, r.ok, r.end - r.start]), [[cc, true, 40], [rt, true, 40]]);

  const svg = drawn(drawTokens(model, scale(T + 22_000), 10));
  assert.match(svg, /<g class="token cc ended" data-grant="client_credentials" data-current="false">/);
  assert.match(svg, /class="end-label"[^>]*>renewed</);
  assert.match(svg, /<g class="token rt current" data-grant="refresh_token" data-current="true">/);
  // 22 s after T the refresh token's token (obtained T + 21.04 s, 30 s) has 29.0 s left.
  assert.match(svg, />refresh_token · expires in 29\.0 s</);
});

test('a token that outlived its expiry ends as expired', () => {
  const model = new TokenLifeModel();
  obtain(model, 0);
  obtain(model, 45_000);
  assert.equal(model.tokens[0].endReason, 'expired');
});

test('a 401 re-authentication ends the token as refused, before the new one arrives', () => {
  const model = new TokenLifeModel();
  obtain(model, 0);
  model.record({ type: 'unauthorized_retry' }, T + 5_000);
  obtain(model, 5_010, rt);
  assert.equal(model.tokens[0].endReason, 'refused (401)');
  assert.equal(model.tokens[0].endedAt, T + 5_000);
  assert.ok(model.reauthenticatedSince(T + 4_000));
  assert.ok(!model.reauthenticatedSince(T + 6_000));
  const now = T + 6_000;
  assert.match(drawn(drawTokens(model, scale(now), 10)), /class="end-label refused"[^>]*>✕ refused \(401\)</);
  assert.match(drawn(drawClientMarks(model, scale(now))), /<g class="reauth">/);
});

test('a token retry closes the failed attempt; a token error closes the last one', () => {
  const model = new TokenLifeModel();
  model.record({ type: 'token_request', grant: cc, attempt: 1 }, T);
  model.record({ type: 'retry', target: 'token', status: 503, code: 'server_error', delayMs: 500, attempt: 1 }, T + 20);
  model.record({ type: 'token_request', grant: cc, attempt: 2 }, T + 520);
  model.record({ type: 'token_error', grant: cc, status: 503, code: 'server_error' }, T + 540);
  assert.deepEqual(model.tokenRequests, [
    { grant: cc, attempt: 1, start: T, end: T + 20, status: 503, code: 'server_error', ok: false },
    { grant: cc, attempt: 2, start: T + 520, end: T + 540, status: 503, code: 'server_error', ok: false },
  ]);
  assert.equal(model.tokens.length, 0);
  const bars = drawn(drawTokenRequests(model, scale(T + 1_000)));
  assert.equal(bars.match(/data-state="failed"/g).length, 2);
  assert.match(bars, /attempt 2: 503 in 20 ms/);
  assert.match(drawn(drawClientMarks(model, scale(T + 1_000))), /data-target="token" data-status="503"/);
});

test('forget() ends the current token; adoptExpiry() moves only the current one', () => {
  const model = new TokenLifeModel();
  obtain(model, 0);
  model.adoptExpiry(T + 30_000);
  assert.equal(model.currentToken.expiresAt, T + 30_000);
  model.forget(T + 3_000);
  assert.deepEqual([model.currentToken.endedAt, model.currentToken.endReason], [T + 3_000, 'forgotten']);
  model.adoptExpiry(T + 99_000);
  assert.equal(model.currentToken.expiresAt, T + 30_000);
});

test('API retries are counted per call, and every change is announced', () => {
  const model = new TokenLifeModel();
  let changes = 0;
  model.onChange(() => { changes += 1; });
  const call = model.startCall(T);
  model.record({ type: 'retry', target: 'api', status: 429, code: 'rate_limited', delayMs: 1_000, attempt: 1 }, T + 10);
  model.finishCall(call, { status: 200 }, T + 1_020);
  assert.equal(model.apiRetriesSince(T), 1);
  assert.equal(model.apiRetriesSince(T + 11), 0);
  assert.deepEqual(call, { start: T, status: 200, end: T + 1_020 });
  assert.equal(changes, 3);
});
