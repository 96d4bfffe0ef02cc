// The package as a user gets it: `npm pack` of pkg/, installed from the tarball into a scratch
// project outside the repository (so nothing of the repository's node_modules leaks in).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "../..");

/** A new folder under the system's temp folder, removed when the test process exits. */
export function scratchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `andopen-${prefix}-`));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A scratch project with andopen-client installed from its tarball; returns its folder. */
export function installPacked(name, packageJson = {}) {
  if (!existsSync(join(root, "pkg/andopen_client_bg.wasm"))) {
    throw new Error("pkg/ is missing: run scripts/build-pkg.sh first");
  }
  const dir = scratchDir(name);
  execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: join(root, "pkg"), stdio: ["ignore", "pipe", "pipe"] });
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `${name}-scratch`, private: true, type: "module", ...packageJson, dependencies: { "andopen-client": `file:./${tarball}` } }, null, 2),
  );
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  return dir;
}

/** The files `npm pack` would put in the package (paths inside it). */
export function packedFiles() {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: join(root, "pkg"), encoding: "utf8" });
  return JSON.parse(out)[0].files.map((f) => f.path);
}
