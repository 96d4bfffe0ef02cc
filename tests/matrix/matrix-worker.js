// The matrix Worker: POST {rowId, authUrl, apiUrl, tenant, creds} → runs that row of rows.mjs
// inside workerd with the packed npm package (client built exactly as the row says) and answers
// the result as JSON (outcomes, events, error fields, tokenInfo, store contents, console output).
import { AndOpenClient, AndOpenError, MemoryStore } from "andopen-client";
import { rowById } from "./rows.mjs";
import { runRow } from "./runner.mjs";
import { runScenario, scenarioById } from "./security.mjs";
import { captureConsole } from "../support/console-capture.mjs";

// workerd reports unhandled rejections as events on the global scope.
function watchUnhandled(listener) {
  const handler = (event) => listener(event.reason);
  globalThis.addEventListener("unhandledrejection", handler);
  return () => globalThis.removeEventListener("unhandledrejection", handler);
}

// Whatever the client (or its glue) prints inside the isolate, for the secret scan.
const consoleOut = captureConsole({ passThrough: true }).lines;

export default {
  async fetch(request) {
    if (request.method !== "POST") return new Response("POST a row", { status: 405 });
    const body = await request.json();
    if (body.scenarioId) {
      const scenario = scenarioById[body.scenarioId];
      if (!scenario) return Response.json({ error: `unknown scenario ${body.scenarioId}` }, { status: 404 });
      const result = await runScenario(scenario, {
        lib: { AndOpenClient, AndOpenError, MemoryStore }, a: body.a, b: body.b, creds: body.creds, runtime: "workerd", watchUnhandled,
      });
      return Response.json({ ...result, console: consoleOut.splice(0) });
    }
    const { rowId, authUrl, apiUrl, tenant, creds } = body;
    const row = rowById[rowId];
    if (!row) return Response.json({ error: `unknown row ${rowId}` }, { status: 404 });
    try {
      const result = await runRow(row, { lib: { AndOpenClient, AndOpenError, MemoryStore }, authUrl, apiUrl, tenant, creds, runtime: "workerd" });
      return Response.json({ ...result, console: consoleOut.splice(0) });
    } catch (error) {
      return Response.json({ harnessError: `${error?.message}\n${error?.stack}`, console: consoleOut.splice(0) }, { status: 500 });
    }
  },
};
