// docs/API.md against the code: every option, method, event type and error code that exists in
// the code is documented, and nothing is documented that does not exist. The code's lists are
// read from the Rust source (src/) and from the generated TypeScript (pkg/, so run
// scripts/build-pkg.sh first); an extraction that finds nothing fails rather than passing.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";

const root = resolve(import.meta.dirname, "../..");
const read = (path) => readFileSync(join(root, path), "utf8");
const apiDoc = read("docs/API.md");

function generated(path) {
  const file = join(root, "pkg", path);
  if (!existsSync(file)) throw new Error(`pkg/${path} is missing: run scripts/build-pkg.sh first`);
  return readFileSync(file, "utf8");
}

/** Every match of `regex`'s first group; throws when there is none (the format moved). */
function extract(text, regex, what) {
  const found = [...text.matchAll(regex)].map((m) => m[1]);
  if (found.length === 0) throw new Error(`extracted no ${what}: the code's format changed, update this test`);
  return found;
}

/** The text of `## title` up to the next `## ` heading. */
function section(title) {
  const lines = apiDoc.split("\n");
  const start = lines.findIndex((l) => l.trim() === `## ${title}`);
  if (start < 0) throw new Error(`docs/API.md has no "## ${title}" section`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** The backticked first cell of each table row: `| \`name\` | …`. */
function firstCells(text, what) {
  return extract(text, /^\|\s*`([^`]+)`[^|]*\|/gm, `${what} in docs/API.md`);
}

/** The members of a TypeScript union of string literals: `type Name = | "a" | "b";`. */
function union(dts, name) {
  const body = dts.match(new RegExp(`type ${name}\\s*=([^;]*);`));
  if (!body) throw new Error(`no type ${name} in the generated .d.ts`);
  return extract(body[1], /"([^"]+)"/g, `members of ${name}`);
}

/**
 * The field names of a type: `interface Name extends A, B { … }` (its own fields and those of
 * the interfaces it extends) or `type Name = A | B` (the fields of each member).
 */
function interfaceFields(dts, name, seen = new Set()) {
  if (seen.has(name)) return [];
  seen.add(name);
  const iface = dts.match(new RegExp(`interface ${name}\\b(?:\\s+extends\\s+([\\w\\s,]+?))?\\s*\\{([\\s\\S]*?)\\n\\}`));
  if (iface) {
    const own = [...iface[2].matchAll(/^\s+(?:readonly\s+)?([A-Za-z_$][\w$]*)\??:/gm)].map((m) => m[1]);
    const inherited = (iface[1] ?? "").split(",").map((x) => x.trim()).filter(Boolean).flatMap((base) => interfaceFields(dts, base, seen));
    const fields = [...new Set([...own, ...inherited])];
    if (fields.length === 0) throw new Error(`extracted no fields of ${name}: update this test`);
    return fields;
  }
  const alias = dts.match(new RegExp(`type ${name}\\s*=([^;]*);`));
  if (!alias) throw new Error(`no interface or type ${name} in the generated .d.ts`);
  const members = extract(alias[1], /\b([A-Z]\w*)\b/g, `members of type ${name}`);
  return [...new Set(members.flatMap((member) => interfaceFields(dts, member, seen)))];
}

/**
 * Every exported class of a .d.ts, with its methods (constructor and [Symbol.dispose] included),
 * and those of an exported interface of the same name, which TypeScript merges into the class
 * (AndOpenClient's methods are declared so, in src/js/types.rs).
 */
function classes(dts) {
  const methodsOf = (body) =>
    [...body.matchAll(/^\s+(?:static\s+)?(constructor|\[Symbol\.dispose\]|[A-Za-z_$][\w$]*)\s*\(/gm)].map((x) => x[1]);
  const out = new Map();
  for (const m of dts.matchAll(/^export (?:declare )?class (\w+)[^{]*\{([\s\S]*?)^\}/gm)) {
    out.set(m[1], methodsOf(m[2]));
  }
  for (const m of dts.matchAll(/^export interface (\w+)[^{]*\{([\s\S]*?)^\}/gm)) {
    if (out.has(m[1])) out.get(m[1]).push(...methodsOf(m[2]));
  }
  return out;
}

function sameSet(inCode, inDocs, what) {
  const code = new Set(inCode);
  const docs = new Set(inDocs);
  const undocumented = [...code].filter((x) => !docs.has(x));
  const unknown = [...docs].filter((x) => !code.has(x));
  assert.deepEqual(
    { undocumented, unknown },
    { undocumented: [], unknown: [] },
    `${what}: "undocumented" exist in the code but not in docs/API.md; "unknown" are in docs/API.md but not in the code`,
  );
}

function rustSources(dir) {
  return readdirSync(join(root, dir), { recursive: true })
    .filter((f) => f.endsWith(".rs"))
    .map((f) => read(join(dir, f)));
}

test("options: src/js/options.rs and AndOpenClientOptions against the Options table", () => {
  const known = read("src/js/options.rs").match(/const KNOWN\s*:[^=]*=\s*\[([\s\S]*?)\];/);
  assert.ok(known, "src/js/options.rs has no `const KNOWN: [&str; N] = [...]`: update this test");
  const fromRust = extract(known[1], /"([^"]+)"/g, "options in src/js/options.rs");
  const fromTypes = interfaceFields(generated("andopen_client.d.ts"), "AndOpenClientOptions");
  const documented = firstCells(section("Options"), "options");
  sameSet(fromRust, documented, "options (src/js/options.rs)");
  sameSet(fromTypes, documented, "options (AndOpenClientOptions in the .d.ts)");
});

test("the token broker's options (error.js BROKER_OPTIONS) are options, all but this client's own", () => {
  const known = extract(read("src/js/options.rs").match(/const KNOWN\s*:[^=]*=\s*\[([\s\S]*?)\];/)[1], /"([^"]+)"/g, "options in src/js/options.rs");
  const list = read("src/js/error.js").match(/const BROKER_OPTIONS = \[([\s\S]*?)\];/);
  assert.ok(list, "src/js/error.js has no `const BROKER_OPTIONS = [...]`: update this test");
  const broker = extract(list[1], /"([^"]+)"/g, "BROKER_OPTIONS in src/js/error.js");
  // What stays with the client: its handles (which cannot cross to the broker) and the settings of
  // its own store, reads and page. A new option must be put on one side or the other.
  const own = ["store", "storeKey", "maxResponseBytes", "fetch", "onEvent", "dangerouslyAllowBrowser", "broker"];
  sameSet(broker, known.filter((o) => !own.includes(o)), "BROKER_OPTIONS (src/js/error.js)");
});

test("error codes: src/core/error.rs and AndOpenErrorCode, each against the Errors table", () => {
  const list = read("src/core/error.rs").match(/error_codes!\s*\{([\s\S]*?)\n\}/);
  assert.ok(list, "src/core/error.rs has no `error_codes! { … }` list: update this test");
  const fromRust = extract(list[1], /\w+\s*=>\s*"([^"]+)"/g, "error codes in src/core/error.rs");
  const fromTypes = union(generated("andopen_client.d.ts"), "AndOpenErrorCode");
  const codes = firstCells(section("Errors"), "error codes").filter((c) => /^[a-z_]+$/.test(c) && !errorFields().includes(c));
  // Each copy on its own: a code missing from the .d.ts must not hide behind the Rust list.
  sameSet(fromRust, codes, "error codes (src/core/error.rs)");
  sameSet(fromTypes, codes, "error codes (AndOpenErrorCode in the .d.ts)");
});

function errorFields() {
  const dts = generated("index.d.ts");
  const body = dts.match(/class AndOpenError[^{]*\{([\s\S]*?)\n\}/);
  assert.ok(body, "pkg/index.d.ts declares no class AndOpenError");
  return extract(body[1], /^\s+readonly\s+(\w+)\s*:/gm, "fields of AndOpenError").filter((f) => f !== "name");
}

test("AndOpenError's fields are documented in Errors", () => {
  const documented = new Set(firstCells(section("Errors"), "error fields"));
  for (const field of errorFields()) assert.ok(documented.has(field), `AndOpenError.${field} is not in the Errors section`);
});

test("event types: the emitted `kind`s and AndOpenEventType against the Events table", () => {
  const emitted = extract(rustSources("src").join("\n"), /\bkind:\s*"([a-z_]+)"/g, "event kinds in src/**/*.rs");
  const fromTypes = union(generated("andopen_client.d.ts"), "AndOpenEventType");
  const documented = firstCells(section("Events"), "event types");
  sameSet(emitted, documented, "event types (emitted by src/)");
  sameSet(fromTypes, documented, "event types (AndOpenEventType in the .d.ts)");
});

test("every field of AndOpenEvent is named in the Events section", () => {
  const events = section("Events");
  for (const field of interfaceFields(generated("andopen_client.d.ts"), "AndOpenEvent")) {
    assert.ok(events.includes(`\`${field}\``), `AndOpenEvent.${field} is not described in the Events section`);
  }
});

test("classes and methods: the generated .d.ts against the Methods section", () => {
  const inCode = new Map([...classes(generated("andopen_client.d.ts")), ...classes(generated("index.d.ts"))]);
  assert.ok(inCode.has("AndOpenClient"), "no class AndOpenClient extracted from pkg/andopen_client.d.ts");
  const methods = section("Methods");
  const documented = new Map();
  for (const part of methods.split(/^### /m).slice(1)) {
    const name = part.match(/^`(\w+)`/);
    assert.ok(name, `a "### " heading in Methods is not a class name in backticks: ${part.split("\n")[0]}`);
    const rows = [...part.matchAll(/^\|\s*`([^`]+)`/gm)].map((m) =>
      m[1].startsWith("new ") ? "constructor" : m[1].replace(/\(.*$/, ""),
    );
    documented.set(name[1], rows);
  }
  sameSet(inCode.keys(), documented.keys(), "classes");
  for (const [cls, list] of inCode) {
    sameSet(list, documented.get(cls) ?? [], `methods of ${cls}`);
  }
});
