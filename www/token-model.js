// The model of the token's life: what the client did, in wall-clock milliseconds (Date.now()),
// built from its events and from the page's own calls. No DOM here; the timeline draws it and
// subscribes to its changes.

export class TokenLifeModel {
  tokens = []; // { grant, obtainedAt, expiresAt, endedAt?, endReason? }
  tokenRequests = []; // { grant, attempt, start, end?, status?, code?, ok? }
  calls = []; // { start, end?, status?, code? }
  retries = []; // { at, target, status?, code, delayMs, attempt }
  reauths = []; // { at }
  actions = []; // { at, label, kind }
  errors = []; // { at, code, status }
  #listeners = [];

  // The token in use, or the last one the client had.
  get currentToken() {
    return this.tokens.at(-1);
  }

  onChange(listener) {
    this.#listeners.push(listener);
  }

  // One event from the client's onEvent, at `now`.
  record(event, now) {
    switch (event.type) {
      case "token_request":
        this.tokenRequests.push({ grant: event.grant, attempt: event.attempt, start: now });
        break;
      case "token_response":
        this.#closeTokenRequest(now, { status: event.status, ok: true });
        this.#obtain(event, now);
        break;
      case "token_error":
        this.#closeTokenRequest(now, { status: event.status, code: event.code, ok: false });
        break;
      case "retry":
        this.#recordRetry(event, now);
        break;
      case "unauthorized_retry":
        this.reauths.push({ at: now });
        this.#endCurrentToken(now, "refused (401)");
        break;
      default:
        break; // store_hit / store_miss / store_error: the MemoryStore is not drawn
    }
    this.#changed();
  }

  // A call the page starts; finishCall() with its outcome when it settles.
  startCall(now) {
    const call = { start: now };
    this.calls.push(call);
    this.#changed();
    return call;
  }

  finishCall(call, outcome, now) {
    Object.assign(call, outcome, { end: now });
    this.#changed();
  }

  // Something the visitor asked for (a fault, a revocation, a burst), drawn as a flag.
  note(label, kind, now) {
    this.actions.push({ at: now, label, kind });
    this.#changed();
  }

  recordError(error, now) {
    this.errors.push({ at: now, code: error.code, status: error.status });
    this.#changed();
  }

  // client.clear() forgets the tokens without an event, so the page ends the token itself.
  forget(now) {
    const token = this.currentToken;
    if (token && token.endedAt === undefined) Object.assign(token, { endedAt: now, endReason: "forgotten" });
    this.#changed();
  }

  // tokenInfo() knows the exact expiry; the event only gave expiresIn, counted from its arrival.
  adoptExpiry(expiresAt) {
    const token = this.currentToken;
    if (!token || token.endedAt !== undefined) return;
    token.expiresAt = expiresAt;
    this.#changed();
  }

  apiRetriesSince(at) {
    return this.retries.filter((r) => r.target === "api" && r.at >= at).length;
  }

  reauthenticatedSince(at) {
    return this.reauths.some((r) => r.at >= at);
  }

  // A new token ends the one before it: "renewed" if that one was still valid.
  #obtain(event, now) {
    const previous = this.currentToken;
    if (previous && previous.endedAt === undefined) {
      previous.endedAt = now;
      previous.endReason ??= now < previous.expiresAt ? "renewed" : "expired";
    }
    this.tokens.push({ grant: event.grant, obtainedAt: now, expiresAt: now + event.expiresIn * 1000 });
  }

  #recordRetry(event, now) {
    const { target, status, code, delayMs, attempt } = event;
    this.retries.push({ at: now, target, status, code, delayMs, attempt });
    // A token retry means the attempt before it failed; its request bar ends here.
    if (target === "token") this.#closeTokenRequest(now, { status, code, ok: false });
  }

  #endCurrentToken(now, reason) {
    const token = this.currentToken;
    if (token && token.endedAt === undefined) {
      token.endedAt = now;
      token.endReason = reason;
    }
  }

  #closeTokenRequest(now, outcome) {
    const open = this.tokenRequests.findLast((r) => r.end === undefined);
    if (open) Object.assign(open, { end: now }, outcome);
  }

  #changed() {
    for (const listener of this.#listeners) listener();
  }
}
