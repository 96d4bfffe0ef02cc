// The published .d.ts (pkg/ after scripts/build-pkg.sh, installed from the packed tarball)
// compiles with skipLibCheck: false under three settings a user may have:
// (a) create-cloudflare's TypeScript Worker template with the runtime types of `wrangler types`,
// (b) `tsc --init`'s defaults, (c) strict with lib ["ES2022", "DOM"].
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { installPacked, root } from "../bundlers/pack.mjs";

const tsc = join(root, "node_modules/typescript/bin/tsc");
const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
let dir;

/** Runs tsc; on errors, fails with its output (the errors themselves). */
function compile(project, cwd = dir) {
  try {
    execFileSync(process.execPath, [tsc, "-p", project], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    assert.fail(`tsc -p ${project} failed:\n${error.stdout}${error.stderr}`);
  }
}

before(() => {
  dir = installPacked("types");
});

test("(a) a Cloudflare Workers TypeScript project: wrangler types, no DOM, skipLibCheck false", () => {
  const worker = join(dir, "worker");
  mkdirSync(join(worker, "src"), { recursive: true });
  copyFileSync(join(root, "tests/types/worker.ts"), join(worker, "src/index.ts"));
  copyFileSync(join(root, "tests/types/tsconfig.workers.json"), join(worker, "tsconfig.json"));
  writeFileSync(
    join(worker, "wrangler.jsonc"),
    JSON.stringify({
      name: "types-worker",
      main: "src/index.ts",
      compatibility_date: "2026-11-17",
      kv_namespaces: [{ binding: "ANDOPEN_TOKENS", id: "00000000000000000000000000000000" }],
      durable_objects: { bindings: [{ name: "ANDOPEN_BROKER", class_name: "AndOpenTokenBroker" }] },
    }),
  );
  // Secrets, as `wrangler types` reads them from .dev.vars (it types them as strings).
  writeFileSync(join(worker, ".dev.vars"), "ANDOPEN_API_KEY=k\nANDOPEN_TENANT=t\nANDOPEN_CLIENT_ID=c\nANDOPEN_CLIENT_SECRET=s\n");
  execFileSync(process.execPath, [wrangler, "types"], {
    cwd: worker,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const generated = readFileSync(join(worker, "worker-configuration.d.ts"), "utf8");
  assert.match(generated, /ANDOPEN_TOKENS: KVNamespace/, "wrangler types did not type the KV binding");
  assert.match(generated, /ANDOPEN_BROKER: DurableObjectNamespace/, "wrangler types did not type the broker binding");
  assert.match(generated, /interface KVNamespace/, "wrangler types did not include the runtime types");
  compile("tsconfig.json", worker);
});

test("(b) tsc --init's defaults, skipLibCheck false", () => {
  const init = join(dir, "init");
  mkdirSync(init, { recursive: true });
  execFileSync(process.execPath, [tsc, "--init"], { cwd: init, stdio: ["ignore", "pipe", "pipe"] });
  const config = readFileSync(join(init, "tsconfig.json"), "utf8");
  assert.match(config, /"skipLibCheck": true/, "tsc --init no longer writes skipLibCheck: true; update this test");
  writeFileSync(join(init, "tsconfig.json"), config.replace(/"skipLibCheck": true/, '"skipLibCheck": false'));
  copyFileSync(join(root, "tests/types/usage.ts"), join(init, "usage.ts"));
  compile("tsconfig.json", init);
});

test('(c) strict with lib ["ES2022", "DOM"], skipLibCheck false', () => {
  const dom = join(dir, "dom");
  mkdirSync(dom, { recursive: true });
  copyFileSync(join(root, "tests/types/tsconfig.dom.json"), join(dom, "tsconfig.json"));
  copyFileSync(join(root, "tests/types/usage.ts"), join(dom, "usage.ts"));
  compile("tsconfig.json", dom);
});
