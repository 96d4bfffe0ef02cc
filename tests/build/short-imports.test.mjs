// scripts/short-imports.mjs, which build-pkg runs on pkg/: the .wasm's imports from the glue keep
// no hashed name, and the glue's imports object names exactly what the .wasm imports. And when a
// name is not in the glue exactly once, the script refuses and leaves both files as they were.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PKG = join(ROOT, "pkg");
const GLUE_MODULE = "./andopen_client_bg.js";
const SCRIPT = join(ROOT, "scripts/short-imports.mjs");

const glueImports = (wasm) =>
  WebAssembly.Module.imports(new WebAssembly.Module(wasm)).filter((i) => i.module === GLUE_MODULE).map((i) => i.name);

test("the package's .wasm imports no hashed name from the glue, and the glue defines each import", () => {
  const names = glueImports(readFileSync(join(PKG, "andopen_client_bg.wasm")));
  assert.ok(names.length > 20, `${names.length} imports from the glue`);
  assert.deepEqual(names.filter((n) => /_[0-9a-f]{16}$/.test(n)), []);
  // The glue does not export its imports object: the keys it defines are read from its text.
  const glue = readFileSync(join(PKG, "andopen_client.js"), "utf8");
  for (const name of names) assert.match(glue, new RegExp(`[{,]${name}:function`), `the glue defines ${name}`);
});

test("a name the glue holds twice stops the script, and neither file changes", () => {
  const dir = mkdtempSync(join(tmpdir(), "short-imports-"));
  try {
    const wasmPath = join(dir, "m.wasm");
    const gluePath = join(dir, "glue.js");
    // A .wasm and a glue as wasm-bindgen writes them: one import with a hashed name.
    const name = "__wbg_now_0123456789abcdef";
    const wasm = moduleImporting(GLUE_MODULE, name);
    writeFileSync(wasmPath, wasm);
    const glue = `const imports = { "${GLUE_MODULE}": { ${name}: function() { return 1; } } }; // ${name}\n`;
    writeFileSync(gluePath, glue);
    assert.throws(() => execFileSync(process.execPath, [SCRIPT, wasmPath, gluePath], { stdio: "pipe" }), /in the glue 2 times/);
    assert.deepEqual(readFileSync(wasmPath), wasm);
    assert.equal(readFileSync(gluePath, "utf8"), glue);
    // Once, it is renamed in both.
    writeFileSync(gluePath, glue.replace(/ \/\/.*$/m, ""));
    execFileSync(process.execPath, [SCRIPT, wasmPath, gluePath], { stdio: "pipe" });
    assert.deepEqual(glueImports(readFileSync(wasmPath)), ["a"]);
    assert.match(readFileSync(gluePath, "utf8"), /\{ a: function/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A module with one imported function () -> i32 from `module`.`field`, and nothing else.
function moduleImporting(module, field) {
  const str = (s) => [s.length, ...Buffer.from(s)];
  const section = (id, body) => [id, body.length, ...body];
  const type = section(1, [1, 0x60, 0, 1, 0x7f]);
  const imports = section(2, [1, ...str(module), ...str(field), 0, 0]);
  return Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...type, ...imports]);
}
