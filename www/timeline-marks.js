// What the timeline draws in its lanes, from the model: the visitor's actions, the tokens, the
// token requests, the API calls, and the retries, 401 re-authentications and errors. Each
// function returns SVG markup; `scale` is from scaleFor() (timeline-layout.js). The classes and
// data-* attributes are what style.css colours and tests/www/ counts.

import { LANES, AXIS_Y, X0, labelRows, packRows } from "./timeline-layout.js";

const statusClass = (status) => {
  if (status === undefined) return "pending";
  if (status >= 200 && status < 300) return "s2xx";
  if (status === 401) return "s401";
  if (status === 429) return "s429";
  if (status >= 500) return "s5xx";
  return status ? "s4xx" : "sother";
};
const grantClass = (grant) => (grant === "refresh_token" ? "rt" : "cc");
const grantName = (grant) => (grant === "refresh_token" ? "refresh_token" : "client_credentials");
const REFUSED = "refused (401)";

export const escapeXml = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

export function clock(t) {
  return new Date(t).toLocaleTimeString([], { hour12: false });
}

// What the visitor asked the emulator for: a flag and a faint line down through every lane.
export function drawActions(model, { x, visible }) {
  const row = labelRows([LANES.actions.y + 9, LANES.actions.y + 20, LANES.actions.y + 31]);
  return model.actions.filter((action) => visible(action.at, action.at)).map((action) => {
    const ax = x(action.at);
    const y = row(ax, `⚑ ${action.label}`);
    return `<g class="action ${action.kind}" data-kind="${action.kind}">
      <line class="action-line" x1="${ax}" y1="${LANES.actions.y - 2}" x2="${ax}" y2="${AXIS_Y}"/>
      <text x="${ax + 3}" y="${y}">⚑ ${escapeXml(action.label)}</text></g>`;
  });
}

// Tokens: a bar from obtained to expiry with the leeway hatched; a token that was replaced,
// refused or forgotten ends there (the rest of its validity dashed) with the reason.
export function drawTokens(model, scale, leewaySeconds) {
  const lane = LANES.token;
  const endRow = labelRows([lane.y + 63, lane.y + 73]);
  return model.tokens.filter((token) => scale.visible(token.obtainedAt, token.expiresAt)).map((token) => {
    const current = token.endedAt === undefined;
    // The token in use on the top row, the ones before it below.
    const bar = { y: lane.y + 6 + (current ? 0 : 26), h: 20, xa: scale.x(token.obtainedAt) };
    const end = Math.min(token.endedAt ?? token.expiresAt, token.expiresAt);
    const title = `${token.grant} token, obtained ${clock(token.obtainedAt)}, expires ${clock(token.expiresAt)}${current ? "" : `, ${token.endReason} at ${clock(token.endedAt)}`}`;
    return [
      `<g class="token ${grantClass(token.grant)}${current ? " current" : " ended"}" data-grant="${token.grant}" data-current="${current}">`,
      `<rect class="token-bar" x="${bar.xa}" y="${bar.y}" width="${Math.max(2, scale.x(end) - bar.xa)}" height="${bar.h}" rx="3">
      <title>${escapeXml(title)}</title></rect>`,
      ...(current ? currentTokenMarks(token, bar, scale, leewaySeconds) : endedTokenMarks(token, bar, end, scale, endRow)),
      `</g>`,
    ].join("");
  });
}

// The token in use: its leeway and expiry marked, and a live countdown.
function currentTokenMarks(token, { y, h, xa }, { x, now }, leewaySeconds) {
  const leewayAt = token.expiresAt - leewaySeconds * 1000;
  const left = (token.expiresAt - now) / 1000;
  const label = now < token.expiresAt
    ? `${grantName(token.grant)} · expires in ${left.toFixed(1)} s${now >= leewayAt ? " · in the leeway: the next call renews it" : ""}`
    : `${grantName(token.grant)} · expired: the next call waits for a new token`;
  return [
    `<rect class="leeway" x="${x(leewayAt)}" y="${y}" width="${x(token.expiresAt) - x(leewayAt)}" height="${h}"/>`,
    `<line class="leeway-mark" x1="${x(leewayAt)}" y1="${y - 3}" x2="${x(leewayAt)}" y2="${y + h + 3}"/>`,
    `<line class="expiry-mark" x1="${x(token.expiresAt)}" y1="${y - 3}" x2="${x(token.expiresAt)}" y2="${y + h + 3}"/>`,
    `<text class="mark-label small" x="${x(leewayAt)}" y="${y - 5}" text-anchor="middle">leeway</text>`,
    `<text class="mark-label small" x="${x(token.expiresAt)}" y="${y - 5}" text-anchor="middle">expiry</text>`,
    `<circle class="obtained" cx="${xa}" cy="${y + h / 2}" r="4"/>`,
    `<text class="token-label" x="${Math.max(X0 + 4, xa + 8)}" y="${y + 14}">${escapeXml(label)}</text>`,
  ];
}

// A token that ended before its expiry: the unused rest dashed, and why it ended.
function endedTokenMarks(token, { y, h, xa }, end, { x }, endRow) {
  const ex = x(token.endedAt);
  const refused = token.endReason === REFUSED;
  const text = refused ? `✕ ${REFUSED}` : token.endReason;
  return [
    token.endedAt < token.expiresAt
      ? `<line class="unused" x1="${x(end)}" y1="${y + h / 2}" x2="${x(token.expiresAt)}" y2="${y + h / 2}"/>`
      : "",
    `<circle class="obtained" cx="${xa}" cy="${y + h / 2}" r="4"/>`,
    `<line class="end-mark" x1="${ex}" y1="${y - 2}" x2="${ex}" y2="${y + h + 2}"/>`,
    `<text class="end-label${refused ? " refused" : ""}" x="${ex + 2}" y="${endRow(ex + 2, text)}">${escapeXml(text)}</text>`,
  ];
}

