// Builds what the Worker tests run, the way a user gets it: `npm pack` of pkg/, installed into
// a scratch Worker project, bundled by wrangler (`deploy --dry-run`), run by Miniflare (workerd).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const wrangler = join(root, "node_modules/.bin/wrangler");

function run(cmd, args, cwd) {
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
}

/** Returns the bundled example and fixture Workers: `{ example, fixture }` (entry paths). */
export function buildWorkers() {
  if (!existsSync(join(root, "pkg/andopen_client_bg.wasm"))) {
    throw new Error("pkg/ is missing: run scripts/build-pkg.sh first");
  }
  const scratch = join(root, "target/worker-scratch");
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  run("npm", ["pack", "--pack-destination", scratch], join(root, "pkg"));
  const tarball = readdirSync(scratch).find((f) => f.endsWith(".tgz"));
  cpSync(join(root, "examples/worker/src"), join(scratch, "src"), { recursive: true });
  cpSync(join(root, "examples/worker/wrangler.toml"), join(scratch, "wrangler.toml"));
  cpSync(join(root, "tests/worker/fixture-worker.js"), join(scratch, "src/fixture-worker.js"));
  writeFileSync(
    join(scratch, "package.json"),
    JSON.stringify({ name: "scratch-worker", private: true, type: "module", dependencies: { "andopen-client": `file:./${tarball}` } }),
  );
  run("npm", ["install", "--no-audit", "--no-fund", "--offline"], scratch);
  run(wrangler, ["deploy", "--dry-run", "--outdir", "dist/example"], scratch);
  run(wrangler, ["deploy", "--dry-run", "--outdir", "dist/fixture", "src/fixture-worker.js"], scratch);
  return { example: join(scratch, "dist/example/index.js"), fixture: join(scratch, "dist/fixture/fixture-worker.js"), scratch };
}
