// Node: the .wasm is read from this package's folder and instantiated synchronously.
import { readFileSync } from "node:fs";
import { initSync, andOpenErrorClass } from "./andopen_client.js";

initSync({ module: readFileSync(new URL("./andopen_client_bg.wasm", import.meta.url)) });

export { AndOpenClient, MemoryStore, KvStore } from "./andopen_client.js";
export const AndOpenError = andOpenErrorClass();
