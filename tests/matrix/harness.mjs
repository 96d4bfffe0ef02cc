// What both matrix runs share: an in-process emulator with distinctive credentials, a record of
// every token it issues (wrapping its token store from outside; the emulator itself is unchanged),
// per-tenant counters, and the secret scan.
import { randomBytes } from "node:crypto";
import { startEmulator } from "../../emulator/server.mjs";

export const CREDS = {
  apiKey: `SCAN-APIKEY-${randomBytes(8).toString("hex")}`,
  clientId: `andopen_client_id_scan_${randomBytes(4).toString("hex")}`,
  clientSecret: `SCAN-SECRET-${randomBytes(8).toString("hex")}`,
};

export async function startScanEmulator() {
  const emu = await startEmulator({ authPort: 0, apiPort: 0, ...CREDS });
  const issued = new Set();
  // tokens.mjs keeps issued tokens in closures; record them as they are handed out.
  const tokens = emu.state.tokens;
  const issueAccess = tokens.issueAccess.bind(tokens);
  const issueRefresh = tokens.issueRefresh.bind(tokens);
  tokens.issueAccess = (...a) => { const t = issueAccess(...a); issued.add(t); return t; };
  tokens.issueRefresh = (...a) => { const t = issueRefresh(...a); issued.add(t); return t; };
  return { emu, issued };
}

export async function counters(emu, tenant) {
  const res = await fetch(`${emu.authUrl}/__emulator/state?tenant=${encodeURIComponent(tenant)}`);
  return (await res.json()).counters;
}

let n = 0;
export const newTenant = (runtime, id) => `mx-${runtime}-${id}-${process.pid}-${++n}`;

/**
 * corpus: everything the client produced that must hold no secret and no token (errors with
 * stacks, events, tokenInfo, console output); stored: store values (tokens allowed there).
 * Returns the list of hits (empty = clean).
 */
export function secretScan({ corpus, stored, issued, extraSecrets = [] }) {
  const hits = [];
  const secrets = [CREDS.clientSecret, CREDS.apiKey, ...extraSecrets];
  const text = typeof corpus === "string" ? corpus : JSON.stringify(corpus);
  const storedText = JSON.stringify(stored);
  for (const s of secrets) {
    if (text.includes(s)) hits.push(`secret ${s.slice(0, 12)}… in client output: …${context(text, s)}…`);
    if (storedText.includes(s)) hits.push(`secret ${s.slice(0, 12)}… in a stored value`);
  }
  for (const t of issued) {
    if (text.includes(t)) hits.push(`issued token ${t.slice(0, 6)}… in client output: …${context(text, t)}…`);
  }
  return hits;
}

function context(text, needle) {
  const i = text.indexOf(needle);
  return text.slice(Math.max(0, i - 80), i).replace(/[A-Za-z0-9_-]{20,}$/, "") + "<HIT>";
}
