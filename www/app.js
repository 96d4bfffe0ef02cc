// The demo page: one AndOpenClient against the local &Open emulator, and a live picture of what
// it does: the token's life, renewals by grant, API calls by status, retries and 401
// re-authentications, all on one time axis. Plain ES module, no build step.
//
// Never shown anywhere: the client secret, the API key, an access or refresh token. The page
// never calls client.accessToken(); events and tokenInfo() carry no token values.

const LEEWAY_SECONDS = 10;
const TOKEN_LIFETIME_SECONDS = 30;
const BURST_SIZE = 100;
// The emulator's demo credentials (emulator/README.md). Fine for a local emulator; a real
// client secret belongs on a server or in a Worker.
const DEMO_CREDENTIALS = {
  apiKey: "emu-api-key",
  clientId: "andopen_client_id_emulator",
  clientSecret: "emu-client-secret",
};

const $ = (selector) => document.querySelector(selector);
const body = document.body;
const tenant = `demo-${Math.random().toString(36).slice(2, 10)}`;

// ---------------------------------------------------------------------------------------------
// What happened, in wall-clock milliseconds (Date.now()), drawn by render().
const model = {
  tokens: [], // { grant, obtainedAt, expiresAt, endedAt?, endReason? }
  tokenRequests: [], // { grant, attempt, start, end?, status?, ok? }
  calls: [], // { start, end?, status?, code? }
  retries: [], // { at, target, status?, code, delayMs, attempt }
  reauths: [], // { at }
  actions: [], // { at, label, kind }
  errors: [], // { at, code, status }
};
const currentToken = () => model.tokens.at(-1);

function onEvent(event) {
  const now = Date.now();
  switch (event.type) {
    case "token_request":
      model.tokenRequests.push({ grant: event.grant, attempt: event.attempt, start: now });
      break;
    case "token_response": {
      closeTokenRequest(now, { status: event.status, ok: true });
      const previous = currentToken();
      if (previous && previous.endedAt === undefined) {
        previous.endedAt = now;
        previous.endReason ??= now < previous.expiresAt ? "renewed" : "expired";
      }
      model.tokens.push({ grant: event.grant, obtainedAt: now, expiresAt: now + event.expiresIn * 1000 });
      break;
    }
    case "token_error":
      closeTokenRequest(now, { status: event.status, code: event.code, ok: false });
      break;
    case "retry":
      model.retries.push({ at: now, target: event.target, status: event.status, code: event.code, delayMs: event.delayMs, attempt: event.attempt });
      if (event.target === "token") closeTokenRequest(now, { status: event.status, code: event.code, ok: false });
      break;
    case "unauthorized_retry": {
      model.reauths.push({ at: now });
      const token = currentToken();
      if (token && token.endedAt === undefined) {
        token.endedAt = now;
        token.endReason = "refused (401)";
      }
      break;
    }
    default:
      break; // store_hit / store_miss / store_error: the MemoryStore is not drawn
  }
  scheduleRender();
}

function closeTokenRequest(now, outcome) {
  const open = model.tokenRequests.findLast((r) => r.end === undefined);
  if (open) Object.assign(open, { end: now }, outcome);
}

// ---------------------------------------------------------------------------------------------
// Emulator admin routes (emulator/README.md). They take no credentials.
let config;

async function admin(method, path, payload) {
  const url = new URL(path, config.authUrl);
  if (method === "GET") url.searchParams.set("tenant", tenant);
  const response = await fetch(url, method === "GET" ? {} : {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tenant, ...payload }),
  });
  if (!response.ok) throw new Error(`emulator ${path} answered ${response.status}`);
  return response.json();
}

// ---------------------------------------------------------------------------------------------
// The client and the actions.
let client;
let AndOpenError;

async function callOnce() {
  const call = { start: Date.now() };
  model.calls.push(call);
  scheduleRender();
  try {
    const banner = await client.ping();
    call.status = 200;
    return banner;
  } catch (error) {
    call.status = error?.status ?? 0;
    call.code = error?.code ?? "unknown";
    throw error;
  } finally {
    call.end = Date.now();
    scheduleRender();
  }
}

