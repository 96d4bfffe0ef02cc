// Builds Workers the way a user gets the package: `npm pack` of pkg/, installed into a scratch
// Worker project, bundled by wrangler (`deploy --dry-run`), then run by Miniflare (workerd).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const wrangler = join(root, "node_modules/.bin/wrangler");

function run(cmd, args, cwd) {
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
}

/**
 * Bundles Worker scripts against the packed package in `target/<name>-scratch`.
 * `entries` are the Worker scripts (bundled one by one); `sources` are the files their relative
 * imports reach. Both keep their paths from the repository root under the scratch project's src/,
 * so an import resolves there as it does here. `wranglerToml`, if given, is the project's config
 * (the entry is named on wrangler's command line, so its `main` is not used). Returns the bundled
 * script of each entry, by file name.
 */
export function bundleWorkers(name, { entries, sources = [], wranglerToml }) {
  if (!existsSync(join(root, "pkg/andopen_client_bg.wasm"))) {
    throw new Error("pkg/ is missing: run scripts/build-pkg.sh first");
  }
  const scratch = join(root, "target", `${name}-scratch`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(join(scratch, "src"), { recursive: true });
  run("npm", ["pack", "--pack-destination", scratch], join(root, "pkg"));
  const tarball = readdirSync(scratch).find((f) => f.endsWith(".tgz"));
  for (const file of [...entries, ...sources]) {
    mkdirSync(join(scratch, "src", dirname(file)), { recursive: true });
    cpSync(join(root, file), join(scratch, "src", file));
  }
  if (wranglerToml) cpSync(join(root, wranglerToml), join(scratch, "wrangler.toml"));
  writeFileSync(
    join(scratch, "package.json"),
    JSON.stringify({ name: `${name}-worker`, private: true, type: "module", dependencies: { "andopen-client": `file:./${tarball}` } }),
  );
  run("npm", ["install", "--no-audit", "--no-fund", "--offline"], scratch);
  const bundled = {};
  for (const entry of entries) {
    const file = basename(entry);
    const outdir = join(scratch, "dist", file.replace(/\.m?js$/, ""));
    run(wrangler, ["deploy", "--dry-run", "--outdir", outdir, "--name", name, "--compatibility-date", "2026-04-01", join("src", entry)], scratch);
    bundled[file] = join(outdir, file.replace(/\.mjs$/, ".js"));
  }
  return bundled;
}

/** The example Worker (examples/worker, with its wrangler.toml) and the test fixture Worker. */
export function buildWorkers() {
  const bundled = bundleWorkers("worker", {
    entries: ["examples/worker/src/index.js", "tests/worker/fixture-worker.js"],
    wranglerToml: "examples/worker/wrangler.toml",
  });
  return { example: bundled["index.js"], fixture: bundled["fixture-worker.js"] };
}
