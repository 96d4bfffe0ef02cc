// Prints raw and gzip -9 sizes of the package's .wasm and JS glue (the size target of docs/BENCHMARKS.md: ≤ 30 KB gzip).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dir = process.argv[2] ?? "pkg";
const files = (sub) =>
  readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(sub, e.name)) : [join(sub, e.name)],
  );
const all = files(".");
const wasm = all.filter((f) => f.endsWith(".wasm"));
const glue = all.filter((f) => f.endsWith(".js"));
const measure = (list) =>
  list.reduce(
    (sum, f) => {
      const bytes = readFileSync(join(dir, f));
      return { raw: sum.raw + bytes.length, gzip: sum.gzip + gzipSync(bytes, { level: 9 }).length };
    },
    { raw: 0, gzip: 0 },
  );
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const rows = [
  ["wasm", measure(wasm)],
  ["js glue", measure(glue)],
];
const total = { raw: rows[0][1].raw + rows[1][1].raw, gzip: rows[0][1].gzip + rows[1][1].gzip };
rows.push(["total", total]);
console.log("size report (gzip -9):");
for (const [name, s] of rows) console.log(`  ${name.padEnd(8)} raw ${kb(s.raw).padStart(9)}   gzip ${kb(s.gzip).padStart(8)}`);

