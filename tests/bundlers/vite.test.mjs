// A small browser app that imports andopen-client (installed from the packed tarball), built by
// Vite (`vite build`, the production bundler path: the `browser` entry, its top-level await and
// its `new URL("./andopen_client_bg.wasm", import.meta.url)` asset), served as static files and
// run in headless Chromium against the emulator: one authenticated call, one token request.
import assert from "node:assert/strict";
import { createReadStream, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { build } from "vite";
import { startEmulator } from "../../emulator/server.mjs";
import { installPacked } from "./pack.mjs";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
let dir;
let emulator;
let server;
let browser;

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>andopen-client with Vite</title></head>
<body><pre id="out">loading</pre><script type="module" src="/main.js"></script></body></html>
`;
// The app: credentials of the emulator, its URLs from the query string. It imports AndOpenClient
// alone, as most apps do: the entry's `await init(...)` must survive tree-shaking even then
// (with `"sideEffects": false` in the package, Vite dropped it and the client had no wasm).
const MAIN_JS = `import { AndOpenClient } from "andopen-client";
const params = new URLSearchParams(location.search);
const out = document.getElementById("out");
try {
  const client = new AndOpenClient({
    apiKey: "emu-api-key", tenant: params.get("tenant"), clientId: "andopen_client_id_emulator",
    clientSecret: "emu-client-secret", authUrl: params.get("auth"), apiUrl: params.get("api"),
    dangerouslyAllowBrowser: true,
  });
  const banner = await client.ping();
  out.textContent = JSON.stringify({ banner, info: await client.tokenInfo() });
} catch (error) {
  out.textContent = JSON.stringify({ error: String(error), code: error?.name === "AndOpenError" ? error.code : null });
}
document.body.dataset.done = "true";
`;

function serveStatic(folder) {
  return new Promise((resolve) => {
    const s = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
      const file = join(folder, path === "/" ? "index.html" : path);
      if (!file.startsWith(folder) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      createReadStream(file).pipe(res);
    });
    s.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${s.address().port}/`, close: () => s.close() }));
  });
}

before(async () => {
  dir = installPacked("vite");
  writeFileSync(join(dir, "index.html"), INDEX_HTML);
  writeFileSync(join(dir, "main.js"), MAIN_JS);
  mkdirSync(join(dir, "dist"), { recursive: true });
  emulator = await startEmulator({ authPort: 0, apiPort: 0 });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  await emulator?.close();
});

test("vite build bundles the browser entry and copies the .wasm", async () => {
  await build({ root: dir, configFile: false, logLevel: "warn", build: { outDir: join(dir, "dist"), emptyOutDir: true } });
  const assets = readdirSync(join(dir, "dist/assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `no .wasm among the built assets: ${assets.join(", ")}`);
  assert.ok(assets.some((f) => f.endsWith(".js")), "no JS bundle");
  server = await serveStatic(join(dir, "dist"));
});

test("the built app makes one authenticated call in Chromium, with one token request", async () => {
  assert.ok(server, "the build step failed");
  const tenant = `vite-${process.pid}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} for ${r.url()}`));
  const url = new URL(server.url);
  url.searchParams.set("tenant", tenant);
  url.searchParams.set("auth", emulator.authUrl);
  url.searchParams.set("api", emulator.apiUrl);
  await page.goto(url.href);
  await page.waitForSelector('body[data-done="true"]', { timeout: 20_000 });
  const result = JSON.parse(await page.textContent("#out"));
  await context.close();
  assert.deepEqual(problems, []);
  assert.equal(result.error, undefined, `the app failed: ${result.error} (${result.code})`);
  assert.match(result.banner, /^& for Makers - The &Open API/);
  assert.equal(result.info.source, "network");
  const state = await (await fetch(`${emulator.authUrl}/__emulator/state?tenant=${tenant}`)).json();
  assert.equal(state.counters.tokenRequests.total, 1);
  assert.equal(state.counters.apiRequests, 1);
});
