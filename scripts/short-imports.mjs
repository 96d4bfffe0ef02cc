// Gives the .wasm's imports from wasm-bindgen's glue module short names, in the .wasm and in the
// glue alike (scripts/build-pkg.sh runs it on pkg/ after wasm-opt). wasm-bindgen names each of
// them with a 16-hex-digit hash (`__wbg_keys_105f5c0857898f84`) that gzip cannot compress, and
// each name is written twice: in the .wasm's import section and as a key of the glue's imports
// object. Only names with such a hash are renamed, each of which the glue holds exactly once; the
// build stops if that is not so, rather than ship a glue that no longer matches its .wasm.
//
// usage: node scripts/short-imports.mjs pkg/andopen_client_bg.wasm pkg/andopen_client.js
import { readFileSync, writeFileSync } from "node:fs";

const GLUE_MODULE = "./andopen_client_bg.js";
const HASHED = /_[0-9a-f]{16}$/;
const IMPORT_SECTION = 2;

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) throw new Error("usage: short-imports.mjs <.wasm> <glue .js>");
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

let at = 8; // magic and version
const out = [wasm.subarray(0, 8)];
let renamed = 0;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = readLeb(wasm, at + 1);
  const end = start + size;
  if (id !== IMPORT_SECTION) {
    out.push(wasm.subarray(at, end));
    at = end;
    continue;
  }
  const [count, first] = readLeb(wasm, start);
  const body = [...leb(count)];
  let cursor = first;
  for (let i = 0; i < count; i++) {
    const [module, afterModule] = readName(wasm, cursor);
    let [field, afterField] = readName(wasm, afterModule);
    const afterDescription = skipDescription(wasm, afterField);
    if (module === GLUE_MODULE && HASHED.test(field)) {
      const short = shortName(renamed++);
      const uses = glue.split(field).length - 1;
      if (uses !== 1) throw new Error(`${field} is in the glue ${uses} times, not once: not renamed`);
      glue = glue.replace(field, short);
      field = short;
    }
    body.push(...name(module), ...name(field), ...wasm.subarray(afterField, afterDescription));
    cursor = afterDescription;
  }
  if (cursor !== end) throw new Error("the import section did not parse to its end");
  out.push(Buffer.from([IMPORT_SECTION, ...leb(body.length), ...body]));
  at = end;
}

writeFileSync(wasmPath, Buffer.concat(out));
writeFileSync(jsPath, glue);
console.log(`    ${renamed} imports renamed`);
