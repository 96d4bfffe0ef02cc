// The demo page (www/) in headless Chromium against the emulator: node --test tests/www/
// Needs the built package (bash scripts/build-pkg.sh) and Chromium at /usr/bin/chromium
// (or CHROMIUM_PATH).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startEmulator } from '../../emulator/server.mjs';
import { serveWww } from '../../scripts/serve-www.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = fileURLToPath(new URL('../../docs/demo.png', import.meta.url));
const SECRETS = ['emu-client-secret', 'emu-api-key'];
// Pause between the steps of the drawn scenario, so the screenshot's marks do not pile up.
const PACE_MS = Number(process.env.DEMO_TEST_PACE_MS ?? 1200);
const pause = (page) => page.waitForTimeout(PACE_MS);
// Chromium reports every non-2xx fetch as a console error; these statuses are the demo's point.
const EXPECTED_CONSOLE = /^Failed to load resource: the server responded with a status of (401|429|503)\b/;

let emulator;
let www;
let browser;

before(async () => {
  assert.ok(existsSync(`${ROOT}pkg/index.browser.js`), 'build the package first: bash scripts/build-pkg.sh');
  emulator = await startEmulator({ authPort: 0, apiPort: 0 });
  www = await serveWww({ port: 0, authUrl: emulator.authUrl, apiUrl: emulator.apiUrl });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await www?.close();
  await emulator?.close();
});

async function emulatorGet(path, tenant, extra = {}) {
  const url = new URL(path, emulator.authUrl);
  url.searchParams.set('tenant', tenant);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, String(v));
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return response.json();
}

