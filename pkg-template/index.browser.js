// Browsers, with or without a bundler: the .wasm is fetched next to this file (bundlers
// understand `new URL(…, import.meta.url)` and copy the asset).
import init, { andOpenErrorClass } from "./andopen_client.js";

await init({ module_or_path: new URL("./andopen_client_bg.wasm", import.meta.url) });

export { AndOpenClient, MemoryStore, KvStore } from "./andopen_client.js";
export const AndOpenError = andOpenErrorClass();
