// Node: the .wasm is read from this package's folder and instantiated synchronously.
import { readFileSync } from "node:fs";
import { initSync, andOpenErrorClass, guardFreed, storeClasses, AndOpenClient } from "./andopen_client.js";

initSync({ module: readFileSync(new URL("./andopen_client_bg.wasm", import.meta.url)) });

// free() idempotent, and a method after it an AndOpenError rather than wasm-bindgen's raw Error.
// The stores are JS classes (src/js/stores.js) that do the same themselves.
guardFreed(AndOpenClient);
export const [MemoryStore, KvStore] = storeClasses();
export { AndOpenClient };
export const AndOpenError = andOpenErrorClass();

// The token broker is a Cloudflare Durable Object: it exists only in the workerd entry. Here the
// name is exported too (the .d.ts is shared), as a class that says so when used.
export class AndOpenTokenBroker {
  constructor() {
    throw new AndOpenError("invalid_config", "AndOpenTokenBroker is a Durable Object: it runs only in Cloudflare Workers (the package's workerd entry)", [undefined, false]);
  }
}
