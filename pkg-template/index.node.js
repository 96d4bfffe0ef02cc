// Node: the .wasm is read from this package's folder and instantiated synchronously.
import { readFileSync } from "node:fs";
import { initSync, andOpenErrorClass, guardFreed, AndOpenClient, MemoryStore, KvStore } from "./andopen_client.js";

initSync({ module: readFileSync(new URL("./andopen_client_bg.wasm", import.meta.url)) });

// free() idempotent, and a method after it an AndOpenError rather than wasm-bindgen's raw Error.
for (const Class of [AndOpenClient, MemoryStore, KvStore]) guardFreed(Class);
export { AndOpenClient, MemoryStore, KvStore };
export const AndOpenError = andOpenErrorClass();