function note(label, kind) {
  model.actions.push({ at: Date.now(), label, kind });
  scheduleRender();
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

const ACTIONS = {
  async call() {
    const call = await callOnce().then(
      (banner) => ({ banner }),
      (error) => ({ error }),
    );
    const last = model.calls.at(-1);
    const retries = model.retries.filter((r) => r.target === "api" && r.at >= last.start).length;
    const reauth = model.reauths.some((r) => r.at >= last.start);
    const extra = [retries ? `after ${retries} ${retries === 1 ? "retry" : "retries"}` : "", reauth ? "after a 401 re-authentication" : ""]
      .filter(Boolean).join(", ");
    if (call.error) throw call.error;
    setStatus(`GET / → 200 in ${last.end - last.start} ms${extra ? ` (${extra})` : ""}: “${call.banner}”`);
  },

  async burst() {
    const before = await admin("GET", "/__emulator/state");
    const cold = !(await client.tokenInfo());
    note(`${BURST_SIZE} calls`, "burst");
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: BURST_SIZE }, () => callOnce()));
    const elapsed = Date.now() - started;
    const after = await admin("GET", "/__emulator/state");
    const tokenRequests = after.counters.tokenRequests.total - before.counters.tokenRequests.total;
    const apiRequests = after.counters.apiRequests - before.counters.apiRequests;
    const failed = results.filter((r) => r.status === "rejected");
    const result = $("#burst-result");
    result.hidden = false;
    result.dataset.tokenRequests = String(tokenRequests);
    result.dataset.apiRequests = String(apiRequests);
    result.dataset.ok = String(BURST_SIZE - failed.length);
    result.dataset.failed = String(failed.length);
    result.replaceChildren(
      el("strong", {}, `${BURST_SIZE} calls → ${plural(tokenRequests, "token request")}`),
      ` (${cold ? "cold start: no token yet, one shared renewal" : "a valid token was already in memory"}); `
        + `${BURST_SIZE - failed.length} ok, ${failed.length} failed, ${apiRequests} API requests, ${elapsed} ms.`,
    );
    setStatus(`Burst done: ${BURST_SIZE} concurrent client.ping() in ${elapsed} ms.`);
    if (failed.length) throw failed[0].reason;
  },

  async clear() {
    await client.clear();
    const token = currentToken();
    if (token && token.endedAt === undefined) Object.assign(token, { endedAt: Date.now(), endReason: "forgotten" });
    note("clear()", "clear");
    setStatus("client.clear(): tokens forgotten; the next call starts with client_credentials.");
  },

  async "fault-429"() {
    await admin("POST", "/__emulator/faults", { target: "api", status: 429, retryAfter: "1" });
    note("429 queued", "fault");
    setStatus("Queued: the next API request gets 429 with Retry-After: 1. Press Call.");
  },

  async "fault-503"() {
    await admin("POST", "/__emulator/faults", { target: "api", status: 503 });
    note("503 queued", "fault");
    setStatus("Queued: the next API request gets 503. Press Call.");
  },

  async revoke() {
    const { revoked } = await admin("POST", "/__emulator/revoke", {});
    note("token revoked", "revoke");
    setStatus(`Revoked ${plural(revoked.accessTokens, "access token")} at the emulator. The client does not know yet: press Call.`);
  },

  async "slow-auth"() {
    await admin("POST", "/__emulator/faults", { target: "token", latencyMs: 1500 });
    note("slow auth queued", "fault");
    setStatus("Queued: the next token request takes 1.5 s. It happens at the next renewal (leeway, expiry, 401 or after Forget tokens).");
  },
};

let actionSeq = 0;
async function run(name) {
  body.dataset.busy = "true";
  for (const button of document.querySelectorAll(".controls button")) button.disabled = true;
  clearError();
  try {
    await ACTIONS[name]();
  } catch (error) {
    showError(error);
  } finally {
    await refreshPanels();
    actionSeq += 1;
    body.dataset.actionSeq = String(actionSeq);
    body.dataset.busy = "false";
    for (const button of document.querySelectorAll(".controls button")) button.disabled = false;
    scheduleRender();
  }
}

// ---------------------------------------------------------------------------------------------
// Panels: tokenInfo() and the emulator's counters for this tenant.
let info = null;

