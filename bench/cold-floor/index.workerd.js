// The Workers entry of the cold-start floor (bench/cold-floor/run.sh): the JS driver around
// FloorCore, with what the package's driver does per request (an abortable timer, manual
// redirects, the body read as text and JSON.parse). Exported as AndOpenClient, so that
// bench/workerd.mjs's Worker drives it as it drives the package.
import wasmModule from "./cold_floor_bg.wasm";
import { initSync, FloorCore } from "./cold_floor.js";

initSync({ module: wasmModule });

async function send(url, init) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal, redirect: "manual" });
    return JSON.parse(await response.text());
  } finally {
    clearTimeout(timer);
  }
}

export class AndOpenClient {
  constructor(options) {
    this.options = options;
    this.core = new FloorCore(options);
    this.headers = null;
  }

  async ping() {
    if (this.headers === null) {
      const [body, apiKey] = this.core.tokenRequest();
      const token = await send(this.options.authUrl + "/auth/token", {
        method: "POST", headers: { "content-type": "application/json", "x-api-key": apiKey }, body,
      });
      this.headers = this.core.tokenAnswer(token.access_token);
    }
    const [authorization, apiKey, tenant, client] = this.headers;
    return send(this.options.apiUrl + "/", {
      headers: { authorization, "x-api-key": apiKey, "x-andopen-tenant": tenant, "x-andopen-client": client, accept: "application/json" },
    });
  }
}
