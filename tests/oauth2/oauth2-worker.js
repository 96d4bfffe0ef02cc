// The oauth2 Worker: POST {scenarioId, env, creds, tag} → runs that scenario of scenarios.mjs
// inside workerd with the packed npm package, against the provider and API that the Node test
// process runs on loopback, and answers { failures, corpus, console } as JSON.
import { AndOpenClient, AndOpenError, MemoryStore } from "andopen-client";
import { runScenario, scenarioById } from "./scenarios.mjs";
import { captureConsole } from "../support/console-capture.mjs";

// Whatever the client (or its glue) prints inside the isolate, for the secret scan.
const consoleOut = captureConsole({ passThrough: true }).lines;

export default {
  async fetch(request) {
    if (request.method !== "POST") return new Response("POST a scenario", { status: 405 });
    const { scenarioId, ...ctx } = await request.json();
    const scenario = scenarioById[scenarioId];
    if (!scenario) return Response.json({ error: `unknown scenario ${scenarioId}` }, { status: 404 });
    const result = await runScenario(scenario, { lib: { AndOpenClient, AndOpenError, MemoryStore }, ...ctx });
    return Response.json({ ...result, console: consoleOut.splice(0) });
  },
};