async function refreshPanels() {
  try {
    info = await client.tokenInfo();
  } catch (error) {
    showError(error);
  }
  if (info && currentToken() && currentToken().endedAt === undefined) currentToken().expiresAt = info.expiresAt;
  const panel = $("#token-info");
  panel.dataset.present = String(Boolean(info));
  panel.dataset.expiresAt = info ? String(info.expiresAt) : "";
  panel.dataset.source = info?.source ?? "";
  panel.dataset.hasRefreshToken = info ? String(info.hasRefreshToken) : "";
  field(panel, "scope").textContent = info ? (info.scope ?? "(none)") : "–";
  field(panel, "hasRefreshToken").textContent = info ? (info.hasRefreshToken ? "yes" : "no") : "–";
  field(panel, "source").textContent = info?.source ?? "–";
  tickTokenInfo();

  try {
    const { counters, pendingFaults } = await admin("GET", "/__emulator/state");
    const box = $("#counters");
    const values = {
      tokenTotal: counters.tokenRequests.total,
      tokenCc: counters.tokenRequests.client_credentials,
      tokenRefresh: counters.tokenRequests.refresh_token,
      apiRequests: counters.apiRequests,
      unauthorized: counters.unauthorized,
      faultsServed: counters.faultsServed,
      pendingFaults,
    };
    for (const [name, value] of Object.entries(values)) field(box, name).textContent = String(value);
    Object.assign(box.dataset, {
      tokenRequests: String(counters.tokenRequests.total),
      tokenRequestsClientCredentials: String(counters.tokenRequests.client_credentials),
      tokenRequestsRefreshToken: String(counters.tokenRequests.refresh_token),
      apiRequests: String(counters.apiRequests),
      unauthorized: String(counters.unauthorized),
      faultsServed: String(counters.faultsServed),
      pendingFaults: String(pendingFaults),
    });
  } catch (error) {
    showError(error);
  }
}

const field = (root, name) => root.querySelector(`[data-field="${name}"]`);

// The live countdown in the panel (the timeline has its own).
function tickTokenInfo() {
  const cell = field($("#token-info"), "expires");
  if (!info) {
    cell.textContent = "– (no token yet)";
    return;
  }
  const left = (info.expiresAt - Date.now()) / 1000;
  const at = new Date(info.expiresAt).toLocaleTimeString([], { hour12: false });
  cell.textContent = left > 0
    ? `${at} (in ${left.toFixed(0)} s${left <= LEEWAY_SECONDS ? ", in the leeway" : ""})`
    : `${at} (expired ${(-left).toFixed(0)} s ago)`;
}

// ---------------------------------------------------------------------------------------------
// Status line and errors.
function setStatus(text) {
  $("#status").textContent = text;
}

function clearError() {
  const box = $("#error");
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.code;
  delete box.dataset.status;
}

function showError(error) {
  const box = $("#error");
  box.hidden = false;
  if (AndOpenError && error instanceof AndOpenError) {
    box.dataset.code = error.code;
    box.dataset.status = error.status === undefined ? "" : String(error.status);
    box.replaceChildren(
      el("strong", {}, "AndOpenError "),
      el("code", {}, error.code),
      error.status === undefined ? " (no HTTP status)" : ` · HTTP ${error.status}`,
      error.retryable ? " · retryable" : "",
      error.retryAfterSeconds === undefined ? "" : ` · Retry-After ${error.retryAfterSeconds} s`,
      ` — ${error.message}`,
    );
    model.errors.push({ at: Date.now(), code: error.code, status: error.status });
  } else {
    box.dataset.code = "page";
    box.replaceChildren(el("strong", {}, "Error "), ` — ${error?.message ?? String(error)}`);
  }
  scheduleRender();
}

