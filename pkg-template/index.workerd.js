// Cloudflare Workers (workerd): the .wasm is imported as a compiled WebAssembly.Module by
// wrangler/workerd, so nothing is compiled at run time (which Workers forbid).
import { DurableObject } from "cloudflare:workers";
import wasmModule from "./andopen_client_bg.wasm";
import { initSync, pickBrokerOptions } from "./andopen_client.js";
import { surface } from "./index.shared.js";

initSync({ module: wasmModule });

export const { AndOpenClient, MemoryStore, KvStore, AndOpenError } = surface();

// ---------------------------------------------------------------------------------------------
// The token broker: one Durable Object per (auth URL, tenant, client), addressed by
// `idFromName(storeKey)`, that owns the token for every isolate of a Worker (docs/API.md, "Many
// isolates"). It runs the same Rust core as every client: it holds an AndOpenClient whose store
// is this object's own storage, so renewal, retries, parsing and redaction are the client's.
//
// Single flight: the client's in-object renewal promise. A Durable Object runs one request at a
// time, but its awaits on fetch interleave with other requests; every ask that arrives while
// a renewal is in flight joins the client's renewal (`accessToken()` inside the leeway returns
// the still-valid token, `refresh()` joins the renewal in flight). `blockConcurrencyWhile`
// would also give one renewal, but it would hold every other request, even those a valid token
// answers at once, for the whole renewal: exactly the wait the broker exists to remove.
//
// Secrets: the credentials come with each ask (from the calling isolate's options) and stay in
// this object's memory; storage holds only what the client's store writes (the access and
// refresh tokens, never the client secret or the API key). After a restart the broker has no
// client until the next ask; that ask's client reads the stored token first (no token request
// while it is valid).

const STORE_KEY = "token";
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30000;

/** The broker renews this many seconds before expiry: before isolates enter their own leeway. */
function brokerLeewaySeconds(leeway) {
  const own = typeof leeway === "number" && Number.isFinite(leeway) && leeway >= 0 ? leeway : 60;
  // Within the client's own limit for the option (86400 s).
  return Math.min(86400, own + Math.max(1, own / 4));
}

export class AndOpenTokenBroker extends DurableObject {
  #client = null;
  #fingerprint = null;
  #leewayMs = 0;
  #scheduledFor = null;
  #failures = 0;

  /**
   * A token for an isolate, as the stored-token JSON text the client decodes (no refresh
   * token). `report`: null, `{ refused: { accessToken, expiresAt } }` after a 401 with that
   * token (renews only if it is still the current one), or `{ refresh: true }`.
   */
  async token(options, report) {
    const client = this.#clientFor(options);
    if (report?.refused) {
      const current = await this.#current(client);
      if (current.accessToken === report.refused.accessToken && current.expiresAt === report.refused.expiresAt) {
        await client.refresh();
      }
    } else if (report?.refresh) {
      await client.refresh();
    }
    const current = await this.#current(client);
    await this.#schedule(current.expiresAt);
    return JSON.stringify(current);
  }

  /** Forgets the tokens, in memory and in storage, and the pending renewal. */
  async clear() {
    this.#scheduledFor = null;
    this.#failures = 0;
    if (this.#client) await this.#client.clear();
    await this.ctx.storage.delete(STORE_KEY);
    await this.ctx.storage.deleteAlarm();
  }

  /** The renewal ahead of expiry, at the start of the broker's leeway window. */
  async alarm() {
    const client = this.#client;
    // Restarted: the credentials were never stored, so the next ask sets things up again.
    if (!client) return;
    try {
      await client.refresh();
      this.#failures = 0;
      const current = await this.#current(client);
      await this.#schedule(current.expiresAt);
    } catch {
      // The client already retried with backoff; try again later, 1 s, 2 s, 4 s ... 30 s.
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.#failures);
      this.#failures += 1;
      if (this.#client === client) await this.#setAlarm(Date.now() + delay);
    }
  }

  /** Hook for a subclass (logging, tests): the broker's client events, never secret-bearing. */
  onClientEvent(_event) {}

  #clientFor(options) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("AndOpenTokenBroker: token() needs the client's options");
    }
    const picked = pickBrokerOptions(options);
    // In memory only (it holds the secret, like the client itself).
    const fingerprint = JSON.stringify(picked);
    if (this.#client && fingerprint === this.#fingerprint) return this.#client;
    const storage = this.ctx.storage;
    const leeway = brokerLeewaySeconds(picked.refreshLeewaySeconds);
    const client = new AndOpenClient({
      ...picked,
      refreshLeewaySeconds: leeway,
      storeKey: STORE_KEY,
      store: {
        get: (key) => storage.get(key).then((value) => value ?? null),
        put: (key, value) => storage.put(key, value),
        delete: (key) => storage.delete(key),
      },
      onEvent: (event) => this.onClientEvent(event),
    });
    // A replaced client is not freed: an ask may still be awaiting it.
    this.#client = client;
    this.#fingerprint = fingerprint;
    this.#leewayMs = leeway * 1000;
    this.#scheduledFor = null;
    this.#failures = 0;
    return client;
  }

  /** The current token (renewed by the client if needed) and its expiry, read together. */
  async #current(client) {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const accessToken = await client.accessToken();
      // tokenInfo() reads the cache synchronously: no renewal can settle in between.
      const info = await client.tokenInfo();
      if (info && (await client.accessToken()) === accessToken) {
        const current = { v: 1, accessToken, expiresAt: Math.floor(info.expiresAt) };
        if (info.scope) current.scope = info.scope;
        return current;
      }
    }
    throw new Error("AndOpenTokenBroker: the token changed while it was read");
  }

  /** The alarm for a token: at the start of the broker's leeway window, set once per token. */
  async #schedule(expiresAt) {
    if (this.#scheduledFor === expiresAt) return;
    this.#scheduledFor = expiresAt;
    const now = Date.now();
    let at = expiresAt - this.#leewayMs;
    // A lifetime shorter than the leeway: renew at half the time left, not in a loop.
    if (at < now + 1000) at = now + Math.max(1000, (expiresAt - now) / 2);
    await this.#setAlarm(at);
  }

  async #setAlarm(at) {
    await this.ctx.storage.setAlarm(at);
  }
}
