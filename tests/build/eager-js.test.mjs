// scripts/eager-js.mjs, which build-pkg runs on pkg/ last: V8 then compiles the package's
// functions with their module instead of on first call, and the module behaves as written
// (hoisting, method properties, names). And every JS file of the built package has been through it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { eager } from "../../scripts/eager-js.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const SAMPLE = `
import { strictEqual } from "node:assert";
export const early = later(2);
function later(n) { return [1, 2, 3].map((x) => x * n).reduce(function (a, b) { return a + b; }); }
export async function asyncly() { return 7; }
class Base { hello() { return "base"; } }
export class Counter extends Base {
  #count = 0;
  bump() { this.#count += 1; return this.#count; }
}
export class Plain {
  constructor(v) { this.v = v; }
  get doubled() { return this.v * 2; }
  value() { return [this.v].map((x) => x + 1)[0]; }
  async later() { return this.v; }
  *pairs() { yield this.v; }
  static make(v) { return new Plain(v); }
  ["computed"]() { return "c"; }
}
export class Child extends Plain { value() { return super.value() * 10; } }
strictEqual(typeof Plain.make, "function");
`;

async function load(text) {
  const dir = mkdtempSync(join(tmpdir(), "eager-"));
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(file, text);
    return await import(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the rewritten module behaves as written: hoisting, methods, names, super and private names", async () => {
  const out = eager(SAMPLE);
  assert.notEqual(out, SAMPLE);
  const m = await load(out);
  // A function declared below the statement that calls it is still there when it runs.
  assert.equal(m.early, 12);
  assert.equal(await m.asyncly(), 7);
  assert.equal(m.asyncly.name, "asyncly");
  const p = m.Plain.make(4);
  assert.equal(p.value(), 5);
  assert.equal(p.doubled, 8);
  assert.equal(await p.later(), 4);
  assert.deepEqual([...p.pairs()], [4]);
  assert.equal(p.computed(), "c");
  assert.equal(new m.Child(1).value(), 20);
  assert.equal(new m.Counter().bump(), 1);
  // Methods stay what a class body makes them: named, on the prototype, not enumerable.
  for (const name of ["value", "later", "pairs"]) {
    const d = Object.getOwnPropertyDescriptor(m.Plain.prototype, name);
    assert.equal(d.value.name, name);
    assert.deepEqual([d.enumerable, d.writable, d.configurable], [false, true, true], name);
  }
  assert.equal(Object.getOwnPropertyDescriptor(m.Plain, "make").enumerable, false);
  assert.deepEqual(Object.keys(m.Plain.prototype), []);
  // What needs a class body (`super`, `#count`) and classes that extend another keep theirs.
  assert.match(out, /class Counter extends Base \{[^]*bump\(\)/);
  assert.match(out, /class Child extends Plain \{ value\(\)/);
  // Idempotent: what build-pkg wrote is left as it is.
  assert.equal(eager(out), out);
});

test("V8 compiles the rewritten module's functions with it, and the original's on first call", () => {
  // --log-function-events logs a `parse-function` event for each function compiled lazily.
  const lazilyCompiled = (text) => {
    const dir = mkdtempSync(join(tmpdir(), "eager-v8-"));
    try {
      writeFileSync(join(dir, "m.mjs"), `${text}\nnew Plain(1).value(); new Child(1).value(); Plain.make(2).pairs().next(); asyncly();\n`);
      execFileSync(process.execPath, ["--log-function-events", "--no-logfile-per-isolate", `--logfile=${join(dir, "v8.log")}`, join(dir, "m.mjs")]);
      const log = readFileSync(join(dir, "v8.log"), "latin1").split("\n");
      const script = log.map((l) => l.split(",")).find((f) => f[0] === "script-details" && f[2].endsWith("/m.mjs"))[1];
      return log.map((l) => l.split(",")).filter((f) => f[0] === "function" && f[1] === "parse-function" && f[2] === script).map((f) => f[7] || "(anonymous)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const before = lazilyCompiled(SAMPLE);
  assert.ok(before.includes("later") && before.includes("value"), `lazily compiled before: ${before}`);
  // Only what must stay in a class body is left to compile on first call: the constructors, and
  // Child's value(), which calls super.value().
  assert.deepEqual(lazilyCompiled(eager(SAMPLE)).sort(), ["Child", "Plain", "value"]);
});

test("literal constants move ahead of the hoisted functions, so esbuild inlines them; a second run changes nothing", async () => {
  const { build } = await import("esbuild");
  const source = `function kind(x) { switch (x) { case DONE: return "done"; default: return PREFIX + x; } }
const DONE = 5, PREFIX = "step ", MARK = Symbol("m");
export { kind, MARK };`;
  const rewritten = eager(source);
  assert.equal(eager(rewritten), rewritten);
  const bundle = async (text) => {
    const out = await build({ stdin: { contents: `import { kind } from "./m.js"; console.log(kind(5), kind(1));` , resolveDir: "/", loader: "js" },
      bundle: true, minify: true, format: "esm", write: false, logLevel: "silent",
      plugins: [{ name: "m", setup(b) { b.onResolve({ filter: /m\.js$/ }, () => ({ path: "m", namespace: "m" })); b.onLoad({ filter: /.*/, namespace: "m" }, () => ({ contents: text, loader: "js" })); } }] });
    return out.outputFiles[0].text;
  };
  // As written, the function comes before the constants, and esbuild keeps DONE a variable; after,
  // it writes the number where DONE was read.
  assert.match(await bundle(source), /\b\w+=5[,;]/);
  assert.doesNotMatch(await bundle(rewritten), /\b\w+=5[,;]/);
  // Symbol("m") runs something: it stays where it was.
  const [head] = rewritten.split("var kind");
  assert.match(head, /const DONE = 5, PREFIX = "step ";/);
  assert.doesNotMatch(head, /Symbol/);
});

test("every JS file of the built package has been through eager-js", () => {
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  const files = walk(join(ROOT, "pkg")).filter((f) => f.endsWith(".js"));
  assert.ok(files.length >= 7, `${files.length} files`);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    assert.equal(eager(text), text, `${file} is not rewritten`);
  }
});
