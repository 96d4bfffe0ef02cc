// The &Open emulator's admin routes (emulator/README.md), scoped to this page's tenant. They
// take no credentials: the emulator is local and for tests and demos only.

export class EmulatorAdmin {
  #authUrl;
  #tenant;

  constructor(authUrl, tenant) {
    this.#authUrl = authUrl;
    this.#tenant = tenant;
  }

  // { counters, config, pendingFaults } for the tenant.
  state() {
    return this.#send("GET", "/__emulator/state");
  }

  // A partial config override for the tenant, e.g. { tokenLifetimeSeconds: 30 }.
  configure(fields) {
    return this.#send("POST", "/__emulator/config", fields);
  }

  // Queues a fault for the tenant's next request to `target` ("api" or "token").
  queueFault(fault) {
    return this.#send("POST", "/__emulator/faults", fault);
  }

  // Revokes the tenant's access tokens; resolves with { revoked: { accessTokens, refreshTokens } }.
  revoke() {
    return this.#send("POST", "/__emulator/revoke", {});
  }

  async #send(method, path, payload) {
    const url = new URL(path, this.#authUrl);
    if (method === "GET") url.searchParams.set("tenant", this.#tenant);
    const response = await fetch(url, method === "GET" ? {} : {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tenant: this.#tenant, ...payload }),
    });
    if (!response.ok) throw new Error(`emulator ${path} answered ${response.status}`);
    return response.json();
  }
}
