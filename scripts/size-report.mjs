// Prints the package's sizes, raw and gzip -9: each file a runtime may load, and the figure the
// size target is about (docs/BENCHMARKS.md): what ONE runtime loads, i.e. the .wasm plus one
// entry's JS bundled as esbuild bundles it for a Worker (the workerd entry, minified).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const size = (bytes) => ({ raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const line = (name, s) => console.log(`  ${name.padEnd(46)} raw ${kb(s.raw).padStart(9)}   gzip ${kb(s.gzip).padStart(8)}`);

/**
 * What ONE runtime loads from the package in `dir`: the Workers entry and everything it imports,
 * bundled and minified (the .wasm and the Workers runtime's own modules stay external, as wrangler
 * leaves them), plus the .wasm. bench/run.mjs reports the same figure through this function.
 */
export async function oneRuntime(dir) {
  const bundled = await build({
    entryPoints: [join(dir, "index.workerd.js")],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
    external: ["*.wasm", "cloudflare:*"],
    logLevel: "error",
  });
  const js = size(bundled.outputFiles[0].contents);
  const wasm = size(readFileSync(join(dir, "andopen_client_bg.wasm")));
  return { wasm, js, total: { raw: js.raw + wasm.raw, gzip: js.gzip + wasm.gzip } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = process.argv[2] ?? "pkg";
  const files = (sub) =>
    readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(sub, e.name)) : [join(sub, e.name)],
    );
  console.log("size report (gzip -9):");
  const shipped = files(".").filter((f) => f.endsWith(".wasm") || f.endsWith(".js")).sort();
  for (const f of shipped) line(f.replace(/snippets\/[^/]+\/src\/js\//, "snippets/…/"), size(readFileSync(join(dir, f))));
  const { js, total } = await oneRuntime(dir);
  line("workerd entry, bundled", js);
  line("one runtime (.wasm + bundled workerd entry)", total);
  console.log(`one runtime loads ${kb(total.gzip)} gzip -9 (target: at most 36 KB)`);
}
