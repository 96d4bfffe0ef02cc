// Browsers, with or without a bundler: the .wasm is fetched next to this file (bundlers
// understand `new URL(…, import.meta.url)` and copy the asset).
import init from "./andopen_client.js";
import { brokerOutsideWorkers, surface } from "./index.shared.js";

await init({ module_or_path: new URL("./andopen_client_bg.wasm", import.meta.url) });

export const { AndOpenClient, MemoryStore, KvStore, AndOpenError } = surface();
export const AndOpenTokenBroker = brokerOutsideWorkers(AndOpenError);
