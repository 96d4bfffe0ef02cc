// scripts/short-names.mjs, which build-pkg runs on pkg/: the .wasm's imports from the glue keep
// no hashed name, their modules and the exports the glue reads have short names, and the glue and
// the .d.ts files name exactly what the .wasm imports and exports. And when a name is not in the
// glue exactly once, the script refuses and leaves both files as they were.
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
const SCRIPT = join(ROOT, "scripts/short-names.mjs");

const glueImports = (wasm, module = GLUE_MODULE) =>
  WebAssembly.Module.imports(new WebAssembly.Module(wasm)).filter((i) => i.module === module).map((i) => i.name);

test("the package's .wasm imports no hashed name, from short modules, and the glue defines each import", () => {
  const wasm = readFileSync(join(PKG, "andopen_client_bg.wasm"));
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasm));
  const modules = [...new Set(imports.map((i) => i.module))];
  // The glue module, then the snippets (src/js/*.js) the .wasm calls directly. Built without
  // reference types (scripts/cargo-wasm.sh), it calls every snippet function through the glue
  // (src/js/runtime.rs: one imported directly makes the glue bind its whole module as a namespace,
  // which keeps every export of it in a bundle); with them (the fallback build), the snippets are
  // imported directly.
  assert.deepEqual(modules, ["a", "b", "c", "d"].slice(0, modules.length));
  // The fallback's .wasm exports its externref table; the primary build has none, and imports
  // from the glue alone.
  const referenceTypes = WebAssembly.Module.exports(new WebAssembly.Module(wasm)).some((e) => e.kind === "table");
  if (!referenceTypes) assert.deepEqual(modules, ["a"], "built without reference types, the .wasm imports from the glue alone");
  const names = glueImports(wasm, "a");
  assert.ok(names.length > 20, `${names.length} imports from the glue`);
  assert.deepEqual(names.filter((n) => /_[0-9a-f]{16}$/.test(n)), []);
  // The glue does not export its imports object: the keys it defines are read from its text.
  const glue = readFileSync(join(PKG, "andopen_client.js"), "utf8");
  for (const name of names) assert.match(glue, new RegExp(`[{,]${name}:\\(?function`), `the glue defines ${name}`);
  // Each snippet module is a key of the imports object, bound to a module namespace.
  for (const module of modules.slice(1)) assert.match(glue, new RegExp(`[{,]${module}:import\\d+[,}]`), `the glue's imports name ${module}`);
  if (!referenceTypes) assert.doesNotMatch(glue, /import\s*\*\s*as/, "the glue binds no module namespace");
});

test("the exports the glue reads have short names, and the glue and both .d.ts files name only real exports", () => {
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(PKG, "andopen_client_bg.wasm")))).map((e) => e.name);
  const glue = readFileSync(join(PKG, "andopen_client.js"), "utf8");
  const read = [...new Set([...glue.matchAll(/\bwasm\.([\w$]+)/g)].map((m) => m[1]))];
  // A floor that says the pattern still finds them (13 since the session has one export, ops.rs).
  assert.ok(read.length > 10, `the glue reads ${read.length} exports`);
  for (const name of read) {
    assert.ok(exports.includes(name), `the glue reads wasm.${name}, an export of the .wasm`);
    if (name !== "memory") assert.ok(name.length <= 2, `wasm.${name} has a short name`);
  }
  for (const [file, pattern] of [["andopen_client_bg.wasm.d.ts", /export const ([\w$]+):/g], ["andopen_client.d.ts", /readonly ([\w$]+):/g]]) {
    const typed = [...readFileSync(join(PKG, file), "utf8").matchAll(pattern)].map((m) => m[1]);
    // wasm-bindgen types every export but two it adds for itself (`__abort_handler`,
    // `__instance_terminated`), which the glue does not read and which keep their names.
    assert.deepEqual(typed.filter((n) => !exports.includes(n)), [], `${file} types only exports of the .wasm`);
    assert.deepEqual(read.filter((n) => !typed.includes(n)), [], `${file} types every export the glue reads`);
  }
});

test("a glue that does not match the .wasm (a name twice, an export it lacks) stops the script, and neither file changes", () => {
  const dir = mkdtempSync(join(tmpdir(), "short-names-"));
  try {
    const wasmPath = join(dir, "m.wasm");
    const gluePath = join(dir, "glue.js");
    // A .wasm and a glue as wasm-bindgen writes them: one import with a hashed name.
    const name = "__wbg_now_0123456789abcdef";
    const wasm = moduleImporting(GLUE_MODULE, name);
    writeFileSync(wasmPath, wasm);
    const glue = `const import0 = { ${name}: function() { return 1; } };\nconst imports = { "${GLUE_MODULE}": import0 }; // ${name}\n`;
    writeFileSync(gluePath, glue);
    assert.throws(() => execFileSync(process.execPath, [SCRIPT, wasmPath, gluePath], { stdio: "pipe" }), /in the glue 2 times/);
    assert.deepEqual(readFileSync(wasmPath), wasm);
    assert.equal(readFileSync(gluePath, "utf8"), glue);
    // A glue that reads an export the .wasm lacks is refused too.
    writeFileSync(gluePath, glue.replace(/ \/\/.*$/m, " wasm.session_gone();"));
    assert.throws(() => execFileSync(process.execPath, [SCRIPT, wasmPath, gluePath], { stdio: "pipe" }), /reads wasm\.session_gone, which the \.wasm does not export/);
    assert.deepEqual(readFileSync(wasmPath), wasm);
    // Once, it is renamed in both.
    writeFileSync(gluePath, glue.replace(/ \/\/.*$/m, ""));
    execFileSync(process.execPath, [SCRIPT, wasmPath, gluePath], { stdio: "pipe" });
    assert.deepEqual(glueImports(readFileSync(wasmPath), "a"), ["a"]);
    assert.match(readFileSync(gluePath, "utf8"), /\{ a: function/);
    assert.match(readFileSync(gluePath, "utf8"), /\{ "a": import0 \}/);
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