function el(name, attributes, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

// ---------------------------------------------------------------------------------------------
// The picture: an SVG timeline, redrawn from the model a few times a second.
const W = 1000;
const X0 = 128; // left gutter for the lane names
const X1 = 984;
const LANES = {
  actions: { y: 34, h: 34, name: "You → emulator" },
  token: { y: 80, h: 70, name: "Access token" },
  auth: { y: 158, h: 40, name: "Token requests" },
  api: { y: 206, h: 100, name: "API calls" },
  client: { y: 314, h: 46, name: "Retries, 401s" },
};
const AXIS_Y = 368;
const STATUS_CLASS = (status) => {
  if (status === undefined) return "pending";
  if (status >= 200 && status < 300) return "s2xx";
  if (status === 401) return "s401";
  if (status === 429) return "s429";
  if (status >= 500) return "s5xx";
  return status ? "s4xx" : "sother";
};
const GRANT_CLASS = (grant) => (grant === "refresh_token" ? "rt" : "cc");
const GRANT_SHORT = (grant) => (grant === "refresh_token" ? "refresh_token" : "client_credentials");

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

const esc = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

// The time window: "fit" spans from the first activity (up to 3 min back) to just after the
// current token's expiry; a fixed span keeps "now" at 62% of the width.
function timeWindow(now) {
  const choice = $("#zoom").value;
  if (choice !== "fit") {
    const span = Number(choice) * 1000;
    const t0 = now - span * 0.62;
    return [t0, t0 + span];
  }
  const token = currentToken();
  const live = token && token.endedAt === undefined && token.expiresAt > now ? token.expiresAt : now;
  const t1 = Math.max(now + 3_000, live + 2_500);
  const times = [
    ...model.actions.map((a) => a.at), ...model.calls.map((c) => c.start),
    ...model.tokenRequests.map((r) => r.start), ...model.tokens.map((t) => t.obtainedAt),
  ].filter((t) => t >= t1 - 180_000);
  const first = times.length ? Math.min(...times) : now;
  return [Math.min(first - 1_500, t1 - 30_000), t1];
}

// Places labels on a few rows so they do not overlap: each goes to the first row whose last
// label ends before it starts (else the row that frees up first).
function labelRows(rowsY) {
  const right = rowsY.map(() => -Infinity);
  return (x, text) => {
    let row = right.findIndex((r) => r + 8 <= x);
    if (row === -1) row = right.indexOf(Math.min(...right));
    right[row] = x + 14 + text.length * 6.1;
    return rowsY[row];
  };
}

function render() {
  const now = Date.now();
  const [t0, t1] = timeWindow(now);
  const span = t1 - t0;
  const x = (t) => X0 + ((t - t0) / (t1 - t0)) * (X1 - X0);
  const visible = (a, b) => b >= t0 && a <= t1;
  const out = [];

  out.push(`<defs>
    <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect width="6" height="6" class="leeway-bg"/><line x1="0" y1="0" x2="0" y2="6" class="leeway-line"/>
    </pattern>
    <clipPath id="plot"><rect x="${X0}" y="0" width="${X1 - X0}" height="${AXIS_Y + 20}"/></clipPath>
  </defs>`);

  // Lanes and their names.
  let shade = false;
  for (const lane of Object.values(LANES)) {
    out.push(`<rect class="lane${shade ? " alt" : ""}" x="0" y="${lane.y - 4}" width="${W}" height="${lane.h + 8}"/>`);
    out.push(`<text class="lane-name" x="10" y="${lane.y + lane.h / 2 + 4}">${esc(lane.name)}</text>`);
    shade = !shade;
  }

  // Time grid: a line every 5 s (or 10/30 s when zoomed out), clock labels.
  const step = span <= 30_000 ? 2_000 : span <= 90_000 ? 5_000 : 15_000;
  const labelEvery = span <= 30_000 ? 5 : span <= 90_000 ? 2 : 2;
  for (let t = Math.ceil(t0 / step) * step, i = 0; t <= t1; t += step, i += 1) {
    const gx = x(t);
    const major = Math.round(t / step) % labelEvery === 0;
    out.push(`<line class="grid${major ? " major" : ""}" x1="${gx}" y1="28" x2="${gx}" y2="${AXIS_Y}"/>`);
    if (major) {
      out.push(`<text class="tick" x="${gx}" y="${AXIS_Y + 14}" text-anchor="middle">${clock(t)}</text>`);
    }
  }

  out.push(`<g clip-path="url(#plot)">`);

  // What the visitor asked the emulator for: a flag and a faint line down through every lane.
  const actionRow = labelRows([LANES.actions.y + 9, LANES.actions.y + 20, LANES.actions.y + 31]);
  model.actions.forEach((action) => {
    if (!visible(action.at, action.at)) return;
    const ax = x(action.at);
    const y = actionRow(ax, `⚑ ${action.label}`);
    out.push(`<g class="action ${action.kind}" data-kind="${action.kind}">
      <line class="action-line" x1="${ax}" y1="${LANES.actions.y - 2}" x2="${ax}" y2="${AXIS_Y}"/>
      <text x="${ax + 3}" y="${y}">⚑ ${esc(action.label)}</text></g>`);
  });

  // Tokens: a bar from obtained to expiry with the leeway hatched; a token that was replaced,
  // refused or forgotten ends there (the rest of its validity dashed) with the reason.
  const tokenLane = LANES.token;
  const endRow = labelRows([tokenLane.y + 63, tokenLane.y + 73]);
  model.tokens.forEach((token) => {
    if (!visible(token.obtainedAt, token.expiresAt)) return;
    const current = token.endedAt === undefined;
    // The token in use on the top row, the ones before it below.
    const y = tokenLane.y + 6 + (current ? 0 : 26);
    const h = 20;
    const grant = GRANT_CLASS(token.grant);
    const live = current && now < token.expiresAt;
    const leewayAt = token.expiresAt - LEEWAY_SECONDS * 1000;
    const end = Math.min(token.endedAt ?? token.expiresAt, token.expiresAt);
    const xa = x(token.obtainedAt);
    out.push(`<g class="token ${grant}${current ? " current" : " ended"}" data-grant="${token.grant}" data-current="${current}">`);
    out.push(`<rect class="token-bar" x="${xa}" y="${y}" width="${Math.max(2, x(end) - xa)}" height="${h}" rx="3">
      <title>${esc(`${token.grant} token, obtained ${clock(token.obtainedAt)}, expires ${clock(token.expiresAt)}${current ? "" : `, ${token.endReason} at ${clock(token.endedAt)}`}`)}</title></rect>`);
    if (current) {
      out.push(`<rect class="leeway" x="${x(leewayAt)}" y="${y}" width="${x(token.expiresAt) - x(leewayAt)}" height="${h}"/>`);
      out.push(`<line class="leeway-mark" x1="${x(leewayAt)}" y1="${y - 3}" x2="${x(leewayAt)}" y2="${y + h + 3}"/>`);
      out.push(`<line class="expiry-mark" x1="${x(token.expiresAt)}" y1="${y - 3}" x2="${x(token.expiresAt)}" y2="${y + h + 3}"/>`);
      out.push(`<text class="mark-label small" x="${x(leewayAt)}" y="${y - 5}" text-anchor="middle">leeway</text>`);
      out.push(`<text class="mark-label small" x="${x(token.expiresAt)}" y="${y - 5}" text-anchor="middle">expiry</text>`);
    } else if (token.endedAt < token.expiresAt) {
      out.push(`<line class="unused" x1="${x(end)}" y1="${y + h / 2}" x2="${x(token.expiresAt)}" y2="${y + h / 2}"/>`);
    }
    out.push(`<circle class="obtained" cx="${xa}" cy="${y + h / 2}" r="4"/>`);
    if (current) {
      const left = (token.expiresAt - now) / 1000;
      const label = live
        ? `${GRANT_SHORT(token.grant)} · expires in ${left.toFixed(1)} s${now >= leewayAt ? " · in the leeway: the next call renews it" : ""}`
        : `${GRANT_SHORT(token.grant)} · expired: the next call waits for a new token`;
      out.push(`<text class="token-label" x="${Math.max(X0 + 4, xa + 8)}" y="${y + 14}">${esc(label)}</text>`);
    } else {
      const ex = x(token.endedAt);
      const text = token.endReason === "refused (401)" ? "✕ refused (401)" : token.endReason;
      out.push(`<line class="end-mark" x1="${ex}" y1="${y - 2}" x2="${ex}" y2="${y + h + 2}"/>`);
      out.push(`<text class="end-label${token.endReason === "refused (401)" ? " refused" : ""}" x="${ex + 2}" y="${endRow(ex + 2, text)}">${esc(text)}</text>`);
    }
    out.push(`</g>`);
  });

  // Token requests: one bar per attempt (request → answer), coloured by grant; failures outlined red.
  const authLane = LANES.auth;
  const authRow = labelRows([authLane.y + 28, authLane.y + 40]);
  packRows(model.tokenRequests, x, now, 2).forEach(({ item: request, row }) => {
    if (!visible(request.start, request.end ?? now)) return;
    const xa = x(request.start);
    const w = Math.max(4, x(request.end ?? now) - xa);
    const y = authLane.y + 2 + row * 11;
    const state = request.end === undefined ? "pending" : request.ok ? "ok" : "failed";
    const outcome = request.end === undefined ? "waiting…" : `${request.status ?? request.code} · ${request.end - request.start} ms`;
    out.push(`<rect class="token-request ${GRANT_CLASS(request.grant)} ${state}" data-grant="${request.grant}" data-state="${state}" x="${xa}" y="${y}" width="${w}" height="9" rx="2">
      <title>${esc(`${request.grant} token request, attempt ${request.attempt}: ${request.end === undefined ? "waiting" : `${request.status ?? request.code} in ${request.end - request.start} ms`}`)}</title></rect>`);
    const text = `${request.grant === "refresh_token" ? "refresh" : "client_credentials"} ${outcome}`;
    out.push(`<text class="mark-label small ${GRANT_CLASS(request.grant)}" x="${xa}" y="${authRow(xa, text)}">${esc(text)}</text>`);
  });

  // API calls: one bar per call from start to answer, coloured by the final status.
  const apiLane = LANES.api;
  const rows = Math.floor((apiLane.h - 4) / 7);
  packRows(model.calls, x, now, rows).forEach(({ item: call, row }) => {
    if (!visible(call.start, call.end ?? now)) return;
    const xa = x(call.start);
    const w = Math.max(3, x(call.end ?? now) - xa);
    const y = apiLane.y + 2 + row * 7;
    const latency = call.end === undefined ? "in flight" : `${call.end - call.start} ms`;
    out.push(`<rect class="call ${STATUS_CLASS(call.status)}" data-status="${call.status ?? ""}" x="${xa}" y="${y}" width="${w}" height="5" rx="1.5">
      <title>${esc(`GET / → ${call.status === undefined ? "…" : call.status || call.code} (${latency})`)}</title></rect>`);
  });
  const lastCall = model.calls.at(-1);
  if (lastCall && visible(lastCall.start, lastCall.end ?? now)) {
    const status = lastCall.status === undefined ? "…" : lastCall.status || lastCall.code;
    const latency = (lastCall.end ?? now) - lastCall.start;
    out.push(`<text class="mark-label call-label" x="${Math.max(x(lastCall.end ?? now), x(lastCall.start) + 3) + 5}" y="${apiLane.y + 10}">${esc(`last call: ${status} · ${latency} ms`)}</text>`);
  }

  // Retries and 401 re-authentications.
  const clientLane = LANES.client;
  const marks = [
    ...model.retries.map((r) => ({ at: r.at, kind: "retry", r })),
    ...model.reauths.map((r) => ({ at: r.at, kind: "reauth", r })),
    ...model.errors.map((r) => ({ at: r.at, kind: "error", r })),
  ].sort((a, b) => a.at - b.at);
  const markRow = labelRows([clientLane.y + 13, clientLane.y + 28, clientLane.y + 43]);
  const markText = (mark) => {
    const { r } = mark;
    if (mark.kind === "retry") return `${r.target === "token" ? "token " : ""}${r.status ?? r.code} · retry in ${(r.delayMs / 1000).toFixed(1)} s`;
    if (mark.kind === "reauth") return "401 → re-authenticate, replay";
    return `${r.code}${r.status ? ` ${r.status}` : ""}`;
  };
  marks.forEach((mark) => {
    if (!visible(mark.at, mark.at)) return;
    const mx = x(mark.at);
    const y = markRow(mx, markText(mark));
    if (mark.kind === "retry") {
      const { r } = mark;
      const cls = STATUS_CLASS(r.status ?? 0);
      out.push(`<g class="retry ${cls}" data-target="${r.target}" data-status="${r.status ?? ""}">
        <circle cx="${mx}" cy="${y - 4}" r="7"/><text class="glyph" x="${mx}" y="${y}" text-anchor="middle">↻</text>
        <text class="mark-label" x="${mx + 10}" y="${y}">${esc(markText(mark))}</text></g>`);
    } else if (mark.kind === "reauth") {
      out.push(`<g class="reauth">
        <path d="M ${mx} ${y - 12} l 7 12 h -14 z"/>
        <text class="mark-label" x="${mx + 10}" y="${y}">${esc(markText(mark))}</text></g>`);
    } else {
      const { r } = mark;
      out.push(`<g class="failure" data-code="${r.code}">
        <text class="cross" x="${mx}" y="${y}" text-anchor="middle">✕</text>
        <text class="mark-label" x="${mx + 9}" y="${y}">${esc(markText(mark))}</text></g>`);
    }
  });

  // Now.
  const nx = x(now);
  out.push(`<line class="now" x1="${nx}" y1="26" x2="${nx}" y2="${AXIS_Y}"/>`);
  out.push(`</g>`);
  out.push(`<text class="now-label" x="${nx}" y="22" text-anchor="middle">now ${clock(now)}</text>`);
  out.push(`<line class="axis" x1="${X0}" y1="${AXIS_Y}" x2="${X1}" y2="${AXIS_Y}"/>`);

  const svg = $("#timeline");
  svg.innerHTML = out.join("");
  Object.assign(svg.dataset, {
    tokens: String(model.tokens.length),
    tokenRequests: String(model.tokenRequests.length),
    calls: String(model.calls.length),
    retries: String(model.retries.length),
    reauths: String(model.reauths.length),
  });
}

// Greedy interval packing: each item goes to the first row free at its start (2 px apart);
// when all rows are busy, rows are reused in turn (a burst then reads as a solid block).
function packRows(items, x, now, maxRows) {
  const ends = [];
  let overflow = 0;
  return items.map((item) => {
    const start = x(item.start);
    let row = ends.findIndex((end) => end + 2 <= start);
    if (row === -1 && ends.length < maxRows) row = ends.length;
    if (row === -1) row = overflow++ % maxRows;
    ends[row] = Math.max(x(item.end ?? now), start + 4);
    return { item, row };
  });
}

function clock(t) {
  return new Date(t).toLocaleTimeString([], { hour12: false });
}

// ---------------------------------------------------------------------------------------------
// Start: config, the package, the tenant's short token lifetime, the client.
async function main() {
  config = await fetch("/config.json").then((r) => r.json());
  let pkg;
  try {
    pkg = await import("/pkg/index.browser.js");
  } catch (error) {
    throw new Error(`could not load /pkg/index.browser.js (build it with: bash scripts/build-pkg.sh): ${error.message}`);
  }
  AndOpenError = pkg.AndOpenError;
  await admin("POST", "/__emulator/config", { tokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS });
  client = new pkg.AndOpenClient({
    ...DEMO_CREDENTIALS,
    tenant,
    authUrl: config.authUrl,
    apiUrl: config.apiUrl,
    refreshLeewaySeconds: LEEWAY_SECONDS,
    dangerouslyAllowBrowser: true, // the emulator's demo credentials only; see the note at the top
    onEvent,
  });
  $("#tenant").textContent = `tenant ${tenant}`;
  body.dataset.tenant = tenant;
  for (const button of document.querySelectorAll(".controls button")) {
    button.addEventListener("click", () => run(button.id));
    button.disabled = false;
  }
  $("#zoom").addEventListener("change", scheduleRender);
  await refreshPanels();
  setStatus(`Ready. Emulator at ${config.authUrl} (auth) and ${config.apiUrl} (API). Press “Call the API”.`);
  setInterval(() => {
    tickTokenInfo();
    scheduleRender();
  }, 250);
  render();
  body.dataset.ready = "true";
}

main().catch((error) => {
  setStatus("The demo could not start.");
  showError(error);
  body.dataset.ready = "error";
});