// Token requests: one bar per attempt (request → answer), coloured by grant; failures outlined red.
export function drawTokenRequests(model, { x, visible, now }) {
  const lane = LANES.auth;
  const labelRow = labelRows([lane.y + 28, lane.y + 40]);
  return packRows(model.tokenRequests, x, now, 2).filter(({ item }) => visible(item.start, item.end ?? now)).map(({ item: request, row }) => {
    const xa = x(request.start);
    const w = Math.max(4, x(request.end ?? now) - xa);
    const y = lane.y + 2 + row * 11;
    const pending = request.end === undefined;
    const state = pending ? "pending" : request.ok ? "ok" : "failed";
    const answer = `${request.status ?? request.code}`;
    const outcome = pending ? "waiting…" : `${answer} · ${request.end - request.start} ms`;
    const title = `${request.grant} token request, attempt ${request.attempt}: ${pending ? "waiting" : `${answer} in ${request.end - request.start} ms`}`;
    const text = `${request.grant === "refresh_token" ? "refresh" : "client_credentials"} ${outcome}`;
    return `<rect class="token-request ${grantClass(request.grant)} ${state}" data-grant="${request.grant}" data-state="${state}" x="${xa}" y="${y}" width="${w}" height="9" rx="2">
      <title>${escapeXml(title)}</title></rect>`
      + `<text class="mark-label small ${grantClass(request.grant)}" x="${xa}" y="${labelRow(xa, text)}">${escapeXml(text)}</text>`;
  });
}

// API calls: one bar per call from start to answer, coloured by the final status, and the last
// call's outcome spelled out.
export function drawCalls(model, { x, visible, now }) {
  const lane = LANES.api;
  const rows = Math.floor((lane.h - 4) / 7);
  const out = packRows(model.calls, x, now, rows).filter(({ item }) => visible(item.start, item.end ?? now)).map(({ item: call, row }) => {
    const xa = x(call.start);
    const w = Math.max(3, x(call.end ?? now) - xa);
    const y = lane.y + 2 + row * 7;
    const latency = call.end === undefined ? "in flight" : `${call.end - call.start} ms`;
    return `<rect class="call ${statusClass(call.status)}" data-status="${call.status ?? ""}" x="${xa}" y="${y}" width="${w}" height="5" rx="1.5">
      <title>${escapeXml(`GET / → ${call.status === undefined ? "…" : call.status || call.code} (${latency})`)}</title></rect>`;
  });
  const last = model.calls.at(-1);
  if (last && visible(last.start, last.end ?? now)) {
    const status = last.status === undefined ? "…" : last.status || last.code;
    const latency = (last.end ?? now) - last.start;
    out.push(`<text class="mark-label call-label" x="${Math.max(x(last.end ?? now), x(last.start) + 3) + 5}" y="${lane.y + 10}">${escapeXml(`last call: ${status} · ${latency} ms`)}</text>`);
  }
  return out;
}

// The client's own reactions, in time order: retries (↻), 401 re-authentications (▲) and the
// errors a call ended with (✕).
export function drawClientMarks(model, { x, visible }) {
  const lane = LANES.client;
  const row = labelRows([lane.y + 13, lane.y + 28, lane.y + 43]);
  const marks = [
    ...model.retries.map((r) => ({ at: r.at, kind: "retry", r })),
    ...model.reauths.map((r) => ({ at: r.at, kind: "reauth", r })),
    ...model.errors.map((r) => ({ at: r.at, kind: "error", r })),
  ].sort((a, b) => a.at - b.at);
  return marks.filter((mark) => visible(mark.at, mark.at)).map((mark) => {
    const mx = x(mark.at);
    const text = clientMarkText(mark);
    return CLIENT_MARK_SHAPES[mark.kind](mark.r, mx, row(mx, text), escapeXml(text));
  });
}

function clientMarkText({ kind, r }) {
  if (kind === "retry") return `${r.target === "token" ? "token " : ""}${r.status ?? r.code} · retry in ${(r.delayMs / 1000).toFixed(1)} s`;
  if (kind === "reauth") return "401 → re-authenticate, replay";
  return `${r.code}${r.status ? ` ${r.status}` : ""}`;
}

// (record, x, label baseline y, escaped label) → markup, by kind of mark.
const CLIENT_MARK_SHAPES = {
  retry: (r, mx, y, label) => `<g class="retry ${statusClass(r.status ?? 0)}" data-target="${r.target}" data-status="${r.status ?? ""}">
        <circle cx="${mx}" cy="${y - 4}" r="7"/><text class="glyph" x="${mx}" y="${y}" text-anchor="middle">↻</text>
        <text class="mark-label" x="${mx + 10}" y="${y}">${label}</text></g>`,
  reauth: (r, mx, y, label) => `<g class="reauth">
        <path d="M ${mx} ${y - 12} l 7 12 h -14 z"/>
        <text class="mark-label" x="${mx + 10}" y="${y}">${label}</text></g>`,
  error: (r, mx, y, label) => `<g class="failure" data-code="${r.code}">
        <text class="cross" x="${mx}" y="${y}" text-anchor="middle">✕</text>
        <text class="mark-label" x="${mx + 9}" y="${y}">${label}</text></g>`,
};
