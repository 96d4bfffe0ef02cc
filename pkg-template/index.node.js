// Node: the .wasm is read from this package's folder and instantiated synchronously.
import { readFileSync } from "node:fs";
import { initSync } from "./andopen_client.js";
import { brokerOutsideWorkers, surface } from "./index.shared.js";

initSync({ module: readFileSync(new URL("./andopen_client_bg.wasm", import.meta.url)) });

export const { AndOpenClient, MemoryStore, KvStore, AndOpenError } = surface();
export const AndOpenTokenBroker = brokerOutsideWorkers(AndOpenError);
