// Cloudflare Workers (workerd): the .wasm is imported as a compiled WebAssembly.Module by
// wrangler/workerd, so nothing is compiled at run time (which Workers forbid).
import wasmModule from "./andopen_client_bg.wasm";
import { initSync, andOpenErrorClass } from "./andopen_client.js";

initSync({ module: wasmModule });

export { AndOpenClient, MemoryStore, KvStore } from "./andopen_client.js";
export const AndOpenError = andOpenErrorClass();
