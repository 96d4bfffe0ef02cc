// Gives what the .wasm and wasm-bindgen's glue name each other by short names, in the .wasm and
// in the glue alike (scripts/build-pkg.sh runs it on pkg/ after wasm-opt):
// - the imports from the glue module: wasm-bindgen names each with a 16-hex-digit hash
//   (`__wbg_keys_105f5c0857898f84`) that gzip cannot compress, written twice, in the .wasm's
//   import section and as a key of the glue's imports object;
// - the import modules (`./andopen_client_bg.js`, `./snippets/andopen-client-<hash>/src/js/…`),
//   written once per import in the .wasm and as keys of the glue's imports object;
// - the exports the glue calls (`wasm.session_callAnswer`), and the two .d.ts files that type
//   them (`andopen_client_bg.wasm.d.ts`, `InitOutput` in the glue's .d.ts).
// Each rename is checked as it is made: a hashed import name must be in the glue exactly once, a
// module must be a key of the imports object, and afterwards every `wasm.<name>` the glue reads
// must be an export of the .wasm. The build stops otherwise, rather than ship a glue that no
// longer matches its .wasm; nothing is written before every check has passed.
//
// usage: node scripts/short-names.mjs pkg/andopen_client_bg.wasm pkg/andopen_client.js
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const GLUE_MODULE = "./andopen_client_bg.js";
const HASHED = /_[0-9a-f]{16}$/;
const IMPORT_SECTION = 2;
const EXPORT_SECTION = 7;

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) throw new Error("usage: short-names.mjs <.wasm> <glue .js>");
const wasm = readFileSync(wasmPath);
let glue = readFileSync(jsPath, "utf8");

function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function leb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

function readName(bytes, at) {
  const [length, start] = readLeb(bytes, at);
  return [Buffer.from(bytes.subarray(start, start + length)).toString("utf8"), start + length];
}

const name = (text) => {
  const bytes = Buffer.from(text, "utf8");
  return [...leb(bytes.length), ...bytes];
};

// The end of an import's description (its kind byte at `at`).
function skipDescription(bytes, at) {
  const kind = bytes[at++];
  const limits = (from) => {
    const flags = bytes[from++];
    let [, next] = readLeb(bytes, from);
    if (flags & 1) [, next] = readLeb(bytes, next);
    return next;
  };
  switch (kind) {
    case 0: return readLeb(bytes, at)[1]; // function: type index
    case 1: return limits(at + 1); // table: reference type, limits
    case 2: return limits(at); // memory: limits
    case 3: return at + 2; // global: value type, mutability
    case 4: return readLeb(bytes, at + 1)[1]; // tag: attribute, type index
    default: throw new Error(`import of unknown kind ${kind}`);
  }
}

// Short, distinct names: a … z, A … Z, then two letters.
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const shortName = (n) => (n < LETTERS.length ? LETTERS[n] : shortName(Math.floor(n / LETTERS.length) - 1) + LETTERS[n % LETTERS.length]);

// Import modules: the n-th distinct module is shortName(n). Its key in the glue's imports object
// (`"<module>": importN`, once per extern block of the crate) is renamed; the glue's
// `import * as importN from "<module>"` lines keep the real paths.
const modules = new Map();
function shortModule(module) {
  if (!modules.has(module)) {
    const short = shortName(modules.size);
    const key = new RegExp(`"${escapeRegExp(module)}":(\\s*import)`, "g");
    if (!key.test(glue)) throw new Error(`${module} is not a key of the glue's imports object: not renamed`);
    glue = glue.replace(key, `"${short}":$1`);
    modules.set(module, short);
  }
  return modules.get(module);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

// `wasm.<name>` in the glue: how it reads an export.
const exportUse = (name) => new RegExp(`\\bwasm\\.${escapeRegExp(name)}(?![\\w$])`, "g");

// A section's vector of entries rewritten one at a time: `entry(at)` answers [bytes, next].
function rewriteEntries(start, end, what, entry) {
  const [count, first] = readLeb(wasm, start);
  const body = [...leb(count)];
  let cursor = first;
  for (let i = 0; i < count; i++) {
    const [bytes, next] = entry(cursor);
    body.push(...bytes);
    cursor = next;
  }
  if (cursor !== end) throw new Error(`the ${what} section did not parse to its end`);
  return body;
}

const renameImports = (start, end) => rewriteEntries(start, end, "import", (at) => {
  const [module, afterModule] = readName(wasm, at);
  let [field, afterField] = readName(wasm, afterModule);
  const afterDescription = skipDescription(wasm, afterField);
  if (module === GLUE_MODULE && HASHED.test(field)) {
    const short = shortName(importsRenamed++);
    const uses = glue.split(field).length - 1;
    if (uses !== 1) throw new Error(`${field} is in the glue ${uses} times, not once: not renamed`);
    glue = glue.replace(field, short);
    field = short;
  }
  return [[...name(shortModule(module)), ...name(field), ...wasm.subarray(afterField, afterDescription)], afterDescription];
});

// Exports the glue reads (`wasm.<name>`) get short names; one it does not read keeps its own, and
// so does `memory`, the name tools (and tests/matrix) read the instance's memory by.
const KEPT_EXPORTS = new Set(["memory"]);
const renameExports = (start, end) => rewriteEntries(start, end, "export", (at) => {
  let [field, afterField] = readName(wasm, at);
  const afterDescription = readLeb(wasm, afterField + 1)[1]; // kind byte, index
  if (!KEPT_EXPORTS.has(field) && exportUse(field).test(glue)) {
    const short = shortName(exportsRenamed.size);
    glue = glue.replace(exportUse(field), `wasm.${short}`);
    exportsRenamed.set(field, short);
    field = short;
  }
  if (exports.has(field)) throw new Error(`two exports named ${field}`);
  exports.add(field);
  return [[...name(field), ...wasm.subarray(afterField, afterDescription)], afterDescription];
});

let importsRenamed = 0;
const exportsRenamed = new Map();
const exports = new Set();
let at = 8; // magic and version
const out = [wasm.subarray(0, 8)];
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = readLeb(wasm, at + 1);
  const end = start + size;
  const rename = id === IMPORT_SECTION ? renameImports : id === EXPORT_SECTION ? renameExports : null;
  if (rename === null) {
    out.push(wasm.subarray(at, end));
  } else {
    const body = rename(start, end);
    out.push(Buffer.from([id, ...leb(body.length), ...body]));
  }
  at = end;
}

const unknown = [...glue.matchAll(/\bwasm\.([\w$]+)/g)].map((m) => m[1]).filter((n) => !exports.has(n));
if (unknown.length > 0) throw new Error(`the glue reads wasm.${unknown[0]}, which the .wasm does not export`);

// The .d.ts files that type the exports: `export const <name>:` and `readonly <name>:`.
const typings = [wasmPath + ".d.ts", jsPath.replace(/\.js$/, ".d.ts")].filter(existsSync);
const typed = typings.map((path) => {
  let text = readFileSync(path, "utf8");
  for (const [long, short] of exportsRenamed) {
    text = text.replace(new RegExp(`(export const |readonly )${escapeRegExp(long)}:`, "g"), `$1${short}:`);
  }
  return [path, text];
});

writeFileSync(wasmPath, Buffer.concat(out));
writeFileSync(jsPath, glue);
for (const [path, text] of typed) writeFileSync(path, text);
console.log(`    ${importsRenamed} imports, ${modules.size} import modules and ${exportsRenamed.size} exports renamed`);
