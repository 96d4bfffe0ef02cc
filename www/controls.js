// The controls: what each button does (calls through the client, or a fault queued at the
// emulator for the next call to meet) and the busy state around it. Every action ends with the
// panels refreshed and body[data-action-seq] counted up, which tests/www/ waits for.

import { clearError, plural, setStatus, showBurstResult } from "./messages.js";

const BURST_SIZE = 100;

// deps: { client, admin (an EmulatorAdmin), model (a TokenLifeModel), panels (from
//         createPanels), reportError(error), redraw() }. Enables the buttons.
export function wireControls(deps) {
  const actions = new Actions(deps);
  const buttons = [...document.querySelectorAll(".controls button")];
  const body = document.body;
  let actionSeq = 0;

  // One action at a time: a second press while one runs would blur what the page reports.
  const setBusy = (busy) => {
    body.dataset.busy = String(busy);
    for (const button of buttons) button.disabled = busy;
  };

  async function run(name) {
    setBusy(true);
    clearError();
    try {
      await actions[name]();
    } catch (error) {
      deps.reportError(error);
    } finally {
      await deps.panels.refresh();
      actionSeq += 1;
      body.dataset.actionSeq = String(actionSeq);
      setBusy(false);
      deps.redraw();
    }
  }

  for (const button of buttons) {
    button.addEventListener("click", () => run(button.id));
    button.disabled = false;
  }
}

// The actions, one method per button id.
class Actions {
  #client;
  #admin;
  #model;

  constructor({ client, admin, model }) {
    this.#client = client;
    this.#admin = admin;
    this.#model = model;
  }

  async call() {
    const outcome = await this.#callOnce().then((banner) => ({ banner }), (error) => ({ error }));
    const call = this.#model.calls.at(-1);
    const retries = this.#model.apiRetriesSince(call.start);
    const extra = [
      retries ? `after ${retries} ${retries === 1 ? "retry" : "retries"}` : "",
      this.#model.reauthenticatedSince(call.start) ? "after a 401 re-authentication" : "",
    ].filter(Boolean).join(", ");
    if (outcome.error) throw outcome.error;
    setStatus(`GET / → 200 in ${call.end - call.start} ms${extra ? ` (${extra})` : ""}: “${outcome.banner}”`);
  }

  // The emulator counts the requests, so the result is what went over the wire, not what the
  // page believes it sent.
  async burst() {
    const before = await this.#admin.state();
    const cold = !(await this.#client.tokenInfo());
    this.#note(`${BURST_SIZE} calls`, "burst");
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: BURST_SIZE }, () => this.#callOnce()));
    const elapsedMs = Date.now() - started;
    const after = await this.#admin.state();
    const failed = results.filter((r) => r.status === "rejected");
    showBurstResult({
      size: BURST_SIZE,
      cold,
      tokenRequests: after.counters.tokenRequests.total - before.counters.tokenRequests.total,
      apiRequests: after.counters.apiRequests - before.counters.apiRequests,
      failed: failed.length,
      elapsedMs,
    });
    setStatus(`Burst done: ${BURST_SIZE} concurrent client.ping() in ${elapsedMs} ms.`);
    if (failed.length) throw failed[0].reason;
  }

  async clear() {
    await this.#client.clear();
    this.#model.forget(Date.now());
    this.#note("clear()", "clear");
    setStatus("client.clear(): tokens forgotten; the next call starts with client_credentials.");
  }

  async "fault-429"() {
    await this.#admin.queueFault({ target: "api", status: 429, retryAfter: "1" });
    this.#note("429 queued", "fault");
    setStatus("Queued: the next API request gets 429 with Retry-After: 1. Press Call.");
  }

  async "fault-503"() {
    await this.#admin.queueFault({ target: "api", status: 503 });
    this.#note("503 queued", "fault");
    setStatus("Queued: the next API request gets 503. Press Call.");
  }

  async revoke() {
    const { revoked } = await this.#admin.revoke();
    this.#note("token revoked", "revoke");
    setStatus(`Revoked ${plural(revoked.accessTokens, "access token")} at the emulator. The client does not know yet: press Call.`);
  }

  async "slow-auth"() {
    await this.#admin.queueFault({ target: "token", latencyMs: 1500 });
    this.#note("slow auth queued", "fault");
    setStatus("Queued: the next token request takes 1.5 s. It happens at the next renewal (leeway, expiry, 401 or after Forget tokens).");
  }

  // One client.ping(), recorded in the model with its final status.
  async #callOnce() {
    const call = this.#model.startCall(Date.now());
    try {
      const banner = await this.#client.ping();
      this.#model.finishCall(call, { status: 200 }, Date.now());
      return banner;
    } catch (error) {
      this.#model.finishCall(call, { status: error?.status ?? 0, code: error?.code ?? "unknown" }, Date.now());
      throw error;
    }
  }

  #note(label, kind) {
    this.#model.note(label, kind, Date.now());
  }
}