// A fresh page (and so a fresh tenant and client), with every page error and unexpected
// console error collected for the final check.
async function openDemo() {
  const context = await browser.newContext({ viewport: { width: 1180, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !EXPECTED_CONSOLE.test(message.text())) problems.push(`console error: ${message.text()}`);
  });
  await page.goto(www.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  const tenant = await page.getAttribute('body', 'data-tenant');
  assert.match(tenant, /^demo-/);
  return { page, context, tenant, problems };
}

// Presses a button and waits until its action, including the panel refresh, has finished.
async function press(page, id) {
  const seq = Number(await page.getAttribute('body', 'data-action-seq'));
  await page.click(`#${id}`);
  await page.waitForFunction((n) => Number(document.body.dataset.actionSeq) > n, seq, { timeout: 20_000 });
}

const dataset = (page, selector) => page.$eval(selector, (el) => ({ ...el.dataset }));
const hidden = (page, selector) => page.$eval(selector, (el) => el.hidden);
const count = (page, selector) => page.locator(selector).count();
// The timeline's counts (data-* on its SVG): tokens, token requests, calls, retries, re-authentications.
const drawn = async (page) => {
  const { tokens, tokenRequests, calls, retries, reauths } = await dataset(page, '#timeline');
  return { tokens, tokenRequests, calls, retries, reauths };
};
// The reasons written at the end of the tokens that ended, oldest first.
const endLabels = (page) => page.$$eval('#timeline .token.ended .end-label', (labels) => labels.map((l) => l.textContent));

async function assertCountersMatch(page, tenant) {
  const shown = await dataset(page, '#counters');
  const { counters } = await emulatorGet('/__emulator/state', tenant);
  assert.equal(Number(shown.tokenRequests), counters.tokenRequests.total, 'token requests');
  assert.equal(Number(shown.tokenRequestsClientCredentials), counters.tokenRequests.client_credentials, 'client_credentials');
  assert.equal(Number(shown.tokenRequestsRefreshToken), counters.tokenRequests.refresh_token, 'refresh_token');
  assert.equal(Number(shown.apiRequests), counters.apiRequests, 'API requests');
  assert.equal(Number(shown.unauthorized), counters.unauthorized, 'unauthorized');
  return counters;
}

test('a burst from a cold start costs exactly one token request', async () => {
  const { page, context, tenant, problems } = await openDemo();
  try {
    await press(page, 'burst');
    const result = await dataset(page, '#burst-result');
    assert.equal(result.tokenRequests, '1');
    assert.equal(result.ok, '100');
    assert.equal(result.failed, '0');
    assert.equal(result.apiRequests, '100');
    assert.match(await page.textContent('#burst-result'), /100 calls → 1 token request\b.*cold start/);
    // The emulator's own count: one client_credentials request for 100 concurrent calls, and
    // each call reached the API once (no 401, no retry).
    const counters = await assertCountersMatch(page, tenant);
    assert.deepEqual(counters.tokenRequests, { client_credentials: 1, refresh_token: 0, total: 1 });
    assert.equal(counters.apiRequests, 100);
    assert.equal(counters.unauthorized, 0);
    // The timeline shows the same: one token request, one token, 100 successful calls.
    assert.deepEqual(await drawn(page), { tokens: '1', tokenRequests: '1', calls: '100', retries: '0', reauths: '0' });
    assert.equal(await count(page, '#timeline .token-request.cc[data-state="ok"]'), 1);
    assert.equal(await count(page, '#timeline .token.current.cc'), 1);
    assert.equal(await count(page, '#timeline .call.s2xx'), 100);
    assert.equal(await hidden(page, '#error'), true);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the demo draws calls, retries and re-authentications and never shows a secret', async () => {
  const { page, context, tenant, problems } = await openDemo();
  try {
    // Call: one client_credentials token, one API request; the page's counters are the emulator's.
    const pressed = Date.now();
    await press(page, 'call');
    const answered = Date.now();
    assert.equal(await hidden(page, '#error'), true, await page.textContent('#error'));
    assert.match(await page.textContent('#status'), /GET \/ → 200/);
    let counters = await assertCountersMatch(page, tenant);
    assert.deepEqual(counters.tokenRequests, { client_credentials: 1, refresh_token: 0, total: 1 });
    assert.equal(counters.apiRequests, 1);
    const info = await dataset(page, '#token-info');
    assert.equal(info.present, 'true');
    assert.equal(info.source, 'network');
    assert.equal(info.hasRefreshToken, 'true');
    // The tenant's 30 s lifetime, counted from the token's arrival (between the press and the
    // end of the action).
    const expiresAt = Number(info.expiresAt);
    assert.ok(expiresAt >= pressed + 30_000 && expiresAt <= answered + 30_000,
      `expiresAt ${expiresAt - pressed} ms after the press, ${expiresAt - answered} ms after the answer`);
    assert.equal(await count(page, '#timeline .token.current.cc'), 1);
    assert.equal(await count(page, '#timeline .token-request.cc[data-state="ok"]'), 1);
    assert.equal(await count(page, '#timeline .call.s2xx'), 1);

    await pause(page);
    // Burst with a valid token in memory: 100 API requests, no token request.
    await press(page, 'burst');
    const result = await dataset(page, '#burst-result');
    assert.equal(result.tokenRequests, '0');
    assert.equal(result.ok, '100');
    assert.equal(result.apiRequests, '100');
    assert.match(await page.textContent('#burst-result'), /100 calls → 0 token requests\b.*already in memory/);
    counters = await assertCountersMatch(page, tenant);
    assert.equal(counters.tokenRequests.total, 1);
    assert.equal(counters.apiRequests, 101);
    // Still the one token and the one token request on the timeline.
    assert.deepEqual(await drawn(page), { tokens: '1', tokenRequests: '1', calls: '101', retries: '0', reauths: '0' });

    await pause(page);
    // 429 then Call: a retry is drawn and the call succeeds.
    await press(page, 'fault-429');
    assert.equal((await dataset(page, '#counters')).pendingFaults, '1');
    await press(page, 'call');
    assert.equal(await hidden(page, '#error'), true, await page.textContent('#error'));
    assert.match(await page.textContent('#status'), /GET \/ → 200 .*after 1 retry/);
    assert.equal(await count(page, '#timeline .retry[data-target="api"][data-status="429"]'), 1);
    // Two API requests (the 429, then the retry's 200) on the same token.
    counters = await assertCountersMatch(page, tenant);
    assert.equal(counters.faultsServed, 1);
    assert.equal(counters.apiRequests, 103);
    assert.equal(counters.tokenRequests.total, 1);
    assert.equal((await dataset(page, '#counters')).pendingFaults, '0');
    assert.equal(await count(page, '#timeline .call.s2xx'), 102);

    await pause(page);
    // 503 then Call: the same with backoff.
    await press(page, 'fault-503');
    await pause(page);
    await press(page, 'call');
    assert.equal(await hidden(page, '#error'), true, await page.textContent('#error'));
    assert.match(await page.textContent('#status'), /GET \/ → 200 .*after 1 retry/);
    assert.equal(await count(page, '#timeline .retry[data-target="api"][data-status="503"]'), 1);
    counters = await assertCountersMatch(page, tenant);
    assert.equal(counters.faultsServed, 2);
    assert.equal(counters.apiRequests, 105);
    assert.equal(counters.tokenRequests.total, 1);

    await pause(page);
    // Revoke then Call: a 401, one re-authentication (refresh grant), the call succeeds.
    await press(page, 'revoke');
    await pause(page);
    await press(page, 'call');
    assert.equal(await hidden(page, '#error'), true, await page.textContent('#error'));
    assert.match(await page.textContent('#status'), /GET \/ → 200 .*401 re-authentication/);
    assert.equal(await count(page, '#timeline .reauth'), 1);
    counters = await assertCountersMatch(page, tenant);
    assert.equal(counters.unauthorized, 1);
    assert.equal((await dataset(page, '#counters')).unauthorized, '1');
    assert.deepEqual(counters.tokenRequests, { client_credentials: 1, refresh_token: 1, total: 2 });
    assert.equal(counters.apiRequests, 107, 'the 401, then the replay with the new token');
    // The renewal on the timeline: the refused token ends there, a refresh_token one follows.
    assert.equal(await count(page, '#timeline .token.current.rt'), 1);
    assert.equal(await count(page, '#timeline .token-request.rt[data-state="ok"]'), 1);
    assert.deepEqual(await endLabels(page), ['✕ refused (401)']);
    assert.deepEqual(await drawn(page), { tokens: '2', tokenRequests: '2', calls: '104', retries: '2', reauths: '1' });

    await pause(page);
    // Slow auth, forget the tokens, Call: a 1.5 s client_credentials request is drawn.
    await press(page, 'slow-auth');
    await press(page, 'clear');
    await press(page, 'call');
    assert.equal(await hidden(page, '#error'), true, await page.textContent('#error'));
    const slow = await page.$$eval('#timeline .token-request title', (titles) => titles.map((t) => t.textContent));
    assert.ok(slow.some((t) => /client_credentials token request, attempt 1: 200 in (1[5-9]\d\d|[2-9]\d\d\d) ms/.test(t)), slow.join('\n'));
    counters = await assertCountersMatch(page, tenant);
    assert.deepEqual(counters.tokenRequests, { client_credentials: 2, refresh_token: 1, total: 3 });
    // Forgotten means forgotten: the next call starts over with client_credentials.
    assert.equal(await count(page, '#timeline .token.current.cc'), 1);
    assert.deepEqual(await endLabels(page), ['✕ refused (401)', 'forgotten']);
    assert.equal((await drawn(page)).tokens, '3');

    // Never a secret or a token on the page.
    const { requests } = await emulatorGet('/__emulator/requests', tenant, { limit: 200 });
    const tokens = new Set();
    for (const request of requests) {
      const bearer = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (request.listener === 'api' && bearer) tokens.add(bearer);
      if (request.listener === 'auth') {
        const refresh = (() => { try { return JSON.parse(request.body).refresh_token; } catch { return undefined; } })();
        if (refresh) tokens.add(refresh);
      }
    }
    assert.ok(tokens.size >= 3, `expected several tokens in the emulator's log, got ${tokens.size}`);
    const text = await page.evaluate(() => document.body.innerText);
    const html = await page.content();
    for (const secret of [...SECRETS, ...tokens]) {
      assert.ok(!text.includes(secret), `the page text shows a secret or token (${secret.slice(0, 6)}…)`);
      assert.ok(!html.includes(secret), `the page DOM holds a secret or token (${secret.slice(0, 6)}…)`);
    }

    // Let the live countdown tick once more, then keep a picture for the docs.
    await page.waitForTimeout(300);
    await mkdir(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a call in the leeway renews the token with the refresh grant, and the timeline shows the renewal', async () => {
  const { page, context, tenant, problems } = await openDemo();
  try {
    // A 12 s lifetime for this tenant: with the page's 10 s leeway the token is due for renewal
    // 2 s after it arrives, instead of the page's usual 20 s.
    const config = await fetch(new URL('/__emulator/config', emulator.authUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant, tokenLifetimeSeconds: 12 }),
    });
    assert.equal(config.status, 200);
    await press(page, 'call');
    assert.equal(await count(page, '#timeline .token.current.cc'), 1);
    // The page's own countdown says when the token is in the leeway.
    await page.waitForFunction(
      () => document.querySelector('#token-info [data-field="expires"]').textContent.includes('in the leeway'),
      undefined, { timeout: 15_000 },
    );
    await press(page, 'call');
    assert.equal(await hidden(page, '#error'), true, await page.textContent('#error'));
    assert.match(await page.textContent('#status'), /GET \/ → 200/);

    const counters = await assertCountersMatch(page, tenant);
    assert.deepEqual(counters.tokenRequests, { client_credentials: 1, refresh_token: 1, total: 2 });
    assert.equal(counters.apiRequests, 2);
    assert.equal(counters.unauthorized, 0);
    assert.equal((await dataset(page, '#token-info')).hasRefreshToken, 'true');
    // On the timeline: the first token ends "renewed" while still valid, the refresh_token one
    // is current, and each came from one successful token request.
    assert.deepEqual(await endLabels(page), ['renewed']);
    assert.equal(await count(page, '#timeline .token.ended.cc'), 1);
    assert.equal(await count(page, '#timeline .token.current.rt'), 1);
    assert.equal(await count(page, '#timeline .token-request.cc[data-state="ok"]'), 1);
    assert.equal(await count(page, '#timeline .token-request.rt[data-state="ok"]'), 1);
    assert.deepEqual(await drawn(page), { tokens: '2', tokenRequests: '2', calls: '2', retries: '0', reauths: '0' });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
