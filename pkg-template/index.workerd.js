// Cloudflare Workers (workerd): the .wasm is imported as a compiled WebAssembly.Module by
// wrangler/workerd, so nothing is compiled at run time (which Workers forbid).
import wasmModule from "./andopen_client_bg.wasm";
import { initSync, andOpenErrorClass, guardFreed, AndOpenClient, MemoryStore, KvStore } from "./andopen_client.js";

initSync({ module: wasmModule });

// free() idempotent, and a method after it an AndOpenError rather than wasm-bindgen's raw Error.
for (const Class of [AndOpenClient, MemoryStore, KvStore]) guardFreed(Class);
export { AndOpenClient, MemoryStore, KvStore };
export const AndOpenError = andOpenErrorClass();
