// What every entry exports once it has instantiated the .wasm (each entry does that its own way,
// so this module only exports functions: importing it runs nothing).
import { andOpenErrorClass, clientDriver, completeClient, storeClasses, AndOpenClient } from "./andopen_client.js";

/** The classes every runtime gets. Call it after the .wasm is instantiated. */
export function surface() {
  // The client's methods (JS, src/js/driver.js), free() idempotent, a method after it an
  // AndOpenError rather than wasm-bindgen's raw Error, and a constructor that reads the options
  // in JS before the wasm one runs (src/js/error.js readingClass). The stores are JS classes
  // (src/js/stores.js) that do the same themselves.
  const Client = completeClient(AndOpenClient, clientDriver);
  const [MemoryStore, KvStore] = storeClasses();
  return { AndOpenClient: Client, MemoryStore, KvStore, AndOpenError: andOpenErrorClass() };
}

/**
 * The token broker is a Cloudflare Durable Object: it exists only in the workerd entry. The other
 * entries export the name too (the .d.ts is shared), as a class that says so when used.
 */
export function brokerOutsideWorkers(AndOpenError) {
  return class AndOpenTokenBroker {
    constructor() {
      throw new AndOpenError("invalid_config", "AndOpenTokenBroker is a Durable Object: it runs only in Cloudflare Workers (the package's workerd entry)", [undefined, false]);
    }
  };
}
